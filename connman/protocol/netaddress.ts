// Network addresses as Bitcoin Core models them: the Network enum, NetAddr (CNetAddr) and Service
// (CService = NetAddr + port), numeric parsing (Core's LookupHost/Lookup with name lookups off),
// Core's text forms, the classification predicates, and the v1 (16-byte) and BIP155 (addrv2)
// serializations. It also holds Core's base32 (Tor/I2P/internal names) and SplitHostPort.
// It does not hold subnets (subnet.ts), bad ports or reachability (netbase.ts), service flags and
// CAddress (protocol.ts), or netgroups (netgroup.ts). No DNS: only numeric hosts are parsed.
import { sha256, sha3_256, CSipHasher } from '../util/hash.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';

/** Core: netaddress.h enum Network. Values are Core's (they appear in hashes and netgroups). */
export enum Network {
  NET_UNROUTABLE = 0,
  NET_IPV4 = 1,
  NET_IPV6 = 2,
  NET_ONION = 3,
  NET_I2P = 4,
  NET_CJDNS = 5,
  NET_INTERNAL = 6,
  NET_MAX = 7,
}
export const NET_UNROUTABLE = Network.NET_UNROUTABLE;
export const NET_IPV4 = Network.NET_IPV4;
export const NET_IPV6 = Network.NET_IPV6;
export const NET_ONION = Network.NET_ONION;
export const NET_I2P = Network.NET_I2P;
export const NET_CJDNS = Network.NET_CJDNS;
export const NET_INTERNAL = Network.NET_INTERNAL;
export const NET_MAX = Network.NET_MAX;

/** Core: netaddress.h CNetAddr::BIP155Network — network ids on the addrv2 wire. */
export enum BIP155Network {
  IPV4 = 1,
  IPV6 = 2,
  TORV2 = 3,
  TORV3 = 4,
  I2P = 5,
  CJDNS = 6,
}

export const IPV4_IN_IPV6_PREFIX: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
export const TORV2_IN_IPV6_PREFIX: readonly number[] = [0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43];
/** 0xFD followed by the first five bytes of sha256("bitcoin"): where internal names hide in IPv6. */
export const INTERNAL_IN_IPV6_PREFIX: readonly number[] = [0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24];
export const CJDNS_PREFIX = 0xfc;
export const ADDR_IPV4_SIZE = 4;
export const ADDR_IPV6_SIZE = 16;
export const ADDR_TORV3_SIZE = 32;
export const ADDR_I2P_SIZE = 32;
export const ADDR_CJDNS_SIZE = 16;
export const ADDR_INTERNAL_SIZE = 10;
export const I2P_SAM31_PORT = 0;
/** Core: CNetAddr::V1_SERIALIZATION_SIZE */
export const V1_SERIALIZATION_SIZE = 16;
/** Core: CNetAddr::MAX_ADDRV2_SIZE — the longest address BIP155 allows (bytes). */
export const MAX_ADDRV2_SIZE = 512;

/** Why an address string or record was rejected. */
export type AddressErrorKind = 'parse' | 'internal-rejected' | 'bad-size' | 'nul';

/** A typed address failure: parse functions return it in a Result, constructors throw it. */
export class AddressError extends Error {
  readonly kind: AddressErrorKind;
  constructor(kind: AddressErrorKind, message: string) {
    super(message);
    this.name = 'AddressError';
    this.kind = kind;
  }
}

/** Outcome of a parse: a value or a typed error, never an exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AddressError };

function fail<T>(kind: AddressErrorKind, message: string): Result<T> {
  return { ok: false, error: new AddressError(kind, message) };
}

/** Address prefixes of the RFC classifiers below (module constants: a literal would be rebuilt per call). */
const RFC5737_A: readonly number[] = [192, 0, 2];
const RFC5737_B: readonly number[] = [198, 51, 100];
const RFC5737_C: readonly number[] = [203, 0, 113];
const RFC3849_PREFIX: readonly number[] = [0x20, 0x01, 0x0d, 0xb8];
const RFC3964_PREFIX: readonly number[] = [0x20, 0x02];
const RFC6052_PREFIX: readonly number[] = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
const RFC4380_PREFIX: readonly number[] = [0x20, 0x01, 0, 0];
const RFC4862_PREFIX: readonly number[] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0];
const RFC6145_PREFIX: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0];
const ORCHID_PREFIX: readonly number[] = [0x20, 0x01, 0x00];
const HENET_PREFIX: readonly number[] = [0x20, 0x01, 0x04, 0x70];

function hasPrefix(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function expectedSize(net: Network): number {
  switch (net) {
    case Network.NET_IPV4:
      return ADDR_IPV4_SIZE;
    case Network.NET_IPV6:
      return ADDR_IPV6_SIZE;
    case Network.NET_ONION:
      return ADDR_TORV3_SIZE;
    case Network.NET_I2P:
      return ADDR_I2P_SIZE;
    case Network.NET_CJDNS:
      return ADDR_CJDNS_SIZE;
    case Network.NET_INTERNAL:
      return ADDR_INTERNAL_SIZE;
    default:
      return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Base32 as Core's util/strencodings (RFC 4648 alphabet, lower case out, either case in).

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Core: util/strencodings.cpp EncodeBase32 */
export function encodeBase32(input: Uint8Array, pad = true): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < input.length; i++) {
    acc = ((acc << 8) | input[i]!) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(acc << (5 - bits)) & 31];
  if (pad) while (out.length % 8 !== 0) out += '=';
  return out;
}

function base32Value(c: number): number {
  if (c >= 97 && c <= 122) return c - 97; // a-z
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 50 && c <= 55) return c - 50 + 26; // 2-7
  return -1;
}

/**
 * Core: util/strencodings.cpp DecodeBase32. The input length must be a multiple of 8 (padding
 * included); 1, 3, 4 or 6 '=' may end it; leftover bits must be zero. Returns null when invalid.
 */
export function decodeBase32(str: string): Uint8Array | null {
  if (str.length % 8 !== 0) return null;
  let s = str;
  if (s.length >= 1 && s.endsWith('=')) s = s.slice(0, -1);
  if (s.length >= 2 && s.endsWith('==')) s = s.slice(0, -2);
  if (s.length >= 1 && s.endsWith('=')) s = s.slice(0, -1);
  if (s.length >= 2 && s.endsWith('==')) s = s.slice(0, -2);
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const v = base32Value(s.charCodeAt(i));
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) !== 0) return null;
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Tor v3.

const TORV3_CHECKSUM_LEN = 2;
const TORV3_VERSION = 3;
const TORV3_TOTAL_LEN = ADDR_TORV3_SIZE + TORV3_CHECKSUM_LEN + 1;
const ONION_CHECKSUM_PREFIX = new TextEncoder().encode('.onion checksum');

/** Core: netaddress.cpp torv3::Checksum — SHA3-256(".onion checksum" | pubkey | version)[0:2]. */
function torv3Checksum(pubkey: Uint8Array): Uint8Array {
  const buf = new Uint8Array(ONION_CHECKSUM_PREFIX.length + pubkey.length + 1);
  buf.set(ONION_CHECKSUM_PREFIX, 0);
  buf.set(pubkey, ONION_CHECKSUM_PREFIX.length);
  buf[buf.length - 1] = TORV3_VERSION;
  return sha3_256(buf).subarray(0, TORV3_CHECKSUM_LEN);
}

/** Core: netaddress.cpp OnionToString */
export function onionToString(pubkey: Uint8Array): string {
  const full = new Uint8Array(TORV3_TOTAL_LEN);
  full.set(pubkey, 0);
  full.set(torv3Checksum(pubkey), ADDR_TORV3_SIZE);
  full[TORV3_TOTAL_LEN - 1] = TORV3_VERSION;
  return encodeBase32(full) + '.onion';
}

// ---------------------------------------------------------------------------------------------
// Text forms.

/** Core: netaddress.cpp IPv4ToString */
function ipv4ToString(a: Uint8Array): string {
  return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
}

/** Core: netaddress.cpp IPv6ToString — RFC 5952 zero compression (longest run of >= 2, first on ties). */
function ipv6ToString(a: Uint8Array, scopeId: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((a[2 * i]! << 8) | a[2 * i + 1]!);
  let longestStart = 0;
  let longestLen = 0;
  let curStart = 0;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (groups[i] !== 0) {
      curStart = i + 1;
      curLen = 0;
      continue;
    }
    curLen += 1;
    if (curLen > longestLen) {
      longestStart = curStart;
      longestLen = curLen;
    }
  }
  let r = '';
  for (let i = 0; i < 8; i++) {
    if (longestLen >= 2 && i >= longestStart && i < longestStart + longestLen) {
      if (i === longestStart) r += '::';
      continue;
    }
    r += (r.length > 0 && !r.endsWith(':') ? ':' : '') + groups[i]!.toString(16);
  }
  if (scopeId !== 0) r += `%${scopeId >>> 0}`;
  return r;
}

// ---------------------------------------------------------------------------------------------
// NetAddr.

const ZERO16 = new Uint8Array(16);

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function bytesKey(net: number, a: Uint8Array): string {
  // One UTF-16 code unit per byte: compact, cheap to hash in a Map, and unique per (net, bytes).
  return String.fromCharCode(net, ...a);
}

/**
 * Core's CNetAddr: a network and its raw address bytes (network byte order for IPv4/IPv6), plus
 * the scope id of a scoped IPv6 address. Immutable: never mutate `addr`.
 * `net` is the stored network (never NET_UNROUTABLE); `getNetwork()` is Core's GetNetwork().
 */
export class NetAddr {
  /** The stored network (Core: m_net). */
  readonly net: Network;
  /** The raw address bytes (Core: m_addr); 4, 16, 32, 32, 16 or 10 bytes by network. */
  readonly addr: Uint8Array;
  /** IPv6 scope id (Core: m_scope_id); ignored by equality, printed as "%id". */
  readonly scopeId: number;
  protected addrKeyCache: string | undefined;

  /** Construct from a network and exactly its number of bytes (Core: CNetAddr::SetIP size checks). */
  constructor(net: Network, addr: Uint8Array, scopeId = 0) {
    const size = expectedSize(net);
    if (size < 0) throw new AddressError('bad-size', `network ${net} cannot be stored in an address`);
    if (addr.length !== size) throw new AddressError('bad-size', `network ${net} needs ${size} address bytes, got ${addr.length}`);
    this.net = net;
    this.addr = addr;
    this.scopeId = scopeId >>> 0;
  }

  /** Core's default CNetAddr: the IPv6 unspecified address `::` (not valid). */
  static unspecified(): NetAddr {
    return new NetAddr(Network.NET_IPV6, new Uint8Array(16));
  }

  /** An IPv4 address from its uint32 value (a.b.c.d = a<<24|b<<16|c<<8|d). Core: CNetAddr(in_addr) */
  static fromIPv4(v: number): NetAddr {
    const u = v >>> 0;
    return new NetAddr(Network.NET_IPV4, Uint8Array.of(u >>> 24, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff));
  }

  /**
   * From 16 legacy-IPv6 bytes, recognising IPv4-mapped (::ffff:a.b.c.d → IPv4), internal-in-IPv6
   * (→ internal) and Tor v2-in-IPv6 (→ `::`, unsupported). Core: netaddress.cpp CNetAddr::SetLegacyIPv6
   */
  static fromLegacyIPv6(ipv6: Uint8Array, scopeId = 0): NetAddr {
    if (ipv6.length !== ADDR_IPV6_SIZE) throw new AddressError('bad-size', `legacy IPv6 needs 16 bytes, got ${ipv6.length}`);
    if (hasPrefix(ipv6, IPV4_IN_IPV6_PREFIX)) return new NetAddr(Network.NET_IPV4, ipv6.slice(12), scopeId);
    if (hasPrefix(ipv6, TORV2_IN_IPV6_PREFIX)) return NetAddr.unspecified();
    if (hasPrefix(ipv6, INTERNAL_IN_IPV6_PREFIX)) return new NetAddr(Network.NET_INTERNAL, ipv6.slice(6), scopeId);
    return new NetAddr(Network.NET_IPV6, ipv6.slice(), scopeId);
  }

  /** A name as an internal address: the first 10 bytes of SHA-256(name). Core: CNetAddr::SetInternal */
  static internal(name: string): NetAddr {
    if (name.length === 0) throw new AddressError('parse', 'SetInternal: empty name');
    return new NetAddr(Network.NET_INTERNAL, sha256(new TextEncoder().encode(name)).slice(0, ADDR_INTERNAL_SIZE));
  }

  /** A Service with this address and `port`. */
  withPort(port: number): Service {
    return new Service(this.net, this.addr, port, this.scopeId);
  }

  /** The address part only (drops the port when called on a Service). */
  toNetAddr(): NetAddr {
    return this.constructor === NetAddr ? this : new NetAddr(this.net, this.addr, this.scopeId);
  }

  isIPv4(): boolean {
    return this.net === Network.NET_IPV4;
  }
  isIPv6(): boolean {
    return this.net === Network.NET_IPV6;
  }
  isTor(): boolean {
    return this.net === Network.NET_ONION;
  }
  isI2P(): boolean {
    return this.net === Network.NET_I2P;
  }
  isCJDNS(): boolean {
    return this.net === Network.NET_CJDNS;
  }
  /** Core: CNetAddr::IsInternal */
  isInternal(): boolean {
    return this.net === Network.NET_INTERNAL;
  }
  hasCJDNSPrefix(): boolean {
    return this.addr[0] === CJDNS_PREFIX;
  }
  /** Core: CNetAddr::IsPrivacyNet */
  isPrivacyNet(): boolean {
    return this.isTor() || this.isI2P();
  }
  /** Core: CNetAddr::IsRelayable */
  isRelayable(): boolean {
    return this.isIPv4() || this.isIPv6() || this.isTor() || this.isI2P() || this.isCJDNS();
  }

  /** Core: netaddress.cpp CNetAddr::IsBindAny */
  isBindAny(): boolean {
    if (!this.isIPv4() && !this.isIPv6()) return false;
    for (let i = 0; i < this.addr.length; i++) if (this.addr[i] !== 0) return false;
    return true;
  }

  /** 10/8, 192.168/16, 172.16/12. Core: CNetAddr::IsRFC1918 */
  isRFC1918(): boolean {
    const a = this.addr;
    return this.isIPv4() && (a[0] === 10 || (a[0] === 192 && a[1] === 168) || (a[0] === 172 && a[1]! >= 16 && a[1]! <= 31));
  }
  /** 198.18/15. Core: CNetAddr::IsRFC2544 */
  isRFC2544(): boolean {
    return this.isIPv4() && this.addr[0] === 198 && (this.addr[1] === 18 || this.addr[1] === 19);
  }
  /** 169.254/16. Core: CNetAddr::IsRFC3927 */
  isRFC3927(): boolean {
    return this.isIPv4() && this.addr[0] === 169 && this.addr[1] === 254;
  }
  /** 100.64/10. Core: CNetAddr::IsRFC6598 */
  isRFC6598(): boolean {
    return this.isIPv4() && this.addr[0] === 100 && this.addr[1]! >= 64 && this.addr[1]! <= 127;
  }
  /** 192.0.2/24, 198.51.100/24, 203.0.113/24. Core: CNetAddr::IsRFC5737 */
  isRFC5737(): boolean {
    return (
      this.isIPv4() &&
      (hasPrefix(this.addr, RFC5737_A) || hasPrefix(this.addr, RFC5737_B) || hasPrefix(this.addr, RFC5737_C))
    );
  }
  /** 2001:db8::/32. Core: CNetAddr::IsRFC3849 */
  isRFC3849(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC3849_PREFIX);
  }
  /** 6to4, 2002::/16. Core: CNetAddr::IsRFC3964 */
  isRFC3964(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC3964_PREFIX);
  }
  /** NAT64 well-known prefix 64:ff9b::/96. Core: CNetAddr::IsRFC6052 */
  isRFC6052(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC6052_PREFIX);
  }
  /** Teredo, 2001::/32. Core: CNetAddr::IsRFC4380 */
  isRFC4380(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC4380_PREFIX);
  }
  /** Link-local autoconfig fe80::/64. Core: CNetAddr::IsRFC4862 */
  isRFC4862(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC4862_PREFIX);
  }
  /** Unique local fc00::/7 (IPv6 only, so not CJDNS). Core: CNetAddr::IsRFC4193 */
  isRFC4193(): boolean {
    return this.isIPv6() && (this.addr[0]! & 0xfe) === 0xfc;
  }
  /** IPv4-translated ::ffff:0:0:0/96. Core: CNetAddr::IsRFC6145 */
  isRFC6145(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, RFC6145_PREFIX);
  }
  /** ORCHID 2001:10::/28. Core: CNetAddr::IsRFC4843 */
  isRFC4843(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, ORCHID_PREFIX) && (this.addr[3]! & 0xf0) === 0x10;
  }
  /** ORCHIDv2 2001:20::/28. Core: CNetAddr::IsRFC7343 */
  isRFC7343(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, ORCHID_PREFIX) && (this.addr[3]! & 0xf0) === 0x20;
  }
  /** Hurricane Electric 2001:470::/32 (Core's comment says /36; the check is on 4 bytes). Core: CNetAddr::IsHeNet */
  isHeNet(): boolean {
    return this.isIPv6() && hasPrefix(this.addr, HENET_PREFIX);
  }

  /** Loopback: IPv4 127/8 or 0/8, IPv6 ::1. Core: netaddress.cpp CNetAddr::IsLocal */
  isLocal(): boolean {
    if (this.isIPv4() && (this.addr[0] === 127 || this.addr[0] === 0)) return true;
    if (this.isIPv6()) {
      for (let i = 0; i < 15; i++) if (this.addr[i] !== 0) return false;
      return this.addr[15] === 1;
    }
    return false;
  }

  /** Could this refer to a real host? Core: netaddress.cpp CNetAddr::IsValid */
  isValid(): boolean {
    if (this.isIPv6() && bytesCompare(this.addr, ZERO16) === 0) return false;
    if (this.isCJDNS() && !this.hasCJDNSPrefix()) return false;
    if (this.isRFC3849()) return false;
    if (this.isInternal()) return false;
    if (this.isIPv4()) {
      const a = this.addr;
      const allZero = a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0;
      const allOnes = a[0] === 255 && a[1] === 255 && a[2] === 255 && a[3] === 255;
      if (allZero || allOnes) return false;
    }
    return true;
  }

  /** Publicly routable on the internet. Core: netaddress.cpp CNetAddr::IsRoutable */
  isRoutable(): boolean {
    return (
      this.isValid() &&
      !(
        this.isRFC1918() ||
        this.isRFC2544() ||
        this.isRFC3927() ||
        this.isRFC4862() ||
        this.isRFC6598() ||
        this.isRFC5737() ||
        this.isRFC4193() ||
        this.isRFC4843() ||
        this.isRFC7343() ||
        this.isLocal() ||
        this.isInternal()
      )
    );
  }

  /** Whether the pre-BIP155 16-byte form can carry it. Core: CNetAddr::IsAddrV1Compatible */
  isAddrV1Compatible(): boolean {
    return this.net === Network.NET_IPV4 || this.net === Network.NET_IPV6 || this.net === Network.NET_INTERNAL;
  }

  /** INTERNAL, else UNROUTABLE when not routable, else the stored network. Core: CNetAddr::GetNetwork */
  getNetwork(): Network {
    if (this.isInternal()) return Network.NET_INTERNAL;
    if (!this.isRoutable()) return Network.NET_UNROUTABLE;
    return this.net;
  }

  /** Like getNetwork, but IPv6 addresses with an embedded IPv4 count as IPv4. Core: CNetAddr::GetNetClass */
  getNetClass(): Network {
    if (this.isInternal()) return Network.NET_INTERNAL;
    if (!this.isRoutable()) return Network.NET_UNROUTABLE;
    if (this.hasLinkedIPv4()) return Network.NET_IPV4;
    return this.net;
  }

  /** Routable and IPv4 or an IPv6 form that embeds one. Core: CNetAddr::HasLinkedIPv4 */
  hasLinkedIPv4(): boolean {
    return this.isRoutable() && (this.isIPv4() || this.isRFC6145() || this.isRFC6052() || this.isRFC3964() || this.isRFC4380());
  }

  /**
   * The embedded IPv4 address as a uint32 (big-endian value). Core: CNetAddr::GetLinkedIPv4
   * Throws when there is none (Core asserts); check hasLinkedIPv4() or the forms first.
   */
  getLinkedIPv4(): number {
    const a = this.addr;
    if (this.isIPv4()) return be32At(a, 0);
    if (this.isRFC6052() || this.isRFC6145()) return be32At(a, 12);
    if (this.isRFC3964()) return be32At(a, 2);
    if (this.isRFC4380()) return ~be32At(a, 12) >>> 0; // Teredo stores the client IPv4 bit-inverted
    throw new AddressError('parse', `getLinkedIPv4 on ${this.toStringAddr()} which embeds no IPv4`);
  }

  /** The 16-byte pre-BIP155 form. Core: CNetAddr::SerializeV1Array (Tor, I2P and CJDNS become all zeros). */
  serializeV1(): Uint8Array {
    const out = new Uint8Array(V1_SERIALIZATION_SIZE);
    switch (this.net) {
      case Network.NET_IPV6:
        out.set(this.addr);
        break;
      case Network.NET_IPV4:
        out.set(IPV4_IN_IPV6_PREFIX);
        out.set(this.addr, 12);
        break;
      case Network.NET_INTERNAL:
        out.set(INTERNAL_IN_IPV6_PREFIX);
        out.set(this.addr, 6);
        break;
      default:
        break; // ONION, I2P, CJDNS: all zeros
    }
    return out;
  }

  /** v1 form for v1-compatible networks, raw bytes otherwise. Core: CNetAddr::GetAddrBytes */
  getAddrBytes(): Uint8Array {
    return this.isAddrV1Compatible() ? this.serializeV1() : this.addr.slice();
  }

  /** Core: CNetAddr::GetBIP155Network (not for internal addresses). */
  getBIP155Network(): BIP155Network {
    switch (this.net) {
      case Network.NET_IPV4:
        return BIP155Network.IPV4;
      case Network.NET_IPV6:
        return BIP155Network.IPV6;
      case Network.NET_ONION:
        return BIP155Network.TORV3;
      case Network.NET_I2P:
        return BIP155Network.I2P;
      case Network.NET_CJDNS:
        return BIP155Network.CJDNS;
      default:
        throw new AddressError('bad-size', 'internal addresses have no BIP155 network id');
    }
  }

  /** Core's text form without port. Core: netaddress.cpp CNetAddr::ToStringAddr */
  toStringAddr(): string {
    switch (this.net) {
      case Network.NET_IPV4:
        return ipv4ToString(this.addr);
      case Network.NET_IPV6:
        return ipv6ToString(this.addr, this.scopeId);
      case Network.NET_ONION:
        return onionToString(this.addr);
      case Network.NET_I2P:
        return encodeBase32(this.addr, false) + '.b32.i2p';
      case Network.NET_CJDNS:
        return ipv6ToString(this.addr, 0);
      case Network.NET_INTERNAL:
        return encodeBase32(this.addr) + '.internal';
      default:
        throw new AddressError('parse', `no text form for network ${this.net}`);
    }
  }

  toString(): string {
    return this.toStringAddr();
  }

  /** Address equality, ignoring port and scope id. Core: operator==(CNetAddr, CNetAddr) */
  equalsAddr(other: NetAddr): boolean {
    return this.net === other.net && bytesCompare(this.addr, other.addr) === 0;
  }

  /** Core: operator<(CNetAddr, CNetAddr) as a comparator: network, then bytes. */
  static compareAddr(a: NetAddr, b: NetAddr): number {
    if (a.net !== b.net) return a.net - b.net;
    return bytesCompare(a.addr, b.addr);
  }

  /** A string key unique per (network, bytes), for Maps and Sets keyed by address (port ignored). */
  get addrKey(): string {
    let k = this.addrKeyCache;
    if (k === undefined) {
      k = bytesKey(this.net, this.addr);
      this.addrKeyCache = k;
    }
    return k;
  }

  /** Core: netaddress.cpp CNetAddr::GetReachabilityFrom (scores REACH_UNREACHABLE 0 … REACH_PRIVATE 6). */
  getReachabilityFrom(partner: NetAddr): number {
    const REACH_UNREACHABLE = 0, REACH_DEFAULT = 1, REACH_TEREDO = 2, REACH_IPV6_WEAK = 3;
    const REACH_IPV4 = 4, REACH_IPV6_STRONG = 5, REACH_PRIVATE = 6;
    if (!this.isRoutable() || this.isInternal()) return REACH_UNREACHABLE;
    const NET_TEREDO = Network.NET_MAX; // Core's private extension of the enum
    const ext = (a: NetAddr): number => (a.isRFC4380() ? NET_TEREDO : a.getNetwork());
    const ourNet = ext(this);
    const theirNet = ext(partner);
    const tunnel = this.isRFC3964() || this.isRFC6052() || this.isRFC6145();
    switch (theirNet) {
      case Network.NET_IPV4:
        return ourNet === Network.NET_IPV4 ? REACH_IPV4 : REACH_DEFAULT;
      case Network.NET_IPV6:
        if (ourNet === NET_TEREDO) return REACH_TEREDO;
        if (ourNet === Network.NET_IPV4) return REACH_IPV4;
        if (ourNet === Network.NET_IPV6) return tunnel ? REACH_IPV6_WEAK : REACH_IPV6_STRONG;
        return REACH_DEFAULT;
      case Network.NET_ONION:
        if (ourNet === Network.NET_IPV4) return REACH_IPV4;
        if (ourNet === Network.NET_ONION) return REACH_PRIVATE;
        return REACH_DEFAULT;
      case Network.NET_I2P:
        return ourNet === Network.NET_I2P ? REACH_PRIVATE : REACH_DEFAULT;
      case Network.NET_CJDNS:
        return ourNet === Network.NET_CJDNS ? REACH_PRIVATE : REACH_DEFAULT;
      case NET_TEREDO:
        if (ourNet === NET_TEREDO) return REACH_TEREDO;
        if (ourNet === Network.NET_IPV6) return REACH_IPV6_WEAK;
        if (ourNet === Network.NET_IPV4) return REACH_IPV4;
        return REACH_DEFAULT;
      default:
        if (ourNet === NET_TEREDO) return REACH_TEREDO;
        if (ourNet === Network.NET_IPV6) return REACH_IPV6_WEAK;
        if (ourNet === Network.NET_IPV4) return REACH_IPV4;
        if (ourNet === Network.NET_ONION) return REACH_PRIVATE;
        return REACH_DEFAULT;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Service.

/** Core's CService: an address and a TCP port (host order number 0..65535). Immutable. */
export class Service extends NetAddr {
  readonly port: number;
  /**
   * The service this one is a copy of (same network, bytes, scope and port), at the root of any
   * chain of copies; its caches below serve every copy. Undefined for an original. An Address made
   * from AddrMan's interned service, or from a received one, so shares the key bytes, map keys,
   * text and relay hash that were computed for any copy of it.
   */
  protected origin: Service | undefined = undefined;
  protected keyCache: string | undefined;
  /** toStringAddrPort(), once built. */
  protected textCache: string | undefined;
  /** getKey(), once built (read-only). */
  protected keyBytesCache: Uint8Array | undefined;
  /** zeroSaltHashHalves(), once computed. */
  protected zeroSaltHashCache: readonly [number, number] | undefined;

  constructor(net: Network, addr: Uint8Array, port: number, scopeId = 0) {
    super(net, addr, scopeId);
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new AddressError('parse', `bad port ${port}`);
    this.port = port;
  }

  /** Makes this object a copy of `from` for caching: the caller guarantees the same network, bytes, scope and port. */
  protected shareCachesWith(from: Service): void {
    this.origin = from.origin ?? from;
  }

  /** A Service from a NetAddr and a port. Core: CService(const CNetAddr&, uint16_t) */
  static of(addr: NetAddr, port: number): Service {
    return new Service(addr.net, addr.addr, port, addr.scopeId);
  }

  /** Core's default CService: [::]:0. */
  static override unspecified(): Service {
    return new Service(Network.NET_IPV6, new Uint8Array(16), 0);
  }

  /** Core: CService::GetPort */
  getPort(): number {
    return this.port;
  }

  /** getAddrBytes() then the port big-endian; the same array on every call, not to be modified. Core: netaddress.cpp CService::GetKey */
  getKey(): Uint8Array {
    // Built once and shared: callers only read it (bloom filters and bucket hashes).
    const h = this.origin ?? this;
    let out = h.keyBytesCache;
    if (out === undefined) {
      const a = this.getAddrBytes();
      out = new Uint8Array(a.length + 2);
      out.set(a);
      out[a.length] = this.port >>> 8;
      out[a.length + 1] = this.port & 0xff;
      h.keyBytesCache = out;
    }
    return out;
  }

  /** Core's CServiceHash with zero salt (SipHash of network, port and address bytes) as unsigned 32-bit halves; shared, do not modify. */
  // Core: netaddress.h CServiceHash::operator() (salts 0, 0)
  zeroSaltHashHalves(): readonly [number, number] {
    const h = this.origin ?? this;
    let v = h.zeroSaltHashCache;
    if (v === undefined) {
      v = new CSipHasher(0, 0).writeU64Halves(0, this.net).writeU64Halves(0, this.port).writeBytes(this.addr).finalizeHalves();
      h.zeroSaltHashCache = v;
    }
    return v;
  }

  /** Core: netaddress.cpp CService::ToStringAddrPort (IPv6 and CJDNS in brackets). */
  toStringAddrPort(): string {
    // Cached: every connection event names its peer this way.
    const h = this.origin ?? this;
    let t = h.textCache;
    if (t === undefined) {
      if (this.isIPv4() || this.isTor() || this.isI2P() || this.isInternal()) t = `${this.toStringAddr()}:${this.port}`;
      else t = `[${this.toStringAddr()}]:${this.port}`;
      h.textCache = t;
    }
    return t;
  }

  override toString(): string {
    return this.toStringAddrPort();
  }

  /** Address and port equality (scope id ignored). Core: operator==(CService, CService) */
  equals(other: Service): boolean {
    return this.port === other.port && this.equalsAddr(other);
  }

  /** Core: operator<(CService, CService) as a comparator: address, then port. */
  static compare(a: Service, b: Service): number {
    const c = NetAddr.compareAddr(a, b);
    return c !== 0 ? c : a.port - b.port;
  }

  /** A string key unique per (network, bytes, port), for Maps and Sets keyed by service. */
  get key(): string {
    const h = this.origin ?? this;
    let k = h.keyCache;
    if (k === undefined) {
      k = this.addrKey + String.fromCharCode(this.port);
      h.keyCache = k;
    }
    return k;
  }

  /** NetAddr's addrKey, computed on the original of a copy. */
  override get addrKey(): string {
    const o = this.origin;
    return o !== undefined ? o.addrKey : super.addrKey;
  }
}

/**
 * Core's CServiceHash: SipHash(k0, k1) over LE64(stored network) ‖ LE64(port) ‖ raw address bytes.
 * Core: netaddress.h CServiceHash::operator()
 */
export function serviceHash(k0: bigint | number, k1: bigint | number, s: Service): bigint {
  return new CSipHasher(k0, k1).writeU64(s.net).writeU64(s.port).writeBytes(s.addr).finalize();
}

// ---------------------------------------------------------------------------------------------
// Numeric parsing (getaddrinfo with AI_NUMERICHOST as glibc does it).

/**
 * Dotted IPv4 as glibc's inet_aton (which getaddrinfo uses for numeric IPv4): 1 to 4 parts, each
 * decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.
 */
function parseIPv4(s: string): Uint8Array | null {
  if (s.length === 0) return null;
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const vals: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return null;
    if (!Number.isFinite(v) || v > 0xffffffff) return null;
    vals.push(v);
  }
  const n = vals.length;
  for (let i = 0; i < n - 1; i++) if (vals[i]! > 0xff) return null;
  const last = vals[n - 1]!;
  const lastBytes = 4 - (n - 1);
  if (lastBytes < 4 && last >= 2 ** (8 * lastBytes)) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < n - 1; i++) out[i] = vals[i]!;
  for (let i = 0; i < lastBytes; i++) out[3 - i] = Math.floor(last / 2 ** (8 * i)) & 0xff;
  return out;
}

/** Strict dotted quad as inet_pton: four decimal octets, no leading zeros (used inside IPv6). */
function parseIPv4Strict(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = parseInt(p, 10);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** IPv6 text as inet_pton, plus an optional numeric "%scope" suffix. Returns bytes and scope id. */
function parseIPv6(text: string): { bytes: Uint8Array; scopeId: number } | null {
  let s = text;
  let scopeId = 0;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    const scope = s.slice(pct + 1);
    if (!/^[0-9]+$/.test(scope)) return null;
    scopeId = parseInt(scope, 10);
    if (scopeId > 0xffffffff) return null;
    s = s.slice(0, pct);
  }
  if (s.length < 2) return null;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part.length === 0) return [];
    const fields = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (i === fields.length - 1 && allowV4Tail && f.includes('.')) {
        const v4 = parseIPv4Strict(f);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return null;
      out.push(parseInt(f, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (!head || !tail) return null;
    if (head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s, true);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = groups[i]! >>> 8;
    bytes[2 * i + 1] = groups[i]! & 0xff;
  }
  return { bytes, scopeId };
}

/** Core: netaddress.cpp CNetAddr::SetTor (v3 only: 35 decoded bytes, version 3, valid checksum). */
function setTor(s: string): NetAddr | null {
  if (!s.endsWith('.onion')) return null;
  const input = decodeBase32(s.slice(0, -6));
  if (!input || input.length !== TORV3_TOTAL_LEN) return null;
  const pubkey = input.slice(0, ADDR_TORV3_SIZE);
  if (input[TORV3_TOTAL_LEN - 1] !== TORV3_VERSION) return null;
  const sum = torv3Checksum(pubkey);
  if (input[ADDR_TORV3_SIZE] !== sum[0] || input[ADDR_TORV3_SIZE + 1] !== sum[1]) return null;
  return new NetAddr(Network.NET_ONION, pubkey);
}

/** Core: netaddress.cpp CNetAddr::SetI2P (52 base32 chars + ".b32.i2p", suffix case-insensitive). */
function setI2P(s: string): NetAddr | null {
  const B32_LEN = 52;
  if (s.length !== B32_LEN + 8 || s.slice(B32_LEN).toLowerCase() !== '.b32.i2p') return null;
  const bytes = decodeBase32(s.slice(0, B32_LEN) + '====');
  if (!bytes || bytes.length !== ADDR_I2P_SIZE) return null;
  return new NetAddr(Network.NET_I2P, bytes);
}

/** Tor v3 or I2P text. Core: netaddress.cpp CNetAddr::SetSpecial */
export function setSpecial(s: string): NetAddr | null {
  if (s.includes('\0')) return null;
  return setTor(s) ?? setI2P(s);
}

/** A numeric host without brackets or port (Core's LookupIntern with lookups off, one result). */
function lookupIntern(name: string): Result<NetAddr> {
  if (name.includes('\0')) return fail('nul', 'address contains a NUL character');
  const special = setSpecial(name);
  if (special) return { ok: true, value: special };
  let addr: NetAddr | null = null;
  const v4 = parseIPv4(name);
  if (v4) addr = new NetAddr(Network.NET_IPV4, v4);
  else {
    const v6 = parseIPv6(name);
    if (v6) addr = NetAddr.fromLegacyIPv6(v6.bytes, v6.scopeId);
  }
  if (!addr) return fail('parse', `not a numeric address: ${JSON.stringify(name)}`);
  // A resolver result may never be internal (an fd6b:88c0:8724::/48 address).
  if (addr.isInternal()) return fail('internal-rejected', `${name} is in the internal-address prefix`);
  return { ok: true, value: addr };
}

/**
 * Parse a numeric host: IPv4, IPv6 (optionally in brackets, optionally "%scope"), Tor v3 onion or
 * I2P b32. `::ffff:a.b.c.d` becomes IPv4. An fc00::/8 address stays IPv6: apply
 * maybeFlipNetAddrToCJDNS or maybeFlipServiceToCJDNS (netbase.ts) with the node's reachable networks, as Core's callers do.
 * Core: netbase.cpp LookupHost(name, fAllowLookup=false)
 */
export function parseNetAddr(text: string): Result<NetAddr> {
  if (text.includes('\0')) return fail('nul', 'address contains a NUL character');
  let host = text;
  if (host.length === 0) return fail('parse', 'empty address');
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return lookupIntern(host);
}

/** Parse an unsigned decimal integer of at most `max` as std::from_chars would (no sign, no spaces). */
function toIntegral(s: string, max: number): number | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const v = parseInt(s, 10);
  return v <= max ? v : null;
}

/**
 * Split "host:port", "[host]:port" or "host". `valid` is false for a present but bad or zero port.
 * Core: util/strencodings.cpp SplitHostPort
 */
export function splitHostPort(input: string, defaultPort = 0): { valid: boolean; host: string; port: number } {
  let s = input;
  let port = defaultPort;
  let valid = false;
  const colon = s.lastIndexOf(':');
  const haveColon = colon >= 0;
  const bracketed = haveColon && s[0] === '[' && s[colon - 1] === ']';
  const multiColon = haveColon && colon !== 0 && s.lastIndexOf(':', colon - 1) >= 0;
  if (haveColon && (colon === 0 || bracketed || !multiColon)) {
    const n = toIntegral(s.slice(colon + 1), 0xffff);
    if (n !== null) {
      s = s.slice(0, colon);
      port = n;
      valid = port !== 0;
    }
  } else {
    valid = true;
  }
  const host = s.length > 0 && s[0] === '[' && s[s.length - 1] === ']' ? s.slice(1, -1) : s;
  return { valid, host, port };
}

/**
 * Parse "host[:port]" with a numeric host; the port defaults to `defaultPort`. Like Core, a port
 * that SplitHostPort calls invalid but still parsed (":0") is used, and an unparsable port leaves
 * it in the host, which then fails. Core: netbase.cpp Lookup(name, portDefault, fAllowLookup=false)
 */
export function parseService(text: string, defaultPort: number): Result<Service> {
  if (text.length === 0) return fail('parse', 'empty address');
  if (text.includes('\0')) return fail('nul', 'address contains a NUL character');
  const { host, port } = splitHostPort(text, defaultPort);
  const r = lookupIntern(host);
  if (!r.ok) return r;
  return { ok: true, value: Service.of(r.value, port) };
}

/** The big-endian uint32 at a[i..i+4). */
function be32At(a: Uint8Array, i: number): number {
  return ((a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!) >>> 0;
}

/** Parse or fall back to Core's default [::]:0. Core: netbase.cpp LookupNumeric */
export function lookupNumeric(text: string, defaultPort: number): Service {
  const r = parseService(text, defaultPort);
  return r.ok ? r.value : Service.unspecified();
}

/** parseNetAddr that throws the AddressError (for tests and fixed tables). */
export function netAddrOrThrow(text: string): NetAddr {
  const r = parseNetAddr(text);
  if (!r.ok) throw r.error;
  return r.value;
}

/** parseService that throws the AddressError (for tests and fixed tables). */
export function serviceOrThrow(text: string, defaultPort: number): Service {
  const r = parseService(text, defaultPort);
  if (!r.ok) throw r.error;
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// Serialization.

/** Write the 16-byte v1 form. Core: CNetAddr::SerializeV1Stream */
export function writeNetAddrV1(w: ByteWriter, a: NetAddr): void {
  w.bytes(a.serializeV1());
}

/** Read the 16-byte v1 form. Core: CNetAddr::UnserializeV1Stream → SetLegacyIPv6 */
export function readNetAddrV1(r: ByteReader): NetAddr {
  return NetAddr.fromLegacyIPv6(r.bytes(V1_SERIALIZATION_SIZE).slice());
}

/** Write the BIP155 form: network id, CompactSize length, bytes. Core: CNetAddr::SerializeV2Stream */
export function writeNetAddrV2(w: ByteWriter, a: NetAddr): void {
  if (a.isInternal()) {
    // Internal addresses travel (to disk) embedded in IPv6, as Core does.
    w.u8(BIP155Network.IPV6).compactSize(ADDR_IPV6_SIZE).bytes(a.serializeV1());
    return;
  }
  w.u8(a.getBIP155Network()).compactSize(a.addr.length).bytes(a.addr);
}

/** Core: netaddress.cpp CNetAddr::SetNetFromBIP155Network — null for an unknown id, throws on a bad size. */
function netFromBIP155(id: number, size: number): Network | null {
  const check = (net: Network, want: number, name: string): Network => {
    if (size !== want) throw new SerializeError('invalid', `BIP155 ${name} address with length ${size} (should be ${want})`);
    return net;
  };
  switch (id) {
    case BIP155Network.IPV4:
      return check(Network.NET_IPV4, ADDR_IPV4_SIZE, 'IPv4');
    case BIP155Network.IPV6:
      return check(Network.NET_IPV6, ADDR_IPV6_SIZE, 'IPv6');
    case BIP155Network.TORV3:
      return check(Network.NET_ONION, ADDR_TORV3_SIZE, 'TORv3');
    case BIP155Network.I2P:
      return check(Network.NET_I2P, ADDR_I2P_SIZE, 'I2P');
    case BIP155Network.CJDNS:
      return check(Network.NET_CJDNS, ADDR_CJDNS_SIZE, 'CJDNS');
    default:
      return null; // includes TORV2 (3): no longer supported, silently ignored
  }
}

/**
 * Read the BIP155 form. Unknown network ids (and Tor v2) are skipped and yield the invalid `::`;
 * a known id with the wrong length, or a length over MAX_ADDRV2_SIZE, throws SerializeError.
 * IPv4- or Tor v2-in-IPv6 yield `::`; internal-in-IPv6 yields the internal address.
 * Core: netaddress.h CNetAddr::UnserializeV2Stream
 */
export function readNetAddrV2(r: ByteReader): NetAddr {
  const id = r.u8();
  const size = r.compactSize();
  if (size > MAX_ADDRV2_SIZE) throw new SerializeError('invalid', `Address too long: ${size} > ${MAX_ADDRV2_SIZE}`);
  const net = netFromBIP155(id, size);
  if (net === null) {
    r.skip(size);
    return NetAddr.unspecified();
  }
  const bytes = r.bytes(size).slice();
  if (net !== Network.NET_IPV6) return new NetAddr(net, bytes);
  if (hasPrefix(bytes, INTERNAL_IN_IPV6_PREFIX)) return new NetAddr(Network.NET_INTERNAL, bytes.slice(6));
  if (hasPrefix(bytes, IPV4_IN_IPV6_PREFIX) || hasPrefix(bytes, TORV2_IN_IPV6_PREFIX)) return NetAddr.unspecified();
  return new NetAddr(Network.NET_IPV6, bytes);
}

/** CService: address (v1 or v2) then the port big-endian. Core: CService::SerializationOps */
export function writeService(w: ByteWriter, s: Service, v2: boolean): void {
  if (v2) writeNetAddrV2(w, s);
  else writeNetAddrV1(w, s);
  w.u16be(s.port);
}

/** Core: CService::SerializationOps (read) */
export function readService(r: ByteReader, v2: boolean): Service {
  const a = v2 ? readNetAddrV2(r) : readNetAddrV1(r);
  return Service.of(a, r.u16be());
}
