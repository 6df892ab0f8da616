// eclipse-infrastructure: Heilman et al.'s eclipse attack by an attacker that owns whole address
// blocks (an ISP, a hosting company, a state): many addresses in a few /16s, all served by one
// machine. See heilman.ts for the attack itself.

import { defineScenario } from '../dsl/scenario.ts';
import { HEILMAN_REFERENCE, INFRASTRUCTURE_PARAMS, HEILMAN_METRICS, heilmanScript, heilmanTimeline } from './heilman.ts';

export default defineScenario({
  name: 'eclipse-infrastructure',
  summary: 'Heilman et al. 2015 eclipse attack from address blocks in a few /16s, victims restart',
  threatModel:
    'An attacker owning many addresses in a small number of /16s (32 by default) runs them from one machine, fills the victims\' tried table through short inbound connections and their new table with "trash", holds their inbound slots and waits for them to restart; it wins when every long-lived outbound peer of a victim is one of its addresses.',
  reproduces: `${HEILMAN_REFERENCE}: the infrastructure attack (addresses in s /16 groups; success rising with addresses per group).`,
  defaults: { nodes: 200, duration: '3h30m', sampleInterval: '5m' },
  params: INFRASTRUCTURE_PARAMS,
  metrics: HEILMAN_METRICS,
  timeline: heilmanTimeline,
  script: heilmanScript('infrastructure'),
});
