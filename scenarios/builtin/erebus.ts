// erebus: an AS-level attacker in the style of Tran et al.'s Erebus attack (IEEE S&P 2020). It owns
// (or can answer for) addresses in many /16s that all sit in a few autonomous systems. Against
// prefix (/16) netgroups those addresses look diverse, so they spread over the victim's tables and
// may take every outbound slot; with an asmap (-asmap, Core 0.20+) they collapse into a handful of
// netgroups and Core's one-outbound-per-netgroup rule caps the attacker at one outbound peer per AS.
// Run it twice, `--set asmap=false` and `--set asmap=true`, to see the difference.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'erebus',
  summary: 'AS-level attacker with addresses in many /16s but few ASNs; shows what asmap changes',
  threatModel:
    'An attacker controlling a few large autonomous systems answers for addresses in many /16 prefixes inside them. It advertises those addresses to the victims, accepts their outbound connections, and waits for the victims to restart. Success is the share of the victims\' outbound slots it ends up holding; asmap should cap it at one outbound peer per attacker AS.',
  reproduces:
    'Tran, Choi, Moon, Vu, Kang: "A Stealthier Partitioning Attack against Bitcoin Peer-to-Peer Network" (Erebus, IEEE S&P 2020), and the motivation of Core PR #16702 (asmap): diversity by AS instead of by /16.',
  defaults: { nodes: 200, duration: '6h', sampleInterval: '10m' },
  params: {
    asns: { type: 'integer', default: 3, min: 1, max: 50, description: 'Autonomous systems the attacker\'s addresses sit in' },
    slash16sPerAsn: { type: 'integer', default: 40, min: 1, max: 1000, description: '/16 prefixes used inside each attacker AS' },
    attackerAddresses: { type: 'integer', default: 2400, min: 1, max: 100_000, description: 'Attacker addresses in total' },
    victims: { type: 'integer', default: 3, min: 1, max: 50, description: 'Listening honest nodes attacked at once' },
    attackAt: { type: 'duration', default: '1h', description: 'When the attack starts' },
    attackFor: { type: 'duration', default: '3h', description: 'How long the attacker advertises before the victims restart' },
  },
  metrics: {
    attackerAsns: { kind: 'count', description: "ASes the attacker's addresses sit in" },
    victimOutboundAttackerShare: { kind: 'share', description: "share of the victims' long-lived outbound peers that are the attacker's" },
    maxAttackerOutboundPerVictim: { kind: 'count', description: 'the most attacker outbound peers on one victim' },
    victimsEclipsed: { kind: 'count', description: 'victims with only attacker long-lived outbound peers at the end' },
  },
  population: () => ({ families: 'ipv4' }),
  timeline: (p) => [
    { what: 'the attack starts', atMicros: p.attackAt },
    { what: 'the victims come back from their restart', atMicros: p.attackAt + p.attackFor + 60_000_000 },
  ],
  *script(s, p) {
    const victims: number[] = [];
    for (let i = 0; i < p.victims; i++) victims.push(s.victim());
    const targets = victims.map((v) => s.serviceOf(v));
    const asns = p.asns;
    // An asmap whose largest ASes own too few /16s (Core's test asmap) cannot host this attacker: say so now.
    s.requireSpread({ asns, slash16sPerAsn: p.slash16sPerAsn }, `${asns} ASes of ${p.slash16sPerAsn} /16s each (--param asns, slash16sPerAsn)`);
    yield s.at(p.attackAt);
    s.attackStarts();
    const main = s.spawnAttacker({
      kind: 'inbound-sybils',
      targets,
      count: p.attackerAddresses,
      spread: { asns, slash16sPerAsn: p.slash16sPerAsn },
      listen: true,
      mode: 'churn',
      meanHoldMicros: 2_000_000,
      connectIntervalMicros: 500_000,
      reconnectDelayMicros: null,
      hostStyle: 'infrastructure',
    });
    const addrs = main.attacker.addresses();
    s.spawnAttacker({ kind: 'addr-flood', targets, count: 8, spread: { asns, slash16sPerAsn: 1 }, advertise: addrs, messagesPerSecond: 0.2, entriesPerMessage: 1000, unsolicitedOnly: true });
    yield s.wait(p.attackFor);
    for (const v of victims) s.restart(v, '1m');
    s.mark('victims restart');

    s.expect('asmap caps the attacker at one outbound peer per AS', () => {
      let worst = 0;
      let attackerOut = 0;
      let allOut = 0;
      const attackerAsns = new Set(addrs.map((a) => s.asnOf(a)));
      for (const v of victims) {
        const c = s.outboundCounts(v);
        attackerOut += c.attacker;
        allOut += c.total;
        worst = Math.max(worst, c.attacker);
      }
      s.metric('attackerAsns', attackerAsns.size);
      s.metric('victimOutboundAttackerShare', allOut === 0 ? 0 : attackerOut / allOut);
      s.metric('maxAttackerOutboundPerVictim', worst);
      s.metric('victimsEclipsed', victims.filter((v) => s.isEclipsed(v)).length);
      const seen = `the most attacker outbound peers on one victim is ${worst}; the attacker's addresses sit in ${attackerAsns.size} ASNs; ${(100 * (allOut === 0 ? 0 : attackerOut / allOut)).toFixed(0)}% of the victims' long-lived outbound peers are the attacker's`;
      if (!s.useAsmap) return { passed: true, detail: `${seen} (asmap off: no cap expected)` };
      // Manual connections are exempt from the netgroup rule; victims have none here.
      return { passed: worst <= attackerAsns.size, detail: `${seen}; with asmap at most ${attackerAsns.size} expected` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
