// Core's addrman unit tests (src/test/addrman_tests.cpp), the rpc_net.py bucket table and derived
// placement vectors (reference/core-test-vectors.md §1–§3), run against the port with Core's
// deterministic key and RNG and Core's test check ratio (100), so RNG-dependent outcomes are
// compared exactly.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { bucketPosition, getNewBucket, getTriedBucket, ADDRMAN_MIN_FAIL, ADDRMAN_MAX_FAILURES } from './buckets.ts';
import { AddressPool } from './address-pool.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY, drawAddrManKey } from './addrman.ts';
import { addrManFromBytes, addrManToBytes, AddrManLoadError } from './serialize.ts';
import { getAddrmanInfo, getRawAddrman } from './rpc.ts';
import { sha256d } from '../util/hash.ts';
import { NetAddr, Network, netAddrOrThrow, serviceOrThrow, setSpecial, Service } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { Address, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_NONE, NODE_P2P_V2, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { ByteWriter } from '../util/serialize.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const ASMAP_TEST = sharedDataFile('asmap-test.raw');
const hasAsmapTest = existsSync(ASMAP_TEST);
if (!hasAsmapTest) console.warn(`skipping asmap addrman tests: ${ASMAP_TEST} is missing`);

export const EMPTY_NETGROUPMAN = NetGroupManager.noAsmap();
function asmapNetgroupman(): NetGroupManager {
  return NetGroupManager.withAsmap(new Uint8Array(readFileSync(ASMAP_TEST)));
}

/** A mockable clock (Core's FakeNodeClock). */
export class TestClock {
  constructor(public micros: number) {}
  nowMicros(): number {
    return this.micros;
  }
  seconds(): number {
    return Math.floor(this.micros / 1e6);
  }
  advance(seconds: number): void {
    this.micros += seconds * 1e6;
  }
}

/** "Now" for tests that use Core's real clock: any present-day time behaves the same. */
export const TEST_NOW = 1_700_000_000;

export function makeAddrman(opts: { ngm?: NetGroupManager; clock?: TestClock; ratio?: number; pool?: AddressPool } = {}): AddrMan {
  return new AddrMan({
    netgroupman: opts.ngm ?? EMPTY_NETGROUPMAN,
    clock: opts.clock ?? new TestClock(TEST_NOW * 1e6),
    rng: new FastRandomContext(true),
    key: DETERMINISTIC_ADDRMAN_KEY,
    consistencyCheckRatio: opts.ratio ?? 100,
    pool: opts.pool,
  });
}

const ip = (s: string): NetAddr => netAddrOrThrow(s);
const svc = (s: string, port = 0): Service => serviceOrThrow(s, port);
const caddr = (s: Service, services = NODE_NONE, time?: number): Address => new Address(s, services, time);
const str = (a: Address | null): string => (a === null ? '[::]:0' : a.toStringAddrPort());
const keyOf = (n: number): Uint8Array => sha256d(Uint8Array.of(n, 0, 0, 0));

const tried = getTriedBucket;
const newB = getNewBucket;

describe('AddrInfo bucket functions (addrman_tests.cpp)', () => {
  it('caddrinfo_get_tried_bucket_legacy', () => {
    const ngm = EMPTY_NETGROUPMAN;
    const a1 = svc('250.1.1.1', 8333);
    const a2 = svc('250.1.1.1', 9999);
    const k1 = keyOf(1);
    const k2 = keyOf(2);
    expect(tried(k1, a1, ngm)).toBe(40);
    expect(bucketPosition(k1, false, 40, a1.getKey())).toBe(28);
    expect(tried(k2, a1, ngm)).not.toBe(40);
    expect(tried(k2, a1, ngm)).toBe(191);
    expect(tried(k1, a2, ngm)).toBe(113);
    const b1 = new Set<number>();
    for (let i = 0; i < 255; i++) b1.add(tried(k1, svc(`250.1.1.${i}`), ngm));
    expect(b1.size).toBe(8);
    const b2 = new Set<number>();
    for (let j = 0; j < 255; j++) b2.add(tried(k1, svc(`250.${j}.1.1`), ngm));
    expect(b2.size).toBe(160);
  });

  it('caddrinfo_get_new_bucket_legacy', () => {
    const ngm = EMPTY_NETGROUPMAN;
    const a1 = svc('250.1.2.1', 8333);
    const a2 = svc('250.1.2.1', 9999);
    const s1 = ip('250.1.2.1');
    const k1 = keyOf(1);
    const k2 = keyOf(2);
    expect(newB(k1, a1, s1, ngm)).toBe(786);
    expect(bucketPosition(k1, true, 786, a1.getKey())).toBe(55);
    expect(newB(k2, a1, s1, ngm)).toBe(852);
    expect(newB(k1, a2, s1, ngm)).toBe(786);
    const b1 = new Set<number>();
    for (let i = 0; i < 255; i++) b1.add(newB(k1, svc(`250.1.1.${i}`), ip(`250.1.1.${i}`), ngm));
    expect(b1.size).toBe(1);
    const b2 = new Set<number>();
    for (let j = 0; j < 4 * 255; j++) b2.add(newB(k1, svc(`${250 + Math.floor(j / 255)}.${j % 256}.1.1`), ip('251.4.1.1'), ngm));
    expect(b2.size).toBeLessThanOrEqual(64);
    expect(b2.size).toBe(63);
    const b3 = new Set<number>();
    for (let p = 0; p < 255; p++) b3.add(newB(k1, svc('250.1.1.1'), ip(`250.${p}.1.1`), ngm));
    expect(b3.size).toBeGreaterThan(64);
    expect(b3.size).toBe(221);
  });

  it.skipIf(!hasAsmapTest)('caddrinfo_get_tried_bucket (test asmap)', () => {
    const ngm = asmapNetgroupman();
    const a1 = svc('250.1.1.1', 8333);
    const k1 = keyOf(1);
    expect(Array.from(ngm.getGroup(a1))).toEqual([2, 0xe8, 0x03, 0, 0]);
    expect(tried(k1, a1, ngm)).toBe(236);
    expect(tried(keyOf(2), a1, ngm)).not.toBe(236);
    expect(tried(k1, svc('250.1.1.1', 9999), ngm)).not.toBe(236);
    const b1 = new Set<number>();
    for (let j = 0; j < 255; j++) b1.add(tried(k1, svc(`101.${j}.1.1`), ngm));
    expect(b1.size).toBeGreaterThan(8);
    const b2 = new Set<number>();
    for (let j = 0; j < 255; j++) b2.add(tried(k1, svc(`250.${j}.1.1`), ngm));
    expect(b2.size).toBe(8);
  });

  it.skipIf(!hasAsmapTest)('caddrinfo_get_new_bucket (test asmap)', () => {
    const ngm = asmapNetgroupman();
    const a1 = svc('250.1.2.1', 8333);
    const s1 = ip('250.1.2.1');
    const k1 = keyOf(1);
    expect(newB(k1, a1, s1, ngm)).toBe(795);
    expect(newB(keyOf(2), a1, s1, ngm)).not.toBe(795);
    expect(newB(k1, svc('250.1.2.1', 9999), s1, ngm)).toBe(795);
    const b1 = new Set<number>();
    for (let i = 0; i < 255; i++) b1.add(newB(k1, svc(`250.1.1.${i}`), ip(`250.1.1.${i}`), ngm));
    expect(b1.size).toBe(1);
    const b2 = new Set<number>();
    for (let j = 0; j < 4 * 255; j++) b2.add(newB(k1, svc(`${250 + Math.floor(j / 255)}.${j % 256}.1.1`), ip('251.4.1.1'), ngm));
    expect(b2.size).toBeLessThanOrEqual(64);
    const b3 = new Set<number>();
    for (let p = 0; p < 255; p++) b3.add(newB(k1, svc('250.1.1.1'), ip(`101.${p}.1.1`), ngm));
    expect(b3.size).toBeGreaterThan(1);
    const b4 = new Set<number>();
    for (let p = 0; p < 255; p++) b4.add(newB(k1, svc('250.1.1.1'), ip(`250.${p}.1.1`), ngm));
    expect(b4.size).toBe(1);
  });

  it('derived placements of the 250.1.1.x family (test-vectors §2.1)', () => {
    const ngm = EMPTY_NETGROUPMAN;
    const k = DETERMINISTIC_ADDRMAN_KEY;
    const src = ip('252.2.2.2');
    const newPos: Record<number, number> = { 22: 3, 23: 3, 21: 61, 24: 29, 1: 4, 19: 15, 36: 58, 10: 57, 59: 54 };
    for (const [x, pos] of Object.entries(newPos)) {
      const a = svc(`250.1.1.${x}`);
      expect(newB(k, a, src, ngm)).toBe(983);
      expect(bucketPosition(k, true, 983, a.getKey())).toBe(pos);
    }
    const triedPos: Record<number, [number, number]> = { 1: [228, 0], 19: [121, 32], 36: [121, 32], 10: [228, 38], 59: [228, 38], 23: [75, 5] };
    for (const [x, [b, pos]] of Object.entries(triedPos)) {
      const a = svc(`250.1.1.${x}`);
      expect(tried(k, a, ngm)).toBe(b);
      expect(bucketPosition(k, false, b, a.getKey())).toBe(pos);
    }
  });
});

describe('AddrMan behaviour (addrman_tests.cpp, deterministic)', () => {
  it('addrman_simple', () => {
    let am = makeAddrman();
    const source = ip('252.2.2.2');
    expect(am.size()).toBe(0);
    expect(str(am.select().address)).toBe('[::]:0');
    const addr1 = svc('250.1.1.1', 8333);
    expect(am.add([caddr(addr1)], source)).toBe(true);
    expect(am.size()).toBe(1);
    expect(str(am.select().address)).toBe('250.1.1.1:8333');
    expect(am.add([caddr(svc('250.1.1.1', 8333))], source)).toBe(false);
    expect(am.size()).toBe(1);
    expect(am.add([caddr(svc('250.1.1.2', 8333))], source)).toBe(true);
    expect(am.size()).toBeGreaterThanOrEqual(1);
    am = makeAddrman();
    expect(am.add([caddr(svc('250.1.1.3', 8333)), caddr(svc('250.1.1.4', 8333))], source)).toBe(true);
    expect(am.size()).toBeGreaterThanOrEqual(1);
  });

  it('addrman_terrible_many_failures', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    const source = ip('250.1.2.1');
    const addr = caddr(svc('250.250.2.1', 8333), NODE_NONE, clock.seconds());
    expect(am.add([addr], source)).toBe(true);
    expect(am.good(addr)).toBe(true);
    clock.advance(ADDRMAN_MIN_FAIL + 24 * 3600);
    const helper = caddr(svc('251.252.2.3', 8333), NODE_NONE, clock.seconds());
    expect(am.add([helper], source)).toBe(true);
    expect(am.good(helper)).toBe(true);
    for (let i = 0; i < ADDRMAN_MAX_FAILURES; ++i) am.attempt(addr, true, clock.seconds() - 61);
    const filtered = am.getAddr(0, 0, null);
    expect(filtered.length).toBe(1);
    expect(str(filtered[0]!)).toBe('251.252.2.3:8333');
    expect(am.getAddr(0, 0, null, false).length).toBe(2);
  });

  it('addrman_penalty_self_announcement', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    const base = clock.seconds() - 10000;
    const c1 = caddr(svc('250.1.1.1', 8333), NODE_NONE, base);
    const penalty = 3600;
    expect(am.add([c1], ip('250.1.1.1'), penalty)).toBe(true);
    expect(am.findAddressEntry(c1)).not.toBeNull();
    let addrs = am.getAddr(0, 0, null);
    expect(addrs.length).toBe(1);
    expect(addrs[0]!.time).toBe(base);
    const c2 = caddr(svc('250.1.1.2', 8333), NODE_NONE, base);
    expect(am.add([c2], ip('250.1.1.3'), penalty)).toBe(true);
    addrs = am.getAddr(0, 0, null);
    expect(addrs.length).toBe(2);
    // Core's test reads element 0 after the shuffle (which the deterministic RNG fixes to addr2).
    expect(addrs[0]!.time).toBe(base - penalty);
    expect(am.getInfo(c2)!.address.time).toBe(base - penalty);
  });

  it('addrman_ports', () => {
    const am = makeAddrman();
    const source = ip('252.2.2.2');
    expect(am.size()).toBe(0);
    const a1 = svc('250.1.1.1', 8333);
    expect(am.add([caddr(a1)], source)).toBe(true);
    expect(am.size()).toBe(1);
    const a1p = svc('250.1.1.1', 8334);
    expect(am.add([caddr(a1p)], source)).toBe(true);
    expect(am.size()).toBe(2);
    const r2 = str(am.select().address);
    expect(['250.1.1.1:8333', '250.1.1.1:8334']).toContain(r2);
    am.good(caddr(a1p));
    expect(am.size()).toBe(2);
    expect(str(am.select(true).address)).toBe('250.1.1.1:8333');
  });

  it('addrman_select [RNG: exact]', () => {
    const am = makeAddrman();
    expect(am.select(false).address).toBeNull();
    expect(am.select(true).address).toBeNull();
    const source = ip('252.2.2.2');
    const a1 = svc('250.1.1.1', 8333);
    expect(am.add([caddr(a1)], source)).toBe(true);
    expect(am.size()).toBe(1);
    expect(am.select(true).address!.equals(a1)).toBe(true);
    expect(am.select(false).address!.equals(a1)).toBe(true);
    expect(am.good(caddr(a1))).toBe(true);
    expect(am.size()).toBe(1);
    expect(am.select(true).address).toBeNull();
    expect(am.select().address!.equals(a1)).toBe(true);
    expect(am.size()).toBe(1);
    const a2 = svc('250.3.1.1', 8333);
    expect(am.add([caddr(a2)], a2)).toBe(true);
    expect(am.select(true).address!.equals(a2)).toBe(true);
    const a3 = svc('250.3.2.2', 9999);
    const a4 = svc('250.3.3.3', 9999);
    expect(am.add([caddr(a3)], a2)).toBe(true);
    expect(am.add([caddr(a4)], svc('250.4.1.1', 8333))).toBe(true);
    const a5 = svc('250.4.4.4', 8333);
    const a6 = svc('250.4.5.5', 7777);
    const a7 = svc('250.4.6.6', 8333);
    expect(am.add([caddr(a5)], a3)).toBe(true);
    expect(am.good(caddr(a5))).toBe(true);
    expect(am.add([caddr(a6)], a3)).toBe(true);
    expect(am.good(caddr(a6))).toBe(true);
    expect(am.add([caddr(a7)], svc('250.1.1.3', 8333))).toBe(true);
    expect(am.good(caddr(a7))).toBe(true);
    expect(am.size()).toBe(7);
    const ports = new Set<number>();
    for (let i = 0; i < 20; ++i) ports.add(am.select().address!.port);
    expect(ports.size).toBe(3);
  });

  it('addrman_select_by_network [RNG: exact]', () => {
    const am = makeAddrman();
    expect(am.select(true, [Network.NET_IPV4]).address).toBeNull();
    expect(am.select(false, [Network.NET_IPV4]).address).toBeNull();
    const source = ip('252.2.2.2');
    const a1 = svc('250.1.1.1', 8333);
    expect(am.add([caddr(a1)], source)).toBe(true);
    expect(am.select(true, [Network.NET_IPV4]).address!.equals(a1)).toBe(true);
    expect(am.select(false, [Network.NET_IPV4]).address!.equals(a1)).toBe(true);
    expect(am.select(false, [Network.NET_IPV6]).address).toBeNull();
    expect(am.select(false, [Network.NET_ONION]).address).toBeNull();
    expect(am.select(false, [Network.NET_I2P]).address).toBeNull();
    expect(am.select(false, [Network.NET_CJDNS]).address).toBeNull();
    expect(am.select(true, [Network.NET_CJDNS]).address).toBeNull();
    expect(am.select(false).address!.equals(a1)).toBe(true);

    const i2p = caddr(Service.of(setSpecial('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p')!, 0));
    expect(am.add([i2p], source)).toBe(true);
    expect(am.select(true, [Network.NET_I2P]).address!.equals(i2p)).toBe(true);
    expect(am.select(false, [Network.NET_I2P]).address!.equals(i2p)).toBe(true);
    expect(am.select(false, [Network.NET_IPV4]).address!.equals(a1)).toBe(true);
    expect(am.select(false, [Network.NET_IPV4, Network.NET_I2P]).address).not.toBeNull();
    expect(am.select(false, [Network.NET_IPV6]).address).toBeNull();
    expect(am.select(false, [Network.NET_ONION]).address).toBeNull();
    expect(am.select(false, [Network.NET_CJDNS]).address).toBeNull();
    expect(am.select(false, [Network.NET_IPV6, Network.NET_ONION, Network.NET_CJDNS]).address).toBeNull();

    expect(am.good(i2p)).toBe(true);
    expect(am.select(true, [Network.NET_I2P]).address).toBeNull();
    expect(am.select(false, [Network.NET_I2P]).address!.equals(i2p)).toBe(true);

    const i2p2 = caddr(Service.of(setSpecial('c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p')!, 0));
    expect(am.add([i2p2], source)).toBe(true);
    expect(am.select(true, [Network.NET_I2P]).address!.equals(i2p2)).toBe(true);

    let newSelected = false;
    let triedSelected = false;
    let counter = 256;
    while (--counter > 0 && (!newSelected || !triedSelected)) {
      const sel = am.select(false, [Network.NET_I2P]).address!;
      expect(sel.equals(i2p) || sel.equals(i2p2)).toBe(true);
      if (sel.equals(i2p)) triedSelected = true;
      else newSelected = true;
    }
    expect(newSelected).toBe(true);
    expect(triedSelected).toBe(true);
  });

  it('addrman_select_special', () => {
    // Core uses a non-deterministic addrman here; any seed must pass.
    for (let seed = 1; seed <= 20; seed++) {
      const key = new Uint8Array(32);
      key[0] = seed;
      const rngSeed = new Uint8Array(32);
      rngSeed[1] = seed;
      const am = new AddrMan({
        netgroupman: EMPTY_NETGROUPMAN,
        clock: new TestClock(TEST_NOW * 1e6),
        rng: new FastRandomContext(rngSeed),
        key,
        consistencyCheckRatio: 100,
      });
      const source = ip('252.2.2.2');
      const i2p = caddr(Service.of(setSpecial('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p')!, 0));
      expect(am.add([i2p], source)).toBe(true);
      expect(am.good(i2p)).toBe(true);
      const a1 = svc('250.1.1.3', 8333);
      expect(am.add([caddr(a1)], source)).toBe(true);
      expect(am.select(false, [Network.NET_IPV4]).address!.equals(a1)).toBe(true);
    }
  });

  it('addrman_new_collisions', () => {
    const am = makeAddrman();
    const source = ip('252.2.2.2');
    let n = 0;
    expect(am.size()).toBe(n);
    while (n < 22) {
      const a = svc(`250.1.1.${++n}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.size()).toBe(n);
    }
    const a1 = svc(`250.1.1.${++n}`);
    const collisions = 1;
    expect(am.add([caddr(a1)], source)).toBe(true);
    expect(am.size()).toBe(n - collisions);
    const a2 = svc(`250.1.1.${++n}`);
    expect(am.add([caddr(a2)], source)).toBe(true);
    expect(am.size()).toBe(n - collisions);
  });

  it('addrman_new_multiplicity [RNG: exact]', () => {
    const am = makeAddrman();
    const start = TEST_NOW;
    let addr = caddr(svc('253.3.3.3', 8333), NODE_NONE, start);
    for (let i = 1; i < 20; ++i) {
      // Core's `i >> 8 % 256` is `i >> (8 % 256)` = `i >> 8`.
      am.add([addr], ip(`${i % 256}.${i >> 8}.1.1`));
    }
    const pos = am.findAddressEntry(addr)!;
    expect(pos.multiplicity).toBe(1);
    expect(am.size()).toBe(1);
    for (let i = 1; i < 400; ++i) {
      addr = caddr(svc('253.3.3.3', 8333), NODE_NONE, start + i);
      am.add([addr], ip(`${i % 256}.${i >> 8}.1.1`));
    }
    const multi = am.findAddressEntry(addr)!;
    expect(multi.multiplicity).toBe(8);
    expect(am.size()).toBe(1);
  });

  it('addrman_tried_collisions', () => {
    const am = makeAddrman();
    const source = ip('252.2.2.2');
    let n = 0;
    expect(am.size()).toBe(n);
    while (n < 35) {
      const a = svc(`250.1.1.${++n}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.good(caddr(a))).toBe(true);
    }
    const a1 = svc(`250.1.1.${++n}`);
    expect(am.add([caddr(a1)], source)).toBe(true);
    expect(am.good(caddr(a1))).toBe(false);
    const a2 = svc(`250.1.1.${++n}`);
    expect(am.add([caddr(a2)], source)).toBe(true);
    expect(am.good(caddr(a2))).toBe(true);
  });

  it('addrman_getaddr', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    expect(am.size()).toBe(0);
    expect(am.getAddr(0, 0, null).length).toBe(0);
    const now = clock.seconds();
    const a1 = caddr(svc('250.250.2.1', 8333), NODE_NONE, now);
    const a2 = caddr(svc('250.251.2.2', 9999), NODE_NONE, now);
    const a3 = caddr(svc('251.252.2.3', 8333), NODE_NONE, now);
    const a4 = caddr(svc('252.253.3.4', 8333), NODE_NONE, now);
    const a5 = caddr(svc('252.254.4.5', 8333), NODE_NONE, now);
    const s1 = ip('250.1.2.1');
    const s2 = ip('250.2.3.3');
    expect(am.add([a1, a3, a5], s1)).toBe(true);
    expect(am.add([a2, a4], s2)).toBe(true);
    expect(am.getAddr(0, 0, null).length).toBe(5);
    expect(am.getAddr(2500, 23, null).length).toBe(1);
    expect(am.good(caddr(a1))).toBe(true);
    expect(am.good(caddr(a2))).toBe(true);
    expect(am.getAddr(0, 0, null).length).toBe(5);
    expect(am.getAddr(2500, 23, null).length).toBe(1);
    for (let i = 1; i < 8 * 256; i++) {
      const s = `${i % 256}.${i >> 8}.1.23`;
      const a = caddr(svc(s), NODE_NONE, now);
      am.add([a], ip(s));
      if (i % 8 === 0) am.good(a);
    }
    const v = am.getAddr(2500, 23, null);
    const percent23 = Math.floor((am.size() * 23) / 100);
    expect(v.length).toBe(percent23);
    expect(v.length).toBe(461);
    expect(am.size()).toBe(2006);
  });

  it('getaddr_unfiltered', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    const now = clock.seconds();
    const a1 = caddr(svc('250.250.2.1', 8333), NODE_NONE, now);
    const a2 = caddr(svc('250.251.2.2', 9999));
    const source = ip('250.1.2.1');
    expect(am.add([a1, a2], source)).toBe(true);
    const a3 = caddr(svc('250.251.2.3', 9998), NODE_NONE, now);
    am.good(a3, now);
    expect(am.add([a3], source)).toBe(true);
    for (let i = 0; i < 3; ++i) am.attempt(a3, true, now - 61);
    const a4 = caddr(svc('250.252.2.4', 9997), NODE_NONE, now + 11 * 60);
    expect(am.add([a4], source)).toBe(true);
    expect(am.getAddr(0, 0, null).length).toBe(1);
    expect(am.getAddr(0, 0, null, false).length).toBe(4);
  });

  it.skipIf(!hasAsmapTest)('addrman_serialization', () => {
    const ngm = asmapNetgroupman();
    const pool = new AddressPool();
    let asmap1 = makeAddrman({ ngm, pool });
    const asmap1Dup = makeAddrman({ ngm, pool });
    let noasmap = makeAddrman({ pool });
    const addr = caddr(svc('250.1.1.1'));
    const defaultSource = NetAddr.unspecified();
    asmap1.add([addr], defaultSource);
    addrManFromBytes(asmap1Dup, addrManToBytes(asmap1));
    const p1 = asmap1.findAddressEntry(addr)!;
    const p2 = asmap1Dup.findAddressEntry(addr)!;
    expect(p1.multiplicity).not.toBe(0);
    expect(p2.multiplicity).not.toBe(0);
    expect(p2).toEqual(p1);

    addrManFromBytes(noasmap, addrManToBytes(asmap1));
    const p3 = noasmap.findAddressEntry(addr)!;
    expect(p3.multiplicity).not.toBe(0);
    expect(p3.bucket).not.toBe(p1.bucket);
    expect(p3.position).not.toBe(p1.position);

    asmap1 = makeAddrman({ ngm, pool });
    noasmap = makeAddrman({ pool });
    noasmap.add([addr], defaultSource);
    addrManFromBytes(asmap1, addrManToBytes(noasmap));
    const p4 = asmap1.findAddressEntry(addr)!;
    expect(p4.multiplicity).not.toBe(0);
    expect(p4.bucket).not.toBe(p3.bucket);
    expect(p4).toEqual(p2);

    asmap1 = makeAddrman({ ngm, pool });
    noasmap = makeAddrman({ pool });
    const b1 = caddr(svc('250.1.1.1'));
    const b2 = caddr(svc('250.2.1.1'));
    noasmap.add([addr, b2], defaultSource);
    const p5 = noasmap.findAddressEntry(b1)!;
    const p6 = noasmap.findAddressEntry(b2)!;
    expect(p5.bucket).not.toBe(p6.bucket);
    addrManFromBytes(asmap1, addrManToBytes(noasmap));
    const p7 = asmap1.findAddressEntry(b1)!;
    const p8 = asmap1.findAddressEntry(b2)!;
    expect(p7.bucket).toBe(p8.bucket);
    expect(p7.position).not.toBe(p8.position);
  });

  it('remove_invalid', () => {
    const am = makeAddrman();
    const new1 = caddr(svc('5.5.5.5'));
    const new2 = caddr(svc('6.6.6.6'));
    const tried1 = caddr(svc('7.7.7.7'));
    const tried2 = caddr(svc('8.8.8.8'));
    am.add([new1, tried1, new2, tried2], NetAddr.unspecified());
    am.good(tried1);
    am.good(tried2);
    expect(am.size()).toBe(4);
    const bytes = addrManToBytes(am);
    const patch = (from: number[], to: number[]): void => {
      let found = -1;
      for (let i = 0; i + from.length <= bytes.length && found < 0; i++) {
        if (from.every((b, j) => bytes[i + j] === b)) found = i;
      }
      expect(found).toBeGreaterThanOrEqual(0);
      bytes.set(to, found);
    };
    patch([6, 6, 6, 6], [0, 0, 0, 0]);
    patch([8, 8, 8, 8], [255, 255, 255, 255]);
    const am2 = makeAddrman();
    addrManFromBytes(am2, bytes);
    expect(am2.size()).toBe(2);
  });

  it('addrman_selecttriedcollision', () => {
    const am = makeAddrman();
    expect(am.size()).toBe(0);
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    const source = ip('252.2.2.2');
    for (let i = 1; i < 23; i++) {
      const a = svc(`250.1.1.${i}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.good(a)).toBe(true);
      expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    }
    for (let i = 1; i < 23; i++) {
      const a = svc(`250.1.1.${i}`);
      expect(am.good(a)).toBe(false);
      expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    }
  });

  it('addrman_noevict', () => {
    const am = makeAddrman();
    const source = ip('252.2.2.2');
    for (let i = 1; i < 36; i++) {
      const a = svc(`250.1.1.${i}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.good(a)).toBe(true);
    }
    const a36 = svc('250.1.1.36');
    expect(am.add([caddr(a36)], source)).toBe(true);
    expect(am.good(a36)).toBe(false);
    expect(str(am.selectTriedCollision().address)).toBe('250.1.1.19:0');
    am.resolveCollisions();
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    for (let i = 37; i < 59; i++) {
      const a = svc(`250.1.1.${i}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.good(a)).toBe(true);
    }
    const a59 = svc('250.1.1.59');
    expect(am.add([caddr(a59)], source)).toBe(true);
    expect(am.good(a59)).toBe(false);
    expect(str(am.selectTriedCollision().address)).toBe('250.1.1.10:0');
    expect(am.add([caddr(a36)], source)).toBe(false);
    expect(am.good(a36)).toBe(false);
    expect(str(am.selectTriedCollision().address)).not.toBe('[::]:0');
    am.resolveCollisions();
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
  });

  it('addrman_evictionworks', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    expect(am.size()).toBe(0);
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    const source = ip('252.2.2.2');
    for (let i = 1; i < 36; i++) {
      const a = svc(`250.1.1.${i}`);
      expect(am.add([caddr(a)], source)).toBe(true);
      expect(am.good(a)).toBe(true);
    }
    const addr = svc('250.1.1.36');
    expect(am.add([caddr(addr)], source)).toBe(true);
    expect(am.good(addr)).toBe(false);
    const info = am.selectTriedCollision().address!;
    expect(str(info)).toBe('250.1.1.19:0');
    expect(am.good(info, 1)).toBe(false);
    am.attempt(info, false, clock.seconds() - 61);
    am.resolveCollisions();
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    expect(am.findAddressEntry(caddr(addr))!.tried).toBe(true);
    expect(am.good(addr)).toBe(false);
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    const addr19 = svc('250.1.1.19');
    expect(am.good(addr19)).toBe(false);
    expect(str(am.selectTriedCollision().address)).toBe('250.1.1.36:0');
    clock.advance(4 * 3600);
    am.resolveCollisions();
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    expect(am.findAddressEntry(caddr(addr19))!.tried).toBe(true);
    expect(am.findAddressEntry(caddr(addr))!.tried).toBe(false);
  });

  it('addrman_update_address', () => {
    const clock = new TestClock(TEST_NOW * 1e6);
    const am = makeAddrman({ clock });
    const source = ip('252.2.2.2');
    const start = clock.seconds() - 10000;
    const addr = caddr(svc('250.1.1.1', 8333), NODE_NONE, start);
    expect(am.add([addr], source)).toBe(true);
    expect(am.size()).toBe(1);
    const diffPort = caddr(svc('250.1.1.1', 8334), NODE_NONE, start);
    am.connected(diffPort);
    am.setServices(diffPort, NODE_NETWORK_LIMITED);
    const v1 = am.getAddr(0, 0, null);
    expect(v1.length).toBe(1);
    expect(v1[0]!.time).toBe(start);
    expect(v1[0]!.services).toBe(NODE_NONE);
    am.connected(addr);
    am.setServices(addr, NODE_NETWORK_LIMITED);
    const v2 = am.getAddr(0, 0, null);
    expect(v2.length).toBe(1);
    expect(v2[0]!.time).toBeGreaterThanOrEqual(start + 10000);
    expect(v2[0]!.services).toBe(NODE_NETWORK_LIMITED);
    const addrV2 = caddr(svc('250.1.1.1', 8333), NODE_P2P_V2, start);
    expect(am.add([addrV2], source)).toBe(false);
    const v3 = am.getAddr(0, 0, null);
    expect(v3.length).toBe(1);
    expect(v3[0]!.services).toBe(NODE_P2P_V2 | NODE_NETWORK_LIMITED);
    am.setServices(addr, NODE_NETWORK);
    const v4 = am.getAddr(0, 0, null);
    expect(v4[0]!.services).toBe(NODE_NETWORK);
    expect(am.good(addr)).toBe(true);
    const v5 = am.getAddr(0, 0, null);
    expect(v5.length).toBe(1);
    expect(v5[0]!.services).toBe(NODE_NETWORK);
    expect(am.add([addrV2], source)).toBe(false);
    const v6 = am.getAddr(0, 0, null);
    expect(v6.length).toBe(1);
    expect(v6[0]!.services).toBe(NODE_NETWORK | NODE_P2P_V2);
  });

  it('addrman_size', () => {
    const am = makeAddrman();
    const source = ip('252.2.2.2');
    expect(am.size(null, null)).toBe(0);
    expect(am.size(Network.NET_IPV4, null)).toBe(0);
    expect(am.size(null, true)).toBe(0);
    expect(am.size(Network.NET_IPV4, false)).toBe(0);
    const a1 = caddr(svc('250.1.1.1', 8333));
    expect(am.add([a1], source)).toBe(true);
    expect(am.good(a1)).toBe(true);
    const a2 = caddr(svc('250.1.1.2', 8333));
    expect(am.add([a2], source)).toBe(true);
    expect(am.size(null, null)).toBe(2);
    expect(am.size(Network.NET_IPV4, null)).toBe(2);
    expect(am.size(null, true)).toBe(1);
    expect(am.size(null, false)).toBe(1);
    expect(am.size(Network.NET_IPV4, true)).toBe(1);
    expect(am.size(Network.NET_IPV4, false)).toBe(1);
    const a3 = caddr(Service.of(setSpecial('UDHDrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.I2P')!, 0));
    expect(am.add([a3], source)).toBe(true);
    expect(am.size(null, null)).toBe(3);
    expect(am.size(Network.NET_IPV4, null)).toBe(2);
    expect(am.size(Network.NET_I2P, null)).toBe(1);
    expect(am.size(Network.NET_I2P, true)).toBe(1);
    expect(am.size(null, true)).toBe(2);
    expect(am.size(null, false)).toBe(1);
  });

  it('checkAddrman is 0 on a populated addrman and detects a corrupted table', () => {
    const am = makeAddrman({ ratio: 1 });
    const source = ip('252.2.2.2');
    for (let i = 1; i < 40; i++) {
      const a = svc(`250.1.1.${i}`);
      am.add([caddr(a)], source);
      if (i % 3 === 0) am.good(a);
    }
    expect(am.checkAddrman()).toBe(0);
    // Move one new-table reference to a wrong position: Core reports -19.
    const slot = am.vvNew.toFlat().findIndex((v) => v !== -1);
    const nid = am.vvNew.get(slot);
    const bucketStart = slot - (slot % 64);
    const wrong = bucketStart + ((slot % 64) + 1) % 64;
    if (am.vvNew.get(wrong) === -1) {
      am.vvNew.set(slot, -1);
      am.vvNew.set(wrong, nid);
      expect(am.checkAddrman()).toBe(-19);
      am.vvNew.set(wrong, -1);
      am.vvNew.set(slot, nid);
    }
    expect(am.checkAddrman()).toBe(0);
    am.nNew += 1;
    expect(am.checkAddrman()).toBe(-7);
  });
});

describe('port-specific behaviour', () => {
  it('testBeforeEvict=false (pre-0.17 behaviour): Good evicts the tried occupant back to new at once', () => {
    const am = new AddrMan({
      netgroupman: EMPTY_NETGROUPMAN,
      clock: new TestClock(TEST_NOW * 1e6),
      rng: new FastRandomContext(true),
      key: DETERMINISTIC_ADDRMAN_KEY,
      consistencyCheckRatio: 1,
      testBeforeEvict: false,
    });
    const source = ip('252.2.2.2');
    for (let i = 1; i < 36; i++) {
      const a = svc(`250.1.1.${i}`);
      am.add([caddr(a)], source);
      expect(am.good(a)).toBe(true);
    }
    const a36 = svc('250.1.1.36');
    expect(am.add([caddr(a36)], source)).toBe(true);
    expect(am.good(a36)).toBe(true);
    expect(str(am.selectTriedCollision().address)).toBe('[::]:0');
    expect(am.findAddressEntry(a36)).toEqual({ tried: true, multiplicity: 1, bucket: 121, position: 32 });
    // 19 is back in its own new slot (983/15) with one reference.
    expect(am.findAddressEntry(svc('250.1.1.19'))).toEqual({ tried: false, multiplicity: 1, bucket: 983, position: 15 });
    expect(am.checkAddrman()).toBe(0);
  });

  it('the periodic check draws randrange(ratio) before and after each public call, as Core', () => {
    const a = makeAddrman({ ratio: 100 });
    const b = makeAddrman({ ratio: 0 });
    const mirror = new FastRandomContext(true);
    a.size();
    // Two randrange(100) draws were consumed: the next draws of `a` equal a mirror that skipped them.
    mirror.randrange(100);
    mirror.randrange(100);
    expect((a.rng as FastRandomContext).randbits(30)).toBe(mirror.randbits(30));
    b.size();
    expect((b.rng as FastRandomContext).randbits(30)).toBe(new FastRandomContext(true).randbits(30));
  });

  it('drawAddrManKey takes the first 32 bytes of the addrman generator, as Core seeds nKey', () => {
    const r1 = new FastRandomContext(Uint8Array.from({ length: 32 }, (_, i) => i));
    const r2 = new FastRandomContext(Uint8Array.from({ length: 32 }, (_, i) => i));
    expect(drawAddrManKey(r1)).toEqual(r2.rand256());
  });

  it('many AddrMans share one pool; entries of one never leak into another', () => {
    const pool = new AddressPool();
    const a = makeAddrman({ pool });
    const b = makeAddrman({ pool });
    const now = TEST_NOW;
    a.add([caddr(svc('250.1.1.1', 8333), NODE_NONE, now)], ip('252.2.2.2'));
    expect(a.size()).toBe(1);
    expect(b.size()).toBe(0);
    expect(b.findAddressEntry(svc('250.1.1.1', 8333))).toBeNull();
    b.add([caddr(svc('250.1.1.1', 8333), NODE_NONE, now)], ip('252.2.2.2'));
    expect(b.findAddressEntry(svc('250.1.1.1', 8333))).toEqual(a.findAddressEntry(svc('250.1.1.1', 8333)));
    expect(pool.size).toBe(2);
  });
});

describe('rpc_net.py getrawaddrman / getaddrmaninfo / addpeeraddress', () => {
  /** addpeeraddress: source = the address itself, services NETWORK|WITNESS, nTime = now, then Good if tried. */
  function addPeerAddress(am: AddrMan, s: Service, isTried: boolean): 'success' | 'failed-adding-to-new' | 'failed-adding-to-tried' {
    const a = new Address(s, NODE_NETWORK | NODE_WITNESS, am.nowSeconds());
    if (!am.add([a], a)) return 'failed-adding-to-new';
    if (isTried && !am.good(a)) return 'failed-adding-to-tried';
    return 'success';
  }
  const cjdns = (text: string, port: number): Service => {
    const v6 = svc(text, port);
    return new Service(Network.NET_CJDNS, v6.addr, port);
  };
  const special = (text: string, port: number): Service => Service.of(setSpecial(text)!, port);

  it('test_getrawaddrman: bucket/position table and counts', () => {
    const am = makeAddrman({ ratio: 0 });
    const expected: [Service, boolean, string, string][] = [
      [svc('1.2.3.4', 8333), true, '6/33', 'ipv4'],
      [svc('2.0.0.0', 8333), false, '82/8', 'ipv4'],
      [svc('1233:3432:2434:2343:3234:2345:6546:4534', 8333), true, '197/34', 'ipv6'],
      [svc('2803:0:1234:abcd::1', 45324), false, '613/6', 'ipv6'],
      [cjdns('fc00:1:2:3:4:5:6:7', 8333), false, '336/24', 'cjdns'],
      [special('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', 8333), true, '72/61', 'onion'],
      [special('nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion', 45324), true, '139/46', 'onion'],
      [special('c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p', 8333), false, '963/46', 'i2p'],
    ];
    for (const [s, t] of expected) expect(addPeerAddress(am, s, t)).toBe('success');
    const raw = getRawAddrman(am);
    const info = getAddrmanInfo(am);
    expect(Object.keys(raw.new).length).toBe(4);
    expect(Object.keys(raw.tried).length).toBe(4);
    for (const [s, t, pos, net] of expected) {
      const e = (t ? raw.tried : raw.new)[pos]!;
      expect(e).toBeDefined();
      expect(e.address).toBe(s.toStringAddr());
      expect(e.port).toBe(s.port);
      expect(e.services).toBe(9);
      expect(e.network).toBe(net);
      expect(e.source).toBe(s.toStringAddr());
      expect(e.source_network).toBe(net);
      expect(e.time).toBe(TEST_NOW);
      expect('mapped_as' in e).toBe(false);
      expect(Object.keys(e)).toEqual(['address', 'port', 'services', 'time', 'network', 'source', 'source_network']);
    }
    // Keys come bucket-major, as Core's GetEntries walks the table.
    expect(Object.keys(raw.new)).toEqual(['82/8', '336/24', '613/6', '963/46']);
    expect(Object.keys(raw.tried)).toEqual(['6/33', '72/61', '139/46', '197/34']);
    expect(info).toEqual({
      ipv4: { new: 1, tried: 1, total: 2 },
      ipv6: { new: 1, tried: 1, total: 2 },
      onion: { new: 0, tried: 2, total: 2 },
      i2p: { new: 1, tried: 0, total: 1 },
      cjdns: { new: 1, tried: 0, total: 1 },
      all_networks: { new: 4, tried: 4, total: 8 },
    });
    expect(Object.keys(info)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'all_networks']);
  });

  it('test_addpeeraddress', () => {
    const am = makeAddrman({ ratio: 0 });
    expect(addPeerAddress(am, svc('1.0.0.0', 8333), false)).toBe('success');
    expect(am.findAddressEntry(svc('1.0.0.0', 8333))).toEqual({ tried: false, multiplicity: 1, bucket: 636, position: 33 });
    expect(addPeerAddress(am, svc('1.0.0.0', 8333), false)).toBe('failed-adding-to-new');
    expect(addPeerAddress(am, svc('1.0.0.0', 8333), true)).toBe('failed-adding-to-new');
    expect(addPeerAddress(am, svc('1.2.3.4', 8333), true)).toBe('success');
    expect(am.findAddressEntry(svc('1.2.3.4', 8333))).toEqual({ tried: true, multiplicity: 1, bucket: 6, position: 33 });
    expect(addPeerAddress(am, svc('1.2.5.45', 8333), true)).toBe('failed-adding-to-tried');
    expect(am.size(null, false)).toBe(1);
    expect(am.size(null, true)).toBe(2);
    expect(addPeerAddress(am, svc('2.0.0.0', 8333), false)).toBe('success');
    expect(am.size(null, false)).toBe(1);
    expect(am.size(null, true)).toBe(3);
  });
});

describe('functional tests (test-vectors §10)', () => {
  function addPeer(am: AddrMan, s: Service, isTried: boolean): boolean {
    const a = new Address(s, NODE_NETWORK | NODE_WITNESS, am.nowSeconds());
    if (!am.add([a], a)) return false;
    return isTried ? am.good(a) : true;
  }

  it('rpc_net.py test_getnodeaddresses: 10,000 addpeeraddress IPv4 entries, GetAddr counts', () => {
    const am = makeAddrman({ ratio: 0 });
    addPeer(am, svc('1233:3432:2434:2343:3234:2345:6546:4534', 8333), false);
    for (let i = 0; i < 10000; i++) addPeer(am, svc(`${i >> 8}.${i % 256}.1.1`, 8333), false);
    expect(am.getAddr(1, 0, null).length).toBe(1);
    expect(am.getAddr(2, 0, null).length).toBe(2);
    expect(am.getAddr(8, 0, Network.NET_IPV4).length).toBe(8);
    const v4 = am.getAddr(0, 0, Network.NET_IPV4);
    expect(v4.length).toBeGreaterThan(5000);
    expect(v4.length).toBeLessThan(10000);
    expect(v4.every((a) => a.getNetClass() === Network.NET_IPV4)).toBe(true);
  });

  it.skipIf(!hasAsmapTest)('feature_asmap.py: restarting with the same asmap keeps new 2 / tried 2', () => {
    const ngm = asmapNetgroupman();
    const am = makeAddrman({ ngm, ratio: 1 });
    for (const [x, isTried] of [[0, true], [1, true], [2, false], [3, false]] as const) {
      expect(addPeer(am, svc(`101.${x}.0.0`, 8333), isTried)).toBe(true);
    }
    const health = ngm.asmapHealthCheck([0, 1, 2, 3].map((x) => ip(`101.${x}.0.0`)));
    expect(health).toMatchObject({ clearnetAddrs: 4, mappedAsns: 3, unmapped: 0 });
    const again = makeAddrman({ ngm, ratio: 1 });
    addrManFromBytes(again, addrManToBytes(am));
    expect(again.size(null, true)).toBe(2);
    expect(again.size(null, false)).toBe(2);
  });
});

describe('serialization basics', () => {
  it('load_addrman: 3 entries round-trip', () => {
    const am = makeAddrman();
    const source = svc('252.5.1.1', 8333);
    const addrs = [caddr(svc('250.7.1.1', 8333)), caddr(svc('250.7.2.2', 9999)), caddr(svc('250.7.3.3', 9999))];
    expect(am.add(addrs, source)).toBe(true);
    expect(am.size()).toBe(3);
    const am1 = makeAddrman();
    addrManFromBytes(am1, addrManToBytes(am));
    expect(am1.size()).toBe(3);
    expect(addrManToBytes(am1)).toEqual(addrManToBytes(am));
  });

  it('load_addrman_corrupted: claims 10 new and 10 tried with one entry → end of data', () => {
    const w = new ByteWriter();
    w.u8(1).u8(32);
    w.bytes(DETERMINISTIC_ADDRMAN_KEY);
    w.i32le(10).i32le(10).i32le(1024 ^ (1 << 30));
    // One AddrInfo in V1 disk form: version, time, services, 16-byte address, port, source, last success, attempts.
    w.u32le(0).u32le(100000000).u64leNumber(0);
    w.bytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 252, 1, 1, 1)).u16be(7777);
    w.bytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 252, 2, 2, 2));
    w.i64le(0n).i32le(0);
    const am = makeAddrman();
    let err: unknown;
    try {
      addrManFromBytes(am, w.toBytes());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AddrManLoadError);
    expect((err as AddrManLoadError).kind).toBe('truncated');
  });

  it('rejects a file whose lowest-compatible format is newer than ours (InvalidAddrManVersionError)', () => {
    const bytes = addrManToBytes(makeAddrman());
    bytes[1] = 32 + 5;
    expect(() => addrManFromBytes(makeAddrman(), bytes)).toThrow(expect.objectContaining({ kind: 'version' }));
    bytes[1] = 31;
    expect(() => addrManFromBytes(makeAddrman(), bytes)).toThrow(expect.objectContaining({ kind: 'corrupt' }));
  });
});

describe('AddrMan.forEachEntry (for observers; not a Core function)', () => {
  it('visits every entry once with its table, and draws nothing even with the consistency check on', () => {
    let draws = 0;
    class CountingRng extends FastRandomContext {
      override randrange(range: number): number {
        draws++;
        return super.randrange(range);
      }
    }
    const am = new AddrMan({ netgroupman: EMPTY_NETGROUPMAN, clock: new TestClock(TEST_NOW * 1e6), rng: new CountingRng(true), key: DETERMINISTIC_ADDRMAN_KEY, consistencyCheckRatio: 1 });
    const source = ip('252.2.2.2');
    for (let i = 0; i < 200; i++) am.add([caddr(svc(`${10 + (i % 50)}.${i}.1.1`, 8333), NODE_NETWORK, TEST_NOW - 60)], source);
    for (let i = 0; i < 200; i += 4) am.good(svc(`${10 + (i % 50)}.${i}.1.1`, 8333));
    const expectTried = am.getEntries(true).map((e) => str(e.info.address)).sort();
    const expectNew = am.getEntries(false).map((e) => str(e.info.address)).sort();
    const before = draws;
    const seenTried: string[] = [];
    const seenNew: string[] = [];
    am.forEachEntry((p, inTried) => (inTried ? seenTried : seenNew).push(am.pool.service(p).toStringAddrPort()));
    expect(draws).toBe(before);
    expect(seenTried.sort()).toEqual(expectTried);
    expect(seenNew.sort()).toEqual(expectNew);
    expect(seenTried.length).toBe(am.nTried);
    expect(seenNew.length).toBe(am.nNew);
    expect(am.nTried).toBeGreaterThan(0);
    // getEntries does run the check, which draws: the reason forEachEntry exists.
    am.getEntries(true);
    expect(draws).toBeGreaterThan(before);
  });
});
