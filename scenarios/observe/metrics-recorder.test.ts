// MetricsRecorder on small worlds: the RunResult it builds parses, its series agree with the
// nodes' own state, attacker entries in AddrMan are counted exactly, disconnect reasons are mapped
// totally, crashes close their connections, and the same seed gives the same JSON.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CONNECTION_TYPES, ConnectionType, connectionTypeAsString } from '../../connman/protocol/connection-types.ts';
import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import { parseRunResult } from '../../reports/index.ts';
import { DISCONNECT_REASONS, EVICTION_REASONS, INACTIVITY_TIMEOUT_REASONS, OUTBOUND_CONN_TYPES, type ConnectionLogRow, type RunIdentity, type RunResult } from '../../reports/run-result.ts';
import { minutes, seconds } from '../../sim/index.ts';
import { nodeSample } from './aggregate.ts';
import { InvariantMonitor } from './invariants.ts';
import { connTypeNameOf, DISCONNECT_REASON_OF, EVICTION_REASON_OF, MetricsRecorder, outboundKeyOf } from './metrics-recorder.ts';
import { World } from '../world/world.ts';

const INTERVAL = minutes(10);
const DURATION = minutes(90);

/** A toy AS number: the first address byte (the address plan spreads nodes over many /8s). */
function toyAsn(addr: NetAddr): number {
  const b = addr.getAddrBytes();
  return b.length > 0 ? b[0]! + 1 : 0;
}

function identityFor(world: World, seed: number, victims: number[]): RunIdentity {
  return {
    scenario: 'metrics-test',
    seed: String(seed),
    profile: 'core-v29',
    params: [{ name: 'nodes', value: world.nodes.length }],
    durationMicros: DURATION,
    sampleIntervalMicros: INTERVAL,
    attackStartMicros: 0,
    honestNodes: world.nodes.length,
    attackerNodes: 0,
    victimIds: victims,
    eventsProcessed: world.kernel.processed,
    traceDigest: world.digest(),
    codeVersion: 'test',
    reproduce: `npx vitest run scenarios/observe/metrics-recorder.test.ts (seed ${seed})`,
  };
}

interface Run {
  world: World;
  recorder: MetricsRecorder;
  monitor: InvariantMonitor;
  result: RunResult;
}

/** 36 nodes for 90 simulated minutes, one crash at 40 min and one restart at 50 min. */
function runWorld(
  seed: number,
  attackerOf: (world: World) => (addr: NetAddr) => boolean = () => () => false,
  attackerEpoch?: () => number,
  log?: ConnectionLogRow[],
): Run {
  const world = new World({ seed, nodes: 36, listeningShare: 0.5, staleAddresses: 30, startWindowMicros: seconds(20) });
  const victims = [3, 7];
  const recorder = new MetricsRecorder(world, {
    sampleIntervalMicros: INTERVAL,
    roleOf: (n) => (victims.includes(n) ? 'victim' : 'honest'),
    isAttackerAddress: attackerOf(world),
    ...(attackerEpoch !== undefined ? { attackerEpoch } : {}),
    asnOf: toyAsn,
    ...(log !== undefined
      ? {
          connectionLog: (r: ConnectionLogRow) => log.push(r),
          honestNodeAt: (a: NetAddr) => world.nodes.findIndex((n) => n.address.toStringAddr() === a.toStringAddr()),
        }
      : {}),
  });
  const monitor = new InvariantMonitor(world);
  recorder.onTick(() => monitor.checkNow());
  recorder.start();
  world.runUntil(minutes(40));
  world.crashNode(5);
  world.runUntil(minutes(50));
  world.restartNode(9, seconds(30));
  world.runUntil(DURATION);
  recorder.sampleNow();
  monitor.checkAllAddrmans();
  const result = recorder.finish(identityFor(world, seed, victims), [{ tMicros: minutes(40), label: 'node 5 crashes' }], monitor.violations());
  return { world, recorder, monitor, result };
}

/** The plain run of seed 21 (no attacker, no connection log), run once and shared. */
let plainRunMemo: Run | undefined;
function plainRun(): Run {
  plainRunMemo ??= runWorld(21);
  return plainRunMemo;
}

/** Seed 21 again, a second run from scratch with the per-connection log attached; run once and shared. */
let loggedRunMemo: { run: Run; log: ConnectionLogRow[] } | undefined;
function loggedRun(): { run: Run; log: ConnectionLogRow[] } {
  if (loggedRunMemo === undefined) {
    const log: ConnectionLogRow[] = [];
    loggedRunMemo = { run: runWorld(21, undefined, undefined, log), log };
  }
  return loggedRunMemo;
}

/** The first six nodes' addresses called "attacker" (ordinary honest nodes underneath), seed 33; run once. */
let attackerRunMemo: { run: Run; keys: Set<string> } | undefined;
function attackerRun(): { run: Run; keys: Set<string> } {
  if (attackerRunMemo === undefined) {
    let keys = new Set<string>();
    const run = runWorld(33, (world) => {
      keys = new Set(world.nodes.slice(0, 6).map((n) => n.address.toStringAddr()));
      return (a) => keys.has(a.toStringAddr());
    });
    attackerRunMemo = { run, keys };
  }
  return attackerRunMemo;
}

describe('vocabulary mappings', () => {
  it('maps every CloseReason to a DisconnectReason, and exactly the evictions to an EvictionReason', () => {
    const reasons = Object.keys(DISCONNECT_REASON_OF) as (keyof typeof DISCONNECT_REASON_OF)[];
    expect(reasons.length).toBe(27);
    expect(Object.keys(EVICTION_REASON_OF).sort()).toEqual([...reasons].sort());
    for (const r of reasons) {
      expect(DISCONNECT_REASONS).toContain(DISCONNECT_REASON_OF[r]);
      const ev = EVICTION_REASON_OF[r];
      expect(ev !== null, r).toBe(DISCONNECT_REASON_OF[r] === 'eviction');
      if (ev !== null) expect(EVICTION_REASONS).toContain(ev);
    }
    expect(DISCONNECT_REASON_OF['socket-receive-timeout']).toBe('socket-receive-timeout');
    expect(DISCONNECT_REASON_OF['socket-send-timeout']).toBe('socket-send-timeout');
    expect(DISCONNECT_REASON_OF['socket-no-message']).toBe('socket-no-message');
    expect(DISCONNECT_REASON_OF['ping-timeout']).toBe('ping-timeout');
    expect(DISCONNECT_REASON_OF['version-handshake-timeout']).toBe('handshake-timeout');
    expect(DISCONNECT_REASON_OF['v2-handshake-timeout']).toBe('handshake-timeout');
    expect(DISCONNECT_REASON_OF['misbehaving']).toBe('misbehaviour');
    // What the peer did is said in Core's words ("socket closed", "socket recv error"), never "other".
    expect(DISCONNECT_REASON_OF['remote-closed']).toBe('socket-closed');
    expect(DISCONNECT_REASON_OF['remote-reset']).toBe('socket-recv-error');
    expect(DISCONNECT_REASON_OF['shutdown']).toBe('shutdown');
    expect(DISCONNECT_REASON_OF['missing-services']).toBe('handshake-refused');
    // Only Core's inactivity rules count as inactivity timeouts.
    const inactivity = reasons.filter((r) => INACTIVITY_TIMEOUT_REASONS.includes(DISCONNECT_REASON_OF[r])).sort();
    expect(inactivity).toEqual(['ping-timeout', 'socket-no-message', 'socket-receive-timeout', 'socket-send-timeout', 'v2-handshake-timeout', 'version-handshake-timeout']);
    expect(EVICTION_REASON_OF['evicted']).toBe('inbound-slots-full');
    expect(EVICTION_REASON_OF['evicted-tx-relay']).toBe('tx-relay-capacity');
    expect(EVICTION_REASON_OF['extra-outbound-evicted']).toBe('extra-full-relay-outbound');
    expect(EVICTION_REASON_OF['extra-block-relay-evicted']).toBe('extra-block-relay-outbound');
    expect(EVICTION_REASON_OF['outbound-eviction-chain-sync']).toBe('outbound-old-chain');
  });

  it("names connection types as Core's RPC does and keys outbound ones as the series do", () => {
    for (const t of ALL_CONNECTION_TYPES) {
      expect(connTypeNameOf(t)).toBe(connectionTypeAsString(t));
      const key = outboundKeyOf(t);
      if (t === ConnectionType.INBOUND) expect(key).toBeNull();
      else expect(OUTBOUND_CONN_TYPES.find((i) => i.key === key)?.coreName).toBe(connTypeNameOf(t));
    }
  });
});

describe('a 36-node world recorded for 90 minutes', () => {
  const seed = 21;
  let run: Run;
  let world: World;
  let result: RunResult;
  beforeAll(() => {
    run = plainRun();
    expect(run.result.identity.seed).toBe(String(seed));
    ({ world, result } = run);
  });

  it('produces a RunResult that parseRunResult accepts and that round-trips through JSON', () => {
    const json = JSON.parse(JSON.stringify(result)) as unknown;
    expect(parseRunResult(json)).toEqual(result);
  });

  it('samples every tick (10-minute grid, start included) and only running nodes', () => {
    const times = result.series.network.map((s) => s.tMicros);
    expect(times).toEqual(Array.from({ length: 10 }, (_, i) => i * INTERVAL));
    expect(run.recorder.tickCount).toBe(10);
    // Nodes start within the first 20 s (none is up at the first tick); node 5 crashed at 40 min,
    // after the tick at 40 min, so 36 nodes are sampled up to that tick and 35 after.
    for (const s of result.series.network.slice(1)) expect(s.honestNodes).toBe(s.tMicros <= minutes(40) ? 36 : 35);
    expect(result.series.finalNodes.map((n) => n.nodeId)).not.toContain(5);
    // Victims' samples cover both victims at every tick after the first.
    expect(result.series.victims.length).toBe(18);
    expect(result.eclipses).toEqual([
      { nodeId: 3, timeToEclipseMicros: null },
      { nodeId: 7, timeToEclipseMicros: null },
    ]);
  });

  it('has no eclipsed node without an attacker, full outbound slots and non-empty AddrMans at the end', () => {
    for (const s of result.series.network) {
      expect(s.eclipsedNodes).toBe(0);
      expect(s.outbound.fullRelay.attacker + s.addrmanNewAttacker + s.addrmanTriedAttacker).toBe(0);
    }
    for (const n of result.series.finalNodes) {
      expect(n.addrmanNew + n.addrmanTried, `node ${n.nodeId}`).toBeGreaterThan(0);
      expect(n.addrmanTried, `node ${n.nodeId}`).toBeGreaterThan(0);
      expect(n.longLivedOutbound, `node ${n.nodeId}`).toBeGreaterThan(0);
      expect(n.distinctNetgroups).toBeGreaterThan(1);
    }
    const last = result.series.network[result.series.network.length - 1]!;
    expect(last.outbound.fullRelay.total).toBeGreaterThan(35 * 6);
  });

  it('agrees with the nodes at the last tick (peer counts by type, AddrMan sizes)', () => {
    for (const sample of result.series.finalNodes) {
      const c = world.nodes[sample.nodeId]!.connman!;
      const live = c.getNodes().filter((n) => n.successfullyConnected && !n.disconnect);
      const count = (t: ConnectionType): number => live.filter((n) => n.connType === t).length;
      expect(sample.outbound.fullRelay.total).toBe(count(ConnectionType.OUTBOUND_FULL_RELAY));
      expect(sample.outbound.blockRelay.total).toBe(count(ConnectionType.BLOCK_RELAY));
      expect(sample.outbound.feeler.total).toBe(count(ConnectionType.FEELER));
      expect(sample.inboundTotal).toBe(count(ConnectionType.INBOUND));
      expect(sample.addrmanNew).toBe(c.addrman.size(null, true));
      expect(sample.addrmanTried).toBe(c.addrman.size(null, false));
    }
  });

  it('samples a node whose connections did not change as if it had counted it afresh', () => {
    // The last tick reused most nodes' peer snapshots and metrics from the tick before; a snapshot
    // taken now (nothing ran since) is built from scratch and must give the same samples.
    const t = result.series.network.at(-1)!.tMicros;
    for (const sample of result.series.finalNodes) expect(sample).toEqual(nodeSample(t, run.recorder.snapshotOf(sample.nodeId)!));
    expect(result.series.finalNodes.length).toBeGreaterThan(30);
  });

  it('records disconnects with mapped reasons, including connect timeouts and the crash', () => {
    const records = run.recorder.disconnectRecords();
    const reasons = new Set(records.map((r) => r.reason));
    expect(reasons.has('feeler-done')).toBe(true);
    expect(reasons.has('connect-timeout')).toBe(true);
    // Node 9's graceful restart closes its connections ('shutdown'); its peers see them closed.
    expect(reasons.has('shutdown')).toBe(true);
    expect(reasons.has('socket-closed')).toBe(true);
    for (const r of records) {
      expect(DISCONNECT_REASONS).toContain(r.reason);
      expect(r.durationMicros).toBeGreaterThanOrEqual(0);
      expect(r.attackerPeer).toBe(false);
    }
    // Stale addresses never answer: their attempts time out after Core's 5 s -timeout.
    for (const r of records.filter((x) => x.reason === 'connect-timeout')) expect(r.durationMicros).toBe(seconds(5));
    // The crash ended node 5's connections at 40 min.
    const crash = records.filter((r) => r.nodeId === 5 && r.tMicros === minutes(40));
    expect(crash.length).toBeGreaterThan(0);
    expect(crash.every((r) => r.reason === 'node-crashed')).toBe(true);
    const total = result.events.timeToDisconnect.reduce((a, t) => a + t.count, 0);
    expect(total).toBe(records.length);
    const opened = result.events.connections.reduce((a, b) => a + b.opened, 0);
    const closed = result.events.connections.reduce((a, b) => a + b.closed, 0);
    let stillOpen = 0;
    for (const n of world.nodes) stillOpen += n.connman?.getNodes().length ?? 0;
    expect(opened - closed).toBe(stillOpen);
  });

  it('counts traffic per message type (bytes and messages, ordered by type)', () => {
    const types = result.bytes.map((b) => b.msgType);
    expect(types).toEqual([...types].sort());
    const version = result.bytes.find((b) => b.msgType === 'version')!;
    const verack = result.bytes.find((b) => b.msgType === 'verack')!;
    expect(version.sentMessages).toBeGreaterThan(0);
    expect(verack.sentBytes).toBe(24 * verack.sentMessages);
    // Every peer is honest here: what arrived was sent by a recorded node (some is still in flight or was cut off).
    for (const b of result.bytes) {
      expect(b.recvMessages, b.msgType).toBeLessThanOrEqual(b.sentMessages);
      expect(b.recvBytes, b.msgType).toBeLessThanOrEqual(b.sentBytes);
    }
    const addr = result.bytes.find((b) => b.msgType === 'addr' || b.msgType === 'addrv2');
    expect(addr?.recvMessages ?? 0).toBeGreaterThan(0);
  });

  it('finds every invariant held, with the checks appended to the result', () => {
    const inv = result.checks.filter((c) => c.name.startsWith('invariant: '));
    expect(inv.map((c) => c.name)).toEqual([
      'invariant: outbound limits',
      'invariant: inbound limit',
      'invariant: no duplicate connections',
      'invariant: distinct outbound netgroups',
      'invariant: addrman consistency',
    ]);
    expect(inv.filter((c) => !c.passed)).toEqual([]);
    expect(run.monitor.allHeld()).toBe(true);
  });

  it('gives identical JSON for the same seed, and a different run for another seed', () => {
    // A second run of the seed from scratch (the one that also streams the connection log).
    const again = loggedRun().run.result;
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
    const other = attackerRun().run.result;
    expect(other.identity.seed).not.toBe(result.identity.seed);
    expect(other.identity.traceDigest).not.toBe(result.identity.traceDigest);
    expect(JSON.stringify(other.series)).not.toBe(JSON.stringify(result.series));
  });
});

describe('the per-connection log', () => {
  it('has a row per connection (closed, crashed or still open), consistent with the disconnects, and observes only', () => {
    const { run: { world, recorder, result }, log } = loggedRun();
    // Observing changes nothing: the same digest and the same RunResult as without the log.
    const plain = plainRun();
    expect(world.digest()).toBe(plain.world.digest());
    expect(JSON.stringify(result)).toBe(JSON.stringify(plain.result));
    const closed = log.filter((r) => r.closeMicros !== null);
    const open = log.filter((r) => r.closeMicros === null);
    // Every ended connection that had a CNode is a disconnect record too (connect timeouts have no CNode).
    const records = recorder.disconnectRecords().filter((r) => r.reason !== 'connect-timeout');
    expect(closed.length).toBe(records.length);
    const count = (rows: { closeReason?: string | null; reason?: string }[], reason: string) => rows.filter((r) => (r.closeReason ?? r.reason) === reason).length;
    for (const reason of DISCONNECT_REASONS) expect(count(closed, reason), reason).toBe(count(records, reason));
    // The rows still open are exactly the connections open at the end.
    let stillOpen = 0;
    for (const n of world.nodes) stillOpen += n.connman?.getNodes().length ?? 0;
    expect(open.length).toBe(stillOpen);
    for (const r of open) expect([r.closeReason, r.evictionRule]).toEqual([null, null]);
    // Rows come in close order, then the open ones by (node, opening).
    const closes = closed.map((r) => r.closeMicros!);
    expect([...closes].sort((a, b) => a - b)).toEqual(closes);
    for (let i = 1; i < open.length; i++) expect(open[i]!.node > open[i - 1]!.node || (open[i]!.node === open[i - 1]!.node && open[i]!.openMicros >= open[i - 1]!.openMicros)).toBe(true);
    for (const r of log) {
      expect(r.openMicros).toBeGreaterThanOrEqual(0);
      if (r.closeMicros !== null) expect(r.closeMicros).toBeGreaterThanOrEqual(r.openMicros);
      expect(r.network).toBe('ipv4');
      expect(r.peer).toMatch(/^\d+\.\d+\.\d+\.\d+:\d+$/);
      expect(r.netgroupHex).toMatch(/^01[0-9a-f]{4}$/);
      expect(r.asn).toBe(toyAsn(world.nodes[0]!.address)); // the toy ASN of every IPv4 address here
      expect(r.attacker).toBe(false);
      expect(r.evictionRule !== null).toBe(r.closeReason === 'eviction');
    }
    // The crash of node 5 at 40 min ended its connections; node 9's restart shut its down.
    expect(log.filter((r) => r.node === 5 && r.closeMicros === minutes(40)).every((r) => r.closeReason === 'node-crashed')).toBe(true);
    expect(log.some((r) => r.node === 5 && r.closeReason === 'node-crashed')).toBe(true);
    expect(log.some((r) => r.node === 9 && r.closeReason === 'shutdown')).toBe(true);
    // Honest peers are named by their index; a connection between two honest nodes is a row on each side.
    const outbound = log.filter((r) => r.connType === 'outbound-full-relay' && r.peerNode !== null && r.peerNode >= 0 && r.handshake);
    expect(outbound.length).toBeGreaterThan(30);
    const o = outbound.find((r) => r.closeMicros === null)!;
    expect(log.some((r) => r.node === o.peerNode && r.connType === 'inbound' && r.peerNode === o.node && r.closeMicros === null)).toBe(true);
    // A feeler ends on the peer's VERSION, before VERACK (Core's "feeler connection completed").
    const feelers = log.filter((r) => r.connType === 'feeler' && r.closeReason === 'feeler-done');
    expect(feelers.length).toBeGreaterThan(0);
    expect(feelers.every((r) => !r.handshake)).toBe(true);
  });
});

describe('attacker accounting', () => {
  it('counts attacker entries in AddrMan and attacker peers exactly', () => {
    const { run: w2, keys: attackerKeys } = attackerRun();
    const { world, result } = w2;
    let sawAttacker = false;
    for (const sample of result.series.finalNodes) {
      const c = world.nodes[sample.nodeId]!.connman!;
      // A new-table entry may sit in several buckets: count distinct addresses.
      const newAtt = new Set<string>();
      const triedAtt = new Set<string>();
      for (const e of c.addrman.getEntries(false)) if (attackerKeys.has(e.info.address.toStringAddr())) newAtt.add(e.info.address.toStringAddrPort());
      for (const e of c.addrman.getEntries(true)) if (attackerKeys.has(e.info.address.toStringAddr())) triedAtt.add(e.info.address.toStringAddrPort());
      expect(sample.addrmanNewAttacker, `node ${sample.nodeId}`).toBe(newAtt.size);
      expect(sample.addrmanTriedAttacker, `node ${sample.nodeId}`).toBe(triedAtt.size);
      const live = c.getNodes().filter((n) => n.successfullyConnected && !n.disconnect && n.connType !== ConnectionType.INBOUND);
      const att = live.filter((n) => attackerKeys.has(n.addr.toStringAddr())).length;
      let sampled = 0;
      for (const t of OUTBOUND_CONN_TYPES) sampled += sample.outbound[t.key].attacker;
      expect(sampled).toBe(att);
      if (sample.addrmanNewAttacker + sample.addrmanTriedAttacker > 0) sawAttacker = true;
    }
    expect(sawAttacker).toBe(true);
    expect(result.series.network.some((s) => s.addrmanNewAttacker + s.addrmanTriedAttacker > 0)).toBe(true);
    expect(w2.recorder.disconnectRecords().some((r) => r.attackerPeer)).toBe(true);
  });

  it('drops its cached attacker answers when attackerEpoch changes (attackers that join mid-run)', () => {
    // No attacker until the 45th minute, then the first six nodes' addresses become attacker
    // addresses: every answer cached before (all "no") must be asked again.
    const keys = new Set<string>();
    let world: World | undefined;
    const later = (w: World): ((a: NetAddr) => boolean) => {
      world = w;
      w.kernel.at(minutes(45), w.kernel.register(() => {
        for (const n of w.nodes.slice(0, 6)) keys.add(n.address.toStringAddr());
      }, 'test-attackers-join'));
      return (a) => keys.has(a.toStringAddr());
    };
    const { result } = runWorld(33, later, () => keys.size);
    expect(world).toBeDefined();
    expect(keys.size).toBe(6);
    let total = 0;
    for (const sample of result.series.finalNodes) {
      const c = world!.nodes[sample.nodeId]!.connman!;
      const newAtt = new Set<string>();
      for (const e of c.addrman.getEntries(false)) if (keys.has(e.info.address.toStringAddr())) newAtt.add(e.info.address.toStringAddrPort());
      expect(sample.addrmanNewAttacker, `node ${sample.nodeId}`).toBe(newAtt.size);
      total += sample.addrmanNewAttacker + sample.addrmanTriedAttacker;
    }
    expect(total).toBeGreaterThan(0);
  });
});
