// Pure helpers from Core's netbase: the bad-port list, network names, reachability as a function
// of a passed-in set of networks, and the IPv6→CJDNS flip that depends on it.
// Core keeps the reachable networks in a process-wide global (g_reachable_nets); here each node
// owns its own ReadonlySet<Network> and passes it in. No sockets, proxies or DNS live here.
import { NetAddr, Network, Service } from './netaddress.ts';

/** A node's reachable networks (Core: g_reachable_nets), owned per node, never global. */
export type ReachableNets = ReadonlySet<Network>;

/**
 * The starting set: every network, including the pseudo-networks UNROUTABLE and INTERNAL.
 * Core: netbase.h ReachableNets::DefaultNets
 */
export function defaultReachableNets(): Set<Network> {
  return new Set([
    Network.NET_UNROUTABLE,
    Network.NET_IPV4,
    Network.NET_IPV6,
    Network.NET_ONION,
    Network.NET_I2P,
    Network.NET_CJDNS,
    Network.NET_INTERNAL,
  ]);
}

/** Whether a network, or an address by its getNetwork(), is reachable. Core: ReachableNets::Contains */
export function isReachable(reachable: ReachableNets, target: Network | NetAddr): boolean {
  return reachable.has(typeof target === 'number' ? target : target.getNetwork());
}

/**
 * An IPv6 address in fc00::/8 is taken as CJDNS when (and only when) CJDNS is reachable; bytes and
 * port are kept. Core: netbase.cpp MaybeFlipIPv6toCJDNS
 */
export function maybeFlipServiceToCJDNS(s: Service, reachable: ReachableNets): Service {
  if (!(s.isIPv6() && s.hasCJDNSPrefix() && reachable.has(Network.NET_CJDNS))) return s;
  return new Service(Network.NET_CJDNS, s.addr, s.port);
}

/** NetAddr form of maybeFlipIPv6toCJDNS (Core wraps it in a CService with port 0 and casts back). */
export function maybeFlipNetAddrToCJDNS(a: NetAddr, reachable: ReachableNets): NetAddr {
  if (!(a.isIPv6() && a.hasCJDNSPrefix() && reachable.has(Network.NET_CJDNS))) return a;
  return new NetAddr(Network.NET_CJDNS, a.addr);
}

/** Core: netbase.cpp ParseNetwork — "ipv4", "ipv6", "onion", "i2p", "cjdns" (any case), else UNROUTABLE. */
export function parseNetwork(name: string): Network {
  switch (name.toLowerCase()) {
    case 'ipv4':
      return Network.NET_IPV4;
    case 'ipv6':
      return Network.NET_IPV6;
    case 'onion':
      return Network.NET_ONION;
    case 'i2p':
      return Network.NET_I2P;
    case 'cjdns':
      return Network.NET_CJDNS;
    default:
      return Network.NET_UNROUTABLE;
  }
}

/** Core: netbase.cpp GetNetworkName (as in getpeerinfo "network" and getnetworkinfo). */
export function getNetworkName(net: Network): string {
  switch (net) {
    case Network.NET_UNROUTABLE:
      return 'not_publicly_routable';
    case Network.NET_IPV4:
      return 'ipv4';
    case Network.NET_IPV6:
      return 'ipv6';
    case Network.NET_ONION:
      return 'onion';
    case Network.NET_I2P:
      return 'i2p';
    case Network.NET_CJDNS:
      return 'cjdns';
    case Network.NET_INTERNAL:
      return 'internal';
    default:
      throw new RangeError(`no name for network ${net}`);
  }
}

/** Core: netbase.cpp GetNetworkNames — the public network names, optionally with the unroutable one last. */
export function getNetworkNames(appendUnroutable = false): string[] {
  const names: string[] = [];
  for (let n = 0; n < Network.NET_MAX; n++) {
    if (n === Network.NET_UNROUTABLE || n === Network.NET_INTERNAL) continue;
    names.push(getNetworkName(n));
  }
  if (appendUnroutable) names.push(getNetworkName(Network.NET_UNROUTABLE));
  return names;
}

/**
 * Ports of well-known services that browsers also refuse. Core avoids automatic outbound
 * connections to them so that gossip cannot turn the network into a scanner or a flood against
 * those services. Core: netbase.cpp IsBadPort
 */
export const BAD_PORTS: readonly number[] = [
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3306, 3389, 3659, 4045, 5060,
  5061, 5432, 5900, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080, 27017,
];

const BAD_PORT_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(65536);
  for (const p of BAD_PORTS) t[p] = 1;
  return t;
})();

/** Core: netbase.cpp IsBadPort */
export function isBadPort(port: number): boolean {
  return port >= 0 && port <= 0xffff && BAD_PORT_TABLE[port] === 1;
}
