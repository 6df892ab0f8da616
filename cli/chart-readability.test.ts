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

/** "10 ms", "1 s", "2.5 min", "1 h": a number and a unit a reader cannot take for another. */
const DURATION_LABEL = /^\d+(\.\d+)? (ms|s|min|h)$/;

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
});
