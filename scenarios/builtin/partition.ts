// partition: a netsplit. For a while no packet crosses between two halves of the honest network
// (a fault on the simulated network, as a severed link or a BGP incident would cause); then the
// split heals. Connections that spanned the cut die of inactivity or get replaced, each side
// rebuilds its outbound slots among its own nodes, and after the heal the halves must reconnect.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'partition',
  summary: 'A netsplit cuts the honest network in two for a while, then heals',
  threatModel:
    'A network-level event (cable cut, routing incident, state firewall) that drops every packet between two groups of nodes. Nobody runs attacker nodes; the question is whether each side keeps its outbound slots filled during the split and whether the two sides find each other again after it.',
  defaults: { nodes: 200, duration: '8h', sampleInterval: '10m' },
  params: {
    splitAt: { type: 'duration', default: '1h', description: 'When the partition starts' },
    splitFor: { type: 'duration', default: '3h', description: 'How long it lasts' },
    share: { type: 'number', default: 0.5, min: 0.05, max: 0.95, description: 'Share of honest nodes on side A' },
  },
  metrics: {
    crossLinksBeforeSplit: { kind: 'count', description: 'outbound connections spanning the future cut just before the split' },
    crossLinksAtHeal: { kind: 'count', description: 'outbound connections spanning the cut just before the heal' },
    crossLinksAtEnd: { kind: 'count', description: 'outbound connections spanning the former cut at the end' },
  },
  timeline: (p) => [
    { what: 'the partition starts', atMicros: p.splitAt },
    { what: 'the partition heals', atMicros: p.splitAt + p.splitFor },
  ],
  *script(s, p) {
    const sideA = s.pickNodes(Math.max(1, Math.round((p.share) * s.nodes)));
    const inA = new Set(sideA);
    const sideB = s.honestNodes().filter((i) => !inA.has(i));
    const crossLinks = (): number => {
      let cross = 0;
      for (const i of s.honestNodes()) {
        if (!s.isRunning(i)) continue;
        for (const peer of s.peers(i, 'outbound')) {
          if (peer.honestIndex !== undefined && inA.has(peer.honestIndex) !== inA.has(i)) cross++;
        }
      }
      return cross;
    };
    yield s.at(p.splitAt);
    s.metric('crossLinksBeforeSplit', crossLinks());
    const fault = s.partition(sideA, sideB);
    s.mark('partition');
    yield s.wait(p.splitFor);
    const during = crossLinks();
    s.metric('crossLinksAtHeal', during);
    s.check('no traffic crosses the partition', { passed: during === 0, detail: `${during} outbound connections span the cut just before the heal (expected 0)` });
    s.removeFault(fault);
    s.mark('heal');
    s.expect('the halves reconnect', () => {
      const after = crossLinks();
      s.metric('crossLinksAtEnd', after);
      return { passed: after > 0, detail: `${after} outbound connections span the former cut at the end (expected > 0)` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
