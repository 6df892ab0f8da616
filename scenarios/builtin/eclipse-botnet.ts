// eclipse-botnet: Heilman et al.'s eclipse attack by a botnet, whose addresses are spread over
// many /16s (one bot per address, each in its own /16). See heilman.ts for the attack itself.

import { defineScenario } from '../dsl/scenario.ts';
import { HEILMAN_REFERENCE, BOTNET_PARAMS, HEILMAN_METRICS, heilmanScript, heilmanTimeline } from './heilman.ts';

export default defineScenario({
  name: 'eclipse-botnet',
  summary: 'Heilman et al. 2015 eclipse attack from a botnet (one address per /16), victims restart',
  threatModel:
    'An attacker running bots on many residential addresses, each in a different /16, fills the victims\' tried table through short inbound connections and their new table with unreachable "trash" addresses, holds their inbound slots, and waits for them to restart; it wins when every long-lived outbound peer of a victim is a bot.',
  reproduces: `${HEILMAN_REFERENCE}: the botnet attack (success rising with the number of bot addresses, high for a few thousand bots against Core 0.9/0.10).`,
  defaults: { nodes: 200, duration: '3h30m', sampleInterval: '5m' },
  params: BOTNET_PARAMS,
  metrics: HEILMAN_METRICS,
  timeline: heilmanTimeline,
  script: heilmanScript('botnet'),
});
