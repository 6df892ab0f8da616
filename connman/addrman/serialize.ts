// The addrman section of peers.dat: Core's AddrManImpl::Serialize / Unserialize, byte-compatible
// with Core (format 4 "multiport", lowest-compatible 4, entries in the V2 disk form, the new-table
// bucket section and the asmap version). Loading re-places entries exactly as Core does.
// It does not hold the file framing (magic, checksum): that is addrdb.ts.
//
// One unavoidable difference: Core writes entries in its unordered_map's iteration order, which is
// unspecified; we write them in row (nid) order. Either order loads to the same tables.

import {
  ADDRMAN_BUCKET_SIZE,
  ADDRMAN_NEW_BUCKET_COUNT,
  ADDRMAN_NEW_BUCKETS_PER_ADDRESS,
  ADDRMAN_TRIED_BUCKET_COUNT,
  bucketPosition,
  triedBucket,
} from './buckets.ts';
import type { AddressPool } from './address-pool.ts';
import type { AddrMan } from './addrman.ts';
import { MAX_ADDRV2_SIZE, readNetAddrV1, readNetAddrV2, type NetAddr } from '../protocol/netaddress.ts';
import { Address, DISK_VERSION_ADDRV2, DISK_VERSION_INIT, readAddress, V1_DISK, V2_DISK } from '../protocol/protocol.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';
import { OP_COUNTS, Op } from '../util/op-counts.ts';

/** Core: addrman_impl.h AddrManImpl::Format */
export const AddrManFormat = {
  V0_HISTORICAL: 0,
  V1_DETERMINISTIC: 1,
  V2_ASMAP: 2,
  V3_BIP155: 3,
  V4_MULTIPORT: 4,
} as const;
/** Core: AddrManImpl::FILE_FORMAT */
export const FILE_FORMAT = AddrManFormat.V4_MULTIPORT;
/** Core: AddrManImpl::INCOMPATIBILITY_BASE */
export const INCOMPATIBILITY_BASE = 32;

/**
 * Why loading failed. `version` is Core's InvalidAddrManVersionError (Core backs the file up and
 * starts afresh); every other kind is a std::ios_base::failure (Core refuses to start).
 */
export type AddrManLoadErrorKind = 'truncated' | 'corrupt' | 'version' | 'consistency';

export class AddrManLoadError extends Error {
  constructor(
    readonly kind: AddrManLoadErrorKind,
    message: string,
    /** CheckAddrman's code for kind 'consistency'. */
    readonly code = 0,
  ) {
    super(message);
    this.name = 'AddrManLoadError';
  }
}

/** Writes the addrman as Core's Serialize does (always the newest format). */
// Core: addrman.cpp AddrManImpl::Serialize
export function serializeAddrMan(am: AddrMan, w: ByteWriter): void {
  w.bytes(addrManToBytes(am));
}

/** The new table as Serialize reads it: per-bucket occupancy and each bucket's ids in position order. */
export interface NewTableRows {
  readonly fill: Uint8Array;
  /** Writes `bucket`'s ids in position order into `ids` (room for ADDRMAN_BUCKET_SIZE) and returns how many. */
  bucketIds(bucket: number, ids: Int32Array): number;
}

/**
 * Everything Serialize reads of an AddrMan: the key, the counts, the entry rows (a row is live when
 * its pool id is >= 0) and the new table. An AddrMan is one; an AddrManImage, a copy taken at a
 * peers.dat dump, is the other, so that the bytes can be written later from the state of then.
 */
export interface AddrManRows {
  readonly key: Uint8Array;
  readonly nNew: number;
  readonly nTried: number;
  readonly highWater: number;
  readonly poolId: Int32Array;
  readonly sourceId: Int32Array;
  readonly time: Float64Array;
  readonly servicesLo: Uint32Array;
  readonly servicesHi: Uint32Array;
  readonly lastSuccess: Float64Array;
  readonly attempts: Int32Array;
  readonly refCount: Uint8Array;
  readonly inTried: Uint8Array;
  readonly vvNew: NewTableRows;
  /** The interning table the pool ids refer to (append-only: an id's address never changes). */
  readonly pool: AddressPool;
  readonly netgroupman: { getAsmapVersion(): Uint8Array };
}

/**
 * Serialized bytes of an addrman (without peers.dat framing), in a fresh array with `head` spare
 * bytes before them and `tail` after (zeroed), so that addrdb.ts can add the magic and checksum
 * without copying the payload again.
 */
// Core: addrman.cpp AddrManImpl::Serialize
export function addrManToBytes(am: AddrManRows, head = 0, tail = 0): Uint8Array {
  // Every node rewrites peers.dat every 15 minutes, so the payload is written in one pass over the
  // rows into a scratch buffer kept between dumps (grown when an entry would not fit), with no
  // per-field bounds checks, and then copied once into an array of the exact size.
  OP_COUNTS[Op.dump]++;
  OP_COUNTS[Op.dumpRow] += am.nNew + am.nTried;
  const high = am.highWater;
  const asmapVersion = am.netgroupman.getAsmapVersion();
  const newFill = am.vvNew.fill;
  let out = scratch;
  let dv = scratchView;
  let o = 0;
  out[o++] = FILE_FORMAT;
  out[o++] = INCOMPATIBILITY_BASE + AddrManFormat.V4_MULTIPORT;
  o = putBytes(out, o, am.key);
  dv.setInt32(o, am.nNew, true);
  dv.setInt32(o + 4, am.nTried, true);
  dv.setInt32(o + 8, ADDRMAN_NEW_BUCKET_COUNT ^ (1 << 30), true);
  o += 12;

  // New entries (rows referenced from the new table) in row order get consecutive indices, which
  // the bucket section below refers to; tried rows (never referenced from new) are noted and
  // written after them, also in row order.
  if (indexScratch.length < high) indexScratch = new Int32Array(Math.max(high, indexScratch.length * 2));
  if (triedScratch.length < am.nTried) triedScratch = new Int32Array(Math.max(am.nTried, triedScratch.length * 2));
  const index = indexScratch;
  const tried = triedScratch;
  let count = 0;
  let triedCount = 0;
  for (let nid = 0; nid < high; nid++) {
    if (am.poolId[nid]! < 0) continue;
    if (am.inTried[nid]) {
      if (triedCount === am.nTried) throw new Error('Serialize: nTried is wrong');
      tried[triedCount++] = nid;
      continue;
    }
    if (am.refCount[nid] === 0) continue;
    if (count === am.nNew) throw new Error('Serialize: nNew is wrong');
    index[nid] = count++;
    if (o + MAX_ENTRY_BYTES > out.length) {
      out = growScratch(o);
      dv = scratchView;
    }
    o = putAddrInfo(am, nid, out, dv, o);
  }
  if (count !== am.nNew || triedCount !== am.nTried) throw new Error('Serialize: nNew or nTried is wrong');
  for (let k = 0; k < triedCount; k++) {
    const nid = tried[k]!;
    if (o + MAX_ENTRY_BYTES > out.length) {
      out = growScratch(o);
      dv = scratchView;
    }
    o = putAddrInfo(am, nid, out, dv, o);
  }

  let bucketBytes = 4 * ADDRMAN_NEW_BUCKET_COUNT + asmapVersion.length;
  for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) bucketBytes += 4 * newFill[b]!;
  if (o + bucketBytes > out.length) {
    out = growScratch(o, o + bucketBytes);
    dv = scratchView;
  }
  const vvNew = am.vvNew;
  const ids = bucketScratch;
  for (let bucket = 0; bucket < ADDRMAN_NEW_BUCKET_COUNT; bucket++) {
    // Each bucket's occupied slots in position order, preceded by their count.
    const n = newFill[bucket] === 0 ? 0 : vvNew.bucketIds(bucket, ids);
    dv.setInt32(o, n, true);
    o += 4;
    for (let i = 0; i < n; i++) {
      dv.setInt32(o, index[ids[i]!]!, true);
      o += 4;
    }
  }
  // The asmap version goes last so that older readers can ignore it.
  o = putBytes(out, o, asmapVersion);
  const result = new Uint8Array(head + o + tail);
  result.set(out.subarray(0, o), head);
  return result;
}

/**
 * Upper bound of one entry's bytes: the fixed fields (20), a 9-byte CompactSize of the services,
 * and two BIP155 addresses of at most MAX_ADDRV2_SIZE bytes (network id, 3-byte length, port).
 */
const MAX_ENTRY_BYTES = 20 + 9 + 2 * (1 + 3 + MAX_ADDRV2_SIZE + 2);

/** The payload buffer reused by every dump (nothing here is re-entrant), and a view of it. */
let scratch: Uint8Array = new Uint8Array(1 << 16);
let scratchView = new DataView(scratch.buffer);
/** Per-row entry index of the dump in progress (only rows written as new entries are read back). */
let indexScratch = new Int32Array(1024);
/** Tried rows of the dump in progress. */
let triedScratch = new Int32Array(256);

/** Doubles the payload buffer (at least past `need` bytes), keeping its first `used` bytes. */
function growScratch(used: number, need = used): Uint8Array {
  let cap = scratch.length * 2;
  while (cap < need + 4096) cap *= 2;
  const next = new Uint8Array(cap);
  next.set(scratch.subarray(0, used));
  scratch = next;
  scratchView = new DataView(next.buffer);
  return next;
}

/** One bucket's ids, reused by every dump (nothing here is re-entrant). */
const bucketScratch = new Int32Array(ADDRMAN_BUCKET_SIZE);

/** Copies a short byte string into out at o; returns the new offset. */
function putBytes(out: Uint8Array, o: number, b: Uint8Array): number {
  const n = b.length;
  if (n > 64) {
    out.set(b, o);
    return o + n;
  }
  for (let i = 0; i < n; i++) out[o + i] = b[i]!;
  return o + n;
}

// AddrInfo's serialization: the CAddress in disk form, its source, m_last_success, nAttempts.
// Core: addrman_impl.h AddrInfo::SERIALIZE_METHODS
function putAddrInfo(am: AddrManRows, nid: number, out: Uint8Array, dv: DataView, o: number): number {
  // nTime is stored as a uint32 count of seconds (Core's LossyChronoFormatter<uint32_t>).
  const t = am.time[nid]!;
  // For an integer, >>> 0 is that modulo (exact up to 2^53); a fraction keeps the general form.
  const t32 = Number.isInteger(t) ? t >>> 0 : ((t % 4294967296) + 4294967296) % 4294967296;
  // The CAddress in V2_DISK form, field by field: the disk version, nTime, the services as
  // CompactSize, then the service in BIP155 form, whose bytes the pool caches per address.
  dv.setUint32(o, V2_DISK_VERSION, true);
  dv.setUint32(o + 4, t32 >>> 0, true);
  o += 8;
  const hi = am.servicesHi[nid]!;
  const lo = am.servicesLo[nid]!;
  if (hi === 0 && lo < 253) {
    out[o++] = lo;
  } else if (hi === 0 && lo <= 0xffff) {
    out[o] = 253;
    dv.setUint16(o + 1, lo, true);
    o += 3;
  } else if (hi === 0) {
    out[o] = 254;
    dv.setUint32(o + 1, lo, true);
    o += 5;
  } else {
    out[o] = 255;
    dv.setUint32(o + 1, lo, true);
    dv.setUint32(o + 5, hi, true);
    o += 9;
  }
  o = putBytes(out, o, am.pool.serviceV2Bytes(am.poolId[nid]!));
  o = putBytes(out, o, am.pool.netAddrV2Bytes(am.sourceId[nid]!));
  // m_last_success as an int64, nAttempts as an int32.
  const ls = am.lastSuccess[nid]!;
  if (Number.isSafeInteger(ls)) {
    dv.setUint32(o, ls >>> 0, true);
    dv.setInt32(o + 4, Math.floor(ls / 4294967296) | 0, true);
  } else {
    // Out of the exact range: as a C++ cast to int64 would (BigInt throws on a fraction, as before).
    dv.setBigUint64(o, BigInt.asUintN(64, BigInt(ls)), true);
  }
  dv.setInt32(o + 8, am.attempts[nid]!, true);
  return o + 12;
}

/** The stored disk version of a V2_DISK CAddress (protocol.ts writeAddress). */
const V2_DISK_VERSION = (DISK_VERSION_INIT | DISK_VERSION_ADDRV2) >>> 0;

/** Bytes of Core's CompactSize encoding of the uint64 (hi, lo). */
function compactSizeBytes(hi: number, lo: number): number {
  if (hi !== 0) return 9;
  return lo < 253 ? 1 : lo <= 0xffff ? 3 : 5;
}

/**
 * The length addrManToBytes(am) would return (head and tail not counted), without writing it: a
 * pass over the rows' services and address lengths and the new table's occupancy.
 */
export function serializedSize(am: AddrManRows): number {
  const pool = am.pool;
  let size = 2 + am.key.length + 12;
  const high = am.highWater;
  for (let nid = 0; nid < high; nid++) {
    const p = am.poolId[nid]!;
    if (p < 0 || (am.inTried[nid] === 0 && am.refCount[nid] === 0)) continue;
    // Disk version and nTime, services, the service and the source in BIP155 form, m_last_success and nAttempts.
    size += 8 + compactSizeBytes(am.servicesHi[nid]!, am.servicesLo[nid]!) + pool.serviceV2Bytes(p).length + pool.netAddrV2Bytes(am.sourceId[nid]!).length + 12;
  }
  const fill = am.vvNew.fill;
  size += 4 * ADDRMAN_NEW_BUCKET_COUNT;
  for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) size += 4 * fill[b]!;
  return size + am.netgroupman.getAsmapVersion().length;
}

/** The new table of an AddrManImage: occupancy per bucket, then every bucket's ids back to back. */
class NewTableImage implements NewTableRows {
  fill = new Uint8Array(ADDRMAN_NEW_BUCKET_COUNT);
  /** Where each bucket's ids start in `ids` (ADDRMAN_NEW_BUCKET_COUNT + 1 entries). */
  readonly start = new Int32Array(ADDRMAN_NEW_BUCKET_COUNT + 1);
  ids = new Int32Array(256);

  bucketIds(bucket: number, out: Int32Array): number {
    const from = this.start[bucket]!;
    const n = this.start[bucket + 1]! - from;
    for (let i = 0; i < n; i++) out[i] = this.ids[from + i]!;
    return n;
  }
}

/**
 * A copy of what Serialize reads of an AddrMan, taken in one go (typed-array copies, the new table
 * compacted to its occupied slots), so that peers.dat can be written from it later with exactly the
 * bytes it would have had at the copy. Capturing into an existing image reuses its arrays.
 */
export class AddrManImage implements AddrManRows {
  key = new Uint8Array(32);
  nNew = 0;
  nTried = 0;
  highWater = 0;
  poolId = new Int32Array(0);
  sourceId = new Int32Array(0);
  time = new Float64Array(0);
  servicesLo = new Uint32Array(0);
  servicesHi = new Uint32Array(0);
  lastSuccess = new Float64Array(0);
  attempts = new Int32Array(0);
  refCount = new Uint8Array(0);
  inTried = new Uint8Array(0);
  readonly vvNew = new NewTableImage();
  pool!: AddressPool;
  netgroupman!: { getAsmapVersion(): Uint8Array };

  /** Copies `am` into this image (growing its arrays when needed) and returns it. */
  capture(am: AddrMan): this {
    // The floor meter counts a capture as a dump of its rows: the least an exact deferred dump
    // must do is copy them.
    OP_COUNTS[Op.dump]++;
    OP_COUNTS[Op.dumpRow] += am.nNew + am.nTried;
    const high = am.highWater;
    if (this.poolId.length < high) {
      const cap = Math.max(high, Math.ceil(this.poolId.length * 1.5));
      this.poolId = new Int32Array(cap);
      this.sourceId = new Int32Array(cap);
      this.time = new Float64Array(cap);
      this.servicesLo = new Uint32Array(cap);
      this.servicesHi = new Uint32Array(cap);
      this.lastSuccess = new Float64Array(cap);
      this.attempts = new Int32Array(cap);
      this.refCount = new Uint8Array(cap);
      this.inTried = new Uint8Array(cap);
    }
    if (this.key.length !== am.key.length) this.key = new Uint8Array(am.key.length);
    this.key.set(am.key);
    this.nNew = am.nNew;
    this.nTried = am.nTried;
    this.highWater = high;
    this.poolId.set(am.poolId.subarray(0, high));
    this.sourceId.set(am.sourceId.subarray(0, high));
    this.time.set(am.time.subarray(0, high));
    this.servicesLo.set(am.servicesLo.subarray(0, high));
    this.servicesHi.set(am.servicesHi.subarray(0, high));
    this.lastSuccess.set(am.lastSuccess.subarray(0, high));
    this.attempts.set(am.attempts.subarray(0, high));
    this.refCount.set(am.refCount.subarray(0, high));
    this.inTried.set(am.inTried.subarray(0, high));
    this.pool = am.pool;
    this.netgroupman = am.netgroupman;
    const table = am.vvNew;
    const img = this.vvNew;
    img.fill.set(table.fill);
    let used = 0;
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) used += table.fill[b]!;
    if (img.ids.length < used) img.ids = new Int32Array(Math.max(used, Math.ceil(img.ids.length * 1.5)));
    const ids = img.ids;
    const scratch = bucketScratch;
    let o = 0;
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
      img.start[b] = o;
      if (table.fill[b] === 0) continue;
      const n = table.bucketIds(b, scratch);
      for (let i = 0; i < n; i++) ids[o + i] = scratch[i]!;
      o += n;
    }
    img.start[ADDRMAN_NEW_BUCKET_COUNT] = o;
    return this;
  }
}

interface ReadInfo {
  address: Address;
  source: NetAddr;
  lastSuccess: number;
  attempts: number;
}

function readAddrInfo(r: ByteReader, v2: boolean): ReadInfo {
  const address = readAddressDisk(r, v2);
  const source = readNetAddr(r, v2);
  const lastSuccess = Number(r.i64le());
  const attempts = r.i32le();
  return { address, source, lastSuccess, attempts };
}

/**
 * Loads serialized addrman bytes into `am`, which must be freshly constructed (Core asserts an
 * empty vRandom). On failure `am` is left in an unspecified state: load into a fresh instance and
 * discard it on error (addrdb.ts does).
 */
// Core: addrman.cpp AddrManImpl::Unserialize
export function unserializeAddrMan(am: AddrMan, r: ByteReader): void {
  if (am.randomSize !== 0 || am.highWater !== 0) throw new Error('Unserialize needs an empty AddrMan');
  try {
    unserializeInner(am, r);
  } catch (e) {
    if (e instanceof SerializeError) {
      throw new AddrManLoadError(e.kind === 'truncated' ? 'truncated' : 'corrupt', e.message);
    }
    throw e;
  }
}

function unserializeInner(am: AddrMan, r: ByteReader): void {
  const format = r.u8();
  const v2 = format >= AddrManFormat.V3_BIP155;
  const compat = r.u8();
  if (compat < INCOMPATIBILITY_BASE) {
    throw new AddrManLoadError(
      'corrupt',
      `Corrupted addrman database: The compat value (${compat}) is lower than the expected minimum value ${INCOMPATIBILITY_BASE}.`,
    );
  }
  const lowestCompatible = compat - INCOMPATIBILITY_BASE;
  if (lowestCompatible > FILE_FORMAT) {
    throw new AddrManLoadError(
      'version',
      `Unsupported format of addrman database: ${format}. It is compatible with formats >=${lowestCompatible}, but the maximum supported by this version of connsim is ${FILE_FORMAT}.`,
    );
  }
  am.key = Uint8Array.from(r.bytes(32));
  let nNew = r.i32le();
  let nTried = r.i32le();
  let nUBuckets = r.i32le();
  if (format >= AddrManFormat.V1_DETERMINISTIC) nUBuckets ^= 1 << 30;
  const newMax = ADDRMAN_NEW_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE;
  const triedMax = ADDRMAN_TRIED_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE;
  if (nNew > newMax || nNew < 0) {
    throw new AddrManLoadError('corrupt', `Corrupt AddrMan serialization: nNew=${nNew}, should be in [0, ${newMax}]`);
  }
  if (nTried > triedMax || nTried < 0) {
    throw new AddrManLoadError('corrupt', `Corrupt AddrMan serialization: nTried=${nTried}, should be in [0, ${triedMax}]`);
  }
  const pool = am.pool;

  // New entries take rows 0..nNew-1, which equal Core's ids for them.
  for (let n = 0; n < nNew; n++) {
    const info = readAddrInfo(r, v2);
    const p = pool.intern(info.address);
    const nid = am.allocRow(p, pool.internNetAddr(info.source));
    if (nid !== n) throw new Error('Unserialize: unexpected row numbering');
    setRowFromInfo(am, nid, info);
    am.mapAddr.set(p, nid);
    am.pushRandom(nid);
    am.bumpNew(pool.getNetwork(p), 1);
  }
  am.nNew = nNew;

  // Tried entries are placed by formula; invalid ones and those whose slot is taken are lost.
  let lost = 0;
  for (let n = 0; n < nTried; n++) {
    const info = readAddrInfo(r, v2);
    const p = pool.intern(info.address);
    const kb = triedBucket(am.key, pool.serviceKey(p), am.group(p));
    const kpos = bucketPosition(am.key, false, kb, pool.serviceKey(p));
    const slot = kb * ADDRMAN_BUCKET_SIZE + kpos;
    if (pool.isValid(p) && am.vvTried.get(slot) === -1) {
      const nid = am.allocRow(p, pool.internNetAddr(info.source));
      setRowFromInfo(am, nid, info);
      am.inTried[nid] = 1;
      am.pushRandom(nid);
      am.mapAddr.set(p, nid);
      am.setTriedSlot(slot, nid);
      am.bumpTried(pool.getNetwork(p), 1);
    } else {
      lost++;
    }
  }
  am.nTried = nTried - lost;

  // Remember every (bucket, entry) pair of the new table to place once the asmap version is known.
  const pairs: number[] = [];
  for (let bucket = 0; bucket < nUBuckets; ++bucket) {
    const num = r.i32le();
    for (let k = 0; k < num; ++k) {
      const idx = r.i32le();
      if (idx >= 0 && idx < nNew) pairs.push(bucket, idx);
    }
  }

  const supplied = am.netgroupman.getAsmapVersion();
  let serialized: Uint8Array = new Uint8Array(32);
  if (format >= AddrManFormat.V2_ASMAP) serialized = r.bytes(32);
  let sameAsmap = true;
  for (let i = 0; i < 32; i++) if (serialized[i] !== supplied[i]) sameAsmap = false;
  const restore = nUBuckets === ADDRMAN_NEW_BUCKET_COUNT && sameAsmap;

  for (let k = 0; k < pairs.length; k += 2) {
    let bucket = pairs[k]!;
    const nid = pairs[k + 1]!;
    const p = am.poolId[nid]!;
    if (!pool.isValid(p)) continue;
    if (am.refCount[nid]! >= ADDRMAN_NEW_BUCKETS_PER_ADDRESS) continue;
    let pos = am.positionOf(nid, true, bucket);
    if (restore && am.vvNew.get(bucket * ADDRMAN_BUCKET_SIZE + pos) === -1) {
      am.setNewSlot(bucket * ADDRMAN_BUCKET_SIZE + pos, nid);
      am.refCount[nid]!++;
    } else {
      // The recorded placement is unusable (other bucketing, or slot taken): fall back to the
      // bucket of the entry's own source.
      bucket = am.newBucketOf(nid, am.sourceId[nid]!);
      pos = am.positionOf(nid, true, bucket);
      if (am.vvNew.get(bucket * ADDRMAN_BUCKET_SIZE + pos) === -1) {
        am.setNewSlot(bucket * ADDRMAN_BUCKET_SIZE + pos, nid);
        am.refCount[nid]!++;
      }
    }
  }

  // Drop new entries left without any reference. Core walks its unordered_map here; we walk rows
  // in order, which fixes the resulting vRandom order deterministically.
  for (let nid = 0; nid < am.highWater; nid++) {
    if (am.isLive(nid) && !am.inTried[nid] && am.refCount[nid] === 0) am.delete(nid);
  }

  const code = am.checkAddrman();
  if (code !== 0) {
    throw new AddrManLoadError('consistency', `Corrupt data. Consistency check failed with code ${code}`, code);
  }
}

function setRowFromInfo(am: AddrMan, nid: number, info: ReadInfo): void {
  am.time[nid] = info.address.time;
  am.setServicesRow(nid, info.address.services);
  am.lastSuccess[nid] = info.lastSuccess;
  am.attempts[nid] = info.attempts;
}

/** Loads addrman bytes (no framing) into a fresh AddrMan. */
export function addrManFromBytes(am: AddrMan, bytes: Uint8Array): void {
  unserializeAddrMan(am, new ByteReader(bytes));
}

// ---------------------------------------------------------------------------------------------
// Address codecs (thin adapters over protocol.ts / netaddress.ts)
// ---------------------------------------------------------------------------------------------

function readAddressDisk(r: ByteReader, v2: boolean): Address {
  return readAddress(r, v2 ? V2_DISK : V1_DISK);
}
function readNetAddr(r: ByteReader, v2: boolean): NetAddr {
  return v2 ? readNetAddrV2(r) : readNetAddrV1(r);
}
