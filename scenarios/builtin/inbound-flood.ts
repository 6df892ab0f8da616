// inbound-flood: Sybil inbound exhaustion. The attacker opens and holds as many inbound
// connections to the victims as they accept, from addresses spread over many /16s (so netgroup
// protection alone does not save honest peers), and reconnects whenever one is dropped. Core's
// inbound eviction (CConnman::AttemptToEvictConnection, 0.12+) must keep the victims' established
// honest inbound peers: those with the longest uptime, the lowest ping, recent blocks and
// transactions, and diverse netgroups are protected, and the newest Sybils are evicted instead.

import { defineScenario, distributionParam } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'inbound-flood',
  summary: 'Sybils try to take every inbound slot of the victims; eviction should protect honest peers',
  threatModel:
    'An attacker with addresses in many /16s connects to the victims as often as they let it and holds the connections (answering pings, keeping the handshake alive). It wins if established honest inbound peers are pushed out or honest nodes can no longer connect in.',
  defaults: { nodes: 200, duration: '4h', sampleInterval: '10m' },
  params: {
    sybils: { type: 'integer', default: 300, min: 1, max: 10_000, description: 'Attacker addresses (each holds one connection per victim)' },
    victims: { type: 'integer', default: 2, min: 1, max: 50, description: 'Listening honest nodes attacked' },
    attackAt: { type: 'duration', default: '1h', description: 'When the flood starts' },
    connectGap: {
      type: 'distribution',
      default: 'constant(200ms)',
      description: "Gap between the Sybils' first connects (a stated default, the scenario's fixed spacing: no measurement of attacker timing exists; e.g. exponential(200ms) for Poisson arrivals)",
    },
    reconnectDelay: { type: 'distribution', default: 'constant(30s)', description: 'Delay before a Sybil reconnects after a victim dropped it (a stated default: an attacker chooses; Core bans nothing here)' },
    keptShare: { type: 'number', default: 0.5, min: 0, max: 1, description: 'Share of honest inbound peers present at the attack\'s start that must still be connected at the end (with inbound eviction on)' },
  },
  metrics: {
    honestInboundAtAttack: { kind: 'count', description: "the victims' honest inbound peers when the flood starts" },
    honestInboundKept: { kind: 'count', description: 'of those, still connected at the end' },
    sybilConnectionsClosedByVictim: { kind: 'count', description: 'attacker connections the victims closed (eviction or refusal)' },
    victimInboundAttackerShare: { kind: 'share', description: "share of the victims' inbound slots held by the attacker at the end" },
  },
  population: () => ({ families: 'ipv4' }),
  timeline: (p) => [{ what: 'the flood starts', atMicros: p.attackAt }],
  *script(s, p) {
    const victims: number[] = [];
    for (let i = 0; i < p.victims; i++) victims.push(s.victim());
    yield s.at(p.attackAt);
    const before = victims.map((v) => new Set(s.peers(v, 'inbound').filter((x) => x.honestIndex !== undefined).map((x) => x.honestIndex!)));
    s.attackStarts();
    const sybils = s.spawnAttacker({ kind: 'inbound-sybils', targets: victims.map((v) => s.serviceOf(v)), count: p.sybils, mode: 'hold', connectGap: distributionParam(p.connectGap), reconnectDelay: distributionParam(p.reconnectDelay) });
    s.expect('established honest inbound peers are kept', () => {
      let had = 0;
      let kept = 0;
      let attackerIn = 0;
      let allIn = 0;
      victims.forEach((v, i) => {
        const now = new Set(s.peers(v, 'inbound').filter((x) => x.honestIndex !== undefined).map((x) => x.honestIndex!));
        for (const h of before[i]!) {
          had++;
          if (now.has(h)) kept++;
        }
        const c = s.inboundCounts(v);
        attackerIn += c.attacker;
        allIn += c.total;
      });
      const stats = sybils.attacker.stats();
      s.metric('honestInboundAtAttack', had);
      s.metric('honestInboundKept', kept);
      s.metric('victimInboundAttackerShare', allIn === 0 ? 0 : attackerIn / allIn);
      s.metric('sybilConnectionsClosedByVictim', stats.closedByVictim ?? 0);
      const share = had === 0 ? 1 : kept / had;
      const seen = `${kept} of ${had} honest inbound peers connected when the flood began are still connected; ${attackerIn} of ${allIn} inbound slots are the attacker's`;
      if (!s.profileSettings.inboundEviction) return { passed: true, detail: `${seen} (no inbound eviction in this profile: nothing to protect them from)` };
      return { passed: share >= (p.keptShare), detail: `${seen}; expected at least ${Math.round(100 * p.keptShare)}% kept` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
