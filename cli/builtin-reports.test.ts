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

/** The data rows of a chart's first layer that has data (or of the chart itself). */
function chartRows(c: { spec: Record<string, unknown> }): Record<string, unknown>[] {
  const layers = (c.spec.layer as { data?: { values?: unknown[] } }[] | undefined) ?? [];
  const data = (c.spec.data as { values?: unknown[] } | undefined) ?? layers.find((l) => l.data?.values !== undefined)?.data;
  return (data?.values ?? []) as Record<string, unknown>[];
}

describe('the inbound attacks: slots held by the attacker, victim by victim', () => {
  for (const name of ['slowloris', 'inbound-flood', 'eclipse-botnet']) {
    it(`${name}: each victim's inbound slots held by the attacker are sampled (handshake done or not) and charted per victim`, () => {
      const result = resultOf(name);
      const victims = result.identity.victimIds;
      expect(victims.length).toBeGreaterThan(0);
      // Core counts every inbound CNode against its inbound limit, whether it finished VERSION/VERACK or not.
      const held = result.series.victims.filter((s) => s.inboundSlotsAttacker > 0);
      expect(held.length, 'ticks at which a victim had attacker inbound peers').toBeGreaterThan(0);
      for (const s of result.series.victims) {
        expect(s.inboundSlotsAttacker).toBeGreaterThanOrEqual(s.inboundAttacker);
        expect(s.inboundSlots).toBeGreaterThanOrEqual(s.inboundTotal);
        expect(s.inboundSlots).toBeLessThanOrEqual(s.inboundLimit);
      }
      const chart = buildCharts(result).find((c) => c.name === 'victims-inbound-slots');
      expect(chart?.hasData).toBe(true);
      const shown = new Set(chartRows(chart!).map((r) => r.victim));
      expect([...shown].sort()).toEqual(victims.map((v) => `victim ${v}`).sort());
    }, 120_000);
  }
  it('slowloris: silent peers, which never finish the handshake, hold slots the handshake-only count misses', () => {
    const s = resultOf('slowloris').series.victims;
    expect(s.some((x) => x.inboundSlotsAttacker > x.inboundAttacker)).toBe(true);
  });
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
