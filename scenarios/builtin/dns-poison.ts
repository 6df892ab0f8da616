// dns-poison: bootstrapping from poisoned DNS seeds. A new node joins a running network with an
// empty address table, so it asks the DNS seeds (CConnman::ThreadDNSAddressSeed). Some of the seeds
// answer with attacker addresses only; the attacker listens on them and answers GETADDR with more
// of its own. With every seed poisoned the newcomer starts inside the attacker's network; with some
// honest seeds left it should find honest peers.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'dns-poison',
  summary: 'A new node bootstraps while some or all DNS seeds answer with attacker addresses',
  threatModel:
    'The attacker controls (or spoofs the answers of) some of the DNS seeds, and runs listening nodes on the addresses it hands out. It wins when a newly joining node has only attacker outbound peers.',
  defaults: { nodes: 150, duration: '3h', sampleInterval: '5m' },
  params: {
    poisonedSeeds: { type: 'integer', default: 7, min: 0, max: 7, description: 'How many of the 7 DNS seeds answer with attacker addresses' },
    attackerAddresses: { type: 'integer', default: 500, min: 1, max: 100_000, description: 'Attacker listening addresses' },
    newcomers: { type: 'integer', default: 3, min: 1, max: 50, description: 'Nodes that join with an empty address table' },
    joinAt: { type: 'duration', default: '1h', description: 'When the newcomers join' },
    expectOutcome: { type: 'string', default: 'auto', choices: ['auto', 'eclipsed', 'resisted', 'any'], description: "'auto' = eclipsed when every seed is poisoned, no expectation otherwise" },
  },
  metrics: {
    newcomersEclipsed: { kind: 'count', description: 'newcomers with only attacker long-lived outbound peers at the end' },
    newcomerOutboundAttackerShare: { kind: 'share', description: "share of the newcomers' long-lived outbound peers that are the attacker's" },
  },
  population: () => ({ families: 'ipv4', dnsSeeds: 7 }),
  timeline: (p) => [{ what: 'the newcomers join', atMicros: p.joinAt }],
  *script(s, p) {
    const listeners = s.spawnAttacker({ kind: 'listeners', count: p.attackerAddresses });
    const poisoned = s.dnsSeeds().slice(0, p.poisonedSeeds);
    if (poisoned.length > 0) s.poisonDns(listeners.attacker.addresses().slice(0, 256), poisoned);
    yield s.at(p.joinAt);
    s.attackStarts('newcomers join');
    const newcomers = s.spawnHonest(p.newcomers, { listening: false });
    for (const n of newcomers) s.victim(n);
    const expectation = p.expectOutcome;
    s.expect('bootstrap outcome', () => {
      const eclipsed = newcomers.filter((n) => s.isEclipsed(n)).length;
      let attackerOut = 0;
      let allOut = 0;
      for (const n of newcomers) {
        const c = s.outboundCounts(n);
        attackerOut += c.attacker;
        allOut += c.total;
      }
      s.metric('newcomersEclipsed', eclipsed);
      s.metric('newcomerOutboundAttackerShare', allOut === 0 ? 0 : attackerOut / allOut);
      const seen = `${eclipsed} of ${newcomers.length} newcomers have only attacker outbound peers; ${attackerOut} of ${allOut} of their long-lived outbound peers are the attacker's (${poisoned.length} of ${s.dnsSeeds().length} seeds poisoned)`;
      const expected = expectation === 'auto' ? (poisoned.length === s.dnsSeeds().length && poisoned.length > 0 ? 'eclipsed' : 'any') : expectation;
      if (expected === 'eclipsed') return { passed: eclipsed === newcomers.length, detail: `${seen}; all expected eclipsed` };
      if (expected === 'resisted') return { passed: eclipsed === 0, detail: `${seen}; none expected eclipsed` };
      return { passed: true, detail: `${seen}; no expectation set` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
