// What the rendered charts say, read back from their SVG: axis labels in the units a reader
// expects, complete integer axes, no chart that draws nothing new. Each test reproduces a chart
// that misled (issue 16, problem 10) and stays as its regression test.
import { describe, expect, it } from 'vitest';

import { buildCharts, type Chart } from '../reports/index.ts';
import { baselineFixture, eclipseFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { renderSvg } from './render.ts';

function chartOf(charts: readonly Chart[], name: string): Chart {
  const c = charts.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no chart ${name} among ${charts.map((x) => x.name).join(', ')}`);
  return c;
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The tick labels of the chart's X or Y axis, in drawing order (empty labels left out). */
export function axisLabels(svg: string, axis: 'X' | 'Y'): string[] {
  const at = svg.indexOf(`aria-label="${axis}-axis`);
  if (at < 0) throw new Error(`no ${axis} axis in the SVG`);
  const group = svg.indexOf('role-axis-label', at);
  const end = svg.indexOf('</g>', group);
  return [...svg.slice(group, end).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]!)).filter((t) => t !== '');
}

/** "10 µs", "10 ms", "1 s", "2.5 min", "1 h": a number and a unit a reader cannot take for another. */
const DURATION_LABEL = /^\d+(\.\d+)? (µs|ms|s|min|h)$/;

describe('the time-to-disconnect ECDF', () => {
  it('labels its log time axis with explicit units (ms, s, min, h), never SI prefixes ("10m" read as minutes)', async () => {
    for (const result of [eclipseFixture(), baselineFixture()]) {
      const { svg } = await renderSvg(chartOf(buildCharts(result), 'timeouts-time-to-disconnect').spec);
      const labels = axisLabels(svg, 'X');
      expect(labels.length).toBeGreaterThanOrEqual(3);
      for (const l of labels) expect(l, `x label '${l}' in ${labels.join(' | ')}`).toMatch(DURATION_LABEL);
      // The fixtures' feelers end in 0.2–2.2 s and ping timeouts at 20 min: both ends are named.
      expect(labels).toContain('1 s');
      expect(labels).toContain('10 min');
    }
  });

  it('labels the microseconds too when a disconnect came that fast (an eviction 20 µs after connect): no unlabelled decades at its left end', async () => {
    const result = eclipseFixture();
    const first = result.events.timeToDisconnect[0]!;
    first.quantilesMicros = first.quantilesMicros.map((q, i) => (i === 0 ? 20 : Math.max(q, 20)));
    const { svg } = await renderSvg(chartOf(buildCharts(result), 'timeouts-time-to-disconnect').spec);
    const labels = axisLabels(svg, 'X');
    for (const l of labels) expect(l, `x label '${l}' in ${labels.join(' | ')}`).toMatch(DURATION_LABEL);
    expect(labels.slice(0, 3)).toEqual(['10 µs', '100 µs', '1 ms']);
  });
});

describe('the distinct-netgroups/ASNs histogram', () => {
  it('has a complete integer axis: counts with no node (2–4 here) keep their place instead of vanishing', async () => {
    const result = eclipseFixture();
    // End-of-run values 1, 5, 6, 7, 8 as in the default run: 2, 3 and 4 occur for no node.
    const values = [1, 5, 6, 7, 8];
    result.series.finalNodes = result.series.finalNodes.map((n, i) => ({ ...n, distinctNetgroups: 8, distinctAsns: values[i % values.length]! }));
    const { svg } = await renderSvg(chartOf(buildCharts(result), 'diversity-outbound-groups-histogram').spec);
    const labels = axisLabels(svg, 'X');
    for (const v of ['1', '2', '3', '4', '5', '6', '7', '8']) expect(labels, labels.join(' | ')).toContain(v);
    // Evenly spaced: the label positions of consecutive integers are equally far apart.
    const at = svg.indexOf('aria-label="X-axis');
    const group = svg.slice(svg.indexOf('role-axis-label', at), svg.indexOf('</g>', svg.indexOf('role-axis-label', at)));
    const xs = [...group.matchAll(/<text[^>]*translate\(([-\d.]+),[^>]*>(\d+)<\/text>/g)].map((m) => [Number(m[2]), Number(m[1])] as const);
    const step = (xs[1]![1] - xs[0]![1]) / (xs[1]![0] - xs[0]![0]);
    for (let i = 1; i < xs.length; i++) expect(xs[i]![1] - xs[i - 1]![1]).toBeCloseTo(step * (xs[i]![0] - xs[i - 1]![0]), 3);
  });
});

describe('the outbound diversity (entropy) chart', () => {
  /** The default run's situation: every node's outbound peers in distinct netgroups, so netgroup entropy is log2(8) = 3 bits everywhere. */
  function pinned() {
    const result = eclipseFixture();
    const three = { min: 3, p10: 3, p25: 3, median: 3, p75: 3, p90: 3, max: 3 };
    result.series.network = result.series.network.map((s) => ({ ...s, netgroupEntropyBits: three }));
    result.series.victims = result.series.victims.map((v) => ({ ...v, netgroupEntropyBits: 3 }));
    return result;
  }
  const entropyChart = (charts: readonly Chart[]) => {
    const c = charts.find((x) => x.family === 'diversity' && /entropy/.test(x.name));
    if (c === undefined) throw new Error('no entropy chart');
    return c;
  };

  it('does not draw only a flat line at log2(8) with a band of zero height: it shows how the ASNs of outbound peers vary', () => {
    const c = entropyChart(buildCharts(pinned()));
    const bands = JSON.stringify(c.spec.layer ?? []);
    const rows = (c.spec.layer as { data?: { values?: { series?: string; p10?: number; p90?: number }[] } }[]).flatMap((l) => l.data?.values ?? []);
    // Some series spreads across nodes: a band of positive height somewhere.
    expect(rows.some((r) => r.p10 !== undefined && r.p90 !== undefined && r.p90 - r.p10 > 0.1), bands.slice(0, 400)).toBe(true);
    // The band is drawn visibly.
    const areas = (c.spec.layer as { mark?: { type?: string; opacity?: number } }[]).filter((l) => l.mark?.type === 'area');
    expect(areas.length).toBeGreaterThan(0);
    for (const a of areas) expect(a.mark!.opacity!).toBeGreaterThanOrEqual(0.25);
    // And it says why netgroup entropy alone would be flat.
    const subtitle = (c.spec.title as { subtitle: string[] }).subtitle.join(' ');
    expect(subtitle).toMatch(/one outbound connection per netgroup/);
    expect(subtitle).toMatch(/log2/);
  });

  it('without AS numbers (no AS model) it says so and fits its y axis to the netgroup entropy', () => {
    const result = pinned();
    result.identity.asModel = false;
    const c = entropyChart(buildCharts(result));
    const subtitle = (c.spec.title as { subtitle: string[] }).subtitle.join(' ');
    expect(subtitle).toMatch(/No AS numbers/);
    expect(JSON.stringify(c.spec)).not.toContain('"ASNs');
  });
});

describe("the victims' inbound netgroups", () => {
  it('are shown victim by victim (one bar each), not pooled into identical bars of the largest netgroups', () => {
    const result = eclipseFixture();
    const c = chartOf(buildCharts(result), 'victims-inbound-netgroups');
    const layers = c.spec.layer as { data: { values: { victim?: string; peer?: string; text?: string }[] } }[];
    const rows = layers[0]!.data.values;
    const victims = result.identity.victimIds.map((v) => `victim ${v}`);
    // Every victim is labelled (one without inbound peers says "0 slots"); bars for those with inbound peers.
    expect(layers[1]!.data.values.map((r) => r.victim)).toEqual(victims);
    for (const r of rows) expect(victims).toContain(r.victim);
    expect(new Set(rows.map((r) => r.victim)).size).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r.peer))).toEqual(new Set(['attacker', 'honest']));
    expect(buildCharts(result).some((x) => x.name === 'diversity-victim-inbound-netgroups')).toBe(false);
  });
});

describe("the victims' inbound slots panels", () => {
  /** The stroke dash of the rule layers: the inbound limit and the scenario's marks. */
  function rules(c: Chart): { filter: string; dash: number[] }[] {
    const layers = (c.spec.spec as { layer: { transform?: { filter: string }[]; mark: { type: string; strokeDash?: number[] } }[] }).layer;
    return layers.filter((l) => l.mark.type === 'rule').map((l) => ({ filter: l.transform![0]!.filter, dash: l.mark.strokeDash! }));
  }

  it('name each line style as it is drawn: the inbound limit dotted, the marks dashed (and no marks, no dashed)', () => {
    const result = eclipseFixture();
    expect(result.marks.length).toBeGreaterThan(0);
    const c = chartOf(buildCharts(result), 'victims-inbound-slots');
    const subtitle = (c.spec.title as { subtitle: string[] }).subtitle.join(' ');
    const limit = rules(c).find((r) => r.filter.includes("'limit'"))!;
    const mark = rules(c).find((r) => r.filter.includes("'mark'"))!;
    // Dotted: dash no longer than its gap and short; dashed: longer dashes than the limit's.
    expect(limit.dash[0]).toBeLessThanOrEqual(2);
    expect(mark.dash[0]).toBeGreaterThan(limit.dash[0]!);
    expect(subtitle).toMatch(/dotted: the victim's inbound limit/);
    expect(subtitle).toMatch(/dashed: the scenario's marks/);
    // A step drawn after each sample: the subtitle says so, and how far apart samples are.
    expect(subtitle).toContain(`sampled every ${result.identity.sampleIntervalMicros / 60_000_000} min, each value held until the next sample`);

    result.marks = [];
    const bare = chartOf(buildCharts(result), 'victims-inbound-slots');
    expect((bare.spec.title as { subtitle: string[] }).subtitle.join(' ')).not.toMatch(/dashed/);
  });
});
