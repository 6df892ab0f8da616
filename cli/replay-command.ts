// `connsim replay <run-dir>`: re-runs a recorded run from its summary.json (same scenario, built-in
// or file, seed, nodes, duration, sampling interval, profile and overrides, parameters and input
// files, whose SHA-256 must still match) and compares the trace digests. It writes nothing unless
// --out is given. A missing or malformed summary.json or a changed input file is a CliError (exit 2);
// a different digest is exit 1.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { RUN_SUMMARY_FILE_NAME, RUN_SUMMARY_FORMAT_VERSION, type RunInputFile, type RunSummary } from '../scenarios/dsl/run-summary.ts';
import type { RunRequest } from '../scenarios/dsl/runner.ts';
import { executeRun, formatSummaryTable, maxWallOf, publishRun, stageRunDir, type CliIo } from './run-command.ts';
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
  if (o.format !== RUN_SUMMARY_FORMAT_VERSION) bad(`format ${String(o.format)}, this connsim reads format ${RUN_SUMMARY_FORMAT_VERSION}`);
  for (const k of ['scenario', 'seed', 'profile', 'digest'] as const) if (typeof o[k] !== 'string') bad(`"${k}" is not a string`);
  if (o.scenarioFile !== null && typeof o.scenarioFile !== 'string') bad('"scenarioFile" is not a string or null');
  for (const k of ['nodes', 'durationMicros', 'sampleIntervalMicros'] as const) {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad(`"${k}" is not a whole number`);
  }
  for (const k of ['set', 'paramArgs'] as const) {
    if (!Array.isArray(o[k]) || !(o[k] as unknown[]).every((x) => typeof x === 'string')) bad(`"${k}" is not a list of strings`);
  }
  const inputs = o.inputs as Record<string, unknown> | undefined;
  if (inputs === null || typeof inputs !== 'object' || !isInputFile(inputs.asmap) || !isInputFile(inputs.seedList)) bad('"inputs" is malformed');
  if (o.pingPath !== undefined && o.pingPath !== 'analytic' && o.pingPath !== 'messages') bad('"pingPath" is not analytic or messages');
  return v as RunSummary;
}

/** The run request that re-creates a recorded run; input files are re-read and must be unchanged. */
export async function replayRequest(s: RunSummary): Promise<RunRequest> {
  const { definition, file } = await loadScenario(s.scenarioFile ?? s.scenario);
  if (definition.name !== s.scenario) throw new CliError(`scenario file ${s.scenarioFile ?? ''} now defines "${definition.name}", the run was "${s.scenario}"`);
  const req: RunRequest = {
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
  return req;
}

/** `connsim replay`: 0 when the digest matches, 1 when it does not. */
export async function replayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  const recorded = readRunSummary(args.runDir);
  checkRunFits(`replaying ${recorded.scenario} with ${recorded.nodes.toLocaleString('en-US')} nodes over ${formatDuration(recorded.durationMicros)}`, recorded.nodes, recorded.durationMicros / 3_600_000_000);
  const request = await replayRequest(recorded);
  const outArg = single(args.out as string | undefined, 'out');
  const staged = outArg !== undefined ? stageRunDir(String(outArg), recorded.scenario) : undefined;
  let again;
  try {
    const { outcome, timing } = await executeRun(request, io, { quiet: args.quiet === true, ...maxWallOf(args) });
    again = outcome.summary;
    if (staged !== undefined) {
      const runDir = await publishRun(staged, again, outcome.result, timing);
      io.stdout(formatSummaryTable(again, runDir, timing));
    }
  } catch (e) {
    staged?.discard();
    throw e;
  }
  if (again.digest === recorded.digest && again.eventsProcessed === recorded.eventsProcessed) {
    io.stdout(`replay OK: digest ${again.digest} (${again.eventsProcessed} events)\n`);
    return 0;
  }
  io.stdout(
    [
      'replay MISMATCH',
      `  recorded: digest ${recorded.digest} (${recorded.eventsProcessed} events)`,
      `  replayed: digest ${again.digest} (${again.eventsProcessed} events)`,
      `  reproduce: ${recorded.reproduce}`,
      '',
    ].join('\n'),
  );
  return 1;
}
