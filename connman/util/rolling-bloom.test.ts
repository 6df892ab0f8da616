import { describe, expect, it } from 'vitest';
import { fromHex } from './hash.ts';
import { FastRandomContext } from './random.ts';
import { murmurHash3, RollingBloomFilter } from './rolling-bloom.ts';

function rng(seed: number): FastRandomContext {
  const s = new Uint8Array(32);
  s[0] = seed;
  return new FastRandomContext(s);
}

describe('MurmurHash3 (Core hash_tests/murmurhash3)', () => {
  const vectors: [number, number, string][] = [
    [0x00000000, 0x00000000, ''],
    [0x6a396f08, 0xfba4c795, ''],
    [0x81f16f39, 0xffffffff, ''],
    [0x514e28b7, 0x00000000, '00'],
    [0xea3f0b17, 0xfba4c795, '00'],
    [0xfd6cf10d, 0x00000000, 'ff'],
    [0x16c6b7ab, 0x00000000, '0011'],
    [0x8eb51c3d, 0x00000000, '001122'],
    [0xb4471bf8, 0x00000000, '00112233'],
    [0xe2301fa8, 0x00000000, '0011223344'],
    [0xfc2e4a15, 0x00000000, '001122334455'],
    [0xb074502c, 0x00000000, '00112233445566'],
    [0x8034d2a0, 0x00000000, '0011223344556677'],
    [0xb4698def, 0x00000000, '001122334455667788'],
  ];
  for (const [expected, seed, data] of vectors) {
    it(`seed ${seed.toString(16)} data "${data}"`, () => {
      expect(murmurHash3(seed, fromHex(data))).toBe(expected);
    });
  }
});

describe('RollingBloomFilter (Core bloom_tests/rolling_bloom, structural checks)', () => {
  it('sizes like Core: (5000, 0.001) has 10 hash functions and 2500 entries per generation', () => {
    const f = new RollingBloomFilter(5000, 0.001, rng(1));
    expect(f.hashFuncs).toBe(10);
    expect(f.entriesPerGeneration).toBe(2500);
    // nFilterBits = ceil(-10 * 7500 / ln(1 - 0.001^(1/10))) = 107836 bits -> 1685 words -> 3370 (even).
    const bits = Math.ceil((-10 * 7500) / Math.log(1 - Math.exp(Math.log(0.001) / 10)));
    expect(f.words).toBe(Math.ceil(bits / 64) * 2);
  });

  it('remembers the last 100 of 399, resets, rolls, and a larger filter holds all', () => {
    const r = rng(7);
    const rb1 = new RollingBloomFilter(100, 0.01, r);
    const data: Uint8Array[] = [];
    for (let i = 0; i < 399; i++) {
      data.push(r.rand256());
      rb1.insert(data[i]!);
    }
    for (let i = 299; i < 399; i++) expect(rb1.contains(data[i]!)).toBe(true);
    // About 1% false positives at worst fullness; Core's seeded run sees 71 of 10000.
    let hits = 0;
    for (let i = 0; i < 10000; i++) if (rb1.contains(r.rand256())) hits++;
    expect(hits).toBeGreaterThan(20);
    expect(hits).toBeLessThan(200);
    expect(rb1.contains(data[398]!)).toBe(true);
    rb1.reset();
    expect(rb1.contains(data[398]!)).toBe(false);
    for (let i = 0; i < 399; i++) {
      if (i >= 100) expect(rb1.contains(data[i - 100]!)).toBe(true);
      rb1.insert(data[i]!);
      expect(rb1.contains(data[i]!)).toBe(true);
    }
    for (let i = 0; i < 999; i++) {
      const d = r.rand256();
      rb1.insert(d);
      expect(rb1.contains(d)).toBe(true);
    }
    // The filter forgets: of the 399 old entries only a few false positives remain (Core: 3).
    hits = 0;
    for (let i = 0; i < 399; i++) if (rb1.contains(data[i]!)) hits++;
    expect(hits).toBeLessThan(20);
    const rb2 = new RollingBloomFilter(1000, 0.001, r);
    for (const d of data) rb2.insert(d);
    for (const d of data) expect(rb2.contains(d)).toBe(true);
  });

  it('short keys (an address key is 6 to 34 bytes) round-trip', () => {
    const f = new RollingBloomFilter(5000, 0.001, rng(3));
    const key = fromHex('01020304208d');
    expect(f.contains(key)).toBe(false);
    f.insert(key);
    expect(f.contains(key)).toBe(true);
  });

  it('allocates its table at the first insert without changing any answer or draw', () => {
    // A filter that never saw an insert answers like Core's zeroed vector; the tweak is still
    // drawn at construction, so the rng stream is consumed exactly as before.
    const a = new RollingBloomFilter(5000, 0.001, rng(4));
    const r = rng(4);
    const b = new RollingBloomFilter(5000, 0.001, r);
    const after = r.randbits(32);
    const probe = rng(4);
    probe.randbits(32);
    expect(probe.randbits(32)).toBe(after);
    const keys = Array.from({ length: 300 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7, 9));
    for (const k of keys) expect(a.contains(k)).toBe(false);
    b.reset();
    a.reset();
    for (const k of keys.slice(0, 150)) {
      a.insert(k);
      b.insert(k);
    }
    for (const k of keys) expect(a.contains(k)).toBe(b.contains(k));
    for (const k of keys.slice(0, 150)) expect(a.contains(k)).toBe(true);
  });

  it('containsOrInsert equals contains followed, when absent, by insert, across generation rolls', () => {
    const a = new RollingBloomFilter(120, 0.01, rng(9));
    const b = new RollingBloomFilter(120, 0.01, rng(9));
    let x = 5;
    for (let i = 0; i < 3000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // Keys repeat often (a small key space), so both branches and the rolls are exercised.
      const k = Uint8Array.of(x % 251, (x >>> 8) % 3, 1);
      const want = b.contains(k);
      if (!want) b.insert(k);
      expect(a.containsOrInsert(k)).toBe(want);
    }
    for (let i = 0; i < 256; i++) for (let j = 0; j < 3; j++) {
      const k = Uint8Array.of(i, j, 1);
      expect(a.contains(k)).toBe(b.contains(k));
    }
  });
});
