// Random distributions bound to one Rng stream: d3-random's generators with the stream as their
// `.source`, wrapped behind explicit parameter names (mean, rate, shape, scale) with validation,
// plus a weighted discrete table (Vose's alias method). Each sampler also states its theoretical
// mean and variance, for tests and reports. Integer and duration draws are in rng.ts.
//
// Parameterisations, because d3's differ between functions:
//   exponential {mean} or {rate}       d3 randomExponential(lambda = rate = 1 / mean)
//   poisson     {mean}                 d3 randomPoisson(lambda = mean)
//   weibull     {shape, scale, location = 0}
//                                      d3 randomWeibull(k = shape, a = location, b = scale);
//                                      CDF 1 - exp(-((x - location) / scale)^shape)
//   gamma       {shape, scale} or {shape, rate} or {shape, mean}
//                                      d3 randomGamma(k = shape, theta = scale)
//   erlang      like gamma, shape a positive integer (sum of `shape` exponentials)
//   bernoulli   {p}                    returns 1 with probability p, else 0
//   normal      {mean, stddev}         d3 randomNormal(mu, sigma)
//   logNormal   {mu, sigma}            exp of a normal(mu, sigma); mean = exp(mu + sigma^2 / 2)
//   uniform     {min, max}             [min, max)
//   discrete    {values, weights}      values[i] with probability weights[i] / sum(weights)

import {
  randomBernoulli,
  randomExponential,
  randomGamma,
  randomLogNormal,
  randomNormal,
  randomPoisson,
  randomUniform,
  randomWeibull,
} from 'd3-random';
import type { Rng } from './rng.ts';

/** A draw function with its distribution's name, theoretical mean and variance. */
export interface Sampler {
  (): number;
  readonly description: string;
  readonly mean: number;
  readonly variance: number;
}

/** A distribution written as data (e.g. in a scenario's parameters), turned into a sampler by `samplerFor`. */
export type DistributionSpec =
  | { type: 'constant'; value: number }
  | { type: 'exponential'; mean: number }
  | { type: 'poisson'; mean: number }
  | { type: 'weibull'; shape: number; scale: number; location?: number }
  | { type: 'gamma'; shape: number; scale: number }
  | { type: 'erlang'; shape: number; scale: number }
  | { type: 'bernoulli'; p: number }
  | { type: 'normal'; mean: number; stddev: number }
  | { type: 'logNormal'; mu: number; sigma: number }
  | { type: 'uniform'; min: number; max: number }
  | { type: 'discrete'; values: readonly number[]; weights: readonly number[] };

/** Thrown for invalid distribution parameters; the message names the distribution and the parameter. */
export class DistributionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'DistributionError';
  }
}

function check(ok: boolean, dist: string, what: string, value: unknown): void {
  if (!ok) throw new DistributionError(`${dist}: ${what}, got ${String(value)}`);
}
const finite = (x: number) => typeof x === 'number' && Number.isFinite(x);
const positive = (x: number) => finite(x) && x > 0;

function make(fn: () => number, description: string, mean: number, variance: number): Sampler {
  return Object.assign(fn, { description, mean, variance });
}

/**
 * ln Γ(x) for x > 0, to about 1e-13: the recurrence Γ(x) = Γ(x + 1) / x shifts x to >= 10, where
 * Stirling's series (terms to x^-9) converges fast. Used for Weibull moments and Poisson tests.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new DistributionError(`logGamma: x must be > 0, got ${x}`);
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** Exponential by mean or rate (rate = 1 / mean). */
export function exponential(rng: Rng, p: { mean: number } | { rate: number }): Sampler {
  const rate = 'rate' in p ? p.rate : 1 / p.mean;
  if ('rate' in p) check(positive(p.rate), 'exponential', 'rate must be finite and > 0', p.rate);
  else check(positive(p.mean), 'exponential', 'mean must be finite and > 0', p.mean);
  const mean = 1 / rate;
  return make(randomExponential.source(rng.source)(rate), `exponential(mean=${mean})`, mean, mean * mean);
}

/** Poisson with the given mean (a count; returns integers). */
export function poisson(rng: Rng, p: { mean: number }): Sampler {
  check(finite(p.mean) && p.mean >= 0, 'poisson', 'mean must be finite and >= 0', p.mean);
  return make(randomPoisson.source(rng.source)(p.mean), `poisson(mean=${p.mean})`, p.mean, p.mean);
}

/** Weibull with shape k > 0, scale > 0 and optional location shift. */
export function weibull(rng: Rng, p: { shape: number; scale: number; location?: number }): Sampler {
  const location = p.location ?? 0;
  check(positive(p.shape), 'weibull', 'shape must be finite and > 0', p.shape);
  check(positive(p.scale), 'weibull', 'scale must be finite and > 0', p.scale);
  check(finite(location), 'weibull', 'location must be finite', location);
  const g1 = Math.exp(logGamma(1 + 1 / p.shape));
  const g2 = Math.exp(logGamma(1 + 2 / p.shape));
  return make(
    randomWeibull.source(rng.source)(p.shape, location, p.scale),
    `weibull(shape=${p.shape}, scale=${p.scale}, location=${location})`,
    location + p.scale * g1,
    p.scale * p.scale * (g2 - g1 * g1),
  );
}

type GammaParams = { shape: number } & ({ scale: number } | { rate: number } | { mean: number });

function gammaScale(dist: string, p: GammaParams): number {
  check(positive(p.shape), dist, 'shape must be finite and > 0', p.shape);
  if ('scale' in p) {
    check(positive(p.scale), dist, 'scale must be finite and > 0', p.scale);
    return p.scale;
  }
  if ('rate' in p) {
    check(positive(p.rate), dist, 'rate must be finite and > 0', p.rate);
    return 1 / p.rate;
  }
  check(positive(p.mean), dist, 'mean must be finite and > 0', p.mean);
  return p.mean / p.shape;
}

/** Gamma with shape k and scale θ (or rate 1/θ, or mean kθ). */
export function gamma(rng: Rng, p: GammaParams): Sampler {
  const scale = gammaScale('gamma', p);
  return make(
    randomGamma.source(rng.source)(p.shape, scale),
    `gamma(shape=${p.shape}, scale=${scale})`,
    p.shape * scale,
    p.shape * scale * scale,
  );
}

/** Erlang: gamma with a positive integer shape, i.e. the sum of `shape` exponentials of mean `scale`. */
export function erlang(rng: Rng, p: GammaParams): Sampler {
  check(Number.isInteger(p.shape) && p.shape >= 1, 'erlang', 'shape must be a positive integer', p.shape);
  const scale = gammaScale('erlang', p);
  return make(
    randomGamma.source(rng.source)(p.shape, scale),
    `erlang(shape=${p.shape}, scale=${scale})`,
    p.shape * scale,
    p.shape * scale * scale,
  );
}

/** 1 with probability p, else 0. */
export function bernoulli(rng: Rng, p: { p: number }): Sampler {
  check(finite(p.p) && p.p >= 0 && p.p <= 1, 'bernoulli', 'p must be in [0, 1]', p.p);
  return make(randomBernoulli.source(rng.source)(p.p), `bernoulli(p=${p.p})`, p.p, p.p * (1 - p.p));
}

/** Normal (Gaussian) with mean and standard deviation. */
export function normal(rng: Rng, p: { mean: number; stddev: number }): Sampler {
  check(finite(p.mean), 'normal', 'mean must be finite', p.mean);
  check(finite(p.stddev) && p.stddev >= 0, 'normal', 'stddev must be finite and >= 0', p.stddev);
  return make(randomNormal.source(rng.source)(p.mean, p.stddev), `normal(mean=${p.mean}, stddev=${p.stddev})`, p.mean, p.stddev * p.stddev);
}

/** Log-normal: exp(X) with X ~ normal(mu, sigma). */
export function logNormal(rng: Rng, p: { mu: number; sigma: number }): Sampler {
  check(finite(p.mu), 'logNormal', 'mu must be finite', p.mu);
  check(finite(p.sigma) && p.sigma >= 0, 'logNormal', 'sigma must be finite and >= 0', p.sigma);
  const s2 = p.sigma * p.sigma;
  return make(
    randomLogNormal.source(rng.source)(p.mu, p.sigma),
    `logNormal(mu=${p.mu}, sigma=${p.sigma})`,
    Math.exp(p.mu + s2 / 2),
    (Math.exp(s2) - 1) * Math.exp(2 * p.mu + s2),
  );
}

/** Uniform on [min, max). */
export function uniform(rng: Rng, p: { min: number; max: number }): Sampler {
  check(finite(p.min) && finite(p.max), 'uniform', 'min and max must be finite', `${p.min}, ${p.max}`);
  check(p.min <= p.max, 'uniform', 'min must be <= max', `${p.min} > ${p.max}`);
  const w = p.max - p.min;
  return make(randomUniform.source(rng.source)(p.min, p.max), `uniform(min=${p.min}, max=${p.max})`, p.min + w / 2, (w * w) / 12);
}

/** Always `value` (useful as a "no randomness" latency or interval). */
export function constant(value: number): Sampler {
  check(finite(value), 'constant', 'value must be finite', value);
  return make(() => value, `constant(${value})`, value, 0);
}

/**
 * A weighted index table (Vose's alias method): O(n) to build, two draws per sample. Weights are
 * finite and >= 0 with a positive sum. `sample()` returns an index into the weights.
 */
export class AliasTable {
  readonly size: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    check(n > 0, 'discrete', 'weights must not be empty', '[]');
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      check(finite(w) && w >= 0, 'discrete', `weight ${i} must be finite and >= 0`, w);
      sum += w;
    }
    check(sum > 0, 'discrete', 'weights must not all be zero', sum);
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / sum;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    // Worklists are processed in index order, so the table is a pure function of the weights.
    let si = 0;
    let li = 0;
    while (si < small.length && li < large.length) {
      const s = small[si++]!;
      const l = large[li]!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      if (scaled[l]! < 1) {
        li++;
        small.push(l);
      }
    }
    while (li < large.length) this.prob[large[li++]!] = 1;
    while (si < small.length) this.prob[small[si++]!] = 1; // rounding leftovers
  }

  /** An index i with probability weights[i] / sum(weights). */
  sample(rng: Rng): number {
    const i = this.size === 1 ? 0 : rng.randrange(this.size);
    return rng.random() < this.prob[i]! ? i : this.alias[i]!;
  }
}

/** values[i] with probability weights[i] / sum(weights) (an empirical distribution when weights are counts). */
export function discrete(rng: Rng, p: { values: readonly number[]; weights: readonly number[] }): Sampler {
  check(p.values.length === p.weights.length, 'discrete', 'values and weights must have the same length', `${p.values.length} vs ${p.weights.length}`);
  for (const v of p.values) check(finite(v), 'discrete', 'values must be finite', v);
  const table = new AliasTable(p.weights);
  const values = Float64Array.from(p.values);
  let sum = 0;
  let m = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) sum += p.weights[i]!;
  for (let i = 0; i < values.length; i++) {
    const q = p.weights[i]! / sum;
    m += q * values[i]!;
    m2 += q * values[i]! * values[i]!;
  }
  return make(() => values[table.sample(rng)]!, `discrete(n=${values.length})`, m, Math.max(0, m2 - m * m));
}

/** Builds the sampler a `DistributionSpec` describes, drawing from `rng`. */
export function samplerFor(rng: Rng, spec: DistributionSpec): Sampler {
  switch (spec.type) {
    case 'constant':
      return constant(spec.value);
    case 'exponential':
      return exponential(rng, { mean: spec.mean });
    case 'poisson':
      return poisson(rng, { mean: spec.mean });
    case 'weibull':
      return weibull(rng, spec);
    case 'gamma':
      return gamma(rng, { shape: spec.shape, scale: spec.scale });
    case 'erlang':
      return erlang(rng, { shape: spec.shape, scale: spec.scale });
    case 'bernoulli':
      return bernoulli(rng, { p: spec.p });
    case 'normal':
      return normal(rng, spec);
    case 'logNormal':
      return logNormal(rng, spec);
    case 'uniform':
      return uniform(rng, spec);
    case 'discrete':
      return discrete(rng, spec);
    default: {
      const never: never = spec;
      throw new DistributionError(`unknown distribution ${JSON.stringify(never)}`);
    }
  }
}
