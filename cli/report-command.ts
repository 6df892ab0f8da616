// `connsim report <run-dir>`: re-render charts/, data/ and report.html of a run directory from the
// result.json saved in it (which is left byte for byte as it is); data/connections.csv, which only
// the run writes, is kept. The lead wires this into cli.ts;
// a ReportCommandError is a user error (print its message, exit 2).

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CONNECTION_LOG_FILE, RUN_RESULT_FILE_NAME, RunResultError, parseRunResult } from '../reports/index.ts';
import { StagedRunDir, checkOutputDir } from './out-dir.ts';
import type { ReportSummary } from './run-dir.ts';

/** A problem with the user's input (missing directory, unreadable or invalid result.json). */
export class ReportCommandError extends Error {}

export async function reportCommand(runDir: string): Promise<ReportSummary> {
  let st;
  try {
    st = await stat(runDir);
  } catch {
    throw new ReportCommandError(`run directory '${runDir}' does not exist`);
  }
  if (!st.isDirectory()) throw new ReportCommandError(`'${runDir}' is not a directory`);
  const file = join(runDir, RUN_RESULT_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ReportCommandError(`'${file}' is missing: is '${runDir}' a connsim run directory?`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ReportCommandError(`'${file}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let result;
  try {
    result = parseRunResult(parsed);
  } catch (e) {
    if (e instanceof RunResultError) throw new ReportCommandError(`'${file}' is not a connsim run result: ${e.message}`);
    throw e;
  }
  const { path } = checkOutputDir(runDir, 'run', { option: 'run directory', mustExist: true });
  const staged = StagedRunDir.acquire(path, runDir);
  // Loaded on use: the renderer (vega) is slow to load, and other commands do not need it.
  const { publishStaged } = await import('./run-dir.ts');
  return publishStaged(staged, result, { writeResult: false, keepFromTarget: [`data/${CONNECTION_LOG_FILE}`] });
}
