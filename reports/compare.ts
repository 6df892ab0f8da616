// The comparison of two runs: pure functions from their summaries and RunResults to a table of
// identities, metrics and checks side by side, and Vega-Lite specs of their network time series
// overlaid (one line per run), for `connsim compare` (cli/compare-command.ts writes and renders).
// Sweeps are compared in reports/sweep.ts terms: compareSweeps merges two aggregates so that the
// sweep charts draw both, each profile's series prefixed by its sweep's label.
//
// It reads no file and knows nothing of the CLI; the few summary fields it needs are declared here.

import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA_URL, houseConfig, ratio, timeScale, type VlSpec } from './chart-kit.ts';
import { OUTBOUND_CONN_TYPES, type NetworkSample, type NodeSample, type RunResult } from './run-result.ts';
import type { SweepAggregate } from './sweep.ts';

/** What the comparison needs of a run's summary.json. */
export interface CompareSummary {
  scenario: string;
  seed: string;
  profile: string;
  set: readonly string[];
  params: Readonly<Record<string, number | string | boolean>>;
  nodes: number;
  duration: string;
  digest: string;
  eventsProcessed: number;
  metrics: Readonly<Record<string, number>>;
  metricKinds?: Readonly<Record<string, string>>;
  checks: readonly { name: string; passed: boolean; kind?: string }[];
}

/** One side of a comparison: a short label ("A", "B") and where it came from. */
export interface CompareSide {
  label: string;
  /** The run directory as given. */
  source: string;
  summary: CompareSummary;
  result: RunResult;
}

/** A row of the identity table: the same or different between the runs. */
export interface IdentityRow {
  field: string;
  a: string;
  b: string;
  same: boolean;
}

export interface MetricRow {
  metric: string;
  kind: string;
  a: number | null;
  b: number | null;
  /** b − a when both are present. */
  diff: number | null;
}

export interface CheckRow {
  check: string;
  kind: string;
  a: boolean | null;
  b: boolean | null;
}

export interface CompareChart {
  name: string;
  spec: VlSpec;
  hasData: boolean;
}

/** compare.json. */
export interface RunComparison {
  format: number;
  kind: 'runs';
  a: { label: string; source: string; description: string };
  b: { label: string; source: string; description: string };
  identity: IdentityRow[];
  metrics: MetricRow[];
  checks: CheckRow[];
}

export const COMPARE_FORMAT_VERSION = 1;

/** A run in words: "eclipse-botnet seed 1, core-v0.10, 200 nodes, 3h30m". */
export function describeRun(s: CompareSummary): string {
  return `${s.scenario} seed ${s.seed}, ${s.profile}${s.set.length > 0 ? ` (${s.set.join(', ')})` : ''}, ${s.nodes} nodes, ${s.duration}`;
}

function paramText(p: Readonly<Record<string, number | string | boolean>>): string {
  return Object.keys(p)
    .sort()
    .map((k) => `${k}=${String(p[k])}`)
    .join(' ');
}

/** The tables of a comparison of two runs. */
export function compareRuns(a: CompareSide, b: CompareSide): RunComparison {
  const sa = a.summary;
  const sb = b.summary;
  const idRows: [string, string, string][] = [
    ['scenario', sa.scenario, sb.scenario],
    ['seed', sa.seed, sb.seed],
    ['profile', sa.profile, sb.profile],
    ['profile overrides', sa.set.join(' '), sb.set.join(' ')],
    ['parameters', paramText(sa.params), paramText(sb.params)],
    ['honest nodes', String(sa.nodes), String(sb.nodes)],
    ['duration', sa.duration, sb.duration],
    ['events', String(sa.eventsProcessed), String(sb.eventsProcessed)],
    ['digest', sa.digest, sb.digest],
  ];
  const identity = idRows.map(([field, x, y]) => ({ field, a: x, b: y, same: x === y }));
  const names = [...new Set([...Object.keys(sa.metrics), ...Object.keys(sb.metrics)])].sort();
  const metrics = names.map((m) => {
    const x = sa.metrics[m];
    const y = sb.metrics[m];
    const kind = sa.metricKinds?.[m] ?? sb.metricKinds?.[m] ?? 'number';
    return { metric: m, kind, a: x ?? null, b: y ?? null, diff: x !== undefined && y !== undefined ? y - x : null };
  });
  const checkNames: string[] = [];
  for (const c of [...sa.checks, ...sb.checks]) if (!checkNames.includes(c.name)) checkNames.push(c.name);
  const checks = checkNames.map((name) => {
    const x = sa.checks.find((c) => c.name === name);
    const y = sb.checks.find((c) => c.name === name);
    return { check: name, kind: x?.kind ?? y?.kind ?? 'health', a: x?.passed ?? null, b: y?.passed ?? null };
  });
  return {
    format: COMPARE_FORMAT_VERSION,
    kind: 'runs',
    a: { label: a.label, source: a.source, description: describeRun(sa) },
    b: { label: b.label, source: b.source, description: describeRun(sb) },
    identity,
    metrics,
    checks,
  };
}

/** A network-wide quantity at one tick (null when it has no meaning then, e.g. no outbound peers). */
type NetworkPick = (s: NetworkSample) => number | null;

function longLivedShare(s: NetworkSample): number | null {
  let total = 0;
  let attacker = 0;
  for (const t of OUTBOUND_CONN_TYPES) {
    if (!t.longLived) continue;
    total += s.outbound[t.key].total;
    attacker += s.outbound[t.key].attacker;
  }
  return ratio(attacker, total);
}

/** The overlaid network series: name, title, y title, whether it is a share, and how to read it. */
const NETWORK_SERIES: readonly { name: string; title: string; y: string; share: boolean; pick: NetworkPick }[] = [
  { name: 'eclipsed-fraction', title: 'Honest nodes eclipsed', y: 'Eclipsed honest nodes (share)', share: true, pick: (s) => s.eclipsedFraction },
  { name: 'outbound-attacker-share', title: "Long-lived outbound connections to the attacker, all honest nodes", y: 'Attacker share of long-lived outbound', share: true, pick: longLivedShare },
  { name: 'tried-attacker-share', title: "AddrMan tried entries that are the attacker's, all honest nodes", y: 'Attacker share of tried', share: true, pick: (s) => ratio(s.addrmanTriedAttacker, s.addrmanTried) },
  { name: 'new-attacker-share', title: "AddrMan new entries that are the attacker's, all honest nodes", y: 'Attacker share of new', share: true, pick: (s) => ratio(s.addrmanNewAttacker, s.addrmanNew) },
  { name: 'outbound-netgroups-median', title: 'Distinct netgroups among outbound peers (median over honest nodes)', y: 'Distinct netgroups (count)', share: false, pick: (s) => s.distinctNetgroups.median },
];

/** Mean over the victims at each tick of their long-lived outbound attacker share (null without victims). */
function victimShareSeries(victims: readonly NodeSample[]): { tMicros: number; value: number }[] {
  const byT = new Map<number, { sum: number; n: number }>();
  for (const v of victims) {
    const r = ratio(v.longLivedOutboundAttacker, v.longLivedOutbound);
    if (r === null) continue;
    const e = byT.get(v.tMicros) ?? { sum: 0, n: 0 };
    e.sum += r;
    e.n += 1;
    byT.set(v.tMicros, e);
  }
  return [...byT.entries()].sort((x, y) => x[0] - y[0]).map(([tMicros, e]) => ({ tMicros, value: e.sum / e.n }));
}

interface SeriesRow {
  t: number;
  run: string;
  value: number;
}

/** One overlaid time chart. */
function overlay(name: string, title: string, yTitle: string, share: boolean, rows: SeriesRow[], runs: readonly string[], subtitle: string[], timeTitle: string, domainMax: number): CompareChart {
  const frame = (height: number): VlSpec => ({ $schema: VEGA_LITE_SCHEMA_URL, title: { text: title, subtitle }, width: CHART_WIDTH, height, config: houseConfig() });
  if (rows.length === 0) {
    return {
      name,
      hasData: false,
      spec: {
        ...frame(120),
        data: { values: [{ message: 'No data: neither run recorded this series' }] },
        mark: { type: 'text', fontSize: 14, color: '#777777' },
        encoding: { text: { field: 'message', type: 'nominal' }, x: { value: CHART_WIDTH / 2 }, y: { value: 60 } },
      },
    };
  }
  const y: VlSpec = { field: 'value', type: 'quantitative', title: yTitle };
  if (share) y.scale = { domain: [0, 1] };
  if (share) y.axis = { format: '.0%' };
  return {
    name,
    hasData: true,
    spec: {
      ...frame(CHART_HEIGHT),
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after', point: { size: 16 } },
      encoding: {
        x: { field: 't', type: 'quantitative', title: timeTitle, scale: { domain: [0, domainMax], nice: false, zero: true } },
        y,
        // Below the plot, with room for the runs' full descriptions.
        color: { field: 'run', type: 'nominal', title: 'run', sort: [...runs], scale: { domain: [...runs], range: ['#4e79a7', '#e15759'] }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: CHART_WIDTH } },
        strokeDash: { field: 'run', type: 'nominal', sort: [...runs], scale: { domain: [...runs], range: [[1, 0], [6, 3]] } },
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 't', type: 'quantitative', title: timeTitle, format: ',.2f' },
          { field: 'value', type: 'quantitative', title: yTitle, format: share ? '.1%' : ',.2f' },
        ],
      },
    },
  };
}

/** The runs' labels as the charts' legends show them: "A: <description>". */
export function runLegend(side: CompareSide): string {
  return `${side.label}: ${describeRun(side.summary)}`;
}

/** The overlaid time series of two runs, on one simulated-time axis (the longer run's). */
export function compareCharts(a: CompareSide, b: CompareSide): CompareChart[] {
  const end = Math.max(a.result.identity.durationMicros, b.result.identity.durationMicros);
  const ts = timeScale(end);
  const runs = [runLegend(a), runLegend(b)];
  const subtitle = ['solid: A, dashed: B; one point per sample'];
  const charts: CompareChart[] = [];
  for (const s of NETWORK_SERIES) {
    const rows: SeriesRow[] = [];
    for (const [side, label] of [[a, runs[0]!], [b, runs[1]!]] as const) {
      for (const n of side.result.series.network) {
        const v = s.pick(n);
        if (v !== null) rows.push({ t: n.tMicros / ts.divisor, run: label, value: v });
      }
    }
    charts.push(overlay(`compare-${s.name}`, s.title, s.y, s.share, rows, runs, subtitle, ts.title, ts.domainMax));
  }
  const rows: SeriesRow[] = [];
  for (const [side, label] of [[a, runs[0]!], [b, runs[1]!]] as const) {
    for (const p of victimShareSeries(side.result.series.victims)) rows.push({ t: p.tMicros / ts.divisor, run: label, value: p.value });
  }
  charts.push(overlay('compare-victim-outbound-attacker-share', "Victims' long-lived outbound connections to the attacker (mean over victims)", 'Attacker share of long-lived outbound', true, rows, runs, subtitle, ts.title, ts.domainMax));
  return charts;
}

/** The long-format rows of compare.csv: one per run and metric. */
export function comparisonCsvRows(c: RunComparison): { run: string; metric: string; kind: string; value: number | null }[] {
  const out: { run: string; metric: string; kind: string; value: number | null }[] = [];
  for (const m of c.metrics) {
    out.push({ run: c.a.label, metric: m.metric, kind: m.kind, value: m.a });
    out.push({ run: c.b.label, metric: m.metric, kind: m.kind, value: m.b });
  }
  return out;
}

/**
 * Two sweeps as one aggregate for the sweep charts: every group's profile becomes "A · profile" or
 * "B · profile", so each chart draws both sweeps' series. The sweeps must vary the same keys (the
 * values may differ: the x axis takes A's values, then B's others).
 */
export function mergeSweepsForCharts(a: SweepAggregate, b: SweepAggregate, labels: readonly [string, string]): SweepAggregate {
  const keysA = a.axes.map((x) => x.key).join(',');
  const keysB = b.axes.map((x) => x.key).join(',');
  if (keysA !== keysB) throw new RangeError(`the sweeps vary different parameters (${keysA || 'none'} vs ${keysB || 'none'})`);
  const axes = a.axes.map((x, i) => ({ key: x.key, values: [...x.values, ...b.axes[i]!.values.filter((v) => !x.values.includes(v))] }));
  const relabel = (agg: SweepAggregate, label: string) => agg.groups.map((g) => ({ ...g, profile: `${label} · ${g.profile}` }));
  const metricKinds = { ...b.metricKinds, ...a.metricKinds };
  for (const m of Object.keys(metricKinds)) if (a.metricKinds[m] !== undefined && b.metricKinds[m] !== undefined && a.metricKinds[m] !== b.metricKinds[m]) metricKinds[m] = 'number';
  return {
    ...a,
    scenario: a.scenario === b.scenario ? a.scenario : `${a.scenario} vs ${b.scenario}`,
    seeds: a.seeds.join() === b.seeds.join() ? a.seeds : [...a.seeds, ...b.seeds.filter((s) => !a.seeds.includes(s))],
    profiles: [...a.profiles.map((p) => `${labels[0]} · ${p}`), ...b.profiles.map((p) => `${labels[1]} · ${p}`)],
    axes,
    outcomeChecks: [...new Set([...a.outcomeChecks, ...b.outcomeChecks])].sort(),
    metrics: [...new Set([...a.metrics, ...b.metrics])].sort(),
    metricKinds,
    groups: [...relabel(a, labels[0]), ...relabel(b, labels[1])],
    failures: [],
  };
}
