// Core v0.10.0's AddrMan (addrman-legacy.ts): table geometry, bucket hashing spread, Good's move to
// tried, ShrinkNew and SelectTried eviction (with v0.10's position quirk), the Select bias formula
// on hand-made tables, GetChance's recency term, and the consistency check after random workloads.
import { describe, expect, it } from 'vitest';
import {
  LEGACY_ADDRMAN_NEW_BUCKET_COUNT,
  LEGACY_ADDRMAN_TRIED_BUCKET_COUNT,
  LegacyAddrMan,
  legacyChance,
  legacyIsTerrible,
  legacyNewBucket,
  legacyTriedBucket,
  legacyTriedProbability,
  legacyUnkBias,
} from './addrman-legacy.ts';
import { DETERMINISTIC_ADDRMAN_KEY } from '../addrman/addrman.ts';
import { NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import type { Rng } from '../ports.ts';
import { Address, NODE_NETWORK } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';

const NOW = 1_700_000_000;
const ngm = NetGroupManager.noAsmap();
const clock = { micros: NOW * 1e6, nowMicros(): number { return this.micros; } };

function make(rng: Rng = new FastRandomContext(true), ratio = 0): LegacyAddrMan {
  return new LegacyAddrMan({ netgroupman: ngm, clock, rng, key: DETERMINISTIC_ADDRMAN_KEY, consistencyCheckRatio: ratio });
}
function addr(text: string, ageSeconds = 60): Address {
  return new Address(serviceOrThrow(text, 8333), NODE_NETWORK, NOW - ageSeconds);
}
const src = NetAddr.fromIPv4(0x05060708);

/** A Rng whose randrange answers come from a script (then from a real stream). */
class ScriptedRng implements Rng {
  private readonly inner = new FastRandomContext(true);
  constructor(private readonly script: number[]) {}
  randrange(range: number): number {
    if (this.script.length > 0) {
      const v = this.script.shift()!;
      if (v >= range) throw new Error(`scripted ${v} out of range ${range}`);
      return v;
    }
    return this.inner.randrange(range);
  }
  randbits(bits: number): number {
    return this.inner.randbits(bits);
  }
  randbool(): boolean {
    return this.inner.randbool();
  }
  rand64(): bigint {
    return this.inner.rand64();
  }
  randExpDurationMicros(m: number): number {
    return this.inner.randExpDurationMicros(m);
  }
  shuffle<T>(items: T[]): void {
    this.inner.shuffle(items);
  }
}

describe('LegacyAddrMan (Core v0.10.0): geometry and hashing', () => {
  it('has 256 new and 64 tried buckets', () => {
    const am = make();
    expect(LEGACY_ADDRMAN_NEW_BUCKET_COUNT).toBe(256);
    expect(LEGACY_ADDRMAN_TRIED_BUCKET_COUNT).toBe(64);
    expect(am.legacyNew.length).toBe(256);
    expect(am.legacyTried.length).toBe(64);
  });

  it('spreads one source group over at most 32 new buckets and one address group over at most 4 tried buckets', () => {
    const newB = new Set<number>();
    const triedB = new Set<number>();
    const srcGroup = ngm.getGroup(src);
    for (let i = 0; i < 3000; i++) {
      const a = serviceOrThrow(`${1 + (i % 200)}.${(i * 7) % 256}.${i % 256}.1`, 8333);
      const b = legacyNewBucket(DETERMINISTIC_ADDRMAN_KEY, ngm.getGroup(a), srcGroup);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(256);
      newB.add(b);
    }
    expect(newB.size).toBeLessThanOrEqual(32);
    expect(newB.size).toBeGreaterThan(20);
    for (let i = 0; i < 2000; i++) {
      const a = serviceOrThrow(`77.88.${i % 256}.${i >> 8}`, 8333);
      triedB.add(legacyTriedBucket(DETERMINISTIC_ADDRMAN_KEY, a.getKey(), ngm.getGroup(a)));
    }
    expect(triedB.size).toBeLessThanOrEqual(4);
    expect(triedB.size).toBeGreaterThan(1);
  });
});

describe('LegacyAddrMan: add, good, eviction', () => {
  it('adds to new, moves to tried on Good, keeps one entry per IP', () => {
    const am = make(new FastRandomContext(true), 1);
    expect(am.add([addr('10.1.2.1:8333')], src)).toBe(false); // not routable
    expect(am.add([addr('1.2.3.4:8333')], src)).toBe(true);
    expect(am.size()).toBe(1);
    // Same IP, other port: v0.10's mapAddr is keyed by IP, so nothing new is created.
    expect(am.add([addr('1.2.3.4:9999', 10)], src)).toBe(false);
    expect(am.size()).toBe(1);
    // Good of the other port is ignored (exact-service check).
    expect(am.good(serviceOrThrow('1.2.3.4:9999', 8333))).toBe(false);
    expect(am.good(serviceOrThrow('1.2.3.4:8333', 8333))).toBe(true);
    expect(am.size(null, false)).toBe(1);
    expect(am.getInfo(serviceOrThrow('1.2.3.4:8333', 8333))?.inTried).toBe(true);
    // v0.10's Good refreshed nTime.
    expect(am.getInfo(serviceOrThrow('1.2.3.4:8333', 8333))?.address.time).toBe(NOW);
    expect(am.checkAddrman()).toBe(0);
  });

  it('caps a new bucket at 64 entries (ShrinkNew) and tried buckets at 64 (eviction back to new)', () => {
    const am = make();
    // One source group, addresses of one group: all land in one new bucket.
    for (let i = 0; i < 200; i++) am.add([addr(`9.9.${i % 256}.${1 + (i >> 8)}:8333`)], src);
    const sizes = am.legacyNew.map((b) => b.length).filter((n) => n > 0);
    expect(sizes).toEqual([64]);
    expect(am.size()).toBe(64);
    expect(am.checkAddrman()).toBe(0);

    // Fill tried from many sources until some tried bucket overflows.
    const am2 = make();
    const all: Address[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = addr(`44.${i % 2}.${(i >> 1) % 256}.${1 + (i >> 9)}:8333`);
      all.push(a);
      am2.add([a], NetAddr.fromIPv4(0x0a000000 + ((i % 250) << 16) + 0x01010101));
    }
    let evictions = 0;
    for (const a of all) {
      const before = am2.size(null, false);
      if (am2.good(a) && am2.size(null, false) === before) evictions++;
    }
    // Two /16 groups map to at most 8 tried buckets of 64.
    expect(am2.size(null, false)).toBeLessThanOrEqual(8 * 64);
    expect(evictions).toBeGreaterThan(0);
    for (const b of am2.legacyTried) expect(b.length).toBeLessThanOrEqual(64);
    expect(am2.checkAddrman()).toBe(0);
  });

  it('SelectTried returns the slot the least recently successful entry was drawn from (v0.10 quirk)', () => {
    // Scripted draws: the first four randrange answers of SelectTried.
    const rng = new ScriptedRng([]);
    const am = make(rng);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const success = [50, 40, 30, 10, 20];
    const nids: number[] = [];
    for (let i = 0; i < 5; i++) {
      am.add([addr(`${60 + i}.1.1.1:8333`)], src);
      const nid = am.find(serviceOrThrow(`${60 + i}.1.1.1:8333`, 8333));
      am.lastSuccess[nid] = success[i]!;
      nids.push(nid);
    }
    am.legacyTried[7] = nids.slice();
    const script = [3, 0, 2, 0];
    const scripted = new ScriptedRng(script);
    Object.defineProperty(am, 'rng', { value: scripted });
    const pos = am.selectTried(7);
    // i=0 draws slot 3 (d, lastSuccess 10) and swaps it to slot 0; later draws find nothing older.
    expect(pos).toBe(3);
    const order = am.legacyTried[7]!.map((n) => names[nids.indexOf(n)]);
    expect(order).toEqual(['d', 'b', 'e', 'a', 'c']);
    // So the slot overwritten holds 'a' (the most recently successful), not 'd'.
    expect(order[pos]).toBe('a');
  });
});

describe('LegacyAddrMan: Select bias and chance', () => {
  it('the bias follows 10 + 10·min(nOutbound, 8)', () => {
    expect([0, 1, 3, 8, 12].map(legacyUnkBias)).toEqual([10, 20, 40, 90, 90]);
  });

  it('the tried probability is sqrt(nTried)(100-b) / (sqrt(nTried)(100-b) + sqrt(nNew) b)', () => {
    expect(legacyTriedProbability(4, 16, 50)).toBeCloseTo(1 / 3, 12);
    expect(legacyTriedProbability(64, 1024, 10)).toBeCloseTo((8 * 90) / (8 * 90 + 32 * 10), 12);
    expect(legacyTriedProbability(0, 10, 10)).toBe(0);
    expect(legacyTriedProbability(10, 0, 90)).toBe(1);
  });

  it('selects from tried with that probability on a hand-made table', () => {
    const am = make(new FastRandomContext(new Uint8Array(32).fill(7)));
    // 16 tried entries (Good after add), 64 new ones; all seen 1 hour ago and never tried recently.
    for (let i = 0; i < 16; i++) {
      const a = addr(`${100 + i}.1.1.1:8333`, 3600);
      am.add([a], src);
      am.good(a, NOW - 3600);
    }
    for (let i = 0; i < 64; i++) am.add([addr(`${30 + (i % 60)}.${i}.1.1:8333`, 3600)], src);
    expect(am.size(null, false)).toBe(16);
    expect(am.size(null, true)).toBe(64);
    for (const bias of [10, 50, 90]) {
      let tried = 0;
      const N = 4000;
      for (let k = 0; k < N; k++) {
        const r = am.selectWithBias(bias);
        if (am.getInfo(r.address!)!.inTried) tried++;
      }
      const p = legacyTriedProbability(16, 64, bias);
      expect(Math.abs(tried / N - p)).toBeLessThan(0.03);
    }
  });

  it('GetChance favours recently seen entries and punishes attempts and recent tries', () => {
    expect(legacyChance(NOW, NOW - 3600, 0, NOW)).toBe(1);
    expect(legacyChance(NOW - 600, NOW - 3600, 0, NOW)).toBe(0.5);
    expect(legacyChance(NOW, NOW - 60, 0, NOW)).toBeCloseTo(0.01, 12);
    expect(legacyChance(NOW, NOW - 3600, 2, NOW)).toBeCloseTo(1 / 2.25, 12);
  });

  it('IsTerrible treats nTime 0 as terrible, unlike master', () => {
    expect(legacyIsTerrible(0, 0, 0, 0, NOW)).toBe(true);
    expect(legacyIsTerrible(NOW - 10, 0, 0, 0, NOW)).toBe(false);
    expect(legacyIsTerrible(NOW - 10, 0, 0, 3, NOW)).toBe(true);
    expect(legacyIsTerrible(NOW - 10, NOW - 30, 0, 3, NOW)).toBe(false);
  });

  it('stays consistent under a random workload', () => {
    const rng = new FastRandomContext(new Uint8Array(32).fill(3));
    const am = make(rng, 50);
    const pick = new FastRandomContext(new Uint8Array(32).fill(9));
    const known: Address[] = [];
    for (let step = 0; step < 3000; step++) {
      const r = pick.randrange(10);
      if (r < 6 || known.length === 0) {
        const a = addr(`${1 + pick.randrange(30)}.${pick.randrange(4)}.${pick.randrange(256)}.${1 + pick.randrange(250)}:8333`, pick.randrange(40 * 86400));
        known.push(a);
        am.add([a], NetAddr.fromIPv4(0x0b000000 + pick.randrange(1 << 20)), 7200);
      } else if (r < 8) {
        am.good(known[pick.randrange(known.length)]!);
      } else if (r < 9) {
        am.attempt(known[pick.randrange(known.length)]!, true);
      } else {
        am.selectWithBias(legacyUnkBias(pick.randrange(9)));
      }
    }
    expect(am.checkAddrman()).toBe(0);
    expect(am.getAddr(1000, 23).length).toBeGreaterThan(0);
    expect(am.getEntries(true).length).toBe(am.size(null, false));
  });
});
