// `connsim merge DIR… [--out DIR]`: joins the directories of a sharded sweep (`connsim sweep
// --shard i/n`, one per shard, or one shared directory) into one: every input must hold the same
// plan (sweep.json byte for byte, else exit 2), every planned run must have its run file in some
// input (a run found twice must be the same bytes), and then the aggregate sweep-summary.json and
// the sweep report are built exactly as an unsharded sweep builds them, so the merged directory
// is byte-identical to it (timing files aside, which merge does not write). It runs no scenario.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CliIo } from './run-command.ts';
import {
  SWEEP_RUNS_DIR,
  checkMergeOut,
  formatSweepDone,
  isDirectory,
  readPlanFile,
  runFilePath,
  writeAtomic,
  writePlanFile,
  writeSweepReport,
} from './sweep-command.ts';
import type { PlannedRun } from './sweep-plan.ts';
import { CliError } from './user-error.ts';

export interface MergeArgs {
  dirs: readonly string[];
  out?: unknown;
}

/** `connsim merge`: returns the exit code (0 every run passed, 1 some run failed). */
export async function mergeCommand(args: MergeArgs, io: CliIo): Promise<number> {
  if (args.dirs.length === 0) throw new CliError('merge needs at least one sweep directory');
  if (Array.isArray(args.out)) throw new CliError('--out given more than once');
  for (const d of args.dirs) if (!isDirectory(d)) throw new CliError(`${d} is not a directory`);
  const plans = args.dirs.map((d) => ({ dir: d, ...readPlanFile(d) }));
  const first = plans[0]!;
  for (const p of plans.slice(1)) {
    if (p.text !== first.text) throw new CliError(`${p.dir} and ${first.dir} hold different sweep plans (their sweep.json differ); only shards of one sweep merge`);
  }
  const plan = first.plan;
  const outDir = checkMergeOut(args.dirs, args.out !== undefined ? String(args.out) : undefined);
  writePlanFile(outDir, plan);
  const missing: PlannedRun[] = [];
  for (const run of plan.runs) {
    let found: { dir: string; text: string } | undefined;
    for (const d of args.dirs) {
      const path = runFilePath(d, run);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'utf8');
      if (found !== undefined && found.text !== text) throw new CliError(`run ${run.id} differs between ${found.dir} and ${d}; the shards did not run the same code or inputs`);
      found ??= { dir: d, text };
    }
    if (found === undefined) {
      missing.push(run);
      continue;
    }
    const target = runFilePath(outDir, run);
    if (!existsSync(target) || readFileSync(target, 'utf8') !== found.text) writeAtomic(target, found.text);
  }
  if (missing.length > 0) {
    throw new CliError(
      `${missing.length} of ${plan.runs.length} runs are in none of the directories (first: ${missing[0]!.id}, index ${missing[0]!.index}); run the missing shards, then merge again (found runs are in ${join(outDir, SWEEP_RUNS_DIR)})`,
    );
  }
  const report = await writeSweepReport(outDir, plan);
  io.stdout(formatSweepDone(outDir, report.aggregate, report.codeVersions));
  return report.aggregate.failures.length > 0 ? 1 : 0;
}
