// Tests for buckets.ts's BucketTable, the compact storage behind AddrMan's vvNew / vvTried:
// it must read back exactly as the flat Int32Array(-1) it replaced, under every chunk size, across
// lazily allocated chunks and across the widening from 16-bit to 32-bit cells. Core's bucket maths
// vectors live in addrman.test.ts.
import { describe, expect, it } from 'vitest';

import {
  ADDRMAN_BUCKET_SIZE,
  ADDRMAN_NEW_BUCKET_COUNT,
  ADDRMAN_TRIED_BUCKET_COUNT,
  BUCKET_TABLE_CHUNK_LOG2,
  BUCKET_TABLE_NARROW_MAX_ID,
  BucketTable,
  entryChance,
} from './buckets.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from './addrman.ts';
import { NetAddr, Network, Service } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Address, NODE_NETWORK } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';

/** Random writes against a flat model; returns the table and the model for further checks. */
function randomOps(bucketCount: number, chunkLog2: number, ops: number, maxId: number, seedByte: number): { t: BucketTable; flat: Int32Array } {
  const seed = new Uint8Array(32);
  seed[0] = seedByte;
  const rng = new FastRandomContext(seed);
  const t = new BucketTable(bucketCount, chunkLog2);
  const flat = new Int32Array(bucketCount * ADDRMAN_BUCKET_SIZE).fill(-1);
  for (let k = 0; k < ops; k++) {
    // Concentrate on a few buckets now and then so that buckets fill up and empty again.
    const bucket = k % 3 === 0 ? rng.randrange(Math.min(4, bucketCount)) : rng.randrange(bucketCount);
    const slot = bucket * ADDRMAN_BUCKET_SIZE + rng.randrange(ADDRMAN_BUCKET_SIZE);
    const id = rng.randrange(4) === 0 ? -1 : rng.randrange(maxId + 1);
    t.set(slot, id);
    flat[slot] = id;
  }
  return { t, flat };
}

function expectSameAsFlat(t: BucketTable, flat: Int32Array): void {
  expect(t.length).toBe(flat.length);
  expect(Array.from(t.toFlat())).toEqual(Array.from(flat));
  for (let b = 0; b < t.bucketCount; b++) {
    let n = 0;
    for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) if (flat[b * ADDRMAN_BUCKET_SIZE + i] !== -1) n++;
    expect(t.fill[b]).toBe(n);
  }
}

describe('BucketTable', () => {
  it('reads -1 everywhere when fresh, and writing -1 allocates nothing', () => {
    const t = new BucketTable(ADDRMAN_NEW_BUCKET_COUNT);
    const bytes = t.byteSize();
    for (let slot = 0; slot < t.length; slot += 7) expect(t.get(slot)).toBe(-1);
    t.set(5 * ADDRMAN_BUCKET_SIZE + 3, -1);
    expect(t.allocatedChunks).toBe(0);
    expect(t.byteSize()).toBe(bytes);
    expect(t.fill[5]).toBe(0);
    expect(t.bucketHolds(5, 0)).toBe(false);
  });

  it('allocates a chunk on the first write only, and reads neighbours in other chunks as empty', () => {
    const t = new BucketTable(ADDRMAN_TRIED_BUCKET_COUNT, 3);
    t.set(10 * 64 + 9, 0);
    expect(t.allocatedChunks).toBe(1);
    t.set(10 * 64 + 14, 7); // same 8-slot chunk (8..15)
    expect(t.allocatedChunks).toBe(1);
    t.set(10 * 64 + 16, 8); // next chunk
    expect(t.allocatedChunks).toBe(2);
    expect(t.get(10 * 64 + 9)).toBe(0);
    expect(t.get(10 * 64 + 14)).toBe(7);
    expect(t.get(10 * 64 + 16)).toBe(8);
    expect(t.get(10 * 64 + 8)).toBe(-1);
    expect(t.get(10 * 64 + 0)).toBe(-1);
    expect(t.get(11 * 64 + 9)).toBe(-1);
    expect(t.fill[10]).toBe(3);
    expect(t.bucketHolds(10, 7)).toBe(true);
    expect(t.bucketHolds(10, 9)).toBe(false);
    expect(t.bucketHolds(11, 7)).toBe(false);
    // Emptying keeps the chunk but reads back empty and updates the count.
    t.set(10 * 64 + 14, -1);
    expect(t.get(10 * 64 + 14)).toBe(-1);
    expect(t.fill[10]).toBe(2);
    expect(t.allocatedChunks).toBe(2);
  });

  for (const chunkLog2 of [1, 2, 3, 4, 5, 6]) {
    it(`matches a flat Int32Array under random writes (chunks of ${1 << chunkLog2} slots)`, () => {
      for (const bucketCount of [ADDRMAN_TRIED_BUCKET_COUNT, ADDRMAN_NEW_BUCKET_COUNT]) {
        const { t, flat } = randomOps(bucketCount, chunkLog2, 20_000, 5000, chunkLog2);
        expectSameAsFlat(t, flat);
        expect(t.isWide).toBe(false);
        const ids = new Int32Array(ADDRMAN_BUCKET_SIZE);
        for (let b = 0; b < bucketCount; b++) {
          const want = Array.from(flat.subarray(b * ADDRMAN_BUCKET_SIZE, (b + 1) * ADDRMAN_BUCKET_SIZE)).filter((v) => v !== -1);
          const n = t.bucketIds(b, ids);
          expect(Array.from(ids.subarray(0, n))).toEqual(want);
          const positions = new Int32Array(ADDRMAN_BUCKET_SIZE);
          expect(t.bucketIds(b, ids, positions)).toBe(n);
          for (let k = 0; k < n; k++) expect(flat[b * ADDRMAN_BUCKET_SIZE + positions[k]!]).toBe(ids[k]);
        }
        for (let b = 0; b < bucketCount; b++) {
          const held = new Set(Array.from(flat.subarray(b * ADDRMAN_BUCKET_SIZE, (b + 1) * ADDRMAN_BUCKET_SIZE)).filter((v) => v !== -1));
          for (const id of held) expect(t.bucketHolds(b, id)).toBe(true);
          // Ids held elsewhere (or nowhere) are not in this bucket.
          for (const id of [0, 1, 17, 2500, 4999]) expect(t.bucketHolds(b, id)).toBe(held.has(id));
        }
      }
    });
  }

  it('fills every slot of every bucket and stays bounded by the flat size plus the chunk map', () => {
    const t = new BucketTable(ADDRMAN_NEW_BUCKET_COUNT);
    for (let slot = 0; slot < t.length; slot++) t.set(slot, slot % 40_000);
    for (let slot = 0; slot < t.length; slot += 13) expect(t.get(slot)).toBe(slot % 40_000);
    for (let b = 0; b < t.bucketCount; b++) expect(t.fill[b]).toBe(ADDRMAN_BUCKET_SIZE);
    const chunks = t.length >>> BUCKET_TABLE_CHUNK_LOG2;
    expect(t.allocatedChunks).toBe(chunks);
    // Cells (16-bit, plus the empty chunk), the chunk map and the counts.
    expect(t.byteSize()).toBe((chunks + 1) * (1 << BUCKET_TABLE_CHUNK_LOG2) * 2 + chunks * 2 + t.bucketCount);
  });

  it('keeps 16-bit cells up to BUCKET_TABLE_NARROW_MAX_ID and widens to 32 bits beyond, values intact', () => {
    const { t, flat } = randomOps(ADDRMAN_NEW_BUCKET_COUNT, BUCKET_TABLE_CHUNK_LOG2, 5000, BUCKET_TABLE_NARROW_MAX_ID, 99);
    t.set(3, BUCKET_TABLE_NARROW_MAX_ID);
    flat[3] = BUCKET_TABLE_NARROW_MAX_ID;
    expect(t.isWide).toBe(false);
    expect(t.get(3)).toBe(BUCKET_TABLE_NARROW_MAX_ID);
    const narrowBytes = t.byteSize();
    // The first id that does not fit id + 1 in 16 bits widens the table, in an allocated chunk ...
    t.set(4, BUCKET_TABLE_NARROW_MAX_ID + 1);
    flat[4] = BUCKET_TABLE_NARROW_MAX_ID + 1;
    expect(t.isWide).toBe(true);
    expect(t.byteSize()).toBeGreaterThan(narrowBytes);
    expectSameAsFlat(t, flat);
    // ... and wide tables keep working: new chunks, large ids, clears.
    const big = 81_919;
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b += 3) {
      const slot = b * ADDRMAN_BUCKET_SIZE + (b % ADDRMAN_BUCKET_SIZE);
      t.set(slot, big - b);
      flat[slot] = big - b;
    }
    t.set(4, -1);
    flat[4] = -1;
    expectSameAsFlat(t, flat);
    expect(t.bucketHolds(3, big - 3)).toBe(true);
    const ids = new Int32Array(ADDRMAN_BUCKET_SIZE);
    const n = t.bucketIds(3, ids);
    expect(Array.from(ids.subarray(0, n))).toEqual(Array.from(flat.subarray(3 * 64, 4 * 64)).filter((v) => v !== -1));
  });

  it('widens on the first write into an unallocated chunk too', () => {
    const t = new BucketTable(ADDRMAN_TRIED_BUCKET_COUNT);
    t.set(0, 1);
    t.set(200 * ADDRMAN_BUCKET_SIZE + 63, 70_000);
    expect(t.isWide).toBe(true);
    expect(t.get(0)).toBe(1);
    expect(t.get(200 * ADDRMAN_BUCKET_SIZE + 63)).toBe(70_000);
    expect(t.get(200 * ADDRMAN_BUCKET_SIZE + 62)).toBe(-1);
    expect(t.fill[200]).toBe(1);
  });

  it('rejects slots and ids outside the table', () => {
    const t = new BucketTable(ADDRMAN_TRIED_BUCKET_COUNT);
    expect(() => t.set(t.length, 1)).toThrow(RangeError);
    expect(() => t.set(-1, 1)).toThrow(RangeError);
    expect(() => t.set(0, -2)).toThrow(RangeError);
    expect(() => t.set(0, 1.5)).toThrow(RangeError);
    expect(() => new BucketTable(ADDRMAN_TRIED_BUCKET_COUNT, 0)).toThrow(RangeError);
  });
});

/**
 * Core's Select_ loop written over the flat tables, position by position, drawing from `rng` as
 * Core does: the reference for AddrMan.select, which scans only a bucket's occupied slots.
 */
function referenceSelect(am: AddrMan, rng: FastRandomContext, newOnly: boolean, nets: readonly Network[]): number {
  let netMask = 0;
  for (const n of nets) netMask |= 1 << n;
  let newCount = 0;
  let triedCount = 0;
  for (let nid = 0; nid < am.highWater; nid++) {
    if (!am.isLive(nid) || (netMask !== 0 && !(netMask & (1 << am.netOf(nid))))) continue;
    if (am.inTried[nid]) triedCount++;
    else newCount++;
  }
  if (newOnly && newCount === 0) return -1;
  if (newCount + triedCount === 0) return -1;
  const searchTried = newOnly || triedCount === 0 ? false : newCount === 0 ? true : rng.randbool();
  const flat = searchTried ? am.vvTried.toFlat() : am.vvNew.toFlat();
  const bucketCount = searchTried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
  const now = am.nowSeconds();
  let chanceFactor = 1.0;
  for (;;) {
    const bucket = rng.randrange(bucketCount);
    const initial = rng.randrange(ADDRMAN_BUCKET_SIZE);
    let i = 0;
    let nid = -1;
    for (; i < ADDRMAN_BUCKET_SIZE; i++) {
      nid = flat[bucket * ADDRMAN_BUCKET_SIZE + ((initial + i) % ADDRMAN_BUCKET_SIZE)]!;
      if (nid !== -1 && (netMask === 0 || netMask & (1 << am.netOf(nid)))) break;
    }
    if (i === ADDRMAN_BUCKET_SIZE) continue;
    if (rng.randbits(30) < chanceFactor * entryChance(am.lastTry[nid]!, am.attempts[nid]!, now) * (1 << 30)) return nid;
    chanceFactor *= 1.2;
  }
}

describe('AddrMan.select over BucketTable', () => {
  it('picks what Core\'s position-by-position scan picks, with the same draws, for every filter', () => {
    const NOW = 1_700_000_000;
    const am = new AddrMan({ netgroupman: NetGroupManager.noAsmap(), clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
    const seed = new Uint8Array(32);
    seed[0] = 7;
    const fillRng = new FastRandomContext(seed);
    const source = new NetAddr(Network.NET_IPV4, Uint8Array.of(44, 1, 2, 3));
    // Dense buckets (few source groups) so that the wrap-around and network filter matter.
    for (let k = 0; k < 4000; k++) {
      const s =
        k % 4 === 0
          ? new Service(Network.NET_IPV6, Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 1 ? 0x01 : fillRng.randrange(256))), 8333)
          : new Service(Network.NET_IPV4, Uint8Array.of(1 + fillRng.randrange(200), fillRng.randrange(256), fillRng.randrange(256), 1 + fillRng.randrange(254)), 8333);
      am.add([new Address(s, NODE_NETWORK, NOW - 100)], source, 0);
      if (k % 5 === 0) am.good(s, NOW - 50);
      if (k % 3 === 0) am.attempt(s, true, NOW - fillRng.randrange(1200));
    }
    expect(am.nTried).toBeGreaterThan(100);
    const filters: { newOnly: boolean; nets: Network[] }[] = [
      { newOnly: false, nets: [] },
      { newOnly: true, nets: [] },
      { newOnly: false, nets: [Network.NET_IPV6] },
      { newOnly: true, nets: [Network.NET_IPV4] },
      { newOnly: false, nets: [Network.NET_ONION] },
    ];
    for (const [f, filter] of filters.entries()) {
      const s = new Uint8Array(32);
      s[0] = 100 + f;
      (am as unknown as { rng: FastRandomContext }).rng = new FastRandomContext(s);
      const twin = new FastRandomContext(s);
      for (let i = 0; i < 300; i++) {
        const got = am.select(filter.newOnly, filter.nets.length > 0 ? filter.nets : undefined);
        const want = referenceSelect(am, twin, filter.newOnly, filter.nets);
        if (want === -1) {
          expect(got.address).toBeNull();
        } else {
          expect(got.address?.toString()).toBe(am.addressOf(want).toString());
          expect(got.lastTry).toBe(am.lastTry[want]);
        }
        // Both consumed the same draws.
        expect(am.rng.rand64()).toBe(twin.rand64());
      }
    }
  });
});
