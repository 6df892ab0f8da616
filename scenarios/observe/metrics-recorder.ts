// The scenarios-side metrics recorder: it samples every running honest node of a World at a fixed
// simulated interval (one kernel event per tick) into reports' NodeSnapshot shape, follows the
// world's Connman events to record ended connections, connection churn and evictions, counts P2P
// traffic per message type, and at the end assembles the plain RunResult that reports/ charts.
//
// It only reads node state: nothing it calls draws randomness or changes a Connman's decisions
// (AddrMan is read through forEachEntry, never through Size()/GetEntries(), whose consistency
// check may draw from the AddrMan's stream; traffic through each Connman's msgTotals). It does not check invariants (invariants.ts does),
// decide which nodes are victims or attackers (the scenario passes roleOf / isAttackerAddress), or
// write files (the CLI does).

import type { AddrMan } from '../../connman/addrman/addrman.ts';
import type { AddressPool } from '../../connman/addrman/address-pool.ts';
import type { Connman, MsgTotal } from '../../connman/net/connman.ts';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { parseService, type NetAddr } from '../../connman/protocol/netaddress.ts';
import type { Node } from '../../connman/net/node.ts';
import type { CloseReason, ConnmanEvent } from '../../connman/ports.ts';
import { groupKey } from '../../connman/net/open-connections.ts';
import { getNetworkName } from '../../connman/protocol/netbase.ts';
import { ConnectionBinner, DisconnectLog, disconnectAggregates, evictionCounts, SeriesCollector, timeToEclipse } from './aggregate.ts';
import {
  RUN_RESULT_FORMAT_VERSION,
  type ConnectionLogRow,
  type ConnTypeName,
  type DisconnectReason,
  type DisconnectRecord,
  type EvictionReason,
  type InboundPeerSnapshot,
  type MessageBytes,
  type NodeSnapshot,
  type OutboundConnKey,
  type OutboundPeerSnapshot,
  type RunCheck,
  type RunIdentity,
  type RunMark,
  type RunResult,
} from '../../reports/run-result.ts';
import type { Micros } from '../../sim/index.ts';
import type { World } from '../world/world.ts';
import { OP_COUNTS, Op } from '../../connman/util/op-counts.ts';

// ---------------------------------------------------------------------------------------------
// Vocabulary mappings (total over connman's CloseReason and ConnectionType)
// ---------------------------------------------------------------------------------------------

/**
 * Every connman CloseReason as a reports DisconnectReason (Core's words, see reports'
 * DISCONNECT_REASON_INFO). A Record type, so a reason added to ports.ts without a mapping here
 * fails to compile.
 *   remote-closed / remote-reset: the peer closed or reset the socket; Core logs "socket closed" or
 *   "socket recv error" from SocketHandlerConnected. The botnet's short inbound connections and an
 *   attacker's reconnects end this way on the victim's side: they are the peer's doing, not a timeout.
 *   tx-relay-capacity: the newcomer itself is dropped because tx-relaying inbound slots are full
 *   and no one could be evicted; reports files it under eviction (EvictionReason tx-relay-capacity).
 *   missing-services / obsolete-version / self-connection: we refuse the peer's VERSION.
 *   addr-fetch-timeout: Core's "addrfetch connection timeout", the end of an addr-fetch that got nothing.
 */
export const DISCONNECT_REASON_OF: Readonly<Record<CloseReason, DisconnectReason>> = {
  'socket-no-message': 'socket-no-message',
  'socket-send-timeout': 'socket-send-timeout',
  'socket-receive-timeout': 'socket-receive-timeout',
  'v2-handshake-timeout': 'handshake-timeout',
  'version-handshake-timeout': 'handshake-timeout',
  'ping-timeout': 'ping-timeout',
  'remote-closed': 'socket-closed',
  'remote-reset': 'socket-recv-error',
  evicted: 'eviction',
  'evicted-tx-relay': 'eviction',
  'tx-relay-capacity': 'eviction',
  'feeler-done': 'feeler-done',
  'addr-fetch-done': 'addr-fetch-done',
  'addr-fetch-timeout': 'addr-fetch-done',
  'missing-services': 'handshake-refused',
  'obsolete-version': 'handshake-refused',
  'self-connection': 'handshake-refused',
  'protocol-violation': 'misbehaviour',
  misbehaving: 'misbehaviour',
  'disconnect-requested': 'disconnect-requested',
  'network-inactive': 'network-inactive',
  shutdown: 'shutdown',
  'outbound-eviction-chain-sync': 'eviction',
  'extra-outbound-evicted': 'eviction',
  'extra-block-relay-evicted': 'eviction',
  'block-download-timeout': 'block-download-timeout',
  'upload-target-reached': 'upload-target-reached',
};

/**
 * Which eviction rule a CloseReason stands for, or null when the close was not an eviction.
 * Exactly the reasons DISCONNECT_REASON_OF maps to 'eviction' have a rule here (tested).
 */
export const EVICTION_REASON_OF: Readonly<Record<CloseReason, EvictionReason | null>> = {
  'socket-no-message': null,
  'socket-send-timeout': null,
  'socket-receive-timeout': null,
  'v2-handshake-timeout': null,
  'version-handshake-timeout': null,
  'ping-timeout': null,
  'remote-closed': null,
  'remote-reset': null,
  // CConnman::AttemptToEvictConnection for a new inbound at the slot limit.
  evicted: 'inbound-slots-full',
  // EvictTxPeerIfFull: a tx-relaying inbound made room for another.
  'evicted-tx-relay': 'tx-relay-capacity',
  // MaybeDisconnectForTxRelayCapacity: nobody could be evicted, the newcomer goes.
  'tx-relay-capacity': 'tx-relay-capacity',
  'feeler-done': null,
  'addr-fetch-done': null,
  'addr-fetch-timeout': null,
  'missing-services': null,
  'obsolete-version': null,
  'self-connection': null,
  'protocol-violation': null,
  misbehaving: null,
  'disconnect-requested': null,
  'network-inactive': null,
  shutdown: null,
  'outbound-eviction-chain-sync': 'outbound-old-chain',
  'extra-outbound-evicted': 'extra-full-relay-outbound',
  'extra-block-relay-evicted': 'extra-block-relay-outbound',
  'block-download-timeout': null,
  'upload-target-reached': null,
};

/** A ConnectionType by Core's RPC name (node/connection_types.cpp ConnectionTypeAsString). */
export function connTypeNameOf(t: ConnectionType): ConnTypeName {
  switch (t) {
    case ConnectionType.INBOUND:
      return 'inbound';
    case ConnectionType.OUTBOUND_FULL_RELAY:
      return 'outbound-full-relay';
    case ConnectionType.MANUAL:
      return 'manual';
    case ConnectionType.FEELER:
      return 'feeler';
    case ConnectionType.BLOCK_RELAY:
      return 'block-relay-only';
    case ConnectionType.ADDR_FETCH:
      return 'addr-fetch';
    case ConnectionType.PRIVATE_BROADCAST:
      return 'private-broadcast';
  }
}

/** An outbound ConnectionType as the series key; null for INBOUND. */
export function outboundKeyOf(t: ConnectionType): OutboundConnKey | null {
  switch (t) {
    case ConnectionType.INBOUND:
      return null;
    case ConnectionType.OUTBOUND_FULL_RELAY:
      return 'fullRelay';
    case ConnectionType.MANUAL:
      return 'manual';
    case ConnectionType.FEELER:
      return 'feeler';
    case ConnectionType.BLOCK_RELAY:
      return 'blockRelay';
    case ConnectionType.ADDR_FETCH:
      return 'addrFetch';
    case ConnectionType.PRIVATE_BROADCAST:
      return 'privateBroadcast';
  }
}

// ---------------------------------------------------------------------------------------------
// The recorder
// ---------------------------------------------------------------------------------------------

export interface MetricsRecorderOptions {
  sampleIntervalMicros: Micros;
  /** The part of world node `node` (attackers are not world nodes and are never sampled). */
  roleOf(node: number): 'honest' | 'victim';
  /**
   * Whether an address belongs to the attacker. Answers are cached per address (and per peer); they
   * may change only together with attackerEpoch.
   */
  isAttackerAddress(addr: NetAddr): boolean;
  /**
   * A number that changes whenever isAttackerAddress may answer differently (e.g. the count of
   * attacker addresses, when attackers join mid-run); cached answers are dropped then. Without it,
   * isAttackerAddress must never change its answers.
   */
  attackerEpoch?(): number;
  /** False while isAttackerAddress is false for every address (then event addresses need no parsing). */
  anyAttackerAddress?(): boolean;
  /** The AS number of an address (0 when unmapped). */
  asnOf(addr: NetAddr): number;
  /** Addresses have AS numbers (an AS model); false: the connection log writes no ASN. Default true. */
  asModel?: boolean;
  /** The world index of the honest node at an address, if it is one (the connection log's peerNode). */
  honestNodeAt?(addr: NetAddr): number | undefined;
  /**
   * Receives one row per connection of a world node as it ends, and at finish() one per connection
   * still open, in (node, opening) order. Absent: no per-connection record is kept or built.
   */
  connectionLog?: (row: ConnectionLogRow) => void;
  /**
   * Kernel time of the scenario's start (the end of a warm-up): every time the recorder reports is
   * counted from it, so a connection opened during the warm-up logs a negative openMicros. Default 0.
   */
  originMicros?: Micros;
}

/** What the recorder keeps about one open connection of a world node. */
interface OpenConn {
  readonly peer: Node;
  readonly connType: ConnectionType;
  /** The Connman that holds it (its netgroup manager names the peer's group in the connection log). */
  readonly connman: Connman;
  /** Whether the peer was the attacker's when the connection was adopted. */
  readonly attacker: boolean;
  /** When the CNode was created (its m_connected), in scenario time (negative: before its start). */
  readonly openMicros: Micros;
}

/** A Connman whose traffic counts, with its msgTotals when it was first seen (counted from there). */
interface FollowedConnman {
  readonly connman: Connman;
  readonly sentBase: ReadonlyMap<string, MsgTotal>;
  readonly recvBase: ReadonlyMap<string, MsgTotal>;
}

/** Per-message-type traffic counters. */
interface TrafficRow {
  sentBytes: number;
  recvBytes: number;
  sentMessages: number;
  recvMessages: number;
}

/** Facts about a peer that do not change during a connection, computed once per connection. */
interface PeerFacts {
  readonly netgroupHex: string;
  readonly asn: number;
  readonly attacker: boolean;
}

/** The part of a NodeSnapshot read from a node's connections. */
interface SampledPeers {
  readonly outbound: OutboundPeerSnapshot[];
  readonly inbound: InboundPeerSnapshot[];
  readonly inboundSlots: number;
  readonly inboundSlotsAttacker: number;
}

/** A node's SampledPeers at its last tick, with the state they were read from. */
interface TickPeers {
  readonly connman: Connman;
  readonly epoch: number | undefined;
  readonly nodes: readonly Node[];
  /** connectionFlags of each of `nodes` then. */
  readonly flags: Uint8Array;
  readonly peers: SampledPeers;
}

/** What a snapshot reads of a connection that can change while it lasts: the disconnect and handshake flags. */
function connectionFlags(n: Node): number {
  return (n.disconnect ? 1 : 0) | (n.successfullyConnected ? 2 : 0);
}

/** Whether `nodes` are `kept` in the same order, each with the same connectionFlags as in `flags`. */
function sameConnections(nodes: readonly Node[], kept: readonly Node[], flags: Uint8Array): boolean {
  if (nodes.length !== kept.length) return false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n !== kept[i] || connectionFlags(n) !== flags[i]) return false;
  }
  return true;
}

const ATTACKER_UNKNOWN = 0;
const ATTACKER_NO = 1;
const ATTACKER_YES = 2;

export class MetricsRecorder {
  private readonly world: World;
  private readonly opts: MetricsRecorderOptions;
  private readonly collector = new SeriesCollector();
  /** Ended connections, in typed columns (a long run ends millions). */
  private readonly disconnects = new DisconnectLog();
  /** Opens and closes binned as they happen (a record each would grow without bound in a long run). */
  private readonly connections: ConnectionBinner;
  private readonly evictions: EvictionReason[] = [];
  /** Every Connman instance seen (restarts add new ones), in the order first seen. */
  private readonly followed: FollowedConnman[] = [];
  private readonly followedSet = new Set<Connman>();
  /** Per world node: CNode id → open connection (insertion order = opening order). */
  private readonly open: Map<number, OpenConn>[] = [];
  /** Per world node: "addr" of an outbound connect in flight → when it was attempted. */
  private readonly attempts: Map<string, Micros>[] = [];
  /** Per world node: the running Connman instance already followed. */
  private readonly hooked: (Connman | undefined)[] = [];
  /** Attacker flag per interned address of each AddrMan's pool (0 unknown, 1 no, 2 yes). */
  private poolFlags = new WeakMap<AddressPool, Uint8Array>();
  private peerFacts = new WeakMap<Node, PeerFacts>();
  /** Per world node: the connection part of its last tick's snapshot and what it was read from. */
  private readonly tickPeers: (TickPeers | undefined)[] = [];
  /** attackerEpoch() when the caches above were started. */
  private cacheEpoch: number | undefined = undefined;
  private readonly tickListeners: ((tMicros: Micros) => void)[] = [];
  private tickKind = -1;
  private lastTickMicros = -1;
  private started = false;
  private ticks = 0;

  constructor(world: World, opts: MetricsRecorderOptions) {
    if (!(opts.sampleIntervalMicros > 0) || !Number.isInteger(opts.sampleIntervalMicros)) {
      throw new RangeError(`MetricsRecorder: sampleIntervalMicros must be a positive integer, got ${opts.sampleIntervalMicros}`);
    }
    this.world = world;
    this.opts = opts;
    this.connections = new ConnectionBinner(opts.sampleIntervalMicros);
  }

  /** Number of ticks sampled so far. */
  get tickCount(): number {
    return this.ticks;
  }

  /** Calls `fn` after each sample (the invariant monitor hooks in here), with the tick's time. */
  onTick(fn: (tMicros: Micros) => void): void {
    this.tickListeners.push(fn);
  }

  /**
   * Subscribes to the world's events and schedules the sampling ticks: one now, then one every
   * sampleIntervalMicros, each its own kernel event. Connections already open are adopted.
   */
  start(): void {
    if (this.started) throw new Error('MetricsRecorder: already started');
    this.started = true;
    const w = this.world;
    w.events.listen((node, e) => this.onEvent(node, e));
    w.onNodeRetired((node, how) => this.onRetired(node, how));
    for (const n of w.nodes) {
      const c = n.connman;
      if (c === undefined) continue;
      this.hook(n.index, c);
      for (const peer of c.getNodes()) this.adopt(n.index, peer);
    }
    this.tickKind = w.kernel.register(() => this.onTickEvent(), 'metrics.tick');
    w.kernel.at(w.kernel.now(), this.tickKind);
  }

  /** The scenario's time: kernel time less the origin (a warm-up). */
  private now(): Micros {
    return this.world.kernel.now() - (this.opts.originMicros ?? 0);
  }

  /** One extra sample now (e.g. at the end of the run); a no-op if a tick already ran at this instant. */
  sampleNow(): void {
    this.sample();
  }

  /** The run's RunResult; `checks` in the scenario's order (append the invariant monitor's). */
  finish(identity: RunIdentity, marks: readonly RunMark[], checks: readonly RunCheck[]): RunResult {
    if (this.opts.connectionLog !== undefined) {
      // The connections still open, node by node in the order they opened.
      for (let node = 0; node < this.open.length; node++) for (const oc of this.open[node]?.values() ?? []) this.logConnection(node, oc, null, null, null);
    }
    const series = this.collector.finish();
    const binMicros = this.opts.sampleIntervalMicros;
    const dis = disconnectAggregates(this.disconnects, binMicros);
    const bytes: MessageBytes[] = [...this.trafficRows().entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([msgType, r]) => ({ msgType, sentBytes: r.sentBytes, recvBytes: r.recvBytes, sentMessages: r.sentMessages, recvMessages: r.recvMessages }));
    const sortedMarks = [...marks].map((m) => ({ tMicros: m.tMicros, label: m.label }));
    sortedMarks.sort((a, b) => a.tMicros - b.tMicros || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const victimIds = [...identity.victimIds].sort((a, b) => a - b);
    return {
      formatVersion: RUN_RESULT_FORMAT_VERSION,
      identity: { ...identity, params: identity.params.map((p) => ({ ...p })), victimIds },
      series,
      events: {
        binMicros,
        disconnects: dis.disconnects,
        timeToDisconnect: dis.timeToDisconnect,
        connections: this.connections.bins(),
        evictions: evictionCounts(this.evictions),
      },
      bytes,
      marks: sortedMarks,
      checks: checks.map((c) => ({ ...c })),
      eclipses: timeToEclipse(series.victims, victimIds, identity.attackStartMicros),
    };
  }

  /** The ended connections recorded so far (tests, summaries). */
  disconnectRecords(): readonly DisconnectRecord[] {
    return this.disconnects.toArray();
  }

  /** The snapshot of one running world node as a tick would take it (undefined while it is down). */
  snapshotOf(index: number): NodeSnapshot | undefined {
    const c = this.world.nodes[index]?.connman;
    if (c === undefined) return undefined;
    return this.snapshotWith(index, c, this.peersOf(c));
  }

  // -------------------------------------------------------------------------------------------

  /** The connection part of a snapshot of `c`: its peers as a tick sees them. */
  private peersOf(c: Connman): SampledPeers {
    const outbound: OutboundPeerSnapshot[] = [];
    const inbound: InboundPeerSnapshot[] = [];
    let inboundSlots = 0;
    let inboundSlotsAttacker = 0;
    for (const peer of c.getNodes()) {
      if (peer.disconnect) continue;
      // Every inbound connection holds a slot (Core's AcceptConnection counts them all), handshake or not.
      if (peer.connType === ConnectionType.INBOUND) {
        inboundSlots++;
        if (this.factsOf(c, peer).attacker) inboundSlotsAttacker++;
      }
      // Fully connected peers only (Core's ForEachNode): handshake done, not being dropped.
      if (!peer.successfullyConnected) continue;
      const f = this.factsOf(c, peer);
      const key = outboundKeyOf(peer.connType);
      if (key === null) inbound.push({ netgroupHex: f.netgroupHex, attacker: f.attacker });
      else outbound.push({ connType: key, netgroupHex: f.netgroupHex, asn: f.asn, attacker: f.attacker });
    }
    return { outbound, inbound, inboundSlots, inboundSlotsAttacker };
  }

  /**
   * The connection part of node `index`'s snapshot at a tick, the last tick's (the same arrays)
   * when what it reads is unchanged: the same Connman, the same connections in the same order with
   * the same disconnect and handshake flags, and the same attacker answers (a peer's facts are fixed
   * per connection). The arrays are shared between ticks and never changed after they are built.
   */
  private tickPeersOf(index: number, c: Connman): SampledPeers {
    this.checkAttackerEpoch();
    const kept = this.tickPeers[index];
    if (kept !== undefined && kept.epoch === this.cacheEpoch && kept.connman === c && sameConnections(c.getNodes(), kept.nodes, kept.flags)) return kept.peers;
    const nodes = c.getNodes();
    const flags = new Uint8Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) flags[i] = connectionFlags(nodes[i]!);
    const peers = this.peersOf(c);
    this.tickPeers[index] = { connman: c, epoch: this.cacheEpoch, nodes: nodes.slice(), flags, peers };
    return peers;
  }

  private snapshotWith(index: number, c: Connman, p: SampledPeers): NodeSnapshot {
    const t = this.countAddrman(c.addrman);
    return {
      nodeId: index,
      role: this.opts.roleOf(index),
      outbound: p.outbound,
      inbound: p.inbound,
      inboundSlots: p.inboundSlots,
      inboundSlotsAttacker: p.inboundSlotsAttacker,
      inboundLimit: c.slots.maxInbound,
      addrmanNew: t.newCount,
      addrmanNewAttacker: t.newAttacker,
      addrmanTried: t.triedCount,
      addrmanTriedAttacker: t.triedAttacker,
    };
  }

  private onTickEvent(): void {
    this.sample();
    this.world.kernel.at(this.world.kernel.now() + this.opts.sampleIntervalMicros, this.tickKind);
  }

  private sample(): void {
    const now = this.now();
    if (now <= this.lastTickMicros) return;
    this.lastTickMicros = now;
    const snapshots: NodeSnapshot[] = [];
    for (const n of this.world.nodes) {
      const c = n.connman;
      if (c !== undefined) snapshots.push(this.snapshotWith(n.index, c, this.tickPeersOf(n.index, c)));
    }
    OP_COUNTS[Op.nodeSample] += snapshots.length;
    this.collector.add(now, snapshots);
    this.ticks++;
    for (let i = 0; i < this.tickListeners.length; i++) this.tickListeners[i]!(now);
  }

  /**
   * New and tried entries and how many are attacker addresses, in one pass over the AddrMan's
   * entries (forEachEntry: no check, no draw). The attacker flag is cached per interned address of
   * the AddrMan's pool, so after the first tick an entry costs a few typed-array reads.
   */
  private countAddrman(a: AddrMan): { newCount: number; newAttacker: number; triedCount: number; triedAttacker: number } {
    const pool = a.pool;
    this.checkAttackerEpoch();
    let flags = this.poolFlags.get(pool);
    if (flags === undefined || flags.length < pool.size) {
      const grown = new Uint8Array(Math.max(1024, pool.size * 2));
      if (flags !== undefined) grown.set(flags);
      flags = grown;
      this.poolFlags.set(pool, flags);
    }
    const fl = flags;
    let newCount = 0;
    let newAttacker = 0;
    let triedCount = 0;
    let triedAttacker = 0;
    a.forEachEntry((p, tried) => {
      let f = fl[p]!;
      if (f === ATTACKER_UNKNOWN) {
        f = this.opts.isAttackerAddress(pool.service(p)) ? ATTACKER_YES : ATTACKER_NO;
        fl[p] = f;
      }
      if (tried) {
        triedCount++;
        if (f === ATTACKER_YES) triedAttacker++;
      } else {
        newCount++;
        if (f === ATTACKER_YES) newAttacker++;
      }
    });
    return { newCount, newAttacker, triedCount, triedAttacker };
  }

  /** Drops the cached attacker answers when attackerEpoch says they may have changed. */
  private checkAttackerEpoch(): void {
    const epoch = this.opts.attackerEpoch?.();
    if (epoch === this.cacheEpoch) return;
    this.cacheEpoch = epoch;
    this.poolFlags = new WeakMap();
    this.peerFacts = new WeakMap();
  }

  private factsOf(c: Connman, peer: Node): PeerFacts {
    this.checkAttackerEpoch();
    let f = this.peerFacts.get(peer);
    if (f === undefined) {
      f = {
        netgroupHex: groupKey(c.netgroupman.getGroup(peer.addr)),
        asn: this.opts.asnOf(peer.addr),
        attacker: this.opts.isAttackerAddress(peer.addr),
      };
      this.peerFacts.set(peer, f);
    }
    return f;
  }

  private openMap(node: number): Map<number, OpenConn> {
    let m = this.open[node];
    if (m === undefined) this.open[node] = m = new Map();
    return m;
  }

  private attemptMap(node: number): Map<string, Micros> {
    let m = this.attempts[node];
    if (m === undefined) this.attempts[node] = m = new Map();
    return m;
  }

  /** Starts following a connection (from its open event, or already open at start()). */
  private adopt(node: number, peer: Node): void {
    const c = this.world.nodes[node]!.connman!;
    // CNode's m_connected is on the node clock (the world's epoch); the log is in scenario time.
    const openMicros = this.now() - (this.world.clock.nowMicros() - peer.connectedMicros);
    // The attacker flag is fixed now (attackers may join later); netgroup and ASN, which never
    // change, are looked up only if the connection log asks for them.
    const attacker = this.opts.anyAttackerAddress?.() === false ? false : this.factsOf(c, peer).attacker;
    this.openMap(node).set(peer.id, { peer, connType: peer.connType, connman: c, attacker, openMicros });
  }

  private onEvent(node: number, e: ConnmanEvent): void {
    const wn = this.world.nodes[node];
    if (wn === undefined) return;
    const c = wn.connman;
    // A restarted node has a new Connman: follow it before its first connection carries traffic.
    if (c !== undefined && this.hooked[node] !== c) this.hook(node, c);
    const now = this.now();
    switch (e.kind) {
      case 'connect-attempt':
        this.attemptMap(node).set(e.addr, now);
        break;
      case 'connect-failed': {
        const m = this.attemptMap(node);
        const at = m.get(e.addr);
        m.delete(e.addr);
        if (e.reason !== 'timeout') break;
        this.disconnects.push({
          tMicros: now,
          nodeId: node,
          connType: connTypeNameOf(e.connType),
          reason: 'connect-timeout',
          durationMicros: at === undefined ? 0 : now - at,
          attackerPeer: this.isAttackerString(e.addr),
        });
        break;
      }
      case 'connection-opened': {
        if (!e.inbound) this.attemptMap(node).delete(e.addr);
        const peer = c?.getNode(e.nodeId);
        if (peer !== undefined) this.adopt(node, peer);
        this.connections.add(now, connTypeNameOf(e.connType), 'open');
        break;
      }
      case 'connection-closed': {
        const m = this.openMap(node);
        const oc = m.get(e.nodeId);
        m.delete(e.nodeId);
        this.connections.add(now, connTypeNameOf(e.connType), 'close');
        this.disconnects.push({
          tMicros: now,
          nodeId: node,
          connType: connTypeNameOf(e.connType),
          reason: DISCONNECT_REASON_OF[e.reason],
          durationMicros: e.lifetimeMicros,
          attackerPeer: oc !== undefined ? oc.attacker : this.isAttackerString(e.addr),
        });
        const ev = EVICTION_REASON_OF[e.reason];
        if (ev !== null) this.evictions.push(ev);
        if (oc !== undefined) this.logConnection(node, oc, now, DISCONNECT_REASON_OF[e.reason], ev);
        break;
      }
      default:
        break;
    }
  }

  /**
   * A crashed node's connections end without close events: each is recorded as closed now
   * (reason 'node-crashed'). After a graceful stop the close events ('shutdown') already came.
   */
  private onRetired(node: number, how: 'stopped' | 'crashed'): void {
    const m = this.openMap(node);
    const now = this.now();
    // CNode's m_connected is on the node clock (the world's epoch), not kernel time.
    const clockNow = this.world.clock.nowMicros();
    if (how === 'crashed') {
      for (const oc of m.values()) {
        const name = connTypeNameOf(oc.connType);
        this.connections.add(now, name, 'close');
        this.disconnects.push({
          tMicros: now,
          nodeId: node,
          connType: name,
          reason: 'node-crashed',
          durationMicros: clockNow - oc.peer.connectedMicros,
          attackerPeer: oc.attacker,
        });
        this.logConnection(node, oc, now, 'node-crashed', null);
      }
    }
    m.clear();
    this.attemptMap(node).clear();
    this.hooked[node] = undefined;
  }

  /** One row of the connection log (when one is kept): `closeMicros` null for a connection still open. */
  private logConnection(node: number, oc: OpenConn, closeMicros: Micros | null, closeReason: DisconnectReason | null, evictionRule: EvictionReason | null): void {
    const log = this.opts.connectionLog;
    if (log === undefined) return;
    const peer = oc.peer;
    const netgroupHex = groupKey(oc.connman.netgroupman.getGroup(peer.addr));
    log({
      openMicros: oc.openMicros,
      closeMicros,
      node,
      peer: peer.addrName,
      peerNode: this.opts.honestNodeAt?.(peer.addr) ?? null,
      connType: connTypeNameOf(oc.connType),
      network: getNetworkName(peer.connectedThroughNetwork()),
      netgroupHex,
      asn: this.opts.asModel === false ? null : this.opts.asnOf(peer.addr),
      attacker: oc.attacker,
      handshake: peer.successfullyConnected,
      closeReason,
      evictionRule,
    });
  }

  private isAttackerString(addr: string): boolean {
    if (this.opts.anyAttackerAddress?.() === false) return false;
    const r = parseService(addr, 0);
    return r.ok ? this.opts.isAttackerAddress(r.value) : false;
  }

  /**
   * Starts counting a Connman's traffic: its msgTotals now are the baseline, so only traffic from
   * here on counts (a Connman already running when the recorder starts contributes what follows).
   * The instance stays followed after it stops, so messages still handled by it count too.
   */
  private hook(node: number, c: Connman): void {
    this.hooked[node] = c;
    if (this.followedSet.has(c)) return;
    this.followedSet.add(c);
    const t = c.msgTotals();
    this.followed.push({ connman: c, sentBase: copyTotals(t.sent), recvBase: copyTotals(t.recv) });
  }

  /** Traffic per message type: every followed Connman's totals minus its baseline. */
  private trafficRows(): Map<string, TrafficRow> {
    const rows = new Map<string, TrafficRow>();
    const row = (msgType: string): TrafficRow => {
      let r = rows.get(msgType);
      if (r === undefined) rows.set(msgType, (r = { sentBytes: 0, recvBytes: 0, sentMessages: 0, recvMessages: 0 }));
      return r;
    };
    for (const f of this.followed) {
      const t = f.connman.msgTotals();
      for (const [type, v] of t.sent) {
        const base = f.sentBase.get(type);
        const msgs = v.msgs - (base?.msgs ?? 0);
        if (msgs === 0) continue;
        const r = row(type);
        r.sentMessages += msgs;
        r.sentBytes += v.bytes - (base?.bytes ?? 0);
      }
      for (const [type, v] of t.recv) {
        const base = f.recvBase.get(type);
        const msgs = v.msgs - (base?.msgs ?? 0);
        if (msgs === 0) continue;
        const r = row(type);
        r.recvMessages += msgs;
        r.recvBytes += v.bytes - (base?.bytes ?? 0);
      }
    }
    return rows;
  }
}

function copyTotals(m: ReadonlyMap<string, Readonly<MsgTotal>>): Map<string, MsgTotal> {
  const out = new Map<string, MsgTotal>();
  for (const [k, v] of m) out.set(k, { msgs: v.msgs, bytes: v.bytes });
  return out;
}
