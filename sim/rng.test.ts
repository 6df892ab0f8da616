import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.uint32());

/** Chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((acc, c) => acc + (c - e) ** 2 / e, 0);
}
/** Upper critical value of chi-square with k degrees of freedom at ~1e-4 (Wilson–Hilferty, z = 3.72). */
function chiCritical(k: number): number {
  const z = 3.72;
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
}

describe('Rng seeding and forking', () => {
  it('is deterministic per seed; 42 and "42" are the same seed; other seeds differ', () => {
    expect(draws(new Rng(42), 8)).toEqual(draws(new Rng(42), 8));
    expect(draws(new Rng(42), 8)).toEqual(draws(new Rng('42'), 8));
    expect(draws(new Rng(42), 8)).not.toEqual(draws(new Rng(43), 8));
    expect(draws(new Rng('alpha'), 8)).not.toEqual(draws(new Rng('alphb'), 8));
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(2 ** 60)).toThrow(RangeError);
  });

  it('a fork does not change when other labels are forked, before or after', () => {
    const alone = draws(new Rng(7).fork('a'), 16);
    const root = new Rng(7);
    root.fork('b');
    root.fork('c').fork('a');
    const a = root.fork('a');
    root.fork('d');
    expect(draws(a, 16)).toEqual(alone);
  });

  it('forking does not consume or change the parent stream', () => {
    const plain = new Rng('p');
    const expected = [...draws(plain, 4), plain.random(), plain.randrange(1000), ...draws(plain, 4)];
    const forked = new Rng('p');
    const got: number[] = [...draws(forked, 4)];
    forked.fork('x').uint32();
    got.push(forked.random());
    forked.fork('y');
    got.push(forked.randrange(1000));
    forked.fork('x');
    got.push(...draws(forked, 4));
    expect(got).toEqual(expected);
  });

  it('does not depend on how much the parent has drawn, and labels are unambiguous', () => {
    const r1 = new Rng(3);
    const r2 = new Rng(3);
    draws(r2, 100);
    expect(draws(r1.fork('n'), 8)).toEqual(draws(r2.fork('n'), 8));
    const s = new Rng(3);
    expect(draws(s.fork('a').fork('b'), 8)).not.toEqual(draws(s.fork('a/1:b'), 8));
    expect(draws(s.fork('a'), 8)).not.toEqual(draws(s, 8));
    expect(draws(s.fork('a'), 8)).not.toEqual(draws(s.fork('b'), 8));
    expect(s.fork('node/42').identity).toBe('3/7:node/42');
  });
});

describe('Rng integer draws', () => {
  it('randbits consumes 32-bit words from the bottom, carrying leftover bits (Core RandomMixin)', () => {
    const a = new Rng('bits');
    const b = new Rng('bits');
    const w = b.uint32();
    expect([a.randbits(8), a.randbits(8), a.randbits(8), a.randbits(8)]).toEqual([w & 255, (w >>> 8) & 255, (w >>> 16) & 255, w >>> 24]);
    // 20 + 20 bits span two words: the second draw takes 12 leftover bits plus 8 of the next word.
    const w1 = b.uint32();
    const w2 = b.uint32();
    expect(a.randbits(20)).toBe(w1 & 0xfffff);
    expect(a.randbits(20)).toBe(((w1 >>> 20) | ((w2 & 0xff) << 12)) >>> 0);
    expect(a.randbits(24)).toBe(w2 >>> 8);
    expect(a.randbits(0)).toBe(0);
    const w3 = b.uint32();
    expect(a.randbits(32)).toBe(w3);
    expect(() => a.randbits(33)).toThrow(RangeError);
    expect(() => a.randbits(-1)).toThrow(RangeError);
  });

  it('randrange is in range, draws nothing for range 1, and rejects bad ranges', () => {
    const r = new Rng('range');
    const twin = new Rng('range');
    expect(r.randrange(1)).toBe(0);
    expect(r.uint32()).toBe(twin.uint32()); // randrange(1) consumed nothing
    for (const n of [2, 3, 7, 1000, 2 ** 31 + 1, 2 ** 32]) {
      for (let i = 0; i < 200; i++) {
        const x = r.randrange(n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      }
    }
    expect(() => r.randrange(0)).toThrow(RangeError);
    expect(() => r.randrange(2 ** 54)).toThrow(RangeError);
    // Ranges above 2^32 (µs durations such as Core's 6 h cache spread) stay exact and in range.
    for (const n of [2 ** 32 + 1, 6 * 3600 * 1e6, 2 ** 53]) {
      let max = 0;
      for (let i = 0; i < 2000; i++) {
        const x = r.randrange(n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
        max = Math.max(max, x);
      }
      expect(max).toBeGreaterThan(n * 0.9); // the top of the range is reached
    }
    expect(() => r.randrange(2.5)).toThrow(RangeError);
  });

  it.each([2, 6, 10, 37, 100])('randrange(%i) is uniform (chi-square)', (n) => {
    const r = new Rng(`uniform-${n}`);
    const counts = new Array<number>(n).fill(0);
    const samples = 2000 * n;
    for (let i = 0; i < samples; i++) counts[r.randrange(n)]!++;
    expect(chiSquare(counts)).toBeLessThan(chiCritical(n - 1));
  });

  it('randrange over a range just above a power of two is unbiased (rejection, not modulo)', () => {
    // With 3 values drawn from 2 bits by modulo, 0 would be twice as likely as 1 and 2.
    const r = new Rng('bias');
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.randrange(3)]!++;
    expect(chiSquare(counts)).toBeLessThan(chiCritical(2));
  });

  it('randbool is balanced; rand64 is the two next words, high first', () => {
    const r = new Rng('bool');
    let ones = 0;
    for (let i = 0; i < 40_000; i++) if (r.randbool()) ones++;
    expect(Math.abs(ones - 20_000)).toBeLessThan(4 * Math.sqrt(10_000));
    const a = new Rng('r64');
    const b = new Rng('r64');
    const hi = BigInt(b.uint32());
    const lo = BigInt(b.uint32());
    expect(a.rand64()).toBe((hi << 32n) | lo);
  });

  it('random() is in [0, 1) and uses the top 53 bits of a 64-bit draw', () => {
    const a = new Rng('dbl');
    const b = new Rng('dbl');
    for (let i = 0; i < 100; i++) {
      const u = a.random();
      const x = b.rand64();
      expect(u).toBe(Number(x >> 11n) * 2 ** -53);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});

describe('Rng durations and shuffles', () => {
  it('randExpDurationMicros is floor(-log1p(-u) * mean + 0.5) of a 64-bit draw (Core rand_exp_duration)', () => {
    const a = new Rng('exp');
    const b = new Rng('exp');
    for (let i = 0; i < 100; i++) {
      const u = Number(b.rand64() >> 11n) * 2 ** -53;
      expect(a.randExpDurationMicros(1_000_000)).toBe(Math.floor(-Math.log1p(-u) * 1_000_000 + 0.5));
    }
    expect(a.randExpDurationMicros(0)).toBe(0);
    expect(() => a.randExpDurationMicros(-1)).toThrow(RangeError);
  });

  it('randExpDurationMicros has the requested mean and an exponential tail', () => {
    const r = new Rng('exp-stats');
    const mean = 30_000_000;
    const n = 40_000;
    let sum = 0;
    let above = 0;
    for (let i = 0; i < n; i++) {
      const x = r.randExpDurationMicros(mean);
      expect(Number.isInteger(x) && x >= 0).toBe(true);
      sum += x;
      if (x > 2 * mean) above++;
    }
    expect(Math.abs(sum / n - mean)).toBeLessThan((5 * mean) / Math.sqrt(n));
    const p = Math.exp(-2);
    expect(Math.abs(above / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });

  it('shuffle is an in-place permutation drawing as Core Shuffle does, uniformly over orders', () => {
    const a = new Rng('shuffle');
    const b = new Rng('shuffle');
    const arr = [0, 1, 2, 3, 4, 5, 6, 7];
    const expected = [...arr];
    for (let i = 0; i < expected.length - 1; i++) {
      const j = b.randrange(expected.length - i);
      [expected[i], expected[i + j]] = [expected[i + j]!, expected[i]!];
    }
    expect(a.shuffle(arr)).toBe(arr);
    expect(arr).toEqual(expected);
    expect([...arr].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const r = new Rng('shuffle-uniform');
    const counts = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const key = r.shuffle([1, 2, 3, 4]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(chiSquare([...counts.values()])).toBeLessThan(chiCritical(23));
  });

  it('pick chooses uniformly and refuses empty arrays', () => {
    const r = new Rng('pick');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[r.pick([0, 1, 2, 3])]!++;
    expect(chiSquare(counts)).toBeLessThan(chiCritical(3));
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
