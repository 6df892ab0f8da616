// The v0.10.0 peers.dat format (addrman-legacy-serialize.ts): the byte layout of CAddrMan::Serialize,
// and v0.10's load rule — new entries back in the buckets the file lists (or, with another bucket
// count, in GetNewBucket of their source), tried entries re-placed by GetTriedBucket in file (id)
// order — checked against an independent computation from the table before the dump. Also: the
// file frames and loads through addrdb.ts, bad files are refused, and master's reader accepts a
// v0.10 file as Core master does (format 0, compat byte 0x20).
import { describe, expect, it } from 'vitest';
import { dumpLegacyPeerAddresses, loadLegacyPeerAddresses } from './addrman-legacy-serialize.ts';
import { LEGACY_ADDRINFO_SIZE, LEGACY_HEADER_SIZE, legacyAddrManFromBytes, legacyAddrManToBytes } from './addrman-legacy-serialize.ts';
import { LEGACY_ADDRMAN_NEW_BUCKET_COUNT, LegacyAddrMan, legacyNewBucket, legacyTriedBucket } from './addrman-legacy.ts';
import { addrManFromBytes, AddrManLoadError } from '../addrman/serialize.ts';
import { AddrMan } from '../addrman/addrman.ts';
import { NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';

const NOW = 1_700_000_000;
const ngm = NetGroupManager.noAsmap();
const clock = { micros: NOW * 1e6, nowMicros(): number { return this.micros; } };

function key(seed: number): Uint8Array {
  const k = new Uint8Array(32);
  for (let i = 0; i < 32; i++) k[i] = (seed * 31 + i * 7) & 0xff;
  return k;
}

function fresh(seed = 1, consistencyCheckRatio = 1): LegacyAddrMan {
  const b = new Uint8Array(32);
  b[0] = seed;
  return new LegacyAddrMan({ netgroupman: ngm, clock, rng: new FastRandomContext(b), key: key(seed), consistencyCheckRatio });
}

/** A table with a few thousand new entries from many sources, some in several buckets, and a few hundred tried. */
function populated(): LegacyAddrMan {
  const am = fresh(7, 0);
  const rng = new FastRandomContext(true);
  const services = NODE_NETWORK | NODE_WITNESS;
  for (let s = 0; s < 40; s++) {
    const source = NetAddr.fromIPv4((((30 + s) << 24) | (s << 16) | 0x0101) >>> 0);
    const batch: Address[] = [];
    for (let i = 0; i < 80; i++) {
      // Re-announce some addresses from other sources (fresher times) so they gain extra references.
      const k = rng.randrange(2400);
      const ip = (((11 + (k % 80)) << 24) | (Math.floor(k / 80) << 16) | 0x0203) >>> 0;
      batch.push(new Address(serviceOrThrow(`${ip >>> 24}.${(ip >>> 16) & 255}.2.3`, 8333), services, NOW - 3600 + s * 100));
    }
    am.add(batch, source);
  }
  // Move a few hundred to tried (Good at increasing times), and record some attempts.
  let n = 0;
  for (const e of am.getEntries(false)) {
    if (n++ % 7 !== 0) continue;
    am.good(e.info.address, NOW - 5000 + n);
  }
  n = 0;
  for (const e of am.getEntries(false)) if (n++ % 5 === 0) am.attempt(e.info.address, true, NOW - 100);
  expect(am.checkAddrman()).toBe(0);
  return am;
}

const str = (am: LegacyAddrMan, nid: number): string => am.addressOf(nid).toStringAddrPort();

/** Every row's data that the file keeps, by address. */
function rowsByAddr(am: LegacyAddrMan): Map<string, { time: number; services: number; lastSuccess: number; attempts: number; tried: boolean; refs: number }> {
  const m = new Map<string, { time: number; services: number; lastSuccess: number; attempts: number; tried: boolean; refs: number }>();
  for (let nid = 0; nid < am.highWater; nid++) {
    if (!am.isLive(nid)) continue;
    m.set(str(am, nid), {
      time: am.time[nid]!,
      services: am.servicesOf(nid),
      lastSuccess: am.lastSuccess[nid]!,
      attempts: am.attempts[nid]!,
      tried: am.inTried[nid] === 1,
      refs: am.refCount[nid]!,
    });
  }
  return m;
}

describe('v0.10 peers.dat: byte layout', () => {
  it('writes version 0, nKey as a 32-byte vector, nNew, nTried, 256, the entries and the bucket lists', () => {
    const am = populated();
    const bytes = legacyAddrManToBytes(am);
    expect(bytes[0]).toBe(0);
    expect(bytes[1]).toBe(0x20);
    expect([...bytes.subarray(2, 34)]).toEqual([...am.key]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getInt32(34, true)).toBe(am.nNew);
    expect(view.getInt32(38, true)).toBe(am.nTried);
    expect(view.getInt32(42, true)).toBe(LEGACY_ADDRMAN_NEW_BUCKET_COUNT);
    // The first entry: CLIENT_VERSION 100000, then nTime, nServices, the IPv4-mapped address, the port big-endian.
    expect(view.getUint32(46, true)).toBe(100000);
    let refs = 0;
    for (const b of am.legacyNew) refs += b.length;
    expect(bytes.length).toBe(LEGACY_HEADER_SIZE + LEGACY_ADDRINFO_SIZE * (am.nNew + am.nTried) + 4 * LEGACY_ADDRMAN_NEW_BUCKET_COUNT + 4 * refs);
    expect(am.nTried).toBeGreaterThan(100);
    expect(refs).toBeGreaterThan(am.nNew); // some entries sit in several buckets
  });
});

describe('v0.10 peers.dat: load rule', () => {
  it('a dumped and reloaded table has the same entries in the same buckets as v0.10 load gives', () => {
    const am = populated();
    // v0.10's rule, computed from the table before the dump: new buckets as they were (each a
    // std::set, so in id order); tried entries appended to GetTriedBucket in id order.
    const expectNew = am.legacyNew.map((b) => b.map((nid) => str(am, nid)));
    const triedRows: number[] = [];
    for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && am.inTried[nid]) triedRows.push(nid);
    triedRows.sort((a, b) => am.coreId[a]! - am.coreId[b]!);
    const expectTried: string[][] = am.legacyTried.map(() => []);
    for (const nid of triedRows) {
      const p = am.poolId[nid]!;
      expectTried[legacyTriedBucket(am.key, am.pool.serviceKey(p), am.group(p))]!.push(str(am, nid));
    }
    const before = rowsByAddr(am);

    const loaded = fresh(99);
    legacyAddrManFromBytes(loaded, legacyAddrManToBytes(am));
    expect([...loaded.key]).toEqual([...am.key]);
    expect(loaded.nNew).toBe(am.nNew);
    expect(loaded.nTried).toBe(am.nTried);
    expect(loaded.size()).toBe(am.size());
    expect(loaded.checkAddrman()).toBe(0);
    expect(loaded.legacyNew.map((b) => b.map((nid) => str(loaded, nid)))).toEqual(expectNew);
    expect(loaded.legacyTried.map((b) => b.map((nid) => str(loaded, nid)))).toEqual(expectTried);
    expect(rowsByAddr(loaded)).toEqual(before);
    // nLastTry was memory-only in v0.10.
    for (let nid = 0; nid < loaded.highWater; nid++) expect(loaded.lastTry[nid]).toBe(0);
    // Ids are renumbered: new entries 0..nNew-1 in file order, then tried.
    for (let nid = 0; nid < loaded.highWater; nid++) {
      if (!loaded.inTried[nid]) expect(loaded.coreId[nid]).toBeLessThan(loaded.nNew);
      else expect(loaded.coreId[nid]).toBeGreaterThanOrEqual(loaded.nNew);
    }
    // Renumbering keeps the relative id order, so dumping the reloaded table gives the same bytes.
    expect([...legacyAddrManToBytes(loaded)]).toEqual([...legacyAddrManToBytes(am)]);
    // The loaded table works: one more address and a Good.
    loaded.add([new Address(serviceOrThrow('99.1.2.3', 8333), NODE_NETWORK, NOW - 60)], NetAddr.fromIPv4(0x05060708));
    expect(loaded.good(serviceOrThrow('99.1.2.3', 8333))).toBe(true);
    expect(loaded.checkAddrman()).toBe(0);
  });

  it('with another bucket count, new entries go to GetNewBucket of their own source, one reference each', () => {
    const am = populated();
    const bytes = legacyAddrManToBytes(am);
    // Rewrite the file as one with zero new buckets: the header says 0 and the bucket section goes.
    const cut = LEGACY_HEADER_SIZE + LEGACY_ADDRINFO_SIZE * (am.nNew + am.nTried);
    const edited = bytes.slice(0, cut);
    new DataView(edited.buffer).setInt32(42, 0, true);
    const loaded = fresh(5);
    legacyAddrManFromBytes(loaded, edited);
    expect(loaded.nNew).toBe(am.nNew);
    expect(loaded.nTried).toBe(am.nTried);
    expect(loaded.checkAddrman()).toBe(0);
    for (let nid = 0; nid < loaded.highWater; nid++) {
      if (loaded.inTried[nid]) continue;
      expect(loaded.refCount[nid]).toBe(1);
      const p = loaded.poolId[nid]!;
      const b = legacyNewBucket(loaded.key, loaded.group(p), loaded.group(loaded.sourceId[nid]!));
      expect(loaded.legacyNew[b]).toContain(nid);
    }
  });

  it('drops tried entries whose bucket is already full (nTried -= nLost)', () => {
    // A table never holds 65 entries in one tried bucket, so the file is made by hand: 70
    // addresses that all hash to tried bucket 0 under the file's key.
    const am = fresh(3);
    const src = NetAddr.fromIPv4(0x05060708);
    const target = 0;
    const inBucket: Address[] = [];
    for (let i = 0; inBucket.length < 70 && i < 200000; i++) {
      const a = new Address(serviceOrThrow(`44.${(i >>> 8) & 255}.${i & 255}.9`, 8333), NODE_NETWORK, NOW - 60);
      const p = am.pool.intern(a);
      if (legacyTriedBucket(am.key, am.pool.serviceKey(p), am.group(p)) === target) inBucket.push(a);
    }
    expect(inBucket.length).toBe(70);
    // A hand-made file: nNew 0, nTried 70, 256 empty buckets.
    const w: number[] = [0, 0x20, ...am.key];
    const i32 = (v: number): void => {
      w.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
    };
    i32(0);
    i32(70);
    i32(256);
    for (const a of inBucket) {
      i32(100000);
      i32(a.time);
      w.push(1, 0, 0, 0, 0, 0, 0, 0);
      w.push(...a.serializeV1(), a.port >>> 8, a.port & 255);
      w.push(...src.serializeV1());
      w.push(...[NOW - 100, 0].flatMap((v) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255]));
      i32(0);
    }
    for (let b = 0; b < 256; b++) i32(0);
    const loaded = fresh(3);
    legacyAddrManFromBytes(loaded, Uint8Array.from(w));
    expect(loaded.nTried).toBe(64);
    expect(loaded.legacyTried[target]!.map((nid) => str(loaded, nid))).toEqual(inBucket.slice(0, 64).map((a) => a.toStringAddrPort()));
    expect(loaded.checkAddrman()).toBe(0);
  });

  it('refuses truncated files, a bad key length and out-of-range bucket indices', () => {
    const am = populated();
    const bytes = legacyAddrManToBytes(am);
    expect(() => legacyAddrManFromBytes(fresh(), bytes.subarray(0, bytes.length - 3))).toThrow(AddrManLoadError);
    const badKey = bytes.slice();
    badKey[1] = 0x1f;
    expect(() => legacyAddrManFromBytes(fresh(), badKey)).toThrow(/key of 31 bytes/);
    const badIndex = bytes.slice();
    // The first bucket with a member: overwrite its first index with nNew.
    const view = new DataView(badIndex.buffer);
    let off = LEGACY_HEADER_SIZE + LEGACY_ADDRINFO_SIZE * (am.nNew + am.nTried);
    while (view.getInt32(off, true) === 0) off += 4;
    view.setInt32(off + 4, am.nNew, true);
    expect(() => legacyAddrManFromBytes(fresh(), badIndex)).toThrow(/new index/);
  });
});

describe('v0.10 peers.dat: framing and readers', () => {
  it('frames with magic and checksum and loads through addrdb all or nothing', () => {
    const am = populated();
    const file = dumpLegacyPeerAddresses('main', am);
    const ok = loadLegacyPeerAddresses('main', file, () => fresh(2));
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.value.size()).toBe(am.size());
    const corrupt = file.slice();
    corrupt[100]! ^= 1;
    const bad = loadLegacyPeerAddresses('main', corrupt, () => fresh(2));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.kind).toBe('checksum');
    const wrongChain = loadLegacyPeerAddresses('test', file, () => fresh(2));
    expect(!wrongChain.ok && wrongChain.error.kind).toBe('magic');
  });

  it("master's reader accepts a v0.10 file (format 0, compat byte 0x20) and re-buckets it, as Core master does", () => {
    const am = populated();
    const master = new AddrMan({ netgroupman: ngm, clock, rng: new FastRandomContext(true), key: key(1), consistencyCheckRatio: 1 });
    addrManFromBytes(master, legacyAddrManToBytes(am));
    expect([...master.key]).toEqual([...am.key]);
    expect(master.checkAddrman()).toBe(0);
    // 256 ≠ 1024 buckets: every new entry is placed by its source, collisions lose a few.
    expect(master.nNew).toBeGreaterThan(am.nNew * 0.9);
    expect(master.nTried).toBeGreaterThan(am.nTried * 0.9);
    const legacy = rowsByAddr(am);
    for (const e of master.getEntries(true)) expect(legacy.get(e.info.address.toStringAddrPort())?.tried).toBe(true);
    for (const e of master.getEntries(false)) {
      const row = legacy.get(e.info.address.toStringAddrPort())!;
      expect(row.tried).toBe(false);
      expect(e.info.address.time).toBe(row.time);
      expect(e.info.attempts).toBe(row.attempts);
    }
  });
});
