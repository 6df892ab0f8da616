// Test helper (used only by tests of reports/ and cli/): realistic RunResults made by a small
// seeded generator, standing in for the scenario runner until it exists. It fakes the snapshots a
// recorder would take (outbound peers with netgroups and ASNs, inbound peers, AddrMan sizes) and
// the event records, then builds the RunResult with the real metric functions, so the fixtures
// exercise summariseSnapshots, SeriesCollector, timeToEclipse and the event aggregators.
//
// It is not a network model: the numbers are plausible shapes, not simulated behaviour.
//   baselineFixture  — 24 h, 150 honest nodes, no attacker, no victims (victim charts say "no data");
//   eclipseFixture   — 150 min (minutes axis), 60 honest nodes of which 5 victims, a Sybil
//                      attacker on many /16s in two ASNs, three marks, a failed check;
//   emptyFixture     — a run that recorded nothing (every chart is the "no data" placeholder).

import {
  SeriesCollector,
  connectionBins,
  disconnectAggregates,
  evictionCounts,
  timeToEclipse,
  type ConnectionEventRecord,
} from './aggregate.ts';
import {
  RUN_RESULT_FORMAT_VERSION,
  type ConnTypeName,
  type DisconnectReason,
  type DisconnectRecord,
  type EvictionReason,
  type InboundPeerSnapshot,
  type MessageBytes,
  type NodeSnapshot,
  type OutboundConnKey,
  type OutboundPeerSnapshot,
  type RunResult,
} from '../../reports/run-result.ts';

const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;

/** mulberry32: a tiny deterministic generator, enough for fixtures. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

interface World {
  rand: () => number;
  /** Honest /16 groups as "01xxyy" hex, and the ASN of each. */
  honestGroups: string[];
  honestAsn: Map<string, number>;
  attackerGroups: string[];
  attackerAsn: Map<string, number>;
}

function makeWorld(seed: number, honestGroupCount: number, attackerGroupCount: number): World {
  const rand = generator(seed);
  const honestGroups: string[] = [];
  const honestAsn = new Map<string, number>();
  for (let i = 0; i < honestGroupCount; i++) {
    const g = `01${hex2(11 + (i % 200))}${hex2((i * 37) % 256)}`;
    honestGroups.push(g);
    honestAsn.set(g, 64_500 + Math.floor(Math.pow(rand(), 2) * 40)); // a few big ASNs hold many groups
  }
  const attackerGroups: string[] = [];
  const attackerAsn = new Map<string, number>();
  for (let i = 0; i < attackerGroupCount; i++) {
    const g = `01${hex2(212 + (i % 40))}${hex2((i * 53 + 7) % 256)}`;
    attackerGroups.push(g);
    attackerAsn.set(g, i % 2 === 0 ? 16_509 : 14_061);
  }
  return { rand, honestGroups, honestAsn, attackerGroups, attackerAsn };
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

interface NodeState {
  nodeId: number;
  role: 'honest' | 'victim';
  outbound: OutboundPeerSnapshot[];
  inbound: InboundPeerSnapshot[];
  addrmanNew: number;
  addrmanNewAttacker: number;
  addrmanTried: number;
  addrmanTriedAttacker: number;
}

/** A new outbound peer in a group the node does not use yet (Core keeps outbound groups distinct). */
function newOutbound(w: World, node: NodeState, connType: OutboundConnKey, attackerProb: number): OutboundPeerSnapshot {
  const used = new Set(node.outbound.map((p) => p.netgroupHex));
  const attacker = w.rand() < attackerProb;
  const pool = attacker ? w.attackerGroups : w.honestGroups;
  let g = pick(w.rand, pool);
  for (let i = 0; i < 20 && used.has(g); i++) g = pick(w.rand, pool);
  const asn = (attacker ? w.attackerAsn : w.honestAsn).get(g)!;
  return { connType, netgroupHex: g, asn, attacker };
}

interface Generated {
  collector: SeriesCollector;
  disconnects: DisconnectRecord[];
  connections: ConnectionEventRecord[];
  evictions: EvictionReason[];
}

interface Plan {
  seed: number;
  honestNodes: number;
  victims: number;
  durationMicros: number;
  sampleIntervalMicros: number;
  attackStartMicros: number | null;
  restartMicros: number | null;
  honestGroups: number;
  attackerGroups: number;
}

/** Durations per disconnect reason, in µs, shaped like Core's timeouts. */
function disconnectDuration(w: World, reason: DisconnectReason): number {
  const r = w.rand();
  switch (reason) {
    case 'connect-timeout':
      return 5_000_000;
    case 'socket-no-message':
    case 'handshake-timeout':
      return 60_000_000 + Math.floor(r * 1_500_000);
    case 'socket-send-timeout':
    case 'socket-receive-timeout':
    case 'ping-timeout':
      return 20 * MINUTE + Math.floor(r * 60_000_000);
    case 'feeler-done':
      return 200_000 + Math.floor(r * 2_000_000);
    case 'addr-fetch-done':
      return 1_000_000 + Math.floor(r * 8_000_000);
    case 'eviction':
      return Math.floor(Math.exp(13 + r * 9));
    case 'misbehaviour':
      return Math.floor(Math.exp(12 + r * 6));
    default:
      return Math.floor(Math.exp(14 + r * 8));
  }
}

const OUTBOUND_DISCONNECT_MIX: readonly [DisconnectReason, number][] = [
  ['connect-timeout', 0.3],
  ['handshake-timeout', 0.05],
  ['socket-receive-timeout', 0.05],
  ['socket-send-timeout', 0.01],
  ['ping-timeout', 0.04],
  ['eviction', 0.1],
  ['misbehaviour', 0.02],
  ['socket-recv-error', 0.13],
  ['socket-closed', 0.3],
];

function drawReason(w: World, attackOn: boolean): DisconnectReason {
  let r = w.rand();
  for (const [reason, p] of OUTBOUND_DISCONNECT_MIX) {
    // Under attack, silent attacker peers push the inactivity timeouts up.
    const q = attackOn && (reason === 'ping-timeout' || reason === 'socket-receive-timeout') ? p * 3 : p;
    if (r < q) return reason;
    r -= q;
  }
  return 'socket-closed';
}

function connTypeName(k: OutboundConnKey): ConnTypeName {
  switch (k) {
    case 'fullRelay':
      return 'outbound-full-relay';
    case 'blockRelay':
      return 'block-relay-only';
    case 'manual':
      return 'manual';
    case 'feeler':
      return 'feeler';
    case 'addrFetch':
      return 'addr-fetch';
    case 'privateBroadcast':
      return 'private-broadcast';
  }
}

function generate(plan: Plan): Generated {
  const w = makeWorld(plan.seed, plan.honestGroups, plan.attackerGroups);
  const nodes: NodeState[] = [];
  for (let i = 0; i < plan.honestNodes; i++) {
    nodes.push({
      nodeId: i,
      role: i < plan.victims ? 'victim' : 'honest',
      outbound: [],
      inbound: [],
      addrmanNew: 0,
      addrmanNewAttacker: 0,
      addrmanTried: 0,
      addrmanTriedAttacker: 0,
    });
  }
  const collector = new SeriesCollector();
  const disconnects: DisconnectRecord[] = [];
  const connections: ConnectionEventRecord[] = [];
  const evictions: EvictionReason[] = [];
  const step = plan.sampleIntervalMicros;
  let restarted = false;
  for (let t = 0; t <= plan.durationMicros; t += step) {
    const attackOn = plan.attackStartMicros !== null && t >= plan.attackStartMicros;
    const restartNow = plan.restartMicros !== null && !restarted && t >= plan.restartMicros;
    if (restartNow) restarted = true;
    for (const n of nodes) {
      const victim = n.role === 'victim';
      // AddrMan fills towards its capacity; attacker addresses flood the victims' new table.
      const newCap = 20_000 + n.nodeId * 37;
      const fill = 0.25 + 0.75 * (1 - Math.exp(-(t + step) / (4 * HOUR)));
      n.addrmanNew = Math.floor(newCap * fill);
      n.addrmanTried = Math.floor(1_500 * fill);
      const floodNew = attackOn ? (victim ? 0.92 : 0.06) * (1 - Math.exp(-(t - plan.attackStartMicros!) / (25 * MINUTE))) : 0;
      const floodTried = attackOn ? (victim ? 0.55 : 0.01) * (1 - Math.exp(-(t - plan.attackStartMicros!) / (60 * MINUTE))) : 0;
      n.addrmanNewAttacker = Math.floor(n.addrmanNew * floodNew);
      n.addrmanTriedAttacker = Math.floor(n.addrmanTried * floodTried);
      const attackerProb = attackOn ? (victim ? Math.min(0.97, floodNew + 0.05) : floodNew * 0.5) : 0;

      if (restartNow && victim) {
        // A restart drops every connection; the victim re-picks all of them from its poisoned tables.
        for (const p of n.outbound) {
          disconnects.push({ tMicros: t, nodeId: n.nodeId, connType: connTypeName(p.connType), reason: 'shutdown', durationMicros: disconnectDuration(w, 'shutdown'), attackerPeer: p.attacker });
          connections.push({ tMicros: t, connType: connTypeName(p.connType), kind: 'close' });
        }
        n.outbound = [];
      }
      // Drop feelers and addr-fetch connections from the previous tick (they are short-lived).
      for (const p of n.outbound.filter((q) => q.connType === 'feeler' || q.connType === 'addrFetch')) {
        const reason: DisconnectReason = p.connType === 'feeler' ? 'feeler-done' : 'addr-fetch-done';
        disconnects.push({ tMicros: t + 1, nodeId: n.nodeId, connType: connTypeName(p.connType), reason, durationMicros: disconnectDuration(w, reason), attackerPeer: p.attacker });
        connections.push({ tMicros: t + 1, connType: connTypeName(p.connType), kind: 'close' });
      }
      n.outbound = n.outbound.filter((q) => q.connType !== 'feeler' && q.connType !== 'addrFetch');
      // Churn: each long-lived connection ends with a small probability, attacker ones more often.
      const kept: OutboundPeerSnapshot[] = [];
      for (const p of n.outbound) {
        // Under attack the victims' honest peers are pushed out (the attacker keeps them busy and
        // silent until they time out), so the victims' slots drift to the attacker.
        const dropProb = p.attacker ? (victim ? 0.005 : 0.08) : victim && attackOn ? 0.12 : 0.015;
        if (w.rand() < dropProb) {
          const reason = drawReason(w, attackOn);
          disconnects.push({ tMicros: t + Math.floor(w.rand() * step), nodeId: n.nodeId, connType: connTypeName(p.connType), reason, durationMicros: disconnectDuration(w, reason), attackerPeer: p.attacker });
          connections.push({ tMicros: t, connType: connTypeName(p.connType), kind: 'close' });
          if (reason === 'eviction') evictions.push(p.connType === 'blockRelay' ? 'extra-block-relay-outbound' : w.rand() < 0.5 ? 'extra-full-relay-outbound' : 'outbound-old-chain');
        } else kept.push(p);
      }
      n.outbound = kept;
      // Fill the slots: 8 full-relay, 2 block-relay-only (Core's defaults).
      for (const [k, want] of [
        ['fullRelay', 8],
        ['blockRelay', 2],
      ] as const) {
        while (n.outbound.filter((p) => p.connType === k).length < want) {
          // Connect timeouts precede some successful connections.
          if (w.rand() < 0.2) {
            disconnects.push({ tMicros: t + Math.floor(w.rand() * step), nodeId: n.nodeId, connType: connTypeName(k), reason: 'connect-timeout', durationMicros: 5_000_000, attackerPeer: false });
          }
          n.outbound.push(newOutbound(w, n, k, attackerProb));
          connections.push({ tMicros: t + Math.floor(w.rand() * step), connType: connTypeName(k), kind: 'open' });
        }
      }
      if (w.rand() < 0.12) {
        n.outbound.push(newOutbound(w, n, 'feeler', attackerProb));
        connections.push({ tMicros: t, connType: 'feeler', kind: 'open' });
      }
      if (t === 0 && w.rand() < 0.3) {
        n.outbound.push(newOutbound(w, n, 'addrFetch', 0));
        connections.push({ tMicros: t, connType: 'addr-fetch', kind: 'open' });
      }
      // Inbound: listening nodes get up to ~40 peers; the attacker fills the victims' slots.
      const inboundWanted = n.nodeId % 3 === 0 ? 0 : Math.min(40, Math.floor((t / HOUR + 1) * 6 * w.rand()) + 4);
      const inbound: InboundPeerSnapshot[] = [];
      for (let i = 0; i < inboundWanted; i++) {
        const attacker = attackOn && w.rand() < (victim ? 0.7 : 0.05);
        inbound.push({ netgroupHex: pick(w.rand, attacker ? w.attackerGroups.slice(0, 4) : w.honestGroups), attacker });
      }
      if (inboundWanted > 0 && w.rand() < 0.3) {
        const evicted = attackOn && w.rand() < 0.5 ? 'tx-relay-capacity' : 'inbound-slots-full';
        evictions.push(evicted);
        disconnects.push({ tMicros: t + Math.floor(w.rand() * step), nodeId: n.nodeId, connType: 'inbound', reason: 'eviction', durationMicros: disconnectDuration(w, 'eviction'), attackerPeer: false });
        connections.push({ tMicros: t, connType: 'inbound', kind: 'close' });
        connections.push({ tMicros: t, connType: 'inbound', kind: 'open' });
      }
      n.inbound = inbound;
    }
    if (t > plan.durationMicros) break;
    const snapshots: NodeSnapshot[] = nodes.map((n) => {
      // Connections still in their handshake hold inbound slots too: under attack, the victims'
      // silent attacker peers (a few, varying tick by tick); elsewhere one honest newcomer.
      const listening = n.nodeId % 3 !== 0;
      const silent = listening && n.role === 'victim' && attackOn ? 6 + ((t / step) % 5) : 0;
      const pending = listening ? 1 : 0;
      return {
        nodeId: n.nodeId,
        role: n.role,
        outbound: n.outbound.map((p) => ({ ...p })),
        inbound: n.inbound.map((p) => ({ ...p })),
        inboundSlots: n.inbound.length + silent + pending,
        inboundSlotsAttacker: n.inbound.filter((p) => p.attacker).length + silent,
        inboundLimit: 114,
        addrmanNew: n.addrmanNew,
        addrmanNewAttacker: n.addrmanNewAttacker,
        addrmanTried: n.addrmanTried,
        addrmanTriedAttacker: n.addrmanTriedAttacker,
      };
    });
    collector.add(t, snapshots);
  }
  return { collector, disconnects: disconnects.filter((d) => d.tMicros <= plan.durationMicros), connections: connections.filter((c) => c.tMicros <= plan.durationMicros), evictions };
}

function messageBytes(scale: number, attack: boolean): MessageBytes[] {
  // Per-message sizes: header (24 B) plus typical payloads.
  const table: [string, number, number][] = [
    ['addr', 24 + 30 * 300, 40],
    ['addrv2', 24 + 20 * 400, 120 * (attack ? 20 : 1)],
    ['block', 24 + 1_400_000, 2],
    ['feefilter', 24 + 8, 10],
    ['getaddr', 24, 10],
    ['getheaders', 24 + 1_000, 12],
    ['headers', 24 + 81 * 3, 40],
    ['inv', 24 + 37 * 20, 2_000],
    ['ping', 24 + 8, 90],
    ['pong', 24 + 8, 88],
    ['sendaddrv2', 24, 10],
    ['sendcmpct', 24 + 9, 10],
    ['tx', 24 + 400, 1_500],
    ['verack', 24, 10],
    ['version', 24 + 102, 10],
    ['wtxidrelay', 24, 10],
  ];
  return table.map(([msgType, size, count]) => {
    const sentMessages = Math.round(count * scale);
    const recvMessages = Math.round(count * scale * (msgType === 'addrv2' && attack ? 3 : 1.02));
    return { msgType, sentBytes: sentMessages * size, recvBytes: recvMessages * size, sentMessages, recvMessages };
  });
}

function assemble(
  plan: Plan,
  head: { scenario: string; seed: string; profile: string; attackerNodes: number; params: RunResult['identity']['params'] },
  marks: RunResult['marks'],
  checksFor: (r: RunResult) => RunResult['checks'],
): RunResult {
  const g = generate(plan);
  const series = g.collector.finish();
  const victimIds = Array.from({ length: plan.victims }, (_, i) => i);
  const binMicros = plan.sampleIntervalMicros;
  const dis = disconnectAggregates(g.disconnects, binMicros);
  const attackStartMicros = plan.attackStartMicros ?? 0;
  const result: RunResult = {
    formatVersion: RUN_RESULT_FORMAT_VERSION,
    identity: {
      scenario: head.scenario,
      seed: head.seed,
      profile: head.profile,
      params: head.params,
      durationMicros: plan.durationMicros,
      sampleIntervalMicros: plan.sampleIntervalMicros,
      attackStartMicros,
      honestNodes: plan.honestNodes,
      attackerNodes: head.attackerNodes,
      victimIds,
      eventsProcessed: g.disconnects.length * 97 + g.connections.length * 13,
      traceDigest: `fixture-${plan.seed.toString(16).padStart(8, '0')}`,
      codeVersion: 'connsim 0.1.0 (fixture)',
      reproduce: `connsim run ${head.scenario} --seed ${head.seed} --profile ${head.profile}`,
    },
    series,
    events: {
      binMicros,
      disconnects: dis.disconnects,
      timeToDisconnect: dis.timeToDisconnect,
      connections: connectionBins(g.connections, binMicros),
      evictions: evictionCounts(g.evictions),
    },
    bytes: messageBytes(plan.honestNodes * (plan.durationMicros / HOUR), plan.attackStartMicros !== null),
    marks,
    checks: [],
    eclipses: timeToEclipse(series.victims, victimIds, attackStartMicros),
  };
  result.checks = checksFor(result);
  return result;
}

/** A day of an honest network: no attacker, no victims. */
export function baselineFixture(): RunResult {
  const plan: Plan = {
    seed: 0x5eed0001,
    honestNodes: 150,
    victims: 0,
    durationMicros: 24 * HOUR,
    sampleIntervalMicros: 15 * MINUTE,
    attackStartMicros: null,
    restartMicros: null,
    honestGroups: 400,
    attackerGroups: 1,
  };
  return assemble(
    plan,
    {
      scenario: 'baseline',
      seed: '7',
      profile: 'core-v29',
      attackerNodes: 0,
      params: [
        { name: 'duration', value: '24h' },
        { name: 'honestNodes', value: 150 },
        { name: 'sampleInterval', value: '15m' },
      ],
    },
    [{ tMicros: 6 * HOUR, label: 'DNS seeds offline' }],
    (r) => {
      const maxEclipsed = Math.max(0, ...r.series.network.map((s) => s.eclipsedNodes));
      return [
        { name: 'no honest node eclipsed', passed: maxEclipsed === 0, detail: `at most ${maxEclipsed} honest nodes were fully eclipsed at any sample (expected 0)` },
        { name: 'outbound slots filled', passed: true, detail: 'every honest node held 8 full-relay and 2 block-relay-only peers at the end' },
      ];
    },
  );
}

/** A Sybil eclipse attempt on five victims, with a restart of the victims at 60 min. */
export function eclipseFixture(): RunResult {
  const plan: Plan = {
    seed: 0x5eed0002,
    honestNodes: 60,
    victims: 5,
    durationMicros: 150 * MINUTE,
    sampleIntervalMicros: 5 * MINUTE,
    attackStartMicros: 20 * MINUTE,
    restartMicros: 60 * MINUTE,
    honestGroups: 300,
    attackerGroups: 60,
  };
  return assemble(
    plan,
    {
      scenario: 'eclipse-sybil',
      seed: 'eclipse-42',
      profile: 'core-v29-no-feelers',
      attackerNodes: 400,
      params: [
        { name: 'attackerAsns', value: 2 },
        { name: 'attackerNetgroups', value: 60 },
        { name: 'duration', value: '150m' },
        { name: 'honestNodes', value: 60 },
        { name: 'victims', value: 5 },
      ],
    },
    [
      { tMicros: 20 * MINUTE, label: 'attack starts' },
      { tMicros: 60 * MINUTE, label: 'victims restart' },
      { tMicros: 62 * MINUTE, label: 'addr flood, "burst" 2' },
    ],
    (r) => {
      const eclipsed = r.eclipses.filter((e) => e.timeToEclipseMicros !== null).length;
      const last = r.series.network[r.series.network.length - 1];
      const others = last ? last.eclipsedNodes - r.series.finalNodes.filter((n) => n.role === 'victim' && n.eclipsed).length : 0;
      return [
        { name: 'victims eclipsed', passed: eclipsed >= 3, detail: `${eclipsed} of ${r.eclipses.length} victims were fully eclipsed (expected at least 3)` },
        { name: 'bystanders not eclipsed', passed: others === 0, detail: `${others} non-victim honest nodes were eclipsed at the end (expected 0)` },
        { name: 'diversity kept, with <markup> & "quotes"', passed: false, detail: 'median distinct ASNs among victims fell below 3 (a, b, c)' },
      ];
    },
  );
}

/** A run that recorded nothing at all: every chart must say "no data". */
export function emptyFixture(): RunResult {
  return {
    formatVersion: RUN_RESULT_FORMAT_VERSION,
    identity: {
      scenario: 'empty',
      seed: '0',
      profile: 'core-v29',
      params: [],
      durationMicros: 0,
      sampleIntervalMicros: MINUTE,
      attackStartMicros: 0,
      honestNodes: 0,
      attackerNodes: 0,
      victimIds: [],
      eventsProcessed: 0,
      traceDigest: '0000000000000000',
      codeVersion: 'connsim 0.1.0 (fixture)',
      reproduce: 'connsim run empty --seed 0',
    },
    series: { network: [], victims: [], finalNodes: [], victimInboundNetgroups: [] },
    events: { binMicros: MINUTE, disconnects: [], timeToDisconnect: [], connections: [], evictions: [] },
    bytes: [],
    marks: [],
    checks: [],
    eclipses: [],
  };
}

/** Every fixture by name, in a stable order. */
export function allFixtures(): { name: string; result: RunResult }[] {
  return [
    { name: 'baseline', result: baselineFixture() },
    { name: 'eclipse', result: eclipseFixture() },
    { name: 'empty', result: emptyFixture() },
  ];
}
