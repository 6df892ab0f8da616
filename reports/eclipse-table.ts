// The eclipse-resistance table (tools/eclipse-table.ts writes it; SCENARIOS.md "What it takes to
// eclipse Bitcoin Core today" states its results): the runs of the eclipse-table study scenario
// grouped by part (Heilman's worst and live cases, the modern grid), attacker, profile, asmap and
// attacker resources, with the probability that a victim is eclipsed, its 95% interval, the
// resources at which it crosses 10/50/90%, the urn model's prediction (reports/urn-model.ts) and,
// for the Heilman rows, the paper's model (reports/heilman-model.ts) evaluated on the tables the
// simulated victims ended with. Pure: the tool reads the run files and writes what this returns.

import { heilmanEclipseProbability } from './heilman-model.ts';
import { wilsonInterval } from './sweep.ts';
import { urnEclipseProbability } from './urn-model.ts';

export const TABLE_VICTIM_KINDS = ['reachableRestart', 'reachableSteady', 'unreachableRestart', 'unreachableSteady'] as const;
export type TableVictimKind = (typeof TABLE_VICTIM_KINDS)[number];

export const VICTIM_KIND_TITLES: Record<TableVictimKind, string> = {
  reachableRestart: 'reachable, restarting',
  reachableSteady: 'reachable, not restarting',
  unreachableRestart: 'unreachable, restarting',
  unreachableSteady: 'unreachable, not restarting',
};

/** One finished run, as the table needs it. */
export interface TableRun {
  /** The sweep (part of the table) it belongs to, e.g. 'heilman-worst', 'modern'. */
  part: string;
  attacker: 'botnet' | 'infrastructure';
  profile: string;
  asmap: boolean;
  /** Attacker addresses in total. */
  addresses: number;
  /** Attacker /16s (a botnet: one per address). */
  groups: number;
  seed: string;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
}

export interface KindResult {
  /** Victim samples (one per victim and restart) and how many were eclipsed. */
  samples: number;
  eclipsed: number;
  p: number;
  lo: number;
  hi: number;
  /** Mean over runs of the share of post-restart 5-minute samples at which a victim was eclipsed. */
  overTime: number;
  /** Mean over runs of the attacker's share of the victims' long-lived outbound peers at the end. */
  outboundAttacker: number;
  triedAttacker: number;
  newAttacker: number;
  tried: number;
  fresh: number;
}

/** One configuration of the table: the fields its runs share, and what they give over seeds. */
export interface TableRow extends Pick<TableRun, 'part' | 'attacker' | 'profile' | 'asmap' | 'addresses' | 'groups'> {
  /** The x of the charts: addresses for a botnet, /16s for an infrastructure attacker. */
  resource: number;
  seeds: string[];
  kinds: Partial<Record<TableVictimKind, KindResult>>;
  /** The urn model on the crawl (honest weight `urnHonestWeight`), attacker buckets = its /16s. */
  urn: number;
  /** Heilman et al.'s Pr = ∏ q(ω) on the reachable restarting victims' mean tables at the end (null without them). */
  heilmanModel: number | null;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Groups the runs into rows (sorted by part, attacker, profile order, asmap, resource). */
export function buildTable(runs: readonly TableRun[], profileOrder: readonly string[], urnHonestWeight: number): TableRow[] {
  const groups = new Map<string, TableRun[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.part, r.attacker, r.profile, r.asmap, r.addresses, r.groups]);
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const rows: TableRow[] = [];
  for (const list of groups.values()) {
    const r0 = list[0]!;
    const kinds: Partial<Record<TableVictimKind, KindResult>> = {};
    for (const kind of TABLE_VICTIM_KINDS) {
      const withKind = list.filter((r) => (r.metrics[`restartSamples_${kind}`] ?? 0) > 0);
      if (withKind.length === 0) continue;
      let samples = 0;
      let eclipsed = 0;
      for (const r of withKind) {
        const n = r.metrics[`restartSamples_${kind}`]!;
        samples += n;
        eclipsed += Math.round(r.metrics[`restartsEclipsed_${kind}`]! * n);
      }
      const w = wilsonInterval(eclipsed, samples);
      const m = (name: string): number => mean(withKind.map((r) => r.metrics[`${name}_${kind}`] ?? 0));
      kinds[kind] = {
        samples,
        eclipsed,
        p: w.rate,
        lo: w.lo,
        hi: w.hi,
        overTime: m('eclipsedTime'),
        outboundAttacker: m('outboundAttacker'),
        triedAttacker: m('triedAttacker'),
        newAttacker: m('newAttacker'),
        tried: m('tried'),
        fresh: m('new'),
      };
    }
    const rr = kinds.reachableRestart;
    const liveShare = typeof r0.params.historyLiveShare === 'number' ? r0.params.historyLiveShare : 1;
    rows.push({
      part: r0.part,
      attacker: r0.attacker,
      profile: r0.profile,
      asmap: r0.asmap,
      addresses: r0.addresses,
      groups: r0.groups,
      resource: r0.attacker === 'botnet' ? r0.addresses : r0.groups,
      seeds: [...new Set(list.map((r) => r.seed))].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b)),
      kinds,
      urn: urnEclipseProbability(urnHonestWeight, r0.groups, r0.addresses / r0.groups),
      heilmanModel:
        rr === undefined
          ? null
          : heilmanEclipseProbability({ tried: rr.tried, fresh: rr.fresh, triedAttacker: rr.triedAttacker, newAttacker: rr.newAttacker, triedOnline: liveShare }),
    });
  }
  const order = (p: string): number => {
    const i = profileOrder.indexOf(p);
    return i < 0 ? profileOrder.length : i;
  };
  rows.sort(
    (a, b) =>
      a.part.localeCompare(b.part) ||
      a.attacker.localeCompare(b.attacker) ||
      order(a.profile) - order(b.profile) ||
      a.profile.localeCompare(b.profile) ||
      Number(a.asmap) - Number(b.asmap) ||
      a.resource - b.resource ||
      a.addresses - b.addresses,
  );
  return rows;
}

/** Where a rising probability crosses `target` along `points` (resource, p), interpolated on log(resource). */
export function crossing(points: readonly { resource: number; p: number }[], target: number): { kind: 'below' | 'at' | 'above'; value: number } {
  const pts = [...points].sort((a, b) => a.resource - b.resource);
  if (pts.length === 0) throw new Error('crossing: no points');
  if (pts[0]!.p >= target) return { kind: 'below', value: pts[0]!.resource };
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    if (b.p >= target) {
      const f = (target - a.p) / (b.p - a.p);
      const x = Math.exp(Math.log(a.resource) + f * (Math.log(b.resource) - Math.log(a.resource)));
      return { kind: 'at', value: x };
    }
  }
  return { kind: 'above', value: pts[pts.length - 1]!.resource };
}

function crossingText(c: { kind: 'below' | 'at' | 'above'; value: number }): string {
  const v = Math.round(c.value).toLocaleString('en-US');
  return c.kind === 'below' ? `≤ ${v}` : c.kind === 'above' ? `> ${v}` : `≈ ${v}`;
}

const pct = (x: number): string => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : x < 0.01 ? 2 : 1)}%`;

/** The Markdown of the table: one section per part and attacker. */
export function tableMarkdown(rows: readonly TableRow[], notes: { paper?: (row: TableRow) => string | null } = {}): string {
  const out: string[] = [];
  const sections = new Map<string, TableRow[]>();
  for (const r of rows) {
    const key = `${r.part} · ${r.attacker}`;
    sections.set(key, [...(sections.get(key) ?? []), r]);
  }
  for (const [title, list] of sections) {
    const heilman = list[0]!.part.startsWith('heilman');
    out.push(`### ${title}`, '');
    const kinds = TABLE_VICTIM_KINDS.filter((k) => list.some((r) => r.kinds[k] !== undefined));
    const head = ['profile', 'asmap', list[0]!.attacker === 'botnet' ? 'addresses t' : '/16s × addresses', 'seeds'];
    for (const k of kinds) head.push(`P eclipsed, ${VICTIM_KIND_TITLES[k]} (95% CI; eclipsed/samples)`);
    head.push('attacker share of tried / of outbound (reachable restarting, end)', 'over time (reachable restarting)', 'urn model');
    if (heilman) head.push("Heilman's model ∏q(ω)", 'paper');
    out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const r of list) {
      const cells = [r.profile, r.asmap ? 'on' : 'off', r.attacker === 'botnet' ? r.addresses.toLocaleString('en-US') : `${r.groups} × ${Math.round(r.addresses / r.groups)}`, r.seeds.join(',')];
      for (const k of kinds) {
        const c = r.kinds[k];
        cells.push(c === undefined ? '–' : `${pct(c.p)} (${pct(c.lo)}–${pct(c.hi)}; ${c.eclipsed}/${c.samples})`);
      }
      const rr = r.kinds.reachableRestart;
      cells.push(rr === undefined ? '–' : `${pct(rr.triedAttacker)} / ${pct(rr.outboundAttacker)}`, rr === undefined ? '–' : pct(rr.overTime), pct(r.urn));
      if (heilman) cells.push(r.heilmanModel === null ? '–' : pct(r.heilmanModel), notes.paper?.(r) ?? 'not available');
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The urn model's own crossing of `target` along an attacker's resource (bisection on whole /16s or addresses; null past 10^9). */
export function urnResourceCrossing(honestWeight: number, attacker: 'botnet' | 'infrastructure', perGroup: number, target: number): number | null {
  const p = (r: number): number => urnEclipseProbability(honestWeight, r, attacker === 'botnet' ? 1 : perGroup);
  let hi = 16;
  while (p(hi) < target) {
    hi *= 2;
    if (hi > 1e9) return null;
  }
  let lo = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (p(mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The crossing table: per part, attacker, profile and asmap, the resources at which P (reachable
 * restarting victims) crosses 10/50/90% along the measured grid, and the urn model's own crossings
 * (exact, not limited to the grid).
 */
export function crossingMarkdown(rows: readonly TableRow[], honestWeight: number, kind: TableVictimKind = 'reachableRestart'): string {
  const series = new Map<string, TableRow[]>();
  for (const r of rows) {
    if (r.kinds[kind] === undefined) continue;
    const key = JSON.stringify([r.part, r.attacker, r.profile, r.asmap]);
    series.set(key, [...(series.get(key) ?? []), r]);
  }
  const out = [`| part | attacker | profile | asmap | 10% | 50% | 90% | urn model (exact) 10% / 50% / 90% |`, '|---|---|---|---|---|---|---|---|'];
  for (const list of series.values()) {
    const r0 = list[0]!;
    const pts = list.map((r) => ({ resource: r.resource, p: r.kinds[kind]!.p }));
    const unit = r0.attacker === 'botnet' ? 'addresses' : `/16s of ${Math.round(r0.addresses / r0.groups)}`;
    const cells = [0.1, 0.5, 0.9].map((t) => `${crossingText(crossing(pts, t))} ${unit}`);
    const urnCells = [0.1, 0.5, 0.9]
      .map((t) => {
        const c = urnResourceCrossing(honestWeight, r0.attacker, r0.addresses / r0.groups, t);
        return c === null ? 'never' : c.toLocaleString('en-US');
      })
      .join(' / ');
    out.push(`| ${r0.part} | ${r0.attacker} | ${r0.profile} | ${r0.asmap ? 'on' : 'off'} | ${cells.join(' | ')} | ${urnCells} ${unit} |`);
  }
  return out.join('\n');
}

/** CSV: one row per table row and victim kind. */
export function tableCsv(rows: readonly TableRow[]): string {
  const head = ['part', 'attacker', 'profile', 'asmap', 'addresses', 'groups', 'seeds', 'victims', 'samples', 'eclipsed', 'p', 'lo', 'hi', 'over_time', 'outbound_attacker', 'tried_attacker', 'new_attacker', 'tried', 'new', 'urn_model', 'heilman_model'];
  const lines = [head.join(',')];
  for (const r of rows) {
    for (const k of TABLE_VICTIM_KINDS) {
      const c = r.kinds[k];
      if (c === undefined) continue;
      lines.push(
        [r.part, r.attacker, r.profile, r.asmap, r.addresses, r.groups, r.seeds.join(' '), k, c.samples, c.eclipsed, c.p, c.lo, c.hi, c.overTime, c.outboundAttacker, c.triedAttacker, c.newAttacker, c.tried, c.fresh, r.urn, r.heilmanModel ?? '']
          .map((v) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v)))
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The chart: P(eclipsed) of the reachable restarting victims vs attacker resources (log scale), one
 * line per profile with its 95% interval, the urn model dashed, asmap off and on as facets.
 */
export function tableChartSpec(rows: readonly TableRow[], part: string, attacker: 'botnet' | 'infrastructure', profileOrder: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown>[] = [];
  const urnSeen = new Set<string>();
  for (const r of rows) {
    if (r.part !== part || r.attacker !== attacker) continue;
    const c = r.kinds.reachableRestart;
    const asmap = r.asmap ? 'asmap on' : 'asmap off';
    if (c !== undefined) values.push({ asmap, series: r.profile, resource: r.resource, p: c.p, lo: c.lo, hi: c.hi, samples: c.samples });
    const key = `${asmap}|${r.resource}`;
    if (!urnSeen.has(key)) {
      urnSeen.add(key);
      values.push({ asmap, series: 'urn model (crawl)', resource: r.resource, p: r.urn, lo: null, hi: null, samples: null });
    }
  }
  const xTitle = attacker === 'botnet' ? 'Attacker addresses t, one per /16 (log scale)' : 'Attacker /16s k (log scale)';
  const x = { field: 'resource', type: 'quantitative', title: xTitle, scale: { type: 'log' } };
  const color = { field: 'series', type: 'nominal', title: 'profile', sort: [...profileOrder, 'urn model (crawl)'] };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `P(victim eclipsed) vs attacker resources: ${part}, ${attacker}`, subtitle: 'reachable restarting victims; bars: 95% Wilson intervals over the pooled restart samples; dashed grey: the urn model on the 2024-01-25 crawl' },
    data: { values },
    facet: { column: { field: 'asmap', type: 'nominal', title: null, sort: ['asmap off', 'asmap on'] } },
    spec: {
      width: 320,
      height: 240,
      layer: [
        { transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        {
          mark: { type: 'line', point: { filled: true, size: 40 } },
          encoding: {
            x,
            y: { field: 'p', type: 'quantitative', title: 'P(eclipsed)', scale: { domain: [0, 1] } },
            color,
            strokeDash: { condition: { test: "datum.series === 'urn model (crawl)'", value: [4, 3] }, value: [1, 0] },
            tooltip: [
              { field: 'series', type: 'nominal' },
              { field: 'resource', type: 'quantitative' },
              { field: 'p', type: 'quantitative', format: '.3f' },
              { field: 'lo', type: 'quantitative', format: '.3f' },
              { field: 'hi', type: 'quantitative', format: '.3f' },
              { field: 'samples', type: 'quantitative' },
            ],
          },
        },
      ],
    },
  };
}
