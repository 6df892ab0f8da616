// The recorder's aggregation (aggregate.ts): entropy, percentiles, per-node samples, tick
// summaries, the series collector, time to eclipse and the connection-event aggregates.
import { describe, expect, it } from 'vitest';

import {
  ConnectionBinner,
  DisconnectLog,
  SeriesCollector,
  connectionBins,
  disconnectAggregates,
  evictionCounts,
  isEclipsed,
  nodeSample,
  percentileGrid,
  percentiles,
  quantileSorted,
  shannonEntropyBits,
  summariseSnapshots,
  timeToEclipse,
} from './aggregate.ts';
import type { NodeSample, NodeSnapshot, OutboundConnKey } from '../../reports/run-result.ts';

function peer(connType: OutboundConnKey, netgroupHex: string, asn: number, attacker: boolean) {
  return { connType, netgroupHex, asn, attacker };
}

function snapshot(nodeId: number, outbound: ReturnType<typeof peer>[], inbound: { netgroupHex: string; attacker: boolean }[] = []): NodeSnapshot {
  // Two more inbound connections than fully connected ones (still in their handshake, one the attacker's).
  const inboundSlots = inbound.length + 2;
  const inboundSlotsAttacker = inbound.filter((p) => p.attacker).length + 1;
  return { nodeId, role: 'honest', outbound, inbound, inboundSlots, inboundSlotsAttacker, inboundLimit: 114, addrmanNew: 100, addrmanNewAttacker: 10, addrmanTried: 20, addrmanTriedAttacker: 0 };
}

describe('shannonEntropyBits', () => {
  it('is 0 for no peers and for a single group', () => {
    expect(shannonEntropyBits([])).toBe(0);
    expect(shannonEntropyBits([0, 0])).toBe(0);
    expect(shannonEntropyBits([7])).toBe(0);
  });
  it('is log2(k) for k equally used groups', () => {
    expect(shannonEntropyBits([1, 1])).toBeCloseTo(1, 12);
    expect(shannonEntropyBits([3, 3, 3, 3])).toBeCloseTo(2, 12);
    expect(shannonEntropyBits([1, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(3, 12);
  });
  it('matches the formula on a skewed distribution', () => {
    // p = (1/2, 1/4, 1/4): H = 0.5*1 + 2 * 0.25*2 = 1.5 bits
    expect(shannonEntropyBits([2, 1, 1])).toBeCloseTo(1.5, 12);
    // p = (0.9, 0.1)
    expect(shannonEntropyBits([9, 1])).toBeCloseTo(-(0.9 * Math.log2(0.9) + 0.1 * Math.log2(0.1)), 12);
  });
});

describe('distinct groups and percentiles', () => {
  it('quantileSorted interpolates like d3.quantile (R-7)', () => {
    const s = [1, 2, 3, 4];
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(4);
    expect(quantileSorted(s, 0.5)).toBe(2.5);
    expect(quantileSorted(s, 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([], 0.5)).toBeNull();
    expect(quantileSorted([9], 0.3)).toBe(9);
  });
  it('percentiles of nothing are all null', () => {
    expect(percentiles([])).toEqual({ min: null, p10: null, p25: null, median: null, p75: null, p90: null, max: null });
    expect(percentiles([5, 1, 3]).median).toBe(3);
  });
  it('percentileGrid is 101 nearest-rank quantiles', () => {
    const g = percentileGrid([10, 20, 30, 40]);
    expect(g).toHaveLength(101);
    expect(g[0]).toBe(10);
    expect(g[25]).toBe(10);
    expect(g[26]).toBe(20);
    expect(g[50]).toBe(20);
    expect(g[100]).toBe(40);
    expect(percentileGrid([])).toEqual([]);
  });
});

describe('nodeSample', () => {
  it('counts slots by type, distinct netgroups and ASNs, and inbound concentration', () => {
    const s = nodeSample(
      5,
      snapshot(
        1,
        [peer('fullRelay', '010a01', 100, false), peer('fullRelay', '010a02', 100, true), peer('blockRelay', '010b01', 200, true), peer('feeler', '010a01', 100, false)],
        [
          { netgroupHex: '01c0a8', attacker: true },
          { netgroupHex: '01c0a8', attacker: true },
          { netgroupHex: '01c0a9', attacker: false },
        ],
      ),
    );
    expect(s.outbound.fullRelay).toEqual({ total: 2, attacker: 1 });
    expect(s.outbound.blockRelay).toEqual({ total: 1, attacker: 1 });
    expect(s.outbound.feeler).toEqual({ total: 1, attacker: 0 });
    expect(s.longLivedOutbound).toBe(3);
    expect(s.longLivedOutboundAttacker).toBe(2);
    expect(s.eclipsed).toBe(false);
    expect(s.distinctNetgroups).toBe(3);
    expect(s.distinctAsns).toBe(2);
    expect(s.netgroupEntropyBits).toBeCloseTo(1.5, 12); // groups used 2, 1, 1 times
    expect(s.asnEntropyBits).toBeCloseTo(-(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)), 12); // ASNs used 3, 1 times
    expect(s.inboundTotal).toBe(3);
    expect([s.inboundSlots, s.inboundSlotsAttacker, s.inboundLimit]).toEqual([5, 3, 114]);
    expect(s.inboundAttacker).toBe(2);
    expect(s.inboundDistinctNetgroups).toBe(2);
    expect(s.inboundTopNetgroupShare).toBeCloseTo(2 / 3, 12);
  });
  it('a node whose long-lived peers are all the attacker is eclipsed, whatever its feelers are', () => {
    const s = nodeSample(0, snapshot(2, [peer('fullRelay', '01aa01', 1, true), peer('blockRelay', '01aa02', 1, true), peer('feeler', '010101', 2, false)]));
    expect(s.eclipsed).toBe(true);
    expect(isEclipsed(0, 0)).toBe(false); // no outbound peers: isolated, not eclipsed
  });
});

describe('summariseSnapshots', () => {
  it('eclipsed fraction on a 3-node case', () => {
    const tick = summariseSnapshots(60_000_000, [
      snapshot(3, [peer('fullRelay', '01aa01', 1, true), peer('fullRelay', '01aa02', 1, true)]), // eclipsed
      snapshot(1, [peer('fullRelay', '01aa01', 1, true), peer('fullRelay', '010102', 2, false)]), // not
      snapshot(2, []), // isolated, not eclipsed
    ]);
    expect(tick.nodes.map((n) => n.nodeId)).toEqual([1, 2, 3]);
    expect(tick.network.honestNodes).toBe(3);
    expect(tick.network.eclipsedNodes).toBe(1);
    expect(tick.network.eclipsedFraction).toBeCloseTo(1 / 3, 12);
    expect(tick.network.outbound.fullRelay).toEqual({ total: 4, attacker: 3 });
    expect(tick.network.addrmanNew).toBe(300);
    expect(tick.network.addrmanNewAttacker).toBe(30);
    expect(tick.network.distinctNetgroups.median).toBe(2);
    expect(tick.network.distinctNetgroups.min).toBe(0);
    // No node has inbound peers.
    expect(tick.network.inboundTopNetgroupShare.median).toBeNull();
  });
  it('an empty tick has zero fraction, not NaN', () => {
    const tick = summariseSnapshots(0, []);
    expect(tick.network.eclipsedFraction).toBe(0);
    expect(tick.network.distinctAsns.max).toBeNull();
  });
});

describe('SeriesCollector', () => {
  it('keeps victims every tick and every node at the last tick', () => {
    const c = new SeriesCollector();
    const v = (t: number, attacker: boolean): NodeSnapshot => ({
      ...snapshot(0, [peer('fullRelay', '01aa01', 1, attacker)], [{ netgroupHex: '01c0a8', attacker: true }]),
      role: 'victim',
    });
    c.add(0, [v(0, false), snapshot(1, [])]);
    c.add(10, [snapshot(1, []), v(10, true)]);
    expect(() => c.add(10, [])).toThrow(/not after/);
    const s = c.finish();
    expect(s.network.map((n) => n.tMicros)).toEqual([0, 10]);
    expect(s.victims.map((n) => [n.tMicros, n.nodeId, n.eclipsed])).toEqual([
      [0, 0, false],
      [10, 0, true],
    ]);
    expect(s.finalNodes.map((n) => n.nodeId)).toEqual([0, 1]);
    expect(s.victimInboundNetgroups).toEqual([{ nodeId: 0, netgroupHex: '01c0a8', count: 1, attacker: 1 }]);
  });
});

describe('timeToEclipse', () => {
  const sample = (nodeId: number, tMicros: number, eclipsed: boolean) => ({ nodeId, tMicros, eclipsed }) as NodeSample;
  it('is the first eclipsed tick at or after the attack start, minus the start; null if never', () => {
    const samples = [sample(1, 0, true), sample(1, 100, false), sample(1, 300, true), sample(1, 200, true), sample(2, 100, false), sample(2, 400, false)];
    expect(timeToEclipse(samples, [1, 2, 3], 50)).toEqual([
      { nodeId: 1, timeToEclipseMicros: 150 },
      { nodeId: 2, timeToEclipseMicros: null },
      { nodeId: 3, timeToEclipseMicros: null },
    ]);
  });
});

describe('event aggregates', () => {
  it('bins disconnects by time and reason and keeps per-reason durations', () => {
    const agg = disconnectAggregates(
      [
        { tMicros: 5, nodeId: 1, connType: 'inbound', reason: 'ping-timeout', durationMicros: 1200, attackerPeer: false },
        { tMicros: 1, nodeId: 1, connType: 'feeler', reason: 'feeler-done', durationMicros: 3, attackerPeer: false },
        { tMicros: 12, nodeId: 2, connType: 'inbound', reason: 'ping-timeout', durationMicros: 1300, attackerPeer: true },
        { tMicros: 9, nodeId: 2, connType: 'outbound-full-relay', reason: 'connect-timeout', durationMicros: 5, attackerPeer: false },
      ],
      10,
    );
    expect(agg.disconnects).toEqual([
      { tMicros: 0, reason: 'connect-timeout', count: 1 },
      { tMicros: 0, reason: 'ping-timeout', count: 1 },
      { tMicros: 0, reason: 'feeler-done', count: 1 },
      { tMicros: 10, reason: 'ping-timeout', count: 1 },
    ]);
    expect(agg.timeToDisconnect.map((d) => [d.reason, d.count, d.quantilesMicros[0], d.quantilesMicros[100]])).toEqual([
      ['connect-timeout', 1, 5, 5],
      ['ping-timeout', 2, 1200, 1300],
      ['feeler-done', 1, 3, 3],
    ]);
    expect(() => disconnectAggregates([], 0)).toThrow();
  });
  it('DisconnectLog keeps records in columns: same records back, same aggregates as the array', () => {
    const records = [
      { tMicros: 5, nodeId: 3, connType: 'feeler', reason: 'feeler-done', durationMicros: 1200, attackerPeer: false },
      { tMicros: 12, nodeId: 0, connType: 'inbound', reason: 'node-crashed', durationMicros: 7.5, attackerPeer: true },
      { tMicros: 2 ** 40, nodeId: 9999, connType: 'outbound-full-relay', reason: 'connect-timeout', durationMicros: 5e6, attackerPeer: false },
    ] as const;
    const log = new DisconnectLog();
    for (let k = 0; k < 200; k++) for (const r of records) log.push({ ...r, tMicros: r.tMicros + k });
    expect(log.length).toBe(600);
    expect(log.at(1)).toEqual(records[1]);
    expect(log.at(3)).toEqual({ ...records[0], tMicros: 6 });
    expect(disconnectAggregates(log, 10)).toEqual(disconnectAggregates(log.toArray(), 10));
    expect(() => log.push({ ...records[0], reason: 'nope' as never })).toThrow(RangeError);
    expect(() => log.at(600)).toThrow(RangeError);
  });
  it('ConnectionBinner fed event by event gives the bins at any moment, as copies', () => {
    const b = new ConnectionBinner(10);
    b.add(3, 'inbound', 'open');
    b.add(4, 'outbound-full-relay', 'open');
    const early = b.bins();
    expect(early).toEqual([
      { tMicros: 0, connType: 'outbound-full-relay', opened: 1, closed: 0 },
      { tMicros: 0, connType: 'inbound', opened: 1, closed: 0 },
    ]);
    b.add(5, 'inbound', 'close');
    b.add(25, 'feeler', 'close');
    // The earlier answer is not changed by later events.
    expect(early[1]!.closed).toBe(0);
    expect(b.bins()).toEqual([
      { tMicros: 0, connType: 'outbound-full-relay', opened: 1, closed: 0 },
      { tMicros: 0, connType: 'inbound', opened: 1, closed: 1 },
      { tMicros: 20, connType: 'feeler', opened: 0, closed: 1 },
    ]);
    expect(() => new ConnectionBinner(0)).toThrow();
  });
  it('bins opens and closes by type, and counts evictions in display order', () => {
    expect(
      connectionBins(
        [
          { tMicros: 3, connType: 'inbound', kind: 'open' },
          { tMicros: 4, connType: 'outbound-full-relay', kind: 'open' },
          { tMicros: 5, connType: 'inbound', kind: 'close' },
          { tMicros: 25, connType: 'feeler', kind: 'close' },
        ],
        10,
      ),
    ).toEqual([
      { tMicros: 0, connType: 'outbound-full-relay', opened: 1, closed: 0 },
      { tMicros: 0, connType: 'inbound', opened: 1, closed: 1 },
      { tMicros: 20, connType: 'feeler', opened: 0, closed: 1 },
    ]);
    expect(evictionCounts(['other', 'inbound-slots-full', 'other'])).toEqual([
      { reason: 'inbound-slots-full', count: 1 },
      { reason: 'other', count: 2 },
    ]);
  });
});
