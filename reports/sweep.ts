// The sweep report: pure functions from the outcomes of a sweep's runs (one per profile × point ×
// seed) and its axes to an aggregate (per profile and point, over seeds: the share of sound runs,
// the share of runs in which each outcome check held, and the mean and 95% confidence interval of
// every metric), Vega-Lite specs with inline data (outcome vs the swept parameter, one line per
// profile) and CSV text.
//
// It knows nothing of files, worker threads or the CLI (cli/sweep-command.ts writes and renders),
// and reads no RunSummary type from scenarios/: the few fields it needs are declared here.
//
// Checks come in two kinds. A failed *health* check (or a run that threw) means the run is not
// sound: it is a failed run, listed with the checks that failed. A failed *outcome* check is the
// scenario's answer ("the attack did not succeed"): a result, aggregated as a rate, never a failure.
//
// Intervals follow each metric's declared kind (the scenario's `metrics`), never the values seen:
//   indicator (0/1)       Wilson score interval, as for every rate of runs;
//   share (in [0, 1])     Student t on the mean, clipped to [0, 1];
//   count, duration (≥0)  Student t on the mean, clipped at 0;
//   number                Student t on the mean.
// A metric whose kind is undeclared, or declared differently by different runs, is a 'number'.

import { VEGA_LITE_SCHEMA_URL, CHART_HEIGHT, CHART_WIDTH, houseConfig, type VlSpec } from './chart-kit.ts';
import { toCsv, type CsvColumn } from './csv.ts';
import { METRIC_KINDS, metricFits, type MetricKind } from './metric-kind.ts';

/**
 * Bumped when sweep-summary.json changes meaning.
 * 2: health and outcome checks apart (totals.healthy, groups[].healthRate and .outcomes), metric
 *    kinds, failures name their checks.
 */
export const SWEEP_SUMMARY_FORMAT_VERSION = 2;

/** One swept dimension, values as typed on the command line, in order. */
export interface SweepAxisInfo {
  key: string;
  values: string[];
}

/** How a metric is aggregated (the scenario declares it: reports/metric-kind.ts). */
export type SweepMetricKind = MetricKind;

/** One check of one run. */
export interface SweepCheckOutcome {
  name: string;
  kind: 'health' | 'outcome';
  passed: boolean;
}

/** What the report needs of one run's outcome (a RunSummary, or the record of a run that threw). */
export interface SweepRunOutcome {
  /** Every health check passed (false for a run that threw). */
  healthy: boolean;
  /** Every check passed, outcomes included. */
  passed: boolean;
  /** The run's checks in the order it recorded them (empty for a run that threw). */
  checks: readonly SweepCheckOutcome[];
  /** Metric scalars (empty for a run that threw). */
  metrics: Readonly<Record<string, number>>;
  /** The declared kind of each metric (absent: undeclared). */
  metricKinds: Readonly<Record<string, SweepMetricKind>>;
  /** The exception's message for a run that threw, null otherwise. */
  error: string | null;
  /** The command that re-runs it alone. */
  reproduce: string;
}

/** One run of the sweep, in plan order. */
export interface SweepRunRow {
  index: number;
  id: string;
  profile: string;
  /** Axis key → value as typed. */
  point: Readonly<Record<string, string>>;
  seed: string;
  outcome: SweepRunOutcome;
}

export interface SweepData {
  scenario: string;
  seeds: readonly string[];
  profiles: readonly string[];
  axes: readonly SweepAxisInfo[];
  runs: readonly SweepRunRow[];
}

/** How an interval was computed (see the head of this file). */
export type CiMethod = 'wilson' | 'student-t' | 'student-t-clipped-unit' | 'student-t-clipped-zero';

/** A mean over seeds with its 95% interval (lo/hi null when one value cannot give one). */
export interface MeanCi {
  n: number;
  mean: number;
  sd: number | null;
  lo: number | null;
  hi: number | null;
  method: CiMethod;
}

/** One profile × point: its runs and the aggregates over their seeds. */
export interface SweepGroup {
  profile: string;
  point: Record<string, string>;
  runs: number;
  /** Runs that passed every health check. */
  healthy: number;
  errored: number;
  /** Share of sound runs (every health check passed; a run that threw is not sound), Wilson interval. */
  healthRate: MeanCi;
  /** Outcome check name → share of the sound runs in which it held, Wilson interval (absent when no sound run recorded it). */
  outcomes: Record<string, MeanCi>;
  /** Metric name → aggregate over the runs that recorded it (absent when none did). */
  metrics: Record<string, MeanCi>;
}

/** A run that is not sound: it threw, or a health check failed. */
export interface SweepFailure {
  id: string;
  error: string | null;
  /** The health checks that failed, in the run's order (empty for a run that threw). */
  failedChecks: string[];
  reproduce: string;
}

/** sweep-summary.json. */
export interface SweepAggregate {
  format: number;
  scenario: string;
  seeds: string[];
  profiles: string[];
  axes: SweepAxisInfo[];
  totals: {
    runs: number;
    /** Passed every health check. */
    healthy: number;
    /** Ended, but a health check failed. */
    unhealthy: number;
    /** Threw (no checks). */
    errored: number;
    /** Passed every check, outcomes included. */
    allChecksPassed: number;
  };
  /** Every outcome check any run recorded, sorted. */
  outcomeChecks: string[];
  /** Every numeric metric any run recorded, sorted. */
  metrics: string[];
  /** How each metric was aggregated (its declared kind; 'number' when undeclared or declared differently). */
  metricKinds: Record<string, SweepMetricKind>;
  groups: SweepGroup[];
  /** Runs that are not sound, in plan order. */
  failures: SweepFailure[];
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Two-sided 95% Student-t quantiles t(0.975, df) for df = 1..30 (to double precision, as scipy.stats.t.ppf gives them). */
const T975: readonly number[] = [
  12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146, 2.4469118511449786, 2.364624251592784,
  2.306004135204166, 2.262157162798205, 2.228138851986274, 2.200985160091639, 2.1788128296672284, 2.1603686564627913, 2.144786687917804,
  2.131449545559776, 2.1199052992212546, 2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864, 2.0796138447276795,
  2.0738730679040254, 2.0686576104190486, 2.0638985616280245, 2.0595385527532972, 2.0555294386428735, 2.0518305164802846, 2.0484071417952454,
  2.045229642132703, 2.0422724563012378,
];

/**
 * t(0.975, df): the table up to 30 degrees of freedom, then the Cornish-Fisher expansion around
 * the normal quantile, which is accurate to better than 1e-5 from 30 on.
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tQuantile975: df must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = Z95;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Wilson score 95% interval of k successes in n trials (n > 0). */
export function wilsonInterval(k: number, n: number): { rate: number; lo: number; hi: number } {
  if (!(n > 0) || k < 0 || k > n) throw new Error(`wilsonInterval: need 0 <= k <= n, n > 0 (got ${k}/${n})`);
  const p = k / n;
  const z2 = Z95 * Z95;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z95 / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the rounding error at the ends (0/n gives lo = 0 exactly in exact arithmetic).
  return { rate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Mean, sample standard deviation and Student-t 95% interval of values (in the order given). */
export function meanStudentT(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) throw new Error('meanStudentT: no values');
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { n, mean, sd: null, lo: null, hi: null, method: 'student-t' };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const sd = Math.sqrt(ss / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, lo: mean - half, hi: mean + half, method: 'student-t' };
}

/** Mean of 0/1 values with the Wilson interval. */
export function meanWilson(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) throw new Error('meanWilson: no values');
  let k = 0;
  for (const v of values) {
    if (v !== 0 && v !== 1) throw new Error(`meanWilson: ${v} is not 0 or 1`);
    k += v;
  }
  const w = wilsonInterval(k, n);
  const sd = n > 1 ? Math.sqrt((k * (1 - w.rate) * (1 - w.rate) + (n - k) * w.rate * w.rate) / (n - 1)) : null;
  return { n, mean: w.rate, sd, lo: w.lo, hi: w.hi, method: 'wilson' };
}

function pointKey(axes: readonly SweepAxisInfo[], point: Readonly<Record<string, string>>): string {
  return JSON.stringify(axes.map((a) => point[a.key] ?? ''));
}

/** Every point of the axes' product, first axis outermost (the plan's order). */
function axisPoints(axes: readonly SweepAxisInfo[]): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const axis of axes) {
    const next: Record<string, string>[] = [];
    for (const p of acc) for (const v of axis.values) next.push({ ...p, [axis.key]: v });
    acc = next;
  }
  return acc;
}

/** Student t on the mean, the interval clipped to [lo, hi] (the kind's range; the mean is always inside it). */
export function meanStudentTClipped(values: readonly number[], min: number, max: number, method: CiMethod): MeanCi {
  const m = meanStudentT(values);
  if (m.lo === null || m.hi === null) return { ...m, method };
  return { ...m, lo: Math.max(min, m.lo), hi: Math.min(max, m.hi), method };
}

/** The mean and interval of one metric's values, by its kind. */
export function aggregateMetric(kind: SweepMetricKind, values: readonly number[]): MeanCi {
  switch (kind) {
    case 'indicator':
      return meanWilson(values);
    case 'share':
      return meanStudentTClipped(values, 0, 1, 'student-t-clipped-unit');
    case 'count':
    case 'duration':
    case 'rate':
      return meanStudentTClipped(values, 0, Number.POSITIVE_INFINITY, 'student-t-clipped-zero');
    case 'number':
      return meanStudentT(values);
  }
}

/** A rate of k in n as a MeanCi (Wilson; the sd is that of the 0/1 values). */
function rateCi(k: number, n: number): MeanCi {
  const w = wilsonInterval(k, n);
  const sd = n > 1 ? Math.sqrt((k * (1 - w.rate) ** 2 + (n - k) * w.rate ** 2) / (n - 1)) : null;
  return { n, mean: w.rate, sd, lo: w.lo, hi: w.hi, method: 'wilson' };
}

/** Each metric's kind over all runs: the declared one when every run that recorded it declared the same and every value fits; else 'number'. */
function resolveMetricKinds(runs: readonly SweepRunRow[]): Record<string, SweepMetricKind> {
  const seen = new Map<string, SweepMetricKind | null>();
  for (const r of runs) {
    for (const name of Object.keys(r.outcome.metrics)) {
      const v = r.outcome.metrics[name]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const declared = r.outcome.metricKinds[name];
      const kind = declared !== undefined && METRIC_KINDS.includes(declared) && metricFits(declared, v) ? declared : null;
      const prev = seen.get(name);
      seen.set(name, prev === undefined ? kind : prev === kind ? kind : null);
    }
  }
  const out: Record<string, SweepMetricKind> = {};
  for (const name of [...seen.keys()].sort()) out[name] = seen.get(name) ?? 'number';
  return out;
}

/** Aggregates the runs per profile and point (in plan order), over seeds. */
export function aggregateSweep(data: SweepData): SweepAggregate {
  const metricKinds = resolveMetricKinds(data.runs);
  const metrics = Object.keys(metricKinds);
  const outcomeNames = new Set<string>();
  for (const r of data.runs) for (const c of r.outcome.checks) if (c.kind === 'outcome') outcomeNames.add(c.name);
  const outcomeChecks = [...outcomeNames].sort();
  const byGroup = new Map<string, SweepRunRow[]>();
  for (const r of data.runs) {
    const k = `${r.profile}\u0000${pointKey(data.axes, r.point)}`;
    const list = byGroup.get(k);
    if (list === undefined) byGroup.set(k, [r]);
    else list.push(r);
  }
  const groups: SweepGroup[] = [];
  for (const profile of data.profiles) {
    for (const point of axisPoints(data.axes)) {
      const runs = [...(byGroup.get(`${profile}\u0000${pointKey(data.axes, point)}`) ?? [])].sort((a, b) => a.index - b.index);
      if (runs.length === 0) continue;
      const sound = runs.filter((r) => r.outcome.error === null && r.outcome.healthy);
      const outcomes: Record<string, MeanCi> = {};
      for (const name of outcomeChecks) {
        let n = 0;
        let k = 0;
        for (const r of sound) {
          const c = r.outcome.checks.find((x) => x.kind === 'outcome' && x.name === name);
          if (c === undefined) continue;
          n += 1;
          if (c.passed) k += 1;
        }
        if (n > 0) outcomes[name] = rateCi(k, n);
      }
      const agg: Record<string, MeanCi> = {};
      for (const m of metrics) {
        const values: number[] = [];
        for (const r of runs) {
          const v = r.outcome.metrics[m];
          if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
        }
        if (values.length > 0) agg[m] = aggregateMetric(metricKinds[m]!, values);
      }
      groups.push({
        profile,
        point,
        runs: runs.length,
        healthy: sound.length,
        errored: runs.filter((r) => r.outcome.error !== null).length,
        healthRate: rateCi(sound.length, runs.length),
        outcomes,
        metrics: agg,
      });
    }
  }
  const ordered = [...data.runs].sort((a, b) => a.index - b.index);
  const errored = ordered.filter((r) => r.outcome.error !== null).length;
  const healthy = ordered.filter((r) => r.outcome.error === null && r.outcome.healthy).length;
  return {
    format: SWEEP_SUMMARY_FORMAT_VERSION,
    scenario: data.scenario,
    seeds: [...data.seeds],
    profiles: [...data.profiles],
    axes: data.axes.map((a) => ({ key: a.key, values: [...a.values] })),
    totals: {
      runs: ordered.length,
      healthy,
      unhealthy: ordered.length - healthy - errored,
      errored,
      allChecksPassed: ordered.filter((r) => r.outcome.error === null && r.outcome.passed).length,
    },
    outcomeChecks,
    metrics,
    metricKinds,
    groups,
    failures: ordered
      .filter((r) => r.outcome.error !== null || !r.outcome.healthy)
      .map((r) => ({
        id: r.id,
        error: r.outcome.error,
        failedChecks: r.outcome.checks.filter((c) => c.kind === 'health' && !c.passed).map((c) => c.name),
        reproduce: r.outcome.reproduce,
      })),
  };
}

/** A chart of the sweep report. */
export interface SweepChart {
  /** File-safe: lowercase letters, digits and dashes. */
  name: string;
  spec: VlSpec;
  /** False for the explicit "no data" placeholder. */
  hasData: boolean;
  /** Axis titles the rendered chart shows (tests look for them in the SVG). */
  axisTitles: string[];
}

/** Seeds in words: "1..20" for a run of consecutive integers, else the list (shortened). */
export function seedsLabel(seeds: readonly string[]): string {
  const ints = seeds.map((s) => (/^-?\d+$/.test(s) ? Number(s) : NaN));
  if (seeds.length > 2 && ints.every((v, i) => Number.isSafeInteger(v) && (i === 0 || v === ints[i - 1]! + 1))) return `${seeds[0]}..${seeds[seeds.length - 1]}`;
  const text = seeds.join(', ');
  return text.length <= 60 ? text : `${seeds.slice(0, 5).join(', ')}, … (${seeds.length} seeds)`;
}

/** The words on the x axis for an axis key. */
export function axisTitle(key: string | null): string {
  if (key === null) return 'Profile';
  if (key === 'nodes') return 'Honest nodes (count)';
  if (key.startsWith('set.')) return `Profile setting ${key.slice(4)} (value)`;
  return `Scenario parameter ${key} (value)`;
}

const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** How the swept axis is drawn: numbers on a linear or log scale, anything else in the order given. */
function xEncoding(axis: SweepAxisInfo | null, profiles: readonly string[]): { enc: VlSpec; numeric: boolean; toX: (v: string) => number | string } {
  if (axis === null) return { enc: { field: 'x', type: 'nominal', title: axisTitle(null), sort: [...profiles], axis: { labelAngle: 0 } }, numeric: false, toX: (v) => v };
  const numeric = axis.values.every((v) => NUMBER_TEXT.test(v));
  if (!numeric) return { enc: { field: 'x', type: 'ordinal', title: axisTitle(axis.key), sort: [...axis.values], axis: { labelAngle: 0 } }, numeric: false, toX: (v) => v };
  const nums = axis.values.map(Number);
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  // A sweep over orders of magnitude (100, 1000, 10000 addresses) reads best on a log axis.
  const log = min > 0 && max / min >= 100;
  const enc: VlSpec = { field: 'x', type: 'quantitative', title: log ? `${axisTitle(axis.key).replace(/\)$/, ', log scale)')}` : axisTitle(axis.key) };
  enc.scale = log ? { type: 'log', domain: [min, max], nice: false } : { zero: false, nice: true };
  return { enc, numeric: true, toX: (v) => Number(v) };
}

/** File-safe chart-name fragment of a metric name. */
export function metricSlug(name: string): string {
  const s = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'metric' : s;
}

interface ChartRow {
  x: number | string;
  series: string;
  mean: number;
  lo: number | null;
  hi: number | null;
  n: number;
}

/** Series label of a group: the profile, then the values of the axes after the first. */
function seriesOf(g: SweepGroup, axes: readonly SweepAxisInfo[]): string {
  return [g.profile, ...axes.slice(1).map((a) => `${a.key}=${g.point[a.key]!}`)].join(' · ');
}

function seriesDomain(agg: SweepAggregate): string[] {
  const out: string[] = [];
  for (const g of agg.groups) {
    const s = seriesOf(g, agg.axes);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** Tableau-10, one colour per series in order. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function subtitle(agg: SweepAggregate, method: string, withIntervals: boolean): string[] {
  const perPoint = agg.seeds.length;
  return [
    `${agg.scenario} · seeds ${seedsLabel(agg.seeds)} (${perPoint} per point) · profiles ${agg.profiles.join(', ')}`,
    withIntervals
      ? `mean over seeds; bars${agg.axes.length > 0 && xEncoding(agg.axes[0]!, agg.profiles).numeric ? ' and band' : ''}: 95% confidence interval (${method})`
      : `${perPoint === 1 ? 'one seed per point' : 'the same value on every seed'}: no confidence interval to draw`,
  ];
}

function frame(title: string, sub: string[]): VlSpec {
  return { $schema: VEGA_LITE_SCHEMA_URL, title: { text: title, subtitle: sub }, width: CHART_WIDTH, height: CHART_HEIGHT, config: houseConfig() };
}

/** One "outcome vs swept parameter" chart from per-group aggregates. */
function outcomeChart(
  agg: SweepAggregate,
  name: string,
  title: string,
  yTitle: string,
  method: string,
  pick: (g: SweepGroup) => MeanCi | undefined,
  unitInterval: boolean,
): SweepChart {
  const axis = agg.axes[0] ?? null;
  const x = xEncoding(axis, agg.profiles);
  const rows: ChartRow[] = [];
  for (const g of agg.groups) {
    const m = pick(g);
    if (m === undefined) continue;
    rows.push({ x: x.toX(axis === null ? g.profile : g.point[axis.key]!), series: seriesOf(g, agg.axes), mean: m.mean, lo: m.lo, hi: m.hi, n: m.n });
  }
  const xTitle = String(x.enc.title);
  if (rows.length === 0) {
    return {
      name,
      hasData: false,
      axisTitles: [],
      spec: {
        ...frame(title, subtitle(agg, method, false)),
        height: 120,
        data: { values: [{ message: 'No data: no run of the sweep recorded this value' }] },
        mark: { type: 'text', fontSize: 14, color: '#777777' },
        encoding: { text: { field: 'message', type: 'nominal' }, x: { value: CHART_WIDTH / 2 }, y: { value: 60 } },
      },
    };
  }
  const domain = seriesDomain(agg);
  const seriesTitle = ['profile', ...agg.axes.slice(1).map((a) => a.key)].join(' · ');
  const yEnc: VlSpec = { field: 'mean', type: 'quantitative', title: yTitle };
  if (unitInterval) yEnc.scale = { domain: [0, 1] };
  const tooltip = [
    { field: 'series', type: 'nominal', title: seriesTitle },
    { field: 'x', type: x.numeric ? 'quantitative' : 'nominal', title: axis === null ? 'profile' : axis.key },
    { field: 'mean', type: 'quantitative', title: 'mean', format: ',.4~f' },
    { field: 'lo', type: 'quantitative', title: '95% CI low', format: ',.4~f' },
    { field: 'hi', type: 'quantitative', title: '95% CI high', format: ',.4~f' },
    { field: 'n', type: 'quantitative', title: 'runs', format: ',d' },
  ];
  const hasCi = 'isValid(datum.lo) && isValid(datum.hi)';
  // With one seed per point (or identical values) there is no interval: draw no empty layers.
  const withIntervals = rows.some((r) => r.lo !== null && r.hi !== null && r.hi > r.lo);
  const layers: VlSpec[] = [];
  if (withIntervals && x.numeric) {
    layers.push({ transform: [{ filter: hasCi }], mark: { type: 'area', opacity: 0.14 }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } } });
  }
  if (withIntervals) layers.push({ transform: [{ filter: hasCi }], mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } } });
  if (axis !== null) layers.push({ mark: { type: 'line', point: { filled: true, size: 40 } }, encoding: { y: yEnc, tooltip } });
  else layers.push({ mark: { type: 'point', filled: true, size: 60 }, encoding: { y: yEnc, tooltip } });
  return {
    name,
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...frame(title, subtitle(agg, method, withIntervals)),
      data: { values: rows },
      encoding: {
        x: x.enc,
        color: {
          field: 'series',
          type: 'nominal',
          title: seriesTitle,
          sort: domain,
          scale: { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]!) },
          // The band layer is translucent; the legend shows the lines' full colour.
          legend: { symbolOpacity: 1 },
        },
      },
      layer: layers,
    },
  };
}

/** How each method is named in a chart's subtitle. */
const METHOD_TEXT: Record<CiMethod, string> = {
  wilson: 'Wilson score',
  'student-t': 'Student t',
  'student-t-clipped-unit': 'Student t, clipped to [0, 1]',
  'student-t-clipped-zero': 'Student t, clipped at 0',
};

/** The y-axis title of a metric's chart, by kind. */
function metricAxisTitle(name: string, kind: SweepMetricKind): string {
  switch (kind) {
    case 'indicator':
      return `${name} (share of seeds with 1)`;
    case 'share':
      return `${name} (share, mean over seeds)`;
    case 'count':
      return `${name} (count, mean over seeds)`;
    case 'duration':
    case 'rate':
      return `${name} (mean over seeds)`;
    case 'number':
      return `${name} (mean over seeds)`;
  }
}

/** The method a metric's aggregate uses (the same for every group). */
function methodOfKind(kind: SweepMetricKind): CiMethod {
  return kind === 'indicator' ? 'wilson' : kind === 'share' ? 'student-t-clipped-unit' : kind === 'count' || kind === 'duration' ? 'student-t-clipped-zero' : 'student-t';
}

/**
 * Every chart of the sweep: the share of sound runs first, then one per outcome check (the share of
 * sound runs in which it held), then one per metric (sorted by name).
 */
export function sweepCharts(agg: SweepAggregate): SweepChart[] {
  const vs = agg.axes.length > 0 ? agg.axes[0]!.key : 'profile';
  const charts: SweepChart[] = [
    outcomeChart(agg, 'sweep-health-rate', `Sound runs (every health check passed) vs ${vs}`, 'Sound runs (share of seeds)', METHOD_TEXT.wilson, (g) => g.healthRate, true),
  ];
  const used = new Set(charts.map((c) => c.name));
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  };
  for (const check of agg.outcomeChecks) {
    charts.push(
      outcomeChart(agg, unique(`sweep-outcome-${metricSlug(check)}`), `Outcome "${check}" vs ${vs}`, `Runs where "${check}" held (share of sound runs)`, METHOD_TEXT.wilson, (g) => g.outcomes[check], true),
    );
  }
  for (const m of agg.metrics) {
    const kind = agg.metricKinds[m] ?? 'number';
    charts.push(
      outcomeChart(
        agg,
        unique(`sweep-metric-${metricSlug(m)}`),
        `${m} vs ${vs}`,
        metricAxisTitle(m, kind),
        `${METHOD_TEXT[methodOfKind(kind)]}, a ${kind}`,
        (g) => g.metrics[m],
        kind === 'indicator' || kind === 'share',
      ),
    );
  }
  return charts;
}

/** The metric column value of the sound-run rows in aggregate.csv. */
export const HEALTH_RATE_ROW = '(sound runs)';

/** The metric column value of an outcome check's rows in aggregate.csv. */
export function outcomeRowName(check: string): string {
  return `(outcome) ${check}`;
}

/** CSV files of the sweep: aggregate.csv (one row per profile × point × metric) and runs.csv (one row per run). */
export function sweepCsv(agg: SweepAggregate, runs: readonly SweepRunRow[]): { name: string; csv: string }[] {
  interface AggRow {
    g: SweepGroup;
    metric: string;
    kind: string;
    m: MeanCi;
  }
  const aggRows: AggRow[] = [];
  for (const g of agg.groups) {
    aggRows.push({ g, metric: HEALTH_RATE_ROW, kind: 'rate', m: g.healthRate });
    for (const c of agg.outcomeChecks) if (g.outcomes[c] !== undefined) aggRows.push({ g, metric: outcomeRowName(c), kind: 'rate', m: g.outcomes[c]! });
    for (const m of agg.metrics) if (g.metrics[m] !== undefined) aggRows.push({ g, metric: m, kind: agg.metricKinds[m] ?? 'number', m: g.metrics[m]! });
  }
  const aggCols: CsvColumn<AggRow>[] = [
    { header: 'profile', value: (r) => r.g.profile },
    ...agg.axes.map((a) => ({ header: a.key, value: (r: AggRow) => r.g.point[a.key] })),
    { header: 'metric', value: (r) => r.metric },
    { header: 'kind', value: (r) => r.kind },
    { header: 'n', value: (r) => r.m.n },
    { header: 'mean', value: (r) => r.m.mean },
    { header: 'sd', value: (r) => r.m.sd },
    { header: 'ci95Low', value: (r) => r.m.lo },
    { header: 'ci95High', value: (r) => r.m.hi },
    { header: 'ciMethod', value: (r) => r.m.method },
  ];
  const ordered = [...runs].sort((a, b) => a.index - b.index);
  const outcomeCell = (r: SweepRunRow, c: string): boolean | null => r.outcome.checks.find((x) => x.kind === 'outcome' && x.name === c)?.passed ?? null;
  const runCols: CsvColumn<SweepRunRow>[] = [
    { header: 'index', value: (r) => r.index },
    { header: 'id', value: (r) => r.id },
    { header: 'profile', value: (r) => r.profile },
    ...agg.axes.map((a) => ({ header: a.key, value: (r: SweepRunRow) => r.point[a.key] })),
    { header: 'seed', value: (r) => r.seed },
    { header: 'healthy', value: (r) => r.outcome.error === null && r.outcome.healthy },
    { header: 'passed', value: (r) => r.outcome.error === null && r.outcome.passed },
    { header: 'failedChecks', value: (r) => r.outcome.checks.filter((c) => !c.passed).map((c) => c.name).join('; ') },
    { header: 'error', value: (r) => r.outcome.error },
    ...agg.outcomeChecks.map((c) => ({ header: outcomeRowName(c), value: (r: SweepRunRow) => outcomeCell(r, c) })),
    ...agg.metrics.map((m) => ({ header: m, value: (r: SweepRunRow) => r.outcome.metrics[m] })),
    { header: 'reproduce', value: (r) => r.outcome.reproduce },
  ];
  return [
    { name: 'aggregate', csv: toCsv(aggRows, aggCols) },
    { name: 'runs', csv: toCsv(ordered, runCols) },
  ];
}
