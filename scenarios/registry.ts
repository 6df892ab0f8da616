// The built-in scenarios, by name, in the order `connsim list` shows them. Scenario files given by
// path are loaded by the CLI (cli/scenario-loader.ts), not here.

import addrFlood from './builtin/addr-flood.ts';
import baseline from './builtin/baseline.ts';
import churn from './builtin/churn.ts';
import dnsPoison from './builtin/dns-poison.ts';
import eclipseBotnet from './builtin/eclipse-botnet.ts';
import eclipseInfrastructure from './builtin/eclipse-infrastructure.ts';
import erebus from './builtin/erebus.ts';
import inboundFlood from './builtin/inbound-flood.ts';
import partition from './builtin/partition.ts';
import restartAnchors from './builtin/restart-anchors.ts';
import slowloris from './builtin/slowloris.ts';
import type { ScenarioDefinition } from './scenario.ts';

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
];

export function findScenario(name: string): ScenarioDefinition | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
