// Core's asmap tests (netbase_tests.cpp asmap_test_vectors, the fuzz targets asmap / asmap_direct
// as seeded properties), the test map src/test/data/asmap.raw and Core's embedded map ip_asn.dat
// from ../shared/data, and round trips through the encoder ported from contrib/asmap/asmap.py.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASMAP_TEST_VECTORS, ASMAP_TEST_VECTORS_MAP } from '../testing/asmap-test-vectors.ts';
import {
  ASMAP_MAX_ASN,
  AsmapError,
  AsmapLookup,
  CompiledAsmap,
  type AsmapEntry,
  asmapVersion,
  asmapVersionHex,
  bitsToCidr,
  buildAsmapTrie,
  checkStandardAsmap,
  decodeAsmap,
  decodeAsmapToTrie,
  encodeAsmap,
  encodeAsmapTrie,
  interpret,
  ipv4Mapped,
  parseIPv4,
  parseIPv6,
  prefixToBits,
  sanityCheckAsmap,
  trieLookup,
  trieToEntries,
} from './asmap.ts';
import { sha256 } from '../util/hash.ts';
import { FastRandomContext } from '../util/random.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const TEST_RAW = sharedDataFile('asmap-test.raw');
const IP_ASN = sharedDataFile('ip_asn.dat');
const PEERS_ASMAP = sharedDataFile('peers-regtest-asmap.dat');
const hasTestRaw = existsSync(TEST_RAW);
const hasPeersAsmap = existsSync(PEERS_ASMAP);
const hasIpAsn = existsSync(IP_ASN);
if (!hasTestRaw) console.warn(`skipping asmap-test.raw tests: ${TEST_RAW} is missing`);
if (!hasIpAsn) console.warn(`skipping ip_asn.dat tests: ${IP_ASN} is missing`);
if (!hasPeersAsmap) console.warn(`skipping the peers.dat asmap-version check: ${PEERS_ASMAP} is missing`);

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
function v4(text: string): Uint8Array {
  const b = parseIPv4(text);
  return ipv4Mapped(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
}

const VECTOR_ASMAP = ASMAP_TEST_VECTORS_MAP;

const VECTORS = ASMAP_TEST_VECTORS;

/** Core's asmap_direct fuzz property: no strict prefix of a valid map (beyond padding) is valid. */
function everyTruncationFails(asmap: Uint8Array, bits: number): void {
  const totalBits = asmap.length * 8;
  for (let len = totalBits - 1; len > 0; len--) {
    const bytes = Math.ceil(len / 8);
    if (bytes === asmap.length) continue; // same size: only padding bits differ
    const prefix = asmap.slice(0, bytes);
    if (len % 8) prefix[bytes - 1]! &= (1 << (len % 8)) - 1;
    expect(sanityCheckAsmap(prefix, bits)).toBe(false);
  }
}

describe('asmap interpreter (Core netbase_tests asmap_test_vectors)', () => {
  it('passes the standard sanity check', () => {
    expect(checkStandardAsmap(VECTOR_ASMAP)).toBe(true);
    expect(decodeAsmap(VECTOR_ASMAP)).toBe(VECTOR_ASMAP);
  });

  it('maps all 19 addresses as Core does (interpreter, compiled form and cache)', () => {
    const compiled = new CompiledAsmap(VECTOR_ASMAP);
    const lookup = new AsmapLookup(VECTOR_ASMAP);
    for (const [addr, asn] of VECTORS) {
      const ip = parseIPv6(addr);
      expect(interpret(VECTOR_ASMAP, ip), addr).toBe(asn);
      expect(compiled.lookup(ip), addr).toBe(asn);
      expect(lookup.lookup(ip), addr).toBe(asn);
      expect(lookup.lookup(ip), `${addr} (cached)`).toBe(asn);
    }
  });

  it('every truncation of the map fails the sanity check (fuzz asmap_direct)', () => {
    everyTruncationFails(VECTOR_ASMAP, 128);
  });

  it('rejects empty data, non-zero padding, excess padding and too few input bits', () => {
    expect(checkStandardAsmap(new Uint8Array(0))).toBe(false);
    expect(() => decodeAsmap(new Uint8Array(0))).toThrow(AsmapError);
    const padded = new Uint8Array(VECTOR_ASMAP.length + 1);
    padded.set(VECTOR_ASMAP);
    expect(checkStandardAsmap(padded)).toBe(false);
    // The program ends before the last byte's top bit, so setting it makes the padding non-zero.
    const dirty = VECTOR_ASMAP.slice();
    dirty[dirty.length - 1]! |= 0x80;
    expect(checkStandardAsmap(dirty)).toBe(false);
    // A 128-range map needs more than 8 input bits.
    expect(sanityCheckAsmap(VECTOR_ASMAP, 8)).toBe(false);
  });

  it('interpreting an unchecked, truncated map throws instead of asserting', () => {
    expect(() => interpret(VECTOR_ASMAP.slice(0, 3), parseIPv6('ffff::'))).toThrow(AsmapError);
  });

  it('asmapVersion is zero without a map and SHA256d of the bytes otherwise', () => {
    expect(asmapVersion(new Uint8Array(0))).toEqual(new Uint8Array(32));
    expect(toHex(asmapVersion(VECTOR_ASMAP))).toBe(toHex(sha256(sha256(VECTOR_ASMAP))));
  });
});

describe.skipIf(!hasTestRaw)('Core test map src/test/data/asmap.raw', () => {
  const raw = hasTestRaw ? new Uint8Array(readFileSync(TEST_RAW)) : new Uint8Array(0);

  it('is the 59-byte file of Core with its recorded asmap version (feature_asmap.py)', () => {
    expect(raw.length).toBe(59);
    expect(toHex(sha256(raw))).toBe('55dcec00c72b8a33a271dad20271e14cfbe5526aa1dc12e2559f30c376d85a35');
    expect(asmapVersionHex(raw)).toBe('bafc9da308f45179443bd1d22325400ac9104f741522d003e3fac86700f68895');
    expect(checkStandardAsmap(raw)).toBe(true);
    everyTruncationFails(raw, 128);
  });

  it('maps addresses as the derived table of core-test-vectors.md §0 says', () => {
    const expected: [string, number][] = [
      ['250.1.1.1', 1000],
      ['250.200.3.4', 1000],
      ['249.255.255.255', 1000],
      ['251.0.0.0', 1000],
      ['101.0.0.0', 1],
      ['101.1.0.0', 1],
      ['101.2.0.0', 2],
      ['101.3.0.0', 3],
      ['101.4.0.0', 4],
      ['101.7.255.255', 7],
      ['101.9.0.0', 8],
      ['100.255.255.255', 0],
      ['102.0.0.0', 0],
      ['1.2.3.4', 0],
    ];
    const lookup = new AsmapLookup(raw);
    for (const [addr, asn] of expected) {
      expect(interpret(raw, v4(addr)), addr).toBe(asn);
      expect(lookup.lookup(v4(addr)), addr).toBe(asn);
    }
    // Outside ::ffff:0:0/96 nothing is mapped.
    expect(interpret(raw, parseIPv6('2001:db8::1'))).toBe(0);
  });

  it('decodes to the documented table and re-encodes to an equivalent valid map', () => {
    const trie = decodeAsmapToTrie(raw);
    const listed = trieToEntries(trie).map((e) => `${bitsToCidr(e.bits)} AS${e.asn}`);
    expect(listed).toEqual([
      '101.0.0.0/15 AS1',
      '101.2.0.0/16 AS2',
      '101.3.0.0/16 AS3',
      '101.4.0.0/16 AS4',
      '101.5.0.0/16 AS5',
      '101.6.0.0/16 AS6',
      '101.7.0.0/16 AS7',
      '101.8.0.0/13 AS8',
      '128.0.0.0/1 AS1000',
    ]);
    // Core's file predates the current encoder; today's asmap.py (and this port) is one byte shorter.
    const again = encodeAsmapTrie(trie);
    expect(again.length).toBe(58);
    expect(checkStandardAsmap(again)).toBe(true);
    expect(decodeAsmapToTrie(again)).toEqual(trie);
  });
});

describe.skipIf(!hasIpAsn)("Core's embedded asmap ip_asn.dat", () => {
  const data = hasIpAsn ? new Uint8Array(readFileSync(IP_ASN)) : new Uint8Array(0);

  it('passes the standard check and maps well-known resolvers', () => {
    expect(checkStandardAsmap(data)).toBe(true);
    const lookup = new AsmapLookup(data);
    const cases: [Uint8Array, number][] = [
      [v4('8.8.8.8'), 15169],
      [v4('1.1.1.1'), 13335],
      [parseIPv6('::ffff:8.8.8.8'), 15169],
      [parseIPv6('2001:4860:4860::8888'), 15169],
      [parseIPv6('2606:4700:4700::1111'), 13335],
    ];
    for (const [ip, asn] of cases) {
      expect(interpret(data, ip)).toBe(asn);
      expect(lookup.lookup(ip)).toBe(asn);
    }
  });

  it('the compiled form agrees with the interpreter on random addresses', () => {
    const compiled = new CompiledAsmap(data);
    const rng = new FastRandomContext(new Uint8Array(32).fill(11));
    for (let i = 0; i < 3000; i++) {
      const ip = i % 2 === 0 ? ipv4Mapped(rng.rand32()) : rng.randBytes(16);
      if (i % 4 === 1) ip[0] = 0x20 | (ip[0]! & 0x0f); // bias to 2000::/4, where IPv6 is mapped
      expect(compiled.lookup(ip)).toBe(interpret(data, ip));
    }
  });

  it.skipIf(!hasPeersAsmap)('has the asmap version a Core node wrote into peers.dat with -asmap=ip_asn.dat', () => {
    // peers.dat ends with AddrMan's asmap version followed by the file's 32-byte checksum.
    const peers = new Uint8Array(readFileSync(PEERS_ASMAP));
    expect(toHex(peers.subarray(peers.length - 64, peers.length - 32))).toBe(toHex(asmapVersion(data)));
    expect(asmapVersionHex(data)).toBe('68adb8c892c488e6d6fbd55492a314578ce3ea1376f138fea1ef160fcf6fc049');
  });

  it('decodes and re-encodes byte for byte (the encoder matches asmap.py)', () => {
    const trie = decodeAsmapToTrie(data);
    const again = encodeAsmapTrie(trie);
    expect(again.length).toBe(data.length);
    expect(Buffer.from(again).equals(Buffer.from(data))).toBe(true);
  });
});

describe('asmap encoder (contrib/asmap/asmap.py)', () => {
  it('parses CIDR text and raw prefixes into IPv6-form bits', () => {
    expect(prefixToBits('1.2.0.0/16').length).toBe(112);
    expect(prefixToBits({ bytes: parseIPv4('1.2.0.0'), bits: 16 })).toEqual(prefixToBits('1.2.0.0/16'));
    expect(prefixToBits('2001:db8::/32').length).toBe(32);
    expect(prefixToBits('::ffff:1.2.3.4')).toEqual(prefixToBits('1.2.3.4/32'));
    expect(bitsToCidr(prefixToBits('2001:470::/36'))).toBe('2001:470::/36');
    expect(bitsToCidr(prefixToBits('10.0.0.0/8'))).toBe('10.0.0.0/8');
    expect(() => prefixToBits('1.2.3.4/16')).toThrow(AsmapError);
    expect(() => prefixToBits('1.2.3/8')).toThrow(AsmapError);
    expect(() => prefixToBits('2001:db8::/129')).toThrow(AsmapError);
    expect(() => parseIPv6('1::2::3')).toThrow(AsmapError);
  });

  it('encodes a small table that Core accepts and interprets correctly', () => {
    const entries: AsmapEntry[] = [
      { prefix: '8.8.8.0/24', asn: 15169 },
      { prefix: '8.0.0.0/8', asn: 3356 },
      { prefix: '8.8.4.0/24', asn: 0 },
      { prefix: '2001:4860::/32', asn: 15169 },
      { prefix: '2606:4700::/32', asn: 13335 },
      { prefix: '1.1.1.0/24', asn: 13335 },
    ];
    const bin = encodeAsmap(entries);
    expect(checkStandardAsmap(bin)).toBe(true);
    expect(interpret(bin, v4('8.8.8.8'))).toBe(15169);
    expect(interpret(bin, v4('8.1.2.3'))).toBe(3356);
    expect(interpret(bin, v4('8.8.4.4'))).toBe(0);
    expect(interpret(bin, v4('1.1.1.1'))).toBe(13335);
    expect(interpret(bin, v4('9.9.9.9'))).toBe(0);
    expect(interpret(bin, parseIPv6('2001:4860:4860::8888'))).toBe(15169);
    expect(interpret(bin, parseIPv6('2606:4700:4700::1111'))).toBe(13335);
    expect(interpret(bin, parseIPv6('2a00::1'))).toBe(0);
  });

  it('maps an empty table to empty data, which the loader rejects', () => {
    expect(encodeAsmap([])).toEqual(new Uint8Array(0));
    expect(checkStandardAsmap(encodeAsmap([{ prefix: '1.0.0.0/8', asn: 0 }]))).toBe(false);
  });

  it('rejects ASNs the format cannot hold', () => {
    expect(ASMAP_MAX_ASN).toBe(33521664);
    expect(() => encodeAsmap([{ prefix: '1.0.0.0/8', asn: ASMAP_MAX_ASN + 1 }])).toThrow(AsmapError);
    expect(checkStandardAsmap(encodeAsmap([{ prefix: '1.0.0.0/8', asn: ASMAP_MAX_ASN }]))).toBe(true);
  });

  it('lets the largest ASN win among duplicates of one prefix (asmap.py sort order)', () => {
    const bin = encodeAsmap([
      { prefix: '5.0.0.0/8', asn: 9 },
      { prefix: '5.0.0.0/8', asn: 7 },
    ]);
    expect(interpret(bin, v4('5.1.2.3'))).toBe(9);
  });

  it('seeded property: random tables round-trip through encode → interpret and decode', () => {
    const rng = new FastRandomContext(new Uint8Array(32).fill(42));
    for (let round = 0; round < 40; round++) {
      const entries: { prefix: { bytes: Uint8Array; bits: number }; asn: number }[] = [];
      const n = 1 + rng.randrange(40);
      for (let k = 0; k < n; k++) {
        const isV4 = rng.randbool();
        const bytes = rng.randBytes(isV4 ? 4 : 16);
        if (!isV4) bytes[0] = 0x20 | (bytes[0]! & 0x1f);
        // Short prefixes, so that random tables overlap and nest.
        const bits = isV4 ? 4 + rng.randrange(25) : 3 + rng.randrange(40);
        for (let i = bits; i < bytes.length * 8; i++) bytes[i >>> 3]! &= ~(0x80 >>> (i & 7));
        // Mostly a handful of ASNs (so merging and DEFAULT paths are exercised), some large, some holes.
        const r = rng.randrange(10);
        const asn = r === 0 ? 0 : r < 8 ? 1 + rng.randrange(5) : 1 + rng.randrange(ASMAP_MAX_ASN);
        entries.push({ prefix: { bytes, bits }, asn });
      }
      // Oracle: the longest matching prefix; on an exact tie the largest ASN.
      const parsed = entries.map((e) => ({ bits: prefixToBits(e.prefix), asn: e.asn }));
      const oracle = (ip: Uint8Array): number => {
        let best = -1;
        let asn = 0;
        for (const p of parsed) {
          let ok = true;
          for (let i = 0; i < p.bits.length && ok; i++) ok = ((ip[i >>> 3]! >>> (7 - (i & 7))) & 1) === p.bits[i];
          if (ok && (p.bits.length > best || (p.bits.length === best && p.asn > asn))) {
            best = p.bits.length;
            asn = p.asn;
          }
        }
        return asn;
      };
      const trie = buildAsmapTrie(entries);
      const bin = encodeAsmap(entries);
      const filled = encodeAsmap(entries, { fill: true });
      const anyMapped = parsed.some((p) => p.asn !== 0);
      if (!anyMapped) {
        expect(bin.length).toBe(0);
        continue;
      }
      expect(checkStandardAsmap(bin)).toBe(true);
      expect(checkStandardAsmap(filled)).toBe(true);
      expect(filled.length).toBeLessThanOrEqual(bin.length);
      expect(decodeAsmapToTrie(bin)).toEqual(trie);
      if (round < 8) everyTruncationFails(bin, 128);
      const compiled = new CompiledAsmap(bin);
      // Probe addresses inside every prefix (first, last, random) and anywhere.
      const probes: Uint8Array[] = [];
      for (const p of parsed) {
        const base = new Uint8Array(16);
        for (let i = 0; i < p.bits.length; i++) if (p.bits[i]) base[i >>> 3]! |= 0x80 >>> (i & 7);
        const last = base.slice();
        for (let i = p.bits.length; i < 128; i++) last[i >>> 3]! |= 0x80 >>> (i & 7);
        const mid = rng.randBytes(16);
        for (let i = 0; i < p.bits.length; i++) {
          const m = 0x80 >>> (i & 7);
          mid[i >>> 3] = p.bits[i] ? mid[i >>> 3]! | m : mid[i >>> 3]! & ~m;
        }
        probes.push(base, last, mid);
      }
      for (let k = 0; k < 20; k++) probes.push(k % 2 ? ipv4Mapped(rng.rand32()) : rng.randBytes(16));
      for (const ip of probes) {
        const want = oracle(ip);
        expect(trieLookup(trie, ip)).toBe(want);
        expect(interpret(bin, ip)).toBe(want);
        expect(compiled.lookup(ip)).toBe(want);
        // With fill, mapped addresses keep their ASN; unmapped ones may take a neighbour's.
        if (want !== 0) expect(interpret(filled, ip)).toBe(want);
      }
    }
  });
});
