// `connsim compare A B [--out DIR]`: two run directories (or two sweep directories) side by side.
// For runs: their identities, metrics (A, B, B − A) and checks in a table printed to stdout, and a
// comparison directory with compare.json, data/compare.csv (long format: one row per run and
// metric), charts of their network series overlaid (charts/compare-*.vl.json and .svg) and one
// offline compare.html. For sweeps: the sweep charts drawn with both sweeps' series ("A · profile",
// "B · profile"), and data/compare.csv with every aggregate row of both. The inputs are only read.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { comparisonCsvRows, compareCharts, compareRuns, mergeSweepsForCharts, type CompareChart, type CompareSide, type CompareSummary, type RunComparison } from '../reports/compare.ts';
import { toCsv } from '../reports/csv.ts';
import { RUN_RESULT_FILE_NAME, parseRunResult, stableStringify } from '../reports/index.ts';
import { sweepCharts, type SweepAggregate } from '../reports/sweep.ts';
import { COMPARE_MARKER, StagedRunDir, checkOutputDir } from './out-dir.ts';
import { chartFigure, escapeHtml, inlineJson, loadBrowserBundles, pageHead, RENDER_SCRIPT } from './report-html.ts';
import { displayPath, type CliIo } from './run-command.ts';
import { CliError, firstLine } from './user-error.ts';

export interface CompareArgs {
  a: string;
  b: string;
  out?: string;
  json?: boolean;
}

const CHARTS_DIR = 'charts';
const DATA_DIR = 'data';
const HTML = 'compare.html';

type Input = { kind: 'run'; dir: string; summary: CompareSummary; resultText: string } | { kind: 'sweep'; dir: string; aggregate: SweepAggregate };

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${firstLine(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON`);
  }
}

/** A run directory (summary.json + result.json) or a sweep directory (sweep-summary.json). */
function readInput(dir: string): Input {
  if (!existsSync(dir)) throw new CliError(`'${dir}' does not exist`);
  if (existsSync(join(dir, 'sweep.json'))) {
    const path = join(dir, 'sweep-summary.json');
    if (!existsSync(path)) throw new CliError(`sweep directory '${dir}' has no sweep-summary.json yet (finish the sweep, or merge its shards)`);
    const agg = readJson(path, 'sweep summary') as SweepAggregate;
    if (agg.format !== 2 || !Array.isArray(agg.groups)) throw new CliError(`${path} is from an older connsim (format ${String(agg.format)}); rebuild it with: connsim report ${dir}`);
    return { kind: 'sweep', dir, aggregate: agg };
  }
  const summaryPath = join(dir, 'summary.json');
  const resultPath = join(dir, RUN_RESULT_FILE_NAME);
  if (!existsSync(summaryPath) || !existsSync(resultPath)) throw new CliError(`'${dir}' is neither a connsim run directory (summary.json and result.json) nor a sweep directory (sweep.json)`);
  const s = readJson(summaryPath, 'run summary') as Partial<CompareSummary>;
  if (typeof s.scenario !== 'string' || s.metrics === null || typeof s.metrics !== 'object' || !Array.isArray(s.checks)) throw new CliError(`${summaryPath} is not a connsim run summary`);
  return { kind: 'run', dir, summary: s as CompareSummary, resultText: readFileSync(resultPath, 'utf8') };
}

function fmt(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

function signed(v: number | null): string {
  if (v === null) return '—';
  return v > 0 ? `+${fmt(v)}` : fmt(v);
}

function pass(v: boolean | null): string {
  return v === null ? '—' : v ? 'pass' : 'FAIL';
}

/** The text table printed for two runs. */
export function formatRunComparison(c: RunComparison): string {
  const rows: string[][] = [['', 'A', 'B', 'B − A']];
  for (const r of c.identity) rows.push([r.field, r.a, r.b, r.same ? '' : 'differs']);
  rows.push(['', '', '', '']);
  for (const m of c.metrics) rows.push([m.metric, fmt(m.a), fmt(m.b), signed(m.diff)]);
  rows.push(['', '', '', '']);
  for (const k of c.checks) rows.push([`${k.kind === 'outcome' ? 'outcome: ' : ''}${k.check}`, pass(k.a), pass(k.b), k.a === k.b ? '' : 'differs']);
  const width = [0, 1, 2].map((i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
  const cut = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const lines = [`A  ${c.a.source}: ${c.a.description}`, `B  ${c.b.source}: ${c.b.description}`, ''];
  for (const r of rows) lines.push(`${cut(r[0]!, width[0]!)}  ${cut(r[1]!, width[1]!)}  ${cut(r[2]!, width[2]!)}  ${r[3]}`.trimEnd());
  return `${lines.join('\n')}\n`;
}

function table(head: string[], body: string[][], classOf?: (row: string[], col: number) => string): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = body.map((r) => `<tr>${r.map((v, i) => `<td${classOf !== undefined && classOf(r, i) !== '' ? ` class="${classOf(r, i)}"` : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><tr>${th}</tr>\n${trs}</table>`;
}

function page(title: string, intro: string, sections: string, charts: readonly CompareChart[]): string {
  const figs = charts.map((c) => chartFigure(c.name, CHARTS_DIR)).join('\n');
  return `${pageHead(title, loadBrowserBundles())}
<body data-charts="${charts.length}">
<header><h1>${escapeHtml(title)}</h1>${intro}</header>
${sections}
<section id="charts"><h2>Overlaid</h2>
${figs}
</section>
<p>Data: <code>${DATA_DIR}/compare.csv</code> (long format); the comparison as JSON: <code>${COMPARE_MARKER}</code>.</p>
<script type="application/json" id="connsim-specs">${inlineJson(charts.map((c) => ({ name: c.name, spec: c.spec })))}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}

function runsPage(c: RunComparison, charts: readonly CompareChart[]): string {
  const intro = `<p>A: <code>${escapeHtml(c.a.source)}</code> — ${escapeHtml(c.a.description)}<br>B: <code>${escapeHtml(c.b.source)}</code> — ${escapeHtml(c.b.description)}</p>`;
  const diffClass = (r: string[], i: number): string => (i === 3 && r[3] === 'differs' ? 'fail' : '');
  const sections = [
    `<section id="identity"><h2>Runs</h2>${table(['', 'A', 'B', ''], c.identity.map((r) => [r.field, r.a, r.b, r.same ? '' : 'differs']), diffClass)}</section>`,
    `<section id="metrics"><h2>Metrics</h2>${table(['metric', 'kind', 'A', 'B', 'B − A'], c.metrics.map((m) => [m.metric, m.kind, fmt(m.a), fmt(m.b), signed(m.diff)]))}</section>`,
    `<section id="checks"><h2>Checks</h2>${table(['check', 'kind', 'A', 'B'], c.checks.map((k) => [k.check, k.kind, pass(k.a), pass(k.b)]), (r, i) => (i >= 2 && r[i] === 'FAIL' ? 'fail' : ''))}</section>`,
  ].join('\n');
  return page(`connsim compare — ${c.a.description} vs ${c.b.description}`, intro, sections, charts);
}

/** The default --out: compare/<A's name>-vs-<B's name>. */
function defaultOut(a: string, b: string): string {
  const name = (d: string): string => basename(resolve(d)).replace(/[^A-Za-z0-9._=-]+/g, '_');
  return join('compare', `${name(a)}-vs-${name(b)}`);
}

/** `connsim compare`: returns the exit code (0). */
export async function compareCommand(args: CompareArgs, io: CliIo): Promise<number> {
  const a = readInput(args.a);
  const b = readInput(args.b);
  if (a.kind !== b.kind) throw new CliError(`cannot compare a ${a.kind} directory with a ${b.kind} directory`);
  if (resolve(a.dir) === resolve(b.dir)) throw new CliError('compare needs two different directories');
  const outGiven = args.out ?? defaultOut(args.a, args.b);
  const { path } = checkOutputDir(outGiven, 'compare');
  const { renderSvg } = await import('./render.ts');
  let charts: CompareChart[];
  let marker: unknown;
  let csv: string;
  let html: string;
  let text: string;
  if (a.kind === 'run' && b.kind === 'run') {
    const parse = (x: typeof a, label: string): CompareSide => {
      let result;
      try {
        result = parseRunResult(JSON.parse(x.resultText));
      } catch (e) {
        throw new CliError(`${join(x.dir, RUN_RESULT_FILE_NAME)} is not a connsim run result: ${firstLine(e)}`);
      }
      return { label, source: x.dir, summary: x.summary, result };
    };
    const sa = parse(a, 'A');
    const sb = parse(b, 'B');
    const c = compareRuns(sa, sb);
    charts = compareCharts(sa, sb);
    marker = c;
    csv = toCsv(comparisonCsvRows(c), [
      { header: 'run', value: (r) => r.run },
      { header: 'metric', value: (r) => r.metric },
      { header: 'kind', value: (r) => r.kind },
      { header: 'value', value: (r) => r.value },
    ]);
    html = runsPage(c, charts);
    text = formatRunComparison(c);
  } else if (a.kind === 'sweep' && b.kind === 'sweep') {
    let merged: SweepAggregate;
    try {
      merged = mergeSweepsForCharts(a.aggregate, b.aggregate, ['A', 'B']);
    } catch (e) {
      throw new CliError(`cannot overlay these sweeps: ${firstLine(e)}`);
    }
    charts = sweepCharts(merged).map((c) => ({ name: c.name, spec: c.spec, hasData: c.hasData }));
    const rows: { sweep: string; profile: string; point: string; metric: string; n: number; mean: number; lo: number | null; hi: number | null }[] = [];
    for (const [label, agg] of [['A', a.aggregate], ['B', b.aggregate]] as const) {
      for (const g of agg.groups) {
        const point = agg.axes.map((x) => `${x.key}=${g.point[x.key]}`).join(' ');
        rows.push({ sweep: label, profile: g.profile, point, metric: '(sound runs)', n: g.healthRate.n, mean: g.healthRate.mean, lo: g.healthRate.lo, hi: g.healthRate.hi });
        for (const [m, v] of Object.entries(g.outcomes)) rows.push({ sweep: label, profile: g.profile, point, metric: `(outcome) ${m}`, n: v.n, mean: v.mean, lo: v.lo, hi: v.hi });
        for (const [m, v] of Object.entries(g.metrics)) rows.push({ sweep: label, profile: g.profile, point, metric: m, n: v.n, mean: v.mean, lo: v.lo, hi: v.hi });
      }
    }
    csv = toCsv(rows, [
      { header: 'sweep', value: (r) => r.sweep },
      { header: 'profile', value: (r) => r.profile },
      { header: 'point', value: (r) => r.point },
      { header: 'metric', value: (r) => r.metric },
      { header: 'n', value: (r) => r.n },
      { header: 'mean', value: (r) => r.mean },
      { header: 'ci95Low', value: (r) => r.lo },
      { header: 'ci95High', value: (r) => r.hi },
    ]);
    marker = { format: 1, kind: 'sweeps', a: { label: 'A', source: a.dir, scenario: a.aggregate.scenario }, b: { label: 'B', source: b.dir, scenario: b.aggregate.scenario } };
    const intro = `<p>A: <code>${escapeHtml(a.dir)}</code> (${escapeHtml(a.aggregate.scenario)})<br>B: <code>${escapeHtml(b.dir)}</code> (${escapeHtml(b.aggregate.scenario)}). Each chart draws both sweeps' series: "A · profile" and "B · profile".</p>`;
    html = page(`connsim compare — sweeps ${a.aggregate.scenario} vs ${b.aggregate.scenario}`, intro, '', charts);
    text = `A  ${a.dir}: sweep of ${a.aggregate.scenario}, ${a.aggregate.totals.runs} runs\nB  ${b.dir}: sweep of ${b.aggregate.scenario}, ${b.aggregate.totals.runs} runs\n`;
  } else {
    throw new CliError('compare needs two run directories or two sweep directories');
  }
  const staged = StagedRunDir.acquire(path, outGiven);
  try {
    mkdirSync(join(staged.dir, CHARTS_DIR));
    mkdirSync(join(staged.dir, DATA_DIR));
    for (const c of charts) {
      const rendered = await renderSvg(c.spec);
      writeFileSync(join(staged.dir, CHARTS_DIR, `${c.name}.vl.json`), stableStringify(c.spec));
      writeFileSync(join(staged.dir, CHARTS_DIR, `${c.name}.svg`), rendered.svg);
    }
    writeFileSync(join(staged.dir, DATA_DIR, 'compare.csv'), csv);
    writeFileSync(join(staged.dir, HTML), html);
    writeFileSync(join(staged.dir, COMPARE_MARKER), stableStringify(marker));
    staged.publish();
  } catch (e) {
    staged.discard();
    throw e;
  }
  if (args.json === true) io.stdout(stableStringify(marker));
  else io.stdout(`${text}\ncompare  ${displayPath(join(path, HTML))}\n`);
  return 0;
}
