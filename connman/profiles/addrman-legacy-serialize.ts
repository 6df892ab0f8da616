// The v0.10.0 peers.dat addrman section: CAddrMan::Serialize / Unserialize of Core v0.10.0
// (src/addrman.h at aaba10f275), byte for byte: a zero version byte, nKey as a 32-byte vector (its
// CompactSize 0x20 prefix is the byte later Core versions read as the compat field), nNew, nTried,
// the new-bucket count (256), the new entries, the tried entries, and for each new bucket its size
// and the file indices of its members. Loading follows v0.10's rule: tried entries are re-placed by
// GetTriedBucket (appended in file order; a full bucket drops the entry), new entries go back to the
// buckets listed in the file (at most 4 references) or, if the bucket count differs, to
// GetNewBucket of their own source.
// It does not hold the file framing (magic, checksum: addrdb.ts, the same in v0.10), the master
// format (addrman/serialize.ts) or the table itself (addrman-legacy.ts).

import { LEGACY_ADDRMAN_NEW_BUCKET_COUNT, LEGACY_ADDRMAN_NEW_BUCKETS_PER_ADDRESS, LEGACY_ADDRMAN_TRIED_BUCKET_SIZE, LegacyAddrMan } from './addrman-legacy.ts';
import { AddrDbError, deserializeDb, serializeDb, type ChainName, type LoadResult, type PeersDatFormat } from '../addrman/addrdb.ts';
import { AddrManLoadError } from '../addrman/serialize.ts';
import { readNetAddrV1, Service } from '../protocol/netaddress.ts';
import { readAddress, V1_DISK } from '../protocol/protocol.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';

/** Core v0.10.0: clientversion.h CLIENT_VERSION (0.10.0.0), written in front of every CAddress on disk. */
export const LEGACY_CLIENT_VERSION = 100000;

/** Bytes of one CAddrInfo in the v0.10 disk form: version, nTime, nServices, ip, port, source, nLastSuccess, nAttempts. */
export const LEGACY_ADDRINFO_SIZE = 4 + 4 + 8 + 16 + 2 + 16 + 8 + 4;

/** Bytes before the first entry: version, nKey (CompactSize + 32), nNew, nTried, nUBuckets. */
export const LEGACY_HEADER_SIZE = 1 + 33 + 4 + 4 + 4;

/**
 * Whether a row can be written in v0.10's 16-byte address form. v0.10 knew IPv4, IPv6 and the
 * onioncat encoding of Tor v2; our Tor v3, I2P and CJDNS addresses have no such form.
 */
function writable(am: LegacyAddrMan, nid: number): boolean {
  return am.pool.service(am.poolId[nid]!).isAddrV1Compatible();
}

// Core v0.10: addrman.h CAddrInfo::SerializationOp (CAddress with SER_DISK, then source, nLastSuccess, nAttempts)
function writeLegacyAddrInfo(am: LegacyAddrMan, nid: number, w: ByteWriter): void {
  const svc = am.pool.service(am.poolId[nid]!);
  w.u32le(LEGACY_CLIENT_VERSION);
  const t = am.time[nid]!;
  w.u32le(((t % 4294967296) + 4294967296) % 4294967296);
  w.u64leHalves(am.servicesHi[nid]!, am.servicesLo[nid]!);
  w.bytes(svc.serializeV1());
  w.u16be(svc.port);
  // A source without a 16-byte form is written as zeros, as Core's V1 serializer does.
  w.bytes(am.pool.service(am.sourceId[nid]!).serializeV1());
  w.i64le(BigInt(am.lastSuccess[nid]!));
  w.i32le(am.attempts[nid]!);
}

/** Writes the table as v0.10's CAddrMan::Serialize did. */
// Core v0.10: addrman.h CAddrMan::Serialize
export function serializeLegacyAddrMan(am: LegacyAddrMan, w: ByteWriter): void {
  // v0.10 walked mapInfo, a std::map ordered by id: rows in Core-id order.
  const rows: number[] = [];
  for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && writable(am, nid)) rows.push(nid);
  rows.sort((a, b) => am.coreId[a]! - am.coreId[b]!);
  let nNew = 0;
  let nTried = 0;
  for (const nid of rows) {
    if (am.inTried[nid]) nTried++;
    else if (am.refCount[nid]! > 0) nNew++;
  }
  w.u8(0);
  w.compactSize(32).bytes(am.key);
  w.i32le(nNew);
  w.i32le(nTried);
  w.i32le(LEGACY_ADDRMAN_NEW_BUCKET_COUNT);
  const index = new Map<number, number>();
  let ids = 0;
  for (const nid of rows) {
    if (am.inTried[nid] || am.refCount[nid] === 0) continue;
    index.set(nid, ids++);
    writeLegacyAddrInfo(am, nid, w);
  }
  for (const nid of rows) if (am.inTried[nid]) writeLegacyAddrInfo(am, nid, w);
  for (let b = 0; b < LEGACY_ADDRMAN_NEW_BUCKET_COUNT; b++) {
    // Each bucket is a std::set<int>, so its members go out in id order (legacyNew keeps that order).
    const members = am.legacyNew[b]!.filter((nid) => index.has(nid));
    w.i32le(members.length);
    for (const nid of members) w.i32le(index.get(nid)!);
  }
}

/** Serialized bytes of a v0.10 table (without peers.dat framing). */
export function legacyAddrManToBytes(am: LegacyAddrMan): Uint8Array {
  const w = new ByteWriter(LEGACY_HEADER_SIZE + (am.size() + 8) * LEGACY_ADDRINFO_SIZE + LEGACY_ADDRMAN_NEW_BUCKET_COUNT * 4);
  serializeLegacyAddrMan(am, w);
  return w.toBytes();
}

interface LegacyInfo {
  service: Service;
  services: number;
  time: number;
  sourceBytes: Uint8Array;
  lastSuccess: number;
  attempts: number;
}

function readLegacyAddrInfo(r: ByteReader): LegacyInfo {
  const a = readAddress(r, V1_DISK);
  const sourceBytes = r.bytes(16).slice();
  const lastSuccess = Number(r.i64le());
  const attempts = r.i32le();
  return { service: Service.of(a, a.port), services: a.services, time: a.time, sourceBytes, lastSuccess, attempts };
}

/**
 * Loads v0.10 addrman bytes into `am`, which must be freshly constructed. On failure `am` is left
 * in an unspecified state (addrdb.ts loads into a fresh instance and discards it on error).
 */
// Core v0.10: addrman.h CAddrMan::Unserialize
export function unserializeLegacyAddrMan(am: LegacyAddrMan, r: ByteReader): void {
  if (am.randomSize !== 0 || am.highWater !== 0) throw new Error('Unserialize needs an empty LegacyAddrMan');
  try {
    unserializeInner(am, r);
  } catch (e) {
    if (e instanceof SerializeError) throw new AddrManLoadError(e.kind === 'truncated' ? 'truncated' : 'corrupt', e.message);
    throw e;
  }
}

function unserializeInner(am: LegacyAddrMan, r: ByteReader): void {
  const version = r.u8();
  if (version !== 0) throw new AddrManLoadError('version', `Unsupported v0.10 addrman version ${version}`);
  const keyLen = r.compactSize();
  if (keyLen !== 32) throw new AddrManLoadError('corrupt', `v0.10 addrman key of ${keyLen} bytes (expected 32)`);
  am.key = Uint8Array.from(r.bytes(32));
  const nNew = r.i32le();
  let nTried = r.i32le();
  const nUBuckets = r.i32le();
  // v0.10 trusted these counts; a negative or absurd one would make it read garbage, so refuse it.
  const limit = Math.floor(r.remaining / LEGACY_ADDRINFO_SIZE);
  if (nNew < 0 || nTried < 0 || nNew + nTried > limit || nUBuckets < 0 || nUBuckets > r.remaining / 4) {
    throw new AddrManLoadError('corrupt', `Corrupt v0.10 addrman: nNew=${nNew} nTried=${nTried} nUBuckets=${nUBuckets}`);
  }
  const pool = am.pool;
  const sourcePoolOf = (bytes: Uint8Array): number => pool.internNetAddr(readNetAddrV1(new ByteReader(bytes)));

  // New entries take ids (and rows) 0..nNew-1; nLastTry is memory-only and comes back as 0.
  for (let n = 0; n < nNew; n++) {
    const info = readLegacyAddrInfo(r);
    const nid = loadRow(am, info, sourcePoolOf(info.sourceBytes));
    if (nid !== n) throw new Error('Unserialize: unexpected row numbering');
    am.nNew++;
    am.bumpNew(am.netOf(nid), 1);
    if (nUBuckets !== LEGACY_ADDRMAN_NEW_BUCKET_COUNT) {
      // Another bucket count: re-bucket by the entry's own source.
      const b = am.legacyNewBucketOf(nid, am.sourceId[nid]!);
      am.legacyNew[b]!.push(nid);
      am.refCount[nid]!++;
    }
  }

  // Tried entries go to their tried bucket in file order; a full bucket loses them.
  let lost = 0;
  for (let n = 0; n < nTried; n++) {
    const info = readLegacyAddrInfo(r);
    const srcPool = sourcePoolOf(info.sourceBytes);
    const kb = am.legacyTriedBucketOfService(pool.intern(info.service));
    const vTried = am.legacyTried[kb]!;
    if (vTried.length < LEGACY_ADDRMAN_TRIED_BUCKET_SIZE) {
      const nid = loadRow(am, info, srcPool);
      am.inTried[nid] = 1;
      vTried.push(nid);
      am.bumpTried(am.netOf(nid), 1);
    } else {
      lost++;
    }
  }
  nTried -= lost;
  am.nTried = nTried;

  for (let b = 0; b < nUBuckets; b++) {
    const size = r.i32le();
    if (size < 0 || size > r.remaining / 4) throw new AddrManLoadError('corrupt', `Corrupt v0.10 addrman: bucket ${b} size ${size}`);
    for (let k = 0; k < size; k++) {
      const index = r.i32le();
      // v0.10's mapInfo[nIndex] would conjure an empty entry for a bad index; we refuse the file.
      if (index < 0 || index >= nNew) throw new AddrManLoadError('corrupt', `Corrupt v0.10 addrman: new index ${index} of ${nNew}`);
      if (nUBuckets === LEGACY_ADDRMAN_NEW_BUCKET_COUNT && am.refCount[index]! < LEGACY_ADDRMAN_NEW_BUCKETS_PER_ADDRESS) {
        const bucket = am.legacyNew[b]!;
        if (!bucket.includes(index)) {
          am.refCount[index]!++;
          // Rows 0..nNew-1 carry ids 0..nNew-1, so sorted insertion is by index.
          let i = bucket.length;
          while (i > 0 && bucket[i - 1]! > index) i--;
          bucket.splice(i, 0, index);
        }
      }
    }
  }

  // A new entry that no bucket references would be an orphan in v0.10 (kept, unreachable by
  // Select); later versions drop it, and so do we, to keep the table consistent.
  for (let nid = 0; nid < nNew; nid++) {
    if (am.isLive(nid) && !am.inTried[nid] && am.refCount[nid] === 0) am.dropOrphan(nid);
  }

  const code = am.checkAddrman();
  if (code !== 0) throw new AddrManLoadError('consistency', `Corrupt data. Consistency check failed with code ${code}`, code);
}

/** A row for a loaded entry, indexed in mapAddr (by service and by IP) and vRandom. */
function loadRow(am: LegacyAddrMan, info: LegacyInfo, srcPool: number): number {
  const p = am.pool.intern(info.service);
  if (am.legacyRowOfIp(info.service) >= 0) {
    throw new AddrManLoadError('corrupt', `Corrupt v0.10 addrman: ${info.service.toStringAddrPort()} appears twice`);
  }
  const nid = am.allocRow(p, srcPool);
  am.time[nid] = info.time;
  am.setServicesRow(nid, info.services);
  am.lastSuccess[nid] = info.lastSuccess;
  am.attempts[nid] = info.attempts;
  am.mapAddr.set(p, nid);
  am.indexIp(nid);
  am.pushRandom(nid);
  return nid;
}

/** Loads v0.10 addrman bytes (no framing) into a fresh LegacyAddrMan. */
export function legacyAddrManFromBytes(am: LegacyAddrMan, bytes: Uint8Array): void {
  unserializeLegacyAddrMan(am, new ByteReader(bytes));
}

/** The bytes of a v0.10 node's peers.dat (v0.10's CAddrDB::Write used the same framing). */
// Core v0.10: net.cpp CAddrDB::Write
export function dumpLegacyPeerAddresses(chain: ChainName | Uint8Array, addrman: LegacyAddrMan): Uint8Array {
  return serializeDb(chain, legacyAddrManToBytes(addrman));
}

/** Loads a v0.10 peers.dat into a fresh LegacyAddrMan, all or nothing, as loadPeerAddresses. */
// Core v0.10: net.cpp CAddrDB::Read
export function loadLegacyPeerAddresses(
  chain: ChainName | Uint8Array,
  bytes: Uint8Array,
  makeAddrMan: () => LegacyAddrMan,
): LoadResult<LegacyAddrMan> {
  const fresh = makeAddrMan();
  try {
    deserializeDb(chain, bytes, (r) => unserializeLegacyAddrMan(fresh, r));
    return { ok: true, value: fresh };
  } catch (e) {
    if (e instanceof AddrDbError) return { ok: false, error: e };
    throw e;
  }
}

/** A v0.10 node's peers.dat (dumped whole: its checksum is computed at once; sealing again is idempotent). */
export const PEERS_DAT_V0_10: PeersDatFormat = {
  dumpUnsealed: (chain, addrman) => dumpLegacyPeerAddresses(chain, addrman as LegacyAddrMan),
  load: (chain, bytes, makeAddrMan) => loadLegacyPeerAddresses(chain, bytes, makeAddrMan as () => LegacyAddrMan),
};
