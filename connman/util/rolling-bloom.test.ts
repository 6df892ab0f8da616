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

  it('answers exactly as a dense-only filter, false positives included, through sparse, dense, rolls and resets', () => {
    // The oracle: Core's CRollingBloomFilter written plainly over 64-bit words.
    class DenseOracle {
      readonly hashFuncs: number;
      readonly perGen: number;
      readonly data: BigUint64Array;
      entries = 0;
      generation = 1;
      tweak = 0;
      constructor(elements: number, fp: number, private readonly r: FastRandomContext) {
        const logFp = Math.log(fp);
        this.hashFuncs = Math.max(1, Math.min(Math.floor(logFp / Math.log(0.5) + 0.5), 50));
        this.perGen = Math.ceil(elements / 2);
        const bits = Math.ceil((-1.0 * this.hashFuncs * this.perGen * 3) / Math.log(1.0 - Math.exp(logFp / this.hashFuncs))) >>> 0;
        this.data = new BigUint64Array(Math.ceil(bits / 64) * 2);
        this.reset();
      }
      reset(): void {
        this.tweak = this.r.randbits(32) >>> 0;
        this.entries = 0;
        this.generation = 1;
        this.data.fill(0n);
      }
      private h(n: number, key: Uint8Array): [number, bigint] {
        const h = murmurHash3((Math.imul(n, 0xfba4c795) + this.tweak) >>> 0, key);
        return [Math.floor((h * this.data.length) / 4294967296), BigInt(h & 0x3f)];
      }
      insert(key: Uint8Array): void {
        if (this.entries === this.perGen) {
          this.entries = 0;
          this.generation = this.generation === 3 ? 1 : this.generation + 1;
          const m1 = this.generation & 1 ? ~0n : 0n;
          const m2 = this.generation >> 1 ? ~0n : 0n;
          for (let p = 0; p < this.data.length; p += 2) {
            const p1 = this.data[p]!, p2 = this.data[p + 1]!;
            const mask = BigInt.asUintN(64, (p1 ^ m1) | (p2 ^ m2));
            this.data[p] = p1 & mask;
            this.data[p + 1] = p2 & mask;
          }
        }
        this.entries++;
        for (let n = 0; n < this.hashFuncs; n++) {
          const [pos, bit] = this.h(n, key);
          const lo = pos & ~1, hi = pos | 1;
          this.data[lo] = (this.data[lo]! & ~(1n << bit)) | (BigInt(this.generation & 1) << bit);
          this.data[hi] = (this.data[hi]! & ~(1n << bit)) | (BigInt(this.generation >> 1) << bit);
        }
      }
      contains(key: Uint8Array): boolean {
        for (let n = 0; n < this.hashFuncs; n++) {
          const [pos, bit] = this.h(n, key);
          if ((((this.data[pos & ~1]! | this.data[pos | 1]!) >> bit) & 1n) === 0n) return false;
        }
        return true;
      }
    }
    for (const [elements, fp, steps] of [[5000, 0.001, 6000], [120, 0.01, 4000], [40, 0.05, 3000]] as const) {
      const f = new RollingBloomFilter(elements, fp, rng(11));
      const o = new DenseOracle(elements, fp, rng(11));
      const drive = rng(12);
      let sawSparse = false;
      let sawDense = false;
      let falsePositives = 0;
      for (let i = 0; i < steps; i++) {
        const op = drive.randrange(100);
        // A key space small enough for repeats and large enough to fill the filter.
        const k = Uint8Array.of(drive.randrange(256), drive.randrange(12), 0x20, 0x8d);
        if (op < 45) {
          f.insert(k);
          o.insert(k);
        } else if (op < 70) {
          const want = o.contains(k);
          expect(f.contains(k)).toBe(want);
        } else if (op < 99) {
          const want = o.contains(k);
          if (!want) o.insert(k);
          expect(f.containsOrInsert(k)).toBe(want);
        } else {
          f.reset();
          o.reset();
        }
        if (f.isSparse) sawSparse = true;
        else sawDense = true;
        // Fresh keys never inserted: any hit is a false positive, and must be the oracle's too.
        const fresh = Uint8Array.of(drive.randrange(256), 100 + drive.randrange(100), 7);
        const want = o.contains(fresh);
        if (want) falsePositives++;
        expect(f.contains(fresh)).toBe(want);
      }
      expect(sawSparse).toBe(true);
      expect(sawDense).toBe(true);
      if (elements < 5000) expect(falsePositives).toBeGreaterThan(0);
    }
  });

  it('keeps a few dozen entries in far fewer bytes than the dense array', () => {
    const f = new RollingBloomFilter(5000, 0.001, rng(13));
    for (let i = 0; i < 60; i++) f.insert(Uint8Array.of(i, 1, 2, 3));
    expect(f.isSparse).toBe(true);
    expect(f.byteSize()).toBeLessThanOrEqual(f.words * 8 / 2);
    for (let i = 0; i < 400; i++) f.insert(Uint8Array.of(i & 0xff, i >> 8, 9, 9));
    expect(f.isSparse).toBe(false);
    expect(f.byteSize()).toBe(f.words * 8);
    f.reset();
    expect(f.isSparse).toBe(true);
  });
});
