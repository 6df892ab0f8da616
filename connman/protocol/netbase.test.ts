// Tests for netbase.ts: Core's isbadport test, network names, and reachability as a per-node set.
import { describe, expect, it } from 'vitest';
import { NetAddr, Network, parseNetAddr } from './netaddress.ts';
import { BAD_PORTS, defaultReachableNets, getNetworkName, getNetworkNames, isBadPort, isReachable, maybeFlipNetAddrToCJDNS, parseNetwork } from './netbase.ts';

function ip(s: string): NetAddr {
  const r = parseNetAddr(s);
  if (!r.ok) throw r.error;
  return r.value;
}

describe('netbase', () => {
  it('isbadport (Core: netbase_tests.cpp)', () => {
    expect(isBadPort(1)).toBe(true);
    expect(isBadPort(22)).toBe(true);
    expect(isBadPort(6000)).toBe(true);
    expect(isBadPort(80)).toBe(false);
    expect(isBadPort(443)).toBe(false);
    expect(isBadPort(8333)).toBe(false);
    let n = 0;
    for (let p = 1; p <= 65535; p++) if (isBadPort(p)) n++;
    expect(n).toBe(85);
    expect(BAD_PORTS.length).toBe(85);
    expect(isBadPort(0)).toBe(false);
    expect(isBadPort(27017)).toBe(true);
  });

  it('ParseNetwork / GetNetworkName / GetNetworkNames', () => {
    expect(parseNetwork('IPv4')).toBe(Network.NET_IPV4);
    expect(parseNetwork('ipv6')).toBe(Network.NET_IPV6);
    expect(parseNetwork('Onion')).toBe(Network.NET_ONION);
    expect(parseNetwork('I2P')).toBe(Network.NET_I2P);
    expect(parseNetwork('cjdns')).toBe(Network.NET_CJDNS);
    expect(parseNetwork('tor')).toBe(Network.NET_UNROUTABLE);
    expect(parseNetwork('')).toBe(Network.NET_UNROUTABLE);
    expect(getNetworkName(Network.NET_UNROUTABLE)).toBe('not_publicly_routable');
    expect(getNetworkName(Network.NET_INTERNAL)).toBe('internal');
    expect(getNetworkNames()).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns']);
    expect(getNetworkNames(true)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'not_publicly_routable']);
  });

  it('reachability is a per-node set judged by GetNetwork()', () => {
    const all = defaultReachableNets();
    expect(all.size).toBe(7);
    const v4only = new Set([Network.NET_IPV4]);
    expect(isReachable(v4only, ip('8.8.8.8'))).toBe(true);
    expect(isReachable(v4only, ip('2001::1'))).toBe(false);
    // a private IPv4 address belongs to NET_UNROUTABLE, which -onlynet=ipv4 drops
    expect(isReachable(v4only, ip('10.0.0.1'))).toBe(false);
    expect(isReachable(all, ip('10.0.0.1'))).toBe(true);
    expect(isReachable(v4only, NetAddr.internal('seed'))).toBe(false);
    expect(isReachable(all, Network.NET_CJDNS)).toBe(true);
  });

  it('MaybeFlipIPv6toCJDNS needs fc00::/8, IPv6 and CJDNS reachable', () => {
    expect(maybeFlipNetAddrToCJDNS(ip('fc00::1'), defaultReachableNets()).net).toBe(Network.NET_CJDNS);
    expect(maybeFlipNetAddrToCJDNS(ip('fc00::1'), new Set([Network.NET_IPV6])).net).toBe(Network.NET_IPV6);
    expect(maybeFlipNetAddrToCJDNS(ip('fd00::1'), defaultReachableNets()).net).toBe(Network.NET_IPV6);
    expect(maybeFlipNetAddrToCJDNS(ip('1.2.3.4'), defaultReachableNets()).net).toBe(Network.NET_IPV4);
    const cj = maybeFlipNetAddrToCJDNS(ip('fc00:1:2:3:4:5:6:7'), defaultReachableNets());
    expect([cj.isCJDNS(), cj.isValid(), cj.isRoutable(), cj.getNetwork(), cj.isAddrV1Compatible()]).toEqual([true, true, true, Network.NET_CJDNS, false]);
  });
});
