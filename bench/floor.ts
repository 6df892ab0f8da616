// The floor meter (`npm run bench -- <scale case> --floor`): what a run would cost if every
// Core-level operation it did ran at the cheapest speed this process can do it, per subsystem,
// next to what the run measured. A run's operations are counted as it goes (connman/util/op-counts.ts
// and the kernel's and network's own counters), each primitive is timed in this process afterwards
// (floor-primitives.ts), and floor = count x cheapest cost. The measured side is the run's CPU
// seconds split by subsystem with the V8 sampling profiler. It prints one JSON record; every
// performance claim quotes it.
//
// Attribution. A profile sample is charged to the innermost frame that belongs to a subsystem:
// helpers shared by all (hashing, random draws, serialization primitives, netgroups, addresses,
// built-ins) are transparent and charge their caller, so a SipHash inside RelayAddress is relay
// and a SHA-256 inside AddrMan::Add is addrman. An anonymous closure charges its caller too, unless
// its caller is the event loop or the network (a timer or socket callback), in which case it
// charges its own file's subsystem. Garbage collection is its own subsystem and has no floor: an
// engine that allocated nothing on its hot paths would not collect.

import { snapshotOpCounts, type OpName } from '../connman/util/op-counts.ts';
import type { CpuProfile } from './cpu-profile.ts';
import type { PrimitiveCosts } from './floor-primitives.ts';

export const SUBSYSTEMS = ['kernel', 'network', 'messages', 'connman', 'connect', 'relay', 'addrman', 'dump', 'observe', 'gc', 'other'] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

/** What one run did, besides its op counts. */
export interface RunTotals {
  cpuS: number;
  events: number;
  /** Pending events at the end (the event queue's size in steady state). */
  pending: number;
  messagesSent: number;
  messagesDelivered: number;
  connectsAttempted: number;
  connectsSucceeded: number;
  /** Mean AddrMan entries per running node at the end. */
  addrmanEntries: number;
}

/** The counters' values now minus at `before`. */
export function opCountsSince(before: Record<OpName, number>): Record<OpName, number> {
  const now = snapshotOpCounts();
  for (const k of Object.keys(now) as OpName[]) now[k] -= before[k];
  return now;
}

/** Functions of connman/net/connman.ts that belong to the open-connections path. */
const CONNECT_FUNCTIONS = new Set([
  'connectNext', 'recordAttempt', 'onConnectFailed', 'openNetworkConnection', 'tryAcquire', 'releaseGrant', 'schedulePhase',
  'ocLoopTop', 'ocSleep', 'ocNextTimerDue', 'wakeOpenConnections', 'anyReachableEmptyNetwork', 'getReachableEmptyNetworks',
  'ocGrantPhase', 'trackedOutboundCensus', 'maybePickPreferredNetwork', 'selectForOutbound', 'makeSelectionEnv',
  'ocSelectAndConnect', 'threadOpenConnections', 'threadOpenAddedConnections', 'scheduleAdded', 'startOpenConnections',
  'startConnectMode', 'alreadyConnectedToHost', 'alreadyConnectedToAddressPort', 'alreadyConnectedToAddress', 'isLocal',
  'addedNodesContain', 'processAddrFetch',
]);
/** Functions of connman.ts that carry messages to and from the PeerManager. */
const MESSAGE_FUNCTIONS = new Set([
  'pushMessage', 'onMessage', 'handleMessage', 'nextNodeDue', 'refreshNodeTimer', 'armNodeTimer', 'runNodeDeadlines',
  'runNodeDeadlinesNow', 'sendPings', 'drawPingNonce', 'startComputedPings', 'settleKeepAlive',
]);
/** Functions of peerman.ts (and connman.ts) that are address relay. */
const RELAY_FUNCTIONS = new Set([
  'processAddrs', 'relayAddress', 'queueAddress', 'maybeSendAddr', 'processGetAddr', 'setupAddressRelay', 'nextAddrSendDue',
  'getAddresses', 'getAddressesUnsafe',
]);

/** A frame's subsystem; null for a transparent frame. */
function fileClass(path: string, fn: string): Subsystem | null {
  if (path.startsWith('connman/util/rolling-bloom')) return 'relay';
  if (path.startsWith('connman/util/') || path.startsWith('connman/netgroup/') || path === 'connman/ports.ts') return null;
  if (path.startsWith('connman/protocol/')) return path === 'connman/protocol/messages.ts' ? 'messages' : null;
  if (path === 'sim/rng.ts' || path === 'sim/distributions.ts' || path === 'sim/time.ts') return null;
  if (path === 'sim/kernel.ts' || path === 'scenarios/host/node-scheduler.ts' || path === 'scenarios/host/sim-scheduler.ts') return 'kernel';
  if (path === 'sim/network.ts' || path === 'sim/latency.ts' || path === 'scenarios/host/sim-transport.ts' || path === 'scenarios/host/analytic-ping.ts') return 'network';
  if (path === 'sim/trace.ts' || path.startsWith('scenarios/observe/') || path === 'scenarios/host/event-recorder.ts' || path.startsWith('scenarios/dsl/') || path.startsWith('reports/')) return 'observe';
  if (path === 'connman/addrman/serialize.ts' || path === 'connman/addrman/addrdb.ts' || path === 'connman/profiles/addrman-legacy-serialize.ts' || path === 'scenarios/host/memory-file-store.ts') return 'dump';
  if (path.startsWith('connman/addrman/') || path === 'connman/profiles/addrman-legacy.ts') return 'addrman';
  if (path === 'connman/net_processing/addr-relay.ts' || path === 'connman/net_processing/addr-cache.ts') return 'relay';
  if (path === 'connman/net_processing/peerman.ts') return RELAY_FUNCTIONS.has(fn) ? 'relay' : 'messages';
  if (path.startsWith('connman/net_processing/')) return 'messages';
  if (path === 'connman/net/open-connections.ts' || path === 'connman/net/node-address-index.ts' || path === 'connman/net/dns-seed.ts') return 'connect';
  if (path === 'connman/net/connman.ts') {
    if (fn === 'dumpAddresses' || fn === 'onDumpTimer') return 'dump';
    if (CONNECT_FUNCTIONS.has(fn)) return 'connect';
    if (MESSAGE_FUNCTIONS.has(fn)) return 'messages';
    if (RELAY_FUNCTIONS.has(fn)) return 'relay';
    return 'connman';
  }
  if (path.startsWith('connman/')) return 'connman';
  return 'other';
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** CPU profile samples folded into shares per subsystem (0..1, summing to 1). */
export function subsystemShares(profile: CpuProfile): Record<Subsystem, number> {
  const nodes = profile.nodes as unknown as ProfileNode[];
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const own = (n: ProfileNode): { cls: Subsystem | null; weak: boolean } => {
    const fn = n.callFrame.functionName;
    if (fn === '(garbage collector)') return { cls: 'gc', weak: false };
    if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return { cls: 'other', weak: false };
    const m = /\/((?:sim|connman|scenarios|reports|bench|cli)\/[^?#]*\.ts)/.exec(n.callFrame.url);
    if (m === null || fn === '__name') return { cls: null, weak: false };
    const cls = fileClass(m[1]!, fn);
    return { cls, weak: fn === '' || fn === '(anonymous)' };
  };
  const memo = new Map<number, Subsystem>();
  const classOf = (leaf: number): Subsystem => {
    const known = memo.get(leaf);
    if (known !== undefined) return known;
    let fallback: Subsystem | null = null;
    let result: Subsystem | null = null;
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const { cls, weak } = own(byId.get(id)!);
      if (cls === null) continue;
      if (weak) {
        fallback ??= cls;
        continue;
      }
      result = fallback !== null && (cls === 'kernel' || cls === 'network') ? fallback : cls;
      break;
    }
    const c = result ?? fallback ?? 'other';
    memo.set(leaf, c);
    return c;
  };
  const time = new Map<Subsystem, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    total += dt;
    const c = classOf(profile.samples[i]!);
    time.set(c, (time.get(c) ?? 0) + dt);
  }
  const out = {} as Record<Subsystem, number>;
  for (const s of SUBSYSTEMS) out[s] = total > 0 ? (time.get(s) ?? 0) / total : 0;
  return out;
}

/** Floor seconds per subsystem: each counted operation at its cheapest cost. */
export function floorSeconds(run: RunTotals, ops: Record<OpName, number>, c: PrimitiveCosts): Record<Subsystem, number> {
  const ns: Record<Subsystem, number> = {
    kernel: run.events * c.event,
    network: run.messagesSent * c.message + run.connectsAttempted * c.connection,
    messages: run.messagesDelivered * c.dispatch,
    connman: 2 * run.connectsSucceeded * c.connection,
    connect: ops.selectTry * c.selectTry + ops.connAttempt * c.connAttempt,
    // Each RelayAddress keys its hasher with two more words before ranking the candidates.
    relay: (ops.addrReceived + ops.addrSent) * c.addrEntry + (ops.relayScan + 2 * ops.relayCall) * c.sipKey + ops.bloomOp * c.bloomOp,
    addrman:
      ops.amAdd * c.amAdd +
      ops.amGood * c.amGood +
      ops.amAttempt * c.amAttempt +
      ops.amConnected * c.amConnected +
      ops.amSelect * c.amSelect +
      ops.amGetAddr * c.amGetAddr +
      ops.amSetServices * c.amSetServices +
      ops.amSelectCollision * c.amSelectCollision +
      ops.amResolve * c.amResolve,
    dump: ops.dumpRow * c.dumpRow,
    observe: ops.nodeSample * c.nodeSample + ops.invariantNode * c.invariantNode + (ops.eventRecorded + run.events) * c.eventRecorded,
    gc: 0,
    other: 0,
  };
  const out = {} as Record<Subsystem, number>;
  for (const s of SUBSYSTEMS) out[s] = ns[s] / 1e9;
  return out;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The meter's record: measured and floor seconds and their ratio, in total and per subsystem. */
export function floorRecord(
  name: string,
  run: RunTotals,
  ops: Record<OpName, number>,
  costs: PrimitiveCosts,
  shares: Record<Subsystem, number>,
): Record<string, unknown> {
  const floor = floorSeconds(run, ops, costs);
  const subsystems: Record<string, unknown> = {};
  let floorTotal = 0;
  for (const s of SUBSYSTEMS) {
    const measured = run.cpuS * shares[s];
    floorTotal += floor[s];
    subsystems[s] = {
      measuredS: r2(measured),
      floorS: r3(floor[s]),
      ratio: floor[s] > 0 ? Math.round((10 * measured) / floor[s]) / 10 : null,
    };
  }
  const costsNs: Record<string, number> = {};
  for (const [k, v] of Object.entries(costs)) costsNs[k] = Math.round(v * 10) / 10;
  return {
    bench: name,
    floor: true,
    cpuS: r2(run.cpuS),
    floorS: r2(floorTotal),
    ratio: Math.round((10 * run.cpuS) / floorTotal) / 10,
    subsystems,
    counts: { events: run.events, pending: run.pending, messagesSent: run.messagesSent, messagesDelivered: run.messagesDelivered, connectsAttempted: run.connectsAttempted, connectsSucceeded: run.connectsSucceeded, addrmanEntries: Math.round(run.addrmanEntries), ...ops },
    costsNs,
  };
}
