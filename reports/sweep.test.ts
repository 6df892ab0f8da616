// The sweep report's statistics and specs on hand-made run outcomes: Student-t quantiles and
// intervals, Wilson intervals (known values), grouping in plan order, intervals by declared metric
// kind, health and outcome checks apart, runs that threw, the chart specs (schema-valid, compiling,
// file-safe unique names, axis choice) and the CSVs.
import { describe, expect, it } from 'vitest';

import { compileLogged, vegaLiteValidator } from './vega-check.test-helper.ts';
import {
  HEALTH_RATE_ROW,
  aggregateMetric,
  aggregateSweep,
  meanStudentT,
  meanWilson,
  metricSlug,
  seedsLabel,
  sweepCharts,
  sweepCsv,
  tQuantile975,
  wilsonInterval,
  type SweepCheckOutcome,
  type SweepData,
  type SweepMetricKind,
  type SweepRunRow,
} from './sweep.ts';

interface RowOpts {
  kinds?: Record<string, SweepMetricKind>;
  checks?: SweepCheckOutcome[];
  error?: string | null;
}

/** The kinds data() declares. */
const KINDS: Record<string, SweepMetricKind> = { load: 'number', eclipsed: 'indicator', share: 'share', victimsEclipsed: 'count' };

function row(index: number, profile: string, point: Record<string, string>, seed: string, metrics: Record<string, number>, opts: RowOpts = {}): SweepRunRow {
  const checks = opts.checks ?? [];
  const error = opts.error ?? null;
  const healthy = error === null && checks.every((c) => c.kind !== 'health' || c.passed);
  return {
    index,
    id: `r${index}`,
    profile,
    point,
    seed,
    outcome: { healthy, passed: healthy && checks.every((c) => c.passed), checks: error === null ? checks : [], metrics, metricKinds: opts.kinds ?? {}, error, reproduce: `connsim run x --seed ${seed}` },
  };
}

/**
 * Two profiles × attackerAddresses 100, 1000, 10000 × seeds 1..3: a 'number' load, a 0/1 indicator,
 * a share, a count that is 0 on every seed, a health check that always passes and an outcome check
 * ("load stays below 0.9") that fails at the largest point of core-v0.10.
 */
function data(): SweepData {
  const runs: SweepRunRow[] = [];
  const profiles = ['core-v0.10', 'core-master'];
  const values = ['100', '1000', '10000'];
  for (const p of profiles) {
    for (const v of values) {
      for (const seed of ['1', '2', '3']) {
        const i = runs.length;
        const load = (Number(v) / 10000) * (p === 'core-master' ? 0.5 : 1) + Number(seed) / 100;
        const checks: SweepCheckOutcome[] = [
          { name: 'invariants', kind: 'health', passed: true },
          { name: 'load stays below 0.9', kind: 'outcome', passed: load <= 0.9 },
        ];
        runs.push(row(i, p, { attackerAddresses: v }, seed, { load, eclipsed: load > 0.5 ? 1 : 0, share: Math.min(1, load), victimsEclipsed: 0 }, { kinds: KINDS, checks }));
      }
    }
  }
  return { scenario: 'eclipse-botnet', seeds: ['1', '2', '3'], profiles, axes: [{ key: 'attackerAddresses', values }], runs };
}

describe('statistics', () => {
  it('t(0.975, df) matches the Student-t table and tends to the normal quantile', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile975(2)).toBeCloseTo(4.3027, 4);
    expect(tQuantile975(10)).toBeCloseTo(2.2281, 4);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 4);
    // Beyond the table: the expansion (reference values from scipy.stats.t.ppf).
    expect(tQuantile975(31)).toBeCloseTo(2.039513, 5);
    expect(tQuantile975(40)).toBeCloseTo(2.021075, 5);
    expect(tQuantile975(120)).toBeCloseTo(1.979930, 5);
    expect(tQuantile975(1000)).toBeCloseTo(1.962339, 5);
    expect(() => tQuantile975(0)).toThrow();
  });

  it('Wilson score interval: known values, inside [0, 1], sensible at 0/n and n/n', () => {
    const half = wilsonInterval(5, 10);
    expect(half.rate).toBe(0.5);
    expect(half.lo).toBeCloseTo(0.2366, 4);
    expect(half.hi).toBeCloseTo(0.7634, 4);
    const none = wilsonInterval(0, 10);
    expect(none.lo).toBe(0);
    expect(none.hi).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval(3, 3);
    expect(all.hi).toBe(1);
    expect(all.lo).toBeCloseTo(0.4385, 4);
    expect(() => wilsonInterval(4, 3)).toThrow();
  });

  it('mean ± t interval over seeds; one value has no interval', () => {
    const m = meanStudentT([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.sd).toBeCloseTo(1.290994, 6);
    const halfWidth = (3.182446305284 * 1.290994449) / 2;
    expect(m.lo).toBeCloseTo(2.5 - halfWidth, 6);
    expect(m.hi).toBeCloseTo(2.5 + halfWidth, 6);
    expect(m.method).toBe('student-t');
    expect(meanStudentT([7])).toEqual({ n: 1, mean: 7, sd: null, lo: null, hi: null, method: 'student-t' });
    const w = meanWilson([0, 1, 1, 0, 1]);
    expect(w.mean).toBe(0.6);
    expect(w.method).toBe('wilson');
    expect(() => meanWilson([0.5])).toThrow();
  });

  it('seeds and metric names in words', () => {
    expect(seedsLabel(['1', '2', '3', '4'])).toBe('1..4');
    expect(seedsLabel(['1', '2', '5'])).toBe('1, 2, 5');
    expect(seedsLabel(['a', 'b'])).toBe('a, b');
    expect(metricSlug('victimsEclipsedShare')).toBe('victims-eclipsed-share');
    expect(metricSlug('fixture.nodes')).toBe('fixture-nodes');
  });
});

describe('aggregateSweep', () => {
  it('groups per profile and point in plan order, over seeds; each metric aggregated by its declared kind', () => {
    const agg = aggregateSweep(data());
    expect(agg.groups.map((g) => `${g.profile}/${g.point.attackerAddresses}`)).toEqual([
      'core-v0.10/100',
      'core-v0.10/1000',
      'core-v0.10/10000',
      'core-master/100',
      'core-master/1000',
      'core-master/10000',
    ]);
    expect(agg.metrics).toEqual(['eclipsed', 'load', 'share', 'victimsEclipsed']);
    expect(agg.metricKinds).toEqual({ eclipsed: 'indicator', load: 'number', share: 'share', victimsEclipsed: 'count' });
    const g = agg.groups[2]!;
    expect(g.runs).toBe(3);
    expect(g.metrics.load!.mean).toBeCloseTo(1.02, 10);
    expect(g.metrics.load!.method).toBe('student-t');
    expect(g.metrics.eclipsed).toMatchObject({ n: 3, mean: 1, method: 'wilson' });
  });

  it('a count that is 0 on every seed is a count, not a 0/1 indicator: a zero-width interval, not Wilson [0, 0.66]', () => {
    const agg = aggregateSweep(data());
    for (const g of agg.groups) expect(g.metrics.victimsEclipsed).toEqual({ n: 3, mean: 0, sd: 0, lo: 0, hi: 0, method: 'student-t-clipped-zero' });
  });

  it('a share never gets an interval outside [0, 1]; a count or duration never below 0', () => {
    // Shares 0.9, 1, 1: the plain Student-t band would reach 1.14.
    const share = aggregateMetric('share', [0.9, 1, 1]);
    expect(share.hi).toBe(1);
    expect(share.lo!).toBeGreaterThan(0.7);
    expect(share.method).toBe('student-t-clipped-unit');
    const low = aggregateMetric('share', [0, 0, 0.3]);
    expect(low.lo).toBe(0);
    expect(low.mean).toBeCloseTo(0.1, 12);
    const count = aggregateMetric('count', [0, 1, 0]);
    expect(count.lo).toBe(0);
    expect(count.hi!).toBeGreaterThan(1);
    expect(aggregateMetric('duration', [3, 5]).lo).toBe(0);
    expect(aggregateMetric('number', [-1, 1]).lo!).toBeLessThan(-1);
  });

  it('an outcome check that fails is a result (a rate per point), not a failed run', () => {
    const agg = aggregateSweep(data());
    expect(agg.outcomeChecks).toEqual(['load stays below 0.9']);
    // Seeds 1..3 at 10000 addresses under core-v0.10 give loads 1.01, 1.02, 1.03 > 0.9.
    const g = agg.groups[2]!;
    expect(g.outcomes['load stays below 0.9']).toMatchObject({ n: 3, mean: 0, lo: 0, method: 'wilson' });
    expect(agg.groups[0]!.outcomes['load stays below 0.9']).toMatchObject({ n: 3, mean: 1, hi: 1 });
    expect(g.healthRate).toMatchObject({ n: 3, mean: 1 });
    expect(agg.totals).toEqual({ runs: 18, healthy: 18, unhealthy: 0, errored: 0, allChecksPassed: 15 });
    expect(agg.failures).toEqual([]);
  });

  it('a failed health check makes a failed run, listed with the name of the check', () => {
    const d = data();
    const runs = d.runs.map((r) =>
      r.index === 4 ? row(4, r.profile, r.point, r.seed, r.outcome.metrics, { kinds: KINDS, checks: [{ name: 'invariants', kind: 'health', passed: false }, ...r.outcome.checks.slice(1)] }) : r,
    );
    const agg = aggregateSweep({ ...d, runs });
    expect(agg.failures).toEqual([{ id: 'r4', error: null, failedChecks: ['invariants'], reproduce: 'connsim run x --seed 2' }]);
    expect(agg.totals).toMatchObject({ healthy: 17, unhealthy: 1, errored: 0 });
    const g = agg.groups[1]!;
    expect(g.healthRate).toMatchObject({ n: 3, mean: 2 / 3 });
    // Outcome rates count only sound runs.
    expect(g.outcomes['load stays below 0.9']!.n).toBe(2);
  });

  it('a run that threw is a failed run, gives no metric values, and is listed with its error', () => {
    const d = data();
    const runs = d.runs.map((r) => (r.index === 0 ? row(0, r.profile, r.point, r.seed, {}, { error: 'boom' }) : r));
    const agg = aggregateSweep({ ...d, runs });
    const g = agg.groups[0]!;
    expect(g.errored).toBe(1);
    expect(g.metrics.load!.n).toBe(2);
    expect(g.healthRate).toMatchObject({ n: 3, mean: 2 / 3, method: 'wilson' });
    expect(agg.failures[0]).toEqual({ id: 'r0', error: 'boom', failedChecks: [], reproduce: 'connsim run x --seed 1' });
    expect(agg.totals.errored).toBe(1);
  });

  it('a metric no run declared, declared differently, or outside its kind is a plain number', () => {
    const d: SweepData = {
      scenario: 's',
      seeds: ['1', '2'],
      profiles: ['a'],
      axes: [],
      runs: [
        row(0, 'a', {}, '1', { u: 0, c: 1, o: 1.5 }, { kinds: { c: 'count', o: 'share' } }),
        row(1, 'a', {}, '2', { u: 1, c: 0, o: 0.5 }, { kinds: { c: 'indicator', o: 'share' } }),
      ],
    };
    const agg = aggregateSweep(d);
    expect(agg.metricKinds).toEqual({ c: 'number', o: 'number', u: 'number' });
    // No inference from the values: u is 0 and 1 but undeclared, so Student t (not Wilson).
    expect(agg.groups[0]!.metrics.u!.method).toBe('student-t');
  });

  it('does not depend on the order the runs arrive in', () => {
    const d = data();
    const a = aggregateSweep(d);
    const b = aggregateSweep({ ...d, runs: [...d.runs].reverse() });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('sweepCharts', () => {
  const validate = vegaLiteValidator();

  it('a sound-runs chart, one per outcome check and one per metric: schema-valid, compiling, file-safe unique names, titled axes', () => {
    const agg = aggregateSweep(data());
    const charts = sweepCharts(agg);
    expect(charts.map((c) => c.name)).toEqual([
      'sweep-health-rate',
      'sweep-outcome-load-stays-below-0-9',
      'sweep-metric-eclipsed',
      'sweep-metric-load',
      'sweep-metric-share',
      'sweep-metric-victims-eclipsed',
    ]);
    for (const c of charts) {
      expect(validate(c.spec), c.name).toEqual([]);
      expect(compileLogged(c.spec).warnings, c.name).toEqual([]);
      expect(c.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.hasData).toBe(true);
      const title = c.spec.title as { text: string; subtitle: string[] };
      expect(title.subtitle[0]).toBe('eclipse-botnet · seeds 1..3 (3 per point) · profiles core-v0.10, core-master');
    }
    const load = charts[3]!;
    // 100 .. 10000 spans two orders of magnitude: a log x axis.
    const x = (load.spec.encoding as { x: { type: string; scale: { type: string }; title: string } }).x;
    expect(x.type).toBe('quantitative');
    expect(x.scale.type).toBe('log');
    expect(load.axisTitles).toEqual(['Scenario parameter attackerAddresses (value, log scale)', 'load (mean over seeds)']);
    expect(charts[2]!.axisTitles[1]).toBe('eclipsed (share of seeds with 1)');
    expect(charts[4]!.axisTitles[1]).toBe('share (share, mean over seeds)');
    expect(charts[5]!.axisTitles[1]).toBe('victimsEclipsed (count, mean over seeds)');
    expect((charts[4]!.spec.title as { subtitle: string[] }).subtitle[1]).toContain('Student t, clipped to [0, 1], a share');
    expect(charts[1]!.axisTitles[1]).toBe('Runs where "load stays below 0.9" held (share of sound runs)');
    const rows = (load.spec.data as { values: { series: string; x: number }[] }).values;
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ series: 'core-v0.10', x: 100 });
  });

  it('without --vary the profiles are the x axis; a second axis splits the series; a metric nobody recorded is a "no data" chart', () => {
    const noAxes: SweepData = {
      scenario: 's',
      seeds: ['1', '2'],
      profiles: ['a', 'b'],
      axes: [],
      runs: [row(0, 'a', {}, '1', { m: 1 }), row(1, 'a', {}, '2', { m: 2 }), row(2, 'b', {}, '1', { m: 3 }), row(3, 'b', {}, '2', { m: 5 })],
    };
    const c1 = sweepCharts(aggregateSweep(noAxes));
    expect((c1[1]!.spec.encoding as { x: { type: string; title: string } }).x).toMatchObject({ type: 'nominal', title: 'Profile' });
    for (const c of c1) expect(validate(c.spec)).toEqual([]);

    const twoAxes: SweepData = {
      scenario: 's',
      seeds: ['1'],
      profiles: ['a'],
      axes: [
        { key: 'pause', values: ['10s', '30s'] },
        { key: 'set.feelers', values: ['true', 'false'] },
      ],
      runs: [
        row(0, 'a', { pause: '10s', 'set.feelers': 'true' }, '1', { m: 1 }),
        row(1, 'a', { pause: '10s', 'set.feelers': 'false' }, '1', { m: 2 }),
        row(2, 'a', { pause: '30s', 'set.feelers': 'true' }, '1', { m: 3 }),
        row(3, 'a', { pause: '30s', 'set.feelers': 'false' }, '1', {}, { error: 'boom' }),
      ],
    };
    const agg = aggregateSweep(twoAxes);
    const c2 = sweepCharts(agg);
    const enc = c2[1]!.spec.encoding as { x: { type: string; sort: string[] }; color: { scale: { domain: string[] }; title: string } };
    expect(enc.x).toMatchObject({ type: 'ordinal', sort: ['10s', '30s'] });
    expect(enc.color.scale.domain).toEqual(['a · set.feelers=true', 'a · set.feelers=false']);
    expect(enc.color.title).toBe('profile · set.feelers');
    for (const c of c2) {
      expect(validate(c.spec)).toEqual([]);
      expect(compileLogged(c.spec).warnings).toEqual([]);
    }
    const allThrew = aggregateSweep({ ...twoAxes, runs: twoAxes.runs.map((r) => row(r.index, r.profile, r.point, r.seed, {}, { error: 'x' })) });
    const c3 = sweepCharts(allThrew);
    expect(c3.map((c) => c.name)).toEqual(['sweep-health-rate']);
    expect(c3[0]!.hasData).toBe(true);
  });
});

describe('sweepCsv', () => {
  it('aggregate.csv has a row per profile × point × metric (sound runs, then outcomes, then metrics); runs.csv a row per run', () => {
    const d = data();
    const agg = aggregateSweep(d);
    const [aggregate, runs] = sweepCsv(agg, d.runs);
    const aLines = aggregate!.csv.split('\r\n');
    expect(aLines[0]).toBe('profile,attackerAddresses,metric,kind,n,mean,sd,ci95Low,ci95High,ciMethod');
    expect(aLines[1]!.startsWith(`core-v0.10,100,${HEALTH_RATE_ROW},rate,3,1,0,`)).toBe(true);
    expect(aLines[2]!.startsWith('core-v0.10,100,(outcome) load stays below 0.9,rate,3,1,0,')).toBe(true);
    expect(aLines[3]!.startsWith('core-v0.10,100,eclipsed,indicator,3,0,0,')).toBe(true);
    expect(aLines).toHaveLength(1 + 6 * 6 + 1);
    const rLines = runs!.csv.split('\r\n');
    expect(rLines[0]).toBe('index,id,profile,attackerAddresses,seed,healthy,passed,failedChecks,error,(outcome) load stays below 0.9,eclipsed,load,share,victimsEclipsed,reproduce');
    expect(rLines[1]).toBe('0,r0,core-v0.10,100,1,true,true,,,true,0,0.02,0.02,0,connsim run x --seed 1');
    expect(rLines[7]).toBe('6,r6,core-v0.10,10000,1,true,false,load stays below 0.9,,false,1,1.01,1,0,connsim run x --seed 1');
    expect(rLines).toHaveLength(1 + 18 + 1);
  });
});
