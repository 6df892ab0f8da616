// Victim-by-victim charts: the other families pool the victims (or all honest nodes), which hides
// a victim that held out while the others fell. Here each victim is its own row or panel: the
// share of its long-lived outbound peers held by the attacker over time (one heat-map row per
// victim), its inbound slots held by the attacker over time against its inbound limit (one panel
// per victim: what slowloris, inbound-flood and the eclipse attacks' Sybils do), and its inbound
// slots by netgroup at the end (one bar per victim, cut into a segment per netgroup).
// Pure functions from a RunResult to Chart records.

import { CHART_WIDTH, durationLabel, markLayers, netgroupLabel, noDataChart, ratio, specFrame, timeScale, timeTooltip, timeX, type Chart, type TimeScale, type VlSpec } from './chart-kit.ts';
import type { RunResult } from './run-result.ts';

const victimLabel = (id: number): string => `victim ${id}`;

/** Victims' labels in id order (the order of every victim axis and panel). */
function victimOrder(result: RunResult): string[] {
  return result.identity.victimIds.map(victimLabel);
}

const NO_VICTIMS = 'this run has no victims';

function victimChart(name: string, axisTitles: string[], spec: VlSpec): Chart {
  return { name, family: 'victims', hasData: true, axisTitles, spec };
}

type VictimChart = (result: RunResult, ts: TimeScale, name: string, title: string) => Chart;

const outboundShareHeatmap: VictimChart = (result, ts, name, title) => {
  const samples = result.series.victims;
  const step = result.identity.sampleIntervalMicros;
  const end = result.identity.durationMicros;
  const rows: Array<{ t: number; tEnd: number; victim: string; share: number; attacker: number; total: number; state: string }> = [];
  for (const s of samples) {
    const share = ratio(s.longLivedOutboundAttacker, s.longLivedOutbound);
    if (share === null) continue;
    rows.push({
      t: s.tMicros / ts.divisor,
      tEnd: Math.min(s.tMicros + step, Math.max(end, s.tMicros)) / ts.divisor,
      victim: victimLabel(s.nodeId),
      share,
      attacker: s.longLivedOutboundAttacker,
      total: s.longLivedOutbound,
      state: s.eclipsed ? 'fully eclipsed' : share > 0 ? 'partly the attacker' : 'no attacker peer',
    });
  }
  if (rows.length === 0) return noDataChart(result, name, 'victims', title, 'no victim held a long-lived outbound connection at any sample');
  const order = victimOrder(result);
  const yTitle = 'Victim';
  return victimChart(name, [ts.title, yTitle], {
    ...specFrame(result, title, 'one row per victim; colour: share of its full-relay, block-relay-only and manual peers that are the attacker\'s from pale blue (none) to dark red (all: fully eclipsed); white: no such peer'),
    height: order.length * Math.max(14, Math.min(28, Math.floor(240 / order.length))),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'rect' },
        encoding: {
          x: { ...timeX(ts), bin: 'binned' },
          x2: { field: 'tEnd' },
          y: { field: 'victim', type: 'nominal', title: yTitle, sort: order, scale: { domain: order } },
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'attacker share',
            scale: { domain: [0, 1], range: ['#dce6ef', '#b2182b'] },
            legend: { format: '.0%', direction: 'vertical', gradientLength: 120 },
          },
          tooltip: [
            timeTooltip(ts),
            { field: 'victim', type: 'nominal', title: 'victim' },
            { field: 'attacker', type: 'quantitative', title: 'held by the attacker' },
            { field: 'total', type: 'quantitative', title: 'long-lived outbound peers' },
            { field: 'share', type: 'quantitative', title: 'attacker share', format: '.0%' },
            { field: 'state', type: 'nominal', title: 'state' },
          ],
        },
      },
      ...markLayers(result, ts),
    ],
  });
};

const HELD = 'held by the attacker';
const ALL_INBOUND = 'all inbound';

const inboundSlotsPanels: VictimChart = (result, ts, name, title) => {
  const samples = result.series.victims;
  const order = victimOrder(result);
  // One data set for every panel: the slot counts, each victim's inbound limit and the run's marks
  // (repeated per victim so each panel draws them; labelled in the first panel only).
  const rows: VlSpec[] = [];
  const limits = new Map<string, number>();
  for (const s of samples) {
    const victim = victimLabel(s.nodeId);
    const t = s.tMicros / ts.divisor;
    rows.push({ kind: 'slots', victim, t, series: HELD, count: s.inboundSlotsAttacker, of: s.inboundSlots, limit: s.inboundLimit });
    rows.push({ kind: 'slots', victim, t, series: ALL_INBOUND, count: s.inboundSlots, of: s.inboundSlots, limit: s.inboundLimit });
    limits.set(victim, Math.max(limits.get(victim) ?? 0, s.inboundLimit));
  }
  for (const [victim, limit] of limits) rows.push({ kind: 'limit', victim, limit });
  result.marks.forEach((m, i) => {
    for (const victim of order) rows.push({ kind: 'mark', victim, t: m.tMicros / ts.divisor, label: m.label, labelY: 4 + 13 * (i % 3), first: victim === order[0] });
  });
  const maxLimit = Math.max(1, ...limits.values());
  const yTitle = 'Slots (count)';
  const panelHeight = order.length <= 2 ? 130 : order.length <= 4 ? 95 : 70;
  const panelMarks = result.marks.length === 0 ? [] : [
    {
      transform: [{ filter: "datum.kind === 'mark'" }],
      mark: { type: 'rule', color: '#555555', strokeDash: [4, 3], strokeWidth: 1 },
      encoding: { x: { field: 't', type: 'quantitative' }, tooltip: [{ field: 'label', type: 'nominal', title: 'mark' }, timeTooltip(ts)] },
    },
    {
      transform: [{ filter: "datum.kind === 'mark' && datum.first" }],
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, fontSize: 10, color: '#333333' },
      encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'labelY', type: 'quantitative', scale: null }, text: { field: 'label', type: 'nominal' } },
    },
  ];
  const slotLayer = (filter: string, mark: 'line' | 'area'): VlSpec => ({
    transform: [{ filter }],
    mark: mark === 'line' ? { type: 'line', interpolate: 'step-after' } : { type: 'area', interpolate: 'step-after', opacity: 0.15 },
    encoding: {
      x: timeX(ts),
      y: { field: 'count', type: 'quantitative', title: yTitle, scale: { domain: [0, maxLimit] } },
      color: { field: 'series', type: 'nominal', title: 'inbound slots', scale: { domain: [HELD, ALL_INBOUND], range: ['#e45756', '#4c78a8'] } },
      ...(mark === 'line'
        ? {
            tooltip: [
              timeTooltip(ts),
              { field: 'victim', type: 'nominal', title: 'victim' },
              { field: 'series', type: 'nominal', title: 'slots' },
              { field: 'count', type: 'quantitative', title: 'count' },
              { field: 'of', type: 'quantitative', title: 'inbound slots in use' },
              { field: 'limit', type: 'quantitative', title: 'inbound limit' },
            ],
          }
        : {}),
    },
  });
  const frame = specFrame(result, title, [
    'red: inbound connections from the attacker, handshake done or not (Core counts each against the limit from accept); blue: all inbound',
    `dotted: the victim's inbound limit${result.marks.length > 0 ? "; dashed: the scenario's marks" : ''}; sampled every ${durationLabel(result.identity.sampleIntervalMicros)}, each value held until the next sample`,
  ]);
  delete frame.width;
  delete frame.height;
  return victimChart(name, [ts.title, yTitle], {
    ...frame,
    data: { values: rows },
    facet: { row: { field: 'victim', type: 'nominal', title: null, sort: order, header: { labelOrient: 'top', labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelFontSize: 11, labelFontWeight: 'bold', labelPadding: 2 } } },
    spacing: 8,
    spec: {
      width: CHART_WIDTH,
      height: panelHeight,
      layer: [
        // All inbound first, then the attacker's share over it (area and line), so a victim whose
        // every slot is the attacker's shows red on top.
        slotLayer("datum.kind === 'slots' && datum.series === '" + ALL_INBOUND + "'", 'line'),
        slotLayer("datum.kind === 'slots' && datum.series === '" + HELD + "'", 'area'),
        slotLayer("datum.kind === 'slots' && datum.series === '" + HELD + "'", 'line'),
        {
          transform: [{ filter: "datum.kind === 'limit'" }],
          mark: { type: 'rule', color: '#777777', strokeDash: [2, 2] },
          encoding: { y: { field: 'limit', type: 'quantitative' }, tooltip: [{ field: 'limit', type: 'quantitative', title: 'inbound limit' }] },
        },
        ...panelMarks,
      ],
    },
  });
};

const inboundNetgroupBars: VictimChart = (result, _ts, name, title) => {
  const entries = result.series.victimInboundNetgroups;
  if (entries.length === 0) return noDataChart(result, name, 'victims', title, 'no victim had an inbound peer at the last sample');
  // One bar per victim, cut into a segment per netgroup (largest first), each netgroup's segment
  // split into its attacker and honest peers: the bar's length is the slots in use, the number of
  // segments how many /16s they come from, their widths how concentrated they are.
  // The x axis runs to 2.1 times the longest bar, so the label after it (about 60 characters)
  // stays inside the plot.
  const rows: Array<{ victim: string; netgroup: string; peer: string; x0: number; x1: number; slots: number; groupSlots: number }> = [];
  const labels: Array<{ victim: string; x: number; text: string }> = [];
  const byVictim = new Map<number, typeof entries>();
  for (const e of entries) {
    const list = byVictim.get(e.nodeId) ?? [];
    list.push(e);
    byVictim.set(e.nodeId, list);
  }
  let widest = 1;
  for (const id of result.identity.victimIds) {
    const list = byVictim.get(id) ?? [];
    const victim = victimLabel(id);
    let x = 0;
    let attacker = 0;
    for (const e of list) {
      const netgroup = netgroupLabel(e.netgroupHex);
      if (e.attacker > 0) rows.push({ victim, netgroup, peer: 'attacker', x0: x, x1: x + e.attacker, slots: e.attacker, groupSlots: e.count });
      if (e.count - e.attacker > 0) rows.push({ victim, netgroup, peer: 'honest', x0: x + e.attacker, x1: x + e.count, slots: e.count - e.attacker, groupSlots: e.count });
      x += e.count;
      attacker += e.attacker;
    }
    widest = Math.max(widest, x);
    const largest = list[0]?.count ?? 0;
    labels.push({ victim, x, text: `${x} slots (${attacker} attacker) from ${list.length} netgroups; the largest holds ${largest}` });
  }
  const order = victimOrder(result);
  const xTitle = 'Inbound slots in use, one segment per netgroup (count)';
  const yTitle = 'Victim';
  const y = { field: 'victim', type: 'nominal', title: yTitle, sort: order, scale: { domain: order } };
  return victimChart(name, [xTitle, yTitle], {
    ...specFrame(result, title, 'inbound peers that finished the handshake, a segment per netgroup, largest first (white lines part them); red: attacker peers, blue: honest'),
    height: { step: 26 },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 0.6, height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'x0', type: 'quantitative', title: xTitle, scale: { domain: [0, widest * 2.1], nice: false } },
          x2: { field: 'x1' },
          color: { field: 'peer', type: 'nominal', title: 'inbound peer', scale: { domain: ['attacker', 'honest'], range: ['#e45756', '#4c78a8'] } },
          tooltip: [
            { field: 'victim', type: 'nominal', title: 'victim' },
            { field: 'netgroup', type: 'nominal', title: 'netgroup' },
            { field: 'groupSlots', type: 'quantitative', title: 'slots of this netgroup' },
            { field: 'peer', type: 'nominal', title: 'peer' },
            { field: 'slots', type: 'quantitative', title: 'slots' },
          ],
        },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 5, fontSize: 10, color: '#333333' },
        encoding: { y, x: { field: 'x', type: 'quantitative' }, text: { field: 'text', type: 'nominal' } },
      },
    ],
  });
};

/** Every victim-by-victim chart, in report order ("no data" for each in a run without victims). */
export function victimCharts(result: RunResult): Chart[] {
  const ts = timeScale(result.identity.durationMicros);
  const charts: [string, string, VictimChart][] = [
    ['victims-outbound-attacker-share', "Each victim's long-lived outbound peers held by the attacker", outboundShareHeatmap],
    ['victims-inbound-slots', "Each victim's inbound slots held by the attacker", inboundSlotsPanels],
    ['victims-inbound-netgroups', "Each victim's inbound slots by netgroup, end of run", inboundNetgroupBars],
  ];
  const none = result.series.victims.length === 0 || result.identity.victimIds.length === 0;
  return charts.map(([name, title, build]) => (none ? noDataChart(result, name, 'victims', title, NO_VICTIMS) : build(result, ts, name, title)));
}
