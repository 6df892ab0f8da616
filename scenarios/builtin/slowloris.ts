// slowloris: peers that hold connections without doing the work. Silent peers connect in and never
// send a byte (not even VERSION); slow peers complete the handshake and then never answer a ping.
// Core must reclaim the slots: silent connections die at -peertimeout (60 s) in
// CConnman::InactivityCheck ("socket no message"), ping droppers at TIMEOUT_INTERVAL (20 min) in
// PeerManagerImpl::MaybeSendPing. The attackers reconnect after every drop, so the victims keep
// paying; the charts show the disconnects by reason and how long each kind of connection lived.

import { defineScenario, distributionParam } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'slowloris',
  summary: 'Silent and ping-dropping peers against the inactivity timeouts',
  threatModel:
    'An attacker ties up the victims\' inbound slots with connections that cost it nothing: some never speak, some stop answering pings after the handshake. It wins if the slots stay occupied longer than Core\'s timeouts allow.',
  defaults: { nodes: 150, duration: '3h', sampleInterval: '5m' },
  params: {
    silent: { type: 'integer', default: 20, min: 0, max: 1000, description: 'Silent connections per victim' },
    slow: { type: 'integer', default: 20, min: 0, max: 1000, description: 'Ping-dropping connections per victim' },
    victims: { type: 'integer', default: 2, min: 1, max: 50, description: 'Listening honest nodes attacked' },
    attackAt: { type: 'duration', default: '30m', description: 'When the attackers connect' },
    connectGap: { type: 'distribution', default: 'constant(100ms)', description: "Gap between the attackers' first connects (a stated default: the actors' fixed spacing)" },
    reconnectDelay: { type: 'distribution', default: 'constant(10s)', description: 'Delay before a dropped attacker connection is made again (a stated default: an attacker chooses)' },
  },
  metrics: {
    silentDropped: { kind: 'count', description: 'silent attacker connections the victims dropped' },
    silentMeanLifetimeS: { kind: 'duration', description: 'mean lifetime of those connections, seconds' },
    slowDropped: { kind: 'count', description: 'ping-dropping attacker connections the victims dropped' },
  },
  population: () => ({ families: 'ipv4' }),
  timeline: (p) => [{ what: 'the attack starts', atMicros: p.attackAt }],
  *script(s, p) {
    const victims: number[] = [];
    for (let i = 0; i < p.victims; i++) victims.push(s.victim());
    const targets = victims.map((v) => s.serviceOf(v));
    yield s.at(p.attackAt);
    s.attackStarts();
    const silentCount = p.silent;
    const slowCount = p.slow;
    const silent = silentCount > 0 ? s.spawnAttacker({ kind: 'silent', targets, count: silentCount, connectGap: distributionParam(p.connectGap), reconnectDelay: distributionParam(p.reconnectDelay) }) : undefined;
    const slow = slowCount > 0 ? s.spawnAttacker({ kind: 'slow', targets, count: slowCount, connectGap: distributionParam(p.connectGap), reconnectDelay: distributionParam(p.reconnectDelay) }) : undefined;
    const start = s.now();
    s.expect('silent peers are dropped at the peer timeout', () => {
      const st = silent?.attacker.stats() ?? {};
      const closed = st.closedByVictim ?? 0;
      const rejected = st.rejectedBeforeHandshake ?? 0;
      const life = st.meanLifetimeMs ?? 0;
      s.metric('silentDropped', closed + rejected);
      s.metric('silentMeanLifetimeS', life / 1000);
      if (silent === undefined) return { passed: true, detail: 'no silent peers in this run' };
      // Every silent connection should live about -peertimeout (60 s) plus a check interval.
      const cycles = Math.floor((s.now() - start) / 70_000_000);
      return {
        passed: closed + rejected >= silentCount * victims.length && life > 0 && life <= 70_000,
        detail: `the victims dropped ${closed + rejected} silent connections (at least ${silentCount * victims.length} expected, about ${cycles} rounds); their mean lifetime was ${(life / 1000).toFixed(1)} s (60 s peer timeout expected)`,
      };
    }, 'outcome');
    s.expect('ping droppers are dropped at the ping timeout', () => {
      const st = slow?.attacker.stats() ?? {};
      const closed = st.closedByVictim ?? 0;
      s.metric('slowDropped', closed);
      if (slow === undefined) return { passed: true, detail: 'no slow peers in this run' };
      const minutes = (s.now() - start) / 60e6;
      const expected = minutes > 25 ? slowCount * victims.length : 0;
      return { passed: closed >= expected, detail: `the victims dropped ${closed} ping-dropping connections in ${minutes.toFixed(0)} min (at least ${expected} expected: each lives 20 min + up to 2 min of ping cadence)` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
