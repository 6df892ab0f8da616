// AddrMan's table constants and bucket maths: which new/tried bucket an address belongs to and at
// which position of a bucket it sits (Core's AddrInfo::GetTriedBucket, GetNewBucket,
// GetBucketPosition), the per-entry quality rules IsTerrible and GetChance, and BucketTable, the
// compact storage of one bucket table (Core's vvNew or vvTried: bucket × position → entry id).
// It holds no AddrMan state: which ids go where, and why, is addrman.ts's business.
//
// Every hash here is Core's HashWriter (double SHA-256) reduced by GetCheapHash (the first 8 digest
// bytes read as a little-endian uint64). All moduli Core applies to that value are powers of two, so
// the reduction only needs the low bits of the first digest bytes: no 64-bit arithmetic is required.

import { cheapHashLow16 } from './bucket-hash.ts';
import type { NetAddr, Service } from '../protocol/netaddress.ts';

/** The part of a NetGroupManager the bucket maths needs. */
export interface GroupOf {
  getGroup(addr: NetAddr): Uint8Array;
}

/** Core: addrman_impl.h ADDRMAN_TRIED_BUCKET_COUNT_LOG2 */
export const ADDRMAN_TRIED_BUCKET_COUNT_LOG2 = 8;
/** Core: addrman_impl.h ADDRMAN_TRIED_BUCKET_COUNT */
export const ADDRMAN_TRIED_BUCKET_COUNT = 1 << ADDRMAN_TRIED_BUCKET_COUNT_LOG2;
/** Core: addrman_impl.h ADDRMAN_NEW_BUCKET_COUNT_LOG2 */
export const ADDRMAN_NEW_BUCKET_COUNT_LOG2 = 10;
/** Core: addrman_impl.h ADDRMAN_NEW_BUCKET_COUNT */
export const ADDRMAN_NEW_BUCKET_COUNT = 1 << ADDRMAN_NEW_BUCKET_COUNT_LOG2;
/** Core: addrman_impl.h ADDRMAN_BUCKET_SIZE_LOG2 */
export const ADDRMAN_BUCKET_SIZE_LOG2 = 6;
/** Core: addrman_impl.h ADDRMAN_BUCKET_SIZE */
export const ADDRMAN_BUCKET_SIZE = 1 << ADDRMAN_BUCKET_SIZE_LOG2;
/** Core: addrman.h ADDRMAN_TRIED_BUCKETS_PER_GROUP */
export const ADDRMAN_TRIED_BUCKETS_PER_GROUP = 8;
/** Core: addrman.h ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP */
export const ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP = 64;
/** Core: addrman.h ADDRMAN_NEW_BUCKETS_PER_ADDRESS */
export const ADDRMAN_NEW_BUCKETS_PER_ADDRESS = 8;
/** Core: addrman.h ADDRMAN_HORIZON (30 days), in seconds */
export const ADDRMAN_HORIZON = 30 * 24 * 3600;
/** Core: addrman.h ADDRMAN_RETRIES */
export const ADDRMAN_RETRIES = 3;
/** Core: addrman.h ADDRMAN_MAX_FAILURES */
export const ADDRMAN_MAX_FAILURES = 10;
/** Core: addrman.h ADDRMAN_MIN_FAIL (7 days), in seconds */
export const ADDRMAN_MIN_FAIL = 7 * 24 * 3600;
/** Core: addrman.h ADDRMAN_REPLACEMENT (4 hours), in seconds */
export const ADDRMAN_REPLACEMENT = 4 * 3600;
/** Core: addrman.h ADDRMAN_SET_TRIED_COLLISION_SIZE */
export const ADDRMAN_SET_TRIED_COLLISION_SIZE = 10;
/** Core: addrman.h ADDRMAN_TEST_WINDOW (40 minutes), in seconds */
export const ADDRMAN_TEST_WINDOW = 40 * 60;
/** Core: addrman.h DEFAULT_ADDRMAN_CONSISTENCY_CHECKS */
export const DEFAULT_ADDRMAN_CONSISTENCY_CHECKS = 0;

// The bucket counts must stay powers of two: the cheap-hash reductions below rely on it.
const TRIED_BUCKET_MASK = ADDRMAN_TRIED_BUCKET_COUNT - 1;
const NEW_BUCKET_MASK = ADDRMAN_NEW_BUCKET_COUNT - 1;
const BUCKET_SIZE_MASK = ADDRMAN_BUCKET_SIZE - 1;
const TRIED_PER_GROUP_MASK = ADDRMAN_TRIED_BUCKETS_PER_GROUP - 1;
const NEW_PER_SOURCE_MASK = ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP - 1;

// One scratch buffer for every hash preimage: the largest is key(32) + two groups (<= 1+17 each)
// or key(32) + 1 + 4 + CompactSize + a 34-byte service key; 256 bytes is ample.
const scratch = new Uint8Array(256);

/** The low 16 bits of GetCheapHash over scratch[0, len): enough for every power-of-two modulus here. */
function cheapLow16(len: number): number {
  return cheapHashLow16(scratch, len);
}

/** Appends a byte vector as Core serializes std::vector<unsigned char>: CompactSize length + bytes. */
function putVec(off: number, v: Uint8Array): number {
  // Groups and service keys are always shorter than 253 bytes, so CompactSize is one byte.
  scratch[off] = v.length;
  scratch.set(v, off + 1);
  return off + 1 + v.length;
}

/** Appends a uint64 that is below 2^32, little-endian. */
function putU64Small(off: number, v: number): number {
  scratch[off] = v & 0xff;
  scratch[off + 1] = (v >>> 8) & 0xff;
  scratch[off + 2] = (v >>> 16) & 0xff;
  scratch[off + 3] = (v >>> 24) & 0xff;
  scratch[off + 4] = 0;
  scratch[off + 5] = 0;
  scratch[off + 6] = 0;
  scratch[off + 7] = 0;
  return off + 8;
}

/**
 * The tried bucket of an address. `serviceKey` is CService::GetKey() of the address (address bytes
 * plus big-endian port), `group` its netgroup.
 */
// Core: addrman.cpp AddrInfo::GetTriedBucket
export function triedBucket(key: Uint8Array, serviceKey: Uint8Array, group: Uint8Array): number {
  scratch.set(key, 0);
  let n = putVec(32, serviceKey);
  const h1 = cheapLow16(n) & TRIED_PER_GROUP_MASK;
  n = putVec(32, group);
  n = putU64Small(n, h1);
  return cheapLow16(n) & TRIED_BUCKET_MASK;
}

/** The new bucket of an address with netgroup `group`, learnt from a source with netgroup `sourceGroup`. */
// Core: addrman.cpp AddrInfo::GetNewBucket
export function newBucket(key: Uint8Array, group: Uint8Array, sourceGroup: Uint8Array): number {
  scratch.set(key, 0);
  let n = putVec(32, group);
  n = putVec(n, sourceGroup);
  const h1 = cheapLow16(n) & NEW_PER_SOURCE_MASK;
  n = putVec(32, sourceGroup);
  n = putU64Small(n, h1);
  return cheapLow16(n) & NEW_BUCKET_MASK;
}

/** The position inside `bucket` of the new (`isNew`) or tried table for the address with this service key. */
// Core: addrman.cpp AddrInfo::GetBucketPosition
export function bucketPosition(key: Uint8Array, isNew: boolean, bucket: number, serviceKey: Uint8Array): number {
  scratch.set(key, 0);
  scratch[32] = isNew ? 0x4e : 0x4b; // 'N' or 'K'
  // The bucket is serialized as a 4-byte little-endian int.
  scratch[33] = bucket & 0xff;
  scratch[34] = (bucket >>> 8) & 0xff;
  scratch[35] = (bucket >>> 16) & 0xff;
  scratch[36] = (bucket >>> 24) & 0xff;
  const n = putVec(37, serviceKey);
  return cheapLow16(n) & BUCKET_SIZE_MASK;
}

/** Core's signature: the tried bucket of `addr` under `key` and the netgroup manager. */
// Core: addrman.cpp AddrInfo::GetTriedBucket
export function getTriedBucket(key: Uint8Array, addr: Service, netgroupman: GroupOf): number {
  return triedBucket(key, addr.getKey(), netgroupman.getGroup(addr));
}

/** Core's signature: the new bucket of `addr` learnt from `source`. */
// Core: addrman.cpp AddrInfo::GetNewBucket
export function getNewBucket(key: Uint8Array, addr: NetAddr, source: NetAddr, netgroupman: GroupOf): number {
  return newBucket(key, netgroupman.getGroup(addr), netgroupman.getGroup(source));
}

/** Whether an entry's statistics are bad enough that it may be overwritten or withheld. */
// Core: addrman.cpp AddrInfo::IsTerrible
export function isTerribleEntry(
  time: number,
  lastTry: number,
  lastSuccess: number,
  attempts: number,
  nowSeconds: number,
): boolean {
  // An address tried within the last minute is never terrible: give the attempt time to finish.
  if (nowSeconds - lastTry <= 60) return false;
  // A last-seen time more than ten minutes in the future is a lie.
  if (time > nowSeconds + 10 * 60) return true;
  // Not seen for a month.
  if (nowSeconds - time > ADDRMAN_HORIZON) return true;
  // Several attempts and never a success.
  if (lastSuccess === 0 && attempts >= ADDRMAN_RETRIES) return true;
  // Many successive failures and no success for a week.
  if (nowSeconds - lastSuccess > ADDRMAN_MIN_FAIL && attempts >= ADDRMAN_MAX_FAILURES) return true;
  return false;
}

/** The relative weight Select gives an entry. */
// Core: addrman.cpp AddrInfo::GetChance
export function entryChance(lastTry: number, attempts: number, nowSeconds: number): number {
  let chance = 1.0;
  // Something we tried within the last ten minutes is strongly deprioritised.
  if (nowSeconds - lastTry < 10 * 60) chance *= 0.01;
  // Each failed attempt costs a third of the weight, capped at eight so outages are not over-punished.
  chance *= Math.pow(0.66, Math.min(attempts, 8));
  return chance;
}

/** The largest id a narrow (Uint16Array) table can hold: cells store id + 1, 0 meaning empty. */
export const BUCKET_TABLE_NARROW_MAX_ID = 0xfffe;
/**
 * log2 of the slots per lazily allocated chunk of a BucketTable. A simulated node's buckets hold
 * one to three entries each, scattered over the 64 positions, so whole 64-slot rows would be mostly
 * empty. Measured on AddrMans of 300 / 1,000 / 2,000 / 3,000 entries (tables in bytes): 8-slot
 * chunks 27k / 38k / 54k / 63k, 16-slot 22k / 44k / 64k / 94k, 64-slot rows 39k / 93k / 143k / 148k,
 * the flat Int32Arrays 328k whatever the size.
 */
export const BUCKET_TABLE_CHUNK_LOG2 = 3;
/** Chunks reserved before the first growth of a BucketTable. */
const INITIAL_CHUNKS = 16;

/**
 * One of Core's bucket tables (vvNew: ADDRMAN_NEW_BUCKET_COUNT buckets, vvTried:
 * ADDRMAN_TRIED_BUCKET_COUNT), each bucket ADDRMAN_BUCKET_SIZE slots holding an entry id or -1.
 * Reads and writes behave exactly as a flat Int32Array(bucketCount * ADDRMAN_BUCKET_SIZE) filled
 * with -1 indexed by slot = bucket * ADDRMAN_BUCKET_SIZE + position; only the storage differs:
 *
 * - slots are grouped in chunks of 2^chunkLog2 consecutive slots (a bucket is 64 / 2^chunkLog2
 *   chunks); a chunk's cells are allocated on its first write; until then it maps to chunk 0, a
 *   shared chunk that is never written, so every read is one map lookup with no branch;
 * - cells hold id + 1 (0 = empty, so new chunks need no fill) in a Uint16Array while every id
 *   written is at most BUCKET_TABLE_NARROW_MAX_ID, and are widened to an Int32Array the first time a
 *   larger id is written (an AddrMan can hold up to 81,920 entries, so ids can exceed 16 bits);
 * - per-bucket occupancy counts are kept, so callers can skip empty buckets without a scan.
 *
 * Chunks are never released (one emptied again keeps its cells): the table only grows, to at
 * most the flat size plus the chunk map.
 */
export class BucketTable {
  readonly bucketCount: number;
  /** Total slots (bucketCount * ADDRMAN_BUCKET_SIZE), as the flat array's length. */
  readonly length: number;
  /** Occupied slots per bucket (at most 64). */
  readonly fill: Uint8Array;
  /** log2 of the slots per chunk. */
  private readonly chunkLog2: number;
  private readonly chunkMask: number;
  /** Chunk of each group of 2^chunkLog2 slots in the cell arrays; 0 = not allocated (reads the empty chunk 0). */
  private readonly chunkOf: Uint16Array;
  /** id + 1 per cell while narrow; an empty array once widened. */
  private narrow: Uint16Array;
  /** id + 1 per cell once widened, else null. */
  private wide: Int32Array | null = null;
  /** Chunks in use, including the empty chunk 0. */
  private chunks = 1;

  constructor(bucketCount: number, chunkLog2: number = BUCKET_TABLE_CHUNK_LOG2) {
    if (!Number.isInteger(bucketCount) || bucketCount < 1 || bucketCount > 1024) throw new RangeError(`BucketTable: bad bucket count ${bucketCount}`);
    if (!Number.isInteger(chunkLog2) || chunkLog2 < 1 || chunkLog2 > ADDRMAN_BUCKET_SIZE_LOG2) throw new RangeError(`BucketTable: bad chunk size 2^${chunkLog2}`);
    this.bucketCount = bucketCount;
    this.length = bucketCount * ADDRMAN_BUCKET_SIZE;
    this.fill = new Uint8Array(bucketCount);
    this.chunkLog2 = chunkLog2;
    this.chunkMask = (1 << chunkLog2) - 1;
    // At most 65,536 chunks plus the empty one would not fit 16 bits; 1024 buckets of 64 slots do.
    this.chunkOf = new Uint16Array(this.length >>> chunkLog2);
    this.narrow = new Uint16Array(Math.min(INITIAL_CHUNKS, this.chunkOf.length + 1) << chunkLog2);
  }

  /** The id in `slot` (bucket * 64 + position), or -1 when empty. */
  get(slot: number): number {
    const cell = (this.chunkOf[slot >>> this.chunkLog2]! << this.chunkLog2) | (slot & this.chunkMask);
    const w = this.wide;
    return (w === null ? this.narrow[cell]! : w[cell]!) - 1;
  }

  /** Writes `id` (or -1 to empty it) into `slot`, keeping the occupancy count. */
  set(slot: number, id: number): void {
    if (!(slot >= 0 && slot < this.length) || !Number.isInteger(id) || id < -1) throw new RangeError(`BucketTable.set(${slot}, ${id})`);
    const group = slot >>> this.chunkLog2;
    let chunk = this.chunkOf[group]!;
    if (chunk === 0) {
      if (id === -1) return; // an unallocated chunk already reads as empty
      chunk = this.allocChunk(group);
    }
    if (id > BUCKET_TABLE_NARROW_MAX_ID && this.wide === null) this.widen();
    const cell = (chunk << this.chunkLog2) | (slot & this.chunkMask);
    const w = this.wide;
    const old = (w === null ? this.narrow[cell]! : w[cell]!) - 1;
    const bucket = slot >>> ADDRMAN_BUCKET_SIZE_LOG2;
    if (old === -1 && id !== -1) this.fill[bucket]!++;
    else if (old !== -1 && id === -1) this.fill[bucket]!--;
    if (w === null) this.narrow[cell] = id + 1;
    else w[cell] = id + 1;
  }

  /** Whether any slot of `bucket` holds `id` (id >= 0). */
  bucketHolds(bucket: number, id: number): boolean {
    if (this.fill[bucket] === 0) return false;
    const cells = this.wide ?? this.narrow;
    const want = id + 1;
    const per = 1 << this.chunkLog2;
    const first = (bucket << ADDRMAN_BUCKET_SIZE_LOG2) >>> this.chunkLog2;
    const last = first + (ADDRMAN_BUCKET_SIZE >>> this.chunkLog2);
    for (let g = first; g < last; g++) {
      const chunk = this.chunkOf[g]!;
      if (chunk === 0) continue;
      const start = chunk << this.chunkLog2;
      for (let c = start; c < start + per; c++) if (cells[c] === want) return true;
    }
    return false;
  }

  /**
   * Writes the ids of `bucket`'s occupied slots into `ids` in position order and returns how many
   * (fill[bucket]); with `positions`, also each one's position (0..63). Reads only the bucket's
   * allocated chunks. The arrays need ADDRMAN_BUCKET_SIZE room.
   */
  bucketIds(bucket: number, ids: Int32Array, positions?: Int32Array): number {
    if (this.fill[bucket] === 0) return 0;
    const cells = this.wide ?? this.narrow;
    const log2 = this.chunkLog2;
    const per = 1 << log2;
    const first = (bucket << ADDRMAN_BUCKET_SIZE_LOG2) >>> log2;
    const groups = ADDRMAN_BUCKET_SIZE >>> log2;
    let n = 0;
    for (let g = 0; g < groups; g++) {
      const chunk = this.chunkOf[first + g]!;
      if (chunk === 0) continue;
      const start = chunk << log2;
      for (let i = 0; i < per; i++) {
        const v = cells[start + i]!;
        if (v === 0) continue;
        if (positions !== undefined) positions[n] = (g << log2) | i;
        ids[n++] = v - 1;
      }
    }
    return n;
  }

  /** Whether cells are 32-bit (some id written exceeded BUCKET_TABLE_NARROW_MAX_ID). */
  get isWide(): boolean {
    return this.wide !== null;
  }

  /** Chunks allocated (not counting the shared empty one). */
  get allocatedChunks(): number {
    return this.chunks - 1;
  }

  /** Bytes of the typed arrays behind this table (cells, chunk map, occupancy counts). */
  byteSize(): number {
    return this.narrow.byteLength + (this.wide?.byteLength ?? 0) + this.chunkOf.byteLength + this.fill.byteLength;
  }

  /** A flat copy in the old layout: Int32Array(length), id per slot, -1 when empty (tests, diagnostics). */
  toFlat(): Int32Array {
    const out = new Int32Array(this.length);
    for (let slot = 0; slot < this.length; slot++) out[slot] = this.get(slot);
    return out;
  }

  private allocChunk(group: number): number {
    const chunk = this.chunks++;
    const need = this.chunks << this.chunkLog2;
    const cur = this.wide ?? this.narrow;
    if (need > cur.length) {
      // Grow by a quarter (at most to every chunk plus the empty one); new cells are 0 = empty.
      const maxChunks = this.chunkOf.length + 1;
      const have = cur.length >>> this.chunkLog2;
      const cap = Math.min(maxChunks, Math.max(this.chunks, Math.ceil(have * 1.25)));
      if (this.wide === null) {
        const next = new Uint16Array(cap << this.chunkLog2);
        next.set(this.narrow);
        this.narrow = next;
      } else {
        const next = new Int32Array(cap << this.chunkLog2);
        next.set(this.wide);
        this.wide = next;
      }
    }
    this.chunkOf[group] = chunk;
    return chunk;
  }

  private widen(): void {
    const w = new Int32Array(this.narrow.length);
    w.set(this.narrow);
    this.wide = w;
    this.narrow = new Uint16Array(0);
  }
}
