// Headless SVG rendering of every chart of every fixture: non-empty, the expected axis titles
// present, no warnings, and the same bytes on a second render.
import { describe, expect, it } from 'vitest';

import { buildCharts } from '../reports/index.ts';
import { allFixtures } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { compileVegaLite, renderSvg } from './render.ts';
import { svgText } from '../reports/vega-check.test-helper.ts';


describe('renderSvg', () => {
  for (const f of allFixtures()) {
    it(`renders every chart of the ${f.name} fixture with its titles, without warnings, deterministically`, async () => {
      const charts = buildCharts(f.result);
      for (const c of charts) {
        const a = await renderSvg(c.spec);
        expect(a.warnings, c.name).toEqual([]);
        expect(a.svg.startsWith('<svg'), c.name).toBe(true);
        expect(a.svg.endsWith('</svg>\n'), c.name).toBe(true);
        const text = svgText(a.svg);
        expect(text, c.name).toContain((c.spec.title as { text: string }).text);
        expect(text, c.name).toContain(`seed ${f.result.identity.seed}`);
        for (const t of c.axisTitles) expect(text, `${c.name}: axis title '${t}'`).toContain(t);
        if (c.hasData) {
          // Real marks were drawn: paths or rects beyond the frame.
          expect((a.svg.match(/<path|<rect|<line/g) ?? []).length, c.name).toBeGreaterThan(5);
        } else {
          expect(text, c.name).toContain('No data: ');
        }
        const b = await renderSvg(c.spec);
        expect(b.svg === a.svg, `${c.name}: second render differs`).toBe(true);
      }
    });
  }

  it('reports vega-lite warnings instead of printing them', () => {
    const { warnings } = compileVegaLite({
      data: { values: [{ a: 'x', b: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' }, order: { field: 'a', type: 'nominal' } },
    });
    expect(warnings.length).toBeGreaterThan(0);
  });

  it("collects vega's own warnings (its View calls the logger's methods detached) instead of crashing", async () => {
    const r = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: [{ x: 1, lo: null, hi: null }] },
      mark: 'rule',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
    expect(r.svg).toMatch(/^<svg/);
    expect(r.warnings.some((w) => /Infinite extent/.test(w))).toBe(true);
  });
});
