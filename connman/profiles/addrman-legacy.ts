// The address manager of Bitcoin Core v0.10.0 (src/addrman.{h,cpp} at commit aaba10f275, Feb 2015):
// the table that Heilman et al. ("Eclipse Attacks on Bitcoin's Peer-to-Peer Network", 2015)
// attacked, before PR #5941 rewrote it. It holds the v0.10 geometry (256 new buckets and 64 tried
// buckets of up to 64 entries, with no fixed position inside a bucket), the v0.10 bucket hashes,
// the eviction rules (ShrinkNew: drop a terrible entry or the stalest of four random ones;
// SelectTried: the least recently successful of four random tried entries), Good's move to tried,
// and Select with its nUnkBias weighting of tried against new by the square roots of their sizes.
//
// It does not hold the master AddrMan (addrman.ts, which this class extends only to reuse the
// entry rows, the address interning, vRandom and the per-network counters), serialization (the v0.10
// peers.dat format is addrman-legacy-serialize.ts), test-before-evict or per-network selection,
// which did not exist then.

import { cheapHashLow16 } from '../addrman/bucket-hash.ts';
import { AddrMan, type AddrInfoView, type AddrManOptions, type AddressPosition, type SelectResult } from '../addrman/addrman.ts';
import type { Network, NetAddr, Service } from '../protocol/netaddress.ts';
import type { Address } from '../protocol/protocol.ts';

/** Core v0.10: addrman.h ADDRMAN_TRIED_BUCKET_COUNT */
export const LEGACY_ADDRMAN_TRIED_BUCKET_COUNT = 64;
/** Core v0.10: addrman.h ADDRMAN_TRIED_BUCKET_SIZE */
export const LEGACY_ADDRMAN_TRIED_BUCKET_SIZE = 64;
/** Core v0.10: addrman.h ADDRMAN_NEW_BUCKET_COUNT */
export const LEGACY_ADDRMAN_NEW_BUCKET_COUNT = 256;
/** Core v0.10: addrman.h ADDRMAN_NEW_BUCKET_SIZE */
export const LEGACY_ADDRMAN_NEW_BUCKET_SIZE = 64;
/** Core v0.10: addrman.h ADDRMAN_TRIED_BUCKETS_PER_GROUP */
export const LEGACY_ADDRMAN_TRIED_BUCKETS_PER_GROUP = 4;
/** Core v0.10: addrman.h ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP */
export const LEGACY_ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP = 32;
/** Core v0.10: addrman.h ADDRMAN_NEW_BUCKETS_PER_ADDRESS */
export const LEGACY_ADDRMAN_NEW_BUCKETS_PER_ADDRESS = 4;
/** Core v0.10: addrman.h ADDRMAN_TRIED_ENTRIES_INSPECT_ON_EVICT */
export const ADDRMAN_TRIED_ENTRIES_INSPECT_ON_EVICT = 4;
/** Core v0.10: addrman.h ADDRMAN_HORIZON_DAYS */
export const ADDRMAN_HORIZON_DAYS = 30;
/** Core v0.10: addrman.h ADDRMAN_RETRIES */
const LEGACY_ADDRMAN_RETRIES = 3;
/** Core v0.10: addrman.h ADDRMAN_MAX_FAILURES */
const LEGACY_ADDRMAN_MAX_FAILURES = 10;
/** Core v0.10: addrman.h ADDRMAN_MIN_FAIL_DAYS */
export const ADDRMAN_MIN_FAIL_DAYS = 7;

const TWO_POW_30 = 1 << 30;
const TWO_POW_32 = 4294967296;

// The v0.10 preimages: nKey was a std::vector, so it is serialized with a CompactSize length (0x20)
// in front, unlike the uint256 key of later versions. Every modulus is a power of two, so the low 16
// bits of GetCheapHash suffice (as in addrman/buckets.ts).
const scratch = new Uint8Array(256);

function putKey(key: Uint8Array): number {
  scratch[0] = 32;
  scratch.set(key, 1);
  return 33;
}
function putVec(off: number, v: Uint8Array): number {
  scratch[off] = v.length;
  scratch.set(v, off + 1);
  return off + 1 + v.length;
}
function putU64Small(off: number, v: number): number {
  scratch.fill(0, off, off + 8);
  scratch[off] = v & 0xff;
  scratch[off + 1] = (v >>> 8) & 0xff;
  return off + 8;
}

/** The v0.10 tried bucket: one of 4 buckets per netgroup, picked by the full address. */
// Core v0.10: addrman.cpp CAddrInfo::GetTriedBucket
export function legacyTriedBucket(key: Uint8Array, serviceKey: Uint8Array, group: Uint8Array): number {
  let n = putVec(putKey(key), serviceKey);
  const h1 = cheapHashLow16(scratch, n) % LEGACY_ADDRMAN_TRIED_BUCKETS_PER_GROUP;
  n = putVec(putKey(key), group);
  n = putU64Small(n, h1);
  return cheapHashLow16(scratch, n) % LEGACY_ADDRMAN_TRIED_BUCKET_COUNT;
}

/** The v0.10 new bucket: one of 32 buckets per source netgroup, picked by the address's netgroup. */
// Core v0.10: addrman.cpp CAddrInfo::GetNewBucket
export function legacyNewBucket(key: Uint8Array, group: Uint8Array, sourceGroup: Uint8Array): number {
  let n = putVec(putVec(putKey(key), group), sourceGroup);
  const h1 = cheapHashLow16(scratch, n) % LEGACY_ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP;
  n = putVec(putKey(key), sourceGroup);
  n = putU64Small(n, h1);
  return cheapHashLow16(scratch, n) % LEGACY_ADDRMAN_NEW_BUCKET_COUNT;
}

/** v0.10's IsTerrible: like master's, but an entry with nTime 0 is terrible too. */
// Core v0.10: addrman.cpp CAddrInfo::IsTerrible
export function legacyIsTerrible(time: number, lastTry: number, lastSuccess: number, attempts: number, now: number): boolean {
  if (lastTry !== 0 && lastTry >= now - 60) return false;
  if (time > now + 10 * 60) return true;
  if (time === 0 || now - time > ADDRMAN_HORIZON_DAYS * 24 * 60 * 60) return true;
  if (lastSuccess === 0 && attempts >= LEGACY_ADDRMAN_RETRIES) return true;
  if (now - lastSuccess > ADDRMAN_MIN_FAIL_DAYS * 24 * 60 * 60 && attempts >= LEGACY_ADDRMAN_MAX_FAILURES) return true;
  return false;
}

/**
 * v0.10's GetChance. Unlike master it favours recently seen addresses (600 / (600 + age)), which
 * is what let an attacker who keeps re-announcing its addresses with fresh timestamps dominate
 * selection; PR #5941 dropped that term (commit f68ba3f67b).
 */
// Core v0.10: addrman.cpp CAddrInfo::GetChance
export function legacyChance(time: number, lastTry: number, attempts: number, now: number): number {
  let chance = 1.0;
  const sinceLastSeen = Math.max(0, now - time);
  const sinceLastTry = Math.max(0, now - lastTry);
  chance *= 600.0 / (600.0 + sinceLastSeen);
  if (sinceLastTry < 60 * 10) chance *= 0.01;
  for (let n = 0; n < attempts; n++) chance /= 1.5;
  return chance;
}

/**
 * The v0.10 Select bias: the probability of drawing from tried is
 * sqrt(nTried)·(100 − unkBias) / (sqrt(nTried)·(100 − unkBias) + sqrt(nNew)·unkBias).
 */
export function legacyTriedProbability(nTried: number, nNew: number, unkBias: number): number {
  const corTried = Math.sqrt(nTried) * (100.0 - unkBias);
  const corNew = Math.sqrt(nNew) * unkBias;
  return corTried + corNew === 0 ? 0 : corTried / (corTried + corNew);
}

/** v0.10 ThreadOpenConnections' argument to Select: 10 + min(nOutbound, 8) · 10. */
// Core v0.10: net.cpp ThreadOpenConnections (addrman.Select(10 + min(nOutbound,8)*10))
export function legacyUnkBias(nOutbound: number): number {
  return 10 + Math.min(nOutbound, 8) * 10;
}

// Core v0.10: addrman.h CAddrMan
export class LegacyAddrMan extends AddrMan {
  /** vvNew: 256 std::set<int>, each kept sorted by Core id (a std::set iterates in id order). */
  readonly legacyNew: number[][] = [];
  /** vvTried: 64 std::vector<int>, in their vector order (SelectTried reorders them). */
  readonly legacyTried: number[][] = [];
  /** mapAddr of v0.10 is keyed by CNetAddr: one entry per IP, whatever the port. */
  private readonly byIp = new Map<string, number>();

  constructor(opts: AddrManOptions) {
    super({ ...opts, testBeforeEvict: false });
    for (let b = 0; b < LEGACY_ADDRMAN_NEW_BUCKET_COUNT; b++) this.legacyNew.push([]);
    for (let b = 0; b < LEGACY_ADDRMAN_TRIED_BUCKET_COUNT; b++) this.legacyTried.push([]);
  }

  /** @internal the v0.10 tried bucket of a row */
  legacyTriedBucketOf(nid: number): number {
    const p = this.poolId[nid]!;
    return legacyTriedBucket(this.key, this.pool.serviceKey(p), this.group(p));
  }

  /** @internal the v0.10 new bucket of a row learnt from a source */
  legacyNewBucketOf(nid: number, sourcePoolId: number): number {
    return legacyNewBucket(this.key, this.group(this.poolId[nid]!), this.group(sourcePoolId));
  }

  /** @internal the v0.10 tried bucket of an interned service (loading, before the row exists) */
  legacyTriedBucketOfService(poolId: number): number {
    return legacyTriedBucket(this.key, this.pool.serviceKey(poolId), this.group(poolId));
  }

  /** @internal the row v0.10's mapAddr holds for this IP (any port), or -1 */
  legacyRowOfIp(addr: NetAddr): number {
    return this.byIp.get(addr.addrKey) ?? -1;
  }

  /** @internal records a loaded row in the by-IP map */
  indexIp(nid: number): void {
    this.byIp.set(this.pool.service(this.poolId[nid]!).addrKey, nid);
  }

  /** @internal deletes a loaded new entry that no bucket references */
  dropOrphan(nid: number): void {
    this.legacyDelete(nid);
  }

  private terrible(nid: number, now: number): boolean {
    return legacyIsTerrible(this.time[nid]!, this.lastTry[nid]!, this.lastSuccess[nid]!, this.attempts[nid]!, now);
  }

  /** Find by IP (v0.10's mapAddr), then require the exact service (port included), as the callers do. */
  private findExact(addr: Service): number {
    const nid = this.byIp.get(addr.addrKey) ?? -1;
    if (nid < 0) return -1;
    return this.pool.service(this.poolId[nid]!).equals(addr) ? nid : -1;
  }

  /** std::set<int>::insert, ordered by Core id. */
  private setInsert(bucket: number[], nid: number): void {
    const id = this.coreId[nid]!;
    let i = bucket.length;
    while (i > 0 && this.coreId[bucket[i - 1]!]! > id) i--;
    bucket.splice(i, 0, nid);
  }

  private setErase(bucket: number[], nid: number): boolean {
    const i = bucket.indexOf(nid);
    if (i < 0) return false;
    bucket.splice(i, 1);
    return true;
  }

  /** Deletes an entry whose last new-table reference went (v0.10 inlines this in ShrinkNew). */
  private legacyDelete(nid: number): void {
    this.byIp.delete(this.pool.service(this.poolId[nid]!).addrKey);
    this.delete(nid);
  }

  /**
   * Makes room in a full new bucket: the first terrible entry in id order goes; failing that, the
   * one last seen longest ago among four random positions (drawn with repetition).
   */
  // Core v0.10: addrman.cpp CAddrMan::ShrinkNew
  private shrinkNew(ub: number): number {
    const vNew = this.legacyNew[ub]!;
    const now = this.nowSeconds();
    for (let i = 0; i < vNew.length; i++) {
      const nid = vNew[i]!;
      if (this.terrible(nid, now)) {
        vNew.splice(i, 1);
        if (--this.refCount[nid]! === 0) this.legacyDelete(nid);
        return 0;
      }
    }
    const size = vNew.length;
    const n0 = this.rng.randrange(size);
    const n1 = this.rng.randrange(size);
    const n2 = this.rng.randrange(size);
    const n3 = this.rng.randrange(size);
    let oldest = -1;
    for (let i = 0; i < size; i++) {
      if (i === n0 || i === n1 || i === n2 || i === n3) {
        const nid = vNew[i]!;
        if (oldest === -1 || this.time[nid]! < this.time[oldest]!) oldest = nid;
      }
    }
    this.setErase(vNew, oldest);
    if (--this.refCount[oldest]! === 0) this.legacyDelete(oldest);
    return 1;
  }

  /**
   * The position in a full tried bucket to overwrite: shuffles the first four slots in from the
   * whole bucket and keeps the position of the least recently successful. Faithful to a quirk of
   * v0.10: the remembered position is the slot the entry was drawn from (nPos), but the swap has
   * already moved that entry to slot i, so unless nPos == i the slot returned holds whatever was
   * swapped out of slot i. The eviction is therefore much closer to random than "oldest of four".
   */
  // Core v0.10: addrman.cpp CAddrMan::SelectTried
  selectTried(kb: number): number {
    const vTried = this.legacyTried[kb]!;
    let oldest = -1;
    let oldestPos = -1;
    for (let i = 0; i < ADDRMAN_TRIED_ENTRIES_INSPECT_ON_EVICT && i < vTried.length; i++) {
      const pos = this.rng.randrange(vTried.length - i) + i;
      const temp = vTried[pos]!;
      vTried[pos] = vTried[i]!;
      vTried[i] = temp;
      if (oldest === -1 || this.lastSuccess[temp]! < this.lastSuccess[oldest]!) {
        oldest = temp;
        oldestPos = pos;
      }
    }
    return oldestPos;
  }

  // Core v0.10: addrman.cpp CAddrMan::MakeTried
  private legacyMakeTried(nid: number, origin: number): void {
    for (let b = 0; b < LEGACY_ADDRMAN_NEW_BUCKET_COUNT; b++) {
      if (this.setErase(this.legacyNew[b]!, nid)) this.refCount[nid]!--;
    }
    this.nNew--;
    this.bumpNew(this.netOf(nid), -1);
    if (this.refCount[nid] !== 0) throw new Error('LegacyAddrMan MakeTried: entry still referenced from new');

    const kb = this.legacyTriedBucketOf(nid);
    const vTried = this.legacyTried[kb]!;
    if (vTried.length < LEGACY_ADDRMAN_TRIED_BUCKET_SIZE) {
      vTried.push(nid);
      this.nTried++;
      this.bumpTried(this.netOf(nid), 1);
      this.inTried[nid] = 1;
      return;
    }

    // Full: evict one entry back to new, to its own new bucket if that has room, else to ours.
    const pos = this.selectTried(kb);
    const old = vTried[pos]!;
    const ub = this.legacyNewBucketOf(old, this.sourceId[old]!);
    this.inTried[old] = 0;
    this.refCount[old] = 1;
    if (this.legacyNew[ub]!.length < LEGACY_ADDRMAN_NEW_BUCKET_SIZE) this.setInsert(this.legacyNew[ub]!, old);
    else this.setInsert(this.legacyNew[origin]!, old);
    this.nNew++;
    this.bumpTried(this.netOf(old), -1);
    this.bumpNew(this.netOf(old), 1);

    vTried[pos] = nid;
    this.bumpTried(this.netOf(nid), 1);
    this.inTried[nid] = 1;
  }

  // Core v0.10: addrman.cpp CAddrMan::Add_
  private legacyAddSingle(addr: Address, sourcePoolId: number, timePenalty: number): boolean {
    if (!addr.isRoutable()) return false;
    let fNew = false;
    let nid = this.byIp.get(addr.addrKey) ?? -1;
    const addrTime = addr.time;
    if (nid >= 0) {
      // The entry found may carry another port: v0.10 keys the table by IP and updates it anyway.
      const currentlyOnline = this.nowSeconds() - addrTime < 24 * 60 * 60;
      const updateInterval = currentlyOnline ? 60 * 60 : 24 * 60 * 60;
      if (addrTime !== 0 && (this.time[nid] === 0 || this.time[nid]! < addrTime - updateInterval - timePenalty)) {
        this.time[nid] = Math.max(0, addrTime - timePenalty);
      }
      const s = addr.services;
      this.servicesLo[nid] = (this.servicesLo[nid]! | s % TWO_POW_32) >>> 0;
      this.servicesHi[nid] = (this.servicesHi[nid]! | Math.floor(s / TWO_POW_32)) >>> 0;
      if (addrTime === 0 || (this.time[nid] !== 0 && addrTime <= this.time[nid]!)) return false;
      if (this.inTried[nid]) return false;
      if (this.refCount[nid] === LEGACY_ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return false;
      const factor = 1 << this.refCount[nid]!;
      if (factor > 1 && this.rng.randrange(factor) !== 0) return false;
    } else {
      nid = this.create(this.pool.intern(addr), addrTime, addr.services, sourcePoolId);
      this.byIp.set(addr.addrKey, nid);
      this.time[nid] = Math.max(0, this.time[nid]! - timePenalty);
      fNew = true;
    }
    const ub = this.legacyNewBucketOf(nid, sourcePoolId);
    const vNew = this.legacyNew[ub]!;
    if (!vNew.includes(nid)) {
      this.refCount[nid]!++;
      if (vNew.length === LEGACY_ADDRMAN_NEW_BUCKET_SIZE) this.shrinkNew(ub);
      this.setInsert(vNew, nid);
    }
    return fNew;
  }

  /** Adds addresses; true if at least one was new to the table (v0.10's return value). */
  // Core v0.10: addrman.h CAddrMan::Add (vector form)
  override add(addrs: readonly Address[], source: NetAddr, timePenaltySeconds = 0): boolean {
    this.check();
    const sourcePool = this.pool.internNetAddr(source);
    let added = 0;
    for (let i = 0; i < addrs.length; i++) if (this.legacyAddSingle(addrs[i]!, sourcePool, timePenaltySeconds)) added++;
    this.check();
    return added > 0;
  }

  /** Marks an address good; moves it to tried (evicting without a test when its bucket is full). */
  // Core v0.10: addrman.cpp CAddrMan::Good_
  override good(addr: Service, timeSeconds: number = this.nowSeconds()): boolean {
    this.check();
    const ret = this.legacyGood(addr, timeSeconds);
    this.check();
    return ret;
  }

  private legacyGood(addr: Service, time: number): boolean {
    const nid = this.findExact(addr);
    if (nid < 0) return false;
    this.lastSuccess[nid] = time;
    this.lastTry[nid] = time;
    // v0.10 also refreshed nTime here (later versions stopped, to hide who we are connected to).
    this.time[nid] = time;
    this.attempts[nid] = 0;
    if (this.inTried[nid]) return false;
    // Find a new bucket holding the entry, scanning from a random start.
    const rnd = this.rng.randrange(LEGACY_ADDRMAN_NEW_BUCKET_COUNT);
    let ub = -1;
    for (let n = 0; n < LEGACY_ADDRMAN_NEW_BUCKET_COUNT; n++) {
      const b = (n + rnd) % LEGACY_ADDRMAN_NEW_BUCKET_COUNT;
      if (this.legacyNew[b]!.includes(nid)) {
        ub = b;
        break;
      }
    }
    if (ub === -1) return false;
    this.legacyMakeTried(nid, ub);
    return true;
  }

  /** v0.10 counted every attempt (there was no count_failures and no once-per-Good epoch). */
  // Core v0.10: addrman.cpp CAddrMan::Attempt_
  override attempt(addr: Service, _countFailure: boolean, timeSeconds: number = this.nowSeconds()): void {
    this.check();
    const nid = this.findExact(addr);
    if (nid >= 0) {
      this.lastTry[nid] = timeSeconds;
      this.attempts[nid]!++;
    }
    this.check();
  }

  /** Nothing to resolve: v0.10 had no test-before-evict. */
  override resolveCollisions(): void {}

  /** Always empty: v0.10 had no tried collisions. */
  override selectTriedCollision(): SelectResult {
    return { address: null, lastTry: 0 };
  }

  /**
   * Master's signature, mapped onto v0.10's Select: `newOnly` becomes unkBias 100 (new only; null
   * when new is empty, where v0.10 would spin forever); otherwise an even 50. The network filter is
   * ignored (v0.10 had none). The open-connections loop draws through selectForOutbound, with
   * v0.10's outbound-dependent bias.
   */
  override select(newOnly = false, _networks?: Iterable<Network>): SelectResult {
    if (newOnly && this.nNew === 0) return { address: null, lastTry: 0 };
    return this.selectWithBias(newOnly ? 100 : 50);
  }

  /** v0.10's ThreadOpenConnections: addrman.Select(10 + min(nOutbound, 8) * 10) (feelers, which v0.10 lacked, draw from new). */
  // Core v0.10: net.cpp ThreadOpenConnections
  override selectForOutbound(newOnly: boolean, networks: Iterable<Network>, countOutbound: () => number): SelectResult {
    if (newOnly) return this.select(newOnly, networks);
    return this.selectWithBias(legacyUnkBias(countOutbound()));
  }

  /** v0.10 Select(nUnkBias): 0 favours tried only, 100 new only. */
  // Core v0.10: addrman.cpp CAddrMan::Select_
  selectWithBias(unkBias: number): SelectResult {
    this.check();
    const ret = this.legacySelect(unkBias);
    this.check();
    return ret;
  }

  private legacySelect(unkBias: number): SelectResult {
    if (this.randomSize === 0) return { address: null, lastTry: 0 };
    const corTried = Math.sqrt(this.nTried) * (100.0 - unkBias);
    const corNew = Math.sqrt(this.nNew) * unkBias;
    const useTried = ((corTried + corNew) * this.rng.randrange(TWO_POW_30)) / TWO_POW_30 < corTried;
    // Guard the infinite loops of v0.10 (unreachable with its own biases of 10..90).
    if (useTried ? this.nTried === 0 : this.nNew === 0) return { address: null, lastTry: 0 };
    const table = useTried ? this.legacyTried : this.legacyNew;
    const now = this.nowSeconds();
    let chanceFactor = 1.0;
    for (;;) {
      const bucket = table[this.rng.randrange(table.length)]!;
      if (bucket.length === 0) continue;
      const nid = bucket[this.rng.randrange(bucket.length)]!;
      const chance = legacyChance(this.time[nid]!, this.lastTry[nid]!, this.attempts[nid]!, now);
      if (this.rng.randrange(TWO_POW_30) < chanceFactor * chance * TWO_POW_30) {
        return { address: this.addressOf(nid), lastTry: this.lastTry[nid]! };
      }
      chanceFactor *= 1.2;
    }
  }

  /** v0.10 GetAddr_: the same random walk as master, with v0.10's IsTerrible. */
  // Core v0.10: addrman.cpp CAddrMan::GetAddr_
  override getAddr(maxAddresses: number, maxPct: number, network: Network | null = null, filtered = true): Address[] {
    this.check();
    let nodes = this.randomSize;
    if (maxPct !== 0) nodes = Math.floor((Math.min(maxPct, 100) * nodes) / 100);
    if (maxAddresses !== 0) nodes = Math.min(nodes, maxAddresses);
    const now = this.nowSeconds();
    const out: Address[] = [];
    for (let n = 0; n < this.randomSize; n++) {
      if (out.length >= nodes) break;
      const rndPos = this.rng.randrange(this.randomSize - n) + n;
      this.swapRandom(n, rndPos);
      const nid = this.vRandom[n]!;
      if (network !== null && this.pool.getNetClass(this.poolId[nid]!) !== network) continue;
      if (filtered && this.terrible(nid, now)) continue;
      out.push(this.addressOf(nid));
    }
    this.check();
    return out;
  }

  /** Every entry of one table, bucket by bucket, at its index inside the bucket. */
  override getEntries(fromTried: boolean): { info: AddrInfoView; position: AddressPosition }[] {
    const table = fromTried ? this.legacyTried : this.legacyNew;
    const out: { info: AddrInfoView; position: AddressPosition }[] = [];
    for (let bucket = 0; bucket < table.length; bucket++) {
      const b = table[bucket]!;
      for (let position = 0; position < b.length; position++) {
        const nid = b[position]!;
        out.push({
          info: this.infoOf(nid),
          position: { tried: fromTried, multiplicity: fromTried ? 1 : this.refCount[nid]!, bucket, position },
        });
      }
    }
    return out;
  }

  /** Where an address sits: its tried bucket and index, or its first new bucket (in bucket order). */
  override findAddressEntry(addr: Service): AddressPosition | null {
    const nid = this.findExact(addr);
    if (nid < 0) return null;
    const table = this.inTried[nid] ? this.legacyTried : this.legacyNew;
    for (let bucket = 0; bucket < table.length; bucket++) {
      const position = table[bucket]!.indexOf(nid);
      if (position >= 0) {
        return { tried: this.inTried[nid] === 1, multiplicity: this.inTried[nid] ? 1 : this.refCount[nid]!, bucket, position };
      }
    }
    return null;
  }

  /** Number of entries in new-table slots (diagnostics). */
  override newSlotCount(): number {
    let n = 0;
    for (const b of this.legacyNew) n += b.length;
    return n;
  }

  /** A consistency check in the spirit of v0.10's Check_ (codes: ours, not Core's). */
  // Core v0.10: addrman.cpp CAddrMan::Check_
  override checkAddrman(): number {
    if (this.randomSize !== this.nTried + this.nNew) return -7;
    let tried = 0;
    let fresh = 0;
    for (let n = 0; n < this.highWater; n++) {
      if (!this.isLive(n)) continue;
      if (this.inTried[n]) {
        if (this.lastSuccess[n] === 0) return -1;
        if (this.refCount[n] !== 0) return -2;
        tried++;
      } else {
        if (this.refCount[n]! < 1 || this.refCount[n]! > LEGACY_ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return -3;
        fresh++;
      }
      if (this.byIp.get(this.pool.service(this.poolId[n]!).addrKey) !== n) return -5;
    }
    if (tried !== this.nTried) return -9;
    if (fresh !== this.nNew) return -10;
    let triedSlots = 0;
    for (let b = 0; b < this.legacyTried.length; b++) {
      const v = this.legacyTried[b]!;
      if (v.length > LEGACY_ADDRMAN_TRIED_BUCKET_SIZE) return -11;
      for (const nid of v) {
        if (!this.isLive(nid) || !this.inTried[nid] || this.legacyTriedBucketOf(nid) !== b) return -17;
        triedSlots++;
      }
    }
    if (triedSlots !== this.nTried) return -13;
    const refs = new Map<number, number>();
    for (const v of this.legacyNew) {
      if (v.length > LEGACY_ADDRMAN_NEW_BUCKET_SIZE) return -12;
      for (let i = 0; i < v.length; i++) {
        const nid = v[i]!;
        if (!this.isLive(nid) || this.inTried[nid]) return -19;
        if (i > 0 && this.coreId[v[i - 1]!]! >= this.coreId[nid]!) return -18;
        refs.set(nid, (refs.get(nid) ?? 0) + 1);
      }
    }
    if (refs.size !== this.nNew) return -15;
    for (const [nid, r] of refs) if (r !== this.refCount[nid]) return -14;
    return 0;
  }
}
