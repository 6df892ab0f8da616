import { describe, expect, it } from 'vitest';
import { computeSlots, defaultConnmanOptions, olderCoreOptions } from './options.ts';

describe('slot arithmetic (spec §4 table)', () => {
  // [maxconnections, full, block, auto outbound, max inbound, tx-relay inbound at 50 %, semOutbound]
  const table: [number, number, number, number, number, number, number][] = [
    [200, 8, 2, 11, 189, 94, 11],
    [125, 8, 2, 11, 114, 57, 11],
    [53, 8, 2, 11, 42, 21, 11],
    [33, 8, 2, 11, 22, 11, 11],
    [13, 8, 2, 11, 2, 1, 11],
    [10, 8, 2, 11, 0, 0, 10],
    [4, 4, 0, 5, 0, 0, 4],
    [0, 0, 0, 1, 0, 0, 0],
  ];
  for (const [m, full, block, auto, inbound, txInbound, sem] of table) {
    it(`-maxconnections=${m}`, () => {
      const s = computeSlots(m, 50);
      expect([s.maxOutboundFullRelay, s.maxOutboundBlockRelay, s.maxAutomaticOutbound, s.maxInbound]).toEqual([
        full,
        block,
        auto,
        inbound,
      ]);
      expect(s.maxInboundFullRelay).toBe(txInbound);
      expect(s.semOutbound).toBe(sem);
      expect(s.semAddnode).toBe(8);
      expect(s.maxFeeler).toBe(1);
    });
  }
  it('-inboundrelaypercent is clamped by truncation', () => {
    expect(computeSlots(13, 0).maxInboundFullRelay).toBe(0);
    expect(computeSlots(13, 100).maxInboundFullRelay).toBe(2);
    expect(computeSlots(33, 33).maxInboundFullRelay).toBe(7);
  });
  it('defaults are Core master; the older profile switches the §0.1 behaviours', () => {
    const d = defaultConnmanOptions();
    expect(d.maxConnections).toBe(200);
    expect(d.inboundRelayPercent).toBe(50);
    expect(d.peerConnectTimeoutSeconds).toBe(60);
    expect(d.connectTimeoutMicros).toBe(5_000_000);
    expect(d.receiveFloodSize).toBe(5_000_000);
    const old = olderCoreOptions();
    expect(old).toEqual({ maxConnections: 125, inboundRelayCap: false, networkSpecificExtraPeers: false, seednodeBehaviour: 'all-at-start' });
  });
});
