// The recorder's aggregation: from what the metrics recorder sees at a sampling tick (NodeSnapshot)
// and in the events to the samples and aggregates of a RunResult. All pure functions over plain
// records, plus the accumulators SeriesCollector, DisconnectLog and ConnectionBinner.
//
// This file does not sample nodes (metrics-recorder.ts does), does not decide which nodes are
// victims (the scenario does) and draws no charts (reports/ does, from the RunResult only).

import {
  DISCONNECT_REASONS,
  EVICTION_REASONS,
  CONN_TYPE_NAMES,
  OUTBOUND_CONN_TYPES,
  type ConnTypeName,
  type ConnectionBin,
  type DisconnectBin,
  type DisconnectReason,
  type DisconnectRecord,
  type EvictionCount,
  type EvictionReason,
  type InboundNetgroupCount,
  type NetworkSample,
  type NodeSample,
  type NodeSnapshot,
  type Percentiles,
  type RunSeries,
  type TickSummary,
  type TimeToDisconnect,
  type VictimEclipse,
} from '../../reports/run-result.ts';
import { emptyOutboundByType } from '../../reports/run-result.ts';
import { countBy } from '../../reports/stats.ts';

/** Shannon entropy, in bits, of the distribution given by non-negative counts (0 for no mass). */
export function shannonEntropyBits(counts: readonly number[]): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return 0;
  let h = 0;
  for (const c of counts) {
    if (c <= 0) continue;
    const p = c / total;
    h -= p * Math.log2(p);
  }
  // Guard against -0 and tiny negative rounding for a single group.
  return h > 0 ? h : 0;
}

/** Number of distinct values. */
function distinctCount<T>(values: readonly T[]): number {
  return new Set(values).size;
}

/**
 * The p-quantile of ascending-sorted values, linearly interpolated between closest ranks (the
 * "R-7" definition that d3.quantile and numpy use); null for no values.
 */
export function quantileSorted(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (p <= 0 || n === 1) return sorted[0]!;
  if (p >= 1) return sorted[n - 1]!;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  return a + (b - a) * (h - lo);
}

/** Ascending numeric sort on a copy. */
function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The percentiles the network series carries, of any set of per-node values. */
export function percentiles(values: readonly number[]): Percentiles {
  const s = sortedCopy(values);
  return {
    min: quantileSorted(s, 0),
    p10: quantileSorted(s, 0.1),
    p25: quantileSorted(s, 0.25),
    median: quantileSorted(s, 0.5),
    p75: quantileSorted(s, 0.75),
    p90: quantileSorted(s, 0.9),
    max: quantileSorted(s, 1),
  };
}

/** Inbound slots of a node grouped by network group, largest first (ties by netgroupHex). */
export function inboundNetgroupCounts(snapshot: NodeSnapshot): InboundNetgroupCount[] {
  const m = new Map<string, InboundNetgroupCount>();
  for (const p of snapshot.inbound) {
    let e = m.get(p.netgroupHex);
    if (!e) {
      e = { netgroupHex: p.netgroupHex, count: 0, attacker: 0 };
      m.set(p.netgroupHex, e);
    }
    e.count++;
    if (p.attacker) e.attacker++;
  }
  const out = [...m.values()];
  out.sort((a, b) => b.count - a.count || (a.netgroupHex < b.netgroupHex ? -1 : a.netgroupHex > b.netgroupHex ? 1 : 0));
  return out;
}

/** The fields of a NodeSample that follow from the snapshot's outbound and inbound peers alone. */
type PeerMetrics = Pick<
  NodeSample,
  | 'outbound'
  | 'longLivedOutbound'
  | 'longLivedOutboundAttacker'
  | 'eclipsed'
  | 'distinctNetgroups'
  | 'distinctAsns'
  | 'netgroupEntropyBits'
  | 'asnEntropyBits'
  | 'inboundTotal'
  | 'inboundAttacker'
  | 'inboundDistinctNetgroups'
  | 'inboundTopNetgroupShare'
>;

/**
 * PeerMetrics already computed, by the outbound array they were computed from (with its inbound
 * array): a recorder that hands in the same arrays while a node's connections do not change (they
 * are then never modified) gets them without recounting. Any other snapshot misses and is counted.
 */
export type PeerMetricsMemo = WeakMap<readonly unknown[], { inbound: readonly unknown[]; metrics: PeerMetrics }>;

/** The metrics of one node at one tick. */
export function nodeSample(tMicros: number, snapshot: NodeSnapshot, memo?: PeerMetricsMemo): NodeSample {
  let m: PeerMetrics;
  const kept = memo?.get(snapshot.outbound);
  if (kept !== undefined && kept.inbound === snapshot.inbound) {
    m = kept.metrics;
  } else {
    m = peerMetrics(snapshot);
    memo?.set(snapshot.outbound, { inbound: snapshot.inbound, metrics: m });
  }
  // The key order is the RunResult's (result.json prints it).
  return {
    tMicros,
    nodeId: snapshot.nodeId,
    role: snapshot.role,
    outbound: m.outbound,
    longLivedOutbound: m.longLivedOutbound,
    longLivedOutboundAttacker: m.longLivedOutboundAttacker,
    eclipsed: m.eclipsed,
    distinctNetgroups: m.distinctNetgroups,
    distinctAsns: m.distinctAsns,
    netgroupEntropyBits: m.netgroupEntropyBits,
    asnEntropyBits: m.asnEntropyBits,
    inboundTotal: m.inboundTotal,
    inboundAttacker: m.inboundAttacker,
    inboundSlots: snapshot.inboundSlots,
    inboundSlotsAttacker: snapshot.inboundSlotsAttacker,
    inboundLimit: snapshot.inboundLimit,
    inboundDistinctNetgroups: m.inboundDistinctNetgroups,
    inboundTopNetgroupShare: m.inboundTopNetgroupShare,
    addrmanNew: snapshot.addrmanNew,
    addrmanNewAttacker: snapshot.addrmanNewAttacker,
    addrmanTried: snapshot.addrmanTried,
    addrmanTriedAttacker: snapshot.addrmanTriedAttacker,
  };
}

/** PeerMetrics of a snapshot, counted. */
function peerMetrics(snapshot: NodeSnapshot): PeerMetrics {
  const outbound = emptyOutboundByType();
  for (const p of snapshot.outbound) {
    const slot = outbound[p.connType];
    slot.total++;
    if (p.attacker) slot.attacker++;
  }
  let longLived = 0;
  let longLivedAttacker = 0;
  for (const t of OUTBOUND_CONN_TYPES) {
    if (!t.longLived) continue;
    longLived += outbound[t.key].total;
    longLivedAttacker += outbound[t.key].attacker;
  }
  const groups = countBy(snapshot.outbound.map((p) => p.netgroupHex));
  const inboundGroups = inboundNetgroupCounts(snapshot);
  let inboundAttacker = 0;
  for (const p of snapshot.inbound) if (p.attacker) inboundAttacker++;
  return {
    outbound,
    longLivedOutbound: longLived,
    longLivedOutboundAttacker: longLivedAttacker,
    eclipsed: isEclipsed(longLived, longLivedAttacker),
    distinctNetgroups: groups.length,
    distinctAsns: distinctCount(snapshot.outbound.map((p) => p.asn)),
    netgroupEntropyBits: shannonEntropyBits(groups.map((g) => g.count)),
    asnEntropyBits: shannonEntropyBits(countBy(snapshot.outbound.map((p) => p.asn)).map((g) => g.count)),
    inboundTotal: snapshot.inbound.length,
    inboundAttacker,
    inboundDistinctNetgroups: inboundGroups.length,
    inboundTopNetgroupShare: snapshot.inbound.length === 0 ? null : inboundGroups[0]!.count / snapshot.inbound.length,
  };
}

/**
 * A node is fully eclipsed when it has at least one long-lived outbound connection (full-relay,
 * block-relay-only or manual) and every one of them goes to the attacker: every block and
 * transaction it learns from its own choice of peers then passes through the attacker. Feelers and
 * addr-fetch connections are excluded because they live for seconds and relay no blocks. A node
 * with no outbound peers at all is isolated rather than eclipsed and is not counted.
 */
export function isEclipsed(longLivedOutbound: number, longLivedOutboundAttacker: number): boolean {
  return longLivedOutbound > 0 && longLivedOutboundAttacker === longLivedOutbound;
}

/** One tick: per-node samples (in nodeId order) and their network aggregate. */
export function summariseSnapshots(tMicros: number, snapshots: readonly NodeSnapshot[], memo?: PeerMetricsMemo): TickSummary {
  const nodes = snapshots.map((s) => nodeSample(tMicros, s, memo));
  nodes.sort((a, b) => a.nodeId - b.nodeId);
  const outbound = emptyOutboundByType();
  let eclipsed = 0;
  let addrmanNew = 0;
  let addrmanNewAttacker = 0;
  let addrmanTried = 0;
  let addrmanTriedAttacker = 0;
  for (const n of nodes) {
    if (n.eclipsed) eclipsed++;
    for (const t of OUTBOUND_CONN_TYPES) {
      outbound[t.key].total += n.outbound[t.key].total;
      outbound[t.key].attacker += n.outbound[t.key].attacker;
    }
    addrmanNew += n.addrmanNew;
    addrmanNewAttacker += n.addrmanNewAttacker;
    addrmanTried += n.addrmanTried;
    addrmanTriedAttacker += n.addrmanTriedAttacker;
  }
  const topShares: number[] = [];
  for (const n of nodes) if (n.inboundTopNetgroupShare !== null) topShares.push(n.inboundTopNetgroupShare);
  const network: NetworkSample = {
    tMicros,
    honestNodes: nodes.length,
    eclipsedNodes: eclipsed,
    eclipsedFraction: nodes.length === 0 ? 0 : eclipsed / nodes.length,
    outbound,
    addrmanNew,
    addrmanNewAttacker,
    addrmanTried,
    addrmanTriedAttacker,
    distinctNetgroups: percentiles(nodes.map((n) => n.distinctNetgroups)),
    distinctAsns: percentiles(nodes.map((n) => n.distinctAsns)),
    netgroupEntropyBits: percentiles(nodes.map((n) => n.netgroupEntropyBits)),
    asnEntropyBits: percentiles(nodes.map((n) => n.asnEntropyBits)),
    inboundTopNetgroupShare: percentiles(topShares),
  };
  return { network, nodes };
}

/**
 * Accumulates ticks into a RunSeries: the network sample of every tick, the victims' samples of
 * every tick, and every node's sample (plus the victims' inbound netgroups) at the last tick.
 * Ticks must be added in increasing time.
 */
export class SeriesCollector {
  private readonly network: NetworkSample[] = [];
  private readonly victims: NodeSample[] = [];
  private lastNodes: NodeSample[] = [];
  private lastVictimInbound: Array<InboundNetgroupCount & { nodeId: number }> = [];
  private lastTMicros = -Infinity;
  private readonly memo: PeerMetricsMemo = new WeakMap();

  /**
   * One tick. A snapshot whose outbound and inbound arrays are those of an earlier one reuses the
   * metrics counted from them: hand in the same arrays only while they are unchanged.
   */
  add(tMicros: number, snapshots: readonly NodeSnapshot[]): TickSummary {
    if (!(tMicros > this.lastTMicros)) throw new Error(`SeriesCollector: tick ${tMicros} is not after ${this.lastTMicros}`);
    this.lastTMicros = tMicros;
    const tick = summariseSnapshots(tMicros, snapshots, this.memo);
    this.network.push(tick.network);
    for (const n of tick.nodes) if (n.role === 'victim') this.victims.push(n);
    this.lastNodes = tick.nodes;
    const victimSnaps = snapshots.filter((s) => s.role === 'victim').sort((a, b) => a.nodeId - b.nodeId);
    this.lastVictimInbound = victimSnaps.flatMap((s) => inboundNetgroupCounts(s).map((g) => ({ nodeId: s.nodeId, ...g })));
    return tick;
  }

  finish(): RunSeries {
    return {
      network: [...this.network],
      victims: [...this.victims],
      finalNodes: [...this.lastNodes],
      victimInboundNetgroups: [...this.lastVictimInbound],
    };
  }
}

/**
 * Time-to-eclipse of each victim: the first tick at or after the attack start at which it was
 * fully eclipsed, measured from the attack start; null if it never was. Samples may be in any
 * order; the result is in victimIds order.
 */
export function timeToEclipse(victimSamples: readonly NodeSample[], victimIds: readonly number[], attackStartMicros: number): VictimEclipse[] {
  const first = new Map<number, number>();
  for (const s of victimSamples) {
    if (!s.eclipsed || s.tMicros < attackStartMicros) continue;
    const prev = first.get(s.nodeId);
    if (prev === undefined || s.tMicros < prev) first.set(s.nodeId, s.tMicros);
  }
  return victimIds.map((nodeId) => {
    const t = first.get(nodeId);
    return { nodeId, timeToEclipseMicros: t === undefined ? null : t - attackStartMicros };
  });
}

/** Start of the bin holding tMicros. */
function binStart(tMicros: number, binMicros: number): number {
  return Math.floor(tMicros / binMicros) * binMicros;
}

/** Nearest-rank quantiles at p = 0, 0.01, …, 1 of ascending-sorted values (empty for none). */
export function percentileGrid(sorted: readonly number[]): number[] {
  if (sorted.length === 0) return [];
  const out: number[] = [];
  for (let i = 0; i <= 100; i++) {
    // Nearest rank: the smallest value with at least i% of the values at or below it.
    const rank = Math.max(1, Math.ceil((i / 100) * sorted.length));
    out.push(sorted[rank - 1]!);
  }
  return out;
}

/** Disconnects binned by time and reason, and time-to-disconnect distributions per reason. */
export function disconnectAggregates(
  records: readonly DisconnectRecord[] | DisconnectLog,
  binMicros: number,
): { disconnects: DisconnectBin[]; timeToDisconnect: TimeToDisconnect[] } {
  if (!(binMicros > 0)) throw new Error(`disconnectAggregates: binMicros must be positive (got ${binMicros})`);
  const reasonIndex = new Map(DISCONNECT_REASONS.map((r, i) => [r, i]));
  const bins = new Map<string, DisconnectBin>();
  const durations = new Map<string, number[]>();
  const attackerPeers = new Map<string, number>();
  const add = (tMicros: number, reason: DisconnectReason, durationMicros: number, attackerPeer: boolean): void => {
    const t = binStart(tMicros, binMicros);
    const key = `${t}/${reason}`;
    const b = bins.get(key);
    if (b) b.count++;
    else bins.set(key, { tMicros: t, reason, count: 1 });
    let d = durations.get(reason);
    if (!d) durations.set(reason, (d = []));
    d.push(durationMicros);
    if (attackerPeer) attackerPeers.set(reason, (attackerPeers.get(reason) ?? 0) + 1);
  };
  if (records instanceof DisconnectLog) records.forEachRow(add);
  else for (const r of records) add(r.tMicros, r.reason, r.durationMicros, r.attackerPeer);
  const disconnects = [...bins.values()].sort((a, b) => a.tMicros - b.tMicros || reasonIndex.get(a.reason)! - reasonIndex.get(b.reason)!);
  const timeToDisconnect: TimeToDisconnect[] = [];
  for (const reason of DISCONNECT_REASONS) {
    const d = durations.get(reason);
    if (!d) continue;
    timeToDisconnect.push({ reason, count: d.length, attackerPeers: attackerPeers.get(reason) ?? 0, quantilesMicros: percentileGrid(sortedCopy(d)) });
  }
  return { disconnects, timeToDisconnect };
}

/**
 * DisconnectRecords kept in typed columns, about 23 bytes a record instead of an object of six
 * fields: a long run at 10k nodes ends millions of connections. Records read back are copies.
 */
export class DisconnectLog {
  private n = 0;
  private t = new Float64Array(256);
  private node = new Int32Array(256);
  private type = new Uint8Array(256);
  private reason = new Uint8Array(256);
  private duration = new Float64Array(256);
  private attacker = new Uint8Array(256);

  get length(): number {
    return this.n;
  }

  push(r: DisconnectRecord): void {
    const type = CONN_TYPE_INDEX.get(r.connType);
    const reason = DISCONNECT_REASON_INDEX.get(r.reason);
    if (type === undefined || reason === undefined) throw new RangeError(`DisconnectLog: unknown connection type ${r.connType} or reason ${r.reason}`);
    if (!Number.isInteger(r.nodeId) || r.nodeId < -0x80000000 || r.nodeId > 0x7fffffff) throw new RangeError(`DisconnectLog: node id ${r.nodeId}`);
    if (this.n === this.t.length) this.grow();
    const i = this.n++;
    this.t[i] = r.tMicros;
    this.node[i] = r.nodeId;
    this.type[i] = type;
    this.reason[i] = reason;
    this.duration[i] = r.durationMicros;
    this.attacker[i] = r.attackerPeer ? 1 : 0;
  }

  /** Record i, 0 <= i < length, as an object. */
  at(i: number): DisconnectRecord {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`DisconnectLog.at(${i}) of ${this.n}`);
    return {
      tMicros: this.t[i]!,
      nodeId: this.node[i]!,
      connType: CONN_TYPE_NAMES[this.type[i]!]!,
      reason: DISCONNECT_REASONS[this.reason[i]!]!,
      durationMicros: this.duration[i]!,
      attackerPeer: this.attacker[i] === 1,
    };
  }

  /** Every record, in the order pushed. */
  toArray(): DisconnectRecord[] {
    return Array.from({ length: this.n }, (_, i) => this.at(i));
  }

  /** Time, reason, duration and attacker flag of every record, in order, without building objects. */
  forEachRow(fn: (tMicros: number, reason: DisconnectReason, durationMicros: number, attackerPeer: boolean) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.t[i]!, DISCONNECT_REASONS[this.reason[i]!]!, this.duration[i]!, this.attacker[i] === 1);
  }

  private grow(): void {
    const cap = this.t.length * 2;
    this.t = grown(this.t, cap);
    this.node = grown(this.node, cap);
    this.type = grown(this.type, cap);
    this.reason = grown(this.reason, cap);
    this.duration = grown(this.duration, cap);
    this.attacker = grown(this.attacker, cap);
  }

}

/** A copy of `a` with room for `cap` elements (the new ones zero). */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (length: number) => T)(cap);
  b.set(a);
  return b;
}

const DISCONNECT_REASON_INDEX = new Map<DisconnectReason, number>(DISCONNECT_REASONS.map((r, i) => [r, i]));

/** One connection opened or closed (input to connectionBins). */
export interface ConnectionEventRecord {
  tMicros: number;
  connType: ConnTypeName;
  kind: 'open' | 'close';
}

/** Opens and closes binned by time and connection type. */
export function connectionBins(records: readonly ConnectionEventRecord[], binMicros: number): ConnectionBin[] {
  const binner = new ConnectionBinner(binMicros);
  for (const r of records) binner.add(r.tMicros, r.connType, r.kind);
  return binner.bins();
}

/**
 * connectionBins kept as the events arrive, so a long run holds one counter per (bin, type)
 * instead of a record per open and close (two per connection, millions in a 10k-node day).
 */
export class ConnectionBinner {
  private readonly binsByKey = new Map<string, ConnectionBin>();
  /** The bin start last added to, and its bins by connection type (CONN_TYPE_INDEX): events come in time order. */
  private currentStart = Number.NaN;
  private readonly current: (ConnectionBin | undefined)[] = [];

  constructor(private readonly binMicros: number) {
    if (!(binMicros > 0)) throw new Error(`connectionBins: binMicros must be positive (got ${binMicros})`);
  }

  add(tMicros: number, connType: ConnTypeName, kind: 'open' | 'close'): void {
    const t = binStart(tMicros, this.binMicros);
    if (t !== this.currentStart) {
      this.currentStart = t;
      this.current.fill(undefined);
    }
    const i = CONN_TYPE_INDEX.get(connType)!;
    let b = this.current[i];
    if (b === undefined) {
      const key = `${t}/${connType}`;
      b = this.binsByKey.get(key);
      if (!b) this.binsByKey.set(key, (b = { tMicros: t, connType, opened: 0, closed: 0 }));
      this.current[i] = b;
    }
    if (kind === 'open') b.opened++;
    else b.closed++;
  }

  /** The bins so far, by time then connection type (copies). */
  bins(): ConnectionBin[] {
    return [...this.binsByKey.values()]
      .map((b) => ({ ...b }))
      .sort((a, b) => a.tMicros - b.tMicros || CONN_TYPE_INDEX.get(a.connType)! - CONN_TYPE_INDEX.get(b.connType)!);
  }
}

const CONN_TYPE_INDEX = new Map<ConnTypeName, number>(CONN_TYPE_NAMES.map((c, i) => [c, i]));

/** Evictions counted per reason, in EVICTION_REASONS order, zero counts omitted. */
export function evictionCounts(reasons: readonly EvictionReason[]): EvictionCount[] {
  const m = new Map<EvictionReason, number>();
  for (const r of reasons) m.set(r, (m.get(r) ?? 0) + 1);
  const out: EvictionCount[] = [];
  for (const reason of EVICTION_REASONS) {
    const count = m.get(reason);
    if (count) out.push({ reason, count });
  }
  return out;
}
