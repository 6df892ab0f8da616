// Core's NetGroupManager (netgroup.h/.cpp): the network group of an address, which AddrMan uses
// for bucketing and CConnman for outbound diversity, either by prefix (/16 for IPv4, /32 for IPv6,
// a few bits for Tor/I2P/CJDNS) or, when an asmap is loaded, by the AS number the address maps to.
// It also answers GetMappedAS, the asmap version recorded in peers.dat, and the health check.
//
// It does not parse or classify addresses (netaddress.ts does), does not read asmap files (the
// caller hands in validated bytes, see asmap.ts decodeAsmap) and does not cache groups per address
// (address-pool.ts does that for AddrMan); asmap lookups are cached in the shared AsmapLookup.

import { AsmapLookup, asmapVersion } from './asmap.ts';
import { ADDR_INTERNAL_SIZE, INTERNAL_IN_IPV6_PREFIX, Network, type NetAddr } from '../protocol/netaddress.ts';

/** The group-cache identity of every manager without an asmap (they all group by prefix alike). */
const PREFIX_GROUPING: object = Object.freeze({ grouping: 'prefix' });

/** What ASMapHealthCheck reports (Core logs these numbers). */
export interface AsmapHealth {
  /** Number of clearnet addresses examined. */
  clearnetAddrs: number;
  /** Distinct ASNs they map to. */
  mappedAsns: number;
  /** Addresses that map to no AS (ASN 0). */
  unmapped: number;
}

/**
 * Assigns network groups. Construct with no asmap (prefix grouping), with asmap bytes (validated
 * and compiled here; AsmapError if they fail Core's check), or with an AsmapLookup shared by every
 * node of a run so that one compiled map and one cache serve them all.
 */
// Core: netgroup.h NetGroupManager
export class NetGroupManager {
  /** The asmap in use, empty when none (Core: m_asmap). */
  private readonly asmap: Uint8Array;
  private readonly lookup: AsmapLookup | null;
  private versionCache: Uint8Array | undefined;

  constructor(asmap?: Uint8Array | AsmapLookup | null) {
    if (asmap instanceof AsmapLookup) {
      this.lookup = asmap;
      this.asmap = asmap.asmap;
    } else if (asmap && asmap.length > 0) {
      this.lookup = new AsmapLookup(asmap);
      this.asmap = asmap;
    } else {
      this.lookup = null;
      this.asmap = new Uint8Array(0);
    }
  }

  /** Prefix grouping only. */
  // Core: netgroup.h NetGroupManager::NoAsmap
  static noAsmap(): NetGroupManager {
    return new NetGroupManager();
  }

  /** With asmap data that was loaded from a file or embedded (both are validated here). */
  // Core: netgroup.h NetGroupManager::WithLoadedAsmap / WithEmbeddedAsmap
  static withAsmap(asmap: Uint8Array | AsmapLookup): NetGroupManager {
    return new NetGroupManager(asmap);
  }

  /** The asmap version (SHA256d of the map, all zeros without one), as peers.dat records it. */
  // Core: netgroup.cpp NetGroupManager::GetAsmapVersion
  getAsmapVersion(): Uint8Array {
    if (this.versionCache === undefined) this.versionCache = asmapVersion(this.asmap);
    return this.versionCache.slice();
  }

  /**
   * The group of an address. Groups are chosen so that an attacker finds it costly to hold
   * addresses in many groups even when addresses within one group are cheap: one AS (with an
   * asmap) or one /16 is roughly one operator. Outbound connections go to distinct groups.
   */
  // Core: netgroup.cpp NetGroupManager::GetGroup
  getGroup(address: NetAddr): Uint8Array {
    // With an asmap, IPv4 and IPv6 addresses of one AS share a group tagged NET_IPV6.
    const asn = this.getMappedAS(address);
    if (asn !== 0) {
      return Uint8Array.of(Network.NET_IPV6, asn & 0xff, (asn >>> 8) & 0xff, (asn >>> 16) & 0xff, asn >>> 24);
    }

    const netClass = address.getNetClass();
    let startByte = 0;
    let bits = 0;
    if (address.isLocal()) {
      // Every local address is in one group.
    } else if (address.isInternal()) {
      // Each internal pseudo-address (DNS seed, fixed seeds) is its own group: skip the internal
      // prefix of the 16-byte form and take the 10 name-hash bytes.
      startByte = INTERNAL_IN_IPV6_PREFIX.length;
      bits = ADDR_INTERNAL_SIZE * 8;
    } else if (!address.isRoutable()) {
      // Every other unroutable address is in one group.
    } else if (address.hasLinkedIPv4()) {
      // IPv4, and IPv6 forms that embed an IPv4 address, group by the IPv4 /16.
      const ipv4 = address.getLinkedIPv4();
      return Uint8Array.of(netClass, (ipv4 >>> 24) & 0xff, (ipv4 >>> 16) & 0xff);
    } else if (address.isTor() || address.isI2P()) {
      bits = 4;
    } else if (address.isCJDNS()) {
      // CJDNS addresses are key-derived like Tor and I2P, but their first byte is the constant
      // 0xfc, so 12 bits yield the same 4 random bits.
      bits = 12;
    } else if (address.isHeNet()) {
      // Hurricane Electric hands out IPv6 space generously: group by /36.
      bits = 36;
    } else {
      bits = 32;
    }

    const addrBytes = address.getAddrBytes();
    const numBytes = bits >>> 3;
    const partial = bits % 8;
    const out = new Uint8Array(1 + numBytes + (partial > 0 ? 1 : 0));
    out[0] = netClass;
    out.set(addrBytes.subarray(startByte, startByte + numBytes), 1);
    if (partial > 0) {
      // Keep the top `partial` bits of the next byte and set the rest to one.
      out[1 + numBytes] = addrBytes[startByte + numBytes]! | ((1 << (8 - partial)) - 1);
    }
    return out;
  }

  /**
   * The AS an IPv4/IPv6 address maps to under the asmap, or 0 (reserved, RFC 7607) without an
   * asmap, for other networks, or when unmapped. Addresses with an embedded IPv4 are looked up as
   * that IPv4 address (::ffff:a.b.c.d).
   */
  // Core: netgroup.cpp NetGroupManager::GetMappedAS
  getMappedAS(address: NetAddr): number {
    if (this.lookup === null) return 0;
    const netClass = address.getNetClass();
    if (netClass !== Network.NET_IPV4 && netClass !== Network.NET_IPV6) return 0;
    if (address.hasLinkedIPv4()) return this.lookup.lookupIPv4(address.getLinkedIPv4());
    if (!address.isIPv6()) throw new Error(`getMappedAS: ${address.toStringAddr()} has IPv6 class but is not IPv6`);
    return this.lookup.lookup(address.getAddrBytes());
  }

  /** Counts how many of the given clearnet addresses map to how many ASNs (Core logs this). */
  // Core: netgroup.cpp NetGroupManager::ASMapHealthCheck
  asmapHealthCheck(clearnetAddrs: readonly NetAddr[]): AsmapHealth {
    const asns = new Set<number>();
    let unmapped = 0;
    for (const addr of clearnetAddrs) {
      const asn = this.getMappedAS(addr);
      if (asn === 0) unmapped++;
      else asns.add(asn);
    }
    return { clearnetAddrs: clearnetAddrs.length, mappedAsns: asns.size, unmapped };
  }

  /**
   * An object that is the same for every manager that assigns the same groups: the shared
   * AsmapLookup, or one process-wide token for prefix grouping. AddressPool caches groups under it,
   * so thousands of nodes share one cache instead of one each. Not part of Core.
   */
  groupCacheKey(): object {
    return this.lookup ?? PREFIX_GROUPING;
  }

  /** Whether an asmap is in use for clearnet bucketing. */
  // Core: netgroup.cpp NetGroupManager::UsingASMap
  usingASMap(): boolean {
    return this.asmap.length > 0;
  }
}

