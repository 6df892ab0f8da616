// Writing a run directory's reports: result.json, charts/<name>.vl.json and .svg, data/<series>.csv
// and report.html. Files are built in a staging directory beside the target and then published
// (out-dir.ts): a new directory appears whole by one rename; in an existing run directory each
// entry written here replaces its old copy, and everything else there (a user's notes, an earlier
// trace) is left untouched. A failure leaves the old directory as it was.
//
// It builds nothing itself: specs and CSVs come from reports/, SVG from render.ts, the page from
// report-html.ts.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { RUN_RESULT_FILE_NAME, buildCharts, chartDataCsv, stableStringify, type RunResult } from '../reports/index.ts';
import { StagedRunDir, checkOutputDir } from './out-dir.ts';
import { renderSvg } from './render.ts';
import { buildReportHtml, loadBrowserBundles } from './report-html.ts';

/** What the reports own in a run directory (everything else there is kept as it is). */
export const CHARTS_DIR = 'charts';
export const DATA_DIR = 'data';
export const REPORT_HTML = 'report.html';

export interface ReportSummary {
  /** The run directory, absolute. */
  runDir: string;
  /** Chart names in report order. */
  charts: string[];
  /** Charts drawn as the "no data" placeholder. */
  chartsWithoutData: string[];
  /** CSV series names (data/<name>.csv). */
  series: string[];
  /** Warnings vega-lite or vega logged while rendering, prefixed by the chart name. */
  warnings: string[];
  checksPassed: number;
  checksFailed: number;
}

export interface PublishOptions {
  /** Write result.json too (false when re-rendering from an existing result.json, which is kept byte for byte). */
  writeResult: boolean;
  /**
   * More top-level files to publish in the same atomic swap (summary.json, timing.json of
   * `connsim run`): written into the temp directory before the rename, replacing old copies.
   */
  extraFiles?: readonly RunDirFile[];
  /**
   * Files of the existing run directory (paths relative to it) that the reports do not rebuild but
   * that live in a directory they replace, copied into the new one when present: `connsim report`
   * keeps data/connections.csv, which only the run itself writes.
   */
  keepFromTarget?: readonly string[];
}

/** A file written at the top of a run directory. */
export interface RunDirFile {
  /** A plain file name (no directory part). */
  name: string;
  content: string;
}

/** Build every report file of a run into the directory `dir` (which exists). */
async function writeReportFiles(dir: string, result: RunResult, opts: PublishOptions): Promise<Omit<ReportSummary, 'runDir'>> {
  const charts = buildCharts(result);
  const csvs = chartDataCsv(result);
  await mkdir(join(dir, CHARTS_DIR));
  // data/ may exist already: the per-connection log is streamed into it while the run lasts.
  await mkdir(join(dir, DATA_DIR), { recursive: true });
  const warnings: string[] = [];
  // Rendered one at a time: vega is CPU-bound and the machine is shared.
  for (const c of charts) {
    const rendered = await renderSvg(c.spec);
    for (const w of rendered.warnings) warnings.push(`${c.name}: ${w}`);
    await writeFile(join(dir, CHARTS_DIR, `${c.name}.vl.json`), stableStringify(c.spec));
    await writeFile(join(dir, CHARTS_DIR, `${c.name}.svg`), rendered.svg);
  }
  for (const c of csvs) await writeFile(join(dir, DATA_DIR, `${c.name}.csv`), c.csv);
  await writeFile(join(dir, REPORT_HTML), buildReportHtml(result, charts, loadBrowserBundles()));
  if (opts.writeResult) await writeFile(join(dir, RUN_RESULT_FILE_NAME), stableStringify(result));
  const checksPassed = result.checks.filter((c) => c.passed).length;
  return {
    charts: charts.map((c) => c.name),
    chartsWithoutData: charts.filter((c) => !c.hasData).map((c) => c.name),
    series: csvs.map((c) => c.name),
    warnings,
    checksPassed,
    checksFailed: result.checks.length - checksPassed,
  };
}

/** Checks the names of extra files before anything is written. */
function checkExtraNames(opts: PublishOptions): void {
  const owned = new Set([CHARTS_DIR, DATA_DIR, REPORT_HTML, RUN_RESULT_FILE_NAME]);
  for (const f of opts.extraFiles ?? []) {
    if (f.name === '' || f.name !== basename(f.name) || f.name.startsWith('.') || owned.has(f.name)) throw new Error(`run directory file name '${f.name}' is not allowed`);
    owned.add(f.name);
  }
}

/**
 * Builds every report file into the staged directory and publishes it (see out-dir.ts). The staged
 * directory is discarded if anything fails, so the target is then as it was.
 */
export async function publishStaged(staged: StagedRunDir, result: RunResult, opts: PublishOptions): Promise<ReportSummary> {
  try {
    checkExtraNames(opts);
    for (const rel of opts.keepFromTarget ?? []) {
      const from = join(staged.target, rel);
      if (!existsSync(from)) continue;
      await mkdir(dirname(join(staged.dir, rel)), { recursive: true });
      await copyFile(from, join(staged.dir, rel));
    }
    const summary = await writeReportFiles(staged.dir, result, opts);
    for (const f of opts.extraFiles ?? []) await writeFile(join(staged.dir, f.name), f.content);
    return { runDir: staged.publish(), ...summary };
  } catch (e) {
    staged.discard();
    throw e;
  }
}

/**
 * Writes runDir's reports: checks the location (out-dir.ts checkOutputDir), stages and publishes.
 * For callers that have not staged the directory before a long computation.
 */
export async function publishRunDir(runDir: string, result: RunResult, opts: PublishOptions): Promise<ReportSummary> {
  checkExtraNames(opts);
  const { path } = checkOutputDir(runDir, 'run', { option: 'run directory' });
  return publishStaged(StagedRunDir.acquire(path, runDir), result, opts);
}

/**
 * What `connsim run` calls when a run ends: write result.json and every report file into runDir
 * (created if missing; replaced atomically if present).
 */
export async function writeRunReports(runDir: string, result: RunResult, extraFiles: readonly RunDirFile[] = []): Promise<ReportSummary> {
  return publishRunDir(runDir, result, { writeResult: true, extraFiles });
}
