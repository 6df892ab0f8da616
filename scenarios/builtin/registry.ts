// The built-in scenarios, by name, in the order `connsim list` shows them. Scenario files given by
// path are loaded by the CLI (cli/scenario-loader.ts), not here.

import addrFlood from './addr-flood.ts';
import baseline from './baseline.ts';
import calibration from './calibration.ts';
import churn from './churn.ts';
import dnsPoison from './dns-poison.ts';
import eclipseBotnet from './eclipse-botnet.ts';
import eclipseInfrastructure from './eclipse-infrastructure.ts';
import erebus from './erebus.ts';
import inboundFlood from './inbound-flood.ts';
import partition from './partition.ts';
import restartAnchors from './restart-anchors.ts';
import slowloris from './slowloris.ts';
import type { ScenarioDefinition } from '../dsl/scenario.ts';

export const BUILTIN_SCENARIOS: readonly ScenarioDefinition[] = [
  baseline,
  eclipseBotnet,
  eclipseInfrastructure,
  erebus,
  inboundFlood,
  addrFlood,
  slowloris,
  churn,
  restartAnchors,
  dnsPoison,
  partition,
  calibration,
];

export function findScenario(name: string): ScenarioDefinition | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
