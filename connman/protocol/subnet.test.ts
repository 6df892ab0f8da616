// Tests for subnet.ts: Core's netbase_tests.cpp subnet_test (all cases) and the NUL-byte cases of
// netbase_dont_resolve_strings_with_embedded_nul_characters.
import { describe, expect, it } from 'vitest';
import { NetAddr, Network, parseNetAddr } from './netaddress.ts';
import { defaultReachableNets } from './netbase.ts';
import { SubNet, lookupSubNet } from './subnet.ts';

function resolveIP(ip: string): NetAddr {
  const r = parseNetAddr(ip);
  return r.ok ? r.value : NetAddr.unspecified();
}

const TOR = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';

describe('subnet_test (Core: netbase_tests.cpp)', () => {
  it('equality, matching and all-matching subnets', () => {
    expect(lookupSubNet('1.2.3.0/24').equals(lookupSubNet('1.2.3.0/255.255.255.0'))).toBe(true);
    expect(lookupSubNet('1.2.3.0/24').equals(lookupSubNet('1.2.4.0/255.255.255.0'))).toBe(false);
    expect(lookupSubNet('1.2.3.0/24').match(resolveIP('1.2.3.4'))).toBe(true);
    expect(lookupSubNet('1.2.2.0/24').match(resolveIP('1.2.3.4'))).toBe(false);
    expect(lookupSubNet('1.2.3.4').match(resolveIP('1.2.3.4'))).toBe(true);
    expect(lookupSubNet('1.2.3.4/32').match(resolveIP('1.2.3.4'))).toBe(true);
    expect(lookupSubNet('1.2.3.4').match(resolveIP('5.6.7.8'))).toBe(false);
    expect(lookupSubNet('1.2.3.4/32').match(resolveIP('5.6.7.8'))).toBe(false);
    expect(lookupSubNet('::ffff:127.0.0.1').match(resolveIP('127.0.0.1'))).toBe(true);
    expect(lookupSubNet('1:2:3:4:5:6:7:8').match(resolveIP('1:2:3:4:5:6:7:8'))).toBe(true);
    expect(lookupSubNet('1:2:3:4:5:6:7:8').match(resolveIP('1:2:3:4:5:6:7:9'))).toBe(false);
    expect(lookupSubNet('1:2:3:4:5:6:7:0/112').match(resolveIP('1:2:3:4:5:6:7:1234'))).toBe(true);
    expect(lookupSubNet('192.168.0.1/24').match(resolveIP('192.168.0.2'))).toBe(true);
    expect(lookupSubNet('192.168.0.20/29').match(resolveIP('192.168.0.18'))).toBe(true);
    expect(lookupSubNet('1.2.2.1/24').match(resolveIP('1.2.2.4'))).toBe(true);
    expect(lookupSubNet('1.2.2.110/31').match(resolveIP('1.2.2.111'))).toBe(true);
    expect(lookupSubNet('1.2.2.20/26').match(resolveIP('1.2.2.63'))).toBe(true);
    expect(lookupSubNet('::/0').match(resolveIP('1:2:3:4:5:6:7:1234'))).toBe(true);
    expect(lookupSubNet('::/0').match(resolveIP('::'))).toBe(false);
    expect(lookupSubNet('::/0').match(resolveIP('0.0.0.0'))).toBe(false);
    expect(lookupSubNet('::/0').match(resolveIP('1.2.3.4'))).toBe(false);
    expect(lookupSubNet('0.0.0.0/0').match(resolveIP('1:2:3:4:5:6:7:1234'))).toBe(false);
    expect(SubNet.invalid().match(resolveIP('1.2.3.4'))).toBe(false);
    expect(lookupSubNet('').match(resolveIP('4.5.6.7'))).toBe(false);
    expect(lookupSubNet('bloop').match(resolveIP('0.0.0.0'))).toBe(false);
    expect(lookupSubNet('bloop').match(resolveIP('hab'))).toBe(false);
  });

  it('valid and invalid prefixes', () => {
    const valid: [string, boolean][] = [
      ['1.2.3.0/0', true],
      ['1.2.3.0/-1', false],
      ['1.2.3.0/+24', false],
      ['1.2.3.0/32', true],
      ['1.2.3.0/33', false],
      ['1.2.3.0/300', false],
      ['1:2:3:4:5:6:7:8/0', true],
      ['1:2:3:4:5:6:7:8/33', true],
      ['1:2:3:4:5:6:7:8/-1', false],
      ['1:2:3:4:5:6:7:8/128', true],
      ['1:2:3:4:5:6:7:8/129', false],
      ['fuzzy', false],
    ];
    for (const [text, ok] of valid) expect(lookupSubNet(text).isValid(), text).toBe(ok);
  });

  it('single-address, prefix and mask constructors', () => {
    const lo = SubNet.single(resolveIP('127.0.0.1'));
    expect(lo.isValid()).toBe(true);
    expect(lo.match(resolveIP('127.0.0.1'))).toBe(true);
    expect(lo.match(resolveIP('127.0.0.2'))).toBe(false);
    expect(lo.toString()).toBe('127.0.0.1/32');

    expect(SubNet.fromPrefix(resolveIP('1.2.3.4'), 32).toString()).toBe('1.2.3.4/32');
    expect(SubNet.fromPrefix(resolveIP('1.2.3.4'), 8).toString()).toBe('1.0.0.0/8');
    expect(SubNet.fromPrefix(resolveIP('1.2.3.4'), 0).toString()).toBe('0.0.0.0/0');
    expect(SubNet.fromMask(resolveIP('1.2.3.4'), resolveIP('255.255.255.255')).toString()).toBe('1.2.3.4/32');
    expect(SubNet.fromMask(resolveIP('1.2.3.4'), resolveIP('255.0.0.0')).toString()).toBe('1.0.0.0/8');
    expect(SubNet.fromMask(resolveIP('1.2.3.4'), resolveIP('0.0.0.0')).toString()).toBe('0.0.0.0/0');

    const v6 = SubNet.single(resolveIP('1:2:3:4:5:6:7:8'));
    expect(v6.isValid()).toBe(true);
    expect(v6.match(resolveIP('1:2:3:4:5:6:7:8'))).toBe(true);
    expect(v6.match(resolveIP('1:2:3:4:5:6:7:9'))).toBe(false);
    expect(v6.toString()).toBe('1:2:3:4:5:6:7:8/128');
    expect(SubNet.fromMask(resolveIP('1.1.1.1'), resolveIP('ffff::')).isValid()).toBe(false);
    expect(SubNet.fromMask(resolveIP('::1'), resolveIP('255.0.0.0')).isValid()).toBe(false);
  });

  it('non-IP subnets', () => {
    const tor = resolveIP(TOR);
    const s = SubNet.single(tor);
    expect(s.isValid()).toBe(true);
    expect(s.toString()).toBe(tor.toStringAddr());
    expect(s.match(tor)).toBe(true);
    expect(s.match(resolveIP('kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion'))).toBe(false);
    expect(s.match(resolveIP('1.2.3.4'))).toBe(false);
    expect(SubNet.fromPrefix(tor, 200).isValid()).toBe(false);
    expect(SubNet.fromMask(tor, resolveIP('255.0.0.0')).isValid()).toBe(false);
    expect(SubNet.single(NetAddr.internal('foo')).isValid()).toBe(false);
  });

  it('full netmasks print as CIDR', () => {
    const cases: [string, string][] = [
      ['255.255.255.255', '1.2.3.4/32'], ['255.255.255.254', '1.2.3.4/31'], ['255.255.255.252', '1.2.3.4/30'],
      ['255.255.255.248', '1.2.3.0/29'], ['255.255.255.240', '1.2.3.0/28'], ['255.255.255.224', '1.2.3.0/27'],
      ['255.255.255.192', '1.2.3.0/26'], ['255.255.255.128', '1.2.3.0/25'], ['255.255.255.0', '1.2.3.0/24'],
      ['255.255.254.0', '1.2.2.0/23'], ['255.255.252.0', '1.2.0.0/22'], ['255.255.248.0', '1.2.0.0/21'],
      ['255.255.240.0', '1.2.0.0/20'], ['255.255.224.0', '1.2.0.0/19'], ['255.255.192.0', '1.2.0.0/18'],
      ['255.255.128.0', '1.2.0.0/17'], ['255.255.0.0', '1.2.0.0/16'], ['255.254.0.0', '1.2.0.0/15'],
      ['255.252.0.0', '1.0.0.0/14'], ['255.248.0.0', '1.0.0.0/13'], ['255.240.0.0', '1.0.0.0/12'],
      ['255.224.0.0', '1.0.0.0/11'], ['255.192.0.0', '1.0.0.0/10'], ['255.128.0.0', '1.0.0.0/9'],
      ['255.0.0.0', '1.0.0.0/8'], ['254.0.0.0', '0.0.0.0/7'], ['252.0.0.0', '0.0.0.0/6'], ['248.0.0.0', '0.0.0.0/5'],
      ['240.0.0.0', '0.0.0.0/4'], ['224.0.0.0', '0.0.0.0/3'], ['192.0.0.0', '0.0.0.0/2'], ['128.0.0.0', '0.0.0.0/1'],
      ['0.0.0.0', '0.0.0.0/0'],
    ];
    for (const [mask, out] of cases) expect(lookupSubNet(`1.2.3.4/${mask}`).toString(), mask).toBe(out);
    expect(lookupSubNet('1:2:3:4:5:6:7:8/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff').toString()).toBe('1:2:3:4:5:6:7:8/128');
    expect(lookupSubNet('1:2:3:4:5:6:7:8/ffff:0000:0000:0000:0000:0000:0000:0000').toString()).toBe('1::/16');
    expect(lookupSubNet('1:2:3:4:5:6:7:8/0000:0000:0000:0000:0000:0000:0000:0000').toString()).toBe('::/0');
    expect(lookupSubNet('1.2.3.4/255.255.232.0').isValid()).toBe(false);
    expect(lookupSubNet('1.2.3.4/255.0.255.255').isValid()).toBe(false);
    expect(lookupSubNet('1:2:3:4:5:6:7:8/ffff:ffff:ffff:fffe:ffff:ffff:ffff:ff0f').isValid()).toBe(false);
  });
});

describe('netbase_dont_resolve_strings_with_embedded_nul_characters (subnets)', () => {
  it('a NUL anywhere makes the subnet invalid', () => {
    expect(lookupSubNet('1.2.3.0/24').isValid()).toBe(true);
    expect(lookupSubNet('1.2.3.0/24\0').isValid()).toBe(false);
    expect(lookupSubNet('1.2.3.0/24\0example.com').isValid()).toBe(false);
    expect(lookupSubNet('1.2.3.0/24\0example.com\0').isValid()).toBe(false);
    expect(lookupSubNet(TOR).isValid()).toBe(true);
    expect(lookupSubNet(`${TOR}\0`).isValid()).toBe(false);
    expect(lookupSubNet(`${TOR}\0example.com`).isValid()).toBe(false);
    expect(lookupSubNet(`${TOR}\0example.com\0`).isValid()).toBe(false);
  });
});

describe('CJDNS subnets follow the node\'s reachable networks', () => {
  it('fc00::/8 is CJDNS only when CJDNS is reachable', () => {
    const cj = lookupSubNet('fc00:1:2:3:4:5:6:7', defaultReachableNets());
    expect(cj.network.net).toBe(Network.NET_CJDNS);
    expect(cj.toString()).toBe('fc00:1:2:3:4:5:6:7');
    const ip = lookupSubNet('fc00:1:2:3:4:5:6:7');
    expect(ip.network.net).toBe(Network.NET_IPV6);
    expect(ip.toString()).toBe('fc00:1:2:3:4:5:6:7/128');
    // A CJDNS network address cannot carry a CIDR prefix (Core builds an invalid subnet).
    expect(lookupSubNet('fc00::/8', defaultReachableNets()).isValid()).toBe(false);
  });
});
