// Core's CConnman (net.h / net.cpp): the node list and its lifecycle — outbound connections
// (ThreadOpenConnections, ThreadOpenAddedConnections, addr-fetch, anchors, DNS seeding, fixed
// seeds), inbound accept with eviction at the limit, message accounting, inactivity deadlines,
// disconnection and reaping, statistics, network activity, the upload target, and peers.dat /
// anchors.dat persistence — running over the injected ports. Core's threads are event handlers on
// the Scheduler; pure policy lives in open-connections.ts, eviction.ts, inactivity.ts,
// upload-target.ts and added-nodes.ts, and the handshake / ping subset in peerman.ts.
// It does not hold address relay, block or transaction logic (net_processing/), and it does not build
// its AddrMan, BanMan or PeerManager: the composition root (init.ts) hands them in.

import { AddedNodes, defaultPortFor, type AddedNodeInfo } from './added-nodes.ts';
import { dumpAnchors, readAnchors, sealPeersDat, type PeersDatFormat } from '../addrman/addrdb.ts';
import type { AddrManImage } from '../addrman/serialize.ts';
import type { AddrMan } from '../addrman/addrman.ts';
import { ConnectionType, connectionTypeAsString } from '../protocol/connection-types.ts';
import {
  computeSlots,
  type BindSpec,
  type ConnectionSlots,
  type ConnmanOptions,
} from './options.ts';
import { DnsSeedThread } from './dns-seed.ts';
import { selectNodeToEvict, type NodeEvictionCandidate } from './eviction.ts';
import { CSipHasher, sha256 } from '../util/hash.ts';
import { MAX_PROTOCOL_MESSAGE_LENGTH, MESSAGE_HEADER_SIZE } from '../protocol/messages.ts';
import {
  inactivityCheck,
  inactivityLogLine,
  nextInactivityDeadline,
  nextPingTimeoutDeadline,
  shouldRunInactivityChecks,
  TIMEOUT_INTERVAL,
} from './inactivity.ts';
import type { P2PMessage } from '../protocol/messages.ts';
import { addWhitelistPermissionFlags, hasPermission, NetPermissionFlags } from '../protocol/net-permissions.ts';
import { parseService, NET_MAX, NET_INTERNAL, NET_UNROUTABLE, NetAddr, Service, type Network } from '../protocol/netaddress.ts';
import { getNetworkName, maybeFlipServiceToCJDNS } from '../protocol/netbase.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Node, type GrantKind, type NodeId } from './node.ts';
import { NodeAddressIndex } from './node-address-index.ts';
import {
  anyPreferredNetwork,
  chooseConnectionType,
  countFailures,
  groupKey,
  maybePickPreferredNetwork,
  OutboundCensusTracker,
  selectAddress,
  type Candidate,
  type CensusNode,
  type OutboundCensus,
  type SelectionEnv,
  type TypeChoice,
} from './open-connections.ts';

import { AddrResponseCache } from './addr-cache.ts';
import type { NetEventsInterface } from './net-events.ts';
import type {
  NodeClock,
  CloseReason,
  ConnectRefusal,
  ConnHandle,
  ConnmanEvent,
  DnsSeedResolver,
  EventSink,
  FileStore,
  KeepAlive,
  KeepAliveOwner,
  Micros,
  NodePorts,
  RemoteCloseReason,
  Rng,
  Scheduler,
  TimerHandle,
  Transport,
} from '../ports.ts';
import { Address, NODE_NETWORK, NODE_NONE, NODE_P2P_V2, NODE_WITNESS, type ServiceFlags } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import type { SubNet } from '../protocol/subnet.ts';
import { UploadTarget } from './upload-target.ts';
import { MICROS_PER_SECOND as S } from '../util/time.ts';
import { disconnectMsg, formatFixed6, Logger } from '../util/logging.ts';
import { OP_COUNTS, Op } from '../util/op-counts.ts';

/** Bytes of a ping or pong on the wire: the header plus the u64 nonce (computed keep-alive traffic). */
const PING_MESSAGE_BYTES = MESSAGE_HEADER_SIZE + 8;

/** A record type with its readonly fields made writable. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };


// Core: net.h FEELER_INTERVAL
export const FEELER_INTERVAL: Micros = 2 * 60 * S;
// Core: net.h EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL
export const EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL: Micros = 5 * 60 * S;
// Core: net.cpp EXTRA_NETWORK_PEER_INTERVAL
export const EXTRA_NETWORK_PEER_INTERVAL: Micros = 5 * 60 * S;
// Core: net.cpp FEELER_SLEEP_WINDOW
export const FEELER_SLEEP_WINDOW: Micros = 1 * S;
// Core: net.cpp MAX_BLOCK_RELAY_ONLY_ANCHORS
export const MAX_BLOCK_RELAY_ONLY_ANCHORS = 2;
// Core: net.cpp DUMP_PEERS_INTERVAL
export const DUMP_PEERS_INTERVAL: Micros = 15 * 60 * S;
// Core: net.cpp RANDOMIZER_ID_NETGROUP
export const RANDOMIZER_ID_NETGROUP = 0x6c0edd8036ef4036n;
// Core: net.cpp RANDOMIZER_ID_LOCALHOSTNONCE
export const RANDOMIZER_ID_LOCALHOSTNONCE = 0xd93e69e2bbfa5735n;
// Core: net.cpp RANDOMIZER_ID_NETWORKKEY
export const RANDOMIZER_ID_NETWORKKEY = 0x0e8a2b136c592a7dn;
/** Core: net.cpp ThreadOpenConnections's ADD_NEXT_SEEDNODE. */
export const ADD_NEXT_SEEDNODE: Micros = 10 * S;
/** ThreadOpenConnections' pacing. */
const LOOP_SLEEP: Micros = 500_000;
/** Fixed seeds are added this long after ThreadOpenConnections starts (Core's literal 1 min). */
const FIXED_SEEDS_DELAY: Micros = 60 * S;
/** A week, seconds (fixed seeds' random age). */
const ONE_WEEK_SECONDS = 7 * 24 * 3600;

export const PEERS_DAT = 'peers.dat';
export const ANCHORS_DAT = 'anchors.dat';

/** Core: net.h ConnectionDirection */
export enum ConnectionDirection {
  None = 0,
  In = 1,
  Out = 2,
  Both = 3,
}

/** Ban and discouragement lookups and records (Core's BanMan, m_banman; net/banman.ts). */
export interface BanList {
  isBanned(addr: NetAddr): boolean;
  isDiscouraged(addr: NetAddr): boolean;
  /** Records a misbehaving peer's address (BanMan::Discourage). */
  discourage(addr: NetAddr): void;
}

/**
 * The ports and collaborators a Connman runs over, as Core hands CConnman its seeds, AddrMan and
 * NetGroupManager at construction and its BanMan in the options. The composition root (init.ts)
 * builds them; the PeerManager (Core's m_msgproc) is handed over with setMsgProc before start.
 */
export interface ConnmanDeps extends NodePorts {
  /** Keep-alive pings: CORE_KEEP_ALIVE (keep-alive.ts, every ping a message) unless a world plugs in a shortcut. */
  keepAlive: KeepAlive;
  /** Core's nSeed0 / nSeed1 (CConnman's constructor arguments): the keys of the deterministic randomizers. */
  seed0: bigint;
  seed1: bigint;
  addrman: AddrMan;
  /** peers.dat's format (addrdb.ts): Core master's, or a profile's (profiles/addrman-legacy-serialize.ts). */
  peersDat: PeersDatFormat;
  netgroupman: NetGroupManager;
  banman: BanList;
}

/** Core: net.h CConnman::ListenSocket — a listening service and the permissions it grants. */
export interface ListenSocket {
  readonly service: Service;
  readonly permissions: number;
  readonly onion: boolean;
}

/** Messages and their bytes (24-byte header included) of one message type; see Connman.msgTotals. */
export interface MsgTotal {
  msgs: number;
  bytes: number;
}

/** Running per-message-type totals of a Connman, sent and received; see Connman.msgTotals. */
export interface MsgTotals {
  readonly sent: ReadonlyMap<string, Readonly<MsgTotal>>;
  readonly recv: ReadonlyMap<string, Readonly<MsgTotal>>;
}

/** The getpeerinfo fields that exist in the simulation. Core: net.h CNodeStats */
export interface NodeStats {
  nodeid: NodeId;
  addr: string;
  addrBind: string;
  addrLocal: string;
  connType: string;
  network: Network;
  inbound: boolean;
  services: ServiceFlags;
  relayTxs: boolean;
  version: number;
  subver: string;
  startingHeight: number;
  conntimeSeconds: number;
  lastSendSeconds: number;
  lastRecvSeconds: number;
  lastBlockSeconds: number;
  lastTxSeconds: number;
  pingTimeMicros: number;
  minPingMicros: number;
  pingWaitMicros: number | null;
  bytesSent: number;
  bytesRecv: number;
  bytesSentPerMsg: Map<string, number>;
  bytesRecvPerMsg: Map<string, number>;
  keyedNetGroup: bigint;
  mappedAs: number;
  permissions: number;
  successfullyConnected: boolean;
  addrRelayEnabled: boolean;
  addrProcessed: number;
  addrRateLimited: number;
}

/** An outbound connect in flight (Core's blocking ConnectNode). */
interface PendingConnect {
  readonly targets: Address[];
  index: number;
  readonly dest: string | null;
  readonly connType: ConnectionType;
  readonly countFailure: boolean;
  readonly grant: GrantKind;
  readonly done: (ok: boolean) => void;
}


function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

// Core: net.h CConnman
export class Connman {
  readonly options: ConnmanOptions;
  readonly slots: ConnectionSlots;
  readonly addrman: AddrMan;
  readonly netgroupman: NetGroupManager;
  private readonly peersDat: PeersDatFormat;
  /** m_msgproc: the PeerManager, handed over by setMsgProc before start. */
  private msgproc: NetEventsInterface | null = null;
  /** m_addr_response_caches: the per-network-key GETADDR answers. */
  readonly addrCache: AddrResponseCache;
  readonly uploadTarget: UploadTarget;
  readonly addedNodes: AddedNodes;

  private readonly clock: NodeClock;
  private readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private readonly pingRng: FastRandomContext;
  private readonly keepAlive: KeepAlive;
  /** What this Connman does for its connections' keep-alive links (ports.ts KeepAliveOwner). */
  private readonly keepAliveOwner: KeepAliveOwner = {
    computedSent: (node, type, count, lastAt, periodMicros) => {
      const bytes = PING_MESSAGE_BYTES * count;
      node.sendBytesPerMsgType.set(type, (node.sendBytesPerMsgType.get(type) ?? 0) + bytes);
      countMsgs(this.sentTotals, type, count, bytes);
      node.sendBytes += bytes;
      if (lastAt > node.lastSendMicros) node.lastSendMicros = lastAt;
      // Each at its own send time, in the cycle RecordBytesSent would have charged it to.
      this.uploadTarget.recordLateBytesSent({ first: lastAt - (count - 1) * periodMicros, count, periodMicros, bytes: PING_MESSAGE_BYTES });
    },
    computedReceived: (node, type, count, lastAt) => {
      const bytes = PING_MESSAGE_BYTES * count;
      node.recvBytesPerMsgType.set(type, (node.recvBytesPerMsgType.get(type) ?? 0) + bytes);
      countMsgs(this.recvTotals, type, count, bytes);
      node.recvBytes += bytes;
      if (lastAt > node.lastRecvMicros) node.lastRecvMicros = lastAt;
      this.totalBytesRecv += bytes;
    },
    drawPingNonce: () => this.drawPingNonce(),
    refreshTimer: (node) => {
      if (this.byId.get(node.id) === node && !node.disconnect) this.refreshNodeTimer(node);
    },
  };
  private readonly transport: Transport;
  private readonly events: EventSink;
  private readonly files: FileStore;
  private readonly dns: DnsSeedResolver;
  /** debug.log (Core's LogDebug(BCLog::NET, ...) / LogInfo lines). */
  readonly log: Logger;
  /** m_banman. */
  readonly banman: BanList;

  private readonly seed0: bigint;
  /** The selection loop's environment, made on first use (makeSelectionEnv). */
  private selectionEnv: Mutable<SelectionEnv> | undefined = undefined;
  /** A connection's netgroup key for the outbound census, remembered on the Node. */
  private readonly nodeGroupKey = (n: CensusNode): string => {
    const node = n as Node;
    let k = node.netgroupKey;
    if (k === undefined) {
      k = groupKey(this.netgroupman.getGroup(node.addr));
      node.netgroupKey = k;
    }
    return k;
  };
  private readonly seed1: bigint;
  /** GetDeterministicRandomizer(id) states, by id (a handful of ids). */
  private readonly randomizers = new Map<bigint, CSipHasher>();
  private readonly reachable: Set<Network>;
  private readonly localIps = new Set<string>();

  /** m_nodes, in creation order. */
  private nodes: Node[] = [];
  /** The open-connections census over `nodes`, kept as nodes are added and reaped. */
  private readonly census = new OutboundCensusTracker(this.nodeGroupKey);
  /** The IPs and IP:ports of `nodes`, kept as nodes are added and reaped (the already-connected checks). */
  private readonly nodeAddrs = new NodeAddressIndex();
  private readonly byConn = new Map<ConnHandle, Node>();
  private readonly byId = new Map<NodeId, Node>();
  private nextNodeId = 0;
  private readonly networkConnCounts: number[] = new Array<number>(NET_MAX).fill(0);
  private readonly pending = new Map<ConnHandle, PendingConnect>();
  private readonly listenSockets: ListenSocket[] = [];

  private networkActive: boolean;
  private started = false;
  private interrupted = false;
  private addressesInitialized = false;
  private semOutboundUsed = 0;
  private semAddnodeUsed = 0;
  private anchors: Address[] = [];
  private readonly addrFetches: string[] = [];
  private tryAnotherOutboundPeer = false;
  private startExtraBlockRelay = false;
  private totalBytesRecv = 0;
  /** Per message type, every message pushed / received over this Connman's life (msgTotals). */
  private readonly sentTotals = new Map<string, MsgTotal>();
  private readonly recvTotals = new Map<string, MsgTotal>();
  private reapTimer: TimerHandle = 0;
  private dumpTimer: TimerHandle = 0;
  /** The image behind the last peers.dat dump (dumpAddresses), reused by the next. */
  private dumpImage: AddrManImage | undefined;
  private readonly nodeTimerKind: number;
  private dnsThread: DnsSeedThread | null = null;

  // ThreadOpenConnections state.
  private oc = {
    running: false,
    startMicros: 0,
    nextFeeler: 0,
    nextExtraBlockRelay: 0,
    nextExtraNetworkPeer: 0,
    addFixedSeeds: false,
    seedNodeTimer: 0,
    seedNodes: [] as string[],
    addAddrFetch: false,
    useSeedNodes: false,
    /** Waiting at the blocking semOutbound acquire. */
    waitingForGrant: false,
    /** The pending wake-up of the loop (0 = none) and its time. */
    timer: 0 as TimerHandle,
    timerAt: 0,
    /** Time of the last loop top, the base of the 500 ms grid while idle. */
    gridBase: 0,
    /** The last grant phase chose no connection type (rule 8). */
    idle: false,
    /** Something changed since the last grant phase. */
    dirty: true,
    /** Dormant: idle with no timer due; only a change wakes it. */
    dormant: false,
    /** Busy in a connect or a feeler sleep. */
    busy: false,
    /** -connect mode: loop counter and position. */
    connectLoop: 0,
    connectIndex: 0,
  };
  // ThreadOpenAddedConnections state.
  private ac = { timer: 0 as TimerHandle, waitingForGrant: false, busy: false };

  /** `options` are resolved and checked by the composition root (init.ts resolveNodeOptions). */
  constructor(deps: ConnmanDeps, options: ConnmanOptions) {
    this.options = options;
    const o = this.options;
    this.slots = computeSlots(o.maxConnections, o.inboundRelayPercent, o.maxOutboundFullRelay, o.maxBlockRelayOnly);
    this.clock = deps.clock;
    this.scheduler = deps.scheduler;
    this.rng = deps.rng;
    this.transport = deps.transport;
    this.events = deps.events;
    this.files = deps.files;
    this.dns = deps.dns;
    this.log = new Logger(deps.log);
    this.keepAlive = deps.keepAlive;
    this.banman = deps.banman;
    this.seed0 = deps.seed0;
    this.seed1 = deps.seed1;
    // Ping nonces get their own stream (Core draws them from the global RNG, not from a Connman
    // context), keyed from the node's seeds so that creating it draws nothing.
    const pingSeed = new Uint8Array(20);
    pingSeed.set(u64le(this.seed0), 0);
    pingSeed.set(u64le(this.seed1), 8);
    pingSeed.set([0x70, 0x69, 0x6e, 0x67], 16); // "ping"
    this.pingRng = new FastRandomContext(sha256(pingSeed));
    this.reachable = new Set(o.reachableNets);
    for (const a of o.localAddresses) this.localIps.add(a.addrKey);
    this.networkActive = o.networkActive;
    this.netgroupman = deps.netgroupman;
    this.addrman = deps.addrman;
    this.peersDat = deps.peersDat;
    this.uploadTarget = new UploadTarget(o.maxUploadTarget);
    this.addedNodes = new AddedNodes(o.defaultPort, this.reachable);
    this.addedNodes.initFrom(o.addedNodes, (o.localServices & NODE_P2P_V2) !== 0);
    this.addrCache = new AddrResponseCache((max, pct, net) => this.getAddressesUnsafe(max, pct, net), this.rng);
    this.nodeTimerKind = this.scheduler.register((id) => {
      const node = this.byId.get(id);
      if (node === undefined) return;
      node.timer = 0;
      this.runNodeDeadlines(node);
    }, 'connman.node-deadline');
    this.transport.setHandlers({
      onAccept: (conn, local, remote) => this.acceptConnection(conn, local, remote),
      onConnected: (conn, local) => this.onConnected(conn, local),
      onConnectFailed: (conn, reason) => this.onConnectFailed(conn, reason),
      onMessage: (conn, msg) => this.onMessage(conn, msg),
      onRemoteClose: (conn, reason) => this.onRemoteClose(conn, reason),
    });
  }

  /** Hands over the message processor (Core: CConnman::Init's m_msgproc = connOptions.m_msgproc); once, before start. */
  setMsgProc(msgproc: NetEventsInterface): void {
    if (this.msgproc !== null) throw new Error('Connman: the message processor is already set');
    this.msgproc = msgproc;
  }

  /** m_msgproc: the PeerManager this Connman hands messages to. */
  private get peerman(): NetEventsInterface {
    if (this.msgproc === null) throw new Error('Connman: no message processor (build nodes with init.ts buildNode)');
    return this.msgproc;
  }

  private now(): Micros {
    return this.clock.nowMicros();
  }

  /** The node clock (Core's NodeClock::now()), µs. */
  nowMicros(): Micros {
    return this.clock.nowMicros();
  }

  /** Addresses were added to AddrMan from outside the PeerManager (an RPC): the open-connections loop may have work. */
  addressesAdded(): void {
    this.wakeOpenConnections();
  }

  private emit(ev: ConnmanEvent): void {
    this.events.emit(ev);
  }

  /** The CConnman methods the PeerManager calls (Core: PeerManagerImpl's m_connman; net_processing/peerman.ts PeerManagerHost). */
  peerManagerHost() {
    return {
      log: this.log,
      nowMicros: () => this.now(),
      clockJumpedFromMicros: () => this.clock.jumpedFromMicros(),
      pushMessage: (node: Node, msg: P2PMessage) => this.pushMessage(node, msg),
      disconnect: (node: Node, reason: CloseReason) => this.markDisconnect(node, reason),
      checkIncomingNonce: (nonce: bigint) => this.checkIncomingNonce(nonce),
      evictTxPeerIfFull: (protect: NodeId | null) => this.evictTxPeerIfFull(protect),
      getAddresses: (node: Node, max: number, pct: number) => this.getAddresses(node, max, pct),
      getAddressesUnsafe: (max: number, pct: number, net: Network | null) => this.getAddressesUnsafe(max, pct, net),
      getDeterministicRandomizer: (id: bigint) => this.getDeterministicRandomizer(id),
      isDiscouragedOrBanned: (a: NetAddr) => this.banman.isDiscouraged(a) || this.banman.isBanned(a),
      discourage: (a: NetAddr) => this.banman.discourage(a),
      getMappedAS: (a: NetAddr) => this.netgroupman.getMappedAS(a),
      outboundTargetReached: (historical: boolean) => this.outboundTargetReached(historical),
      refreshNodeTimer: (node: Node) => this.refreshNodeTimer(node),
      drawPingNonce: () => this.drawPingNonce(),
      startComputedPings: (node: Node, now: Micros, periodMicros: Micros) => this.startComputedPings(node, now, periodMicros),
      isReachable: (net: Network) => this.reachable.has(net),
      shouldRunInactivityChecks: (node: Node, now: Micros) => this.shouldRunInactivityChecks(node, now),
      addressesAdded: () => this.wakeOpenConnections(),
      emit: (ev: ConnmanEvent) => this.emit(ev),
    };
  }

  /** The CConnman methods the block part of the PeerManager calls (net_processing/blocks.ts BlockRelayHost). */
  blockRelayHost() {
    return {
      log: this.log,
      nowMicros: () => this.now(),
      scheduler: this.scheduler,
      pushMessage: (node: Node, msg: P2PMessage) => this.pushMessage(node, msg),
      disconnect: (node: Node, reason: CloseReason) => this.markDisconnect(node, reason),
      emit: (ev: ConnmanEvent) => this.emit(ev),
      forEachNode: (fn: (node: Node) => void) => this.forEachNode(fn),
      getNode: (id: NodeId) => this.getNode(id),
      getExtraBlockRelayCount: () => this.getExtraBlockRelayCount(),
      getExtraFullOutboundCount: () => this.getExtraFullOutboundCount(),
      multipleManualOrFullOutboundConns: (net: Network) => this.multipleManualOrFullOutboundConns(net),
      setTryNewOutboundPeer: (flag: boolean) => this.setTryNewOutboundPeer(flag),
      getTryNewOutboundPeer: () => this.getTryNewOutboundPeer(),
      startExtraBlockRelayPeers: () => this.startExtraBlockRelayPeers(),
      getNetworkActive: () => this.getNetworkActive(),
      getUseAddrmanOutgoing: () => this.getUseAddrmanOutgoing(),
      outboundTargetReached: (historical: boolean) => this.outboundTargetReached(historical),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Binds, loads anchors, starts the threads (as event handlers) and the peers.dat dump timer.
   */
  // Core: net.cpp CConnman::Start
  start(): boolean {
    if (this.started) return true;
    const o = this.options;
    this.started = true;
    this.interrupted = false;
    if (o.listen) this.initBinds(o.binds);
    this.addressesInitialized = true;

    const useAddrmanOutgoing = this.getUseAddrmanOutgoing();
    if (useAddrmanOutgoing && o.anchors) {
      // Anchors: read once, deleted whatever happened, at most two kept.
      const bytes = this.files.read(ANCHORS_DAT);
      let anchors: Address[] = [];
      if (bytes !== undefined) anchors = readAnchors(o.chain, bytes);
      this.files.delete(ANCHORS_DAT);
      if (anchors.length > MAX_BLOCK_RELAY_ONLY_ANCHORS) anchors = anchors.slice(0, MAX_BLOCK_RELAY_ONLY_ANCHORS);
      this.anchors = anchors;
      this.emit({ kind: 'anchors-read', count: anchors.length });
      this.log.logInfo(`${anchors.length} block-relay-only anchors will be tried for connections.`);
    }

    // Seednodes are shuffled once here (Core: a fresh FastRandomContext in Start).
    const seedNodes = o.seedNodes.slice();
    if (seedNodes.length > 0) this.rng.shuffle(seedNodes);

    if (!o.dnsSeed) this.log.logInfo('DNS seeding disabled');
    if (o.dnsSeed) this.threadDNSAddressSeed();

    // ThreadOpenAddedConnections always runs.
    this.scheduleAdded(this.now());

    if (o.connect !== null && o.connect.length > 0) {
      this.startConnectMode();
    } else if (useAddrmanOutgoing) {
      if (o.seednodeBehaviour === 'all-at-start') {
        for (const s of seedNodes) this.addAddrFetch(s);
        this.startOpenConnections([]);
      } else {
        this.startOpenConnections(seedNodes);
      }
    }

    this.dumpTimer = this.scheduler.schedule(this.now() + o.dumpPeersIntervalMicros, () => this.onDumpTimer());
    return true;
  }

  /** Stops the threads (cancels their timers); in-flight connects are abandoned. */
  // Core: net.cpp CConnman::Interrupt
  interrupt(): void {
    this.interrupted = true;
    this.oc.running = false;
    this.cancelTimer(this.oc.timer);
    this.oc.timer = 0;
    this.cancelTimer(this.ac.timer);
    this.ac.timer = 0;
    this.dnsThread?.stop();
    this.cancelTimer(this.dumpTimer);
    this.dumpTimer = 0;
    for (const h of [...this.pending.keys()]) this.transport.close(h);
    this.pending.clear();
  }

  /** Interrupt, then Core's StopNodes: peers.dat and anchors.dat written, every socket closed. */
  // Core: net.cpp CConnman::Stop / StopThreads / StopNodes
  stop(): void {
    if (!this.started) return;
    this.interrupt();
    if (this.addressesInitialized) {
      this.dumpAddresses();
      this.addressesInitialized = false;
      if (this.getUseAddrmanOutgoing() && this.options.anchors) {
        let anchors = this.getCurrentBlockRelayOnlyConns();
        if (anchors.length > MAX_BLOCK_RELAY_ONLY_ANCHORS) anchors = anchors.slice(0, MAX_BLOCK_RELAY_ONLY_ANCHORS);
        // Core: addrdb.cpp DumpAnchors (LOG_TIME_SECONDS: a "started" and a "completed" line)
        const title = `DumpAnchors: Flush ${anchors.length} outbound block-relay-only peer addresses to anchors.dat`;
        this.log.logInfo(`${title} started`);
        this.files.write(ANCHORS_DAT, dumpAnchors(this.options.chain, anchors));
        this.log.logInfo(`${title} completed (0.00s)`);
        this.emit({ kind: 'anchors-dumped', count: anchors.length });
      }
    }
    for (const n of this.nodes) {
      if (this.log.net) this.log.debug(`Stopping node, ${disconnectMsg(n.id)}`);
      n.markDisconnect('shutdown');
    }
    this.reapNodes('shutdown');
    this.cancelTimer(this.reapTimer);
    this.reapTimer = 0;
    for (const l of this.listenSockets) this.transport.unlisten(l.service);
    this.listenSockets.length = 0;
    this.started = false;
  }

  private cancelTimer(h: TimerHandle): void {
    if (h !== 0) this.scheduler.cancel(h);
  }

  /** Writes peers.dat into the node's files. */
  // Core: net.cpp CConnman::DumpAddresses
  dumpAddresses(): void {
    const fmt = this.peersDat;
    if (fmt.dumpDeferred !== undefined) {
      // An image of the table now; serialized and checksummed when the file is first read (a
      // restart after a crash). The image is reused by the next dump, which replaces this file.
      const d = fmt.dumpDeferred(this.options.chain, this.addrman, this.dumpImage);
      this.dumpImage = d.image;
      this.files.writeDeferred(PEERS_DAT, d.size, d.materialize);
      this.emit({ kind: 'peers-dumped', entries: this.addrman.size(), bytes: d.size });
      return;
    }
    // Serialized now; the checksum is computed when the file is first read.
    const unsealed = fmt.dumpUnsealed(this.options.chain, this.addrman);
    this.files.writeDeferred(PEERS_DAT, unsealed.length, () => sealPeersDat(unsealed));
    this.emit({ kind: 'peers-dumped', entries: this.addrman.size(), bytes: unsealed.length });
  }

  private onDumpTimer(): void {
    this.dumpTimer = 0;
    if (this.interrupted) return;
    this.dumpAddresses();
    this.dumpTimer = this.scheduler.schedule(this.now() + this.options.dumpPeersIntervalMicros, () => this.onDumpTimer());
  }

  // Core: net.cpp CConnman::Bind
  bind(service: Service, permissions: number, onion: boolean): boolean {
    if (!this.transport.listen(service)) return false;
    this.listenSockets.push({ service, permissions, onion });
    return true;
  }

  // Core: net.cpp CConnman::InitBinds
  initBinds(binds: readonly BindSpec[]): boolean {
    let ok = true;
    for (const b of binds) ok = this.bind(b.service, b.permissions ?? 0, b.onion ?? false) && ok;
    return ok;
  }

  getListenSockets(): readonly ListenSocket[] {
    return this.listenSockets;
  }

  // ------------------------------------------------------------------------------------------
  // Small queries

  // Core: net.h CConnman::GetUseAddrmanOutgoing
  getUseAddrmanOutgoing(): boolean {
    return this.options.connect === null;
  }
  // Core: net.cpp CConnman::GetLocalServices
  getLocalServices(): ServiceFlags {
    return this.options.localServices;
  }
  // Core: net.h CConnman::GetReceiveFloodSize
  getReceiveFloodSize(): number {
    return this.options.receiveFloodSize;
  }
  // Core: net.h CConnman::GetNetworkActive
  getNetworkActive(): boolean {
    return this.networkActive;
  }
  // Core: net.cpp CConnman::SetNetworkActive
  setNetworkActive(active: boolean): void {
    this.log.logInfo(`SetNetworkActive: ${active ? 'true' : 'false'}`);
    if (this.networkActive === active) return;
    this.networkActive = active;
    if (!active) this.scheduleReap();
    this.wakeOpenConnections();
  }
  // Core: net.cpp CConnman::SetTryNewOutboundPeer
  setTryNewOutboundPeer(flag: boolean): void {
    this.tryAnotherOutboundPeer = flag;
    if (this.log.net) this.log.debug(`setting try another outbound peer=${flag ? 'true' : 'false'}`);
    if (flag) this.wakeOpenConnections();
  }
  // Core: net.cpp CConnman::GetTryNewOutboundPeer
  getTryNewOutboundPeer(): boolean {
    return this.tryAnotherOutboundPeer;
  }
  // Core: net.h CConnman::StartExtraBlockRelayPeers
  startExtraBlockRelayPeers(): void {
    if (this.log.net) this.log.debug('enabling extra block-relay-only peers');
    this.startExtraBlockRelay = true;
    this.wakeOpenConnections();
  }
  // Core: net.cpp CConnman::GetTotalBytesRecv
  getTotalBytesRecv(): number {
    this.settleKeepAlive();
    return this.totalBytesRecv;
  }
  /**
   * Messages and bytes per message type, sent (every message queued by pushMessage, where Core
   * counts bytes sent) and received (every message read off a live connection, where Core counts
   * bytes received), summed over every connection this Connman ever had: unlike getpeerinfo's
   * per-connection bytessent_per_msg / bytesrecv_per_msg they survive the connection's close, and
   * they count messages as well as bytes. Core keeps no such totals (it has only the byte totals
   * of getnettotals); they are for the simulator's metrics. The maps are live and read-only; they
   * iterate in the order each message type was first seen. A restart starts a new Connman at zero.
   */
  msgTotals(): MsgTotals {
    this.settleKeepAlive();
    return { sent: this.sentTotals, recv: this.recvTotals };
  }
  // Core: net.cpp CConnman::GetTotalBytesSent
  getTotalBytesSent(): number {
    this.settleKeepAlive();
    return this.uploadTarget.totalBytesSent;
  }
  // Core: net.cpp CConnman::SetMaxOutboundTarget
  setMaxOutboundTarget(limit: number): void {
    // While a target is set every send goes through RecordBytesSent in time order: analytic pings
    // stop, and what they sent so far is placed in its cycles first.
    if (limit !== 0) {
      this.releaseKeepAlive();
      this.uploadTarget.placeLateSends();
    }
    this.uploadTarget.maxOutboundLimit = limit;
  }
  // Core: net.cpp CConnman::GetMaxOutboundTarget
  getMaxOutboundTarget(): number {
    return this.uploadTarget.maxOutboundLimit;
  }
  // Core: net.cpp CConnman::GetMaxOutboundTimeframe
  getMaxOutboundTimeframe(): Micros {
    return this.uploadTarget.getMaxOutboundTimeframe();
  }
  // Core: net.cpp CConnman::GetMaxOutboundTimeLeftInCycle
  getMaxOutboundTimeLeftInCycle(): Micros {
    return this.uploadTarget.getMaxOutboundTimeLeftInCycle(this.now());
  }
  // Core: net.cpp CConnman::OutboundTargetReached
  outboundTargetReached(historicalBlockServingLimit: boolean): boolean {
    return this.uploadTarget.outboundTargetReached(historicalBlockServingLimit, this.now());
  }
  // Core: net.cpp CConnman::GetOutboundTargetBytesLeft
  getOutboundTargetBytesLeft(): number {
    return this.uploadTarget.getOutboundTargetBytesLeft();
  }
  /** Reachable networks of this node (Core's process-global g_reachable_nets). */
  getReachableNetworks(): ReadonlySet<Network> {
    return this.reachable;
  }
  /** The semaphore slots in use (tests and invariant checks). */
  getGrantsInUse(): { outbound: number; addnode: number } {
    return { outbound: this.semOutboundUsed, addnode: this.semAddnodeUsed };
  }
  /** Anchors not yet consumed. */
  getAnchors(): readonly Address[] {
    return this.anchors;
  }
  /** Queued addr-fetch destinations. */
  getAddrFetches(): readonly string[] {
    return this.addrFetches;
  }

  // Core: net.cpp CConnman::GetNodeCount
  getNodeCount(flags: ConnectionDirection = ConnectionDirection.Both): number {
    if (flags === ConnectionDirection.Both) return this.nodes.length;
    let n = 0;
    for (const node of this.nodes) {
      if (flags & (node.isInbound() ? ConnectionDirection.In : ConnectionDirection.Out)) n++;
    }
    return n;
  }

  // Core: net.cpp CConnman::GetFullOutboundConnCount
  getFullOutboundConnCount(): number {
    let n = 0;
    for (const node of this.nodes) if (node.successfullyConnected && node.isFullOutbound()) n++;
    return n;
  }

  // Core: net.cpp CConnman::GetExtraFullOutboundCount
  getExtraFullOutboundCount(): number {
    let n = 0;
    for (const node of this.nodes) {
      if (node.successfullyConnected && !node.disconnect && node.isFullOutbound()) n++;
    }
    return Math.max(n - this.slots.maxOutboundFullRelay, 0);
  }

  // Core: net.cpp CConnman::GetExtraBlockRelayCount
  getExtraBlockRelayCount(): number {
    let n = 0;
    for (const node of this.nodes) {
      if (node.successfullyConnected && !node.disconnect && node.isBlockOnly()) n++;
    }
    return Math.max(n - this.slots.maxOutboundBlockRelay, 0);
  }

  // Core: net.cpp CConnman::GetCurrentBlockRelayOnlyConns
  getCurrentBlockRelayOnlyConns(): Address[] {
    const out: Address[] = [];
    for (const n of this.nodes) if (n.isBlockOnly()) out.push(n.addr);
    return out;
  }

  // Core: net.cpp CConnman::MultipleManualOrFullOutboundConns
  multipleManualOrFullOutboundConns(net: Network): boolean {
    return this.networkConnCounts[net]! > 1;
  }

  /** The number of MANUAL + full-relay connections on a network (m_network_conn_counts). */
  getNetworkConnCount(net: Network): number {
    return this.networkConnCounts[net]!;
  }

  // Core: net.cpp CConnman::GetMappedAS
  getMappedAS(addr: NetAddr): number {
    return this.netgroupman.getMappedAS(addr);
  }

  // Core: net.cpp CConnman::GetDeterministicRandomizer
  getDeterministicRandomizer(id: bigint): CSipHasher {
    // The keyed state after the id is the same every time: keep one per id and hand out copies.
    let proto = this.randomizers.get(id);
    if (proto === undefined) {
      proto = new CSipHasher(this.seed0, this.seed1).writeU64(id);
      this.randomizers.set(id, proto);
    }
    return proto.clone();
  }

  // Core: net.cpp CConnman::CalculateKeyedNetGroup
  calculateKeyedNetGroup(addr: NetAddr): bigint {
    return this.getDeterministicRandomizer(RANDOMIZER_ID_NETGROUP).writeBytes(this.netgroupman.getGroup(addr)).finalize();
  }

  /** Our own address: the IP (any port) is one of our local addresses. */
  // Core: net.cpp IsLocal(const CService&)
  isLocal(addr: NetAddr): boolean {
    return this.localIps.has(addr.addrKey);
  }

  // Core: net.cpp CConnman::CheckIncomingNonce
  checkIncomingNonce(nonce: bigint): boolean {
    for (const n of this.nodes) {
      if (!n.successfullyConnected && !n.isInbound() && n.localNonce === nonce) return false;
    }
    return true;
  }

  // Core: net.cpp CConnman::AlreadyConnectedToHost
  alreadyConnectedToHost(host: string): boolean {
    return this.nodes.some((n) => n.addrName === host);
  }
  // Core: net.cpp CConnman::AlreadyConnectedToAddressPort
  alreadyConnectedToAddressPort(addr: Service): boolean {
    return this.nodeAddrs.hasService(addr);
  }
  // Core: net.cpp CConnman::AlreadyConnectedToAddress
  alreadyConnectedToAddress(addr: NetAddr): boolean {
    return this.nodeAddrs.hasAddr(addr);
  }

  // Core: net.cpp CConnman::ShouldRunInactivityChecks
  shouldRunInactivityChecks(node: Node, nowMicros: Micros): boolean {
    return shouldRunInactivityChecks(node, nowMicros, this.options.peerConnectTimeoutSeconds);
  }

  /** Calls `fn` for each fully connected node. */
  // Core: net.h CConnman::ForEachNode
  forEachNode(fn: (node: Node) => void): void {
    for (const n of this.nodes) if (n.successfullyConnected && !n.disconnect) fn(n);
  }

  /** Calls `fn` on the node if it exists and is fully connected; returns its answer, or false. */
  // Core: net.cpp CConnman::ForNode
  forNode(id: NodeId, fn: (node: Node) => boolean): boolean {
    const n = this.byId.get(id);
    return n !== undefined && n.successfullyConnected && !n.disconnect && fn(n);
  }

  /** Every node in m_nodes, in creation order (Core's NodesSnapshot, read-only). */
  getNodes(): readonly Node[] {
    return this.nodes;
  }

  getNode(id: NodeId): Node | undefined {
    return this.byId.get(id);
  }

  // Core: net.cpp CConnman::GetNodeStats / CNode::CopyStats (+ CNodeStateStats fields we keep)
  getNodeStats(): NodeStats[] {
    this.settleKeepAlive();
    const now = this.now();
    return this.nodes.map((n) => {
      const addrStats = this.peerman.addrStats(n.id);
      return {
        nodeid: n.id,
        addr: n.addrName,
        addrBind: n.addrBind.toStringAddrPort(),
        addrLocal: n.addrLocal !== null && n.addrLocal.isValid() ? n.addrLocal.toStringAddrPort() : '',
        connType: connectionTypeAsString(n.connType),
        network: n.connectedThroughNetwork(),
        inbound: n.isInbound(),
        services: n.theirServices,
        relayTxs: n.relaysTxs,
        version: n.version,
        subver: n.cleanSubVer,
        startingHeight: n.startingHeight,
        conntimeSeconds: Math.floor(n.connectedMicros / S),
        lastSendSeconds: Math.floor(n.lastSendMicros / S),
        lastRecvSeconds: Math.floor(n.lastRecvMicros / S),
        lastBlockSeconds: n.lastBlockTimeSeconds,
        lastTxSeconds: n.lastTxTimeSeconds,
        pingTimeMicros: n.lastPingTimeMicros,
        minPingMicros: n.minPingTimeMicros,
        pingWaitMicros: n.pingNonceSent !== 0n ? now - n.pingStartMicros : null,
        bytesSent: n.sendBytes,
        bytesRecv: n.recvBytes,
        // Core keeps these in std::map, so getpeerinfo lists them by message type.
        bytesSentPerMsg: sortedByKey(n.sendBytesPerMsgType),
        bytesRecvPerMsg: sortedByKey(n.recvBytesPerMsgType),
        keyedNetGroup: n.keyedNetGroup,
        mappedAs: this.netgroupman.getMappedAS(n.addr),
        permissions: n.permissions,
        successfullyConnected: n.successfullyConnected,
        addrRelayEnabled: n.addrRelayEnabled,
        addrProcessed: addrStats.processed,
        addrRateLimited: addrStats.rateLimited,
      };
    });
  }

  /** The cached GETADDR answer for the requestor's network key (see addr-cache.ts). */
  // Core: net.cpp CConnman::GetAddresses(CNode&, size_t, size_t)
  getAddresses(requestor: Node, maxAddresses: number, maxPct: number): Address[] {
    return this.addrCache.getAddresses(requestor, maxAddresses, maxPct, this.now());
  }

  /** Our addresses for a GETADDR answer, minus banned / discouraged ones. */
  // Core: net.cpp CConnman::GetAddressesUnsafe
  getAddressesUnsafe(maxAddresses: number, maxPct: number, network: Network | null): Address[] {
    const addrs = this.addrman.getAddr(maxAddresses, maxPct, network);
    if (this.banman === null) return addrs;
    return addrs.filter((a) => !this.banman!.isDiscouraged(a) && !this.banman!.isBanned(a));
  }

  // ------------------------------------------------------------------------------------------
  // Disconnection

  // Core: net.cpp CConnman::DisconnectNode(NodeId)
  disconnectNode(id: NodeId): boolean;
  // Core: net.cpp CConnman::DisconnectNode(const std::string&)
  disconnectNode(name: string): boolean;
  disconnectNode(idOrName: NodeId | string): boolean {
    if (typeof idOrName === 'number') {
      const n = this.byId.get(idOrName);
      if (n === undefined) return false;
      if (this.log.net) this.log.debug(`disconnect by id, ${disconnectMsg(n.id)}`);
      this.markDisconnect(n, 'disconnect-requested');
      return true;
    }
    const n = this.nodes.find((x) => x.addrName === idOrName);
    if (n === undefined) return false;
    if (this.log.net) this.log.debug(`disconnect by address match, ${disconnectMsg(n.id)}`);
    this.markDisconnect(n, 'disconnect-requested');
    return true;
  }

  /** Every node whose address the subnet matches (any port). */
  // Core: net.cpp CConnman::DisconnectNode(const CSubNet&)
  disconnectNodeBySubnet(subnet: SubNet): boolean {
    let any = false;
    for (const n of this.nodes) {
      if (subnet.match(n.addr)) {
        if (this.log.net) this.log.debug(`disconnect by subnet match, ${disconnectMsg(n.id)}`);
        this.markDisconnect(n, 'disconnect-requested');
        any = true;
      }
    }
    return any;
  }

  /** A single-address subnet (Core: DisconnectNode(CNetAddr) → DisconnectNode(CSubNet(addr))). */
  // Core: net.cpp CConnman::DisconnectNode(const CNetAddr&)
  disconnectNodeByAddress(addr: NetAddr, makeSingle: (a: NetAddr) => SubNet): boolean {
    return this.disconnectNodeBySubnet(makeSingle(addr));
  }

  /** Sets fDisconnect (first reason kept) and makes sure a reap pass follows. */
  private markDisconnect(node: Node, reason: CloseReason): void {
    node.markDisconnect(reason);
    this.scheduleReap();
  }

  private scheduleReap(): void {
    if (this.reapTimer !== 0) return;
    this.reapTimer = this.scheduler.schedule(this.now(), () => {
      this.reapTimer = 0;
      this.disconnectNodes();
    });
  }

  /** Removes marked nodes: grants released, sockets closed, PeerManager finalised. */
  // Core: net.cpp CConnman::DisconnectNodes (and DeleteNode)
  disconnectNodes(): void {
    if (!this.networkActive) {
      for (const n of this.nodes) {
        if (!n.disconnect && this.log.net) this.log.debug(`Network not active, ${disconnectMsg(n.id)}`);
        n.markDisconnect('network-inactive');
      }
    }
    this.reapNodes(null);
  }

  private reapNodes(forceReason: CloseReason | null): void {
    if (!this.nodes.some((n) => n.disconnect)) return;
    const keep: Node[] = [];
    const gone: Node[] = [];
    for (const n of this.nodes) (n.disconnect ? gone : keep).push(n);
    this.nodes = keep;
    for (const n of gone) {
      this.census.remove(n);
      this.nodeAddrs.remove(n.addr);
    }
    const now = this.now();
    for (const n of gone) this.deleteNode(n, forceReason, now);
    this.wakeOpenConnections();
  }

  /**
   * A node already taken out of the node list: its grant released, its socket closed, the
   * PeerManager's state for it finalised (Core's DeleteNode: FinalizeNode, then delete). Core parks
   * the node until its reference count drops; without threads it goes at once.
   */
  // Core: net.cpp CConnman::DeleteNode
  private deleteNode(n: Node, forceReason: CloseReason | null, now: Micros): void {
    if (n.keepAlive !== null) {
      n.keepAlive.detach(now);
      n.keepAlive = null;
    }
    this.byConn.delete(n.conn);
    this.byId.delete(n.id);
    this.releaseGrant(n.grant);
    n.grant = 'none';
    this.transport.close(n.conn);
    if (n.isManualOrFullOutbound()) this.networkConnCounts[n.addr.getNetwork()]!--;
    if (n.timer !== 0) this.scheduler.cancel(n.timer);
    n.timer = 0;
    this.peerman.finalizeNode(n);
    this.emit({
      kind: 'connection-closed',
      nodeId: n.id,
      addr: n.addrName,
      connType: n.connType,
      reason: (forceReason ?? n.disconnectReason ?? 'disconnect-requested') as CloseReason,
      lifetimeMicros: now - n.connectedMicros,
    });
  }

  private releaseGrant(g: GrantKind): void {
    if (g === 'outbound') {
      this.semOutboundUsed--;
      if (this.oc.waitingForGrant) {
        this.oc.waitingForGrant = false;
        this.schedulePhase(() => this.ocGrantPhase(), this.now());
      }
    } else if (g === 'addnode') {
      this.semAddnodeUsed--;
      if (this.ac.waitingForGrant) {
        this.ac.waitingForGrant = false;
        this.scheduleAdded(this.now());
      }
    }
  }

  private tryAcquire(kind: 'outbound' | 'addnode'): boolean {
    if (kind === 'outbound') {
      if (this.semOutboundUsed >= this.slots.semOutbound) return false;
      this.semOutboundUsed++;
      return true;
    }
    if (this.semAddnodeUsed >= this.slots.semAddnode) return false;
    this.semAddnodeUsed++;
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Inbound

  /**
   * The listening socket that accepted a connection whose local address is `local`: the socket
   * bound to exactly that service, else one bound to the any-address of its family on that port
   * (0.0.0.0 or ::; an IPv6 socket is IPV6_V6ONLY in Core, so it takes no IPv4 connection).
   */
  // Core: net.cpp CConnman::AcceptConnection (the ListenSocket whose socket accepted)
  private listenSocketFor(local: Service): ListenSocket | null {
    const exact = this.listenSockets.find((l) => l.service.equals(local));
    if (exact !== undefined) return exact;
    return this.listenSockets.find((l) => l.service.isBindAny() && l.service.port === local.port && l.service.isIPv4() === local.isIPv4() && l.service.isIPv6() === local.isIPv6()) ?? null;
  }

  /**
   * A peer connected to one of our listening sockets: permissions, limits, eviction at the limit,
   * then a new INBOUND node.
   */
  // Core: net.cpp CConnman::AcceptConnection / CreateNodeFromAcceptedSocket
  acceptConnection(conn: ConnHandle, local: Service, remoteIn: Service): void {
    const remote = maybeFlipServiceToCJDNS(remoteIn, this.reachable);
    const addrBind = maybeFlipServiceToCJDNS(local, this.reachable);
    const listen = this.listenSocketFor(local);
    const drop = (reason: 'network-inactive' | 'banned' | 'discouraged' | 'full' | 'not-listening'): void => {
      this.transport.close(conn);
      if (this.log.net) {
        const a = remote.toStringAddrPort();
        if (reason === 'network-inactive') this.log.debug(`connection from ${a} dropped: not accepting new connections`);
        else if (reason === 'banned' || reason === 'discouraged') this.log.debug(`connection from ${a} dropped (${reason})`);
        else if (reason === 'full') this.log.debug('failed to find an eviction candidate - connection dropped (full)');
      }
      this.emit({ kind: 'inbound-dropped', addr: remote.toStringAddrPort(), reason });
    };
    if (listen === null && this.started === false) return drop('not-listening');
    const inboundOnion = listen?.onion ?? false;
    let permissions = listen?.permissions ?? 0;
    permissions = addWhitelistPermissionFlags(
      permissions,
      inboundOnion ? null : remote,
      this.options.whitelistedRangeIncoming,
      this.options,
    );
    let nInbound = 0;
    for (const n of this.nodes) if (n.isInbound()) nInbound++;
    if (!this.networkActive) return drop('network-inactive');
    const noban = hasPermission(permissions, NetPermissionFlags.NoBan);
    if (!noban && this.banman !== null && this.banman.isBanned(remote)) return drop('banned');
    const discouraged = this.banman !== null && this.banman.isDiscouraged(remote);
    if (!noban && nInbound + 1 >= this.slots.maxInbound && discouraged) return drop('discouraged');
    if (nInbound >= this.slots.maxInbound) {
      // Before inbound eviction (Core PR #6374, v0.12) a full node simply refused newcomers.
      if (!this.options.inboundEviction || !this.attemptToEvictConnection(false, null)) return drop('full');
    }
    this.createNodeFromAcceptedSocket(conn, permissions, addrBind, remote, inboundOnion, discouraged);
    if (this.log.net) this.log.debug(`connection from ${remote.toStringAddrPort()} accepted`);
  }

  // Core: net.cpp CConnman::CreateNodeFromAcceptedSocket (the node creation)
  private createNodeFromAcceptedSocket(
    conn: ConnHandle,
    permissions: number,
    addrBind: Service,
    addr: Service,
    inboundOnion: boolean,
    preferEvict: boolean,
  ): Node {
    const id = this.nextNodeId++;
    const networkKey = this.getDeterministicRandomizer(RANDOMIZER_ID_NETWORKKEY)
      .writeU64(inboundOnion ? 3 /* NET_ONION */ : addr.getNetClass())
      .writeBytes(addrBind.getAddrBytes())
      .writeU64(addrBind.port)
      .finalize();
    const node = new Node({
      id,
      conn,
      addr: new Address(addr, NODE_NONE),
      addrBind,
      addrName: addr.toStringAddrPort(),
      connType: ConnectionType.INBOUND,
      inboundOnion,
      keyedNetGroup: this.calculateKeyedNetGroup(addr),
      networkKey,
      localNonce: this.getDeterministicRandomizer(RANDOMIZER_ID_LOCALHOSTNONCE).writeU64(BigInt(id)).finalize(),
      permissions,
      preferEvict,
      connectedMicros: this.now(),
      grant: 'none',
    });
    this.insertNode(node);
    return node;
  }

  /** m_nodes.push_back(pnode), with the indexes kept over m_nodes (census, addresses, ids). */
  private insertNode(node: Node): void {
    // Core: net.cpp CNode::CNode (without -logips)
    if (this.log.net) this.log.debug(`Added connection peer=${node.id}`);
    this.nodes.push(node);
    this.census.add(node);
    this.nodeAddrs.add(node.addr);
    this.byConn.set(node.conn, node);
    this.byId.set(node.id, node);
    if (node.isManualOrFullOutbound()) this.networkConnCounts[node.addr.getNetwork()]!++;
    this.emit({
      kind: 'connection-opened',
      nodeId: node.id,
      addr: node.addrName,
      connType: node.connType,
      inbound: node.isInbound(),
    });
    this.peerman.initializeNode(node);
    this.refreshNodeTimer(node);
  }

  /**
   * Marks one inbound peer for eviction (SelectNodeToEvict over every live node but the protected
   * one, and only tx-relaying ones if asked). Returns whether one was found.
   */
  // Core: net.cpp CConnman::AttemptToEvictConnection
  attemptToEvictConnection(evictTxRelayPeerOnly: boolean, protectPeer: NodeId | null): boolean {
    this.settleKeepAlive();
    const candidates: NodeEvictionCandidate[] = [];
    for (const n of this.nodes) {
      if (n.disconnect) continue;
      if (protectPeer !== null && n.id === protectPeer) continue;
      if (evictTxRelayPeerOnly && !n.relaysTxs) continue;
      candidates.push({
        id: n.id,
        connectedMicros: n.connectedMicros,
        minPingTimeMicros: n.minPingTimeMicros,
        lastBlockTimeSeconds: n.lastBlockTimeSeconds,
        lastTxTimeSeconds: n.lastTxTimeSeconds,
        relevantServices: n.hasAllWantedServices,
        relayTxs: n.relaysTxs,
        bloomFilter: n.bloomFilterLoaded,
        keyedNetGroup: n.keyedNetGroup,
        preferEvict: n.preferEvict,
        isLocal: n.addr.isLocal(),
        network: n.connectedThroughNetwork(),
        noban: hasPermission(n.permissions, NetPermissionFlags.NoBan),
        connType: n.connType,
      });
    }
    const victim = selectNodeToEvict(candidates, { recentActivity: this.options.evictionProtectRecentActivity, blockRelay: this.options.evictionProtectBlockRelay }, this.options.evictionTieObserver);
    if (victim === null) return false;
    const n = this.byId.get(victim)!;
    if (this.log.net) this.log.debug(`selected ${connectionTypeAsString(n.connType)} connection for eviction, ${disconnectMsg(n.id)}`);
    this.markDisconnect(n, evictTxRelayPeerOnly ? 'evicted-tx-relay' : 'evicted');
    this.emit({ kind: 'eviction', victimId: n.id, victimAddr: n.addrName, txRelayOnly: evictTxRelayPeerOnly });
    return true;
  }

  // Core: net.cpp CConnman::EvictTxPeerIfFull
  evictTxPeerIfFull(protectPeer: NodeId | null): boolean {
    let n = 0;
    for (const x of this.nodes) if (!x.disconnect && x.isInbound() && x.relaysTxs) n++;
    if (n > this.slots.maxInboundFullRelay) return this.attemptToEvictConnection(true, protectPeer);
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Outbound

  /**
   * Opens an outbound connection, checks first (network active, not ours, not banned, not already
   * connected), then connects asynchronously; `done` is called when the attempt ends (Core's
   * thread blocks until then). Returns false if it was refused before connecting (then `done` is
   * not called and the caller keeps its grant).
   */
  // Core: net.cpp CConnman::OpenNetworkConnection
  openNetworkConnection(
    addrConnect: Address | null,
    countFailure: boolean,
    grant: GrantKind,
    dest: string | null,
    connType: ConnectionType,
    done: (ok: boolean) => void = () => {},
  ): boolean {
    if (connType === ConnectionType.INBOUND) throw new Error('openNetworkConnection: INBOUND');
    const label = dest ?? addrConnect?.toStringAddrPort() ?? '';
    const refuse = (reason: ConnectRefusal): false => {
      this.emit({ kind: 'connect-failed', addr: label, connType, reason });
      return false;
    };
    if (this.interrupted) return false;
    if (!this.networkActive) return refuse('network-inactive');
    if (dest === null) {
      if (addrConnect === null) return refuse('invalid');
      const banned =
        this.banman !== null && (this.banman.isDiscouraged(addrConnect) || this.banman.isBanned(addrConnect));
      if (this.isLocal(addrConnect)) return refuse('local-address');
      if (banned) return refuse('discouraged');
      if (this.alreadyConnectedToAddress(addrConnect)) return refuse('already-connected');
    } else if (this.alreadyConnectedToHost(dest)) {
      return refuse('already-connected');
    }
    return this.connectNode(addrConnect, dest, countFailure, connType, grant, done);
  }

  /** Resolves the targets and starts connecting to the first. */
  // Core: net.cpp CConnman::ConnectNode
  connectNode(
    addrConnect: Address | null,
    dest: string | null,
    countFailure: boolean,
    connType: ConnectionType,
    grant: GrantKind,
    done: (ok: boolean) => void,
  ): boolean {
    const label = dest ?? addrConnect?.toStringAddrPort() ?? '';
    const refuse = (reason: ConnectRefusal): false => {
      this.emit({ kind: 'connect-failed', addr: label, connType, reason });
      return false;
    };
    const targets: Address[] = [];
    if (dest === null) {
      if (addrConnect === null) return refuse('invalid');
      if (this.isLocal(addrConnect)) return refuse('local-address');
      if (this.alreadyConnectedToAddressPort(addrConnect)) {
        this.log.logInfo(`Failed to open new connection to ${addrConnect.toStringAddrPort()}, already connected`);
        return refuse('already-connected');
      }
    }
    if (this.log.net) {
      const lastSeenHours = dest !== null || addrConnect === null ? 0 : (Math.floor(this.now() / S) - addrConnect.time) / 3600;
      const v2 = (this.options.localServices & NODE_P2P_V2) !== 0 ? 'v2' : 'v1';
      this.log.debug(`trying ${v2} connection (${connectionTypeAsString(connType)}) to ${label}, lastseen=${lastSeenHours.toFixed(1)}hrs`);
    }
    if (dest === null) {
      targets.push(addrConnect!);
    } else {
      const port = defaultPortFor(dest, this.options.defaultPort);
      // A numeric (or onion / I2P) destination is its own answer, valid or not (Core's Lookup hands
      // getaddrinfo the string, which parses 0.0.0.0 without asking DNS); only names are resolved.
      const numeric = parseService(dest, port);
      let resolved: Service[];
      if (numeric.ok) {
        resolved = [numeric.value];
      } else {
        // A name: the world's resolver answers (DNS seed names resolve to node addresses).
        resolved = this.dns.resolve(dest, 256).map((a) => Service.of(a, port));
        this.rng.shuffle(resolved);
      }
      if (resolved.length === 0) return refuse('invalid');
      for (const r of resolved) {
        const a = new Address(maybeFlipServiceToCJDNS(r, this.reachable), NODE_NONE);
        if (!a.isValid()) {
          if (this.log.net) this.log.debug(`Resolver returned invalid address ${a.toStringAddrPort()} for ${dest}`);
          return refuse('invalid');
        }
        if (this.alreadyConnectedToAddressPort(a)) {
          this.log.logInfo(`Not opening a connection to ${dest}, already connected to ${a.toStringAddrPort()}`);
          return refuse('already-connected');
        }
        targets.push(a);
      }
    }
    const p: PendingConnect = { targets, index: 0, dest, connType, countFailure, grant, done };
    this.connectNext(p);
    return true;
  }

  private connectNext(p: PendingConnect): void {
    const target = p.targets[p.index]!;
    OP_COUNTS[Op.connAttempt]++;
    this.emit({ kind: 'connect-attempt', addr: target.toStringAddrPort(), connType: p.connType });
    const h = this.transport.connect(target, this.options.connectTimeoutMicros);
    this.pending.set(h, p);
  }

  private recordAttempt(target: Address, countFailure: boolean): void {
    this.addrman.attempt(target, countFailure);
    this.emit({ kind: 'addrman', action: 'attempt', addr: target.toStringAddrPort() });
  }

  private onConnected(conn: ConnHandle, local: Service): void {
    const p = this.pending.get(conn);
    if (p === undefined) {
      this.transport.close(conn);
      return;
    }
    this.pending.delete(conn);
    const target = p.targets[p.index]!;
    this.recordAttempt(target, p.countFailure);
    if (this.interrupted) {
      this.transport.close(conn);
      return;
    }
    let permissions = 0;
    permissions = addWhitelistPermissionFlags(
      permissions,
      target,
      p.connType === ConnectionType.MANUAL ? this.options.whitelistedRangeOutgoing : [],
      this.options,
    );
    const id = this.nextNodeId++;
    const networkKey = this.getDeterministicRandomizer(RANDOMIZER_ID_NETWORKKEY)
      .writeU64(target.getNetClass())
      .writeBytes(local.getAddrBytes())
      .writeU64(0)
      .finalize();
    const node = new Node({
      id,
      conn,
      addr: target,
      addrBind: local,
      addrName: p.dest ?? target.toStringAddrPort(),
      connType: p.connType,
      inboundOnion: false,
      keyedNetGroup: this.calculateKeyedNetGroup(target),
      networkKey,
      localNonce: this.getDeterministicRandomizer(RANDOMIZER_ID_LOCALHOSTNONCE).writeU64(BigInt(id)).finalize(),
      permissions,
      preferEvict: false,
      connectedMicros: this.now(),
      grant: p.grant,
    });
    this.insertNode(node);
    p.done(true);
  }

  private onConnectFailed(conn: ConnHandle, reason: 'refused' | 'timeout' | 'unreachable'): void {
    const p = this.pending.get(conn);
    if (p === undefined) return;
    this.pending.delete(conn);
    const target = p.targets[p.index]!;
    this.recordAttempt(target, p.countFailure);
    this.emit({ kind: 'connect-failed', addr: target.toStringAddrPort(), connType: p.connType, reason });
    if (this.interrupted) return;
    p.index++;
    if (p.index < p.targets.length) {
      this.connectNext(p);
      return;
    }
    p.done(false);
  }

  /** Queues a destination for an ADDR_FETCH connection. */
  // Core: net.cpp CConnman::AddAddrFetch
  addAddrFetch(dest: string): void {
    this.addrFetches.push(dest);
    this.wakeOpenConnections();
  }

  /**
   * Pops the front addr-fetch destination and, if an outbound slot is free right now, opens an
   * ADDR_FETCH connection to it by name; otherwise the entry is dropped. Calls `next` when done
   * (after the connect completes, if one was started).
   */
  // Core: net.cpp CConnman::ProcessAddrFetch
  processAddrFetch(next: () => void = () => {}): void {
    const dest = this.addrFetches.shift();
    if (dest === undefined) return next();
    if (!this.tryAcquire('outbound')) return next();
    const started = this.openNetworkConnection(null, false, 'outbound', dest, ConnectionType.ADDR_FETCH, (ok) => {
      if (!ok) this.releaseGrant('outbound');
      next();
    });
    if (!started) {
      this.releaseGrant('outbound');
      next();
    }
  }

  /**
   * The test-only `addconnection` RPC: an automatic-type connection by name, within the type's
   * limit and with a free outbound slot.
   */
  // Core: net.cpp CConnman::AddConnection
  addConnection(address: string, connType: ConnectionType): boolean {
    let max: number | null = null;
    switch (connType) {
      case ConnectionType.INBOUND:
      case ConnectionType.MANUAL:
      case ConnectionType.PRIVATE_BROADCAST:
        return false;
      case ConnectionType.OUTBOUND_FULL_RELAY:
        max = this.slots.maxOutboundFullRelay;
        break;
      case ConnectionType.BLOCK_RELAY:
        max = this.slots.maxOutboundBlockRelay;
        break;
      default:
        break;
    }
    if (max !== null) {
      // Core's OpenNetworkConnection blocks until the connect ends, so a connection still in flight
      // here is one Core would already count among m_nodes.
      let existing = this.nodes.filter((n) => n.connType === connType).length;
      for (const p of this.pending.values()) if (p.connType === connType) existing++;
      if (existing >= max) return false;
    }
    if (!this.tryAcquire('outbound')) return false;
    const ok = this.openNetworkConnection(null, false, 'outbound', address, connType, (done) => {
      if (!done) this.releaseGrant('outbound');
    });
    if (!ok) this.releaseGrant('outbound');
    // Core answers true once the grant is held, whatever OpenNetworkConnection then does.
    return true;
  }

  // Core: net.cpp CConnman::AddNode
  addNode(addedNode: string, useV2Transport = false): boolean {
    const ok = this.addedNodes.addNode({ addedNode, useV2Transport });
    if (ok && this.ac.timer === 0 && !this.ac.busy && !this.ac.waitingForGrant && this.started) {
      this.scheduleAdded(this.now());
    }
    return ok;
  }
  // Core: net.cpp CConnman::RemoveAddedNode
  removeAddedNode(node: string): boolean {
    const removed = this.addedNodes.removeAddedNode(node);
    // ThreadOpenConnections reads the list on its next pass: an empty one can let the fixed seeds in.
    if (removed) this.wakeOpenConnections();
    return removed;
  }
  // Core: net.cpp CConnman::AddedNodesContain
  addedNodesContain(addr: Service): boolean {
    return this.addedNodes.addedNodesContain(addr);
  }
  // Core: net.cpp CConnman::GetAddedNodeInfo
  getAddedNodeInfo(includeConnected: boolean): AddedNodeInfo[] {
    return this.addedNodes.getAddedNodeInfo(
      includeConnected,
      this.nodes.map((n) => ({ addr: n.addr, addrName: n.addrName, inbound: n.isInbound() })),
    );
  }

  /** No v2 transport in the simulation, so nothing is ever queued for a v1 retry. */
  // Core: net.cpp CConnman::PerformReconnections
  performReconnections(): void {}

  // ------------------------------------------------------------------------------------------
  // ThreadOpenAddedConnections

  private scheduleAdded(at: Micros): void {
    this.cancelTimer(this.ac.timer);
    this.ac.timer = this.scheduler.schedule(at, () => {
      this.ac.timer = 0;
      this.threadOpenAddedConnections();
    });
  }

  /**
   * One round: with an addnode slot, try every unconnected added node in list order (500 ms
   * apart, while slots remain), then sleep 60 s if anything was tried, else 2 s.
   */
  // Core: net.cpp CConnman::ThreadOpenAddedConnections
  threadOpenAddedConnections(): void {
    if (this.interrupted) return;
    if (!this.tryAcquire('addnode')) {
      this.ac.waitingForGrant = true;
      return;
    }
    const info = this.getAddedNodeInfo(false);
    let tried = false;
    let i = 0;
    let holding = true;
    const step = (): void => {
      if (this.interrupted) return;
      if (i >= info.length || !holding) {
        if (holding) this.releaseGrant('addnode');
        this.ac.busy = false;
        this.performReconnections();
        // Event-driven: with nothing listed there is nothing to retry until addNode.
        if (this.addedNodes.list.length === 0) return;
        this.scheduleAdded(this.now() + (tried ? 60 * S : 2 * S));
        return;
      }
      const entry = info[i++]!;
      tried = true;
      const afterAttempt = (moved: boolean): void => {
        this.scheduler.schedule(this.now() + LOOP_SLEEP, () => {
          if (this.interrupted) return;
          // The next try-acquire happens before a failed attempt's grant is given back.
          const next = this.tryAcquire('addnode');
          if (!moved) this.releaseGrant('addnode');
          holding = next;
          step();
        });
      };
      const started = this.openNetworkConnection(null, false, 'addnode', entry.params.addedNode, ConnectionType.MANUAL, (ok) =>
        afterAttempt(ok),
      );
      if (!started) afterAttempt(false);
    };
    this.ac.busy = true;
    step();
  }

  // ------------------------------------------------------------------------------------------
  // ThreadOpenConnections

  /** -connect=<list>: MANUAL connections to the list, forever, pacing as Core does. */
  // Core: net.cpp CConnman::ThreadOpenConnections (the -connect branch)
  private startConnectMode(): void {
    const list = this.options.connect!;
    this.oc.running = true;
    const loop = (): void => {
      if (this.interrupted) return;
      if (this.oc.connectIndex >= list.length) {
        this.oc.connectIndex = 0;
        this.oc.connectLoop++;
        this.schedulePhase(() => {
          this.performReconnections();
          loop();
        }, this.now() + LOOP_SLEEP);
        return;
      }
      const dest = list[this.oc.connectIndex++]!;
      const after = (): void => {
        const pause = Math.min(this.oc.connectLoop, 10) * LOOP_SLEEP;
        if (pause === 0) loop();
        else this.schedulePhase(loop, this.now() + pause);
      };
      const started = this.openNetworkConnection(null, false, 'none', dest, ConnectionType.MANUAL, () => after());
      if (!started) after();
    };
    loop();
  }

  private startOpenConnections(seedNodes: string[]): void {
    const oc = this.oc;
    const now = this.now();
    oc.running = true;
    oc.startMicros = now;
    oc.nextFeeler = now + this.rng.randExpDurationMicros(FEELER_INTERVAL);
    oc.nextExtraBlockRelay = now + this.rng.randExpDurationMicros(EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL);
    oc.nextExtraNetworkPeer = now + this.rng.randExpDurationMicros(EXTRA_NETWORK_PEER_INTERVAL);
    oc.addFixedSeeds = this.options.fixedSeeds;
    oc.useSeedNodes = this.options.seedNodes.length > 0;
    oc.seedNodeTimer = now;
    oc.seedNodes = seedNodes;
    oc.addAddrFetch = this.addrman.size() === 0 && seedNodes.length > 0;
    if (!oc.addFixedSeeds) this.log.logInfo('Fixed seeds are disabled');
    this.ocLoopTop();
  }

  private schedulePhase(fn: () => void, at: Micros): void {
    this.cancelTimer(this.oc.timer);
    this.oc.timerAt = at;
    this.oc.timer = this.scheduler.schedule(at, () => {
      this.oc.timer = 0;
      if (!this.interrupted) fn();
    });
  }

  /** Top of the loop: queue a seednode, process one addr-fetch, then sleep 500 ms. */
  private ocLoopTop(): void {
    const oc = this.oc;
    if (this.interrupted || !oc.running) return;
    if (oc.addAddrFetch) {
      oc.addAddrFetch = false;
      const seed = oc.seedNodes.pop();
      if (seed !== undefined) {
        this.addrFetches.push(seed);
        if (this.addrman.size() === 0) this.log.logInfo(`Empty addrman, adding seednode (${seed}) to addrfetch`);
        else this.log.logInfo(`Couldn't connect to peers from addrman after ${ADD_NEXT_SEEDNODE / S} seconds. Adding seednode (${seed}) to addrfetch`);
      }
    }
    oc.gridBase = this.now();
    const hadFetch = this.addrFetches.length > 0;
    oc.busy = true;
    this.processAddrFetch(() => {
      oc.busy = false;
      oc.gridBase = this.now();
      this.ocSleep(hadFetch);
    });
  }

  /**
   * The 500 ms sleep before the grant. While the loop is idle (its last grant phase chose
   * nothing and nothing changed since) whole iterations are skipped: it wakes at the first grid
   * point past the earliest timer, or only on a change (wakeOpenConnections).
   */
  private ocSleep(hadFetch: boolean): void {
    const oc = this.oc;
    const base = oc.gridBase;
    if (!oc.idle || oc.dirty || hadFetch || this.addrFetches.length > 0 || oc.addAddrFetch) {
      oc.dormant = false;
      this.schedulePhase(() => this.ocGrantPhase(), base + LOOP_SLEEP);
      return;
    }
    const due = this.ocNextTimerDue();
    if (due === Infinity) {
      oc.dormant = true;
      this.cancelTimer(oc.timer);
      oc.timer = 0;
      return;
    }
    oc.dormant = false;
    // First grid point strictly after `due` (the timed rules compare with a strict >).
    const k = Math.max(1, Math.floor((due - base) / LOOP_SLEEP) + 1);
    this.schedulePhase(() => this.ocGrantPhase(), base + k * LOOP_SLEEP);
  }

  /** The earliest time at which a skipped grant phase could decide differently. */
  private ocNextTimerDue(): Micros {
    const oc = this.oc;
    let due = Infinity;
    if (this.options.feelers) due = Math.min(due, oc.nextFeeler);
    if (this.startExtraBlockRelay) due = Math.min(due, oc.nextExtraBlockRelay);
    if (this.options.networkSpecificExtraPeers) {
      const now = this.now();
      if (now <= oc.nextExtraNetworkPeer) due = Math.min(due, oc.nextExtraNetworkPeer);
      // Once due, it only depends on state that changes through wakeOpenConnections.
    }
    if (oc.addFixedSeeds && this.anyReachableEmptyNetwork()) {
      const startS = oc.startMicros + FIXED_SEEDS_DELAY;
      due = Math.min(due, Math.floor(startS / S) * S + S - 1);
    }
    if (oc.seedNodes.length > 0) due = Math.min(due, oc.seedNodeTimer + ADD_NEXT_SEEDNODE);
    return due;
  }

  /** Something the loop depends on changed: leave the idle state and run on the 500 ms grid. */
  private wakeOpenConnections(): void {
    const oc = this.oc;
    oc.dirty = true;
    if (!oc.running || this.interrupted || oc.busy || oc.waitingForGrant) return;
    if (this.options.connect !== null) return;
    const now = this.now();
    const k = Math.max(1, Math.floor((now - oc.gridBase) / LOOP_SLEEP) + 1);
    const at = oc.gridBase + k * LOOP_SLEEP;
    if (oc.dormant || oc.timer === 0 || oc.timerAt > at) {
      oc.dormant = false;
      this.schedulePhase(() => this.ocGrantPhase(), at);
    }
  }

  /** Whether getReachableEmptyNetworks would be non-empty (asked on every pass; the list only when seeds are added). */
  private anyReachableEmptyNetwork(): boolean {
    for (const net of this.reachable) {
      if (net !== NET_UNROUTABLE && net !== NET_INTERNAL && net < NET_MAX && this.addrman.size(net) === 0) return true;
    }
    return false;
  }

  // Core: net.cpp CConnman::GetReachableEmptyNetworks
  getReachableEmptyNetworks(): Network[] {
    const out: Network[] = [];
    for (let net = 0; net < NET_MAX; net++) {
      if (net === NET_UNROUTABLE || net === NET_INTERNAL) continue;
      if (this.reachable.has(net) && this.addrman.size(net) === 0) out.push(net);
    }
    return out;
  }

  /** After the sleep: the blocking grant, fixed seeds, census, type choice, selection, connect. */
  // Core: net.cpp CConnman::ThreadOpenConnections (one iteration after the sleep)
  private ocGrantPhase(): void {
    const oc = this.oc;
    if (this.interrupted || !oc.running) return;
    this.performReconnections();
    if (!this.tryAcquire('outbound')) {
      oc.waitingForGrant = true;
      return;
    }
    oc.dirty = false;
    const o = this.options;

    if (oc.addFixedSeeds && this.anyReachableEmptyNetwork()) {
      let addNow = false;
      if (Math.floor(this.now() / S) * S > oc.startMicros + FIXED_SEEDS_DELAY) {
        addNow = true;
        this.log.logInfo('Adding fixed seeds as 60 seconds have passed and addrman is empty for at least one reachable network');
      } else if (!o.dnsSeed && !oc.useSeedNodes && this.addedNodes.list.length === 0) {
        addNow = true;
        this.log.logInfo('Adding fixed seeds as -dnsseed=0 (or IPv4/IPv6 connections are disabled via -onlynet) and neither -addnode nor -seednode are provided');
      }
      if (addNow) {
        const nowS = Math.floor(this.now() / S);
        const seeds: Address[] = [];
        for (const s of o.fixedSeedList) {
          const time = nowS - ONE_WEEK_SECONDS - this.rng.randrange(ONE_WEEK_SECONDS);
          seeds.push(new Address(Service.of(s, s.port), NODE_NETWORK | NODE_WITNESS | NODE_P2P_V2, time));
        }
        const empty = this.getReachableEmptyNetworks();
        const kept = seeds.filter((a) => empty.includes(a.getNetwork()));
        this.addrman.add(kept, NetAddr.internal('fixedseeds'));
        oc.addFixedSeeds = false;
        oc.dirty = true;
        this.log.logInfo(`Added ${kept.length} fixed seeds from reachable networks.`);
        this.emit({ kind: 'fixed-seeds-added', count: kept.length });
      }
    }

    const census = this.census.census();
    if (oc.seedNodes.length > 0 && census.outboundFullRelay < 2) {
      if (this.now() > oc.seedNodeTimer + ADD_NEXT_SEEDNODE) {
        oc.seedNodeTimer = this.now();
        oc.addAddrFetch = true;
      }
    }

    const now = this.now();
    const choice = chooseConnectionType({
      anchorsLeft: this.anchors.length,
      census,
      maxOutboundFullRelay: this.slots.maxOutboundFullRelay,
      maxOutboundBlockRelay: this.slots.maxOutboundBlockRelay,
      tryNewOutboundPeer: this.tryAnotherOutboundPeer,
      nowMicros: now,
      nextExtraBlockRelayMicros: oc.nextExtraBlockRelay,
      startExtraBlockRelayPeers: this.startExtraBlockRelay,
      nextFeelerMicros: oc.nextFeeler,
      feelers: o.feelers,
      networkSpecificExtraPeers: o.networkSpecificExtraPeers,
      nextExtraNetworkPeerMicros: oc.nextExtraNetworkPeer,
      pickPreferredNetwork: this.pickPreferredNetwork,
    });
    if (choice === null) {
      this.releaseGrant('outbound');
      oc.idle = true;
      this.ocLoopTop();
      return;
    }
    oc.idle = false;
    if (choice.rule === 'extra-block-relay') {
      oc.nextExtraBlockRelay = now + this.rng.randExpDurationMicros(EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL);
    } else if (choice.rule === 'feeler') {
      oc.nextFeeler = now + this.rng.randExpDurationMicros(FEELER_INTERVAL);
    } else if (choice.rule === 'network-specific') {
      oc.nextExtraNetworkPeer = now + this.rng.randExpDurationMicros(EXTRA_NETWORK_PEER_INTERVAL);
    }
    this.ocSelectAndConnect(choice, census);
  }

  /** @internal The census the open-connections loop would use now (tests compare it with a recount). */
  trackedOutboundCensus(): OutboundCensus {
    return this.census.census();
  }

  /** Inputs of MaybePickPreferredNetwork as function values, made once (the loop asks on every pass). */
  private readonly connCountOf = (net: Network): number => this.networkConnCounts[net]!;
  private readonly addrmanSizeOf = (net: Network): number => this.addrman.size(net);
  private readonly shuffleNets = (nets: Network[]): void => this.rng.shuffle(nets);
  private readonly pickPreferredNetwork = (): Network | null => this.maybePickPreferredNetwork();

  // Core: net.cpp CConnman::MaybePickPreferredNetwork
  maybePickPreferredNetwork(): Network | null {
    // Core shuffles with a fresh context; skipping the draw when nothing qualifies changes no outcome.
    if (!anyPreferredNetwork(this.reachable, this.connCountOf, this.addrmanSizeOf)) return null;
    return maybePickPreferredNetwork(this.reachable, this.connCountOf, this.addrmanSizeOf, this.shuffleNets);
  }


  /** The outbound connections in m_nodes (what Core v0.10's open-connections loop counted for its Select). */
  private readonly countOutboundNodes = (): number => {
    let n = 0;
    for (const node of this.nodes) if (!node.isInbound()) n++;
    return n;
  };

  /** AddrMan's draw for the open-connections loop (addrman.ts selectForOutbound; a profile's AddrMan may weigh it). */
  private selectForOutbound(newOnly: boolean, nets: ReadonlySet<Network>): Candidate {
    return this.addrman.selectForOutbound(newOnly, nets, this.countOutboundNodes);
  }

  /** The selection loop's inputs: its callbacks are made once, its data fields set per pass. */
  private makeSelectionEnv(): Mutable<SelectionEnv> {
    const unspecifiedGroup = groupKey(this.netgroupman.getGroup(NetAddr.unspecified()));
    return {
      anchors: this.anchors,
      anchor: false,
      feeler: false,
      preferredNet: null,
      nowSeconds: 0,
      reachable: this.reachable,
      netgroups: new Set<string>(),
      groupOf: (a) => (a === null ? unspecifiedGroup : groupKey(this.netgroupman.getGroup(a))),
      isLocal: (a) => this.isLocal(a),
      hasAllDesirableServiceFlags: (s) => this.peerman.hasAllDesirableServiceFlags(s),
      select: (newOnly, nets) => this.selectForOutbound(newOnly, nets),
      selectTriedCollision: () => this.addrman.selectTriedCollision(),
      alreadyConnectedToAddress: (a) => this.alreadyConnectedToAddress(a),
      good: (a) => {
        this.addrman.good(a);
        this.emit({ kind: 'addrman', action: 'good', addr: a.toStringAddrPort() });
      },
      addedNodesContain: (a) => this.addedNodes.addedNodesContain(a),
    };
  }

  private ocSelectAndConnect(choice: TypeChoice, census: OutboundCensus): void {
    const oc = this.oc;
    this.addrman.resolveCollisions();
    const nowS = Math.floor(this.now() / S);
    const env = (this.selectionEnv ??= this.makeSelectionEnv());
    env.anchors = this.anchors;
    env.anchor = choice.anchor;
    env.feeler = choice.feeler;
    env.preferredNet = choice.preferredNet;
    env.nowSeconds = nowS;
    env.reachable = this.reachable;
    env.netgroups = census.outboundIpv46PeerNetgroups;
    const outcome = selectAddress(env);
    const addr = outcome.address;
    if (outcome.fromAnchor && addr !== null && this.log.net) this.log.debug(`Trying to make an anchor connection to ${addr.toStringAddrPort()}`);
    if (addr === null) {
      this.releaseGrant('outbound');
      // With an empty AddrMan nothing can change before new addresses arrive: wait for them.
      if (this.addrman.size() === 0 && this.anchors.length === 0) oc.idle = true;
      this.ocLoopTop();
      return;
    }
    const connect = (): void => {
      const cf = countFailures(census, this.slots.maxAutomaticConnections);
      oc.busy = true;
      const started = this.openNetworkConnection(addr, cf, 'outbound', null, choice.connType, (ok) => {
        if (!ok) this.releaseGrant('outbound');
        oc.busy = false;
        this.ocLoopTop();
      });
      if (!started) {
        oc.busy = false;
        this.releaseGrant('outbound');
        this.ocLoopTop();
      }
    };
    if (choice.feeler) {
      // A random pause (Core draws it in nanoseconds) so feelers do not fire on the loop's grid.
      const sleepMicros = Math.floor(this.rng.randrange(FEELER_SLEEP_WINDOW * 1000) / 1000);
      oc.busy = true;
      this.schedulePhase(() => {
        oc.busy = false;
        if (this.log.net) this.log.debug(`Making feeler connection to ${addr.toStringAddrPort()}`);
        connect();
      }, this.now() + sleepMicros);
    } else {
      if (choice.preferredNet !== null && this.log.net) {
        this.log.debug(`Making network specific connection to ${addr.toStringAddrPort()} on ${getNetworkName(choice.preferredNet)}.`);
      }
      connect();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Messages and per-connection deadlines

  /** Queues a message: counts its bytes per type, in totals and against the upload target. */
  // Core: net.cpp CConnman::PushMessage (+ SocketSendData's accounting and RecordBytesSent)
  pushMessage(node: Node, msg: P2PMessage): void {
    const now = this.now();
    const size = msg.sizeBytes;
    if (this.log.net) this.log.debug(`sending ${msg.type} (${size - MESSAGE_HEADER_SIZE} bytes) peer=${node.id}`);
    node.sendBytesPerMsgType.set(msg.type, (node.sendBytesPerMsgType.get(msg.type) ?? 0) + size);
    countMsg(this.sentTotals, msg.type, size);
    node.sendBytes += size;
    node.lastSendMicros = now;
    // A send that starts a new upload cycle: the keep-alive traffic computed up to now is charged
    // first, so that the cycle starts at the first send after the old one ended, as in Core.
    if (this.uploadTarget.startsNewCycle(now)) this.settleKeepAlive();
    this.uploadTarget.recordBytesSent(size, now);
    this.transport.send(node.conn, msg);
  }

  private onMessage(conn: ConnHandle, msg: P2PMessage): void {
    const node = this.byConn.get(conn);
    if (node === undefined) return;
    const now = this.now();
    const size = msg.sizeBytes;
    if (size - MESSAGE_HEADER_SIZE > MAX_PROTOCOL_MESSAGE_LENGTH) {
      // Core: V1Transport::ReadHeader refuses the header, ReceiveMsgBytes fails, the socket closes.
      node.recvBytes += MESSAGE_HEADER_SIZE;
      node.lastRecvMicros = now;
      this.totalBytesRecv += MESSAGE_HEADER_SIZE;
      if (this.log.net) {
        this.log.debug(`Header error: Size too large (${msg.type}, ${size - MESSAGE_HEADER_SIZE} bytes), peer=${node.id}`);
        this.log.debug(`receiving message bytes failed, ${disconnectMsg(node.id)}`);
      }
      this.markDisconnect(node, 'protocol-violation');
      return;
    }
    node.recvBytesPerMsgType.set(msg.type, (node.recvBytesPerMsgType.get(msg.type) ?? 0) + size);
    countMsg(this.recvTotals, msg.type, size);
    node.recvBytes += size;
    node.lastRecvMicros = now;
    this.totalBytesRecv += size;
    this.handleMessage(node, msg, now);
  }

  /**
   * Processes one message as it arrives, then the periodic SendMessages part if the handshake just
   * completed or a pong arrived (both can bring the node's next deadline forward).
   */
  // Core: net.cpp CConnman::ThreadMessageHandler (one pass for one node: ProcessMessages, then SendMessages)
  private handleMessage(node: Node, msg: P2PMessage, receivedMicros: Micros): void {
    if (node.disconnect) return;
    const wasConnected = node.successfullyConnected;
    const pingBefore = node.pingNonceSent;
    this.peerman.processMessage(node, msg, receivedMicros);
    if (node.disconnect) return;
    if (node.successfullyConnected !== wasConnected) {
      if (node.keepAlive === null) node.keepAlive = this.keepAlive.adopt(node, this.keepAliveOwner);
      this.runNodeDeadlinesNow(node);
    } else if (node.pingNonceSent !== pingBefore) {
      this.refreshNodeTimer(node);
    }
  }

  private onRemoteClose(conn: ConnHandle, reason: RemoteCloseReason): void {
    const node = this.byConn.get(conn);
    if (node === undefined) {
      this.pending.delete(conn);
      return;
    }
    this.markDisconnect(node, reason === 'reset' ? 'remote-reset' : 'remote-closed');
  }

  /** The earliest time any of the node's deadlines can fire. */
  private nextNodeDue(node: Node): Micros {
    const timeout = this.options.peerConnectTimeoutSeconds;
    if (node.keepAlive !== null && node.keepAlive.ownsPings()) {
      // Computed pings keep both directions busy every ping interval: no inactivity, ping timeout
      // or ping deadline can come due while they run (they are handed back before that can change).
      return this.peerman.nextSendMessagesDue(node);
    }
    let due = nextInactivityDeadline(
      {
        connectedMicros: node.connectedMicros,
        lastSendMicros: node.lastSendMicros,
        lastRecvMicros: node.lastRecvMicros,
        successfullyConnected: node.successfullyConnected,
        transportDetecting: false,
      },
      timeout,
    );
    if (node.successfullyConnected) {
      const ping = nextPingTimeoutDeadline(
        node,
        { pingOutstanding: node.pingNonceSent !== 0n, pingStartMicros: node.pingStartMicros },
        timeout,
      );
      if (ping !== null) due = Math.min(due, ping);
      due = Math.min(due, this.peerman.nextSendMessagesDue(node));
    }
    return due;
  }

  /** Arms the node's single timer no later than its next deadline (an earlier one is kept). */
  private refreshNodeTimer(node: Node): void {
    this.armNodeTimer(node, this.nextNodeDue(node));
  }

  private armNodeTimer(node: Node, at: Micros): void {
    if (at === Infinity) return;
    if (node.timer !== 0) {
      if (node.timerAtMicros <= at) return;
      this.scheduler.cancel(node.timer);
    }
    node.timerAtMicros = at;
    node.timer = this.scheduler.at(at, this.nodeTimerKind, node.id);
  }

  /**
   * A node's deadline: the socket-level inactivity check, then the periodic SendMessages part
   * (addr-fetch lifetime, ping timeout, automatic ping), then re-arm at the next deadline. Activity
   * since arming only moves deadlines later, so a timer that fires early just re-arms.
   */
  // Core: net.cpp CConnman::InactivityCheck (per node) and PeerManagerImpl::SendMessages (periodic part)
  private runNodeDeadlines(node: Node): void {
    if (node.disconnect) return;
    const now = this.now();
    if (node.keepAlive !== null) node.keepAlive.settle(now);
    // Core's socket thread sends our ping a moment after SendMessages queued it, so its send
    // deadline is just after the ping deadline: at a tie here the ping timeout comes first.
    if (
      node.successfullyConnected &&
      node.pingNonceSent !== 0n &&
      now > node.pingStartMicros + TIMEOUT_INTERVAL &&
      this.shouldRunInactivityChecks(node, now)
    ) {
      if (this.log.net) this.log.debug(`ping timeout: ${formatFixed6((now - node.pingStartMicros) / S)}s, ${disconnectMsg(node.id)}`);
      this.markDisconnect(node, 'ping-timeout');
      return;
    }
    const reason = inactivityCheck(
      {
        connectedMicros: node.connectedMicros,
        lastSendMicros: node.lastSendMicros,
        lastRecvMicros: node.lastRecvMicros,
        successfullyConnected: node.successfullyConnected,
        transportDetecting: false,
      },
      now,
      this.options.peerConnectTimeoutSeconds,
    );
    if (reason !== null) {
      if (this.log.net) this.log.debug(inactivityLogLine(reason, node, now, this.options.peerConnectTimeoutSeconds, node.id));
      this.markDisconnect(node, reason);
      return;
    }
    this.peerman.sendMessages(node, now);
    if (node.disconnect) return;
    this.refreshNodeTimer(node);
  }

  /** Runs the node's deadline checks now (cancelling its armed timer; they re-arm it). */
  private runNodeDeadlinesNow(node: Node): void {
    if (node.timer !== 0) this.scheduler.cancel(node.timer);
    node.timer = 0;
    this.runNodeDeadlines(node);
  }

  // --- keep-alive links (ports.ts KeepAlive: a world's shortcut; Core's path adopts nothing) -----

  private drawPingNonce(): bigint {
    return this.pingRng.rand64();
  }

  /**
   * MaybeSendPing's automatic ping, offered to the node's keep-alive link. Never while an upload
   * target is set: its cycle's start depends on the order of sends, which computed pings skip.
   */
  private startComputedPings(node: Node, now: Micros, periodMicros: Micros): boolean {
    if (node.keepAlive === null || this.uploadTarget.maxOutboundLimit !== 0) return false;
    return node.keepAlive.startPings(now, periodMicros);
  }

  /** Applies every connection's computed keep-alive traffic up to now (before anyone reads counters or ping times). */
  private settleKeepAlive(): void {
    const now = this.now();
    for (const n of this.nodes) if (n.keepAlive !== null) n.keepAlive.settle(now);
    // Every send up to now is recorded: those past the upload cycle's end can be placed.
    this.uploadTarget.placeLateSends();
  }

  /** Hands every keep-alive link of this Connman back to the message path. */
  releaseKeepAlive(): void {
    const now = this.now();
    for (const n of this.nodes) n.keepAlive?.release(now);
  }

  /** A crash: this Connman's links are handed back and forgotten, as a reap would. */
  detachKeepAlive(): void {
    const now = this.now();
    for (const n of this.nodes) {
      if (n.keepAlive === null) continue;
      n.keepAlive.detach(now);
      n.keepAlive = null;
    }
  }

  /** Requests a ping to every fully connected node (RPC `ping`). */
  // Core: net_processing.cpp PeerManagerImpl::SendPings
  sendPings(): void {
    this.forEachNode((n) => {
      n.keepAlive?.release(this.now());
      n.pingQueued = true;
      this.runNodeDeadlinesNow(n);
    });
  }

  /** Core's ThreadOpenConnections entry point, for a grep: the loop runs as timer callbacks. */
  // Core: net.cpp CConnman::ThreadOpenConnections
  threadOpenConnections(): void {
    this.wakeOpenConnections();
  }

  /**
   * Core's ThreadDNSAddressSeed, started by Start when -dnsseed is on: the DnsSeedThread runs its
   * waits and queries as timers (net/dns-seed.ts).
   */
  // Core: net.cpp CConnman::ThreadDNSAddressSeed
  private threadDNSAddressSeed(): void {
    const o = this.options;
    this.dnsThread = new DnsSeedThread({
      log: this.log,
      clock: this.clock,
      scheduler: this.scheduler,
      rng: this.rng,
      addrman: this.addrman,
      resolver: this.dns,
      events: this.events,
      defaultPort: o.defaultPort,
      seeds: o.dnsSeeds,
      forceDnsSeed: o.forceDnsSeed,
      nameProxy: o.nameProxy,
      haveSeedNodes: o.seedNodes.length > 0,
      getFullOutboundConnCount: () => this.getFullOutboundConnCount(),
      getNetworkActive: () => this.networkActive,
      addAddrFetch: (d) => this.addAddrFetch(d),
      addressesAdded: () => this.wakeOpenConnections(),
      shuffle: (xs) => this.rng.shuffle(xs),
    });
    this.dnsThread.start();
  }

  /** The DNS-seed thread of this run (null when -dnsseed=0): its outcome, for tests and reports. */
  dnsSeedThread(): DnsSeedThread | null {
    return this.dnsThread;
  }
}

/** Adds one message of `bytes` to a per-type total. */
function sortedByKey(m: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function countMsgs(totals: Map<string, MsgTotal>, type: string, msgs: number, bytes: number): void {
  const t = totals.get(type);
  if (t === undefined) totals.set(type, { msgs, bytes });
  else {
    t.msgs += msgs;
    t.bytes += bytes;
  }
}

function countMsg(totals: Map<string, MsgTotal>, type: string, bytes: number): void {
  const t = totals.get(type);
  if (t === undefined) totals.set(type, { msgs: 1, bytes });
  else {
    t.msgs++;
    t.bytes += bytes;
  }
}
