// churn: nodes come and go. Every honest node alternates Weibull-distributed sessions and
// downtimes (shape < 1: many short sessions and a long tail, as crawls of the real network show),
// some ending in a crash and some in a clean shutdown that writes peers.dat and anchors.dat. The
// network must keep its outbound slots filled through it, with the disconnect reasons and
// connection churn visible in the charts.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'churn',
  summary: 'Weibull session lengths and downtimes; the network keeps its slots filled',
  threatModel: 'None: natural churn. It stresses feelers, the address tables\' freshness, inactivity timeouts after crashes, and reconnection after restarts.',
  defaults: { nodes: 200, duration: '12h', sampleInterval: '15m' },
  params: {
    sessionShape: { type: 'number', default: 0.6, min: 0.05, max: 10, description: 'Weibull shape of session lengths' },
    sessionScale: { type: 'duration', default: '10h', description: 'Weibull scale of session lengths' },
    downtimeShape: { type: 'number', default: 0.7, min: 0.05, max: 10, description: 'Weibull shape of downtimes' },
    downtimeScale: { type: 'duration', default: '2h', description: 'Weibull scale of downtimes' },
    crashShare: { type: 'number', default: 0.3, min: 0, max: 1, description: 'Share of session ends that are crashes (no files written)' },
    minOutbound: { type: 'integer', default: 6, min: 0, max: 8, description: 'Median full-relay outbound peers expected among running nodes at the end' },
  },
  metrics: {
    runningNodesAtEnd: { kind: 'count', description: 'honest nodes running at the end' },
    medianFullOutbound: { kind: 'count', description: 'median full-relay outbound peers over running nodes at the end' },
    churnCrashes: { kind: 'count', description: 'crashes over the run' },
    churnStops: { kind: 'count', description: 'clean stops over the run' },
    churnRestarts: { kind: 'count', description: 'restarts over the run' },
  },
  population: (p) => ({
    churn: {
      sessionShape: p.sessionShape,
      sessionScaleMicros: p.sessionScale,
      downtimeShape: p.downtimeShape,
      downtimeScaleMicros: p.downtimeScale,
      crashShare: p.crashShare,
    },
  }),
  *script(s, p) {
    const minOutbound = p.minOutbound;
    s.expect('running nodes keep their outbound slots filled', () => {
      const counts: number[] = [];
      for (const i of s.honestNodes()) if (s.isRunning(i)) counts.push(s.fullOutboundCount(i));
      counts.sort((a, b) => a - b);
      const median = counts.length === 0 ? 0 : counts[Math.floor(counts.length / 2)]!;
      const c = s.churnCounters();
      s.metric('runningNodesAtEnd', counts.length);
      s.metric('medianFullOutbound', median);
      s.metric('churnCrashes', c.crashes);
      s.metric('churnStops', c.stops);
      s.metric('churnRestarts', c.restarts);
      return { passed: median >= minOutbound, detail: `median full-relay outbound peers ${median} over ${counts.length} running nodes (expected >= ${minOutbound}); ${c.crashes} crashes, ${c.stops} clean stops, ${c.restarts} restarts` };
    }, 'outcome');
    yield s.at(s.durationMicros);
  },
});
