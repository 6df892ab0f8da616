// Tests for serialize.ts's entry writer: the per-address byte caches of the pool must give
// exactly the bytes of Core's AddrInfo serialization written field by field (writeAddress in the
// V2 disk form, then the source in BIP155 form, m_last_success and nAttempts). Core's own
// serialization vectors live in addrman.test.ts and addrdb.test.ts.
import { describe, expect, it } from 'vitest';
import { ADDRMAN_BUCKET_SIZE, ADDRMAN_NEW_BUCKET_COUNT, BUCKET_TABLE_NARROW_MAX_ID } from './buckets.ts';
import { addrManFromBytes, addrManToBytes, FILE_FORMAT, INCOMPATIBILITY_BASE, serializeAddrMan } from './serialize.ts';
import { dumpPeerAddresses, dumpPeerAddressesUnsealed, loadPeerAddresses, sealPeersDat, serializeDb } from './addrdb.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from './addrman.ts';
import { NetAddr, Network, netAddrOrThrow, Service, serviceOrThrow, writeNetAddrV2 } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Address, NODE_NETWORK, NODE_WITNESS, V2_DISK, writeAddress } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { ByteWriter } from '../util/serialize.ts';

const NOW = 1_700_000_000;

/**
 * The serializer as it was written before the caches and the one-array writer: one CAddress object
 * per entry, a growable ByteWriter, and the new table read in its old flat layout.
 */
function referenceBytes(am: AddrMan): Uint8Array {
  const w = new ByteWriter(1 << 16);
  const vvNew = am.vvNew.toFlat();
  w.u8(FILE_FORMAT).u8(INCOMPATIBILITY_BASE + 4).bytes(am.key);
  w.i32le(am.nNew).i32le(am.nTried).i32le(ADDRMAN_NEW_BUCKET_COUNT ^ (1 << 30));
  const index = new Int32Array(am.highWater).fill(-1);
  const entry = (nid: number): void => {
    const a = am.addressOf(nid);
    const t = am.time[nid]!;
    const t32 = ((t % 4294967296) + 4294967296) % 4294967296;
    writeAddress(w, t32 === t ? a : a.withTime(t32), V2_DISK);
    writeNetAddrV2(w, am.pool.service(am.sourceId[nid]!));
    w.i64le(BigInt(am.lastSuccess[nid]!));
    w.i32le(am.attempts[nid]!);
  };
  let ids = 0;
  for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && am.refCount[nid] !== 0) {
    index[nid] = ids++;
    entry(nid);
  }
  for (let nid = 0; nid < am.highWater; nid++) if (am.isLive(nid) && am.inTried[nid]) entry(nid);
  for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
    const slots: number[] = [];
    for (let i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
      const nid = vvNew[b * ADDRMAN_BUCKET_SIZE + i]!;
      if (nid !== -1) slots.push(index[nid]!);
    }
    w.i32le(slots.length);
    for (const s of slots) w.i32le(s);
  }
  w.bytes(am.netgroupman.getAsmapVersion());
  return w.toBytes();
}

describe('addrman serialization with cached address bytes', () => {
  it('writes the same bytes as the field-by-field CAddress writer, for every network and source kind', () => {
    const ngm = NetGroupManager.noAsmap();
    const am = new AddrMan({ netgroupman: ngm, clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
    const services = NODE_NETWORK | NODE_WITNESS;
    const addrs = [
      '1.2.3.4:8333',
      '250.7.1.1:18444',
      '[2001:db8::7]:8333',
      '[2a01:4f8::1]:1',
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333',
      'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0',
      '[fc00:1:2:3:4:5:6:7]:8333',
    ];
    const sources: NetAddr[] = [netAddrOrThrow('9.9.9.9'), NetAddr.internal('seed.example.org'), netAddrOrThrow('2001:db8::1')];
    let k = 0;
    for (const text of addrs) {
      for (const src of sources) {
        const s = serviceOrThrow(text, 8333);
        // A recent, an old and a far-future time (near the top of the uint32 range).
        const time = [NOW - 3600, NOW - 86_400 * 3, 4294967291][k++ % 3]!;
        am.add([new Address(s, services + (k % 2) * 1024, time)], src, 0);
      }
    }
    am.good(new Address(serviceOrThrow(addrs[0]!, 8333), services, NOW), NOW);
    am.good(new Address(serviceOrThrow(addrs[2]!, 8333), services, NOW), NOW);
    am.attempt(serviceOrThrow(addrs[3]!, 8333), true, NOW - 10);
    expect(am.size()).toBeGreaterThan(4);
    const fast = addrManToBytes(am);
    expect(Buffer.from(fast).toString('hex')).toBe(Buffer.from(referenceBytes(am)).toString('hex'));
    // And a second dump (now from the caches) is unchanged and loads back.
    expect(Buffer.from(addrManToBytes(am)).toString('hex')).toBe(Buffer.from(fast).toString('hex'));
    const back = new AddrMan({ netgroupman: ngm, clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
    addrManFromBytes(back, fast);
    expect(back.size()).toBe(am.size());
  });
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function freshAddrMan(ngm = NetGroupManager.noAsmap()): AddrMan {
  return new AddrMan({ netgroupman: ngm, clock: { nowMicros: () => NOW * 1e6 }, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY });
}

/** An addrman of ~2,500 entries over IPv4, IPv6 and onion, with tried entries, failures and odd field values. */
function filledAddrMan(): AddrMan {
  const am = freshAddrMan();
  const seed = new Uint8Array(32);
  seed[0] = 42;
  const rng = new FastRandomContext(seed);
  const sources = Array.from({ length: 40 }, (_, i) => new NetAddr(Network.NET_IPV4, Uint8Array.of(30 + i, rng.randrange(256), 7, 1)));
  // Services needing every CompactSize width: 1, 3, 5 and 9 bytes.
  const serviceChoices = [NODE_NETWORK | NODE_WITNESS, 0x1234, 0x12345, 2 ** 40 + 9];
  for (let k = 0; k < 3000; k++) {
    let s: Service;
    const kind = k % 10;
    if (kind < 7) s = new Service(Network.NET_IPV4, Uint8Array.of(1 + rng.randrange(200), rng.randrange(256), rng.randrange(256), 1 + rng.randrange(254)), 8333);
    else if (kind < 9) s = serviceOrThrow(`[2001:${(0x100 + rng.randrange(0xe00)).toString(16)}::${(1 + rng.randrange(0xfff)).toString(16)}]:8333`, 8333);
    else s = new Service(Network.NET_ONION, Uint8Array.from({ length: 32 }, () => rng.randrange(256)), 8333);
    am.add([new Address(s, serviceChoices[k % 4]!, NOW - rng.randrange(86_400 * 5))], sources[rng.randrange(sources.length)]!, 0);
    if (k % 7 === 0) am.good(s, NOW - rng.randrange(3600));
    if (k % 11 === 0) am.attempt(s, true, NOW - 5);
    // m_last_success beyond 32 bits.
    if (k % 97 === 0) am.good(s, 5_000_000_000 + k);
  }
  return am;
}

describe('addrman serialization written into one exact-size array', () => {
  it('writes the bytes of the old ByteWriter serializer on a filled addrman, and round-trips byte for byte', () => {
    const am = filledAddrMan();
    expect(am.size()).toBeGreaterThan(2000);
    expect(am.nTried).toBeGreaterThan(200);
    expect(am.checkAddrman()).toBe(0);
    const bytes = addrManToBytes(am);
    expect(hex(bytes)).toBe(hex(referenceBytes(am)));
    // serializeAddrMan into a ByteWriter gives the same bytes after whatever is already there.
    const w = new ByteWriter(8).u8(0xaa);
    serializeAddrMan(am, w);
    expect(hex(w.toBytes())).toBe('aa' + hex(bytes));
    // head/tail room: the payload sits between zeroed margins.
    const framed = addrManToBytes(am, 4, 32);
    expect(framed.length).toBe(bytes.length + 36);
    expect(hex(framed.subarray(4, 4 + bytes.length))).toBe(hex(bytes));
    expect(framed.subarray(0, 4).every((b) => b === 0) && framed.subarray(4 + bytes.length).every((b) => b === 0)).toBe(true);
    // Load and write again: identical, and identical to the reference of the loaded copy.
    const back = freshAddrMan();
    addrManFromBytes(back, bytes);
    expect(back.size()).toBe(am.size());
    expect(hex(addrManToBytes(back))).toBe(hex(bytes));
    expect(hex(referenceBytes(back))).toBe(hex(bytes));
  });

  it('frames peers.dat exactly as serializeDb around the old serializer, and loads it back', () => {
    const am = filledAddrMan();
    for (const chain of ['main', 'regtest'] as const) {
      const dumped = dumpPeerAddresses(chain, am);
      expect(hex(dumped)).toBe(hex(serializeDb(chain, referenceBytes(am))));
      const loaded = loadPeerAddresses(chain, dumped, () => freshAddrMan());
      expect(loaded.ok).toBe(true);
      if (loaded.ok) expect(hex(dumpPeerAddresses(chain, loaded.value))).toBe(hex(dumped));
    }
    // An empty addrman too.
    const empty = freshAddrMan();
    expect(hex(dumpPeerAddresses('main', empty))).toBe(hex(serializeDb('main', referenceBytes(empty))));
  });

  it('loads, checks and rewrites an addrman whose ids exceed 16 bits (wide bucket tables)', () => {
    // A file with Core's maximum of 65,536 new entries, entry k recorded in bucket k % 1024, then
    // 3,000 tried ones: the loader gives new entry k row k and the tried entries the rows after
    // them, so ids above BUCKET_TABLE_NARROW_MAX_ID land in both tables and widen them.
    const nNew = ADDRMAN_NEW_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE;
    const nTried = 3000;
    const w = new ByteWriter(1 << 22);
    w.u8(FILE_FORMAT).u8(INCOMPATIBILITY_BASE + 4).bytes(DETERMINISTIC_ADDRMAN_KEY);
    w.i32le(nNew).i32le(nTried).i32le(ADDRMAN_NEW_BUCKET_COUNT ^ (1 << 30));
    const source = netAddrOrThrow('9.9.9.9');
    for (let k = 0; k < nNew + nTried; k++) {
      const s = new Service(Network.NET_IPV4, Uint8Array.of(11 + (k >>> 16), (k >>> 8) & 0xff, k & 0xff, 1), 8333);
      writeAddress(w, new Address(s, NODE_NETWORK, NOW - 60), V2_DISK);
      writeNetAddrV2(w, source);
      w.i64le(k < nNew ? 0n : BigInt(NOW - 100)).i32le(0);
    }
    for (let b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; b++) {
      const ks: number[] = [];
      for (let k = b; k < nNew; k += ADDRMAN_NEW_BUCKET_COUNT) ks.push(k);
      w.i32le(ks.length);
      for (const k of ks) w.i32le(k);
    }
    w.bytes(new Uint8Array(32));
    const am = freshAddrMan();
    addrManFromBytes(am, w.toBytes()); // runs CheckAddrman: every slot sits at its hashed position
    expect(am.vvTried.isWide).toBe(true);
    const flat = am.vvTried.toFlat();
    let maxId = -1;
    for (let i = 0; i < flat.length; i++) maxId = Math.max(maxId, flat[i]!);
    expect(maxId).toBeGreaterThan(BUCKET_TABLE_NARROW_MAX_ID);
    expect(am.nTried).toBeGreaterThan(1000);
    expect(am.checkAddrman()).toBe(0);
    expect(am.bucketFillConsistent()).toBe(true);
    const bytes = addrManToBytes(am);
    expect(hex(bytes)).toBe(hex(referenceBytes(am)));
    const back = freshAddrMan();
    addrManFromBytes(back, bytes);
    expect(hex(addrManToBytes(back))).toBe(hex(bytes));
    // Selecting reads the wide cells: every pick is a known address.
    for (let i = 0; i < 50; i++) {
      const r = am.select();
      expect(r.address).not.toBeNull();
      expect(am.getInfo(r.address!)).not.toBeNull();
    }
  });

  it('keeps the bucket tables far below the flat Int32Arrays for a small addrman', () => {
    const am = freshAddrMan();
    const source = netAddrOrThrow('9.9.9.9');
    for (let k = 0; k < 300; k++) am.add([new Address(new Service(Network.NET_IPV4, Uint8Array.of(20 + (k % 50), k, 3, 4), 8333), NODE_NETWORK, NOW)], source, 0);
    expect(am.size()).toBeGreaterThan(100);
    const flatBytes = (ADDRMAN_NEW_BUCKET_COUNT + 256) * ADDRMAN_BUCKET_SIZE * 4;
    expect(am.tableBytes()).toBeLessThan(flatBytes / 8);
  });
});

describe('peers.dat sealed on first read', () => {
  it('an unsealed dump sealed later is byte-identical to dumpPeerAddresses, and sealing is idempotent', () => {
    const am = filledAddrMan();
    const sealed = dumpPeerAddresses('main', am);
    const unsealed = dumpPeerAddressesUnsealed('main', am);
    expect(unsealed.length).toBe(sealed.length);
    expect(hex(unsealed.subarray(unsealed.length - 32))).toBe('00'.repeat(32));
    expect(hex(unsealed.subarray(0, unsealed.length - 32))).toBe(hex(sealed.subarray(0, sealed.length - 32)));
    expect(hex(sealPeersDat(unsealed))).toBe(hex(sealed));
    expect(hex(sealPeersDat(unsealed))).toBe(hex(sealed));
    const loaded = loadPeerAddresses('main', unsealed, freshAddrMan);
    expect(loaded.ok).toBe(true);
  });
});
