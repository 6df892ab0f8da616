// Core's netgroup tests (netbase_tests.cpp netbase_getgroup, asmap_test_vectors through
// GetMappedAS) and the derived groups of core-test-vectors.md §4 / §1.3, with and without an asmap.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AsmapError, AsmapLookup, encodeAsmap, parseIPv6 } from './asmap.ts';
import { NetAddr, Network, parseNetAddr } from '../protocol/netaddress.ts';
import { NetGroupManager } from './netgroup.ts';
import { ASMAP_TEST_VECTORS, ASMAP_TEST_VECTORS_MAP } from '../testing/asmap-test-vectors.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const TEST_RAW = sharedDataFile('asmap-test.raw');
const IP_ASN = sharedDataFile('ip_asn.dat');
const hasTestRaw = existsSync(TEST_RAW);
const hasIpAsn = existsSync(IP_ASN);
if (!hasTestRaw) console.warn(`skipping asmap-test.raw netgroup tests: ${TEST_RAW} is missing`);
if (!hasIpAsn) console.warn(`skipping ip_asn.dat netgroup tests: ${IP_ASN} is missing`);

/** Core's test helper ResolveIP: a numeric host, or the default CNetAddr (`::`) when unparsable. */
function resolveIP(text: string): NetAddr {
  const r = parseNetAddr(text);
  return r.ok ? r.value : NetAddr.unspecified();
}
function group(ng: NetGroupManager, addr: NetAddr | string): number[] {
  return [...ng.getGroup(typeof addr === 'string' ? resolveIP(addr) : addr)];
}
function cjdns(text: string): NetAddr {
  return new NetAddr(Network.NET_CJDNS, parseIPv6(text));
}

describe('NetGroupManager without asmap (Core netbase_getgroup)', () => {
  const ng = NetGroupManager.noAsmap();

  it('netbase_getgroup: unroutable, IPv4, embedded IPv4, he.net, IPv6 and internal', () => {
    expect(group(ng, '127.0.0.1')).toEqual([0]); // local ⇒ not routable
    expect(group(ng, '257.0.0.1')).toEqual([0]); // not valid ⇒ not routable
    expect(group(ng, '10.0.0.1')).toEqual([0]); // RFC1918
    expect(group(ng, '169.254.1.1')).toEqual([0]); // RFC3927
    expect(group(ng, '1.2.3.4')).toEqual([Network.NET_IPV4, 1, 2]);
    expect(group(ng, '::FFFF:0:102:304')).toEqual([Network.NET_IPV4, 1, 2]); // RFC6145
    expect(group(ng, '64:FF9B::102:304')).toEqual([Network.NET_IPV4, 1, 2]); // RFC6052
    expect(group(ng, '2002:102:304:9999:9999:9999:9999:9999')).toEqual([Network.NET_IPV4, 1, 2]); // RFC3964
    expect(group(ng, '2001:0:9999:9999:9999:9999:FEFD:FCFB')).toEqual([Network.NET_IPV4, 1, 2]); // RFC4380
    expect(group(ng, '2001:470:abcd:9999:9999:9999:9999:9999')).toEqual([Network.NET_IPV6, 32, 1, 4, 112, 175]); // he.net
    expect(group(ng, '2001:2001:9999:9999:9999:9999:9999:9999')).toEqual([Network.NET_IPV6, 32, 1, 32, 1]);
    // baz.net's SHA-256 starts 12929400eb4607c4ac07.
    expect(group(ng, NetAddr.internal('baz.net'))).toEqual([Network.NET_INTERNAL, 0x12, 0x92, 0x94, 0x00, 0xeb, 0x46, 0x07, 0xc4, 0xac, 0x07]);
  });

  it('privacy networks and the derived internal groups (core-test-vectors §4)', () => {
    expect(group(ng, 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion')).toEqual([Network.NET_ONION, 0x7f]);
    expect(group(ng, 'nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion')).toEqual([Network.NET_ONION, 0x6f]);
    expect(group(ng, 'c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p')).toEqual([Network.NET_I2P, 0x1f]);
    expect(group(ng, 'udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p')).toEqual([Network.NET_I2P, 0xaf]);
    expect(group(ng, cjdns('fc00:1:2:3:4:5:6:7'))).toEqual([Network.NET_CJDNS, 0xfc, 0x0f]);
    expect(group(ng, cjdns('fc00:3344:5566:7788:9900:aabb:ccdd:eeff'))).toEqual([Network.NET_CJDNS, 0xfc, 0x0f]);
    expect(group(ng, cjdns('fcf0:1:2:3:4:5:6:7'))).toEqual([Network.NET_CJDNS, 0xfc, 0xff]);
    expect(group(ng, NetAddr.internal('fixedseeds'))).toEqual([Network.NET_INTERNAL, 0x11, 0x87, 0xed, 0x9f, 0x5d, 0x51, 0x44, 0x8d, 0x98, 0x6b]);
    expect(group(ng, NetAddr.internal('x9.dnsseed.bluematt.me.'))).toEqual([Network.NET_INTERNAL, 0x07, 0x69, 0x99, 0xf2, 0xa0, 0xa6, 0xe9, 0xf9, 0x25, 0x30]);
  });

  it('every unroutable range shares the single group [0]', () => {
    for (const a of ['192.168.1.1', '172.16.0.1', '198.18.0.1', '100.64.0.1', '192.0.2.1', '0.1.2.3', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', '2001:10::1', '2001:20::1', '2001:db8::1']) {
      expect(group(ng, a), a).toEqual([0]);
    }
  });

  it('has no asmap: mapped AS 0, zero version, not using asmap', () => {
    expect(ng.usingASMap()).toBe(false);
    expect(ng.getMappedAS(resolveIP('8.8.8.8'))).toBe(0);
    expect(ng.getAsmapVersion()).toEqual(new Uint8Array(32));
    expect(new NetGroupManager(new Uint8Array(0)).usingASMap()).toBe(false);
  });
});

describe('NetGroupManager with the asmap_test_vectors map (Core netbase_tests)', () => {
  const data = ASMAP_TEST_VECTORS_MAP;


  it('asmap_test_vectors: GetMappedAS of all 19 addresses', () => {
    const ng = NetGroupManager.withAsmap(data);
    expect(ng.usingASMap()).toBe(true);
    const cases = ASMAP_TEST_VECTORS;
    for (const [addr, asn] of cases) expect(ng.getMappedAS(resolveIP(addr)), addr).toBe(asn);
    // A mapped address's group is NET_IPV6 + the ASN little-endian; an unmapped one keeps /32.
    expect(group(ng, '1336:1ad6:2f26:4fe3:d809:7321:6e0d:4615')).toEqual([2, 672176 & 0xff, (672176 >> 8) & 0xff, 672176 >> 16, 0]);
    expect(group(ng, 'a77:7cd4:4be5:a449:89f2:3212:78c6:ee38')).toEqual([2, 0x0a, 0x77, 0x7c, 0xd4]);
  });

  it('rejects asmap bytes that fail Core\'s check with a typed error', () => {
    expect(() => NetGroupManager.withAsmap(data.slice(0, 100))).toThrow(AsmapError);
  });
});

describe.skipIf(!hasTestRaw)('NetGroupManager with Core test asmap (asmap.raw)', () => {
  const raw = hasTestRaw ? new Uint8Array(readFileSync(TEST_RAW)) : new Uint8Array(0);
  const ng = NetGroupManager.withAsmap(raw);
  const AS1000_GROUP = [2, 0xe8, 0x03, 0x00, 0x00];

  it('groups every 250.x address as AS1000 (core-test-vectors §1.3)', () => {
    expect(group(ng, '250.1.1.1')).toEqual(AS1000_GROUP);
    expect(group(ng, '250.200.3.4')).toEqual(AS1000_GROUP);
    for (let j = 0; j < 255; j += 17) expect(group(ng, `250.${j}.1.1`)).toEqual(AS1000_GROUP);
  });

  it('maps embedded-IPv4 forms through their IPv4 address', () => {
    // 250.1.1.1 = fa01:0101.
    for (const a of ['::ffff:0:fa01:101', '64:ff9b::fa01:101', '2002:fa01:101::1', '2001:0:1:2:3:4:5fe:fefe']) {
      expect(ng.getMappedAS(resolveIP(a)), a).toBe(1000);
      expect(group(ng, a), a).toEqual(AS1000_GROUP);
    }
    expect(ng.getMappedAS(resolveIP('101.2.3.4'))).toBe(2);
    expect(group(ng, '101.2.3.4')).toEqual([2, 2, 0, 0, 0]);
  });

  it('falls back to prefix groups where the map has no AS, and for other networks', () => {
    expect(ng.getMappedAS(resolveIP('1.2.3.4'))).toBe(0);
    expect(group(ng, '1.2.3.4')).toEqual([1, 1, 2]);
    expect(group(ng, '101.16.0.1')).toEqual([1, 101, 16]);
    expect(group(ng, '2001:2001:9999:9999:9999:9999:9999:9999')).toEqual([2, 32, 1, 32, 1]);
    expect(ng.getMappedAS(resolveIP('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'))).toBe(0);
    expect(group(ng, 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion')).toEqual([3, 0x7f]);
    // Unroutable addresses have no AS even if their bytes fall inside a mapped range.
    expect(ng.getMappedAS(resolveIP('255.255.255.255'))).toBe(0);
    expect(group(ng, '127.0.0.1')).toEqual([0]);
  });

  it('distinct tried-bucket groups: 101.j.1.1 spans several ASes and /16s (addrman_tests)', () => {
    const groups = new Set<string>();
    for (let j = 0; j < 255; j++) groups.add(group(ng, `101.${j}.1.1`).join(','));
    // AS1..AS8 for j <= 15, then one /16 each for j >= 16.
    expect(groups.size).toBe(8 + (255 - 16));
  });

  it('records the version of the map and reports health counts', () => {
    expect(Buffer.from(ng.getAsmapVersion()).reverse().toString('hex')).toBe('bafc9da308f45179443bd1d22325400ac9104f741522d003e3fac86700f68895');
    const health = ng.asmapHealthCheck(['250.1.1.1', '250.2.2.2', '101.1.1.1', '1.2.3.4'].map(resolveIP));
    expect(health).toEqual({ clearnetAddrs: 4, mappedAsns: 2, unmapped: 1 });
  });

  it('nodes can share one compiled map', () => {
    const shared = new AsmapLookup(raw);
    const a = new NetGroupManager(shared);
    const b = NetGroupManager.withAsmap(shared);
    expect(group(a, '250.9.9.9')).toEqual(group(b, '250.9.9.9'));
    expect(a.getAsmapVersion()).toEqual(ng.getAsmapVersion());
  });
});

describe.skipIf(!hasIpAsn)("NetGroupManager with Core's embedded asmap (ip_asn.dat)", () => {
  const data = hasIpAsn ? new Uint8Array(readFileSync(IP_ASN)) : new Uint8Array(0);

  it('maps public resolvers in IPv4, IPv6 and embedded forms', () => {
    const ng = NetGroupManager.withAsmap(data);
    expect(ng.getMappedAS(resolveIP('8.8.8.8'))).toBe(15169);
    expect(ng.getMappedAS(resolveIP('1.1.1.1'))).toBe(13335);
    expect(ng.getMappedAS(resolveIP('2001:4860:4860::8888'))).toBe(15169);
    expect(ng.getMappedAS(resolveIP('2606:4700:4700::1111'))).toBe(13335);
    expect(ng.getMappedAS(resolveIP('::ffff:8.8.8.8'))).toBe(15169);
    expect(ng.getMappedAS(resolveIP('2002:808:808::1'))).toBe(15169); // 6to4 of 8.8.8.8
    expect(ng.getMappedAS(resolveIP('64:ff9b::101:101'))).toBe(13335); // NAT64 of 1.1.1.1
    // Google's IPv4 and IPv6 share one group.
    expect(group(ng, '8.8.8.8')).toEqual([2, 0x41, 0x3b, 0, 0]);
    expect(group(ng, '2001:4860:4860::8888')).toEqual([2, 0x41, 0x3b, 0, 0]);
    expect(group(ng, '8.8.4.4')).toEqual(group(ng, '8.8.8.8'));
  });
});

describe('NetGroupManager with an encoded synthetic map', () => {
  it('groups a scenario world by the ASNs it was built with', () => {
    const bin = encodeAsmap([
      { prefix: '11.0.0.0/8', asn: 64500 },
      { prefix: '12.0.0.0/8', asn: 64500 },
      { prefix: '2a01::/16', asn: 64500 },
      { prefix: '13.0.0.0/8', asn: 64501 },
    ]);
    const ng = NetGroupManager.withAsmap(bin);
    expect(group(ng, '11.1.2.3')).toEqual(group(ng, '12.200.0.1'));
    expect(group(ng, '11.1.2.3')).toEqual(group(ng, '2a01:4f8::1'));
    expect(group(ng, '13.0.0.1')).toEqual([2, 64501 & 0xff, 64501 >> 8, 0, 0]);
    expect(group(ng, '14.0.0.1')).toEqual([1, 14, 0]);
  });
});
