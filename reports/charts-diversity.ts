// Netgroup-diversity charts: distinct /16 network groups and distinct ASNs among each honest
// node's outbound peers (histogram at the end of the run, and median with a 10–90 % band over
// time), the Shannon entropy of outbound network groups, and how concentrated inbound slots are
// by network group over time (each victim's inbound groups are in charts-victims.ts).
// Pure functions from a RunResult to Chart records.

import { noDataChart, specFrame, timeChart, timeScale, timeTooltip, timeX, type Chart, type TimeScale, type VlSpec } from './chart-kit.ts';
import { countBy } from './stats.ts';
import type { Percentiles, RunResult } from './run-result.ts';

const METRIC_COLOURS = { domain: ['/16 netgroups', 'ASNs'], range: ['#4c78a8', '#f58518'] };

function groupsHistogram(result: RunResult): Chart {
  const name = 'diversity-outbound-groups-histogram';
  const title = 'Distinct netgroups and ASNs among outbound peers, end of run';
  const nodes = result.series.finalNodes;
  if (nodes.length === 0) return noDataChart(result, name, 'diversity', title, 'no honest node was sampled');
  // A complete integer axis from 0 to the largest count: a count no node has keeps its (empty)
  // place. The two metrics sit side by side in each integer's slot (x0..x1 around the integer).
  const rows: Array<{ value: number; x0: number; x1: number; xm: number; metric: string; nodes: number; fraction: number }> = [];
  let top = 1;
  for (const [i, [metric, values]] of ([
    ['/16 netgroups', nodes.map((n) => n.distinctNetgroups)],
    ['ASNs', nodes.map((n) => n.distinctAsns)],
  ] as const).entries()) {
    for (const c of countBy(values)) {
      top = Math.max(top, c.value);
      const x0 = c.value - 0.4 + 0.4 * i;
      rows.push({ value: c.value, x0, x1: x0 + 0.4, xm: x0 + 0.2, metric, nodes: c.count, fraction: c.count / nodes.length });
    }
  }
  const xTitle = "Distinct groups among a node's outbound peers (count)";
  const yTitle = 'Honest nodes (count)';
  return {
    name,
    family: 'diversity',
    hasData: true,
    axisTitles: [xTitle, yTitle],
    spec: {
      ...specFrame(result, title, `${nodes.length} honest nodes at the last sample; ASNs come from the asmap (0 = unmapped)`),
      data: { values: rows },
      encoding: { y: { field: 'nodes', type: 'quantitative', title: yTitle } },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: {
              field: 'x0',
              type: 'quantitative',
              title: xTitle,
              scale: { domain: [-0.5, top + 0.5], nice: false, zero: false },
              axis: { values: Array.from({ length: top + 1 }, (_, v) => v), format: 'd', grid: false },
            },
            x2: { field: 'x1' },
            y2: { datum: 0 },
            color: { field: 'metric', type: 'nominal', title: 'distinct', scale: METRIC_COLOURS },
            tooltip: [
              { field: 'metric', type: 'nominal', title: 'distinct' },
              { field: 'value', type: 'quantitative', title: 'count among outbound peers' },
              { field: 'nodes', type: 'quantitative', title: 'honest nodes' },
              { field: 'fraction', type: 'quantitative', title: 'of honest nodes', format: '.1%' },
            ],
          },
        },
        // The node count above each bar, so a bar of 1 or 3 nodes next to one of 200 is still read.
        { mark: { type: 'text', dy: -5, fontSize: 10, color: '#333333' }, encoding: { x: { field: 'xm', type: 'quantitative' }, text: { field: 'nodes', type: 'quantitative' } } },
      ],
    },
  };
}

interface BandRow {
  t: number;
  series: string;
  p10: number;
  median: number;
  p90: number;
}

function bandRow(t: number, series: string, p: Percentiles): BandRow | null {
  if (p.p10 === null || p.median === null || p.p90 === null) return null;
  return { t, series, p10: p.p10, median: p.median, p90: p.p90 };
}

/** A median line with a shaded 10–90 % band, one colour per series. */
function bandLayers(rows: BandRow[], ts: TimeScale, yTitle: string, colours: VlSpec, yAxis: VlSpec = {}, yFormat = ',.2f', bandOpacity = 0.18): VlSpec[] {
  const color = { field: 'series', type: 'nominal', title: 'honest nodes', scale: colours };
  return [
    {
      data: { values: rows },
      mark: { type: 'area', opacity: bandOpacity, interpolate: 'step-after' },
      encoding: {
        x: timeX(ts),
        y: { field: 'p10', type: 'quantitative', title: yTitle, axis: yAxis },
        y2: { field: 'p90' },
        color,
      },
    },
    {
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: timeX(ts),
        y: { field: 'median', type: 'quantitative', title: yTitle, axis: yAxis },
        color,
        tooltip: [
          timeTooltip(ts),
          { field: 'series', type: 'nominal', title: 'series' },
          { field: 'p10', type: 'quantitative', title: '10th percentile', format: yFormat },
          { field: 'median', type: 'quantitative', title: 'median', format: yFormat },
          { field: 'p90', type: 'quantitative', title: '90th percentile', format: yFormat },
        ],
      },
    },
  ];
}

function groupsOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'diversity-outbound-groups-over-time';
  const title = 'Distinct netgroups and ASNs among outbound peers over time';
  const rows: BandRow[] = [];
  for (const s of result.series.network) {
    const t = s.tMicros / ts.divisor;
    const a = bandRow(t, '/16 netgroups', s.distinctNetgroups);
    const b = bandRow(t, 'ASNs', s.distinctAsns);
    if (a) rows.push(a);
    if (b) rows.push(b);
  }
  if (rows.length === 0) return noDataChart(result, name, 'diversity', title, 'no honest node was sampled');
  const yTitle = 'Distinct groups per node (count)';
  return timeChart(
    result,
    ts,
    { name, family: 'diversity', title, subtitle: 'line: median over honest nodes; band: 10th–90th percentile', yTitle },
    bandLayers(rows, ts, yTitle, METRIC_COLOURS, {}, ',.1f'),
  );
}

/**
 * Shannon entropy of each honest node's outbound peers. Core opens at most one outbound connection
 * per netgroup (CConnman::ThreadOpenConnections skips a netgroup already used; manual connections
 * aside), so the entropy of their netgroups is just log2 of the peer count: flat at log2(8) for
 * every node of the default run, an eclipsed victim included. The entropy of their AS numbers
 * can fall below it (peers sharing an AS), so that is what the chart shows, with the netgroup
 * entropy as the grey dashed ceiling. Without AS numbers it falls back to the netgroup entropy,
 * its y axis fitted to the data, and says why.
 */
function entropyOverTime(result: RunResult, ts: TimeScale): Chart {
  const name = 'diversity-outbound-entropy';
  const withAsns = result.identity.asModel !== false;
  const title = withAsns ? 'Diversity of outbound peers: Shannon entropy of their ASNs' : 'Diversity of outbound peers: Shannon entropy of their netgroups';
  const main = withAsns ? 'ASNs' : 'netgroups';
  const ceiling = 'netgroups = log2(outbound peers)';
  const rows: BandRow[] = [];
  const ceilingRows: Array<{ t: number; bits: number }> = [];
  for (const s of result.series.network) {
    const t = s.tMicros / ts.divisor;
    const r = bandRow(t, main, withAsns ? s.asnEntropyBits : s.netgroupEntropyBits);
    if (r) rows.push(r);
    if (withAsns && s.netgroupEntropyBits.median !== null) ceilingRows.push({ t, bits: s.netgroupEntropyBits.median });
  }
  if (rows.length === 0) return noDataChart(result, name, 'diversity', title, 'no honest node was sampled');
  const yTitle = `Entropy of outbound peers' ${main} (bits)`;
  const victims = result.series.victims.map((v) => ({ t: v.tMicros / ts.divisor, node: `victim ${v.nodeId}`, bits: withAsns ? v.asnEntropyBits : v.netgroupEntropyBits }));
  // The y axis where the data are: from 0 (or just below the lowest value without ASNs) to just above the highest.
  const values = [...rows.flatMap((r) => [r.p10, r.p90]), ...ceilingRows.map((r) => r.bits), ...victims.map((v) => v.bits)];
  const hi = Math.max(...values);
  const lo = withAsns ? 0 : Math.max(0, Math.floor(Math.min(...values) * 2 - 1) / 2);
  const yScale = { domain: [lo, Math.ceil(hi * 2 + 0.5) / 2], nice: false, zero: false };
  const layers: VlSpec[] = bandLayers(rows, ts, yTitle, { domain: [main], range: ['#4c78a8'] }, {}, '.2f', 0.3).map((l) => ({
    ...l,
    encoding: { ...(l.encoding as VlSpec), y: { ...((l.encoding as VlSpec).y as VlSpec), scale: yScale } },
  }));
  if (ceilingRows.length > 0) {
    layers.unshift({
      data: { values: ceilingRows.map((r) => ({ ...r, series: ceiling })) },
      mark: { type: 'line', interpolate: 'step-after', color: '#888888', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: {
        x: timeX(ts),
        y: { field: 'bits', type: 'quantitative', title: yTitle, scale: yScale },
        tooltip: [timeTooltip(ts), { field: 'series', type: 'nominal', title: 'series' }, { field: 'bits', type: 'quantitative', title: 'median (bits)', format: '.2f' }],
      },
    });
  }
  if (victims.length > 0) {
    layers.push({
      data: { values: victims },
      mark: { type: 'line', interpolate: 'step-after', color: '#c03a3a', strokeWidth: 1.2, opacity: 0.8 },
      encoding: {
        x: timeX(ts),
        y: { field: 'bits', type: 'quantitative', title: yTitle, scale: yScale },
        detail: { field: 'node', type: 'nominal' },
        tooltip: [timeTooltip(ts), { field: 'node', type: 'nominal', title: 'node' }, { field: 'bits', type: 'quantitative', title: 'entropy (bits)', format: '.2f' }],
      },
    });
  }
  const why = 'Core opens at most one outbound connection per netgroup, so netgroup entropy is just log2 of the peer count';
  const who = `blue: median and 10th–90th percentile over honest nodes${victims.length > 0 ? '; red: each victim' : ''}`;
  const subtitle = withAsns
    ? [`${why} (grey dashed, median);`, `ASN entropy falls below it when peers share an AS (unmapped addresses count as one AS, 0). ${who[0]!.toUpperCase()}${who.slice(1)}`]
    : [`No AS numbers in this run (no AS model), so netgroups only: ${why}.`, `${who[0]!.toUpperCase()}${who.slice(1)}`];
  return timeChart(result, ts, { name, family: 'diversity', title, subtitle, yTitle }, layers);
}

function inboundConcentration(result: RunResult, ts: TimeScale): Chart {
  const name = 'diversity-inbound-concentration';
  const title = 'Concentration of inbound slots by netgroup';
  const rows: BandRow[] = [];
  for (const s of result.series.network) {
    const r = bandRow(s.tMicros / ts.divisor, 'nodes with inbound peers', s.inboundTopNetgroupShare);
    if (r) rows.push(r);
  }
  if (rows.length === 0) return noDataChart(result, name, 'diversity', title, 'no honest node had an inbound peer at any sample');
  const yTitle = 'Inbound slots held by the largest netgroup (%)';
  return timeChart(
    result,
    ts,
    { name, family: 'diversity', title, subtitle: 'per node: share of its inbound slots from its single largest /16; median and 10th–90th percentile', yTitle },
    bandLayers(rows, ts, yTitle, { domain: ['nodes with inbound peers'], range: ['#54a24b'] }, { format: '.0%' }, '.1%'),
  );
}

/** Every netgroup-diversity chart, in report order. */
export function diversityCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  return [groupsHistogram(result), groupsOverTime(result, ts), entropyOverTime(result, ts), inboundConcentration(result, ts)];
}
