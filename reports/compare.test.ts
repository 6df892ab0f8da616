// The comparison of two runs on the fixture RunResults: the identity, metric and check tables, the
// overlaid charts (schema-valid, compiling without warnings, one line per run, shares on [0, 1]),
// the long-format rows, and two sweeps merged for the sweep charts.
import { describe, expect, it } from 'vitest';

import { compileLogged, vegaLiteValidator } from './vega-check.test-helper.ts';
import { baselineFixture, eclipseFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { compareCharts, compareRuns, comparisonCsvRows, mergeSweepsForCharts, type CompareSide, type CompareSummary } from './compare.ts';
import { aggregateSweep, sweepCharts, type SweepRunRow } from './sweep.ts';

function summary(over: Partial<CompareSummary>): CompareSummary {
  return {
    scenario: 'eclipse-botnet',
    seed: '1',
    profile: 'core-master',
    set: [],
    params: { attackerAddresses: 100 },
    nodes: 20,
    duration: '1h',
    digest: 'aaaa',
    eventsProcessed: 10,
    metrics: { victimsEclipsed: 1, share: 0.5 },
    metricKinds: { victimsEclipsed: 'count', share: 'share' },
    checks: [
      { name: 'invariants', passed: true, kind: 'health' },
      { name: 'attack outcome', passed: false, kind: 'outcome' },
    ],
    ...over,
  };
}

describe('compareRuns', () => {
  const a: CompareSide = { label: 'A', source: 'runs/a', summary: summary({}), result: eclipseFixture() };
  const b: CompareSide = {
    label: 'B',
    source: 'runs/b',
    summary: summary({ seed: '2', profile: 'core-v0.10', digest: 'bbbb', metrics: { victimsEclipsed: 3, other: 2 }, checks: [{ name: 'invariants', passed: true, kind: 'health' }, { name: 'attack outcome', passed: true, kind: 'outcome' }] }),
    result: baselineFixture(),
  };

  it('puts identities, metrics (with B − A) and checks side by side, marking what differs', () => {
    const c = compareRuns(a, b);
    expect(c.identity.filter((r) => !r.same).map((r) => r.field)).toEqual(['seed', 'profile', 'digest']);
    expect(c.metrics).toEqual([
      { metric: 'other', kind: 'number', a: null, b: 2, diff: null },
      { metric: 'share', kind: 'share', a: 0.5, b: null, diff: null },
      { metric: 'victimsEclipsed', kind: 'count', a: 1, b: 3, diff: 2 },
    ]);
    expect(c.checks).toEqual([
      { check: 'invariants', kind: 'health', a: true, b: true },
      { check: 'attack outcome', kind: 'outcome', a: false, b: true },
    ]);
    expect(comparisonCsvRows(c).slice(0, 2)).toEqual([
      { run: 'A', metric: 'other', kind: 'number', value: null },
      { run: 'B', metric: 'other', kind: 'number', value: 2 },
    ]);
  });

  it('overlays the network series of both runs: valid, compiling specs with one line per run', () => {
    const validate = vegaLiteValidator();
    const charts = compareCharts(a, b);
    expect(charts.map((c) => c.name)).toEqual([
      'compare-eclipsed-fraction',
      'compare-outbound-attacker-share',
      'compare-tried-attacker-share',
      'compare-new-attacker-share',
      'compare-outbound-netgroups-median',
      'compare-victim-outbound-attacker-share',
    ]);
    for (const c of charts) {
      expect(validate(c.spec), c.name).toEqual([]);
      expect(compileLogged(c.spec).warnings, c.name).toEqual([]);
    }
    const rows = (charts[0]!.spec.data as { values: { run: string }[] }).values;
    expect(new Set(rows.map((r) => r.run)).size).toBe(2);
    expect((charts[0]!.spec.encoding as { y: { scale: { domain: number[] } } }).y.scale.domain).toEqual([0, 1]);
  });
});

describe('mergeSweepsForCharts', () => {
  const run = (index: number, profile: string, v: string, seed: string, m: number): SweepRunRow => ({
    index,
    id: `r${index}`,
    profile,
    point: { n: v },
    seed,
    outcome: { healthy: true, passed: true, checks: [], metrics: { m }, metricKinds: { m: 'count' }, error: null, reproduce: '' },
  });
  const agg = (values: string[], offset: number) =>
    aggregateSweep({ scenario: 's', seeds: ['1', '2'], profiles: ['core-master'], axes: [{ key: 'n', values }], runs: values.flatMap((v, i) => [run(2 * i, 'core-master', v, '1', offset + i), run(2 * i + 1, 'core-master', v, '2', offset + i + 1)]) });

  it('draws both sweeps as series "A · profile" and "B · profile" over the union of their values', () => {
    const merged = mergeSweepsForCharts(agg(['1', '2'], 0), agg(['2', '3'], 10), ['A', 'B']);
    expect(merged.profiles).toEqual(['A · core-master', 'B · core-master']);
    expect(merged.axes).toEqual([{ key: 'n', values: ['1', '2', '3'] }]);
    const chart = sweepCharts(merged).find((c) => c.name === 'sweep-metric-m')!;
    const series = new Set((chart.spec.data as { values: { series: string }[] }).values.map((r) => r.series));
    expect([...series]).toEqual(['A · core-master', 'B · core-master']);
  });

  it('refuses sweeps that vary different parameters', () => {
    const other = aggregateSweep({ scenario: 's', seeds: ['1'], profiles: ['p'], axes: [], runs: [] });
    expect(() => mergeSweepsForCharts(agg(['1'], 0), other, ['A', 'B'])).toThrow(/vary different parameters \(n vs none\)/);
  });
});
