// Eclipse-resistance charts: how much of the victims' and of all honest nodes' outbound slots the
// attacker holds over time (by connection type), how many honest nodes are fully eclipsed, the
// attacker's share of AddrMan's new and tried tables, and the victims' time-to-eclipse ECDF.
// Pure functions from a RunResult to Chart records; no rendering, no file names beyond the chart's.

import {
  ratio,
  noDataChart,
  timeChart,
  timeScale,
  timeTooltip,
  timeX,
  connTypeScale,
  durationLabel,
  specFrame,
  ALL_LONG_LIVED,
  type Chart,
  type TimeScale,
  type VlSpec,
} from './chart-kit.ts';
import { ecdf } from './stats.ts';
import { emptyOutboundByType } from './run-result.ts';
import { OUTBOUND_CONN_TYPES, type OutboundByType, type RunResult } from './run-result.ts';

interface ShareRow {
  t: number;
  connType: string;
  attacker: number;
  total: number;
  share: number;
}

/**
 * Attacker share per long-lived outbound type (types with no slots at that tick are left out),
 * plus all long-lived types together. Feelers and addr-fetch connections last seconds, so a
 * sample catches at most one or two and their share flips between 0 and 100 %: they are left out
 * here (the AddrMan chart shows the poisoning that feelers probe).
 */
function shareRows(t: number, outbound: OutboundByType, rows: ShareRow[]): void {
  let total = 0;
  let attacker = 0;
  for (const ct of OUTBOUND_CONN_TYPES) {
    if (!ct.longLived) continue;
    const slot = outbound[ct.key];
    total += slot.total;
    attacker += slot.attacker;
    const share = ratio(slot.attacker, slot.total);
    if (share !== null) rows.push({ t, connType: ct.coreName, attacker: slot.attacker, total: slot.total, share });
  }
  const all = ratio(attacker, total);
  if (all !== null) rows.push({ t, connType: ALL_LONG_LIVED, attacker, total, share: all });
}

function shareLayers(rows: ShareRow[], ts: TimeScale, yTitle: string): VlSpec[] {
  const shown = [...OUTBOUND_CONN_TYPES.filter((c) => rows.some((r) => r.connType === c.coreName)).map((c) => c.coreName), ALL_LONG_LIVED];
  return [
    {
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after', clip: true },
      encoding: {
        x: timeX(ts),
        y: { field: 'share', type: 'quantitative', title: yTitle, axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        color: { field: 'connType', type: 'nominal', title: 'connection type', scale: connTypeScale(shown) },
        strokeDash: {
          condition: { test: `datum.connType === '${ALL_LONG_LIVED}'`, value: [6, 3] },
          value: [1, 0],
        },
        tooltip: [
          timeTooltip(ts),
          { field: 'connType', type: 'nominal', title: 'connection type' },
          { field: 'attacker', type: 'quantitative', title: 'held by attacker' },
          { field: 'total', type: 'quantitative', title: 'slots in use' },
          { field: 'share', type: 'quantitative', title: 'attacker share', format: '.1%' },
        ],
      },
    },
  ];
}

function victimOutboundShare(result: RunResult, ts: TimeScale): Chart {
  const name = 'eclipse-victim-outbound-attacker-share';
  const title = "Victims' outbound slots held by the attacker";
  const victims = result.series.victims;
  if (victims.length === 0) return noDataChart(result, name, 'eclipse', title, 'this run has no victims');
  // Pool the victims tick by tick: the share of all their slots of a type that the attacker holds.
  const byTick = new Map<number, OutboundByType>();
  for (const s of victims) {
    let acc = byTick.get(s.tMicros);
    if (!acc) byTick.set(s.tMicros, (acc = emptyOutboundByType()));
    for (const ct of OUTBOUND_CONN_TYPES) {
      acc[ct.key].total += s.outbound[ct.key].total;
      acc[ct.key].attacker += s.outbound[ct.key].attacker;
    }
  }
  const rows: ShareRow[] = [];
  for (const [tMicros, ob] of [...byTick.entries()].sort((a, b) => a[0] - b[0])) shareRows(tMicros / ts.divisor, ob, rows);
  if (rows.length === 0) return noDataChart(result, name, 'eclipse', title, 'the victims never held an outbound connection');
  const yTitle = 'Outbound slots held by attacker (%)';
  const n = result.identity.victimIds.length;
  return timeChart(
    result,
    ts,
    { name, family: 'eclipse', title, subtitle: `${n} victim${n === 1 ? '' : 's'} pooled; a line per long-lived connection type, dashed: all of them`, yTitle },
    shareLayers(rows, ts, yTitle),
  );
}

function networkOutboundShare(result: RunResult, ts: TimeScale): Chart {
  const name = 'eclipse-network-outbound-attacker-share';
  const title = "All honest nodes' outbound slots held by the attacker";
  const rows: ShareRow[] = [];
  for (const s of result.series.network) shareRows(s.tMicros / ts.divisor, s.outbound, rows);
  if (rows.length === 0) return noDataChart(result, name, 'eclipse', title, 'no honest node held an outbound connection at any sample');
  const yTitle = 'Outbound slots held by attacker (%)';
  return timeChart(
    result,
    ts,
    { name, family: 'eclipse', title, subtitle: 'pooled over every honest node; a line per long-lived connection type, dashed: all of them', yTitle },
    shareLayers(rows, ts, yTitle),
  );
}

function eclipsedNodes(result: RunResult, ts: TimeScale): Chart {
  const name = 'eclipse-eclipsed-nodes';
  const title = 'Honest nodes fully eclipsed';
  const network = result.series.network;
  if (network.length === 0) return noDataChart(result, name, 'eclipse', title, 'no samples were recorded');
  const rows = network.map((s) => ({ t: s.tMicros / ts.divisor, fraction: s.eclipsedFraction, eclipsed: s.eclipsedNodes, honest: s.honestNodes }));
  const yTitle = 'Honest nodes fully eclipsed (% of honest nodes)';
  const maxFraction = Math.max(...rows.map((r) => r.fraction));
  return timeChart(
    result,
    ts,
    {
      name,
      family: 'eclipse',
      title,
      subtitle: 'fully eclipsed: every full-relay, block-relay-only and manual outbound peer is the attacker',
      yTitle,
    },
    [
      {
        data: { values: rows },
        mark: { type: 'area', interpolate: 'step-after', color: '#e45756', opacity: 0.25, line: { color: '#c03a3a' } },
        encoding: {
          x: timeX(ts),
          y: {
            field: 'fraction',
            type: 'quantitative',
            title: yTitle,
            axis: { format: '.0%' },
            scale: { domain: [0, maxFraction > 0.1 ? 1 : 0.1] },
          },
          tooltip: [
            timeTooltip(ts),
            { field: 'eclipsed', type: 'quantitative', title: 'eclipsed nodes' },
            { field: 'honest', type: 'quantitative', title: 'honest nodes' },
            { field: 'fraction', type: 'quantitative', title: 'fraction', format: '.1%' },
          ],
        },
      },
    ],
  );
}

function addrmanShare(result: RunResult, ts: TimeScale): Chart {
  const name = 'eclipse-addrman-attacker-share';
  const title = "Attacker share of AddrMan's new and tried tables";
  const rows: Array<{ t: number; table: string; scope: string; attacker: number; total: number; share: number }> = [];
  const push = (tMicros: number, scope: string, table: string, attacker: number, total: number) => {
    const share = ratio(attacker, total);
    if (share !== null) rows.push({ t: tMicros / ts.divisor, table, scope, attacker, total, share });
  };
  for (const s of result.series.network) {
    push(s.tMicros, 'all honest nodes', 'new', s.addrmanNewAttacker, s.addrmanNew);
    push(s.tMicros, 'all honest nodes', 'tried', s.addrmanTriedAttacker, s.addrmanTried);
  }
  const byTick = new Map<number, [number, number, number, number]>();
  for (const v of result.series.victims) {
    const acc = byTick.get(v.tMicros) ?? [0, 0, 0, 0];
    acc[0] += v.addrmanNewAttacker;
    acc[1] += v.addrmanNew;
    acc[2] += v.addrmanTriedAttacker;
    acc[3] += v.addrmanTried;
    byTick.set(v.tMicros, acc);
  }
  for (const [tMicros, acc] of [...byTick.entries()].sort((a, b) => a[0] - b[0])) {
    push(tMicros, 'victims', 'new', acc[0], acc[1]);
    push(tMicros, 'victims', 'tried', acc[2], acc[3]);
  }
  if (rows.length === 0) return noDataChart(result, name, 'eclipse', title, 'the AddrMan tables were empty at every sample');
  const yTitle = 'AddrMan entries that are attacker addresses (%)';
  return timeChart(
    result,
    ts,
    { name, family: 'eclipse', title, subtitle: 'entries pooled over nodes; solid: all honest nodes, dashed: victims', yTitle },
    [
      {
        data: { values: rows },
        mark: { type: 'line', interpolate: 'linear', clip: true },
        encoding: {
          x: timeX(ts),
          y: { field: 'share', type: 'quantitative', title: yTitle, axis: { format: '.0%' }, scale: { domain: [0, 1] } },
          color: { field: 'table', type: 'nominal', title: 'table', scale: { domain: ['new', 'tried'], range: ['#4c78a8', '#e45756'] } },
          strokeDash: {
            field: 'scope',
            type: 'nominal',
            title: 'nodes',
            scale: { domain: ['all honest nodes', 'victims'], range: [[1, 0], [6, 3]] },
          },
          tooltip: [
            timeTooltip(ts),
            { field: 'scope', type: 'nominal', title: 'nodes' },
            { field: 'table', type: 'nominal', title: 'table' },
            { field: 'attacker', type: 'quantitative', title: 'attacker entries', format: ',d' },
            { field: 'total', type: 'quantitative', title: 'entries', format: ',d' },
            { field: 'share', type: 'quantitative', title: 'attacker share', format: '.1%' },
          ],
        },
      },
    ],
  );
}

function timeToEclipseEcdf(result: RunResult): Chart {
  const name = 'eclipse-time-to-eclipse';
  const title = 'Time to eclipse of the victims';
  const eclipses = result.eclipses;
  if (eclipses.length === 0) return noDataChart(result, name, 'eclipse', title, 'this run has no victims');
  const id = result.identity;
  const horizon = Math.max(0, id.durationMicros - id.attackStartMicros);
  const ts = timeScale(horizon);
  const times = eclipses.flatMap((e) => (e.timeToEclipseMicros === null ? [] : [e.timeToEclipseMicros]));
  const n = eclipses.length;
  // The ECDF over every victim, so victims never eclipsed keep the curve below 100%.
  const points = [{ t: 0, fraction: 0, eclipsed: 0 }];
  for (const p of ecdf(times)) {
    const eclipsed = Math.round(p.fraction * times.length);
    points.push({ t: p.value / ts.divisor, fraction: eclipsed / n, eclipsed });
  }
  const last = points[points.length - 1]!;
  if (last.t < ts.domainMax) points.push({ t: ts.domainMax, fraction: last.fraction, eclipsed: last.eclipsed });
  const xTitle = `Time since attack start (${ts.unit})`;
  const yTitle = 'Victims fully eclipsed (cumulative %)';
  const attackStart = id.attackStartMicros > 0 ? `attack starts at ${durationLabel(id.attackStartMicros)}; ` : '';
  return {
    name,
    family: 'eclipse',
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...specFrame(result, title, `${attackStart}${times.length} of ${n} victims eclipsed by the end of the run (ECDF over all victims)`),
      data: { values: points },
      mark: { type: 'line', interpolate: 'step-after', color: '#c03a3a', point: { filled: true, size: 30, color: '#c03a3a' } },
      encoding: {
        x: { field: 't', type: 'quantitative', title: xTitle, scale: horizon > 0 ? { domain: [0, ts.domainMax], nice: false } : { zero: true } },
        y: { field: 'fraction', type: 'quantitative', title: yTitle, axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        tooltip: [
          { field: 't', type: 'quantitative', title: `since attack start (${ts.unit})`, format: ',.2f' },
          { field: 'eclipsed', type: 'quantitative', title: 'victims eclipsed' },
          { field: 'fraction', type: 'quantitative', title: 'of all victims', format: '.0%' },
        ],
      },
    },
  };
}

/** Every eclipse-resistance chart, in report order. */
export function eclipseCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  return [
    victimOutboundShare(result, ts),
    networkOutboundShare(result, ts),
    eclipsedNodes(result, ts),
    addrmanShare(result, ts),
    timeToEclipseEcdf(result),
  ];
}
