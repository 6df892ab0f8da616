// Tests for netaddress.ts, ported from Core's netbase_tests.cpp and net_tests.cpp (names kept), plus
// the seed list in /work/shared/data/nodes_main.txt as a parse/format round trip.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../util/hash.ts';
import {
  NetAddr,
  Network,
  Service,
  lookupNumeric,
  netAddrOrThrow,
  parseNetAddr,
  parseService,
  readNetAddrV1,
  readNetAddrV2,
  readService,
  serviceHash,
  setSpecial,
  splitHostPort,
  writeNetAddrV1,
  writeNetAddrV2,
  writeService,
  decodeBase32,
  encodeBase32,
} from './netaddress.ts';
import { maybeFlipServiceToCJDNS, defaultReachableNets } from './netbase.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';
import { sharedDataFile } from '../testing/shared-data.test-helper.ts';

const TOR = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';

/** Core's test helper ResolveIP: LookupHost(ip, false).value_or(CNetAddr{}). */
function resolveIP(ip: string): NetAddr {
  const r = parseNetAddr(ip);
  return r.ok ? r.value : NetAddr.unspecified();
}

function v1Hex(a: NetAddr): string {
  const w = new ByteWriter();
  writeNetAddrV1(w, a);
  return toHex(w.toBytes());
}

function v2Hex(a: NetAddr): string {
  const w = new ByteWriter();
  writeNetAddrV2(w, a);
  return toHex(w.toBytes());
}

function readV2(hex: string): { addr: NetAddr; rest: number } {
  const r = new ByteReader(fromHex(hex));
  const addr = readNetAddrV2(r);
  return { addr, rest: r.remaining };
}

function readV2Error(hex: string): SerializeError {
  try {
    readNetAddrV2(new ByteReader(fromHex(hex)));
  } catch (e) {
    expect(e).toBeInstanceOf(SerializeError);
    return e as SerializeError;
  }
  throw new Error(`expected ${hex} to fail`);
}

describe('netbase_tests.cpp', () => {
  it('netbase_networks', () => {
    expect(resolveIP('127.0.0.1').getNetwork()).toBe(Network.NET_UNROUTABLE);
    expect(resolveIP('::1').getNetwork()).toBe(Network.NET_UNROUTABLE);
    expect(resolveIP('8.8.8.8').getNetwork()).toBe(Network.NET_IPV4);
    expect(resolveIP('2001::8888').getNetwork()).toBe(Network.NET_IPV6);
    expect(resolveIP(TOR).getNetwork()).toBe(Network.NET_ONION);
    expect(NetAddr.internal('foo.com').getNetwork()).toBe(Network.NET_INTERNAL);
  });

  it('netbase_properties', () => {
    expect(resolveIP('127.0.0.1').isIPv4()).toBe(true);
    expect(resolveIP('::FFFF:192.168.1.1').isIPv4()).toBe(true);
    expect(resolveIP('::1').isIPv6()).toBe(true);
    expect(resolveIP('10.0.0.1').isRFC1918()).toBe(true);
    expect(resolveIP('192.168.1.1').isRFC1918()).toBe(true);
    expect(resolveIP('172.31.255.255').isRFC1918()).toBe(true);
    expect(resolveIP('198.18.0.0').isRFC2544()).toBe(true);
    expect(resolveIP('198.19.255.255').isRFC2544()).toBe(true);
    expect(resolveIP('2001:0DB8::').isRFC3849()).toBe(true);
    expect(resolveIP('169.254.1.1').isRFC3927()).toBe(true);
    expect(resolveIP('2002::1').isRFC3964()).toBe(true);
    expect(resolveIP('FC00::').isRFC4193()).toBe(true);
    expect(resolveIP('2001::2').isRFC4380()).toBe(true);
    expect(resolveIP('2001:10::').isRFC4843()).toBe(true);
    expect(resolveIP('2001:20::').isRFC7343()).toBe(true);
    expect(resolveIP('FE80::').isRFC4862()).toBe(true);
    expect(resolveIP('64:FF9B::').isRFC6052()).toBe(true);
    expect(resolveIP(TOR).isTor()).toBe(true);
    expect(resolveIP('127.0.0.1').isLocal()).toBe(true);
    expect(resolveIP('::1').isLocal()).toBe(true);
    expect(resolveIP('8.8.8.8').isRoutable()).toBe(true);
    expect(resolveIP('2001::1').isRoutable()).toBe(true);
    expect(resolveIP('127.0.0.1').isValid()).toBe(true);
    expect(NetAddr.internal('FD6B:88C0:8724:edb1:8e4:3588:e546:35ca').isInternal()).toBe(true);
    expect(NetAddr.internal('bar.com').isInternal()).toBe(true);
  });

  it('netbase_splithost', () => {
    const t = (input: string, host: string, port: number, valid = true) => {
      const r = splitHostPort(input);
      expect({ input, host: r.host, port: r.port, valid: r.valid }).toEqual({ input, host, port, valid });
    };
    t('www.bitcoincore.org', 'www.bitcoincore.org', 0);
    t('[www.bitcoincore.org]', 'www.bitcoincore.org', 0);
    t('www.bitcoincore.org:80', 'www.bitcoincore.org', 80);
    t('[www.bitcoincore.org]:80', 'www.bitcoincore.org', 80);
    t('127.0.0.1', '127.0.0.1', 0);
    t('127.0.0.1:8333', '127.0.0.1', 8333);
    t('[127.0.0.1]', '127.0.0.1', 0);
    t('[127.0.0.1]:8333', '127.0.0.1', 8333);
    t('::ffff:127.0.0.1', '::ffff:127.0.0.1', 0);
    t('[::ffff:127.0.0.1]:8333', '::ffff:127.0.0.1', 8333);
    t('[::]:8333', '::', 8333);
    t('::8333', '::8333', 0);
    t(':8333', '', 8333);
    t('[]:8333', '', 8333);
    t('', '', 0);
    t(':65535', '', 65535);
    t(':65536', ':65536', 0, false);
    t(':-1', ':-1', 0, false);
    t('[]:70001', '[]:70001', 0, false);
    t('[]:-1', '[]:-1', 0, false);
    t('[]:-0', '[]:-0', 0, false);
    t('[]:0', '', 0, false);
    t('[]:1/2', '[]:1/2', 0, false);
    t('[]:1E2', '[]:1E2', 0, false);
    t('127.0.0.1:65536', '127.0.0.1:65536', 0, false);
    t('127.0.0.1:0', '127.0.0.1', 0, false);
    t('127.0.0.1:', '127.0.0.1:', 0, false);
    t('127.0.0.1:1/2', '127.0.0.1:1/2', 0, false);
    t('127.0.0.1:1E2', '127.0.0.1:1E2', 0, false);
    t('www.bitcoincore.org:65536', 'www.bitcoincore.org:65536', 0, false);
    t('www.bitcoincore.org:0', 'www.bitcoincore.org', 0, false);
    t('www.bitcoincore.org:', 'www.bitcoincore.org:', 0, false);
  });

  it('netbase_lookupnumeric', () => {
    const t = (src: string, canon: string) => expect(lookupNumeric(src, 65535).toStringAddrPort(), src).toBe(canon);
    t('127.0.0.1', '127.0.0.1:65535');
    t('127.0.0.1:8333', '127.0.0.1:8333');
    t('::ffff:127.0.0.1', '127.0.0.1:65535');
    t('::', '[::]:65535');
    t('[::]:8333', '[::]:8333');
    t('[127.0.0.1]', '127.0.0.1:65535');
    t(':::', '[::]:0');
    // an internal address fails to resolve, a one-off neighbour resolves
    t('[fd6b:88c0:8724:1:2:3:4:5]', '[::]:0');
    t('[fd6c:88c0:8724:1:2:3:4:5]', '[fd6c:88c0:8724:1:2:3:4:5]:65535');
    const internal = parseNetAddr('fd6b:88c0:8724:1:2:3:4:5');
    expect(internal.ok).toBe(false);
    if (!internal.ok) expect(internal.error.kind).toBe('internal-rejected');
  });

  it('embedded_test', () => {
    const a1 = resolveIP('1.2.3.4');
    const a2 = resolveIP('::FFFF:0102:0304');
    expect(a2.isIPv4()).toBe(true);
    expect(a2.toStringAddr()).toBe(a1.toStringAddr());
  });

  it('netbase_dont_resolve_strings_with_embedded_nul_characters', () => {
    expect(parseNetAddr('127.0.0.1').ok).toBe(true);
    for (const s of ['127.0.0.1\0', '127.0.0.1\0example.com', '127.0.0.1\0example.com\0']) {
      const r = parseNetAddr(s);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe('nul');
      expect(parseService(s, 8333).ok).toBe(false);
    }
  });
});

describe('net_tests.cpp', () => {
  it('cnetaddr_basic', () => {
    let a = netAddrOrThrow('0.0.0.0');
    expect([a.isValid(), a.isIPv4(), a.isBindAny(), a.isAddrV1Compatible(), a.toStringAddr()]).toEqual([false, true, true, true, '0.0.0.0']);
    a = netAddrOrThrow('255.255.255.255');
    expect([a.isValid(), a.isIPv4(), a.isBindAny(), a.isAddrV1Compatible(), a.toStringAddr()]).toEqual([false, true, false, true, '255.255.255.255']);
    a = netAddrOrThrow('12.34.56.78');
    expect([a.isValid(), a.isIPv4(), a.isBindAny(), a.isAddrV1Compatible(), a.toStringAddr()]).toEqual([true, true, false, true, '12.34.56.78']);
    a = netAddrOrThrow('::');
    expect([a.isValid(), a.isIPv6(), a.isBindAny(), a.isAddrV1Compatible(), a.toStringAddr()]).toEqual([false, true, true, true, '::']);
    a = netAddrOrThrow('1122:3344:5566:7788:9900:aabb:ccdd:eeff');
    expect([a.isValid(), a.isIPv6(), a.isBindAny(), a.isAddrV1Compatible(), a.toStringAddr()]).toEqual([
      true, true, false, true, '1122:3344:5566:7788:9900:aabb:ccdd:eeff',
    ]);

    // scoped link-local: decimal zone ids are kept and printed
    a = netAddrOrThrow('fe80::1%32');
    expect([a.isValid(), a.isIPv6(), a.isBindAny(), a.toStringAddr(), a.scopeId]).toEqual([true, true, false, 'fe80::1%32', 32]);

    // Tor v2 no longer supported
    expect(setSpecial('6hzph5hv6337r6p2.onion')).toBeNull();

    const tor = setSpecial(TOR)!;
    expect(tor).not.toBeNull();
    expect([tor.isValid(), tor.isTor(), tor.isI2P(), tor.isBindAny(), tor.isAddrV1Compatible(), tor.toStringAddr()]).toEqual([
      true, true, false, false, false, TOR,
    ]);
    // broken checksum, wrong version, embedded NUL, bogus length, invalid base32
    expect(setSpecial('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.onion')).toBeNull();
    expect(setSpecial('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye.onion')).toBeNull();
    expect(setSpecial('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd\0wtf.onion')).toBeNull();
    expect(setSpecial('mfrggzak.onion')).toBeNull();
    expect(setSpecial('mf*g zak.onion')).toBeNull();

    const i2pText = 'UDHDrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.I2P';
    const i2p = setSpecial(i2pText)!;
    expect(i2p).not.toBeNull();
    expect([i2p.isValid(), i2p.isI2P(), i2p.isTor(), i2p.isBindAny(), i2p.isAddrV1Compatible(), i2p.toStringAddr()]).toEqual([
      true, true, false, false, false, i2pText.toLowerCase(),
    ]);
    // decodes short; extra padding; NUL; 56-char (unsupported); invalid base32
    expect(setSpecial('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jn=.b32.i2p')).toBeNull();
    expect(setSpecial('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna=.b32.i2p')).toBeNull();
    expect(setSpecial('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v\0wtf.b32.i2p')).toBeNull();
    expect(setSpecial('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.b32.i2p')).toBeNull();
    expect(setSpecial('tp*szydbh4dp.b32.i2p')).toBeNull();

    const internal = NetAddr.internal('esffpp');
    expect([internal.isValid(), internal.isInternal(), internal.isBindAny(), internal.isAddrV1Compatible()]).toEqual([false, true, false, true]);
    expect(internal.toStringAddr()).toBe('esffpvrt3wpeaygy.internal');

    expect(setSpecial('totally bogus')).toBeNull();
  });

  it('cnetaddr_tostring_canonical_ipv6', () => {
    const cases: [string, string][] = [
      ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
      ['000:0000:000:00:0:00:000:0000', '::'],
      ['000:000:000:000:000:000:000:000', '::'],
      ['00:00:00:00:00:00:00:00', '::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:0db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::8a2e:370:7334'],
      ['2001:0db8::0001', '2001:db8::1'],
      ['2001:0db8::0001:0000', '2001:db8::1:0'],
      ['2001:0db8::1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0000:0:1::1', '2001:db8::1:0:0:1'],
      ['2001:db8:0000:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
      ['2001:db8:0:0:0::1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:0:1::1', '2001:db8::1:0:0:1'],
      ['2001:DB8:0:0:1::1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:0::1', '2001:db8::1'],
      ['2001:db8:0:0:aaaa::1', '2001:db8::aaaa:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:db8:0::1', '2001:db8::1'],
      ['2001:db8:85a3:0:0:8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['2001:db8::0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:db8::1', '2001:db8::1'],
      ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:db8::aaaa:0:0:1', '2001:db8::aaaa:0:0:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:0:1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd::1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:01', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:1', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:AAAA', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
    ];
    for (const [input, canon] of cases) {
      const a = netAddrOrThrow(input);
      expect(a.isIPv6(), input).toBe(true);
      expect(a.toStringAddr(), input).toBe(canon);
    }
  });

  it('cnetaddr_serialize_v1', () => {
    expect(v1Hex(NetAddr.unspecified())).toBe('00000000000000000000000000000000');
    expect(v1Hex(netAddrOrThrow('1.2.3.4'))).toBe('00000000000000000000ffff01020304');
    expect(v1Hex(netAddrOrThrow('1a1b:2a2b:3a3b:4a4b:5a5b:6a6b:7a7b:8a8b'))).toBe('1a1b2a2b3a3b4a4b5a5b6a6b7a7b8a8b');
    expect(setSpecial('6hzph5hv6337r6p2.onion')).toBeNull();
    expect(v1Hex(setSpecial(TOR)!)).toBe('00000000000000000000000000000000');
    expect(v1Hex(NetAddr.internal('a'))).toBe('fd6b88c08724ca978112ca1bbdcafac2');
  });

  it('cnetaddr_serialize_v2', () => {
    expect(v2Hex(NetAddr.unspecified())).toBe('021000000000000000000000000000000000');
    expect(v2Hex(netAddrOrThrow('1.2.3.4'))).toBe('010401020304');
    expect(v2Hex(netAddrOrThrow('1a1b:2a2b:3a3b:4a4b:5a5b:6a6b:7a7b:8a8b'))).toBe('02101a1b2a2b3a3b4a4b5a5b6a6b7a7b8a8b');
    expect(v2Hex(setSpecial('kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion')!)).toBe(
      '042053cd5648488c4707914182655b7664034e09e66f7e8cbf1084e654eb56c5bd88',
    );
    expect(v2Hex(NetAddr.internal('a'))).toBe('0210fd6b88c08724ca978112ca1bbdcafac2');
  });

  it('cnetaddr_unserialize_v2', () => {
    let r = readV2('010401020304');
    expect([r.addr.isValid(), r.addr.isIPv4(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([true, true, true, '1.2.3.4', 0]);

    let e = readV2Error('01040102');
    expect(e.kind).toBe('truncated');
    expect(e.message).toMatch(/^end of data/);
    expect(readV2Error('010501020304').message).toBe('BIP155 IPv4 address with length 5 (should be 4)');
    expect(readV2Error('01fd010201020304').message).toBe('Address too long: 513 > 512');

    r = readV2('02100102030405060708090a0b0c0d0e0f10');
    expect([r.addr.isValid(), r.addr.isIPv6(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([
      true, true, true, '102:304:506:708:90a:b0c:d0e:f10', 0,
    ]);

    r = readV2('0210fd6b88c08724ca978112ca1bbdcafac2');
    expect([r.addr.isInternal(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([true, true, 'zklycewkdo64v6wc.internal', 0]);

    expect(readV2Error('020400').message).toBe('BIP155 IPv6 address with length 4 (should be 16)');

    r = readV2('021000000000000000000000ffff01020304');
    expect([r.addr.isValid(), r.rest]).toEqual([false, 0]);
    r = readV2('0210fd87d87eeb430102030405060708090a');
    expect([r.addr.isValid(), r.rest]).toEqual([false, 0]);
    r = readV2('030af1f2f3f4f5f6f7f8f9fa');
    expect([r.addr.isValid(), r.rest]).toEqual([false, 0]);

    r = readV2('042079bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f');
    expect([r.addr.isValid(), r.addr.isTor(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([true, true, false, TOR, 0]);
    expect(readV2Error('040000').message).toBe('BIP155 TORv3 address with length 0 (should be 32)');

    r = readV2('0520a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87');
    expect([r.addr.isValid(), r.addr.isI2P(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([
      true, true, false, 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p', 0,
    ]);
    expect(readV2Error('050300').message).toBe('BIP155 I2P address with length 3 (should be 32)');

    r = readV2('0610fc000001000200030004000500060007');
    expect([r.addr.isValid(), r.addr.isCJDNS(), r.addr.isAddrV1Compatible(), r.addr.toStringAddr(), r.rest]).toEqual([
      true, true, false, 'fc00:1:2:3:4:5:6:7', 0,
    ]);
    r = readV2('0610aa000001000200030004000500060007');
    expect([r.addr.isCJDNS(), r.addr.isValid(), r.rest]).toEqual([true, false, 0]);
    expect(readV2Error('060100').message).toBe('BIP155 CJDNS address with length 1 (should be 16)');

    e = readV2Error('aafe0000000201020304050607');
    expect(e.message).toBe('Address too long: 33554432 > 512');
    r = readV2('aa0401020304');
    expect([r.addr.isValid(), r.rest]).toEqual([false, 0]);
    r = readV2('aa00');
    expect([r.addr.isValid(), r.rest]).toEqual([false, 0]);
  });
});

describe('classification beyond the named Core tests', () => {
  it('linked IPv4 forms and GetNetClass (netbase_getgroup inputs)', () => {
    const forms: [string, number][] = [
      ['1.2.3.4', 0x01020304],
      ['::FFFF:0:102:304', 0x01020304], // RFC6145
      ['64:FF9B::102:304', 0x01020304], // RFC6052
      ['2002:102:304:9999:9999:9999:9999:9999', 0x01020304], // 6to4
      ['2001:0:9999:9999:9999:9999:FEFD:FCFB', 0x01020304], // Teredo, bit-inverted
    ];
    for (const [text, v4] of forms) {
      const a = netAddrOrThrow(text);
      expect(a.hasLinkedIPv4(), text).toBe(true);
      expect(a.getLinkedIPv4(), text).toBe(v4);
      expect(a.getNetClass(), text).toBe(Network.NET_IPV4);
    }
    expect(netAddrOrThrow('2001:470:abcd:9999:9999:9999:9999:9999').isHeNet()).toBe(true);
    expect(netAddrOrThrow('2001:2001::1').getNetClass()).toBe(Network.NET_IPV6);
    expect(netAddrOrThrow('10.0.0.1').hasLinkedIPv4()).toBe(false);
    expect(netAddrOrThrow('10.0.0.1').getNetClass()).toBe(Network.NET_UNROUTABLE);
    expect(NetAddr.internal('baz.net').getNetClass()).toBe(Network.NET_INTERNAL);
    expect(() => netAddrOrThrow('2001:2001::1').getLinkedIPv4()).toThrow();
    // internal name bytes are the first 10 of SHA-256(name)
    expect(toHex(NetAddr.internal('baz.net').addr)).toBe('12929400eb4607c4ac07');
  });

  it('IsRoutable rejects every private and special range; 240/4 and 250/8 stay routable', () => {
    for (const s of ['10.1.1.1', '172.16.0.1', '192.168.0.1', '198.18.1.1', '169.254.1.1', '100.64.0.1', '192.0.2.1', '198.51.100.1',
      '203.0.113.1', '127.0.0.1', '0.1.2.3', 'fc00::1', 'fe80::1', '2001:10::1', '2001:20::1', '2001:db8::1', '::1', '::']) {
      expect(netAddrOrThrow(s).isRoutable(), s).toBe(false);
      expect(netAddrOrThrow(s).getNetwork(), s).toBe(Network.NET_UNROUTABLE);
    }
    for (const s of ['250.1.1.1', '240.0.0.1', '100.128.0.1', '172.32.0.1', '2001:470::1', '2002:102:304::1']) {
      expect(netAddrOrThrow(s).isRoutable(), s).toBe(true);
    }
  });

  it('numeric IPv4 follows glibc getaddrinfo (inet_aton forms) and IPv6 follows inet_pton', () => {
    expect(netAddrOrThrow('127.1').toStringAddr()).toBe('127.0.0.1');
    expect(netAddrOrThrow('1.2.3').toStringAddr()).toBe('1.2.0.3');
    expect(netAddrOrThrow('0x7f.0.0.1').toStringAddr()).toBe('127.0.0.1');
    expect(netAddrOrThrow('010.0.0.1').toStringAddr()).toBe('8.0.0.1');
    expect(netAddrOrThrow('16909060').toStringAddr()).toBe('1.2.3.4');
    for (const bad of ['257.0.0.1', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', 'hab', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::2',
      '1:2:3:4:5:6:7::8', '12345::', '::1.2.3.04', 'fe80::1%eth0', '']) {
      expect(parseNetAddr(bad).ok, bad).toBe(false);
    }
    expect(resolveIP('257.0.0.1').equalsAddr(NetAddr.unspecified())).toBe(true);
    expect(netAddrOrThrow('::1.2.3.4').toStringAddr()).toBe('::102:304');
    expect(netAddrOrThrow('1:2:3:4:5:6:7::').toStringAddr()).toBe('1:2:3:4:5:6:7:0');
  });

  it('Service text forms, GetKey, equality and keys', () => {
    expect(serviceFormat('1.2.3.4:8333')).toBe('1.2.3.4:8333');
    expect(serviceFormat('[2001:db8::1]:8333')).toBe('[2001:db8::1]:8333');
    expect(serviceFormat(`${TOR}:8333`)).toBe(`${TOR}:8333`);
    expect(serviceFormat('udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p:0')).toBe(
      'udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p:0',
    );
    expect(NetAddr.internal('esffpp').withPort(7).toStringAddrPort()).toBe('esffpvrt3wpeaygy.internal:7');
    const cj = maybeFlipServiceToCJDNS(parseServiceOk('[fc00:1:2:3:4:5:6:7]:8333'), defaultReachableNets());
    expect(cj.isCJDNS()).toBe(true);
    expect(cj.toStringAddrPort()).toBe('[fc00:1:2:3:4:5:6:7]:8333');
    expect(maybeFlipServiceToCJDNS(parseServiceOk('[fc00::1]:8333'), new Set([Network.NET_IPV4])).isIPv6()).toBe(true);
    expect(maybeFlipServiceToCJDNS(parseServiceOk('[fd00::1]:8333'), defaultReachableNets()).isIPv6()).toBe(true);

    const s = parseServiceOk('1.2.3.4:8333');
    expect(toHex(s.getKey())).toBe('00000000000000000000ffff01020304208d');
    expect(toHex(parseServiceOk(`${TOR}:8333`).getKey())).toBe('79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f208d');
    expect(toHex(s.getAddrBytes())).toBe('00000000000000000000ffff01020304');

    const t = parseServiceOk('1.2.3.4:8334');
    expect(s.equals(parseServiceOk('[::ffff:1.2.3.4]:8333'))).toBe(true);
    expect(s.equals(t)).toBe(false);
    expect(s.equalsAddr(t)).toBe(true);
    expect(s.key).not.toBe(t.key);
    expect(s.addrKey).toBe(t.addrKey);
    expect(Service.compare(s, t)).toBeLessThan(0);
    expect(NetAddr.compareAddr(netAddrOrThrow('9.9.9.9'), netAddrOrThrow('::1'))).toBeLessThan(0); // IPv4 sorts before IPv6
    expect(netAddrOrThrow('fe80::1%3').equalsAddr(netAddrOrThrow('fe80::1'))).toBe(true); // scope id ignored
    // a port that SplitHostPort calls invalid is still applied by Lookup
    expect(parseServiceOk('1.2.3.4:0').port).toBe(0);
    expect(parseService('1.2.3.4:65536', 1).ok).toBe(false);
  });

  it('CServiceHash hashes the stored network, the port and the raw bytes', () => {
    expect(serviceHash(0n, 0n, parseServiceOk('250.1.1.1:8333'))).toBe(0x7e929594424724e8n);
  });

  it('v1 round trips (IPv4-mapped, internal, Tor v2 prefix) and CService with a big-endian port', () => {
    for (const text of ['1.2.3.4', '2001:db8::1', '::']) {
      const a = netAddrOrThrow(text);
      expect(readNetAddrV1(new ByteReader(fromHex(v1Hex(a)))).equalsAddr(a)).toBe(true);
    }
    const internal = NetAddr.internal('x9.dnsseed.bluematt.me.');
    const back = readNetAddrV1(new ByteReader(fromHex(v1Hex(internal))));
    expect(back.isInternal()).toBe(true);
    expect(back.equalsAddr(internal)).toBe(true);
    expect(readNetAddrV1(new ByteReader(fromHex('fd87d87eeb430102030405060708090a'))).isValid()).toBe(false);
    for (const v2 of [false, true]) {
      for (const text of ['1.2.3.4:8333', `${TOR}:9050`, '[2001:db8::2]:65535', '[fc00::1]:1']) {
        const s = parseServiceOk(text);
        const w = new ByteWriter();
        writeService(w, s, v2);
        if (!v2) expect(toHex(w.toBytes()).slice(-4)).toBe(s.port.toString(16).padStart(4, '0'));
        const r = new ByteReader(w.toBytes());
        const got = readService(r, v2);
        expect(r.eof).toBe(true);
        if (v2 || s.isAddrV1Compatible()) expect(got.equals(s), text).toBe(true);
        else expect(got.isValid()).toBe(false); // Tor in v1 is sixteen zero bytes
      }
    }
  });

  it('base32 matches Core (padding, case-insensitive decode, strict trailing bits)', () => {
    expect(encodeBase32(new TextEncoder().encode('f'))).toBe('my======');
    expect(encodeBase32(new TextEncoder().encode('foobar'))).toBe('mzxw6ytboi======');
    expect(encodeBase32(new TextEncoder().encode('foobar'), false)).toBe('mzxw6ytboi');
    expect(new TextDecoder().decode(decodeBase32('MZXW6YTBOI======')!)).toBe('foobar');
    expect(decodeBase32('mzxw6ytboi')).toBeNull(); // not a multiple of 8
    expect(decodeBase32('mz======')).toBeNull(); // non-zero trailing bits
    expect(decodeBase32('m1xw6ytb')).toBeNull(); // '1' is not in the alphabet
  });

  it('GetReachabilityFrom scores (net.cpp local address choice)', () => {
    const v4 = netAddrOrThrow('1.2.3.4');
    const v6 = netAddrOrThrow('2001:2001::1');
    const sixToFour = netAddrOrThrow('2002:102:304::1');
    const teredo = netAddrOrThrow('2001:0:9999::1');
    const tor = netAddrOrThrow(TOR);
    expect(v4.getReachabilityFrom(v4)).toBe(4);
    expect(v6.getReachabilityFrom(v4)).toBe(1);
    expect(v6.getReachabilityFrom(v6)).toBe(5);
    expect(sixToFour.getReachabilityFrom(v6)).toBe(3);
    expect(teredo.getReachabilityFrom(v6)).toBe(2);
    expect(v4.getReachabilityFrom(tor)).toBe(4);
    expect(tor.getReachabilityFrom(tor)).toBe(6);
    expect(tor.getReachabilityFrom(netAddrOrThrow('127.0.0.1'))).toBe(6);
    expect(netAddrOrThrow('10.0.0.1').getReachabilityFrom(v4)).toBe(0);
  });
});

function parseServiceOk(text: string): Service {
  const r = parseService(text, 8333);
  if (!r.ok) throw r.error;
  return r.value;
}

function serviceFormat(text: string): string {
  return parseServiceOk(text).toStringAddrPort();
}

const nodesFile = sharedDataFile('nodes_main.txt');
const haveNodes = existsSync(nodesFile);
if (!haveNodes) console.warn(`netaddress.test.ts: skipping the seed-list round trip: ${nodesFile} is missing`);

describe('Core seed list (contrib/seeds nodes_main.txt)', () => {
  it.skipIf(!haveNodes)('every address:port parses, prints back identically and is routable', () => {
    const lines = readFileSync(nodesFile, 'utf8').split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(1000);
    const nets = new Map<Network, number>();
    for (const line of lines) {
      const s = maybeFlipServiceToCJDNS(parseServiceOk(line), defaultReachableNets());
      expect(s.toStringAddrPort(), line).toBe(line);
      expect(s.isRoutable(), line).toBe(true);
      nets.set(s.net, (nets.get(s.net) ?? 0) + 1);
      const w = new ByteWriter();
      writeService(w, s, true);
      expect(readService(new ByteReader(w.toBytes()), true).equals(s), line).toBe(true);
    }
    for (const net of [Network.NET_IPV4, Network.NET_IPV6, Network.NET_ONION, Network.NET_I2P, Network.NET_CJDNS]) {
      expect(nets.get(net) ?? 0, Network[net]).toBeGreaterThan(0);
    }
  });
});
