// How simulated nodes get their addresses. Ipv4AddressPlan: every address routable (Core rejects
// private, documentation and reserved ranges from gossip and outbound selection), spread over many
// /16 netgroups so that Core's one-outbound-per-netgroup rule has room to work, drawn from the
// world's own random stream; it is also the world-wide registry of IPv4 addresses in use.
// FamilyAddressPlan: addresses of the other families Core's CNetAddr knows (IPv6 from global
// unicast space spread over many /32s, Tor v3 onion, I2P b32, CJDNS fc00::/8), optionally drawn
// inside the ASNs of an AS model (as-model.ts), all unique across the world. It also maps a connman
// Service to the sim network's address and back.
// It does not decide which family a node has (world.ts does) nor hold the AS table (as-model.ts).

import { ADDR_CJDNS_SIZE, ADDR_I2P_SIZE, ADDR_TORV3_SIZE, CJDNS_PREFIX, NetAddr, Network as NetKind, parseService, Service } from '../../connman/protocol/netaddress.ts';
import type { Rng as SimRng, SimAddress } from '../../sim/index.ts';
import type { AsModel } from './as-model.ts';

/** First octets that hold no special-purpose block at all (Core's IsRoutable exclusions and multicast/reserved avoided). */
export const FIRST_OCTETS: readonly number[] = (() => {
  const skip = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);
  const out: number[] = [];
  for (let a = 1; a <= 223; a++) if (!skip.has(a)) out.push(a);
  return out;
})();

/** Number of distinct /16 netgroups the plan can hand out. */
export const SLASH16_CAPACITY = FIRST_OCTETS.length * 256;

/**
 * Hands out unique routable IPv4 addresses. Each call to `next()` opens a fresh /16 with
 * probability 1 - shareProbability (or always, for the first), else reuses a random /16 already
 * handed out, so a world can have several nodes per netgroup when it wants to.
 */
export class Ipv4AddressPlan {
  private readonly used = new Set<number>();
  private readonly slash16s: number[] = [];
  private readonly slash16Set = new Set<number>();

  constructor(
    private readonly rng: SimRng,
    private readonly shareProbability = 0,
  ) {}

  /**
   * A fresh address as a uint32 (a.b.c.d = a<<24|b<<16|c<<8|d). `rng` defaults to the plan's own
   * stream; other actors pass their own so that they never shift the honest nodes' draws.
   */
  nextValue(rng: SimRng = this.rng): number {
    let s16: number;
    if (this.slash16s.length > 0 && this.shareProbability > 0 && rng.random() < this.shareProbability) {
      s16 = rng.pick(this.slash16s);
    } else {
      s16 = this.freshSlash16(rng);
      this.slash16s.push(s16);
    }
    return this.valueIn(s16, rng);
  }

  /**
   * Reserves and returns a /16 (as a 16-bit value a<<8|b) that nothing in the world uses yet and
   * that `avoid` (e.g. the AS model's prefixes) does not reject.
   */
  freshSlash16(rng: SimRng = this.rng, avoid?: (s16: number) => boolean): number {
    if (this.slash16Set.size >= SLASH16_CAPACITY) throw new RangeError('address plan: every /16 is used');
    let s16: number;
    let tries = 0;
    do {
      if (++tries > 1_000_000) throw new RangeError('address plan: no fresh /16 left outside the reserved ones');
      s16 = rng.pick(FIRST_OCTETS) * 256 + rng.randrange(256);
    } while (this.slash16Set.has(s16) || (avoid !== undefined && avoid(s16)));
    this.slash16Set.add(s16);
    return s16;
  }

  /** A fresh address inside /16 `s16` (which the caller owns or reserved). */
  valueIn(s16: number, rng: SimRng = this.rng): number {
    for (let tries = 0; ; tries++) {
      if (tries > 1_000_000) throw new RangeError(`address plan: /16 ${s16 >>> 8}.${s16 & 255} is full`);
      // Host part: avoid .0 and .255 last octets (cosmetic; Core does not care).
      const low = rng.randrange(256) * 256 + 1 + rng.randrange(254);
      const v = (s16 * 65536 + low) >>> 0;
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
  }

  /** Marks an address drawn elsewhere (AS model, seed list) as used; false when it already was. */
  claimValue(v: number): boolean {
    const u = v >>> 0;
    if (this.used.has(u)) return false;
    this.used.add(u);
    this.slash16Set.add(u >>> 16);
    return true;
  }

  /** Whether an address is in use. */
  isUsedValue(v: number): boolean {
    return this.used.has(v >>> 0);
  }

  /** Whether any address of /16 `s16` is in use or the /16 was reserved. */
  isSlash16Used(s16: number): boolean {
    return this.slash16Set.has(s16);
  }

  /** A fresh address. */
  next(): NetAddr {
    return NetAddr.fromIPv4(this.nextValue());
  }

  /** Distinct /16s handed out so far. */
  get netgroupCount(): number {
    return this.slash16s.length;
  }
}

/** The address families a world can give its nodes (Core's reachable networks, minus internal). */
export type AddressFamily = 'ipv4' | 'ipv6' | 'onion' | 'i2p' | 'cjdns';
/** In a fixed order: the order shares are listed and drawn in. */
export const ADDRESS_FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'];
/** Shares of the families (any non-negative numbers; normalised by their sum). */
export type FamilyShares = Partial<Record<AddressFamily, number>>;

/** The family of an address, or null for internal / unroutable ones. An fc00::/8 IPv6 counts as cjdns only when stored as CJDNS. */
export function familyOf(a: NetAddr): AddressFamily | null {
  switch (a.net) {
    case NetKind.NET_IPV4:
      return 'ipv4';
    case NetKind.NET_IPV6:
      return 'ipv6';
    case NetKind.NET_ONION:
      return 'onion';
    case NetKind.NET_I2P:
      return 'i2p';
    case NetKind.NET_CJDNS:
      return 'cjdns';
    default:
      return null;
  }
}

/** Normalised shares in ADDRESS_FAMILIES order; throws on negative, non-finite or all-zero shares. */
export function normaliseFamilyShares(shares: FamilyShares): number[] {
  const out = ADDRESS_FAMILIES.map((f) => {
    const v = shares[f] ?? 0;
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`families: share of ${f} must be finite and >= 0, got ${v}`);
    return v;
  });
  const sum = out.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new RangeError('families: at least one share must be positive');
  return out.map((v) => v / sum);
}

/**
 * Splits `count` nodes into families by largest remainder (exact counts, not a random draw, so a
 * small world honours the shares as closely as integers allow). Ties go to the earlier family.
 */
export function familyCounts(count: number, shares: FamilyShares): number[] {
  const norm = normaliseFamilyShares(shares);
  const exact = norm.map((s) => s * count);
  const out = exact.map((e) => Math.floor(e));
  let left = count - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length]!.i]!++;
  return out;
}

/** IPv6 first 16-bit groups the plan uses: inside 2400::/6 (global unicast, clear of Teredo, 6to4, documentation and HE's tunnel /32). */
const IPV6_FIRST_GROUP_MIN = 0x2400;
const IPV6_FIRST_GROUP_SPAN = 0x0800;

/** A random IPv6 /32 inside the plan's global unicast range, as its first four bytes (a uint32). */
export function randomIpv6Slash32(rng: SimRng): number {
  return (((IPV6_FIRST_GROUP_MIN + rng.randrange(IPV6_FIRST_GROUP_SPAN)) * 65536) + rng.randrange(65536)) >>> 0;
}

function randomBytes(rng: SimRng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.randrange(256);
  return out;
}

/**
 * Unique addresses of every family for one world, sharing the IPv4 registry with the world's
 * Ipv4AddressPlan (so test peers and attackers never collide with honest nodes). Without an AS
 * model: IPv4 from the Ipv4AddressPlan (a fresh /16 per address), IPv6 in a fresh /32 per address.
 * With one: IPv4 and IPv6 addresses inside an ASN drawn by the model's node shares; a family the
 * model's asmap does not cover with any node share (Core's own test asmap maps no IPv6 at all) is
 * drawn as without a model, so those nodes are unmapped (AS 0) as they would be under that asmap. Onion and I2P
 * addresses are 32 random bytes (Tor v3 public key / I2P destination hash: Core stores any 32
 * bytes), CJDNS addresses fc00::/8 with 15 random bytes.
 */
export class FamilyAddressPlan {
  private readonly usedOther = new Set<string>();
  private readonly ipv6Slash32s = new Set<number>();

  constructor(
    readonly ipv4: Ipv4AddressPlan,
    private readonly rng: SimRng,
    readonly asModel?: AsModel,
  ) {}

  /** A fresh address of `family`, drawn from `rng` (default: the plan's stream). */
  next(family: AddressFamily, rng: SimRng = this.rng): NetAddr {
    switch (family) {
      case 'ipv4':
        if (this.asModel?.hasFamily('ipv4') === true) return this.asModel.drawAddress('ipv4', rng, (a) => !this.isUsed(a), (a) => this.claim(a));
        return NetAddr.fromIPv4(this.ipv4.nextValue(rng));
      case 'ipv6':
        if (this.asModel?.hasFamily('ipv6') === true) return this.asModel.drawAddress('ipv6', rng, (a) => !this.isUsed(a), (a) => this.claim(a));
        return this.freshIpv6(rng);
      case 'onion':
        return this.unique(() => new NetAddr(NetKind.NET_ONION, randomBytes(rng, ADDR_TORV3_SIZE)));
      case 'i2p':
        return this.unique(() => new NetAddr(NetKind.NET_I2P, randomBytes(rng, ADDR_I2P_SIZE)));
      case 'cjdns':
        return this.unique(() => {
          const b = randomBytes(rng, ADDR_CJDNS_SIZE);
          b[0] = CJDNS_PREFIX;
          return new NetAddr(NetKind.NET_CJDNS, b);
        });
    }
  }

  /** Marks an address as used (seed-list entries, allocations); false if it already was. */
  claim(a: NetAddr): boolean {
    if (a.isIPv4()) return this.ipv4.claimValue(ipv4Value(a));
    const k = a.addrKey;
    if (this.usedOther.has(k)) return false;
    this.usedOther.add(k);
    if (a.isIPv6()) this.ipv6Slash32s.add(ipv4LikePrefix(a));
    return true;
  }

  isUsed(a: NetAddr): boolean {
    if (a.isIPv4()) return this.ipv4.isUsedValue(ipv4Value(a));
    return this.usedOther.has(a.addrKey);
  }

  private freshIpv6(rng: SimRng): NetAddr {
    for (let tries = 0; tries < 1_000_000; tries++) {
      const p = randomIpv6Slash32(rng);
      if (this.ipv6Slash32s.has(p)) continue;
      const b = randomBytes(rng, 16);
      b[0] = p >>> 24;
      b[1] = (p >>> 16) & 255;
      b[2] = (p >>> 8) & 255;
      b[3] = p & 255;
      const a = new NetAddr(NetKind.NET_IPV6, b);
      if (this.claim(a)) return a;
    }
    throw new RangeError('address plan: no fresh IPv6 /32 found');
  }

  private unique(make: () => NetAddr): NetAddr {
    for (let tries = 0; tries < 1000; tries++) {
      const a = make();
      if (this.claim(a)) return a;
    }
    throw new RangeError('address plan: could not draw a unique address');
  }
}

/** An IPv4 NetAddr as a uint32. */
export function ipv4Value(a: NetAddr): number {
  const b = a.addr;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** The first four bytes of an address as a uint32 (an IPv6 address's /32). */
function ipv4LikePrefix(a: NetAddr): number {
  const b = a.addr;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** The sim network's view of a connman address (the port travels separately in the sim). */
export function simAddressOf(a: NetAddr): SimAddress {
  switch (a.net) {
    case NetKind.NET_IPV4:
      return { kind: 'ipv4', text: a.toStringAddr() };
    case NetKind.NET_IPV6:
      // fc00::/8 is routed into the CJDNS interface by a host that runs CJDNS (and nowhere else).
      return { kind: a.hasCJDNSPrefix() ? 'cjdns' : 'ipv6', text: a.toStringAddr() };
    case NetKind.NET_ONION:
      return { kind: 'tor', text: a.toStringAddr() };
    case NetKind.NET_I2P:
      return { kind: 'i2p', text: a.toStringAddr() };
    case NetKind.NET_CJDNS:
      return { kind: 'cjdns', text: a.toStringAddr() };
    default:
      return { kind: 'ipv6', text: `unroutable:${a.toStringAddr()}` };
  }
}

/**
 * Host text (bracketed for IPv6 forms) → its parsed address, with the port of its first parse. A
 * memo of a pure parse, shared by the worlds of one process (a sweep worker runs many): bounded,
 * it is emptied when full.
 */
const parsedHosts = new Map<string, Service>();
const PARSED_HOSTS_MAX = 1 << 18;

/** Parses a sim address back into a connman Service with `port` (each host is parsed once). */
export function serviceOfSim(a: SimAddress, port: number): Service {
  const host = a.kind === 'ipv6' || a.kind === 'cjdns' ? `[${a.text}]` : a.text;
  let parsed = parsedHosts.get(host);
  if (parsed === undefined) {
    const r = parseService(`${host}:${port}`, port);
    if (!r.ok) throw new RangeError(`cannot parse sim address ${a.kind} ${a.text}`);
    parsed = r.value;
    if (parsedHosts.size >= PARSED_HOSTS_MAX) parsedHosts.clear();
    parsedHosts.set(host, parsed);
  }
  return Service.of(parsed, port);
}
