// Run invariants checked on the live state of every running honest node at each sampling tick (and
// at the end): outbound counts within the node's own slot limits, inbound within its inbound slots,
// no two connections of a node to the same address, distinct network groups among its automatic
// outbound peers, and AddrMan's own consistency check (on a rotating subset of nodes, one per tick
// by default, because a full check re-hashes every entry). Each invariant becomes one RunCheck.
//
// The per-node rules are pure functions over plain connection views (tested on crafted state); the
// monitor only builds the views from Connman.getNodes() and remembers the first breach of each
// invariant. It reads state and never changes it (checkAddrman draws no randomness). Tests may
// also have it check a node the moment one of its connections opens (watchConnections), so a
// breach is caught when it happens rather than at the next tick. It does not sample metrics
// (metrics-recorder.ts does).

import type { Connman } from '../../connman/net/connman.ts';
import type { Node } from '../../connman/net/node.ts';
import type { ConnectionSlots } from '../../connman/net/options.ts';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { groupKey } from '../../connman/net/open-connections.ts';
import type { RunCheck } from '../../reports/run-result.ts';
import { formatDuration, type Micros } from '../../sim/index.ts';
import type { World } from '../world/world.ts';
import { OP_COUNTS, Op } from '../../connman/util/op-counts.ts';

/** One connection of a node, as the invariant rules see it. */
export interface ConnView {
  /** The CNode id. */
  readonly id: number;
  readonly connType: ConnectionType;
  /** The peer's IP (without port), e.g. "1.2.3.4". */
  readonly ip: string;
  /** The peer's "ip:port". */
  readonly ipPort: string;
  /** The peer's network group as hex (NetGroupManager::GetGroup). */
  readonly netgroupHex: string;
  /** The peer is on Tor, I2P or CJDNS (Core keeps those out of the netgroup set). */
  readonly privacyNet: boolean;
  /** Marked for disconnection (fDisconnect), not yet reaped. */
  readonly disconnect: boolean;
}

/** The limits the rules read: the node's slots, derived from its own ConnmanOptions. */
export type InvariantLimits = Pick<ConnectionSlots, 'maxOutboundFullRelay' | 'maxOutboundBlockRelay' | 'maxFeeler' | 'maxInbound'>;

export type InvariantName =
  | 'outbound limits'
  | 'inbound limit'
  | 'no duplicate connections'
  | 'distinct outbound netgroups'
  | 'addrman consistency';

/** Display order of the invariants (the order of violations()). */
export const INVARIANT_NAMES: readonly InvariantName[] = [
  'outbound limits',
  'inbound limit',
  'no duplicate connections',
  'distinct outbound netgroups',
  'addrman consistency',
];

export interface Breach {
  readonly invariant: InvariantName;
  readonly detail: string;
}

/**
 * Outbound counts within Core's limits. Connections already marked for disconnection are left
 * out: they still hold their slot until reaped, but Core has stopped counting on them, and the
 * replacement may be opened in the same instant. Full-relay may exceed its maximum by one (the
 * stale-tip extra peer of CheckForStaleTipAndEvictPeers, or the network-specific extra peer of
 * PR #27213; the outbound semaphore leaves room for only one of them beside a feeler), block-relay
 * by one (the periodic extra block-relay-only peer), feelers never.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (the connection-type rules and semOutbound)
export function outboundLimitBreaches(conns: readonly ConnView[], limits: InvariantLimits): Breach[] {
  let full = 0;
  let block = 0;
  let feeler = 0;
  for (const c of conns) {
    if (c.disconnect) continue;
    if (c.connType === ConnectionType.OUTBOUND_FULL_RELAY) full++;
    else if (c.connType === ConnectionType.BLOCK_RELAY) block++;
    else if (c.connType === ConnectionType.FEELER) feeler++;
  }
  const out: Breach[] = [];
  if (full > limits.maxOutboundFullRelay + 1) out.push({ invariant: 'outbound limits', detail: `${full} full-relay outbound peers > ${limits.maxOutboundFullRelay} + 1 extra` });
  if (block > limits.maxOutboundBlockRelay + 1) out.push({ invariant: 'outbound limits', detail: `${block} block-relay-only peers > ${limits.maxOutboundBlockRelay} + 1 extra` });
  if (feeler > limits.maxFeeler) out.push({ invariant: 'outbound limits', detail: `${feeler} feelers > ${limits.maxFeeler}` });
  return out;
}

/**
 * Inbound connections not marked for disconnection within the inbound slots: at the limit Core
 * evicts one (marks it) before it accepts the newcomer, so the live count never exceeds it.
 */
// Core: net.cpp CConnman::CreateNodeFromAcceptedSocket (nInbound >= m_max_inbound → AttemptToEvictConnection)
export function inboundLimitBreaches(conns: readonly ConnView[], limits: InvariantLimits): Breach[] {
  let inbound = 0;
  for (const c of conns) if (!c.disconnect && c.connType === ConnectionType.INBOUND) inbound++;
  return inbound > limits.maxInbound ? [{ invariant: 'inbound limit', detail: `${inbound} inbound peers > ${limits.maxInbound} inbound slots` }] : [];
}

/** Connections opened by a destination string (Core's pszDest): only address and port are checked. */
function openedByName(t: ConnectionType): boolean {
  return t === ConnectionType.MANUAL || t === ConnectionType.ADDR_FETCH;
}

/**
 * No two connections to the same address. Core refuses an outbound connection to an IP it is
 * already connected to (AlreadyConnectedToAddress in OpenNetworkConnection); connections opened by
 * name (manual, addr-fetch) are checked on address and port only (AlreadyConnectedToAddressPort
 * in ConnectNode). Inbound peers may share an IP with anything (several ports, or a peer that
 * connected to us after we connected to it), but never address and port.
 */
// Core: net.cpp CConnman::OpenNetworkConnection / ConnectNode (the already-connected checks)
export function duplicateBreaches(conns: readonly ConnView[]): Breach[] {
  const out: Breach[] = [];
  // Scratch maps shared by every call (the checks run for every node at every tick; nothing here re-enters).
  const byIpPort = scratchByIpPort;
  const byIp = scratchByIp;
  byIpPort.clear();
  byIp.clear();
  for (const c of conns) {
    const same = byIpPort.get(c.ipPort);
    if (same !== undefined) {
      out.push({ invariant: 'no duplicate connections', detail: `peers ${same.id} and ${c.id} are both ${c.ipPort}` });
    } else {
      byIpPort.set(c.ipPort, c);
    }
    if (c.connType === ConnectionType.INBOUND || openedByName(c.connType)) continue;
    const ipSame = byIp.get(c.ip);
    if (ipSame !== undefined && ipSame.ipPort !== c.ipPort) {
      out.push({ invariant: 'no duplicate connections', detail: `outbound peers ${ipSame.id} and ${c.id} share IP ${c.ip}` });
    } else if (ipSame === undefined) {
      byIp.set(c.ip, c);
    }
  }
  byIpPort.clear();
  byIp.clear();
  return out;
}

const scratchByIpPort = new Map<string, ConnView>();
const scratchByIp = new Map<string, ConnView>();
const scratchGroups = new Map<string, ConnView>();

/**
 * Distinct network groups among automatic full-relay and block-relay-only peers (anchors and the
 * extra peers included, since Core applies the rule to them too). Core checks every such candidate
 * against the groups of the MANUAL, full-relay and block-relay peers already in m_nodes (marked
 * ones included); feelers are exempt, manual peers are exempt themselves (an addnode may share a
 * group with an earlier automatic peer), and Tor / I2P / CJDNS peers are kept out of the set.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (outbound_ipv46_peer_netgroups, rule "one per netgroup")
export function netgroupBreaches(conns: readonly ConnView[]): Breach[] {
  const out: Breach[] = [];
  const seen = scratchGroups;
  seen.clear();
  for (const c of conns) {
    if (c.connType !== ConnectionType.OUTBOUND_FULL_RELAY && c.connType !== ConnectionType.BLOCK_RELAY) continue;
    if (c.privacyNet) continue;
    const other = seen.get(c.netgroupHex);
    if (other !== undefined) out.push({ invariant: 'distinct outbound netgroups', detail: `outbound peers ${other.id} (${other.ipPort}) and ${c.id} (${c.ipPort}) share netgroup ${c.netgroupHex}` });
    else seen.set(c.netgroupHex, c);
  }
  seen.clear();
  return out;
}

/** Every connection rule over one node's connections (AddrMan is checked separately). */
export function connectionBreaches(conns: readonly ConnView[], limits: InvariantLimits): Breach[] {
  const out = outboundLimitBreaches(conns, limits);
  for (const more of [inboundLimitBreaches(conns, limits), duplicateBreaches(conns), netgroupBreaches(conns)]) for (const b of more) out.push(b);
  return out;
}

/**
 * A connection's view, kept per Node object: its id, type, address and group never change, so
 * the strings are built once; only `disconnect` is refreshed when the views are read.
 */
interface KeptView extends ConnView {
  disconnect: boolean;
}

/** Per Node (one per connection): the checks read every node at every tick. */
const keptViews = new WeakMap<object, KeptView>();

/** The views of a Connman's connections, in m_nodes order. */
export function connViewsOf(c: Connman): ConnView[] {
  const out: ConnView[] = [];
  for (const n of c.getNodes()) {
    let v = keptViews.get(n);
    if (v === undefined) {
      const a = n.addr;
      v = {
        id: n.id,
        connType: n.connType,
        ip: a.toStringAddr(),
        ipPort: a.toStringAddrPort(),
        netgroupHex: groupKey(c.netgroupman.getGroup(a)),
        privacyNet: a.isTor() || a.isI2P() || a.isCJDNS(),
        disconnect: n.disconnect,
      };
      keptViews.set(n, v);
    }
    v.disconnect = n.disconnect;
    out.push(v);
  }
  return out;
}

/**
 * One node's connection check: the state the rules read (the Connman, its connections in order,
 * their disconnect marks, the slot limits) and what they found. The rules are pure functions of that
 * state, so while it is unchanged the check's outcome is the same.
 */
class CheckedConnections {
  private readonly peers: readonly Node[];
  private readonly marked: Uint8Array;
  private readonly limits: InvariantLimits;

  constructor(
    private readonly connman: Connman,
    readonly inbound: number,
    readonly breaches: readonly Breach[],
  ) {
    const nodes = connman.getNodes();
    this.peers = nodes.slice();
    this.marked = new Uint8Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) this.marked[i] = nodes[i]!.disconnect ? 1 : 0;
    const l = connman.slots;
    this.limits = { maxOutboundFullRelay: l.maxOutboundFullRelay, maxOutboundBlockRelay: l.maxOutboundBlockRelay, maxFeeler: l.maxFeeler, maxInbound: l.maxInbound };
  }

  /** Whether `c` is still in the state this check read. */
  stillHolds(c: Connman): boolean {
    if (c !== this.connman) return false;
    const nodes = c.getNodes();
    const peers = this.peers;
    if (nodes.length !== peers.length) return false;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n !== peers[i] || (n.disconnect ? 1 : 0) !== this.marked[i]) return false;
    }
    const l = c.slots;
    const k = this.limits;
    return l.maxOutboundFullRelay === k.maxOutboundFullRelay && l.maxOutboundBlockRelay === k.maxOutboundBlockRelay && l.maxFeeler === k.maxFeeler && l.maxInbound === k.maxInbound;
  }
}

export interface InvariantMonitorOptions {
  /** AddrMan consistency checks per tick, on the next running nodes in index order (default 1). */
  addrmanChecksPerTick?: number;
}

interface InvariantState {
  checks: number;
  breaches: number;
  first: { tMicros: Micros; node: number; detail: string } | null;
}

export class InvariantMonitor {
  private readonly world: World;
  private readonly addrmanPerTick: number;
  private readonly state = new Map<InvariantName, InvariantState>();
  /** Next node index the rotating AddrMan check starts from. */
  private addrmanCursor = 0;
  private nodeTicks = 0;
  private ticks = 0;
  /** Per node: the most inbound connections (not marked for disconnection) seen at a check. */
  private readonly inboundPeak: number[] = [];
  /** Per node: what its last connection check read and found. */
  private readonly lastCheck: (CheckedConnections | undefined)[] = [];

  constructor(world: World, opts: InvariantMonitorOptions = {}) {
    this.world = world;
    this.addrmanPerTick = opts.addrmanChecksPerTick ?? 1;
    if (!(this.addrmanPerTick >= 0) || !Number.isInteger(this.addrmanPerTick)) {
      throw new RangeError(`InvariantMonitor: addrmanChecksPerTick must be a non-negative integer, got ${this.addrmanPerTick}`);
    }
    for (const name of INVARIANT_NAMES) this.state.set(name, { checks: 0, breaches: 0, first: null });
  }

  /** Checks every running node now (call it at each sampling tick and once at the end). */
  checkNow(): void {
    const now = this.world.kernel.now();
    this.ticks++;
    for (const wn of this.world.nodes) if (wn.connman !== undefined) this.checkConnections(wn.index, wn.connman, now);
    this.checkAddrmans(now, this.addrmanPerTick);
  }

  /**
   * From now on also checks a node's connections each time one opens or an inbound peer is
   * evicted (tests; a run checks at its ticks only, which is cheaper).
   */
  watchConnections(): void {
    this.world.events.listen((node, e) => {
      if (e.kind !== 'connection-opened' && e.kind !== 'eviction') return;
      const c = this.world.nodes[node]?.connman;
      if (c !== undefined) this.checkConnections(node, c, this.world.kernel.now());
    });
  }

  /** The most inbound connections node `index` held at any check so far. */
  maxInboundSeen(index: number): number {
    return this.inboundPeak[index] ?? 0;
  }

  private checkConnections(index: number, c: Connman, now: Micros): void {
    this.nodeTicks++;
    OP_COUNTS[Op.invariantNode]++;
    // The rules read only the connections (in m_nodes order), their disconnect marks and the slot
    // limits: when none of these changed since this node's last check, its outcome is the last one.
    let kept = this.lastCheck[index];
    if (kept === undefined || !kept.stillHolds(c)) {
      const views = connViewsOf(c);
      let inbound = 0;
      for (const v of views) if (!v.disconnect && v.connType === ConnectionType.INBOUND) inbound++;
      kept = new CheckedConnections(c, inbound, connectionBreaches(views, c.slots));
      this.lastCheck[index] = kept;
    }
    if (kept.inbound > (this.inboundPeak[index] ?? 0)) this.inboundPeak[index] = kept.inbound;
    for (const name of INVARIANT_NAMES) if (name !== 'addrman consistency') this.state.get(name)!.checks++;
    for (const b of kept.breaches) this.note(b.invariant, now, index, b.detail);
  }

  /** Runs AddrMan's full consistency check on every running node now (e.g. once at the end of a small run). */
  checkAllAddrmans(): void {
    this.checkAddrmans(this.world.kernel.now(), this.world.nodes.length);
  }

  /**
   * One RunCheck per invariant, in INVARIANT_NAMES order: failed with the first breach (time, node,
   * detail) and the number of breaches, or passed with how much was checked.
   */
  violations(): RunCheck[] {
    return INVARIANT_NAMES.map((name) => {
      const s = this.state.get(name)!;
      const checkName = `invariant: ${name}`;
      if (s.first === null) {
        const what = name === 'addrman consistency' ? `${s.checks} AddrMan consistency checks` : `${s.checks} node checks over ${this.ticks} ticks`;
        return { name: checkName, passed: true, detail: `held in ${what}`, kind: 'health' as const };
      }
      const f = s.first;
      return {
        name: checkName,
        kind: 'health' as const,
        passed: false,
        detail: `first broken at ${formatDuration(f.tMicros)} (t=${f.tMicros} µs) on node ${f.node}: ${f.detail}; ${s.breaches} breach${s.breaches === 1 ? '' : 'es'} in ${s.checks} checks`,
      };
    });
  }

  /** Whether every invariant has held so far. */
  allHeld(): boolean {
    for (const s of this.state.values()) if (s.first !== null) return false;
    return true;
  }

  private checkAddrmans(now: Micros, count: number): void {
    const nodes = this.world.nodes;
    if (nodes.length === 0 || count === 0) return;
    const s = this.state.get('addrman consistency')!;
    let done = 0;
    const start = this.addrmanCursor;
    // Walk at most once around the world from the cursor, skipping nodes that are down.
    for (let step = 0; step < nodes.length && done < count; step++) {
      const i = (start + step) % nodes.length;
      const c = nodes[i]!.connman;
      if (c === undefined) continue;
      done++;
      s.checks++;
      const code = c.addrman.checkAddrman();
      if (code !== 0) this.note('addrman consistency', now, i, `CheckAddrman returned ${code}`);
      this.addrmanCursor = (i + 1) % nodes.length;
    }
  }

  private note(name: InvariantName, tMicros: Micros, node: number, detail: string): void {
    const s = this.state.get(name)!;
    s.breaches++;
    if (s.first === null) s.first = { tMicros, node, detail };
  }

  /** Node-ticks inspected so far (diagnostics). */
  get nodeChecks(): number {
    return this.nodeTicks;
  }
}
