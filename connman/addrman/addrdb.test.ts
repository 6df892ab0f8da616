// peers.dat / anchors.dat framing and loading, on Core-written files from /work/shared/data and on
// files we write; plus a seeded fuzz-style run of random AddrMan operations with the consistency
// check after every one (Core's src/test/fuzz/addrman.cpp in spirit).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { dumpAnchors, dumpPeerAddresses, dumpPeerAddressesDeferred, loadPeerAddresses, readAnchors, readAnchorsChecked, serializeDb, type DeferredDump } from './addrdb.ts';
import { AddressPool } from './address-pool.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from './addrman.ts';
import { getAddrmanInfo, getRawAddrman } from './rpc.ts';
import { addrManToBytes } from './serialize.ts';
import { bucketPosition } from './buckets.ts';
import { ByteReader } from '../util/serialize.ts';
import { NetAddr, Network, readNetAddrV2, Service } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Address, NODE_NETWORK, NODE_WITNESS, readAddress, V2_DISK } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const dataFile = (name: string): string => sharedDataFile(name);
const PEERS = dataFile('peers-regtest.dat');
const PEERS_ASMAP = dataFile('peers-regtest-asmap.dat');
const IP_ASN = dataFile('ip_asn.dat');
const hasPeers = existsSync(PEERS);
const hasPeersAsmap = existsSync(PEERS_ASMAP) && existsSync(IP_ASN);
if (!hasPeers) console.warn(`skipping peers.dat tests: ${PEERS} is missing`);
if (!hasPeersAsmap) console.warn(`skipping asmap peers.dat tests: ${PEERS_ASMAP} or ${IP_ASN} is missing`);

const NOW = 1_700_000_000;
const clock = { micros: NOW * 1e6, nowMicros(): number { return this.micros; } };
const sharedPool = new AddressPool();

function fresh(ngm: NetGroupManager = NetGroupManager.noAsmap(), ratio = 0): AddrMan {
  return new AddrMan({ netgroupman: ngm, clock, rng: new FastRandomContext(true), key: DETERMINISTIC_ADDRMAN_KEY, consistencyCheckRatio: ratio, pool: sharedPool });
}

function load(bytes: Uint8Array, ngm?: NetGroupManager): AddrMan {
  const r = loadPeerAddresses('regtest', bytes, () => fresh(ngm));
  if (!r.ok) throw r.error;
  return r.value;
}

describe('peers.dat written by Core', () => {
  it.skipIf(!hasPeers)('loads peers-regtest.dat with its checksum and gives plausible per-network counts', () => {
    const bytes = new Uint8Array(readFileSync(PEERS));
    const am = load(bytes);
    const info = getAddrmanInfo(am);
    console.log('peers-regtest.dat getaddrmaninfo', JSON.stringify(info));
    const all = info['all_networks']!;
    expect(all.total).toBe(am.size());
    expect(all.total).toBeGreaterThan(2500);
    expect(all.total).toBeLessThan(3500);
    expect(all.tried / all.total).toBeGreaterThan(0.2);
    expect(all.tried / all.total).toBeLessThan(0.4);
    for (const net of ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns']) expect(info[net]!.total).toBeGreaterThan(0);
    expect(am.checkAddrman()).toBe(0);
    // Nothing is lost: the counts equal the header's nNew / nTried.
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    expect(all.new).toBe(dv.getInt32(4 + 2 + 32, true));
    expect(all.tried).toBe(dv.getInt32(4 + 2 + 32 + 4, true));
    // Every new-table reference Core recorded is restored at exactly its (bucket, position).
    const listed = recordedNewSlots(bytes.subarray(4));
    let occupied = 0;
    for (let i = 0; i < am.vvNew.length; i++) {
      const nid = am.vvNew.get(i);
      if (nid === -1) continue;
      occupied++;
      expect(am.pool.service(am.poolId[nid]!).key).toBe(listed.get(i));
    }
    expect(occupied).toBe(listed.size);
    // The file has no asmap, so the loader restores Core's positions: getrawaddrman has every entry.
    const raw = getRawAddrman(am);
    expect(Object.keys(raw.tried).length).toBe(all.tried);
    expect(Object.keys(raw.new).length).toBeGreaterThanOrEqual(all.new);
  });

  it.skipIf(!hasPeers)('round trip: serialize → unserialize → serialize is byte-identical', () => {
    const am = load(new Uint8Array(readFileSync(PEERS)));
    const once = dumpPeerAddresses('regtest', am);
    const am2 = load(once);
    const twice = dumpPeerAddresses('regtest', am2);
    expect(twice).toEqual(once);
    expect(getRawAddrman(am2)).toEqual(getRawAddrman(am));
  });

  it.skipIf(!hasPeers)('corrupt, truncated, foreign-magic and bad-checksum files give typed errors', () => {
    const bytes = new Uint8Array(readFileSync(PEERS));
    const kindOf = (b: Uint8Array, chain: 'regtest' | 'main' = 'regtest'): string => {
      const r = loadPeerAddresses(chain, b, () => fresh());
      return r.ok ? 'ok' : r.error.kind;
    };
    expect(kindOf(bytes)).toBe('ok');
    expect(kindOf(bytes, 'main')).toBe('magic');
    expect(kindOf(bytes.subarray(0, bytes.length - 10))).toBe('truncated');
    expect(kindOf(bytes.subarray(0, 1000))).toBe('truncated');
    const badSum = bytes.slice();
    badSum[badSum.length - 1]! ^= 1;
    expect(kindOf(badSum)).toBe('checksum');
    // Flip a bit in an entry's time: still parses, but the checksum no longer matches.
    const flipped = bytes.slice();
    flipped[4 + 2 + 32 + 12 + 4 + 1]! ^= 0x10;
    expect(kindOf(flipped)).toBe('checksum');
    // nNew out of range.
    const badNew = bytes.slice();
    badNew[4 + 2 + 32 + 3] = 0x7f;
    expect(kindOf(badNew)).toBe('corrupt');
    // An unsupported lowest-compatible version.
    const badVer = bytes.slice();
    badVer[5] = 32 + 9;
    expect(kindOf(badVer)).toBe('version');
  });

  it.skipIf(!hasPeersAsmap)('peers-regtest-asmap.dat: restores exact positions with ip_asn.dat, re-buckets without', () => {
    const bytes = new Uint8Array(readFileSync(PEERS_ASMAP));
    const ngm = NetGroupManager.withAsmap(new Uint8Array(readFileSync(IP_ASN)));
    const withAsmap = load(bytes, ngm);
    const without = load(bytes);
    const infoA = getAddrmanInfo(withAsmap);
    const infoN = getAddrmanInfo(without);
    console.log('peers-regtest-asmap.dat with asmap', JSON.stringify(infoA));
    console.log('peers-regtest-asmap.dat without asmap', JSON.stringify(infoN));
    expect(withAsmap.checkAddrman()).toBe(0);
    expect(without.checkAddrman()).toBe(0);
    // With the matching asmap every recorded new-table reference is restored where Core had it:
    // the slots we fill are exactly the (bucket, position) pairs the file lists.
    const listed = recordedNewSlots(bytes.subarray(4));
    let occupied = 0;
    for (let i = 0; i < withAsmap.vvNew.length; i++) {
      const nid = withAsmap.vvNew.get(i);
      if (nid === -1) continue;
      occupied++;
      expect(withAsmap.pool.service(withAsmap.poolId[nid]!).key).toBe(listed.get(i));
    }
    expect(occupied).toBe(listed.size);
    // Without it the new table is re-bucketed: every entry sits in its source's bucket, once.
    let moved = 0;
    for (const { info, position } of without.getEntries(false)) {
      expect(info.refCount).toBe(1);
      const p = withAsmap.findAddressEntry(info.address);
      if (p !== null && !p.tried && (p.bucket !== position.bucket || p.position !== position.position)) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    const raw = getRawAddrman(withAsmap);
    const someEntry = Object.values(raw.tried)[0]!;
    expect(Object.keys(raw.tried).length).toBe(infoA['all_networks']!.tried);
    // With an asmap loaded, IPv4/IPv6 entries carry mapped_as where the map knows their AS.
    const anyMapped = [...Object.values(raw.new), ...Object.values(raw.tried)].some((e) => e.mapped_as !== undefined);
    expect(anyMapped).toBe(true);
    expect(someEntry.address.length).toBeGreaterThan(0);
  });
});

/**
 * The new-table slots (bucket*64 + position → service key string) a Core peers.dat records, read
 * straight from its bytes: header, entries, then the per-bucket index lists.
 */
function recordedNewSlots(payload: Uint8Array): Map<number, string> {
  const r = new ByteReader(payload);
  r.u8();
  r.u8();
  const key = r.bytes(32).slice();
  const nNew = r.i32le();
  const nTried = r.i32le();
  const nBuckets = r.i32le() ^ (1 << 30);
  const newAddrs: Address[] = [];
  for (let n = 0; n < nNew + nTried; n++) {
    const a = readAddress(r, V2_DISK);
    readNetAddrV2(r);
    r.i64le();
    r.i32le();
    if (n < nNew) newAddrs.push(a);
  }
  const out = new Map<number, string>();
  for (let b = 0; b < nBuckets; b++) {
    const cnt = r.i32le();
    for (let k = 0; k < cnt; k++) {
      const a = newAddrs[r.i32le()]!;
      out.set(b * 64 + bucketPosition(key, true, b, a.getKey()), a.key);
    }
  }
  return out;
}

describe('anchors.dat', () => {
  it('round trip of a vector of CAddress in the V2 disk form', () => {
    const tor = new Service(Network.NET_ONION, new Uint8Array(32).fill(7), 8333);
    const v4 = new Service(Network.NET_IPV4, Uint8Array.of(1, 2, 3, 4), 8333);
    const anchors = [new Address(v4, NODE_NETWORK | NODE_WITNESS, NOW), new Address(tor, 0, NOW - 5)];
    const bytes = dumpAnchors('main', anchors);
    const back = readAnchors('main', bytes);
    expect(back.length).toBe(2);
    expect(back[0]!.equalsAddress(anchors[0]!)).toBe(true);
    expect(back[1]!.equalsAddress(anchors[1]!)).toBe(true);
    // A corrupted file (byte inserted at offset 20, as feature_anchors.py does) yields no anchors.
    const corrupt = new Uint8Array(bytes.length + 1);
    corrupt.set(bytes.subarray(0, 20), 0);
    corrupt[20] = 0x42;
    corrupt.set(bytes.subarray(20), 21);
    expect(readAnchors('main', corrupt)).toEqual([]);
    const checked = readAnchorsChecked('main', corrupt);
    expect(checked.ok).toBe(false);
    expect(readAnchorsChecked('testnet4', bytes)).toMatchObject({ ok: false, error: { kind: 'magic' } });
  });
});

describe('fuzz-style random operation sequences', () => {
  it('keeps CheckAddrman at 0 after every operation, across serialize+reload', () => {
    const drive = new FastRandomContext(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    const ngm = NetGroupManager.noAsmap();
    let am = fresh(ngm, 0);
    const localClock = clock;
    const randAddr = (): Service => {
      const kind = drive.randrange(10);
      if (kind < 7) {
        // Concentrated IPv4 space so that collisions and refreshes are frequent.
        return new Service(Network.NET_IPV4, Uint8Array.of(250 + drive.randrange(3), drive.randrange(4), drive.randrange(3), drive.randrange(40)), drive.randrange(3) + 8333);
      }
      if (kind < 9) {
        const b = new Uint8Array(16);
        b[0] = 0x20;
        b[1] = 0x01;
        b[2] = 0x0d;
        b[3] = 0xb9 + 1;
        b[15] = drive.randrange(50);
        return new Service(Network.NET_IPV6, b, 8333);
      }
      const t = new Uint8Array(32);
      t[0] = drive.randrange(20);
      return new Service(Network.NET_ONION, t, 8333);
    };
    const known: Service[] = [];
    // A deferred peers.dat dump taken at a random step must give, whenever it is materialized, the
    // bytes an immediate dump gave then; the next one reuses its image.
    let pending: { dump: DeferredDump; hex: string } | null = null;
    let deferredChecked = 0;
    for (let step = 0; step < 2000; step++) {
      if (drive.randrange(25) === 0) {
        if (pending !== null) {
          const bytes = pending.dump.materialize();
          expect(bytes.length).toBe(pending.dump.size);
          expect(Buffer.from(bytes).toString('hex')).toBe(pending.hex);
          deferredChecked++;
        }
        const dump = dumpPeerAddressesDeferred('regtest', am, pending?.dump.image);
        pending = { dump, hex: Buffer.from(dumpPeerAddresses('regtest', am)).toString('hex') };
      }
      const op = drive.randrange(12);
      const now = Math.floor(localClock.micros / 1e6);
      if (op <= 3) {
        const n = 1 + drive.randrange(5);
        const list: Address[] = [];
        for (let i = 0; i < n; i++) {
          const s = randAddr();
          known.push(s);
          list.push(new Address(s, drive.randrange(2) ? NODE_NETWORK : 0, now - drive.randrange(40 * 86400)));
        }
        const src = new NetAddr(Network.NET_IPV4, Uint8Array.of(251, drive.randrange(8), 1, 1));
        am.add(list, src, drive.randrange(2) ? 7200 : 0);
      } else if (op <= 5 && known.length > 0) {
        am.good(known[drive.randrange(known.length)]!);
      } else if (op === 6 && known.length > 0) {
        am.attempt(known[drive.randrange(known.length)]!, drive.randbool(), now - drive.randrange(100));
      } else if (op === 7 && known.length > 0) {
        am.connected(known[drive.randrange(known.length)]!);
      } else if (op === 8) {
        am.select(drive.randbool(), drive.randbool() ? [Network.NET_IPV4] : undefined);
        am.selectTriedCollision();
      } else if (op === 9) {
        am.getAddr(drive.randrange(50), drive.randrange(101), null, drive.randbool());
      } else if (op === 10) {
        am.resolveCollisions();
      } else {
        localClock.micros += drive.randrange(3 * 3600) * 1e6;
        if (drive.randrange(20) === 0) {
          const bytes = addrManToBytes(am);
          const before = getAddrmanInfo(am)['all_networks']!;
          const r = loadPeerAddresses('regtest', serializeDb('regtest', bytes), () => fresh(ngm, 0));
          expect(r.ok).toBe(true);
          if (r.ok) {
            am = r.value;
            expect(getAddrmanInfo(am)['all_networks']!.total).toBeLessThanOrEqual(before.total);
          }
        }
      }
      const code = am.checkAddrman();
      if (code !== 0) throw new Error(`CheckAddrman ${code} after step ${step} (op ${op})`);
      if (!am.bucketFillConsistent()) throw new Error(`bucket occupancy counts out of step after step ${step} (op ${op})`);
    }
    expect(am.size()).toBeGreaterThan(50);
    expect(deferredChecked).toBeGreaterThan(40);
  });
});
