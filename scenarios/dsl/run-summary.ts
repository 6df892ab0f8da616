// The summary of one scenario run (`summary.json` in the run directory): everything needed to
// identify and re-run it (scenario, seed, profile and its overrides, parameters, nodes, duration,
// input files), what it produced (events processed, trace digest, metric scalars, check outcomes)
// and the command that reproduces it. It holds no wall-clock value, so the file is byte-identical
// across reruns; wall time goes to timing.json (written by the CLI).

import type { CheckKind } from '../../reports/run-result.ts';
import { formatDuration } from '../../sim/index.ts';
import type { MetricKind } from './scenario.ts';
import type { WarmupState } from '../world/warmup.ts';

/**
 * Bumped when a field changes meaning or is removed; `connsim replay` refuses other versions.
 * 2: checks have a kind (health / outcome), `healthy`, `metricKinds`.
 * 3: `world`, the resolved world settings (blocks, transactions, links).
 */
export const RUN_SUMMARY_FORMAT_VERSION = 3;

export const RUN_SUMMARY_FILE_NAME = 'summary.json';

/** An input file given on the command line, identified by its content. */
export interface RunInputFile {
  /** The path as given. */
  path: string;
  /** SHA-256 of the bytes, hex (so a replay can tell a changed file). */
  sha256: string;
}

export interface RunSummaryCheck {
  name: string;
  /** 'health': the run is sound; 'outcome': the scenario's answer against its expectation. */
  kind: CheckKind;
  passed: boolean;
  detail: string;
}

export interface RunSummary {
  format: number;
  scenario: string;
  /** A scenario loaded from a file: the path as given (null for built-ins). */
  scenarioFile: string | null;
  seed: string;
  profile: string;
  /** --set overrides in the order given, as key=value strings. */
  set: string[];
  /** The world settings as resolved (scenarios/world/world-settings.ts), canonical text, in table order. */
  world: Record<string, string>;
  /** Every resolved parameter (durations in µs), keys sorted. */
  params: Record<string, number | string | boolean>;
  /** Parameters as given with --param, in the order given (for the reproduce command). */
  paramArgs: string[];
  nodes: number;
  durationMicros: number;
  /** The duration as text, e.g. "6h". */
  duration: string;
  sampleIntervalMicros: number;
  inputs: { asmap: RunInputFile | null; seedList: RunInputFile | null; population: RunInputFile | null };
  /** How pings between honest nodes were simulated (--ping-path; see scenarios/host/analytic-ping.ts). */
  pingPath: 'analytic' | 'messages';
  eventsProcessed: number;
  /** The trace digest: identical for identical runs. */
  digest: string;
  honestNodes: number;
  attackerNodes: number;
  victims: number[];
  /** Scalars recorded by the scenario and the runner, keys sorted. */
  metrics: Record<string, number>;
  /** The kind of every metric in `metrics` (how a sweep aggregates it), keys sorted. */
  metricKinds: Record<string, MetricKind>;
  checks: RunSummaryCheck[];
  /** Every health check passed: the run is sound (a sweep counts the others as failed runs). */
  healthy: boolean;
  /** Every check passed, outcomes included (what `connsim run`'s exit code reports). */
  passed: boolean;
  /** The exact command that re-runs this. */
  reproduce: string;
  /**
   * What the world's warm-up reached when the scenario's clock started (scenarios/world/warmup.ts);
   * absent when the run had none. durationMicros, metrics, marks and checks count from its end.
   */
  warmup?: WarmupState;
  /**
   * Where this file came from (connsim version, git commit, Node version, the command as typed):
   * added by the CLI to the summary.json it writes; not part of the run's outcome, so replay
   * compares everything else.
   */
  provenance?: { connsim: string; commit: string | null; dirty: boolean; node: string; command: string };
}

/** Quotes a command-line word for POSIX shells when it needs it. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The `connsim run …` command that reproduces a run with this identity. */
export function reproduceCommand(s: Pick<RunSummary, 'scenario' | 'scenarioFile' | 'seed' | 'profile' | 'set' | 'paramArgs' | 'nodes' | 'duration' | 'sampleIntervalMicros' | 'inputs'> & { pingPath?: 'analytic' | 'messages' }, defaultSampleIntervalMicros?: number): string {
  const words = ['connsim', 'run', s.scenarioFile ?? s.scenario, '--seed', s.seed, '--nodes', String(s.nodes), '--duration', s.duration, '--profile', s.profile];
  for (const kv of s.set) words.push('--set', kv);
  for (const kv of s.paramArgs) words.push('--param', kv);
  if (defaultSampleIntervalMicros !== undefined && s.sampleIntervalMicros !== defaultSampleIntervalMicros) words.push('--sample-interval', formatDuration(s.sampleIntervalMicros));
  if (s.inputs.asmap !== null) words.push('--asmap', s.inputs.asmap.path);
  if (s.inputs.seedList !== null) words.push('--seed-list', s.inputs.seedList.path);
  if (s.inputs.population !== null) words.push('--population', s.inputs.population.path);
  if (s.pingPath === 'messages') words.push('--ping-path', 'messages');
  return words.map(shellWord).join(' ');
}
