// Tests for protocol.ts: Core's CAddress fixtures (netbase_tests.cpp caddress_(un)serialize_v1/v2),
// the disk format's version field, service-flag names and helpers, and the AddrInfo records of a
// real peers.dat written by Core (/work/shared/data/peers-regtest.dat) read and re-written byte for byte.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, sha256d, toHex } from '../util/hash.ts';
import { NetAddr, Network, Service, readNetAddrV2, serviceOrThrow, writeNetAddrV2 } from './netaddress.ts';
import {
  Address,
  DISK_VERSION_ADDRV2,
  DISK_VERSION_INIT,
  NODE_BLOOM,
  NODE_COMPACT_FILTERS,
  NODE_NETWORK,
  NODE_NETWORK_LIMITED,
  NODE_NONE,
  NODE_P2P_V2,
  NODE_WITNESS,
  TIME_INIT,
  V1_DISK,
  V1_NETWORK,
  V2_DISK,
  V2_NETWORK,
  clearFlags,
  hasAllFlags,
  hasAnyFlag,
  orFlags,
  readAddress,
  serviceFlagsToStr,
  servicesFromBigInt,
  writeAddress,
  type AddressSerParams,
} from './protocol.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const LOOPBACK6 = NetAddr.fromLegacyIPv6(fromHex('00000000000000000000000000000001'));

// Core: netbase_tests.cpp fixture_addresses
const FIXTURE: Address[] = [
  new Address(Service.of(LOOPBACK6, 0), NODE_NONE, 0x4966bc61),
  new Address(Service.of(LOOPBACK6, 0x00f1), NODE_NETWORK, 0x83766279),
  new Address(Service.of(LOOPBACK6, 0xf1f2), NODE_WITNESS | NODE_COMPACT_FILTERS | NODE_NETWORK_LIMITED, 0xffffffff),
];

const STREAM_ADDRV1_HEX =
  '03' +
  '61bc6649' + '0000000000000000' + '00000000000000000000000000000001' + '0000' +
  '79627683' + '0100000000000000' + '00000000000000000000000000000001' + '00f1' +
  'ffffffff' + '4804000000000000' + '00000000000000000000000000000001' + 'f1f2';

const STREAM_ADDRV2_HEX =
  '03' +
  '61bc6649' + '00' + '02' + '10' + '00000000000000000000000000000001' + '0000' +
  '79627683' + '01' + '02' + '10' + '00000000000000000000000000000001' + '00f1' +
  'ffffffff' + 'fd4804' + '02' + '10' + '00000000000000000000000000000001' + 'f1f2';

function writeVector(list: Address[], params: AddressSerParams): string {
  const w = new ByteWriter();
  w.compactSize(list.length);
  for (const a of list) writeAddress(w, a, params);
  return toHex(w.toBytes());
}

function readVector(hex: string, params: AddressSerParams): Address[] {
  const r = new ByteReader(fromHex(hex));
  const n = r.compactSize();
  const out: Address[] = [];
  for (let i = 0; i < n; i++) out.push(readAddress(r, params));
  expect(r.eof).toBe(true);
  return out;
}

function sameList(a: Address[], b: Address[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equalsAddress(b[i]!));
}

describe('CAddress serialization (Core: netbase_tests.cpp)', () => {
  it('caddress_serialize_v1', () => {
    expect(writeVector(FIXTURE, V1_NETWORK)).toBe(STREAM_ADDRV1_HEX);
  });
  it('caddress_unserialize_v1', () => {
    expect(sameList(readVector(STREAM_ADDRV1_HEX, V1_NETWORK), FIXTURE)).toBe(true);
  });
  it('caddress_serialize_v2', () => {
    expect(writeVector(FIXTURE, V2_NETWORK)).toBe(STREAM_ADDRV2_HEX);
  });
  it('caddress_unserialize_v2', () => {
    expect(sameList(readVector(STREAM_ADDRV2_HEX, V2_NETWORK), FIXTURE)).toBe(true);
  });

  it('default time and services are Core\'s TIME_INIT and NODE_NONE', () => {
    const a = new Address(Service.of(LOOPBACK6, 1));
    expect([a.time, a.services, TIME_INIT]).toEqual([100000000, 0, 100000000]);
  });
});

describe('CAddress disk format (version field)', () => {
  const a = new Address(Service.of(NetAddr.fromIPv4(0x01020304), 8333), NODE_NETWORK | NODE_WITNESS, 1_700_000_000);

  it('V1_DISK writes DISK_VERSION_INIT, V2_DISK also sets DISK_VERSION_ADDRV2 (1<<29)', () => {
    const w1 = new ByteWriter();
    writeAddress(w1, a, V1_DISK);
    expect(toHex(w1.toBytes())).toBe('605b0300' + '00f15365' + '0900000000000000' + '00000000000000000000ffff01020304' + '208d');
    const w2 = new ByteWriter();
    writeAddress(w2, a, V2_DISK);
    expect(toHex(w2.toBytes())).toBe('605b0320' + '00f15365' + '09' + '010401020304' + '208d');
    expect(DISK_VERSION_INIT | DISK_VERSION_ADDRV2).toBe(0x20035b60);
  });

  it('the stored version decides the encoding; its low bits are ignored; V1_DISK refuses a v2 record', () => {
    const w = new ByteWriter();
    writeAddress(w, a, V1_DISK);
    expect(readAddress(new ByteReader(w.toBytes()), V2_DISK).equalsAddress(a)).toBe(true); // v1 record, v2 allowed
    const w2 = new ByteWriter();
    writeAddress(w2, a, V2_DISK);
    expect(readAddress(new ByteReader(w2.toBytes()), V2_DISK).equalsAddress(a)).toBe(true);
    const refuse = (hex: string, params: AddressSerParams) => {
      try {
        readAddress(new ByteReader(fromHex(hex)), params);
      } catch (e) {
        expect(e).toBeInstanceOf(SerializeError);
        expect((e as SerializeError).message).toBe('Unsupported CAddress disk format version');
        return;
      }
      throw new Error('expected a refusal');
    };
    refuse(toHex(w2.toBytes()), V1_DISK);
    // any other high bit is refused, whatever the encoding allowed
    refuse('605b0840' + toHex(w2.toBytes()).slice(8), V2_DISK);
    // low bits (an old CLIENT_VERSION) are ignored
    const oldClient = 'ffff0700' + toHex(w.toBytes()).slice(8);
    expect(readAddress(new ByteReader(fromHex(oldClient)), V1_DISK).equalsAddress(a)).toBe(true);
  });

  it('v2 services are a CompactSize without the MAX_SIZE range check', () => {
    const big = new Address(a, 2 ** 40 + 1, 5);
    const w = new ByteWriter();
    writeAddress(w, big, V2_NETWORK);
    expect(toHex(w.toBytes()).slice(8, 26)).toBe('ff0100000000010000');
    expect(readAddress(new ByteReader(w.toBytes()), V2_NETWORK).services).toBe(2 ** 40 + 1);
  });
});

describe('ServiceFlags', () => {
  it('values and names as Core (serviceFlagsToStr)', () => {
    expect([NODE_NONE, NODE_NETWORK, NODE_BLOOM, NODE_WITNESS, NODE_COMPACT_FILTERS, NODE_NETWORK_LIMITED, NODE_P2P_V2]).toEqual([
      0, 1, 4, 8, 64, 1024, 2048,
    ]);
    expect(serviceFlagsToStr(NODE_NONE)).toEqual([]);
    expect(serviceFlagsToStr(NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED | NODE_P2P_V2)).toEqual([
      'NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2',
    ]);
    expect(serviceFlagsToStr(NODE_BLOOM | NODE_COMPACT_FILTERS | (1 << 24))).toEqual(['BLOOM', 'COMPACT_FILTERS', 'UNKNOWN[2^24]']);
    expect(serviceFlagsToStr(1n << 63n)).toEqual(['UNKNOWN[2^63]']);
  });

  it('bit helpers work above bit 31', () => {
    const s = 2 ** 40 + NODE_NETWORK + NODE_WITNESS;
    expect(hasAllFlags(s, NODE_NETWORK | NODE_WITNESS)).toBe(true);
    expect(hasAllFlags(s, 2 ** 40)).toBe(true);
    expect(hasAllFlags(s, NODE_BLOOM)).toBe(false);
    expect(hasAnyFlag(s, NODE_BLOOM | NODE_WITNESS)).toBe(true);
    expect(hasAnyFlag(s, 2 ** 41)).toBe(false);
    expect(orFlags(s, 2 ** 45)).toBe(s + 2 ** 45);
    expect(clearFlags(s, 2 ** 40 + NODE_NETWORK)).toBe(NODE_WITNESS);
    expect(hasAllFlags(2 ** 31, 2 ** 31)).toBe(true);
    expect(servicesFromBigInt(0xffffffffffffffffn)).toBe(Number.MAX_SAFE_INTEGER); // bits 53..63 dropped
  });
});

const peersFile = sharedDataFile('peers-regtest.dat');
const havePeers = existsSync(peersFile);
if (!havePeers) console.warn(`protocol.test.ts: skipping the peers.dat record test: ${peersFile} is missing`);

describe('AddrInfo records of a peers.dat written by Core', () => {
  it.skipIf(!havePeers)('every new and tried record reads with V2_DISK and re-serializes to the same bytes', () => {
    const file = new Uint8Array(readFileSync(peersFile));
    const body = file.subarray(0, file.length - 32);
    expect(toHex(sha256d(body))).toBe(toHex(file.subarray(file.length - 32)));
    const r = new ByteReader(body);
    expect(toHex(r.bytes(4))).toBe('fabfb5da'); // regtest message start
    expect(r.u8()).toBe(4); // FILE_FORMAT V4_MULTIPORT
    expect(r.u8()).toBe(32 + 4); // INCOMPATIBILITY_BASE + lowest compatible
    r.skip(32); // nKey
    const nNew = r.i32le();
    const nTried = r.i32le();
    expect(r.i32le()).toBe(1024 ^ (1 << 30));
    expect(nNew + nTried).toBeGreaterThan(2000);
    const start = r.offset;
    const w = new ByteWriter(1 << 16);
    const perNet = new Map<Network, number>();
    for (let i = 0; i < nNew + nTried; i++) {
      // Core: addrman_impl.h AddrInfo::SerializationOps — CAddress, source, last success, attempts
      const a = readAddress(r, V2_DISK);
      const source = readNetAddrV2(r);
      const lastSuccess = r.i64le();
      const attempts = r.i32le();
      expect(a.isValid()).toBe(true);
      expect(attempts).toBeGreaterThanOrEqual(0);
      perNet.set(a.net, (perNet.get(a.net) ?? 0) + 1);
      writeAddress(w, a, V2_DISK);
      writeNetAddrV2(w, source);
      w.i64le(lastSuccess).i32le(attempts);
    }
    expect(toHex(w.toBytes())).toBe(toHex(body.subarray(start, r.offset)));
    for (const net of [Network.NET_IPV4, Network.NET_IPV6, Network.NET_ONION, Network.NET_I2P, Network.NET_CJDNS]) {
      expect(perNet.get(net) ?? 0, Network[net]).toBeGreaterThan(0);
    }
  });
});

describe("Address copies share their service's caches", () => {
  it('keys, text and the zero-salt hash computed on any copy equal a fresh computation and are shared', () => {
    for (const text of ['1.2.3.4:8333', '[2001:db8::5]:18444', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333']) {
      const base = serviceOrThrow(text, 8333);
      const a = new Address(base, NODE_NETWORK, 1000);
      const b = a.withTime(2000).withServices(0);
      // Computed first on a copy of a copy, then read from the original and the other copy.
      const key = b.getKey();
      expect(base.getKey()).toBe(key);
      expect(a.getKey()).toBe(key);
      const fresh = serviceOrThrow(text, 8333);
      expect([...key]).toEqual([...fresh.getKey()]);
      expect(a.toStringAddrPort()).toBe(fresh.toStringAddrPort());
      expect(b.key).toBe(fresh.key);
      expect(b.addrKey).toBe(fresh.addrKey);
      expect(a.zeroSaltHashHalves()).toEqual(fresh.zeroSaltHashHalves());
      expect(base.zeroSaltHashHalves()).toBe(b.zeroSaltHashHalves());
    }
  });
});
