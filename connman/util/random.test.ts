// Core's FastRandomContext tests (src/test/random_tests.cpp) and model checks of the bit buffer.
import { describe, expect, it } from 'vitest';
import { ChaCha20 } from './chacha20.ts';
import { FastRandomContext, bitWidth, makeExponentiallyDistributed } from './random.ts';

const SECOND = 1;
const HOUR_US = 3_600_000_000;
const HOUR_MS = 3_600_000;
const INT64_MAX = 9223372036854775807n;

/**
 * Core's test-mode global RNG after BasicTestingSetup::SeedRandomForTest(SeedRand::ZEROS): a
 * zero-key ChaCha20 whose keystream hands out GetRandHash() values. The first one reseeds the
 * fixture's m_rng; each later one seeds one `FastRandomContext()` on its first draw.
 */
function zeroSeededGlobal(): () => FastRandomContext {
  const global = new ChaCha20(new Uint8Array(32));
  global.keystream(new Uint8Array(32)); // m_rng.Reseed(GetRandHash())
  return () => {
    const seed = new Uint8Array(32);
    global.keystream(seed);
    return new FastRandomContext(seed);
  };
}

describe('FastRandomContext (Core random_tests)', () => {
  it('fastrandom_tests_deterministic: fresh contexts from the zero-seeded global RNG', () => {
    const next = zeroSeededGlobal();
    // Core: rand<uint64_t>() is rand64(); rand<int>() is randbits(31); randrange<duration>(1h) draws on the count.
    expect(next().rand64()).toBe(9330418229102544152n);
    expect(next().randInt()).toBe(618925161);
    expect(next().randrange(HOUR_US)).toBe(1271170921);
    expect(next().randrange(HOUR_MS)).toBe(2803534);

    expect(next().rand64()).toBe(10170981140880778086n);
    expect(next().randInt()).toBe(1689082725);
    expect(next().randrange(HOUR_US)).toBe(2464643716);
    expect(next().randrange(HOUR_MS)).toBe(2312205);

    expect(next().rand64()).toBe(5689404004456455543n);
    expect(next().randInt()).toBe(785839937);
    expect(next().randrange(HOUR_US)).toBe(93558804);
    expect(next().randrange(HOUR_MS)).toBe(507022);
  });

  it('fastrandom_tests_deterministic: rand_uniform_delay on a deterministic context', () => {
    const ctx = new FastRandomContext(true);
    const timePoint = 1 * SECOND;
    expect(ctx.randUniformDelay(timePoint, 9)).toBe(7);
    expect(ctx.randUniformDelay(timePoint, -9)).toBe(-6);
    expect(ctx.randUniformDelay(timePoint, 0)).toBe(1);
    // The int64 extremes go through the bigint path with the same consumption.
    expect(1n + ctx.randrangeBig(INT64_MAX)).toBe(4652286523065884857n);
    expect(1n - ctx.randrangeBig(INT64_MAX)).toBe(-8813961240025683129n);
    expect(ctx.randUniformDelay(timePoint, 9 * 3600)).toBe(26443);
  });

  it('fastrandom_tests_deterministic: two deterministic contexts agree draw for draw', () => {
    const ctx1 = new FastRandomContext(true);
    const ctx2 = new FastRandomContext(true);
    expect(ctx1.rand32()).toBe(ctx2.rand32());
    expect(ctx1.rand32()).toBe(ctx2.rand32());
    expect(ctx1.rand64()).toBe(ctx2.rand64());
    expect(ctx1.randbits(3)).toBe(ctx2.randbits(3));
    expect(ctx1.randBytes(17)).toEqual(ctx2.randBytes(17));
    expect(ctx1.rand256()).toEqual(ctx2.rand256());
    expect(ctx1.randbits(7)).toBe(ctx2.randbits(7));
    expect(ctx1.randBytes(128)).toEqual(ctx2.randBytes(128));
    expect(ctx1.rand32()).toBe(ctx2.rand32());
    expect(ctx1.randbits(3)).toBe(ctx2.randbits(3));
    expect(ctx1.rand256()).toEqual(ctx2.rand256());
    expect(ctx1.randBytes(50)).toEqual(ctx2.randBytes(50));
  });

  it('fastrandom_tests_deterministic: rand_uniform_duration with micro and second clocks', () => {
    const ctx = new FastRandomContext(true);
    expect(ctx.randUniformDuration(1_000_000)).toBe(47222);
    expect(ctx.randUniformDuration(9 * 3600)).toBe(2782);
  });

  it('fastrandom_randbits: randbits stays in width and randrange below its range', () => {
    const ctx1 = new FastRandomContext(new Uint8Array(32).fill(1));
    const ctx2 = new FastRandomContext(new Uint8Array(32).fill(2));
    for (let bits = 0; bits < 63; bits++) {
      for (let j = 0; j < 100; j++) {
        const rangebits = ctx1.randbits64(bits);
        expect(rangebits >> BigInt(bits)).toBe(0n);
        const range = (1n << BigInt(bits)) | rangebits;
        const r = ctx2.randrangeBig(range);
        expect(r < range).toBe(true);
        if (range <= 2n ** 53n) {
          const rn = ctx2.randrange(Number(range));
          expect(rn < Number(range) && rn >= 0).toBe(true);
        }
      }
    }
  });

  it('randbits_test: every fast path matches a bigint model of RandomMixin::randbits', () => {
    // Model: Core's RandomMixin over the same keystream, in bigint arithmetic.
    const source = new FastRandomContext(new Uint8Array(32).fill(7));
    let bitbuf = 0n;
    let size = 0;
    const model = (bits: number): bigint => {
      if (bits === 64) return source.rand64();
      let ret: bigint;
      if (bits <= size) {
        ret = bitbuf;
        bitbuf >>= BigInt(bits);
        size -= bits;
      } else {
        const gen = source.rand64();
        ret = ((gen << BigInt(size)) | bitbuf) & 0xffffffffffffffffn;
        bitbuf = gen >> BigInt(bits - size);
        size = 64 + size - bits;
      }
      return ret & ((1n << BigInt(bits)) - 1n);
    };
    const tested = new FastRandomContext(new Uint8Array(32).fill(7));
    const lens = new FastRandomContext(new Uint8Array(32).fill(9));
    const ones = new Array<number>(65 * 64).fill(0);
    const seen = new Array<number>(65 * 64).fill(0);
    for (let j = 0; j < 20000; j++) {
      const bits = Number(lens.rand64() % 65n);
      const expected = model(bits);
      let got: bigint;
      if (bits <= 32 && j % 3 !== 0) got = BigInt(tested.randbits(bits));
      else if (bits <= 53 && j % 3 === 1) got = BigInt(tested.randbitsWide(bits));
      else got = tested.randbits64(bits);
      expect(got).toBe(expected);
      if (bits < 64) expect(got >> BigInt(bits)).toBe(0n);
      for (let bit = 0; bit < bits; bit++) {
        seen[bits * 64 + bit]! += 1;
        ones[bits * 64 + bit]! += Number((got >> BigInt(bit)) & 1n);
      }
    }
    // Each output bit is fair: within 7.78 standard deviations of half, as Core checks.
    for (let i = 0; i < seen.length; i++) {
      const n = seen[i]!;
      if (n === 0) continue;
      expect(Math.abs(n * 0.5 - ones[i]!)).toBeLessThan(Math.sqrt(n * 0.25) * 7.78);
    }
  });

  it('randbool and rand32 consume the bit buffer like randbits(1) and randbits(32)', () => {
    const a = new FastRandomContext(true);
    const b = new FastRandomContext(true);
    for (let i = 0; i < 200; i++) {
      expect(a.randbool()).toBe(b.randbits(1) === 1);
      expect(a.rand32()).toBe(b.randbits(32));
    }
  });

  it('stdrandom_test: shuffle is a permutation', () => {
    const ctx = new FastRandomContext(new Uint8Array(32).fill(3));
    for (let i = 0; i < 100; i++) {
      const test = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      ctx.shuffle(test);
      expect([...test].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });

  it('shuffle_stat_test: every permutation of 5 is reached with equal probability', () => {
    const ctx = new FastRandomContext(true);
    const counts = new Array<number>(5 ** 5).fill(0);
    for (let i = 0; i < 12000; i++) {
      const data = [0, 1, 2, 3, 4];
      ctx.shuffle(data);
      counts[data[0]! + data[1]! * 5 + data[2]! * 25 + data[3]! * 125 + data[4]! * 625]! += 1;
    }
    let sum = 0;
    let chi = 0;
    for (let i = 0; i < 5 ** 5; i++) {
      const d = [i % 5, Math.floor(i / 5) % 5, Math.floor(i / 25) % 5, Math.floor(i / 125) % 5, Math.floor(i / 625)];
      const count = counts[i]!;
      if (new Set(d).size !== 5) {
        expect(count).toBe(0);
      } else {
        chi += ((count - 100) * (count - 100)) / 100;
        expect(count).toBeGreaterThan(50);
        expect(count).toBeLessThan(150);
        sum += count;
      }
    }
    expect(chi).toBeGreaterThan(58.1411);
    expect(chi).toBeLessThan(210.275);
    expect(sum).toBe(12000);
  });

  it('shuffle handles empty, single and odd/even lengths', () => {
    const ctx = new FastRandomContext(true);
    const empty: number[] = [];
    ctx.shuffle(empty);
    expect(empty).toEqual([]);
    const one = [42];
    ctx.shuffle(one);
    expect(one).toEqual([42]);
    for (const n of [2, 3, 4, 7, 1000]) {
      const xs = Array.from({ length: n }, (_, i) => i);
      ctx.shuffle(xs);
      expect([...xs].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('bitWidth matches std::bit_width', () => {
    expect(bitWidth(0)).toBe(0);
    expect(bitWidth(1)).toBe(1);
    expect(bitWidth(255)).toBe(8);
    expect(bitWidth(256)).toBe(9);
    expect(bitWidth(0xffffffff)).toBe(32);
    expect(bitWidth(2 ** 32)).toBe(33);
    expect(bitWidth(2 ** 53 - 1)).toBe(53);
  });
});

describe('rand_exp_duration (Core random.h / random.cpp MakeExponentiallyDistributed)', () => {
  it('maps the extreme uniforms as Core does', () => {
    expect(makeExponentiallyDistributed(0, 0)).toBe(0);
    // All ones: x = 1 - 2^-53, so -log1p(-x) = 53 ln 2.
    expect(makeExponentiallyDistributed(0xffffffff, 0xffffffff)).toBeCloseTo(53 * Math.LN2, 12);
    // The low 11 bits are discarded.
    expect(makeExponentiallyDistributed(0x7ff, 0)).toBe(0);
  });

  it('draws one 64-bit value per call and rounds e*mean + 0.5us down', () => {
    const a = new FastRandomContext(true);
    const b = new FastRandomContext(true);
    for (let i = 0; i < 1000; i++) {
      const [lo, hi] = b.rand64Halves();
      const e = makeExponentiallyDistributed(lo, hi);
      expect(a.randExpDurationMicros(5_000_000)).toBe(Math.floor(e * 5_000_000 + 0.5));
    }
  });

  it('has the exponential mean and variance under a fixed seed', () => {
    const ctx = new FastRandomContext(new Uint8Array(32).fill(5));
    const n = 100_000;
    const mean = 1_000_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = ctx.randExpDurationMicros(mean);
      s += d;
      s2 += d * d;
    }
    const m = s / n;
    const v = s2 / n - m * m;
    // Standard error of the mean is mean/sqrt(n) ~ 0.32%; allow 5 standard errors.
    expect(Math.abs(m - mean) / mean).toBeLessThan(0.016);
    expect(Math.abs(Math.sqrt(v) - mean) / mean).toBeLessThan(0.03);
  });
});

// [derived] Expected values produced by a C++ harness that links Core's own crypto/chacha20.cpp at
// the reference commit, wraps it as FastRandomContext::rand64 does, and calls libstdc++ 12's
// std::shuffle and Core's MakeExponentiallyDistributed/rand_exp_duration expression (g++ 12.2,
// glibc). 200,000 exponential draws and these shuffles were compared in full when this was written.
describe('cross-checked against Core compiled with g++ (libstdc++ 12, glibc)', () => {
  it('std::shuffle with a zero-key FastRandomContext, sizes in sequence', () => {
    const ctx = new FastRandomContext(true);
    const expected: Record<number, number[]> = {
      1: [0],
      2: [0, 1],
      3: [2, 0, 1],
      5: [4, 0, 1, 3, 2],
      10: [4, 1, 9, 6, 8, 7, 5, 0, 2, 3],
      17: [8, 16, 7, 12, 0, 5, 13, 1, 9, 2, 6, 10, 11, 4, 15, 3, 14],
    };
    for (const n of [1, 2, 3, 5, 10, 17]) {
      const v = Array.from({ length: n }, (_, i) => i);
      ctx.shuffle(v);
      expect(v).toEqual(expected[n]);
    }
    const v100 = Array.from({ length: 100 }, (_, i) => i);
    ctx.shuffle(v100);
    expect(v100.slice(0, 12)).toEqual([16, 96, 84, 80, 70, 54, 24, 63, 29, 42, 73, 7]);
    expect(v100.slice(-5)).toEqual([93, 99, 40, 65, 31]);
    ctx.shuffle(Array.from({ length: 1001 }, (_, i) => i));
    // Above 1023 elements the paired draws leave the number fast path for bigint arithmetic.
    const v3000 = Array.from({ length: 3000 }, (_, i) => i);
    ctx.shuffle(v3000);
    expect(v3000.slice(0, 8)).toEqual([1504, 1894, 2300, 1466, 2511, 2710, 142, 1589]);
    expect(v3000.slice(-3)).toEqual([802, 2851, 1751]);
  });

  it('rand_exp_duration with mixed means from seed 0x05..05', () => {
    const ctx = new FastRandomContext(new Uint8Array(32).fill(5));
    const expected = [74287468, 2079243, 1738526, 1999089, 129164, 880033, 18985160, 612860809];
    const got = expected.map((_, i) => ctx.randExpDurationMicros(i % 7 === 0 ? 600_000_000 : i % 3 === 0 ? 30_000_000 : 2_000_000));
    expect(got).toEqual(expected);
  });
});
