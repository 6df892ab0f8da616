// restart-anchors: an eclipse across a restart, with and without anchors (Core PR #17428, 0.21).
// While the victims run, an attacker with many listening addresses relays them to the victims and
// answers their GETADDRs with them, so the victims' new tables fill with attacker addresses and
// some of their outbound peers become the attacker's. Then the victims restart. With anchors, a
// node reconnects first to the block-relay-only peers it had at shutdown (anchors.dat), so at
// least those two honest peers survive the restart; without them it picks every peer afresh from
// its poisoned tables. Run with `--set anchors=false` to compare.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'restart-anchors',
  summary: 'Eclipse attempt across a restart, with and without anchor connections',
  threatModel:
    'An attacker poisons the victims\' address tables while they run (listening addresses relayed by its inbound peers and handed out in GETADDR answers) and waits for a restart, when a node without anchors rebuilds every outbound connection from those tables.',
  defaults: { nodes: 200, duration: '6h', sampleInterval: '10m' },
  params: {
    attackerAddresses: { type: 'integer', default: 3000, min: 1, max: 100_000, description: 'Attacker listening addresses (one per /16)' },
    relayers: { type: 'integer', default: 40, min: 1, max: 1000, description: 'Attacker inbound peers per victim that relay attacker addresses' },
    victims: { type: 'integer', default: 3, min: 1, max: 50, description: 'Listening honest nodes attacked' },
    attackAt: { type: 'duration', default: '1h', description: 'When the attack starts' },
    restartAt: { type: 'duration', default: '4h', description: 'When the victims restart' },
  },
  metrics: {
    anchorsBeforeRestart: { kind: 'count', description: "the victims' block-relay-only peers written to anchors.dat at the restart" },
    anchorsRestored: { kind: 'count', description: 'of those, reconnected after the restart' },
    victimOutboundAttackerShare: { kind: 'share', description: "share of the victims' long-lived outbound peers that are the attacker's at the end" },
    victimsEclipsed: { kind: 'count', description: 'victims with only attacker long-lived outbound peers at the end' },
  },
  population: () => ({ families: 'ipv4' }),
  timeline: (p) => [
    { what: 'the attack starts', atMicros: p.attackAt },
    { what: 'the victims come back from their restart', atMicros: p.restartAt + 60_000_000 },
  ],
  *script(s, p) {
    const victims: number[] = [];
    for (let i = 0; i < p.victims; i++) victims.push(s.victim());
    const targets = victims.map((v) => s.serviceOf(v));
    yield s.at(p.attackAt);
    s.attackStarts();
    const listeners = s.spawnAttacker({ kind: 'listeners', count: p.attackerAddresses, hostStyle: 'infrastructure' });
    const addrs = listeners.attacker.addresses();
    // Relayers trickle attacker addresses in (each within its token bucket: 0.1 address/s).
    s.spawnAttacker({ kind: 'addr-flood', targets, count: p.relayers, advertise: addrs, messagesPerSecond: 0.1, entriesPerMessage: 10, unsolicitedOnly: true, hostStyle: 'infrastructure' });
    yield s.at(p.restartAt);
    const anchorsBefore = victims.map((v) =>
      s
        .peers(v, 'outbound')
        .filter((x) => x.connType === 'block-relay-only')
        .map((x) => x.addr.toStringAddr())
        .sort(),
    );
    for (const v of victims) s.restart(v, '1m');
    s.mark('victims restart');
    s.expect('anchors come back after the restart', () => {
      let restored = 0;
      let wanted = 0;
      let attackerOut = 0;
      let allOut = 0;
      victims.forEach((v, i) => {
        const now = new Set(s.peers(v, 'outbound').filter((x) => x.connType === 'block-relay-only').map((x) => x.addr.toStringAddr()));
        for (const a of anchorsBefore[i]!) {
          wanted++;
          if (now.has(a)) restored++;
        }
        const c = s.outboundCounts(v);
        attackerOut += c.attacker;
        allOut += c.total;
      });
      s.metric('anchorsBeforeRestart', wanted);
      s.metric('anchorsRestored', restored);
      s.metric('victimOutboundAttackerShare', allOut === 0 ? 0 : attackerOut / allOut);
      s.metric('victimsEclipsed', victims.filter((v) => s.isEclipsed(v)).length);
      const seen = `${restored} of the ${wanted} block-relay-only peers the victims had at shutdown are connected again; ${attackerOut} of ${allOut} long-lived outbound peers are the attacker's`;
      if (!s.profileSettings.anchors) return { passed: true, detail: `${seen} (anchors off in this profile)` };
      return { passed: wanted > 0 && restored === wanted, detail: `${seen}; with anchors all of them expected` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
