// Cross-checks the bucket-hash fast path against hash.ts's general double SHA-256, and the IntMap
// behind mapAddr against a plain Map under random inserts and deletes.
import { describe, expect, it } from 'vitest';

import { cheapHashLow16 } from './bucket-hash.ts';
import { sha256d } from '../util/hash.ts';
import { IntMap } from '../util/int-map.ts';
import { FastRandomContext } from '../util/random.ts';

describe('cheapHashLow16', () => {
  it('equals the low 16 bits of GetCheapHash for every length 0..247', () => {
    const rng = new FastRandomContext(true);
    for (let len = 0; len <= 247; len++) {
      for (let rep = 0; rep < 3; rep++) {
        const buf = new Uint8Array(256);
        for (let i = 0; i < len; i++) buf[i] = rng.randbits(8);
        const d = sha256d(buf.subarray(0, len));
        expect(cheapHashLow16(buf, len)).toBe(d[0]! | (d[1]! << 8));
      }
    }
  });
});

describe('IntMap', () => {
  it('behaves as a Map under random operations', () => {
    const rng = new FastRandomContext(true);
    const m = new IntMap();
    const ref = new Map<number, number>();
    for (let step = 0; step < 50_000; step++) {
      const k = rng.randrange(3000);
      const op = rng.randrange(3);
      if (op === 0) {
        const v = rng.randrange(1 << 30);
        m.set(k, v);
        ref.set(k, v);
      } else if (op === 1) {
        expect(m.delete(k)).toBe(ref.delete(k));
      } else {
        expect(m.get(k)).toBe(ref.get(k));
      }
      expect(m.size).toBe(ref.size);
    }
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
  });
});
