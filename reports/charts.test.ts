// Every chart of every fixture: valid against the Vega-Lite JSON schema, compiles with vega-lite
// without a warning, names the run in its subtitle, and is deterministic.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';

import { CHART_FAMILIES, buildCharts, chartDataCsv, parseRunResult, RunResultError, stableStringify, type Chart } from './index.ts';
import { SUBTITLE_LINE_CHARS, timeScale, wrapSubtitleLine } from './chart-kit.ts';
import { compileLogged } from './vega-check.test-helper.ts';
import { allFixtures, eclipseFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('vega-lite/vega-lite-schema.json'), 'utf8')) as object;

const fixtures = allFixtures();
const built = fixtures.map((f) => ({ ...f, charts: buildCharts(f.result) }));

/** Everything vega-lite logs while compiling. */
function compileWarnings(spec: object): string[] {
  return compileLogged(spec).warnings;
}

/** Titles of the x/y encodings of a given type anywhere in a spec (layers included). */
function encodingTitles(spec: unknown, type: string): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    const enc = o.encoding as Record<string, { type?: string; title?: string }> | undefined;
    if (enc) for (const ch of ['x', 'y']) if (enc[ch]?.type === type && typeof enc[ch]!.title === 'string') out.add(enc[ch]!.title!);
    for (const k of Object.keys(o)) walk(o[k]);
  };
  walk(spec);
  return out;
}
const quantitativeTitles = (spec: unknown) => encodingTitles(spec, 'quantitative');
const nominalTitles = (spec: unknown) => new Set([...encodingTitles(spec, 'nominal'), ...encodingTitles(spec, 'ordinal')]);

let validate: ReturnType<Ajv['compile']>;
beforeAll(() => {
  // The schema is draft-07 (ajv 8's default draft). It uses three formats; ajv ships none.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('color-hex', /^#(?:[0-9a-fA-F]{3}){1,2}$/);
  ajv.addFormat('uri', (s: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/.test(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  validate = ajv.compile(schema);
});

describe('the schema check', () => {
  it('rejects an invalid spec (a negative control for the validator)', () => {
    expect(validate({ mark: 'not-a-mark', encoding: { x: { field: 'a', type: 'quantitative' } } })).toBe(false);
    expect(validate({ data: { values: [] }, mark: 'bar', encoding: { x: { field: 'a', type: 'bogus' } } })).toBe(false);
  });
});

describe('buildCharts', () => {
  for (const f of built) {
    describe(`fixture ${f.name}`, () => {
      it('gives every chart a unique file-safe name and a known family, in family order', () => {
        const names = f.charts.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        for (const c of f.charts) {
          expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
          expect(c.name.startsWith(`${c.family}-`)).toBe(true);
        }
        const familyOrder = CHART_FAMILIES.map((x) => x.family);
        const seen = f.charts.map((c) => familyOrder.indexOf(c.family));
        expect([...seen].sort((a, b) => a - b)).toEqual(seen);
        expect(new Set(f.charts.map((c) => c.family)).size).toBe(5);
        expect(f.charts.length).toBeGreaterThanOrEqual(15);
      });

      it('every spec validates against the Vega-Lite JSON schema', () => {
        for (const c of f.charts) {
          const ok = validate(JSON.parse(JSON.stringify(c.spec)));
          expect(ok, `${c.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
        }
      });

      it('every spec compiles with vega-lite without warnings', () => {
        for (const c of f.charts) expect(compileWarnings(c.spec), c.name).toEqual([]);
      });

      it('every chart has a title, and a subtitle naming scenario, seed and profile', () => {
        const id = f.result.identity;
        for (const c of f.charts) {
          const title = c.spec.title as { text: string; subtitle: string[] };
          expect(title.text.length).toBeGreaterThan(0);
          expect(title.subtitle[0]).toContain(id.scenario);
          expect(title.subtitle[0]).toContain(`seed ${id.seed}`);
          expect(title.subtitle[0]).toContain(`profile ${id.profile}`);
          // Longer lines would pad the standalone SVG with blank width (vega estimates text width).
          for (const l of title.subtitle) expect(l.length, `${c.name}: '${l}'`).toBeLessThanOrEqual(SUBTITLE_LINE_CHARS);
        }
      });

      it('charts with data carry axis titles, with units on every quantitative axis, and tooltips', () => {
        for (const c of f.charts.filter((x) => x.hasData)) {
          expect(c.axisTitles).toHaveLength(2);
          const quantitative = quantitativeTitles(c.spec);
          for (const t of c.axisTitles) {
            expect(quantitative.has(t) || nominalTitles(c.spec).has(t), `${c.name}: '${t}' is not an x/y title of the spec`).toBe(true);
            if (quantitative.has(t)) expect(t, `${c.name}: ${t}`).toMatch(/\([^)]+\)$/);
          }
          expect(JSON.stringify(c.spec), c.name).toContain('"tooltip"');
        }
      });

      it('is deterministic: building twice gives identical JSON', () => {
        const again = buildCharts(fixtures.find((x) => x.name === f.name)!.result);
        expect(again.map((c) => stableStringify(c.spec))).toEqual(f.charts.map((c) => stableStringify(c.spec)));
      });
    });
  }

  it('the empty run draws every chart as an explicit "no data" text', () => {
    const empty = built.find((f) => f.name === 'empty')!;
    for (const c of empty.charts) {
      expect(c.hasData, c.name).toBe(false);
      expect(c.spec.mark).toMatchObject({ type: 'text' });
      expect(JSON.stringify(c.spec)).toContain('No data: ');
    }
  });

  it('the eclipse run has data in every chart, marks as labelled rules, and minutes on the time axis', () => {
    const eclipse = built.find((f) => f.name === 'eclipse')!;
    expect(eclipse.charts.filter((c) => !c.hasData).map((c) => c.name)).toEqual([]);
    const share = eclipse.charts.find((c) => c.name === 'eclipse-victim-outbound-attacker-share')!;
    const layers = share.spec.layer as Array<{ mark: { type: string }; data: { values: Array<Record<string, unknown>> } }>;
    const rule = layers.find((l) => l.mark.type === 'rule')!;
    expect(rule.data.values.map((v) => [v.t, v.label])).toEqual([
      [20, 'attack starts'],
      [60, 'victims restart'],
      [62, 'addr flood, "burst" 2'],
    ]);
    expect(layers.some((l) => l.mark.type === 'text')).toBe(true);
    expect(share.axisTitles[0]).toBe('Simulated time (min)');
    const baseline = built.find((f) => f.name === 'baseline')!;
    expect(baseline.charts.find((c) => c.name === 'eclipse-eclipsed-nodes')!.axisTitles[0]).toBe('Simulated time (h)');
  });

  it('the victims of the eclipse fixture are eclipsed over time, and the ECDF reaches their fraction', () => {
    const r = eclipseFixture();
    const eclipsed = r.eclipses.filter((e) => e.timeToEclipseMicros !== null).length;
    expect(eclipsed).toBeGreaterThan(0);
    const chart = buildCharts(r).find((c) => c.name === 'eclipse-time-to-eclipse')! as Chart;
    const values = (chart.spec.data as { values: Array<{ fraction: number }> }).values;
    expect(values[0]!.fraction).toBe(0);
    expect(values[values.length - 1]!.fraction).toBeCloseTo(eclipsed / r.eclipses.length, 12);
  });
});

describe('wrapSubtitleLine', () => {
  it('cuts a long line after a "; " or ". " in its second half, else at the last space, never inside parentheses; the pieces join back to it', () => {
    expect(wrapSubtitleLine('short line')).toEqual(['short line']);
    const a = `${'a'.repeat(60)}; ${'b'.repeat(20)} ${'c'.repeat(30)}`;
    expect(wrapSubtitleLine(a)).toEqual([`${'a'.repeat(60)};`, `${'b'.repeat(20)} ${'c'.repeat(30)}`]);
    // A "; " early in the line would leave a stub: the cut goes at the last space instead.
    const b = `one row; ${'b '.repeat(50)}end`;
    expect(wrapSubtitleLine(b)[0]!.length).toBeGreaterThan(90);
    // Not inside "( … )".
    const c = `${'a'.repeat(70)} (${'b '.repeat(20)}) tail words here`;
    expect(wrapSubtitleLine(c)).toEqual(['a'.repeat(70), `(${'b '.repeat(20)}) tail words here`]);
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const lines = wrapSubtitleLine(words);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(SUBTITLE_LINE_CHARS);
    expect(lines.join(' ')).toBe(words);
    // A single word longer than a line is left whole rather than cut mid-word.
    expect(wrapSubtitleLine('x'.repeat(150))).toEqual(['x'.repeat(150)]);
  });
});

describe('timeScale', () => {
  it('uses minutes up to three hours and hours beyond', () => {
    expect(timeScale(3 * 3_600_000_000).unit).toBe('min');
    expect(timeScale(3 * 3_600_000_000 + 1).unit).toBe('h');
    expect(timeScale(90 * 60_000_000).domainMax).toBe(90);
  });
});

describe('chartDataCsv', () => {
  it('gives one RFC 4180 CSV per series with a stable header, identical on a second call', () => {
    const r = eclipseFixture();
    const a = chartDataCsv(r);
    expect(a.map((x) => x.name)).toEqual([
      'series',
      'network-samples',
      'victim-samples',
      'final-node-samples',
      'victim-inbound-netgroups',
      'time-to-eclipse',
      'disconnects',
      'time-to-disconnect',
      'connection-churn',
      'evictions',
      'bytes-by-message',
      'marks',
      'checks',
    ]);
    expect(chartDataCsv(r)).toEqual(a);
    for (const c of a) {
      expect(c.csv.endsWith('\r\n')).toBe(true);
      expect(c.name).toMatch(/^[a-z0-9-]+$/);
    }
    const network = a.find((x) => x.name === 'network-samples')!.csv.split('\r\n');
    expect(network[0]!.startsWith('tMicros,honestNodes,eclipsedNodes,eclipsedFraction,outbound_fullRelay,outbound_fullRelay_attacker,')).toBe(true);
    expect(network.length - 2).toBe(r.series.network.length);
    const marks = a.find((x) => x.name === 'marks')!.csv;
    expect(marks).toContain('"addr flood, ""burst"" 2"');
    const victims = a.find((x) => x.name === 'victim-samples')!.csv.split('\r\n');
    expect(victims.length - 2).toBe(r.series.victims.length);
  });

  it('series.csv holds every sampled value of the wide files in long form: time, scope, node, metric, value', () => {
    const r = eclipseFixture();
    const files = new Map(chartDataCsv(r).map((c) => [c.name, c.csv.split('\r\n').slice(0, -1).map((l) => l.split(','))]));
    const long = files.get('series')!;
    expect(long[0]).toEqual(['tMicros', 'scope', 'node', 'metric', 'value']);
    const index = new Map(long.slice(1).map((row) => [`${row[0]}|${row[1]}|${row[2]}|${row[3]}`, row[4]]));
    let cells = 0;
    for (const [file, scope] of [['network-samples', 'network'], ['victim-samples', 'victim']] as const) {
      const [header, ...rows] = files.get(file)!;
      for (const row of rows) {
        header!.forEach((h, i) => {
          if (h === 'tMicros' || h === 'nodeId' || h === 'role') return;
          const node = scope === 'victim' ? row[header!.indexOf('nodeId')] : '';
          const wide = row[i]!;
          const expected = wide === 'true' ? '1' : wide === 'false' ? '0' : wide;
          expect(index.get(`${row[0]}|${scope}|${node}|${h}`), `${file} ${h}`).toBe(expected);
          cells++;
        });
      }
    }
    expect(long.length - 1).toBe(cells);
    // Victims' rows name their node; network rows have none.
    expect(long.slice(1).filter((x) => x[1] === 'victim').every((x) => /^\d+$/.test(x[2]!))).toBe(true);
    expect(long.slice(1).filter((x) => x[1] === 'network').every((x) => x[2] === '')).toBe(true);
  });
});

describe('parseRunResult', () => {
  it('accepts a round-tripped RunResult and rejects other shapes with a reason', () => {
    const r = eclipseFixture();
    expect(parseRunResult(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(() => parseRunResult([])).toThrow(RunResultError);
    expect(() => parseRunResult({ ...r, formatVersion: 99 })).toThrow(/formatVersion/);
    expect(() => parseRunResult({ ...r, identity: { ...r.identity, seed: 7 } })).toThrow(/identity.seed/);
    expect(() => parseRunResult({ ...r, marks: null })).toThrow(/marks/);
  });
});
