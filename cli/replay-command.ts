// `connsim replay <run-dir>`: re-runs a recorded run from its summary.json (same scenario, built-in
// or file, seed, nodes, duration, sampling interval, profile and overrides, parameters and input
// files, whose SHA-256 must still match) and compares the trace digests. It writes nothing unless
// --out is given. A missing or malformed summary.json or a changed input file is a CliError (exit 2);
// a different digest is exit 1.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { RUN_SUMMARY_FILE_NAME, RUN_SUMMARY_FORMAT_VERSION, type RunInputFile, type RunSummary } from '../scenarios/dsl/run-summary.ts';
import type { RunRequest } from '../scenarios/dsl/runner.ts';
import { executeRun, formatSummaryTable, maxWallOf, publishRun, stageRunDir, stagedConnectionLog, withProvenance, type CliIo } from './run-command.ts';
import { codeVersion, provenance } from './provenance.ts';
import { stableStringify } from '../reports/index.ts';
import { checkRecordedInput, single } from './run-inputs.ts';
import { loadScenario } from './scenario-loader.ts';
import { checkRunFits } from './memory-check.ts';
import { formatDuration } from '../sim/index.ts';
import { CliError } from './user-error.ts';

export interface ReplayArgs {
  runDir: string;
  out?: unknown;
  quiet?: boolean;
  maxWall?: unknown;
}

function isInputFile(v: unknown): v is RunInputFile | null {
  if (v === null) return true;
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.path === 'string' && typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256);
}

/** Reads and checks the fields of summary.json that a replay needs. */
export function readRunSummary(runDir: string): RunSummary {
  let st;
  try {
    st = statSync(runDir);
  } catch {
    throw new CliError(`run directory '${runDir}' does not exist`);
  }
  if (!st.isDirectory()) throw new CliError(`'${runDir}' is not a directory`);
  const file = join(runDir, RUN_SUMMARY_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`'${file}' is missing: is '${runDir}' a directory written by connsim run?`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`'${file}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bad = (what: string): never => {
    throw new CliError(`'${file}' is not a connsim run summary: ${what}`);
  };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad('not an object');
  const o = v as Record<string, unknown>;
  if (o.format !== RUN_SUMMARY_FORMAT_VERSION && o.format !== 1) bad(`format ${String(o.format)}, this connsim reads formats 1 to ${RUN_SUMMARY_FORMAT_VERSION}`);
  for (const k of ['scenario', 'seed', 'profile', 'digest'] as const) if (typeof o[k] !== 'string') bad(`"${k}" is not a string`);
  if (o.scenarioFile !== null && typeof o.scenarioFile !== 'string') bad('"scenarioFile" is not a string or null');
  for (const k of ['nodes', 'durationMicros', 'sampleIntervalMicros'] as const) {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad(`"${k}" is not a whole number`);
  }
  for (const k of ['set', 'paramArgs'] as const) {
    if (!Array.isArray(o[k]) || !(o[k] as unknown[]).every((x) => typeof x === 'string')) bad(`"${k}" is not a list of strings`);
  }
  const inputs = o.inputs as Record<string, unknown> | undefined;
  if (inputs === null || typeof inputs !== 'object' || !isInputFile(inputs.asmap) || !isInputFile(inputs.seedList) || !isInputFile(inputs.population)) bad('"inputs" is malformed');
  if (o.pingPath !== undefined && o.pingPath !== 'analytic' && o.pingPath !== 'messages') bad('"pingPath" is not analytic or messages');
  return v as RunSummary;
}

/** The run request that re-creates a recorded run; input files are re-read and must be unchanged. */
export async function replayRequest(s: RunSummary): Promise<RunRequest> {
  const { definition, file } = await loadScenario(s.scenarioFile ?? s.scenario);
  if (definition.name !== s.scenario) throw new CliError(`scenario file ${s.scenarioFile ?? ''} now defines "${definition.name}", the run was "${s.scenario}"`);
  const req: RunRequest = {
    codeVersion: codeVersion(),
    scenario: definition,
    scenarioFile: file,
    seed: s.seed,
    nodes: s.nodes,
    duration: s.durationMicros,
    sampleInterval: s.sampleIntervalMicros,
    profile: s.profile,
    set: s.set,
    params: s.paramArgs,
    pingPath: s.pingPath === 'messages' ? 'messages' : 'analytic',
  };
  if (s.inputs.asmap !== null) req.asmap = { bytes: checkRecordedInput(s.inputs.asmap, 'asmap file'), file: s.inputs.asmap };
  if (s.inputs.seedList !== null) {
    const bytes = checkRecordedInput(s.inputs.seedList, 'seed list');
    req.seedList = { text: new TextDecoder().decode(bytes), file: s.inputs.seedList };
  }
  if (s.inputs.population !== null) {
    const bytes = checkRecordedInput(s.inputs.population, 'population file');
    req.population = { text: new TextDecoder().decode(bytes), file: s.inputs.population };
  }
  return req;
}

/** The fields of a summary a replay compares: all but where the file came from, in the recorded format. */
function comparable(s: RunSummary, format: number): Record<string, unknown> {
  const { provenance: _provenance, ...rest } = s;
  if (format >= RUN_SUMMARY_FORMAT_VERSION) return rest;
  // Format 1 had no check kinds, no health flag and no metric kinds.
  const { healthy: _healthy, metricKinds: _kinds, ...v1 } = rest;
  return { ...v1, format, checks: rest.checks.map(({ kind: _kind, ...c }) => c) };
}

/** The differences between two comparable summaries, one line each ("metrics.victimsEclipsed: 2 → 3"). */
export function summaryDifferences(recorded: Record<string, unknown>, replayed: Record<string, unknown>): string[] {
  const out: string[] = [];
  const show = (v: unknown): string => {
    const t = JSON.stringify(v);
    return t === undefined ? '(absent)' : t.length > 80 ? `${t.slice(0, 77)}...` : t;
  };
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (stableStringify(a) === stableStringify(b)) return;
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b) && path.split('.').length < 3) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path === '' ? k : `${path}.${k}`);
      return;
    }
    out.push(`${path}: recorded ${show(a)}, replayed ${show(b)}`);
  };
  walk(recorded, replayed, '');
  return out;
}

/** `connsim replay`: 0 when the replayed summary.json equals the recorded one (all but provenance), 1 when not. */
export async function replayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  const recorded = readRunSummary(args.runDir);
  checkRunFits(`replaying ${recorded.scenario} with ${recorded.nodes.toLocaleString('en-US')} nodes over ${formatDuration(recorded.durationMicros)}`, recorded.nodes, recorded.durationMicros / 3_600_000_000);
  const request = await replayRequest(recorded);
  const outArg = single(args.out as string | undefined, 'out');
  const staged = outArg !== undefined ? stageRunDir(String(outArg), recorded.scenario) : undefined;
  let again: RunSummary;
  try {
    const { outcome, timing } = await executeRun(request, io, { quiet: args.quiet === true, ...maxWallOf(args), ...(staged !== undefined ? { connectionLog: stagedConnectionLog(staged) } : {}) });
    again = outcome.summary;
    if (staged !== undefined) {
      const runDir = await publishRun(staged, withProvenance(again), outcome.result, timing);
      io.stdout(formatSummaryTable(again, runDir, timing, request.scenario.params));
    }
  } catch (e) {
    staged?.discard();
    throw e;
  }
  const now = provenance();
  const code: string[] = [];
  if (recorded.provenance !== undefined && codeVersion(recorded.provenance) !== codeVersion(now)) code.push(`  note: recorded with connsim ${codeVersion(recorded.provenance)}, replayed with ${codeVersion(now)}`);
  else if (now.dirty) code.push(`  note: replayed with uncommitted changes to connsim (${codeVersion(now)}): the code may differ from the recording's`);
  const differences = summaryDifferences(comparable(recorded, recorded.format), comparable(again, recorded.format));
  if (differences.length === 0) {
    io.stdout([`replay OK: the whole summary.json matches (digest ${again.digest}, ${again.eventsProcessed} events, ${again.checks.length} checks, ${Object.keys(again.metrics).length} metrics)`, ...code, ''].join('\n'));
    return 0;
  }
  io.stdout(
    [
      `replay MISMATCH: ${differences.length} field${differences.length === 1 ? '' : 's'} of summary.json differ`,
      ...differences.map((d) => `  ${d}`),
      ...code,
      `  reproduce: ${recorded.reproduce}`,
      '',
    ].join('\n'),
  );
  return 1;
}
