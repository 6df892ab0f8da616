// Distributions written as text on a command line (`--set sessionLength=weibull(0.6,10h)`) and
// back: a small grammar over DistributionSpec, where every parameter that is a time is written as
// a duration ("20ms", "10h") and held in µs, and a Poisson process is written by its rate
// ("poisson(7/s)", "poisson(1/10m)"), which means exponential gaps of mean 1/rate.
//
//   constant(X)              always X
//   exponential(MEAN)        mean MEAN
//   poisson(N/UNIT)          a Poisson process: exponential gaps of mean UNIT/N
//   weibull(SHAPE,SCALE)     CDF 1 - exp(-(x/SCALE)^SHAPE)
//   lognormal(MEDIAN,SIGMA)  exp(normal(ln MEDIAN, SIGMA)): MEDIAN is the median
//   erlang(K,SCALE)          the sum of K exponentials of mean SCALE (mean K·SCALE)
//   gamma(SHAPE,SCALE)       mean SHAPE·SCALE
//   uniform(MIN,MAX)         [MIN, MAX)
//
// X, MEAN, SCALE, MEDIAN, MIN and MAX are durations where the setting is a time (`unit:
// 'duration'`) and plain numbers otherwise; SHAPE, SIGMA and K are plain numbers.

import { DistributionError, type DistributionSpec } from './distributions.ts';
import { DurationParseError, formatDuration, parseDuration } from './time.ts';

/** Whether a setting's values are times (µs, written as durations) or plain numbers. */
export type DistributionUnit = 'duration' | 'number';

/** A parsed distribution: the spec, and its canonical text (what summary.json records). */
export interface ParsedDistribution {
  spec: DistributionSpec;
  text: string;
}

const FORMS: Record<string, { args: number; help: string }> = {
  constant: { args: 1, help: 'constant(X)' },
  exponential: { args: 1, help: 'exponential(MEAN)' },
  poisson: { args: 1, help: 'poisson(N/UNIT), e.g. poisson(7/s)' },
  weibull: { args: 2, help: 'weibull(SHAPE,SCALE)' },
  lognormal: { args: 2, help: 'lognormal(MEDIAN,SIGMA)' },
  erlang: { args: 2, help: 'erlang(K,SCALE)' },
  gamma: { args: 2, help: 'gamma(SHAPE,SCALE)' },
  uniform: { args: 2, help: 'uniform(MIN,MAX)' },
};

/** The forms accepted, for error messages and `connsim describe`. */
export const DISTRIBUTION_FORMS: readonly string[] = Object.values(FORMS).map((f) => f.help);

function fail(text: string, why: string): never {
  throw new DistributionError(`"${text}": ${why} (one of ${DISTRIBUTION_FORMS.join(', ')})`);
}

function num(text: string, arg: string, what: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(arg)) fail(text, `${what} "${arg}" is not a number`);
  return Number(arg);
}

function value(text: string, arg: string, unit: DistributionUnit, what: string): number {
  if (unit === 'number') return num(text, arg, what);
  try {
    return parseDuration(arg);
  } catch (e) {
    if (e instanceof DurationParseError) fail(text, `${what} "${arg}" is not a duration such as 20ms or 10h`);
    throw e;
  }
}

function show(v: number, unit: DistributionUnit): string {
  return unit === 'duration' ? formatDuration(Math.round(v)) : String(v);
}

/** Parses one distribution; a DistributionError names the text and the problem. */
export function parseDistribution(text: string, unit: DistributionUnit): ParsedDistribution {
  const m = /^\s*([a-zA-Z]+)\s*\((.*)\)\s*$/.exec(text);
  if (m === null) fail(text, 'expected NAME(ARGS)');
  const name = m[1]!.toLowerCase();
  const form = FORMS[name];
  if (form === undefined) fail(text, `unknown distribution "${m[1]}"`);
  const args = m[2]!.split(',').map((a) => a.trim());
  if (args.length !== form.args || args.some((a) => a === '')) fail(text, `${name} takes ${form.args} argument${form.args > 1 ? 's' : ''}: ${form.help}`);
  const positive = (v: number, what: string): number => {
    if (!(v > 0) || !Number.isFinite(v)) fail(text, `${what} must be > 0`);
    return v;
  };
  switch (name) {
    case 'constant': {
      const x = value(text, args[0]!, unit, 'X');
      if (!(x >= 0)) fail(text, 'X must be >= 0');
      return { spec: { type: 'constant', value: x }, text: `constant(${show(x, unit)})` };
    }
    case 'exponential': {
      const mean = positive(value(text, args[0]!, unit, 'MEAN'), 'MEAN');
      return { spec: { type: 'exponential', mean }, text: `exponential(${show(mean, unit)})` };
    }
    case 'poisson': {
      if (unit !== 'duration') fail(text, 'poisson(N/UNIT) describes arrivals in time; this setting is not a time');
      const r = /^([^/]+)\/(.+)$/.exec(args[0]!);
      if (r === null) fail(text, 'poisson takes a rate N/UNIT, e.g. poisson(7/s) or poisson(1/10m)');
      const n = positive(num(text, r[1]!.trim(), 'N'), 'N');
      const per = r[2]!.trim();
      const perText = /^\d/.test(per) ? per : `1${per}`;
      const span = positive(value(text, perText, 'duration', 'UNIT'), 'UNIT');
      return { spec: { type: 'exponential', mean: span / n }, text: `poisson(${n}/${per})` };
    }
    case 'weibull': {
      const shape = positive(num(text, args[0]!, 'SHAPE'), 'SHAPE');
      const scale = positive(value(text, args[1]!, unit, 'SCALE'), 'SCALE');
      return { spec: { type: 'weibull', shape, scale }, text: `weibull(${shape},${show(scale, unit)})` };
    }
    case 'lognormal': {
      const median = positive(value(text, args[0]!, unit, 'MEDIAN'), 'MEDIAN');
      const sigma = positive(num(text, args[1]!, 'SIGMA'), 'SIGMA');
      return { spec: { type: 'logNormal', mu: Math.log(median), sigma }, text: `lognormal(${show(median, unit)},${sigma})` };
    }
    case 'erlang': {
      const k = num(text, args[0]!, 'K');
      if (!Number.isInteger(k) || k < 1) fail(text, 'K must be a whole number >= 1');
      const scale = positive(value(text, args[1]!, unit, 'SCALE'), 'SCALE');
      return { spec: { type: 'erlang', shape: k, scale }, text: `erlang(${k},${show(scale, unit)})` };
    }
    case 'gamma': {
      const shape = positive(num(text, args[0]!, 'SHAPE'), 'SHAPE');
      const scale = positive(value(text, args[1]!, unit, 'SCALE'), 'SCALE');
      return { spec: { type: 'gamma', shape, scale }, text: `gamma(${shape},${show(scale, unit)})` };
    }
    default: {
      const min = value(text, args[0]!, unit, 'MIN');
      const max = value(text, args[1]!, unit, 'MAX');
      if (!(min >= 0) || !(max > min)) fail(text, 'needs 0 <= MIN < MAX');
      return { spec: { type: 'uniform', min, max }, text: `uniform(${show(min, unit)},${show(max, unit)})` };
    }
  }
}
