// addr-flood: address spam. Attacker peers connect to the victims and send ADDR messages of 1000
// entries as fast as they like, unsolicited. Core (PR #22387, 22.0) processes unsolicited
// addresses from a peer only as its token bucket allows: one token to start, 0.1 per second, at
// most 1000; the rest are dropped and counted as rate-limited. Older profiles process everything.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'addr-flood',
  summary: 'Unsolicited ADDR spam against the per-peer token bucket',
  threatModel:
    'Attacker peers connect in and send 1000-address ADDR messages at a high rate, to flush the victims\' new tables with addresses of their choosing (a first step of table poisoning) and to waste their CPU. Success is the share of the victims\' new table the attacker ends up owning.',
  defaults: { nodes: 150, duration: '3h', sampleInterval: '10m' },
  params: {
    flooders: { type: 'integer', default: 10, min: 1, max: 1000, description: 'Flooding connections per victim (each from its own address)' },
    messagesPerSecond: { type: 'number', default: 1, min: 0.001, max: 100, description: 'ADDR messages per second on each connection' },
    advertised: { type: 'integer', default: 20_000, min: 1, max: 200_000, description: 'Distinct addresses the attacker advertises (nobody owns them)' },
    victims: { type: 'integer', default: 2, min: 1, max: 50, description: 'Listening honest nodes flooded' },
    attackAt: { type: 'duration', default: '30m', description: 'When the flood starts' },
  },
  metrics: {
    addrProcessed: { kind: 'count', description: 'addresses from the flooders the victims processed (addr_processed)' },
    addrRateLimited: { kind: 'count', description: 'addresses from the flooders the token bucket dropped (addr_rate_limited)' },
    victimNewAttackerShare: { kind: 'share', description: "share of the victims' new table holding attacker-advertised addresses (mean over victims)" },
    addrEntriesSent: { kind: 'count', description: 'address entries the flooders sent' },
  },
  population: () => ({ families: 'ipv4' }),
  timeline: (p) => [{ what: 'the flood starts', atMicros: p.attackAt }],
  *script(s, p) {
    const victims: number[] = [];
    for (let i = 0; i < p.victims; i++) victims.push(s.victim());
    yield s.at(p.attackAt);
    s.attackStarts();
    const flood = s.spawnAttacker({
      kind: 'addr-flood',
      targets: victims.map((v) => s.serviceOf(v)),
      count: p.flooders,
      advertiseCount: p.advertised,
      messagesPerSecond: p.messagesPerSecond,
      entriesPerMessage: 1000,
      unsolicitedOnly: true,
    });
    const floodStart = s.now();
    s.expect('the token bucket bounds processed addresses', () => {
      let processed = 0;
      let limited = 0;
      let peers = 0;
      const attackerIps = new Set(s.attackerAddresses().map((a) => a.toStringAddr()));
      for (const v of victims) {
        for (const st of s.peerInfo(v)) {
          // Flooders are IPv4: "a.b.c.d:port".
          if (!st.inbound || !attackerIps.has(st.addr.slice(0, st.addr.lastIndexOf(':')))) continue;
          peers++;
          processed += st.addrProcessed;
          limited += st.addrRateLimited;
        }
      }
      const elapsedS = (s.now() - floodStart) / 1e6;
      const bound = peers * (1 + 0.1 * elapsedS);
      const shares = victims.map((v) => s.addrmanAttackerShare(v).new);
      s.metric('addrProcessed', processed);
      s.metric('addrRateLimited', limited);
      s.metric('victimNewAttackerShare', shares.reduce((a, b) => a + b, 0) / shares.length);
      s.metric('addrEntriesSent', flood.attacker.stats().addrEntriesSent ?? 0);
      const seen = `the victims processed ${processed} and rate-limited ${limited} addresses from ${peers} flooding peers over ${Math.round(elapsedS)} s`;
      if (!s.profileSettings.addrRateLimit) return { passed: true, detail: `${seen} (no addr rate limit in this profile)` };
      return { passed: peers > 0 && processed <= bound + peers, detail: `${seen}; the token bucket allows at most ${Math.floor(bound)}` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
