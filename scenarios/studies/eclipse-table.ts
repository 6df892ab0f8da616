// eclipse-table: the scenario behind the eclipse-resistance table (tools/eclipse-table.ts,
// SCENARIOS.md "What it takes to eclipse Bitcoin Core today"). It is Heilman et al.'s attack
// (scenarios/builtin/heilman.ts: tried poisoning by inbound connections naming their own address,
// new poisoning by ADDR floods of trash and attacker addresses, inbound slots held, then a restart)
// run unchanged against every profile, with the attacker chosen by a parameter (a botnet, one
// address per /16, or an infrastructure attacker, `groups` /16s holding the addresses) and four
// kinds of victim in one world: listening victims that restart, listening victims that do not,
// and the same two kinds among non-listening nodes (which the attacker cannot connect to: they
// meet its addresses only through honest address relay and the GETADDR answers of its listeners).
// It is a study scenario, run by file path (`connsim sweep scenarios/studies/eclipse-table.ts`),
// not one of the built-ins.

import { defineScenario, param, type ParamValuesOf, type TimelineStep } from '../dsl/scenario.ts';
import { BOTNET_PARAMS, HEILMAN_METRICS, HEILMAN_REFERENCE, heilmanScript, heilmanTimeline, victimKindMetrics } from '../builtin/heilman.ts';

const { attackerAddresses, expectOutcome, ...rest } = BOTNET_PARAMS;

export const ECLIPSE_TABLE_PARAMS = {
  attacker: param({ type: 'string', default: 'botnet', choices: ['botnet', 'infrastructure'], description: "'botnet': one address per /16; 'infrastructure': the addresses spread evenly over `groups` /16s" }),
  attackerAddresses: param({ ...attackerAddresses, description: 'Attacker addresses in total (for a botnet each in its own /16)' }),
  groups: param({ type: 'integer', default: 32, min: 1, max: 4096, description: "The infrastructure attacker's /16s (ignored for a botnet)" }),
  ...rest,
  historyTriedAge: param({ type: 'duration', default: '3h', description: 'How long ago the seeded tried entries were last seen' }),
  historyNewAge: param({ type: 'duration', default: '2d', description: 'How long ago the seeded new entries were last seen' }),
  steadyVictims: param({ type: 'integer', default: 1, min: 0, max: 50, description: 'Listening victims attacked like the others that do not restart' }),
  unreachableVictims: param({ type: 'integer', default: 1, min: 0, max: 50, description: 'Non-listening victims that restart with the others' }),
  steadyUnreachableVictims: param({ type: 'integer', default: 1, min: 0, max: 50, description: 'Non-listening victims that do not restart' }),
  perGroup: param({ type: 'integer', default: 0, min: 0, max: 65_536, description: "Infrastructure: addresses per /16 (then attackerAddresses = groups × perGroup; 0: use attackerAddresses)" }),
  restarts: param({ type: 'integer', default: 1, min: 1, max: 200, description: 'Restarts of the restarting victims, one every `restartEvery` (Heilman et al.: 50)' }),
  restartEvery: param({ type: 'duration', default: '10m', description: 'Time between restarts; every victim is sampled just before the next one' }),
  expectOutcome: param({ ...expectOutcome, default: 'any' }),
};

/** The attack's moments, and the last restart's sample (the run must reach it). */
function studyTimeline(p: ParamValuesOf<typeof ECLIPSE_TABLE_PARAMS>): TimelineStep[] {
  const first = p.attackAt + p.attackFor + 60_000_000;
  return [...heilmanTimeline(p), { what: 'the last restart is sampled', atMicros: first + p.restarts * p.restartEvery }];
}

export default defineScenario({
  name: 'eclipse-table',
  summary: "Heilman et al.'s attack against any profile, botnet or infrastructure, four kinds of victim (the eclipse table's runs)",
  threatModel:
    "Heilman et al.'s attacker (see eclipse-botnet) with a botnet or an infrastructure attacker; victims listening or not, restarting or not. A victim is eclipsed when every long-lived outbound peer (full-relay, block-relay-only, manual) is the attacker's.",
  reproduces: `${HEILMAN_REFERENCE}, extended to every profile and to victims that are unreachable or do not restart.`,
  defaults: { nodes: 200, duration: '3h30m', sampleInterval: '5m' },
  params: ECLIPSE_TABLE_PARAMS,
  metrics: { ...HEILMAN_METRICS, ...victimKindMetrics() },
  timeline: studyTimeline,
  *script(s, p) {
    const variant = p.attacker;
    if (variant === 'botnet') yield* heilmanScript(variant)(s, { ...p, groups: undefined });
    else yield* heilmanScript(variant)(s, p.perGroup > 0 ? { ...p, attackerAddresses: p.groups * p.perGroup } : p);
  },
});
