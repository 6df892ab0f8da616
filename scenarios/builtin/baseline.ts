// baseline: an honest network bootstraps from DNS seeds and converges. No attacker. The yardstick
// every attack scenario is compared with: outbound slots fill, address tables grow, netgroups stay
// diverse, and the invariants hold throughout.

import { defineScenario } from '../dsl/scenario.ts';

export default defineScenario({
  name: 'baseline',
  summary: 'Honest network bootstraps from DNS seeds and converges; no attacker',
  threatModel: 'None. Every node is honest; the run shows what a healthy network looks like under the chosen profile, for comparison with the attack scenarios.',
  defaults: { nodes: 200, duration: '6h', sampleInterval: '10m' },
  params: {
    minOutbound: { type: 'integer', default: 7, min: 0, max: 8, description: 'Median outbound full-relay peers per node expected at the end' },
  },
  metrics: {
    medianFullOutbound: { kind: 'count', description: 'median full-relay outbound peers over running nodes at the end' },
  },
  *script(s, p) {
    const minOutbound = p.minOutbound;
    s.expect('outbound slots fill', () => {
      const counts: number[] = [];
      for (const i of s.honestNodes()) if (s.isRunning(i)) counts.push(s.fullOutboundCount(i));
      counts.sort((a, b) => a - b);
      const median = counts.length === 0 ? 0 : counts[Math.floor(counts.length / 2)]!;
      s.metric('medianFullOutbound', median);
      return { passed: median >= minOutbound, detail: `median full-relay outbound peers ${median} (expected >= ${minOutbound}) over ${counts.length} running nodes` };
    });
    s.expect('no node eclipsed', () => {
      let eclipsed = 0;
      for (const i of s.honestNodes()) if (s.isRunning(i) && s.isEclipsed(i)) eclipsed++;
      return { passed: eclipsed === 0, detail: `${eclipsed} honest nodes have only attacker outbound peers (no attacker exists)` };
    });
    yield s.at(s.durationMicros);
  },
});
