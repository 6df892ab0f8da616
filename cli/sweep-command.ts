// `connsim sweep <scenario|file.ts>`: plans the cartesian product (profiles × --vary values) × seeds
// (sweep-plan.ts), runs each point's scenario on a pool of worker threads (sweep-worker.ts), writes
// every finished run as DIR/runs/<run-id>.json (atomically: temp file + rename) as soon as it ends,
// and, when every run of the plan is there, the aggregate DIR/sweep-summary.json and the sweep
// report (charts/*.vl.json + .svg, data/*.csv, report.html). With --shard i/n it runs only its
// slice and writes only run files and the plan; `connsim merge` (merge-command.ts) builds the
// report from the joined shard directories.
//
// Every file but timing*.json is a function of the plan alone, so outputs are byte-identical
// whatever the worker count, the sharding or an interruption. A rerun of the same command skips
// runs whose file exists (resume). A run that throws or fails its checks is recorded with its
// reproduce command; the others go on; the exit code is then 1. Bad options are CliErrors (exit 2).

import { Worker } from 'node:worker_threads';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { stableStringify } from '../reports/index.ts';
import { aggregateSweep, seedsLabel, sweepCharts, sweepCsv, type SweepAggregate, type SweepChart, type SweepFailure, type SweepRunOutcome, type SweepRunRow } from '../reports/sweep.ts';
import type { RunSummary } from '../scenarios/dsl/run-summary.ts';
import { parseDurationOrThrow } from '../scenarios/dsl/scenario.ts';
import { formatDuration } from '../sim/index.ts';
import { checkRunFits } from './memory-check.ts';
import { formatWallSeconds } from './progress.ts';
import { chartFigure, escapeHtml, inlineJson, loadBrowserBundles, pageHead, RENDER_SCRIPT, type BrowserBundles } from './report-html.ts';
import { displayPath, maxWallOf, type CliIo } from './run-command.ts';
import { codeVersion, provenance, type Provenance } from './provenance.ts';
import { checkOutputDir, fsError } from './out-dir.ts';
import { Interrupted, interruptible, pendingSignal } from './interrupt.ts';
import { PLAIN_PROGRESS_STEP } from './progress.ts';
import { checkDuration, checkNodes, list, readRunInputs, single } from './run-inputs.ts';
import { loadScenario } from './scenario-loader.ts';
import {
  parseProfiles,
  parseSeeds,
  parseShard,
  parseVary,
  planSweep,
  runArgs,
  runReproduceCommand,
  shardRuns,
  type PlannedRun,
  type Shard,
  type SweepBase,
  type SweepPlan,
} from './sweep-plan.ts';
import type { SweepJob, SweepWorkerData, SweepWorkerMessage } from './sweep-worker.ts';
import { CliError, firstLine } from './user-error.ts';

export const SWEEP_PLAN_FILE = 'sweep.json';
export const SWEEP_SUMMARY_FILE = 'sweep-summary.json';
export const SWEEP_RUNS_DIR = 'runs';
export const SWEEP_CHARTS_DIR = 'charts';
export const SWEEP_DATA_DIR = 'data';
export const SWEEP_REPORT_HTML = 'report.html';

/** The sweep options as yargs hands them over (validated here). */
export interface SweepArgs {
  /** --max-wall: a wall-clock limit for the whole sweep, e.g. 12h. */
  maxWall?: unknown;
  scenario: string;
  seeds?: unknown;
  vary?: unknown;
  profile?: unknown;
  nodes?: unknown;
  duration?: unknown;
  sampleInterval?: unknown;
  param?: unknown;
  set?: unknown;
  asmap?: unknown;
  seedList?: unknown;
  population?: unknown;
  workers?: unknown;
  shard?: unknown;
  out?: unknown;
  quiet?: boolean;
}

/** CliIo plus the core count (tests pin it). */
export interface SweepIo extends CliIo {
  availableParallelism?: () => number;
}

/** The record a run that threw leaves in runs/<id>.json (a run that ended leaves its RunSummary). */
export interface SweepErrorRecord {
  format: number;
  run: string;
  index: number;
  scenario: string;
  profile: string;
  point: Record<string, string>;
  seed: string;
  passed: false;
  error: string;
  reproduce: string;
  /** The code that ran it (cli/provenance.ts codeVersion). */
  codeVersion?: string;
}

/** The timing file name: timing.json, or timing-shard-<i>-of-<n>.json so shards sharing a directory do not collide. */
export function timingFileName(shard: Shard | null): string {
  return shard === null ? 'timing.json' : `timing-shard-${shard.index}-of-${shard.count}.json`;
}

/** Writes a file atomically: a hidden temp sibling, then rename. */
export function writeAtomic(path: string, content: string): void {
  const tmp = join(resolve(path, '..'), `.${basename(path)}.tmp-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Validates the options and plans the sweep (nothing is written). */
export async function prepareSweep(args: SweepArgs, io: SweepIo): Promise<{ plan: SweepPlan; shard: Shard | null; workers: number; outDir: string }> {
  const seeds = parseSeeds(args.seeds);
  const shard = parseShard(args.shard);
  const { definition, file } = await loadScenario(args.scenario);
  const profiles = parseProfiles(args.profile, definition);
  const axes = parseVary(list(args.vary));
  const nodes = checkNodes(args.nodes);
  const durationText = single(args.duration as string | undefined, 'duration');
  checkDuration(durationText, 'duration');
  const sampleText = single(args.sampleInterval as string | undefined, 'sample-interval');
  checkDuration(sampleText, 'sample-interval');
  const inputs = readRunInputs({ asmap: single(args.asmap as string | undefined, 'asmap'), seedList: single(args.seedList as string | undefined, 'seed-list'), population: single(args.population as string | undefined, 'population') });
  const base: SweepBase = {
    nodes: nodes ?? null,
    duration: durationText !== undefined ? String(durationText) : null,
    sampleInterval: sampleText !== undefined ? String(sampleText) : null,
    params: list(args.param),
    set: list(args.set),
    asmap: inputs.asmap?.file ?? null,
    seedList: inputs.seedList?.file ?? null,
    population: inputs.population?.file ?? null,
  };
  const plan = planSweep({ definition, scenarioFile: file, seeds, profiles, axes, base });
  const workersArg = single(args.workers as number | undefined, 'workers');
  let workers: number;
  if (workersArg === undefined) workers = (io.availableParallelism ?? availableParallelism)();
  else if (typeof workersArg !== 'number' || !Number.isSafeInteger(workersArg) || workersArg < 1) throw new CliError(`--workers must be a whole number >= 1 (got ${String(workersArg)})`);
  else workers = workersArg;
  const outArg = single(args.out as string | undefined, 'out');
  const outDir = checkOutputDir(outArg !== undefined ? String(outArg) : join('sweeps', definition.name), 'sweep').path;
  // The largest world of the plan, as many at once as there are workers, must fit.
  const nodesAxis = plan.axes.find((a) => a.key === 'nodes');
  const maxNodes = nodesAxis !== undefined ? Math.max(...nodesAxis.values.map(Number)) : (nodes ?? definition.defaults.nodes);
  const hours = parseDurationOrThrow(durationText !== undefined ? String(durationText) : definition.defaults.duration, 'duration') / 3_600_000_000;
  const parallel = Math.min(workers, shardRuns(plan, shard).length);
  checkRunFits(`the sweep's largest run (${maxNodes.toLocaleString('en-US')} nodes over ${formatDuration(hours * 3_600_000_000)})`, maxNodes, hours, Math.max(1, parallel));
  return { plan, shard, workers, outDir };
}

/** Writes sweep.json, or checks that the one in the directory is this plan (resume, or a shard of it). */
export function writePlanFile(outDir: string, plan: SweepPlan): void {
  const path = join(outDir, SWEEP_PLAN_FILE);
  const text = stableStringify(plan);
  if (existsSync(path) && readFileSync(path, 'utf8') !== text) {
    throw new CliError(`${displayPath(outDir)} holds another sweep (its ${SWEEP_PLAN_FILE} differs from this command's plan); use another --out`);
  }
  // The first write into the directory: a location that cannot be written fails here, before any run.
  try {
    mkdirSync(join(outDir, SWEEP_RUNS_DIR), { recursive: true });
    if (!existsSync(path)) writeAtomic(path, text);
  } catch (e) {
    throw fsError('cannot write the sweep directory', displayPath(outDir), e);
  }
}

/** Reads and checks a directory's sweep.json. */
export function readPlanFile(dir: string): { plan: SweepPlan; text: string } {
  const path = join(dir, SWEEP_PLAN_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`${dir} is not a sweep directory (no ${SWEEP_PLAN_FILE})`);
  }
  let plan: SweepPlan;
  try {
    plan = JSON.parse(text) as SweepPlan;
  } catch {
    throw new CliError(`${path} is not valid JSON`);
  }
  if (plan === null || typeof plan !== 'object' || !Array.isArray(plan.runs) || !Array.isArray(plan.axes) || typeof plan.scenario !== 'string') {
    throw new CliError(`${path} is not a sweep plan`);
  }
  return { plan, text };
}

/** The path of a run's file. */
export function runFilePath(outDir: string, run: PlannedRun): string {
  return join(outDir, SWEEP_RUNS_DIR, `${run.id}.json`);
}

/** Removes temp files a killed sweep left behind for these runs (only this process's slice writes them). */
function removeStaleTemps(outDir: string, runs: readonly PlannedRun[]): void {
  const dir = join(outDir, SWEEP_RUNS_DIR);
  const prefixes = new Set(runs.map((r) => `.${r.id}.json.tmp-`));
  for (const name of readdirSync(dir).sort()) {
    if (!name.startsWith('.')) continue;
    const cut = name.indexOf('.json.tmp-');
    if (cut > 0 && prefixes.has(name.slice(0, cut + '.json.tmp-'.length))) rmSync(join(dir, name), { force: true });
  }
}

/** The runs/<id>.json text of a run that threw. */
export function errorRecord(plan: SweepPlan, run: PlannedRun, error: string): SweepErrorRecord {
  return {
    format: 1,
    run: run.id,
    index: run.index,
    scenario: plan.scenario,
    profile: run.profile,
    point: { ...run.point },
    seed: run.seed,
    passed: false,
    error,
    reproduce: runReproduceCommand(plan, run),
  };
}

/** What a run file holds: its outcome, and the code version that wrote it (null when the file does not say). */
export type RunFileOutcome = SweepRunOutcome & { codeVersion: string | null };

/** The code version a run file names (its `codeVersion`; a summary written by `connsim run` has it in its provenance). */
function codeVersionOf(o: { codeVersion?: unknown; provenance?: unknown }): string | null {
  if (typeof o.codeVersion === 'string') return o.codeVersion;
  const q = o.provenance as Partial<Provenance> | null | undefined;
  if (q === null || typeof q !== 'object' || typeof q.connsim !== 'string') return null;
  return codeVersion({ connsim: q.connsim, commit: typeof q.commit === 'string' ? q.commit : null, dirty: q.dirty === true, node: '', command: '' });
}

/** Reads a run file back into what the report needs; a malformed file is a CliError naming it. */
export function readRunOutcome(path: string): RunFileOutcome {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`run file ${path} cannot be read: ${firstLine(e)}`);
  }
  const o = v as Partial<RunSummary> & Partial<SweepErrorRecord> & { codeVersion?: unknown };
  if (o === null || typeof o !== 'object' || typeof o.passed !== 'boolean' || typeof o.reproduce !== 'string') throw new CliError(`run file ${path} is neither a run summary nor an error record`);
  const version = codeVersionOf(o);
  if (typeof o.error === 'string') return { healthy: false, passed: false, checks: [], metrics: {}, metricKinds: {}, error: o.error, reproduce: o.reproduce, codeVersion: version };
  if (o.metrics === null || typeof o.metrics !== 'object') throw new CliError(`run file ${path} has no metrics`);
  if (!Array.isArray(o.checks)) throw new CliError(`run file ${path} has no checks`);
  // A format-1 summary (before checks had a kind): every check counts as health, every metric is a 'number'.
  const checks = o.checks.map((c) => ({ name: String(c.name), kind: c.kind === 'outcome' ? ('outcome' as const) : ('health' as const), passed: c.passed === true }));
  const healthy = typeof o.healthy === 'boolean' ? o.healthy : checks.every((c) => c.kind !== 'health' || c.passed);
  const metricKinds = o.metricKinds !== null && typeof o.metricKinds === 'object' ? o.metricKinds : {};
  return { healthy, passed: o.passed, checks, metrics: o.metrics, metricKinds, error: null, reproduce: o.reproduce, codeVersion: version };
}

/** Whether a run file's run is sound (ended, every health check passed). */
export function runIsSound(o: SweepRunOutcome): boolean {
  return o.error === null && o.healthy;
}

/** One progress line for the whole sweep: runs done of the total, failures and the time left. */
export class SweepProgress {
  /** Off a terminal: one plain line per PLAIN_PROGRESS_STEP percent of the runs, for a job's log. */
  private readonly plain: boolean;
  private nextPlainPct = PLAIN_PROGRESS_STEP;
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly startMs: number;
  private readonly partial = new Map<number, number>();
  private done = 0;
  private failed = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly nowMs: () => number,
    private readonly total: number,
    private readonly skipped: number,
    opts: { plain?: boolean } = {},
  ) {
    this.startMs = nowMs();
    this.plain = opts.plain ?? false;
  }

  progress(index: number, fraction: number): void {
    this.partial.set(index, fraction);
    this.draw(false);
  }

  finished(index: number, passed: boolean): void {
    this.partial.delete(index);
    this.done += 1;
    if (!passed) this.failed += 1;
    this.draw(true);
  }

  /** The line (no newline), from the wall seconds since the start. */
  line(wallSeconds: number): string {
    let inFlight = 0;
    for (const f of this.partial.values()) inFlight += f;
    const work = this.done + inFlight;
    const todo = this.total - this.skipped;
    const frac = todo > 0 ? Math.min(1, work / todo) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    // Below half a run of work done the rate is mostly start-up (loading the workers): no estimate yet.
    const eta = frac >= 1 ? '0s' : work >= 0.5 ? formatWallSeconds((wallSeconds * (todo - work)) / work) : '?';
    const failed = this.failed > 0 ? `  ${this.failed} failed` : '';
    return `sweep [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.skipped + this.done}/${this.total} runs${failed}  ETA ${eta}`;
  }

  private draw(force: boolean): void {
    if (this.plain) {
      const todo = this.total - this.skipped;
      const pct = todo > 0 ? (100 * this.done) / todo : 100;
      if (!force || pct < this.nextPlainPct) return;
      while (this.nextPlainPct <= pct) this.nextPlainPct += PLAIN_PROGRESS_STEP;
      this.write(`connsim: ${this.line((this.nowMs() - this.startMs) / 1000).replace(/\[[#.]+\] /, '')}\n`);
      return;
    }
    const now = this.nowMs();
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    this.write(`\r\x1b[2K${this.line((now - this.startMs) / 1000)}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.write('\r\x1b[2K');
    this.drawn = false;
  }
}

/**
 * The worker's bootstrap: plain JavaScript that registers tsx's hooks and connsim's own (its files
 * compiled without keepNames, bin/loader.mjs; a scenario file anywhere loads as an ES module and may
 * import 'connsim') in the new thread, then imports sweep-worker.ts. (On Node 20 a worker started
 * with execArgv ['--import', 'tsx'] still cannot load a .ts entry point, since the hooks are
 * registered after the entry is resolved.)
 */
function workerBootstrap(): string {
  const loader = new URL('../bin/loader.mjs', import.meta.url).href;
  const entry = new URL('./sweep-worker.ts', import.meta.url).href;
  const hook = new URL('./package-resolve-hook.mjs', import.meta.url).href;
  // tsx and the compile hook first, then the resolve hook (registered last, it runs first: cli/package-resolve-hook.mjs).
  return `import(${JSON.stringify(loader)}).then(() => import('node:module')).then((m) => { m.register(${JSON.stringify(hook)}); return import(${JSON.stringify(entry)}); });`;
}

/** What one finished run of the pool reports. */
type PoolResult = { kind: 'done'; summary: RunSummary; wallMs: number } | { kind: 'failed'; error: string; wallMs: number };

/**
 * Runs `todo` on up to `workers` worker threads, calling onResult (synchronously, on the main
 * thread) as each run ends. A worker that dies (out of memory, a crash) fails its run and is
 * replaced.
 */
export function runPool(
  plan: SweepPlan,
  todo: readonly PlannedRun[],
  workers: number,
  onResult: (run: PlannedRun, r: PoolResult) => void,
  onProgress: (run: PlannedRun, fraction: number) => void,
  /** Polled about ten times a second: an error to stop with (runs in flight are dropped, not recorded). */
  shouldStop: () => Error | null = () => null,
): Promise<void> {
  if (todo.length === 0) return Promise.resolve();
  const byIndex = new Map(todo.map((r) => [r.index, r]));
  const workerData: SweepWorkerData = { scenario: plan.scenarioFile ?? plan.scenario, asmap: plan.base.asmap, seedList: plan.base.seedList, population: plan.base.population };
  const bootstrap = workerBootstrap();
  return new Promise<void>((resolveAll, rejectAll) => {
    let next = 0;
    let remaining = todo.length;
    let failedHard: unknown;
    let stopping = false;
    const current = new Map<Worker, PlannedRun>();
    const poll = setInterval(() => {
      const stop = shouldStop();
      if (stop === null || stopping) return;
      // Stop at once: the runs in flight are dropped (their files are never written, so a rerun
      // of the same command runs them again), every worker is terminated.
      stopping = true;
      failedHard ??= stop;
      const running = [...current.keys()];
      current.clear();
      for (const w of running) void w.terminate();
      finishIfDone();
    }, 100);
    const settle = (w: Worker, run: PlannedRun, r: PoolResult): void => {
      if (current.get(w) !== run) return;
      current.delete(w);
      try {
        onResult(run, r);
      } catch (e) {
        failedHard ??= e;
      }
      remaining -= 1;
    };
    let settled = false;
    const finishIfDone = (): void => {
      if (settled) return;
      if (remaining > 0 && failedHard === undefined) return;
      if (current.size > 0 && failedHard === undefined) return;
      for (const w of current.keys()) void w.terminate();
      current.clear();
      settled = true;
      clearInterval(poll);
      if (failedHard !== undefined) rejectAll(failedHard);
      else resolveAll();
    };
    const feed = (w: Worker): void => {
      if (failedHard !== undefined || next >= todo.length) {
        void w.terminate();
        finishIfDone();
        return;
      }
      const run = todo[next++]!;
      current.set(w, run);
      const job: SweepJob = { type: 'run', index: run.index, args: runArgs(plan, run) };
      w.postMessage(job);
    };
    const spawn = (): void => {
      const w = new Worker(bootstrap, { eval: true, workerData });
      w.on('message', (m: SweepWorkerMessage) => {
        const run = byIndex.get(m.index);
        if (run === undefined) return;
        if (m.type === 'progress') {
          onProgress(run, m.fraction);
          return;
        }
        settle(w, run, m.type === 'done' ? { kind: 'done', summary: m.summary, wallMs: m.wallMs } : { kind: 'failed', error: m.error, wallMs: m.wallMs });
        feed(w);
      });
      const died = (why: string): void => {
        if (stopping) return;
        const run = current.get(w);
        if (run === undefined) return;
        settle(w, run, { kind: 'failed', error: `the worker thread died: ${why}`, wallMs: 0 });
        if (next < todo.length && failedHard === undefined) spawn();
        finishIfDone();
      };
      w.on('error', (e) => died(firstLine(e)));
      w.on('exit', (code) => died(`exit code ${code}`));
      feed(w);
    };
    for (let i = 0; i < Math.min(workers, todo.length); i++) spawn();
  });
}

/** Every planned run's outcome, read from the run files; missing runs are listed, not read. */
export function collectOutcomes(outDir: string, plan: SweepPlan): { rows: SweepRunRow[]; missing: PlannedRun[]; codeVersions: string[] } {
  const rows: SweepRunRow[] = [];
  const missing: PlannedRun[] = [];
  const versions = new Set<string>();
  for (const run of plan.runs) {
    const path = runFilePath(outDir, run);
    if (!existsSync(path)) {
      missing.push(run);
      continue;
    }
    const outcome = readRunOutcome(path);
    versions.add(outcome.codeVersion ?? 'unknown (the run file does not say)');
    rows.push({ index: run.index, id: run.id, profile: run.profile, point: run.point, seed: run.seed, outcome });
  }
  return { rows, missing, codeVersions: [...versions].sort() };
}

function axesText(plan: SweepPlan): string {
  return plan.axes.length === 0 ? 'none (profiles and seeds only)' : plan.axes.map((a) => `${a.key} = ${a.values.join(', ')}`).join('; ');
}

/** Most failures listed in report.html (the rest are in sweep-summary.json). */
const MAX_FAILURES_SHOWN = 50;

/** The totals in words. */
export function runsText(agg: SweepAggregate): string {
  const t = agg.totals;
  const parts = [`${t.healthy} sound`];
  if (t.unhealthy > 0) parts.push(`${t.unhealthy} failed a health check`);
  if (t.errored > 0) parts.push(`${t.errored} threw`);
  const outcomes = agg.outcomeChecks.length > 0 ? `; every outcome check held in ${t.allChecksPassed}` : '';
  return `${t.runs} runs: ${parts.join(', ')}${outcomes}`;
}

/** Why a run is listed as failed. */
export function failureText(f: SweepFailure): string {
  return f.error !== null ? `threw: ${f.error}` : `health check failed: ${f.failedChecks.join(', ')}`;
}

/** The sweep's report.html: identity, totals, failures with their reproduce commands, and every chart. Pure given the bundles. */
/** sweep-summary.json: the aggregate, and the code versions that ran its runs (more than one: not comparable). */
export type SweepSummaryFile = SweepAggregate & { codeVersions: string[] };

export function buildSweepReportHtml(plan: SweepPlan, agg: SweepAggregate, charts: readonly SweepChart[], bundles: BrowserBundles, codeVersions: readonly string[] = []): string {
  const title = `connsim sweep — ${plan.scenario}, ${agg.totals.runs} runs`;
  const rows: [string, string][] = [
    ['scenario', plan.scenarioFile !== null ? `${plan.scenario} (${plan.scenarioFile})` : plan.scenario],
    ['profiles', plan.profiles.join(', ')],
    ['swept', axesText(plan)],
    ['seeds', `${seedsLabel(plan.seeds)} (${plan.seeds.length} per point)`],
    ['runs', runsText(agg)],
  ];
  if (codeVersions.length > 0) {
    rows.push(['code', codeVersions.length === 1 ? `connsim ${codeVersions[0]!}` : `${codeVersions.length} code versions ran these runs, so they are not comparable: ${codeVersions.join('; ')}`]);
  }
  const identity = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  const failures =
    agg.failures.length === 0
      ? '<p>Every run is sound: it ended and passed all its health checks. (Outcome checks that did not hold are results, charted below.)</p>'
      : `<table><tr><th>run</th><th>outcome</th><th>reproduce</th></tr>\n${agg.failures
          .slice(0, MAX_FAILURES_SHOWN)
          .map(
            (f) =>
              `<tr><td><a href="runs/${escapeHtml(f.id)}.json">${escapeHtml(f.id)}</a></td><td class="fail">${escapeHtml(failureText(f))}</td><td><code>${escapeHtml(f.reproduce)}</code></td></tr>`,
          )
          .join('\n')}</table>${agg.failures.length > MAX_FAILURES_SHOWN ? `\n<p>… and ${agg.failures.length - MAX_FAILURES_SHOWN} more (see <code>${SWEEP_SUMMARY_FILE}</code>).</p>` : ''}`;
  const figs = charts
    .map((c) => chartFigure(c.name, SWEEP_CHARTS_DIR))
    .join('\n');
  const specs = charts.map((c) => ({ name: c.name, spec: c.spec }));
  return `${pageHead(title, bundles)}
<body data-charts="${charts.length}">
<header>
<h1>${escapeHtml(`connsim sweep: ${plan.scenario}`)}</h1>
<p>Re-run the sweep with <code>${escapeHtml(plan.command)}</code></p>
</header>
<section id="identity"><h2>Sweep</h2>
<table>
${identity}
</table>
</section>
<section id="failures"><h2>Failed runs (threw, or a health check failed)</h2>
${failures}
</section>
<section id="charts"><h2>Outcome vs swept parameter (mean over seeds, 95% confidence interval)</h2>
${figs}
</section>
<p>Data behind the charts: <code>${SWEEP_DATA_DIR}/aggregate.csv</code> (per profile, point and metric) and <code>${SWEEP_DATA_DIR}/runs.csv</code> (per run); each run's summary: <code>${SWEEP_RUNS_DIR}/&lt;run-id&gt;.json</code>.</p>
<script type="application/json" id="connsim-specs">${inlineJson(specs)}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}

export interface SweepReportSummary {
  aggregate: SweepAggregate;
  /** More than one: the run files were written by different code versions. */
  codeVersions: string[];
  charts: string[];
  /** Warnings vega-lite or vega logged while rendering, prefixed by the chart name. */
  warnings: string[];
}

/**
 * Builds sweep-summary.json and the report (charts, CSV, report.html) from every run file of the
 * plan, into a temp directory first, then moves each into place by rename. Missing runs are a
 * CliError (run the missing shards, or rerun the sweep to resume).
 */
export async function writeSweepReport(outDir: string, plan: SweepPlan): Promise<SweepReportSummary> {
  const { rows, missing, codeVersions } = collectOutcomes(outDir, plan);
  if (missing.length > 0) {
    throw new CliError(`${missing.length} of ${plan.runs.length} runs of the sweep have no run file (first: ${missing[0]!.id}); run the missing shards or rerun the sweep to resume`);
  }
  const aggregate = aggregateSweep({ scenario: plan.scenario, seeds: plan.seeds, profiles: plan.profiles, axes: plan.axes, runs: rows });
  const charts = sweepCharts(aggregate);
  const csvs = sweepCsv(aggregate, rows);
  // Loaded on use: vega is slow to load and a shard never needs it.
  const { renderSvg } = await import('./render.ts');
  const tmp = mkdtempSync(join(outDir, '.report.tmp-'));
  try {
    mkdirSync(join(tmp, SWEEP_CHARTS_DIR));
    mkdirSync(join(tmp, SWEEP_DATA_DIR));
    const warnings: string[] = [];
    for (const c of charts) {
      const rendered = await renderSvg(c.spec);
      for (const w of rendered.warnings) warnings.push(`${c.name}: ${w}`);
      writeFileSync(join(tmp, SWEEP_CHARTS_DIR, `${c.name}.vl.json`), stableStringify(c.spec));
      writeFileSync(join(tmp, SWEEP_CHARTS_DIR, `${c.name}.svg`), rendered.svg);
    }
    for (const c of csvs) writeFileSync(join(tmp, SWEEP_DATA_DIR, `${c.name}.csv`), c.csv);
    writeFileSync(join(tmp, SWEEP_REPORT_HTML), buildSweepReportHtml(plan, aggregate, charts, loadBrowserBundles(), codeVersions));
    const summary: SweepSummaryFile = { ...aggregate, codeVersions };
    writeFileSync(join(tmp, SWEEP_SUMMARY_FILE), stableStringify(summary));
    // Directories are swapped (old one renamed aside, new one in); files are renamed over.
    for (const d of [SWEEP_CHARTS_DIR, SWEEP_DATA_DIR]) {
      const target = join(outDir, d);
      if (existsSync(target)) renameSync(target, join(tmp, `${d}.old`));
      renameSync(join(tmp, d), target);
    }
    for (const f of [SWEEP_REPORT_HTML, SWEEP_SUMMARY_FILE]) renameSync(join(tmp, f), join(outDir, f));
    return { aggregate, codeVersions, charts: charts.map((c) => c.name), warnings };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The lines printed when a sweep (or merge) has its report. */
export function formatSweepDone(outDir: string, agg: SweepAggregate, codeVersions: readonly string[] = []): string {
  const lines = [`sweep ${agg.scenario}: ${runsText(agg)}`];
  if (codeVersions.length > 1) lines.push(`warning: the run files were written by ${codeVersions.length} code versions (${codeVersions.join('; ')}); rerun into a new --out to compare like with like`);
  for (const f of agg.failures.slice(0, 10)) lines.push(`  ✗ ${f.id}: ${failureText(f)}\n    reproduce: ${f.reproduce}`);
  if (agg.failures.length > 10) lines.push(`  … and ${agg.failures.length - 10} more (see ${SWEEP_SUMMARY_FILE})`);
  lines.push(`summary  ${displayPath(join(outDir, SWEEP_SUMMARY_FILE))}`);
  lines.push(`report   ${displayPath(join(outDir, SWEEP_REPORT_HTML))}`);
  return `${lines.join('\n')}\n`;
}

/** `connsim sweep`: returns the exit code (0 every run sound, 1 some run threw or failed a health check). */
export async function sweepCommand(args: SweepArgs, io: SweepIo): Promise<number> {
  const { plan, shard, workers, outDir } = await prepareSweep(args, io);
  writePlanFile(outDir, plan);
  const slice = shardRuns(plan, shard);
  removeStaleTemps(outDir, slice);
  const todo = slice.filter((r) => !existsSync(runFilePath(outDir, r)));
  const skipped = slice.length - todo.length;
  const progress = args.quiet !== true ? new SweepProgress(io.stderr, io.nowMs, slice.length, skipped, { plain: !io.stderrIsTty }) : undefined;
  const started = io.nowMs();
  const runWall = new Map<number, number>();
  const maxWall = maxWallOf(args).maxWallMs;
  let done = 0;
  try {
    await interruptible(() =>
      runPool(
      plan,
      todo,
      workers,
      (run, r) => {
        // Each run file names the code that ran it (a resumed or merged sweep may mix code versions,
        // and the report says so); the machine and the command as typed go to timing.json, so run
        // files stay the same bytes whatever the sharding.
        const content = stableStringify({ ...(r.kind === 'done' ? r.summary : errorRecord(plan, run, r.error)), codeVersion: codeVersion() });
        writeAtomic(runFilePath(outDir, run), content);
        runWall.set(run.index, r.wallMs);
        done++;
        progress?.finished(run.index, r.kind === 'done' && r.summary.healthy);
      },
      (run, fraction) => progress?.progress(run.index, fraction),
      () => {
        const where = `${skipped + done} of ${slice.length} runs done; the same command resumes the sweep`;
        const signal = pendingSignal();
        if (signal !== null) return new Interrupted(signal, `sweep interrupted by ${signal} (${where})`);
        if (maxWall !== undefined && io.nowMs() - started > maxWall) return new Interrupted('max-wall', `sweep stopped by --max-wall after ${formatWallSeconds(maxWall / 1000)} (${where})`);
        return null;
      },
      ),
    );
  } finally {
    progress?.finish();
  }
  const wallSeconds = (io.nowMs() - started) / 1000;
  const timing = {
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    workers: Math.min(workers, Math.max(1, todo.length)),
    shard: shard === null ? null : `${shard.index}/${shard.count}`,
    runsInSlice: slice.length,
    runsExecuted: todo.length,
    runsSkipped: skipped,
    peakRssBytes: io.peakRssBytes(),
    // Where this process ran: connsim version and commit, Node version, the command as typed.
    provenance: provenance(),
    runs: todo.map((r) => ({ id: r.id, wallSeconds: Math.round((runWall.get(r.index) ?? 0) * 1000) / 1e6 })),
  };
  writeAtomic(join(outDir, timingFileName(shard)), stableStringify(timing));
  if (shard !== null) {
    const failed = slice.filter((r) => !runIsSound(readRunOutcome(runFilePath(outDir, r))));
    io.stdout(
      `shard ${shard.index}/${shard.count} of sweep ${plan.scenario}: ${slice.length} of ${plan.runs.length} runs (${todo.length} run now, ${skipped} already done), ${failed.length} failed\n` +
        failed
          .slice(0, 10)
          .map((r) => `  ✗ ${r.id}\n    reproduce: ${readRunOutcome(runFilePath(outDir, r)).reproduce}\n`)
          .join('') +
        `runs in ${displayPath(join(outDir, SWEEP_RUNS_DIR))}; when every shard is done: connsim merge <shard dirs…> --out <dir>\n`,
    );
    return failed.length > 0 ? 1 : 0;
  }
  const report = await writeSweepReport(outDir, plan);
  io.stdout(formatSweepDone(outDir, report.aggregate, report.codeVersions));
  return report.aggregate.failures.length > 0 ? 1 : 0;
}

/** The --out directory of merge: required with several inputs, the input itself with one. */
export function checkMergeOut(dirs: readonly string[], out: string | undefined): string {
  if (out !== undefined) return checkOutputDir(out, 'sweep').path;
  if (dirs.length === 1) return resolve(dirs[0]!);
  throw new CliError('merge of several directories needs --out DIR');
}

/** Whether a path is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
