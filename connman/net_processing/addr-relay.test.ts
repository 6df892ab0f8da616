import { describe, expect, it } from 'vitest';
import {
  chooseRelayTargets,
  RANDOMIZER_ID_ADDRESS_RELAY,
  refillTokenBucket,
  relayHasher,
  relayTimeSlot,
  ROTATE_ADDR_RELAY_DEST_INTERVAL,
  serviceHashZeroSalt,
  serviceHashZeroSaltHalves,
} from './addr-relay.ts';
import { CSipHasher } from '../util/hash.ts';
import { MAX_ADDR_PROCESSING_TOKEN_BUCKET, MAX_ADDR_RATE_PER_SECOND } from './peerman.ts';
import { serviceOrThrow } from '../protocol/netaddress.ts';

const S = 1_000_000;

describe('addr token bucket (ProcessAddrs)', () => {
  it('fills at 0.1 per second up to the 1000 cap', () => {
    const st = { tokenBucket: 1, tokenTimestampMicros: 0 };
    refillTokenBucket(st, 100 * S, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    expect(st.tokenBucket).toBeCloseTo(11, 12);
    expect(st.tokenTimestampMicros).toBe(100 * S);
    refillTokenBucket(st, 100 * S + 5 * S, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    expect(st.tokenBucket).toBeCloseTo(11.5, 12);
    refillTokenBucket(st, 1_000_000 * S, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    expect(st.tokenBucket).toBe(1000);
  });

  it('keeps a getaddr allowance above the cap and never refills backwards in time', () => {
    const st = { tokenBucket: 1001, tokenTimestampMicros: 0 };
    refillTokenBucket(st, 3600 * S, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    expect(st.tokenBucket).toBe(1001);
    const back = { tokenBucket: 5, tokenTimestampMicros: 10 * S };
    refillTokenBucket(back, 5 * S, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    expect(back.tokenBucket).toBe(5);
    expect(back.tokenTimestampMicros).toBe(5 * S);
  });
});

describe('RelayAddress destination choice', () => {
  const randomizer = (): CSipHasher => new CSipHasher(0x0123456789abcdefn, 0xfedcba9876543210n).writeU64(RANDOMIZER_ID_ADDRESS_RELAY);
  const peers = Array.from({ length: 12 }, (_, i) => ({ id: i }));
  const addrs = Array.from({ length: 40 }, (_, i) => serviceOrThrow(`${30 + i}.7.${i}.9:8333`, 8333));

  /** The start (Unix seconds) of the 24 h window `t` falls in, for this address. */
  function windowStart(addr: ReturnType<typeof serviceOrThrow>, t: number): number {
    const h = serviceHashZeroSalt(addr);
    const bucket = (BigInt(t) + h) / BigInt(ROTATE_ADDR_RELAY_DEST_INTERVAL);
    return Number(bucket * BigInt(ROTATE_ADDR_RELAY_DEST_INTERVAL) - h);
  }

  it('reachable addresses go to 2 peers, the same all through their 24 h window', () => {
    const t0 = 1_700_000_000;
    for (const a of addrs) {
      const start = windowStart(a, t0);
      const ids = (t: number): number[] => chooseRelayTargets(relayHasher(randomizer(), a, t), true, peers).map((p) => p.id);
      const first = ids(start);
      expect(first.length).toBe(2);
      expect(ids(start + 3600)).toEqual(first);
      expect(ids(start + ROTATE_ADDR_RELAY_DEST_INTERVAL - 1)).toEqual(first);
    }
  });

  it('destinations change across windows', () => {
    const t0 = 1_700_000_000;
    let changed = 0;
    for (const a of addrs) {
      const start = windowStart(a, t0);
      const ids = (t: number): string => chooseRelayTargets(relayHasher(randomizer(), a, t), true, peers).map((p) => p.id).join(',');
      if (ids(start) !== ids(start + ROTATE_ADDR_RELAY_DEST_INTERVAL)) changed++;
    }
    // With 12 candidates an unchanged ordered pair is rare (about 1 in 132).
    expect(changed).toBeGreaterThanOrEqual(36);
  });

  it('unreachable addresses go to 1 or 2 peers by one hash bit, ranked by the keyed id hash', () => {
    const counts = new Map<number, number>();
    for (const a of addrs) {
      const h = relayHasher(randomizer(), a, 1_700_000_000);
      const picked = chooseRelayTargets(h, false, peers);
      const expected = (h.finalize() & 1n) === 1n ? 2 : 1;
      expect(picked.length).toBe(expected);
      counts.set(picked.length, (counts.get(picked.length) ?? 0) + 1);
      // The first pick has the largest key of all candidates.
      const keys = peers.map((p) => h.clone().writeU64(p.id).finalize());
      const maxKey = keys.reduce((m, k) => (k > m ? k : m), 0n);
      expect(h.clone().writeU64(picked[0]!.id).finalize()).toBe(maxKey);
    }
    expect(counts.get(1)).toBeGreaterThan(0);
    expect(counts.get(2)).toBeGreaterThan(0);
  });

  it('no candidates, no targets', () => {
    expect(chooseRelayTargets(relayHasher(randomizer(), addrs[0]!, 1), true, [])).toEqual([]);
  });
});

describe("RelayAddress's time slot: uint64 arithmetic without bigints", () => {
  /** Core's expression on uint64: (now + hash) wraps, then the division. */
  const reference = (hash: bigint, now: number): bigint => BigInt.asUintN(64, BigInt(now) + hash) / BigInt(ROTATE_ADDR_RELAY_DEST_INTERVAL);
  const join = ([hi, lo]: readonly [number, number]): bigint => (BigInt(hi) << 32n) | BigInt(lo);

  it('equals the wrapping uint64 sum and quotient, including sums past 2^64', () => {
    let x = 0x9e3779b9;
    const next = (): number => {
      x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return x;
    };
    const hashes: bigint[] = [0n, 1n, (1n << 64n) - 1n, (1n << 64n) - 1_700_000_000n, (1n << 63n) + 5n, 86_399n, (1n << 32n) - 1n];
    for (let i = 0; i < 500; i++) hashes.push((BigInt(next()) << 32n) | BigInt(next()));
    const times = [0, 1, 86_399, 86_400, 1_700_000_000, 0xffffffff];
    for (let i = 0; i < 20; i++) times.push(next());
    for (const h of hashes) {
      const hi = Number(h >> 32n);
      const lo = Number(h & 0xffffffffn);
      for (const t of times) expect(join(relayTimeSlot(hi, lo, t))).toBe(reference(h, t));
    }
  });

  it('the halves form of the service hash equals the bigint form', () => {
    for (const text of ['1.2.3.4:8333', '[2001:db8::1]:1', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333']) {
      const a = serviceOrThrow(text, 8333);
      expect(join(serviceHashZeroSaltHalves(a))).toBe(serviceHashZeroSalt(a));
    }
  });

  it('relayHasher feeds the hash and the slot as Core does, in and out of the 32-bit time range', () => {
    const a = serviceOrThrow('44.3.2.1:8333', 8333);
    const h = serviceHashZeroSalt(a);
    for (const t of [0, 1_700_000_000, 0xffffffff, 2 ** 33, -5]) {
      const want = new CSipHasher(7n, 9n).writeU64(h).writeU64(reference(h, t)).finalize();
      expect(relayHasher(new CSipHasher(7n, 9n), a, t).finalize()).toBe(want);
    }
  });
});
