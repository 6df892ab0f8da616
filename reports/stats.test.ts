// The charts' small statistics (stats.ts): counts per distinct value and the empirical CDF.
import { describe, expect, it } from 'vitest';

import { countBy, ecdf } from './stats.ts';

describe('stats', () => {
  it('countBy orders values and counts them', () => {
    expect(countBy(['b', 'a', 'b', 'c', 'b'])).toEqual([
      { value: 'a', count: 1 },
      { value: 'b', count: 3 },
      { value: 'c', count: 1 },
    ]);
    expect(countBy([3, 1, 3])).toEqual([
      { value: 1, count: 1 },
      { value: 3, count: 2 },
    ]);
  });
  it('ecdf has one point per distinct value', () => {
    expect(ecdf([3, 1, 3, 2])).toEqual([
      { value: 1, fraction: 0.25 },
      { value: 2, fraction: 0.5 },
      { value: 3, fraction: 1 },
    ]);
  });
});
