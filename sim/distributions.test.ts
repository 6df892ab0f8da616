import { describe, expect, it } from 'vitest';
import {
  AliasTable,
  DistributionError,
  bernoulli,
  constant,
  discrete,
  erlang,
  exponential,
  gamma,
  logGamma,
  logNormal,
  normal,
  poisson,
  samplerFor,
  uniform,
  weibull,
  type Sampler,
} from './distributions.ts';
import { Rng } from './rng.ts';

const N = 40_000;

function draw(s: Sampler, n = N): number[] {
  return Array.from({ length: n }, () => s());
}

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Mean within 5 standard errors, sample variance within 10% (these have finite fourth moments). */
function checkMoments(s: Sampler, xs: number[], varianceTolerance = 0.1): void {
  const m = moments(xs);
  expect(Math.abs(m.mean - s.mean)).toBeLessThan(5 * Math.sqrt(s.variance / xs.length) + 1e-12);
  expect(Math.abs(m.variance - s.variance)).toBeLessThanOrEqual(varianceTolerance * s.variance + 1e-12);
}

/** Kolmogorov–Smirnov statistic against a CDF; critical value 1.95/sqrt(n) is alpha ~ 0.001. */
function ks(xs: number[], cdf: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = cdf(s[i]!);
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs((i + 1) / s.length - f));
  }
  return d;
}
const ksCritical = (n: number) => 1.95 / Math.sqrt(n);

/** Chi-square of integer draws against a pmf over 0..maxK (the tail beyond maxK lumped in). */
function chiSquareDiscrete(xs: number[], pmf: (k: number) => number, maxK: number): { chi: number; dof: number } {
  const counts = new Array<number>(maxK + 2).fill(0);
  for (const x of xs) counts[Math.min(x, maxK + 1)]!++;
  let chi = 0;
  let tail = 1;
  for (let k = 0; k <= maxK; k++) {
    const p = pmf(k);
    tail -= p;
    chi += (counts[k]! - xs.length * p) ** 2 / (xs.length * p);
  }
  if (tail * xs.length > 5) chi += (counts[maxK + 1]! - xs.length * tail) ** 2 / (xs.length * tail);
  return { chi, dof: maxK + (tail * xs.length > 5 ? 1 : 0) };
}
const chiCritical = (k: number) => k * (1 - 2 / (9 * k) + 3.72 * Math.sqrt(2 / (9 * k))) ** 3;

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const normalCdf = (x: number, mu: number, sigma: number) => 0.5 * (1 + erf((x - mu) / (sigma * Math.SQRT2)));

describe('continuous distributions: mean, variance and KS against the CDF', () => {
  it('exponential by mean and by rate', () => {
    const s = exponential(new Rng('exp'), { mean: 2.5 });
    const xs = draw(s);
    checkMoments(s, xs);
    expect(ks(xs, (x) => 1 - Math.exp(-x / 2.5))).toBeLessThan(ksCritical(N));
    const r = exponential(new Rng('exp'), { rate: 0.4 });
    expect(r.mean).toBeCloseTo(2.5, 12);
    expect(draw(r, 10)).toEqual(draw(exponential(new Rng('exp'), { mean: 2.5 }), 10));
  });

  it('weibull(shape, scale, location)', () => {
    for (const [shape, scale, location] of [
      [0.7, 3, 0],
      [2, 10, 5],
    ] as const) {
      const s = weibull(new Rng(`weibull-${shape}`), { shape, scale, location });
      const xs = draw(s);
      checkMoments(s, xs, 0.15);
      expect(ks(xs, (x) => (x <= location ? 0 : 1 - Math.exp(-(((x - location) / scale) ** shape))))).toBeLessThan(ksCritical(N));
    }
  });

  it('erlang(shape k, scale) is the sum of k exponentials', () => {
    const k = 3;
    const scale = 2;
    const s = erlang(new Rng('erlang'), { shape: k, scale });
    const xs = draw(s);
    checkMoments(s, xs);
    const cdf = (x: number) => {
      let sum = 0;
      let term = 1;
      for (let n = 0; n < k; n++) {
        sum += term;
        term *= x / scale / (n + 1);
      }
      return 1 - Math.exp(-x / scale) * sum;
    };
    expect(ks(xs, cdf)).toBeLessThan(ksCritical(N));
    expect(erlang(new Rng('e'), { shape: 4, mean: 8 }).mean).toBeCloseTo(8, 12);
    expect(erlang(new Rng('e'), { shape: 4, rate: 2 }).mean).toBeCloseTo(2, 12);
  });

  it('gamma with a non-integer shape', () => {
    const s = gamma(new Rng('gamma'), { shape: 2.5, scale: 1.5 });
    checkMoments(s, draw(s));
  });

  it('normal(mean, stddev)', () => {
    const s = normal(new Rng('normal'), { mean: -3, stddev: 2 });
    const xs = draw(s);
    checkMoments(s, xs);
    expect(ks(xs, (x) => normalCdf(x, -3, 2))).toBeLessThan(ksCritical(N));
  });

  it('logNormal(mu, sigma)', () => {
    const s = logNormal(new Rng('lognormal'), { mu: 1, sigma: 0.5 });
    const xs = draw(s);
    checkMoments(s, xs, 0.15);
    expect(ks(xs, (x) => (x <= 0 ? 0 : normalCdf(Math.log(x), 1, 0.5)))).toBeLessThan(ksCritical(N));
  });

  it('uniform(min, max)', () => {
    const s = uniform(new Rng('uniform'), { min: -2, max: 6 });
    const xs = draw(s);
    checkMoments(s, xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(6);
    expect(ks(xs, (x) => Math.min(1, Math.max(0, (x + 2) / 8)))).toBeLessThan(ksCritical(N));
  });
});

describe('discrete distributions: mean, variance and chi-square against the pmf', () => {
  it('poisson(mean), small and large means', () => {
    for (const mean of [3, 40]) {
      const s = poisson(new Rng(`poisson-${mean}`), { mean });
      const xs = draw(s);
      checkMoments(s, xs);
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      const pmf = (k: number) => Math.exp(k * Math.log(mean) - mean - logGamma(k + 1));
      const lo = Math.max(0, Math.floor(mean - 4 * Math.sqrt(mean)));
      // Lump everything below `lo` into the first bin by shifting: test the central range only.
      const shifted = xs.map((x) => Math.max(0, x - lo));
      const p0 = Array.from({ length: lo + 1 }, (_, k) => pmf(k)).reduce((a, b) => a + b, 0);
      const { chi, dof } = chiSquareDiscrete(shifted, (j) => (j === 0 ? p0 : pmf(j + lo)), Math.ceil(8 * Math.sqrt(mean)));
      expect(chi).toBeLessThan(chiCritical(dof));
    }
  });

  it('bernoulli(p)', () => {
    const s = bernoulli(new Rng('bernoulli'), { p: 0.3 });
    const xs = draw(s);
    checkMoments(s, xs);
    expect(new Set(xs)).toEqual(new Set([0, 1]));
    expect(draw(bernoulli(new Rng('b'), { p: 0 }), 100).every((x) => x === 0)).toBe(true);
    expect(draw(bernoulli(new Rng('b'), { p: 1 }), 100).every((x) => x === 1)).toBe(true);
  });

  it('discrete(values, weights) via the alias method, including zero weights', () => {
    const values = [10, 20, 30, 40, 50];
    const weights = [1, 0, 3, 5, 1];
    const s = discrete(new Rng('discrete'), { values, weights });
    const xs = draw(s);
    checkMoments(s, xs);
    expect(xs.includes(20)).toBe(false);
    const idx = xs.map((x) => values.indexOf(x));
    const nonzero = [0, 2, 3, 4];
    const { chi } = chiSquareDiscrete(
      idx.map((i) => nonzero.indexOf(i)),
      (j) => weights[nonzero[j]!]! / 10,
      3,
    );
    expect(chi).toBeLessThan(chiCritical(3));
  });

  it('AliasTable handles one entry and very uneven weights', () => {
    const r = new Rng('alias');
    expect(new AliasTable([5]).sample(r)).toBe(0);
    const t = new AliasTable([1e-6, 1, 1e6]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[t.sample(r)]!++;
    expect(counts[2]).toBeGreaterThan(19_900);
  });
});

describe('parameter validation and specs', () => {
  const r = new Rng('bad');
  it.each([
    () => exponential(r, { mean: -1 }),
    () => exponential(r, { mean: 0 }),
    () => exponential(r, { rate: Number.NaN }),
    () => poisson(r, { mean: -2 }),
    () => weibull(r, { shape: 0, scale: 1 }),
    () => weibull(r, { shape: 1, scale: -1 }),
    () => erlang(r, { shape: 2.5, scale: 1 }),
    () => erlang(r, { shape: 0, scale: 1 }),
    () => gamma(r, { shape: 1, mean: Infinity }),
    () => bernoulli(r, { p: 1.5 }),
    () => normal(r, { mean: 0, stddev: -1 }),
    () => logNormal(r, { mu: Number.NaN, sigma: 1 }),
    () => uniform(r, { min: 2, max: 1 }),
    () => discrete(r, { values: [1, 2], weights: [0, 0] }),
    () => discrete(r, { values: [1, 2], weights: [1, -1] }),
    () => discrete(r, { values: [1], weights: [1, 2] }),
    () => discrete(r, { values: [], weights: [] }),
    () => constant(Number.NaN),
  ])('rejects invalid parameters (%#)', (f) => {
    expect(f).toThrow(DistributionError);
  });

  it('error messages name the distribution and the parameter', () => {
    expect(() => exponential(r, { mean: -1 })).toThrow(/exponential: mean must be finite and > 0, got -1/);
    expect(() => discrete(r, { values: [1, 2], weights: [0, 0] })).toThrow(/discrete: weights must not all be zero/);
  });

  it('samplerFor builds the same sampler as the direct factory', () => {
    const a = samplerFor(new Rng('spec'), { type: 'weibull', shape: 1.5, scale: 2 });
    const b = weibull(new Rng('spec'), { shape: 1.5, scale: 2 });
    expect(draw(a, 20)).toEqual(draw(b, 20));
    expect(samplerFor(r, { type: 'constant', value: 7 })()).toBe(7);
    expect(samplerFor(r, { type: 'erlang', shape: 2, scale: 3 }).mean).toBe(6);
  });

  it('logGamma matches known values', () => {
    expect(Math.exp(logGamma(5))).toBeCloseTo(24, 10);
    expect(logGamma(100)).toBeCloseTo(359.1342053695754, 9);
    expect(() => logGamma(0)).toThrow(DistributionError);
    expect(Math.exp(logGamma(0.5))).toBeCloseTo(Math.sqrt(Math.PI), 9);
    expect(Math.exp(logGamma(1.5))).toBeCloseTo(Math.sqrt(Math.PI) / 2, 9);
  });
});
