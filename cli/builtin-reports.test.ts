// The reports of every built-in scenario, from a real (small) run rather than a fixture: every
// chart spec validates against the Vega-Lite schema and compiles without a warning, every SVG
// renders with its title and axis titles, and the eclipse run's report.html, opened in headless
// Chromium, draws every chart with no console message (skipped, saying why, without Chromium).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { buildCharts, type RunResult } from '../reports/index.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin/registry.ts';
import { runScenario } from '../scenarios/dsl/runner.ts';
import { SMALL } from '../scenarios/builtin/small-configs.ts';
import { CHROMIUM, hasChromium, openInChromium, pageOutcome } from './chromium.ts';
import { compileVegaLite, renderSvg } from './render.ts';
import { writeRunReports } from './run-dir.ts';
import { svgText, vegaLiteValidator } from '../reports/vega-check.test-helper.ts';

if (!hasChromium) console.warn(`builtin-reports.test: skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`);

const root = mkdtempSync(join(tmpdir(), 'connsim-builtin-reports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const validate = vegaLiteValidator();
const results = new Map<string, RunResult>();
function resultOf(name: string): RunResult {
  let r = results.get(name);
  if (r === undefined) {
    const def = BUILTIN_SCENARIOS.find((s) => s.name === name)!;
    r = runScenario({ ...SMALL[name]!, scenario: def, seed: '3' }).result;
    results.set(name, r);
  }
  return r;
}


describe('charts of every built-in scenario', () => {
  for (const def of BUILTIN_SCENARIOS) {
    it(`${def.name}: every spec is schema-valid, compiles cleanly and renders with its titles`, async () => {
      const result = resultOf(def.name);
      const charts = buildCharts(result);
      expect(charts.length).toBeGreaterThanOrEqual(10);
      for (const c of charts) {
        expect(validate(c.spec), c.name).toEqual([]);
        expect(compileVegaLite(c.spec).warnings, c.name).toEqual([]);
        const { svg, warnings } = await renderSvg(c.spec);
        expect(warnings, c.name).toEqual([]);
        expect(svg.startsWith('<svg'), c.name).toBe(true);
        const text = svgText(svg);
        expect(text, c.name).toContain(`seed ${result.identity.seed}`);
        for (const t of c.axisTitles) expect(text, `${c.name}: axis title '${t}'`).toContain(t);
      }
    }, 120_000);
  }
});

describe.skipIf(!hasChromium)('report.html of a built-in scenario in headless Chromium', () => {
  it('eclipse-botnet: every chart drawn, no console message', async () => {
    const result = resultOf('eclipse-botnet');
    const dir = join(root, 'eclipse-botnet');
    await writeRunReports(dir, result);
    const run = openInChromium(join(dir, 'report.html'), root);
    expect(run.error, String(run.error)).toBeUndefined();
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const page = pageOutcome(run);
    const n = buildCharts(result).length;
    expect(page.body).toContain('data-status="done"');
    expect(page.body).toContain(`data-rendered="${n}"`);
    expect(page.body).toContain('data-errors="0"');
    expect(page.drawn).toBe(n);
    expect(page.renderError).toBe(false);
    expect(page.consoleLines).toEqual([]);
  }, 180_000);
});
