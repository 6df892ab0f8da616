// Writing a run directory's reports: result.json, charts/<name>.vl.json and .svg, data/<series>.csv
// and report.html. The directory is replaced as a whole: everything is written into a hidden temp
// sibling, which then takes the directory's place by rename, so a reader never sees a
// half-written run directory and a failure leaves the old one untouched. Files in the directory
// that the reports do not own (a trace, logs) are carried over by hard link.
//
// It builds nothing itself: specs and CSVs come from reports/, SVG from render.ts, the page from
// report-html.ts.

import { chmod, cp, link, lstat, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { RUN_RESULT_FILE_NAME, buildCharts, chartDataCsv, stableStringify, type RunResult } from '../reports/index.ts';
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
}

/** A file written at the top of a run directory. */
export interface RunDirFile {
  /** A plain file name (no directory part). */
  name: string;
  content: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Carry a file tree over into the temp directory: hard links where possible, copies otherwise. */
async function linkTree(src: string, dst: string): Promise<void> {
  const st = await lstat(src);
  if (st.isDirectory()) {
    await mkdir(dst);
    for (const name of (await readdir(src)).sort()) await linkTree(join(src, name), join(dst, name));
    return;
  }
  if (st.isFile()) {
    try {
      await link(src, dst);
      return;
    } catch {
      // Another file system or no hard links: fall through to a copy.
    }
  }
  await cp(src, dst, { recursive: false, preserveTimestamps: true, verbatimSymlinks: true });
}

/** Build every report file of a run into the directory `dir` (which exists). */
async function writeReportFiles(dir: string, result: RunResult, opts: PublishOptions): Promise<Omit<ReportSummary, 'runDir'>> {
  const charts = buildCharts(result);
  const csvs = chartDataCsv(result);
  await mkdir(join(dir, CHARTS_DIR));
  await mkdir(join(dir, DATA_DIR));
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

/**
 * Replace runDir's reports atomically: build in a temp sibling, carry over the files the reports do
 * not own, then swap the temp directory in by rename. Between the two renames of the swap the
 * path briefly does not exist; it is never half-written.
 */
export async function publishRunDir(runDir: string, result: RunResult, opts: PublishOptions): Promise<ReportSummary> {
  const target = resolve(runDir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const had = await exists(target);
  if (had && !(await lstat(target)).isDirectory()) throw new Error(`run directory '${runDir}' exists and is not a directory`);
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  let old: string | undefined;
  try {
    // mkdtemp makes the directory private (0700); a run directory keeps its mode, or gets 0755.
    await chmod(tmp, had ? (await lstat(target)).mode & 0o7777 : 0o755);
    const owned = new Set([CHARTS_DIR, DATA_DIR, REPORT_HTML]);
    if (opts.writeResult) owned.add(RUN_RESULT_FILE_NAME);
    const extras = opts.extraFiles ?? [];
    for (const f of extras) {
      if (f.name === '' || f.name !== basename(f.name) || f.name.startsWith('.') || owned.has(f.name)) throw new Error(`run directory file name '${f.name}' is not allowed`);
      owned.add(f.name);
    }
    if (had) {
      for (const name of (await readdir(target)).sort()) {
        if (!owned.has(name)) await linkTree(join(target, name), join(tmp, name));
      }
    }
    const summary = await writeReportFiles(tmp, result, opts);
    for (const f of extras) await writeFile(join(tmp, f.name), f.content);
    if (had) {
      old = `${tmp}-old`;
      await rename(target, old);
    }
    await rename(tmp, target);
    if (old) await rm(old, { recursive: true, force: true });
    return { runDir: target, ...summary };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // If the swap failed half-way, put the old directory back.
    if (old && !(await exists(target)) && (await exists(old))) await rename(old, target);
    throw e;
  }
}

/**
 * What `connsim run` calls when a run ends: write result.json and every report file into runDir
 * (created if missing; replaced atomically if present).
 */
export async function writeRunReports(runDir: string, result: RunResult, extraFiles: readonly RunDirFile[] = []): Promise<ReportSummary> {
  return publishRunDir(runDir, result, { writeResult: true, extraFiles });
}
