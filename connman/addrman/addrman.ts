// AddrMan: Bitcoin Core's stochastic address manager (addrman.h, addrman_impl.h, addrman.cpp),
// ported draw for draw. It holds the new and tried tables, the per-entry statistics (Core's
// AddrInfo) and every public operation of Core's AddrMan, plus Core's consistency check.
// Serialization (peers.dat's addrman section) lives in serialize.ts, the bucket maths in
// buckets.ts, the RPC views in rpc.ts; file framing in addrdb.ts.
//
// Layout, chosen because thousands of simulated nodes each hold one of these: addresses are interned
// in a process-wide AddressPool and referred to by pool id; an entry ("nid") is a row in growable
// typed arrays, rows are recycled through a free list; vvNew/vvTried are BucketTables of nids
// (buckets.ts: 8-slot chunks allocated on first write, 16-bit cells while nids fit).
// Core numbers entries with a never-reused counter (nIdCount); that number only matters for the
// iteration order of the tried-collision set, so each row also records it (`coreId`).
//
// Time: Core's NodeSeconds are plain numbers of seconds here, read from the injected Clock as
// floor(micros / 1e6). Randomness: every draw goes to the injected Rng in Core's order and with
// Core's method, including the randrange(ratio) of the periodic consistency check.

import {
  ADDRMAN_BUCKET_SIZE,
  ADDRMAN_NEW_BUCKET_COUNT,
  ADDRMAN_NEW_BUCKETS_PER_ADDRESS,
  ADDRMAN_REPLACEMENT,
  ADDRMAN_SET_TRIED_COLLISION_SIZE,
  ADDRMAN_TEST_WINDOW,
  ADDRMAN_TRIED_BUCKET_COUNT,
  BucketTable,
  bucketPosition,
  entryChance,
  isTerribleEntry,
  newBucket,
  triedBucket,
} from './buckets.ts';
import { AddressPool } from './address-pool.ts';
import { IntMap } from '../util/int-map.ts';
import { Network, type NetAddr, type Service } from '../protocol/netaddress.ts';
import type { Clock, Rng } from '../ports.ts';
import { Address } from '../protocol/protocol.ts';
import { OP_COUNTS, Op } from '../util/op-counts.ts';
import { MICROS_PER_SECOND, secondsOf } from '../util/time.ts';

/**
 * What AddrMan needs from a netgroup manager (connman/netgroup/netgroup.ts NetGroupManager provides it):
 * Core's NetGroupManager::GetGroup, GetMappedAS and GetAsmapVersion (all-zero without an asmap).
 */
export interface AddrManNetGroups {
  getGroup(addr: NetAddr): Uint8Array;
  getMappedAS(addr: NetAddr): number;
  getAsmapVersion(): Uint8Array;
}

/** Core: addrman.h AddressPosition — where an address sits in AddrMan. */
export interface AddressPosition {
  readonly tried: boolean;
  /** 1 for tried; for new, the number of new-table slots referencing the entry (1..8). */
  readonly multiplicity: number;
  readonly bucket: number;
  readonly position: number;
}

/** A read-only copy of one entry, as Core's AddrInfo (a CAddress plus statistics). */
export interface AddrInfoView {
  readonly address: Address;
  readonly source: NetAddr;
  readonly lastTry: number;
  readonly lastCountAttempt: number;
  readonly lastSuccess: number;
  readonly attempts: number;
  readonly refCount: number;
  readonly inTried: boolean;
}

/** The answer of Select and SelectTriedCollision: Core's pair<CAddress, NodeSeconds>. */
export interface SelectResult {
  /** The chosen address, or null where Core returns its default (invalid "[::]:0") CAddress. */
  readonly address: Address | null;
  /** The entry's last connection attempt in seconds (0 when address is null). */
  readonly lastTry: number;
}

export interface AddrManOptions {
  /** The netgroup manager used for bucketing (Core's m_netgroupman). */
  netgroupman: AddrManNetGroups;
  clock: Clock;
  /** Core's insecure_rand; for Core's deterministic mode a FastRandomContext(true). */
  rng: Rng;
  /** The 32-byte bucketing secret nKey. Core's deterministic mode uses uint256{1}: see DETERMINISTIC_ADDRMAN_KEY. */
  key: Uint8Array;
  /** Run CheckAddrman 1 in this many operations (0 = never), as Core's m_consistency_check_ratio. */
  consistencyCheckRatio?: number;
  /** The shared interning table; a private one is created if omitted. */
  pool?: AddressPool;
  /**
   * Test-before-evict (Core since 0.17, on in master): Good() of an entry whose tried slot is taken
   * queues a collision instead of evicting. false reproduces the older immediate eviction.
   */
  testBeforeEvict?: boolean;
}

/** Core's deterministic addrman key uint256{1}: byte 0x01 followed by 31 zero bytes. */
export const DETERMINISTIC_ADDRMAN_KEY: Uint8Array = (() => {
  const k = new Uint8Array(32);
  k[0] = 1;
  return k;
})();

/**
 * A fresh bucketing key for a non-deterministic AddrMan, drawn as Core does: the first draw of the
 * addrman's own generator (`insecure_rand.rand256()` in AddrManImpl's constructor). Call it on the
 * same Rng you then pass as `rng`, before any other draw.
 */
// Core: addrman.cpp AddrManImpl::AddrManImpl (the nKey initialiser)
export function drawAddrManKey(rng: { rand256(): Uint8Array }): Uint8Array {
  return rng.rand256();
}

/** Thrown when Core would abort on a failed periodic consistency check. */
export class AddrManConsistencyError extends Error {
  constructor(readonly code: number) {
    super(`ADDRMAN CONSISTENCY CHECK FAILED!!! err=${code}`);
    this.name = 'AddrManConsistencyError';
  }
}

const NET_SLOTS = 8;
const TWO_POW_30 = 1 << 30;
/** log2 of the table sizes, for Select's draws (randrange of a power of two is one randbits). */
const NEW_BUCKET_BITS = Math.log2(ADDRMAN_NEW_BUCKET_COUNT);
const TRIED_BUCKET_BITS = Math.log2(ADDRMAN_TRIED_BUCKET_COUNT);
const BUCKET_SIZE_BITS = Math.log2(ADDRMAN_BUCKET_SIZE);
const TWO_POW_32 = 4294967296;
/** Select's scratch: one bucket's occupied slots (ids and positions); shared, as Select never nests. */
const scanIds = new Int32Array(ADDRMAN_BUCKET_SIZE);
const scanPositions = new Int32Array(ADDRMAN_BUCKET_SIZE);

function growI32(a: Int32Array, cap: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
function growF64(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
function growU32(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}

// Core: addrman.h AddrMan / addrman_impl.h AddrManImpl
export class AddrMan {
  readonly netgroupman: AddrManNetGroups;
  readonly pool: AddressPool;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly consistencyCheckRatio: number;
  readonly testBeforeEvict: boolean;
  /** nKey (32 bytes). Replaced when a serialized addrman is loaded, as in Core. */
  key: Uint8Array;

  // ---- entry rows (Core's mapInfo), indexed by nid ----
  /** @internal capacity of the row arrays */
  cap = 0;
  /** @internal pool id of the service, -1 for a free row */
  poolId = new Int32Array(0);
  /** @internal pool id of the source network address */
  sourceId = new Int32Array(0);
  /** @internal Core's never-reused nId of the row (nIdCount at creation), -1 when free */
  coreId = new Float64Array(0);
  /** @internal nTime (last seen, seconds) */
  time = new Float64Array(0);
  /** @internal nServices, low and high 32 bits */
  servicesLo = new Uint32Array(0);
  servicesHi = new Uint32Array(0);
  /** @internal m_last_try, m_last_count_attempt, m_last_success (seconds) */
  lastTry = new Float64Array(0);
  lastCountAttempt = new Float64Array(0);
  lastSuccess = new Float64Array(0);
  /** @internal nAttempts */
  attempts = new Int32Array(0);
  /** @internal nRefCount */
  refCount = new Uint8Array(0);
  /** @internal fInTried */
  inTried = new Uint8Array(0);
  /** @internal nRandomPos */
  randomPos = new Int32Array(0);
  /** @internal free rows */
  private freeRows: number[] = [];

  // ---- tables ----
  /** @internal mapAddr: pool id → nid */
  mapAddr = new IntMap();
  /** @internal vRandom (first `randomSize` elements used) */
  vRandom = new Int32Array(64);
  /** @internal */
  randomSize = 0;
  /**
   * @internal vvNew.get(bucket * 64 + position) = nid or -1. Its per-bucket occupancy (`fill`) lets
   * Select skip the 64-slot scan of an empty bucket; it still makes Core's draws, so the choice is
   * unchanged. This matters for a nearly empty AddrMan, where Core's Select draws hundreds of
   * buckets before it finds an entry.
   */
  readonly vvNew = new BucketTable(ADDRMAN_NEW_BUCKET_COUNT);
  /** @internal vvTried.get(bucket * 64 + position) = nid or -1 */
  readonly vvTried = new BucketTable(ADDRMAN_TRIED_BUCKET_COUNT);
  /** @internal nIdCount */
  idCount = 0;
  /** @internal nNew, nTried */
  nNew = 0;
  nTried = 0;
  /** @internal m_last_good (seconds); 1 so that "never" compares strictly worse */
  lastGood = 1;
  /**
   * @internal m_tried_collisions: Core's std::set<nid_type>, kept sorted by Core id. Entries are
   * Core ids (they outlive the row, exactly as Core's set may hold ids of deleted entries), each
   * with the row it was recorded for in `triedCollisionRows`.
   */
  triedCollisions: number[] = [];
  triedCollisionRows: number[] = [];
  /** @internal m_network_counts, by Network, plus which networks have a map entry at all */
  readonly netNew = new Int32Array(NET_SLOTS);
  readonly netTried = new Int32Array(NET_SLOTS);
  netPresent = 0;

  constructor(opts: AddrManOptions) {
    this.netgroupman = opts.netgroupman;
    this.clock = opts.clock;
    this.rng = opts.rng;
    if (!(opts.key instanceof Uint8Array) || opts.key.length !== 32) throw new RangeError('AddrMan key must be 32 bytes');
    this.key = Uint8Array.from(opts.key);
    this.consistencyCheckRatio = opts.consistencyCheckRatio ?? 0;
    this.pool = opts.pool ?? new AddressPool();
    this.testBeforeEvict = opts.testBeforeEvict ?? true;
    this.ensureCapacity(16);
  }

  // ------------------------------------------------------------------------------------------
  // Small helpers
  // ------------------------------------------------------------------------------------------

  /** Core's Now<NodeSeconds>(). */
  nowSeconds(): number {
    return secondsOf(this.clock.nowMicros());
  }

  private ensureCapacity(n: number): void {
    if (n <= this.cap) return;
    // Grow by half: at tens of thousands of rows per node, doubling would waste a third on average.
    let cap = Math.max(16, this.cap);
    while (cap < n) cap = Math.ceil(cap * 1.5);
    this.poolId = growI32(this.poolId, cap, -1);
    this.sourceId = growI32(this.sourceId, cap, -1);
    this.coreId = growF64(this.coreId, cap);
    this.coreId.fill(-1, this.cap);
    this.time = growF64(this.time, cap);
    this.servicesLo = growU32(this.servicesLo, cap);
    this.servicesHi = growU32(this.servicesHi, cap);
    this.lastTry = growF64(this.lastTry, cap);
    this.lastCountAttempt = growF64(this.lastCountAttempt, cap);
    this.lastSuccess = growF64(this.lastSuccess, cap);
    this.attempts = growI32(this.attempts, cap, 0);
    this.refCount = growU8(this.refCount, cap);
    this.inTried = growU8(this.inTried, cap);
    this.randomPos = growI32(this.randomPos, cap, -1);
    this.cap = cap;
  }

  /** @internal the group bytes of an interned address */
  group(poolId: number): Uint8Array {
    return this.pool.group(poolId, this.netgroupman);
  }

  /** @internal AddrInfo::GetTriedBucket of a row */
  triedBucketOf(nid: number): number {
    const p = this.poolId[nid]!;
    return triedBucket(this.key, this.pool.serviceKey(p), this.group(p));
  }

  /** @internal AddrInfo::GetNewBucket(nKey, src) of a row with an explicit source */
  newBucketOf(nid: number, sourcePoolId: number): number {
    return newBucket(this.key, this.group(this.poolId[nid]!), this.group(sourcePoolId));
  }

  /** @internal AddrInfo::GetBucketPosition of a row */
  positionOf(nid: number, isNew: boolean, bucket: number): number {
    return bucketPosition(this.key, isNew, bucket, this.pool.serviceKey(this.poolId[nid]!));
  }

  /** @internal AddrInfo::IsTerrible of a row */
  isTerribleRow(nid: number, now: number): boolean {
    return isTerribleEntry(this.time[nid]!, this.lastTry[nid]!, this.lastSuccess[nid]!, this.attempts[nid]!, now);
  }

  /** @internal GetNetwork of a row, for the per-network counters */
  netOf(nid: number): number {
    return this.pool.getNetwork(this.poolId[nid]!);
  }

  /** @internal m_network_counts[net].n_new += d (creating the map entry) */
  bumpNew(net: number, d: number): void {
    this.netNew[net]! += d;
    this.netPresent |= 1 << net;
  }
  /** @internal m_network_counts[net].n_tried += d (creating the map entry) */
  bumpTried(net: number, d: number): void {
    this.netTried[net]! += d;
    this.netPresent |= 1 << net;
  }

  /** @internal appends a nid to vRandom and records its position */
  pushRandom(nid: number): void {
    if (this.randomSize === this.vRandom.length) this.vRandom = growI32(this.vRandom, this.vRandom.length * 2, 0);
    this.randomPos[nid] = this.randomSize;
    this.vRandom[this.randomSize++] = nid;
  }

  /** @internal allocates a row with Core id nIdCount++ (fields zeroed as a fresh AddrInfo) */
  allocRow(poolId: number, sourceId: number): number {
    let nid: number;
    if (this.freeRows.length > 0) {
      nid = this.freeRows.pop()!;
    } else {
      nid = this.highWater;
      this.ensureCapacity(nid + 1);
      this.highWater++;
    }
    this.poolId[nid] = poolId;
    this.sourceId[nid] = sourceId;
    this.coreId[nid] = this.idCount;
    this.idCount++;
    this.time[nid] = 0;
    this.servicesLo[nid] = 0;
    this.servicesHi[nid] = 0;
    this.lastTry[nid] = 0;
    this.lastCountAttempt[nid] = 0;
    this.lastSuccess[nid] = 0;
    this.attempts[nid] = 0;
    this.refCount[nid] = 0;
    this.inTried[nid] = 0;
    this.randomPos[nid] = -1;
    return nid;
  }
  /** @internal rows ever allocated (live or free) */
  highWater = 0;

  /** @internal releases a row */
  private freeRow(nid: number): void {
    this.poolId[nid] = -1;
    this.sourceId[nid] = -1;
    this.coreId[nid] = -1;
    this.freeRows.push(nid);
  }

  /** @internal whether a row holds a live entry */
  isLive(nid: number): boolean {
    return this.poolId[nid]! >= 0;
  }

  /** @internal the row of the k-th collision if its entry still exists, else -1 (Core's mapInfo.contains(id)) */
  private collisionRow(k: number): number {
    const nid = this.triedCollisionRows[k]!;
    return this.coreId[nid] === this.triedCollisions[k] ? nid : -1;
  }

  /** @internal sets nServices of a row */
  setServicesRow(nid: number, services: number): void {
    this.servicesLo[nid] = services % TWO_POW_32;
    this.servicesHi[nid] = Math.floor(services / TWO_POW_32);
  }

  /** @internal nServices of a row (protocol.ts's ServiceFlags number) */
  servicesOf(nid: number): number {
    return this.servicesHi[nid]! * TWO_POW_32 + this.servicesLo[nid]!;
  }

  /** @internal builds the CAddress copy of a row */
  addressOf(nid: number): Address {
    return new Address(this.pool.service(this.poolId[nid]!), this.servicesOf(nid), this.time[nid]!);
  }

  /** @internal Core: AddrManImpl::Find — the row of a service, or -1. */
  find(addr: Service): number {
    const p = this.pool.find(addr);
    if (p < 0) return -1;
    return this.mapAddr.get(p) ?? -1;
  }

  // ------------------------------------------------------------------------------------------
  // Core's private operations
  // ------------------------------------------------------------------------------------------

  /** @internal */
  // Core: addrman.cpp AddrManImpl::Create
  create(addrPoolId: number, time: number, services: number, sourcePoolId: number): number {
    const nid = this.allocRow(addrPoolId, sourcePoolId);
    this.time[nid] = time;
    this.setServicesRow(nid, services);
    this.mapAddr.set(addrPoolId, nid);
    this.pushRandom(nid);
    this.nNew++;
    this.bumpNew(this.pool.getNetwork(addrPoolId), 1);
    return nid;
  }

  /** @internal */
  // Core: addrman.cpp AddrManImpl::SwapRandom
  swapRandom(pos1: number, pos2: number): void {
    if (pos1 === pos2) return;
    if (pos1 >= this.randomSize || pos2 >= this.randomSize) throw new Error('SwapRandom out of range');
    const id1 = this.vRandom[pos1]!;
    const id2 = this.vRandom[pos2]!;
    this.randomPos[id1] = pos2;
    this.randomPos[id2] = pos1;
    this.vRandom[pos1] = id2;
    this.vRandom[pos2] = id1;
  }

  /** @internal */
  // Core: addrman.cpp AddrManImpl::Delete
  delete(nid: number): void {
    if (!this.isLive(nid) || this.inTried[nid] || this.refCount[nid] !== 0) throw new Error('AddrMan Delete precondition');
    this.swapRandom(this.randomPos[nid]!, this.randomSize - 1);
    this.bumpNew(this.netOf(nid), -1);
    this.randomSize--;
    this.mapAddr.delete(this.poolId[nid]!);
    this.freeRow(nid);
    this.nNew--;
  }

  /** @internal Writes new-table slot `slot` (bucket * 64 + position); every write goes through here. */
  setNewSlot(slot: number, nid: number): void {
    this.vvNew.set(slot, nid);
  }

  /** @internal Whether the per-bucket occupancy counts match the tables (checked by the fuzz test). */
  bucketFillConsistent(): boolean {
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
      let n = 0;
      for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) if (this.vvNew.get(b * ADDRMAN_BUCKET_SIZE + i) !== -1) n++;
      if (n !== this.vvNew.fill[b]) return false;
    }
    for (let b = 0; b < ADDRMAN_TRIED_BUCKET_COUNT; b++) {
      let n = 0;
      for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) if (this.vvTried.get(b * ADDRMAN_BUCKET_SIZE + i) !== -1) n++;
      if (n !== this.vvTried.fill[b]) return false;
    }
    return true;
  }

  /** @internal Writes tried-table slot `slot` (bucket * 64 + position); every write goes through here. */
  setTriedSlot(slot: number, nid: number): void {
    this.vvTried.set(slot, nid);
  }

  // Core: addrman.cpp AddrManImpl::ClearNew
  private clearNew(bucket: number, pos: number): void {
    const slot = bucket * ADDRMAN_BUCKET_SIZE + pos;
    const del = this.vvNew.get(slot);
    if (del !== -1) {
      if (this.refCount[del]! <= 0) throw new Error('ClearNew of an entry with no references');
      this.refCount[del]!--;
      this.setNewSlot(slot, -1);
      if (this.refCount[del] === 0) this.delete(del);
    }
  }

  // Core: addrman.cpp AddrManImpl::MakeTried
  private makeTried(nid: number): void {
    // Drop every new-table reference, walking buckets from the entry's primary one.
    const startBucket = this.newBucketOf(nid, this.sourceId[nid]!);
    const vvNew = this.vvNew;
    for (let n = 0; n < ADDRMAN_NEW_BUCKET_COUNT; ++n) {
      const bucket = (startBucket + n) % ADDRMAN_NEW_BUCKET_COUNT;
      // Core hashes the entry's position in every bucket it walks. The slot can only hold `nid`
      // when the bucket holds it somewhere, so a bucket without it is skipped before the hash:
      // the same slots are cleared in the same order, for a fraction of the SHA-256 work.
      if (vvNew.fill[bucket] === 0) continue;
      if (!vvNew.bucketHolds(bucket, nid)) continue;
      const pos = this.positionOf(nid, true, bucket);
      const slot = bucket * ADDRMAN_BUCKET_SIZE + pos;
      if (this.vvNew.get(slot) === nid) {
        this.setNewSlot(slot, -1);
        this.refCount[nid]!--;
        if (this.refCount[nid] === 0) break;
      }
    }
    this.nNew--;
    this.bumpNew(this.netOf(nid), -1);
    if (this.refCount[nid] !== 0) throw new Error('MakeTried: entry still referenced from new');

    const kb = this.triedBucketOf(nid);
    const kpos = this.positionOf(nid, false, kb);
    const kslot = kb * ADDRMAN_BUCKET_SIZE + kpos;

    // Make room: the current occupant goes back to the new table (only reachable without test-before-evict).
    if (this.vvTried.get(kslot) !== -1) {
      const evict = this.vvTried.get(kslot);
      this.inTried[evict] = 0;
      this.setTriedSlot(kslot, -1);
      this.nTried--;
      this.bumpTried(this.netOf(evict), -1);

      const ub = this.newBucketOf(evict, this.sourceId[evict]!);
      const upos = this.positionOf(evict, true, ub);
      this.clearNew(ub, upos);
      this.refCount[evict] = 1;
      this.setNewSlot(ub * ADDRMAN_BUCKET_SIZE + upos, evict);
      this.nNew++;
      this.bumpNew(this.netOf(evict), 1);
    }
    this.setTriedSlot(kslot, nid);
    this.nTried++;
    this.inTried[nid] = 1;
    this.bumpTried(this.netOf(nid), 1);
  }

  // Core: addrman.cpp AddrManImpl::AddSingle
  private addSingle(addr: Address, sourcePoolId: number, timePenalty: number): boolean {
    const addrPool = this.pool.intern(addr);
    if (!this.pool.isRoutable(addrPool)) return false;

    let nid = this.mapAddr.get(addrPool) ?? -1;
    const addrTime = addr.time;

    // A source announcing itself gets no penalty (CNetAddr comparison: the port is ignored).
    if (this.pool.sameNetAddr(addrPool, sourcePoolId)) timePenalty = 0;

    if (nid >= 0) {
      // Refresh nTime now and then; Core compares against the sub-second NodeClock here.
      const nowMicros = this.clock.nowMicros();
      const currentlyOnline = nowMicros - addrTime * MICROS_PER_SECOND < 24 * 3600 * MICROS_PER_SECOND;
      const updateInterval = currentlyOnline ? 3600 : 24 * 3600;
      if (this.time[nid]! < addrTime - updateInterval - timePenalty) {
        this.time[nid] = Math.max(0, addrTime - timePenalty);
      }
      // Gossip may add service bits, never remove them.
      const s = addr.services;
      this.servicesLo[nid] = (this.servicesLo[nid]! | s % TWO_POW_32) >>> 0;
      this.servicesHi[nid] = (this.servicesHi[nid]! | Math.floor(s / TWO_POW_32)) >>> 0;
      if (addrTime <= this.time[nid]!) return false;
      if (this.inTried[nid]) return false;
      if (this.refCount[nid] === ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return false;
      // Each extra reference is twice as hard to get as the previous one.
      if (this.refCount[nid]! > 0) {
        const factor = 1 << this.refCount[nid]!;
        if (this.rng.randrange(factor) !== 0) return false;
      }
    } else {
      nid = this.create(addrPool, addrTime, addr.services, sourcePoolId);
      this.time[nid] = Math.max(0, this.time[nid]! - timePenalty);
    }

    const ub = this.newBucketOf(nid, sourcePoolId);
    const upos = this.positionOf(nid, true, ub);
    const slot = ub * ADDRMAN_BUCKET_SIZE + upos;
    const occupant = this.vvNew.get(slot);
    let insert = occupant === -1;
    if (occupant !== nid) {
      if (!insert) {
        // Overwrite an occupant that is terrible, or that is also referenced elsewhere while we are not.
        if (this.isTerribleRow(occupant, this.nowSeconds()) || (this.refCount[occupant]! > 1 && this.refCount[nid] === 0)) {
          insert = true;
        }
      }
      if (insert) {
        this.clearNew(ub, upos);
        this.refCount[nid]!++;
        this.setNewSlot(slot, nid);
      } else if (this.refCount[nid] === 0) {
        this.delete(nid);
      }
    }
    return insert;
  }

  // Core: addrman.cpp AddrManImpl::Good_
  private good_(nid: number, testBeforeEvict: boolean, time: number): boolean {
    // (Core sets m_last_good before the lookup; the callers do that here.)
    this.lastSuccess[nid] = time;
    this.lastTry[nid] = time;
    this.attempts[nid] = 0;
    // nTime stays untouched so that it does not reveal which peers we are connected to right now.
    if (this.inTried[nid]) return false;
    if (!(this.refCount[nid]! > 0)) return false;

    const kb = this.triedBucketOf(nid);
    const kpos = this.positionOf(nid, false, kb);
    if (testBeforeEvict && this.vvTried.get(kb * ADDRMAN_BUCKET_SIZE + kpos) !== -1) {
      if (this.triedCollisions.length < ADDRMAN_SET_TRIED_COLLISION_SIZE) this.insertCollision(nid);
      return false;
    }
    this.makeTried(nid);
    return true;
  }

  /** std::set insert: sorted, unique. */
  private insertCollision(nid: number): void {
    const coreId = this.coreId[nid]!;
    const c = this.triedCollisions;
    let i = 0;
    while (i < c.length && c[i]! < coreId) i++;
    if (i < c.length && c[i] === coreId) return;
    c.splice(i, 0, coreId);
    this.triedCollisionRows.splice(i, 0, nid);
  }

  // Core: addrman.cpp AddrManImpl::GetEntry
  private getEntry(useTried: boolean, bucket: number, position: number): number {
    return useTried ? this.vvTried.get(bucket * ADDRMAN_BUCKET_SIZE + position) : this.vvNew.get(bucket * ADDRMAN_BUCKET_SIZE + position);
  }

  /** @internal */
  // Core: addrman.cpp AddrManImpl::Check
  check(): void {
    if (this.consistencyCheckRatio === 0) return;
    if (this.rng.randrange(this.consistencyCheckRatio) >= 1) return;
    const err = this.checkAddrman();
    if (err !== 0) throw new AddrManConsistencyError(err);
  }

  // ------------------------------------------------------------------------------------------
  // Public operations (each wrapped in Core's Check() before and after)
  // ------------------------------------------------------------------------------------------

  /**
   * Adds gossiped/seeded addresses to the new table. `timePenaltySeconds` is subtracted from each
   * record's nTime unless the source announces itself. Returns true if at least one address took a
   * new-table slot.
   */
  // Core: addrman.cpp AddrManImpl::Add / Add_
  add(addrs: readonly Address[], source: NetAddr, timePenaltySeconds = 0): boolean {
    this.check();
    OP_COUNTS[Op.amAdd] += addrs.length;
    const sourcePool = this.pool.internNetAddr(source);
    let added = 0;
    for (let i = 0; i < addrs.length; i++) {
      if (this.addSingle(addrs[i]!, sourcePool, timePenaltySeconds)) added++;
    }
    this.check();
    return added > 0;
  }

  /** Marks an address as successfully connected and tries to move it to tried. */
  // Core: addrman.cpp AddrManImpl::Good
  good(addr: Service, timeSeconds: number = this.nowSeconds()): boolean {
    this.check();
    OP_COUNTS[Op.amGood]++;
    this.lastGood = timeSeconds;
    const nid = this.find(addr);
    const ret = nid >= 0 ? this.good_(nid, this.testBeforeEvict, timeSeconds) : false;
    this.check();
    return ret;
  }

  /** Records a connection attempt; a counted failure increments nAttempts once per Good() epoch. */
  // Core: addrman.cpp AddrManImpl::Attempt / Attempt_
  attempt(addr: Service, countFailure: boolean, timeSeconds: number = this.nowSeconds()): void {
    this.check();
    OP_COUNTS[Op.amAttempt]++;
    const nid = this.find(addr);
    if (nid >= 0) {
      this.lastTry[nid] = timeSeconds;
      if (countFailure && this.lastCountAttempt[nid]! < this.lastGood) {
        this.lastCountAttempt[nid] = timeSeconds;
        this.attempts[nid]!++;
      }
    }
    this.check();
  }

  /** Moves pending tried collisions forward (test-before-evict). */
  // Core: addrman.cpp AddrManImpl::ResolveCollisions / ResolveCollisions_
  resolveCollisions(): void {
    this.check();
    OP_COUNTS[Op.amResolve]++;
    const kept: number[] = [];
    const keptRows: number[] = [];
    // Iterate a snapshot: Good_ below never inserts (it runs without test-before-evict).
    const pending = this.triedCollisions;
    const pendingRows = this.triedCollisionRows;
    for (let i = 0; i < pending.length; i++) {
      const idNew = pending[i]!;
      let erase = false;
      const nidNew = this.coreId[pendingRows[i]!] === idNew ? pendingRows[i]! : -1;
      if (nidNew < 0) {
        erase = true;
      } else {
        const kb = this.triedBucketOf(nidNew);
        const kpos = this.positionOf(nidNew, false, kb);
        if (!this.pool.isValid(this.poolId[nidNew]!)) {
          erase = true;
        } else {
          const idOld = this.vvTried.get(kb * ADDRMAN_BUCKET_SIZE + kpos);
          if (idOld === -1) throw new Error('ResolveCollisions: pending collision with an empty tried slot');
          const now = this.nowSeconds();
          if (now - this.lastSuccess[idOld]! < ADDRMAN_REPLACEMENT) {
            // The occupant connected recently: keep it.
            erase = true;
          } else if (now - this.lastTry[idOld]! < ADDRMAN_REPLACEMENT) {
            // The occupant was tried recently; once the attempt had a minute to succeed and did not, replace it.
            if (now - this.lastTry[idOld]! > 60) {
              this.lastGood = now;
              this.good_(nidNew, false, now);
              erase = true;
            }
          } else if (now - this.lastSuccess[nidNew]! > ADDRMAN_TEST_WINDOW) {
            // No test happened within the window: evict anyway.
            this.lastGood = now;
            this.good_(nidNew, false, now);
            erase = true;
          }
        }
      }
      if (!erase) {
        kept.push(idNew);
        keptRows.push(pendingRows[i]!);
      }
    }
    this.triedCollisions = kept;
    this.triedCollisionRows = keptRows;
    this.check();
  }

  /** A random tried entry that a pending collision would evict (for a feeler), with its last try. */
  // Core: addrman.cpp AddrManImpl::SelectTriedCollision / SelectTriedCollision_
  selectTriedCollision(): SelectResult {
    this.check();
    OP_COUNTS[Op.amSelectCollision]++;
    const ret = this.selectTriedCollision_();
    this.check();
    return ret;
  }

  private selectTriedCollision_(): SelectResult {
    if (this.triedCollisions.length === 0) return { address: null, lastTry: 0 };
    const idx = this.rng.randrange(this.triedCollisions.length);
    const nidNew = this.collisionRow(idx);
    if (nidNew < 0) {
      this.triedCollisions.splice(idx, 1);
      this.triedCollisionRows.splice(idx, 1);
      return { address: null, lastTry: 0 };
    }
    const kb = this.triedBucketOf(nidNew);
    const kpos = this.positionOf(nidNew, false, kb);
    const old = this.vvTried.get(kb * ADDRMAN_BUCKET_SIZE + kpos);
    if (old === -1) throw new Error('SelectTriedCollision: pending collision with an empty tried slot');
    return { address: this.addressOf(old), lastTry: this.lastTry[old]! };
  }

  /**
   * Chooses an address to connect to: from new only, or from either table (50/50 when both have
   * candidates), optionally restricted to `networks`.
   */
  // Core: addrman.cpp AddrManImpl::Select
  select(newOnly = false, networks?: Iterable<Network>): SelectResult {
    this.check();
    OP_COUNTS[Op.amSelect]++;
    const ret = this.select_(newOnly, networks);
    this.check();
    return ret;
  }

  /**
   * The open-connections loop's draw (Core: ThreadOpenConnections' addrman.Select(newOnly,
   * networks)). `countOutbound` is for profiles whose Select is weighted by the number of outbound
   * connections (profiles/addrman-legacy.ts); Core master's ignores it.
   */
  selectForOutbound(newOnly: boolean, networks: Iterable<Network>, _countOutbound: () => number): SelectResult {
    return this.select(newOnly, networks);
  }

  // Core: addrman.cpp AddrManImpl::Select_
  private select_(newOnly: boolean, networks?: Iterable<Network>): SelectResult {
    if (this.randomSize === 0) return { address: null, lastTry: 0 };
    let netMask = 0;
    if (networks !== undefined) for (const n of networks) netMask |= 1 << n;

    let newCount = this.nNew;
    let triedCount = this.nTried;
    if (netMask !== 0) {
      newCount = 0;
      triedCount = 0;
      for (let n = 0; n < NET_SLOTS; n++) {
        if (netMask & (1 << n)) {
          newCount += this.netNew[n]!;
          triedCount += this.netTried[n]!;
        }
      }
    }
    if (newOnly && newCount === 0) return { address: null, lastTry: 0 };
    if (newCount + triedCount === 0) return { address: null, lastTry: 0 };

    let searchTried: boolean;
    if (newOnly || triedCount === 0) searchTried = false;
    else if (newCount === 0) searchTried = true;
    else searchTried = this.rng.randbool();

    // Bucket counts and the bucket size are powers of two, so Core's randrange(n) is exactly one
    // randbits(log2 n) draw (rejection never triggers); calling randbits directly saves the
    // rejection loop's bookkeeping on this, the hottest loop of a busy network.
    const bucketBits = searchTried ? TRIED_BUCKET_BITS : NEW_BUCKET_BITS;
    const table = searchTried ? this.vvTried : this.vvNew;
    const fill = table.fill;
    const rng = this.rng;
    // The clock does not move inside Select; Core reads it per candidate, with the same result.
    const now = this.nowSeconds();
    let chanceFactor = 1.0;
    const ids = scanIds;
    const positions = scanPositions;
    for (;;) {
      const bucket = rng.randbits(bucketBits);
      const initial = rng.randbits(BUCKET_SIZE_BITS);
      if (fill[bucket] === 0) continue; // nothing to find in this bucket: Core's scan would fail too
      // Core walks positions initial, initial + 1, ... (mod 64) and stops at the first occupied one
      // of an accepted network. Over the bucket's occupied slots in position order that is: those at
      // or after `initial`, then those before it.
      const n = table.bucketIds(bucket, ids, positions);
      let k0 = 0;
      while (k0 < n && positions[k0]! < initial) k0++;
      let nid = -1;
      for (let j = 0; j < n; j++) {
        const k = k0 + j < n ? k0 + j : k0 + j - n;
        const candidate = ids[k]!;
        if (netMask === 0 || netMask & (1 << this.netOf(candidate))) {
          nid = candidate;
          break;
        }
      }
      if (nid === -1) continue;
      const chance = entryChance(this.lastTry[nid]!, this.attempts[nid]!, now);
      if (rng.randbits(30) < chanceFactor * chance * TWO_POW_30) {
        return { address: this.addressOf(nid), lastTry: this.lastTry[nid]! };
      }
      chanceFactor *= 1.2;
    }
  }

  /**
   * Up to `maxAddresses` (0 = no cap) and `maxPct` percent (0 = no cap) of all entries in random
   * order, optionally of one net class, skipping terrible ones when `filtered`.
   */
  // Core: addrman.cpp AddrManImpl::GetAddr / GetAddr_
  getAddr(maxAddresses: number, maxPct: number, network: Network | null = null, filtered = true): Address[] {
    this.check();
    let nodes = this.randomSize;
    if (maxPct !== 0) {
      const pct = Math.min(maxPct, 100);
      nodes = Math.floor((pct * nodes) / 100);
    }
    if (maxAddresses !== 0) nodes = Math.min(nodes, maxAddresses);
    const now = this.nowSeconds();
    const out: Address[] = [];
    for (let n = 0; n < this.randomSize; n++) {
      if (out.length >= nodes) break;
      const rndPos = this.rng.randrange(this.randomSize - n) + n;
      this.swapRandom(n, rndPos);
      const nid = this.vRandom[n]!;
      if (network !== null && this.pool.getNetClass(this.poolId[nid]!) !== network) continue;
      if (this.isTerribleRow(nid, now) && filtered) continue;
      out.push(this.addressOf(nid));
    }
    OP_COUNTS[Op.amGetAddr] += out.length;
    this.check();
    return out;
  }

  /** Every occupied slot of one table in bucket/position order, as getrawaddrman lists them. */
  // Core: addrman.cpp AddrManImpl::GetEntries / GetEntries_
  getEntries(fromTried: boolean): { info: AddrInfoView; position: AddressPosition }[] {
    this.check();
    const bucketCount = fromTried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
    const out: { info: AddrInfoView; position: AddressPosition }[] = [];
    for (let bucket = 0; bucket < bucketCount; ++bucket) {
      for (let position = 0; position < ADDRMAN_BUCKET_SIZE; ++position) {
        const nid = this.getEntry(fromTried, bucket, position);
        if (nid >= 0) {
          out.push({
            info: this.infoOf(nid),
            position: { tried: fromTried, multiplicity: fromTried ? 1 : this.refCount[nid]!, bucket, position },
          });
        }
      }
    }
    this.check();
    return out;
  }

  /**
   * Calls `fn` once per entry with the pool id of its address (`this.pool.service(poolId)` gives
   * the address; the id is stable for the pool's life, so callers may cache facts by it) and
   * whether it is in tried. Rows are visited in storage order. Unlike Size() / GetEntries() it
   * runs no consistency check and draws nothing, so observers (metrics) can call it at any time
   * without changing the node's behaviour. Not a Core function. `fn` must not modify the table.
   */
  forEachEntry(fn: (poolId: number, inTried: boolean) => void): void {
    const high = this.highWater;
    for (let nid = 0; nid < high; nid++) {
      const p = this.poolId[nid]!;
      if (p >= 0) fn(p, this.inTried[nid] === 1);
    }
  }

  /** @internal a read-only snapshot of a row */
  infoOf(nid: number): AddrInfoView {
    return {
      address: this.addressOf(nid),
      source: this.pool.service(this.sourceId[nid]!),
      lastTry: this.lastTry[nid]!,
      lastCountAttempt: this.lastCountAttempt[nid]!,
      lastSuccess: this.lastSuccess[nid]!,
      attempts: this.attempts[nid]!,
      refCount: this.refCount[nid]!,
      inTried: this.inTried[nid] === 1,
    };
  }

  /** The statistics of one address, or null if unknown (a test and diagnostics helper). */
  getInfo(addr: Service): AddrInfoView | null {
    const nid = this.find(addr);
    return nid >= 0 ? this.infoOf(nid) : null;
  }

  /** Refreshes nTime after a connection to this peer ended (only if 20 minutes old). */
  // Core: addrman.cpp AddrManImpl::Connected / Connected_
  connected(addr: Service, timeSeconds: number = this.nowSeconds()): void {
    this.check();
    OP_COUNTS[Op.amConnected]++;
    const nid = this.find(addr);
    if (nid >= 0 && timeSeconds - this.time[nid]! > 20 * 60) this.time[nid] = timeSeconds;
    this.check();
  }

  /** Overwrites an entry's service bits (with what the peer told us in VERSION). */
  // Core: addrman.cpp AddrManImpl::SetServices / SetServices_
  setServices(addr: Service, services: number): void {
    this.check();
    OP_COUNTS[Op.amSetServices]++;
    const nid = this.find(addr);
    if (nid >= 0) this.setServicesRow(nid, services);
    this.check();
  }

  /** Where an address sits: its tried slot, or its primary new slot (by stored source) and multiplicity. */
  // Core: addrman.cpp AddrManImpl::FindAddressEntry / FindAddressEntry_
  findAddressEntry(addr: Service): AddressPosition | null {
    this.check();
    const nid = this.find(addr);
    let ret: AddressPosition | null = null;
    if (nid >= 0) {
      if (this.inTried[nid]) {
        const bucket = this.triedBucketOf(nid);
        ret = { tried: true, multiplicity: 1, bucket, position: this.positionOf(nid, false, bucket) };
      } else {
        const bucket = this.newBucketOf(nid, this.sourceId[nid]!);
        ret = { tried: false, multiplicity: this.refCount[nid]!, bucket, position: this.positionOf(nid, true, bucket) };
      }
    }
    this.check();
    return ret;
  }

  /** Number of entries, optionally of one network (GetNetwork) and/or one table (true = new). */
  // Core: addrman.cpp AddrManImpl::Size / Size_
  size(net: Network | null = null, inNew: boolean | null = null): number {
    this.check();
    let ret: number;
    if (net === null) {
      ret = inNew === null ? this.randomSize : inNew ? this.nNew : this.nTried;
    } else if (this.netPresent & (1 << net)) {
      ret = inNew === null ? this.netNew[net]! + this.netTried[net]! : inNew ? this.netNew[net]! : this.netTried[net]!;
    } else {
      ret = 0;
    }
    this.check();
    return ret;
  }

  /** Bytes of the typed arrays behind vvNew and vvTried (diagnostics and benchmarks; not a Core API). */
  tableBytes(): number {
    return this.vvNew.byteSize() + this.vvTried.byteSize();
  }

  /** Number of distinct new-table slot references (diagnostics; not a Core API). */
  newSlotCount(): number {
    let n = 0;
    const fill = this.vvNew.fill;
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) n += fill[b]!;
    return n;
  }

  /**
   * Core's full consistency check. Returns 0 or Core's negative error code (-1 … -21).
   */
  // Core: addrman.cpp AddrManImpl::CheckAddrman
  checkAddrman(): number {
    if (this.randomSize !== this.nTried + this.nNew) return -7;
    const triedSeen = new Uint8Array(this.highWater);
    const newRefs = new Int32Array(this.highWater).fill(-1);
    let triedCount = 0;
    let newCount = 0;
    const localNew = new Int32Array(NET_SLOTS);
    const localTried = new Int32Array(NET_SLOTS);
    let localPresent = 0;
    for (let n = 0; n < this.highWater; n++) {
      if (!this.isLive(n)) continue;
      const net = this.netOf(n);
      localPresent |= 1 << net;
      if (this.inTried[n]) {
        if (Math.trunc(this.lastSuccess[n]!) === 0) return -1;
        if (this.refCount[n]) return -2;
        triedSeen[n] = 1;
        triedCount++;
        localTried[net]!++;
      } else {
        if (this.refCount[n]! < 0 || this.refCount[n]! > ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return -3;
        if (!this.refCount[n]) return -4;
        newRefs[n] = this.refCount[n]!;
        newCount++;
        localNew[net]!++;
      }
      if (this.mapAddr.get(this.poolId[n]!) !== n) return -5;
      const rp = this.randomPos[n]!;
      if (rp < 0 || rp >= this.randomSize || this.vRandom[rp] !== n) return -14;
      if (this.lastTry[n]! < 0) return -6;
      if (this.lastSuccess[n]! < 0) return -8;
    }
    if (triedCount !== this.nTried) return -9;
    if (newCount !== this.nNew) return -10;

    for (let b = 0; b < ADDRMAN_TRIED_BUCKET_COUNT; b++) {
      for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
        const id = this.vvTried.get(b * ADDRMAN_BUCKET_SIZE + i);
        if (id === -1) continue;
        if (id >= this.highWater || !triedSeen[id]) return -11;
        if (!this.isLive(id) || this.triedBucketOf(id) !== b) return -17;
        if (this.positionOf(id, false, b) !== i) return -18;
        triedSeen[id] = 0;
        triedCount--;
      }
    }
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
      for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
        const id = this.vvNew.get(b * ADDRMAN_BUCKET_SIZE + i);
        if (id === -1) continue;
        if (id >= this.highWater || newRefs[id]! <= 0) return -12;
        if (!this.isLive(id) || this.positionOf(id, true, b) !== i) return -19;
        if (--newRefs[id]! === 0) newCount--;
      }
    }
    if (triedCount !== 0) return -13;
    if (newCount !== 0) return -15;
    let keyNull = true;
    for (let i = 0; i < 32; i++) if (this.key[i] !== 0) keyNull = false;
    if (keyNull) return -16;

    // Core keeps all-zero per-network entries for networks that once had addresses; it only needs
    // at least as many map entries as there are networks in use, and equal counts for each.
    if (popcount(this.netPresent) < popcount(localPresent)) return -20;
    for (let net = 0; net < NET_SLOTS; net++) {
      if (!(this.netPresent & (1 << net))) continue;
      if (localNew[net] !== this.netNew[net] || localTried[net] !== this.netTried[net]) return -21;
    }
    return 0;
  }
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}

