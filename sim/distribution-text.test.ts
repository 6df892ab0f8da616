// Distributions as text: each form parses to its spec with times in µs, prints back canonically,
// and a bad text is one DistributionError naming the text and the accepted forms.
import { describe, expect, it } from 'vitest';

import { parseDistribution } from './distribution-text.ts';
import { DistributionError, samplerFor } from './distributions.ts';
import { Rng } from './rng.ts';

describe('parseDistribution', () => {
  it('reads every form, times as durations in µs, and prints it back canonically', () => {
    expect(parseDistribution('exponential(10m)', 'duration')).toEqual({ spec: { type: 'exponential', mean: 600_000_000 }, text: 'exponential(10m)' });
    expect(parseDistribution('poisson(7/s)', 'duration').spec).toEqual({ type: 'exponential', mean: 1_000_000 / 7 });
    expect(parseDistribution('poisson(1/10m)', 'duration')).toEqual({ spec: { type: 'exponential', mean: 600_000_000 }, text: 'poisson(1/10m)' });
    expect(parseDistribution(' weibull( 0.6 , 10h ) ', 'duration')).toEqual({ spec: { type: 'weibull', shape: 0.6, scale: 36_000_000_000 }, text: 'weibull(0.6,10h)' });
    expect(parseDistribution('erlang(3,20ms)', 'duration').spec).toEqual({ type: 'erlang', shape: 3, scale: 20_000 });
    expect(parseDistribution('lognormal(65ms,1.27)', 'duration').spec).toEqual({ type: 'logNormal', mu: Math.log(65_000), sigma: 1.27 });
    expect(parseDistribution('lognormal(1,0.5)', 'number').text).toBe('lognormal(1,0.5)');
    expect(parseDistribution('uniform(1s,2s)', 'duration').spec).toEqual({ type: 'uniform', min: 1_000_000, max: 2_000_000 });
    expect(parseDistribution('constant(50ms)', 'duration').spec).toEqual({ type: 'constant', value: 50_000 });
    expect(parseDistribution('Gamma(2,1s)', 'duration').text).toBe('gamma(2,1s)');
  });

  it('a lognormal MEDIAN is the median of the draws', () => {
    const s = samplerFor(new Rng('ln'), parseDistribution('lognormal(65ms,1.27)', 'duration').spec);
    const xs = Array.from({ length: 20_001 }, () => s()).sort((a, b) => a - b);
    expect(xs[10_000]! / 65_000).toBeGreaterThan(0.95);
    expect(xs[10_000]! / 65_000).toBeLessThan(1.05);
  });

  it('refuses bad text with one message naming it and the forms', () => {
    const cases: [string, 'duration' | 'number', RegExp][] = [
      ['weibull(0.6)', 'duration', /weibull takes 2 arguments: weibull\(SHAPE,SCALE\)/],
      ['pareto(1,2)', 'duration', /unknown distribution "pareto"/],
      ['exponential(ten minutes)', 'duration', /MEAN "ten minutes" is not a duration/],
      ['exponential(0s)', 'duration', /MEAN must be > 0/],
      ['erlang(2.5,1s)', 'duration', /K must be a whole number/],
      ['poisson(7)', 'duration', /a rate N\/UNIT/],
      ['poisson(7/s)', 'number', /not a time/],
      ['uniform(2s,1s)', 'duration', /0 <= MIN < MAX/],
      ['10m', 'duration', /expected NAME\(ARGS\)/],
    ];
    for (const [text, unit, pattern] of cases) {
      expect(() => parseDistribution(text, unit), text).toThrow(DistributionError);
      expect(() => parseDistribution(text, unit), text).toThrow(pattern);
    }
    expect(() => parseDistribution('pareto(1,2)', 'duration')).toThrow(/one of constant\(X\), exponential\(MEAN\), poisson/);
  });
});
