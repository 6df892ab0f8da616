// AddrMan's table constants and bucket maths: which new/tried bucket an address belongs to and at
// which position of a bucket it sits (Core's AddrInfo::GetTriedBucket, GetNewBucket,
// GetBucketPosition), plus the per-entry quality rules IsTerrible and GetChance.
// It holds pure functions over bytes and numbers; the tables themselves live in addrman.ts.
//
// Every hash here is Core's HashWriter (double SHA-256) reduced by GetCheapHash (the first 8 digest
// bytes read as a little-endian uint64). All moduli Core applies to that value are powers of two, so
// the reduction only needs the low bits of the first digest bytes: no 64-bit arithmetic is required.

import { cheapHashLow16 } from './addrman-sha256.ts';
import type { NetAddr, Service } from './netaddress.ts';

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

/** Core's signature: the position of `addr` inside `bucket` of the new (`isNew`) or tried table. */
// Core: addrman.cpp AddrInfo::GetBucketPosition
export function getBucketPosition(key: Uint8Array, isNew: boolean, bucket: number, addr: Service): number {
  return bucketPosition(key, isNew, bucket, addr.getKey());
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
