// SubNet (Core's CSubNet): an IPv4/IPv6 network with a netmask, or a single non-IP address, used
// by ban lists, whitelists and disconnectNode(subnet). Parsing follows Core's LookupSubNet with
// name lookups off. It does not hold ban bookkeeping (times, reasons) or permission flags.
import { ADDR_IPV4_SIZE, ADDR_IPV6_SIZE, NetAddr, Network, parseNetAddr } from './netaddress.ts';
import { maybeFlipNetAddrToCJDNS, type ReachableNets } from './netbase.ts';

/** Core: netaddress.cpp NetmaskBits — leading one-bits of a mask byte, or -1 if not a prefix mask. */
function netmaskBits(x: number): number {
  switch (x) {
    case 0x00:
      return 0;
    case 0x80:
      return 1;
    case 0xc0:
      return 2;
    case 0xe0:
      return 3;
    case 0xf0:
      return 4;
    case 0xf8:
      return 5;
    case 0xfc:
      return 6;
    case 0xfe:
      return 7;
    case 0xff:
      return 8;
    default:
      return -1;
  }
}

/** Core's CSubNet. Immutable. An invalid subnet matches nothing. */
export class SubNet {
  /** The network start, normalised by the mask (unspecified `::` when invalid). */
  readonly network: NetAddr;
  /** 16 mask bytes in network order; only the first `network.addr.length` are meaningful. */
  readonly netmask: Uint8Array;
  /** False when built from bad input (Core: only signals parse errors). */
  readonly valid: boolean;

  private constructor(network: NetAddr, netmask: Uint8Array, valid: boolean) {
    this.network = network;
    this.netmask = netmask;
    this.valid = valid;
  }

  /** Core: CSubNet::CSubNet() — the invalid, empty subnet. */
  static invalid(): SubNet {
    return new SubNet(NetAddr.unspecified(), new Uint8Array(16), false);
  }

  /** A CIDR prefix of `bits` (0..32 for IPv4, 0..128 for IPv6). Core: CSubNet::CSubNet(const CNetAddr&, uint8_t) */
  static fromPrefix(addr: NetAddr, bits: number): SubNet {
    const ok =
      Number.isInteger(bits) &&
      bits >= 0 &&
      ((addr.isIPv4() && bits <= ADDR_IPV4_SIZE * 8) || (addr.isIPv6() && bits <= ADDR_IPV6_SIZE * 8));
    if (!ok) return SubNet.invalid();
    const mask = new Uint8Array(16);
    const bytes = addr.addr.slice();
    let n = bits;
    for (let i = 0; i < bytes.length; i++) {
      const b = n < 8 ? n : 8;
      mask[i] = (0xff << (8 - b)) & 0xff;
      bytes[i] = bytes[i]! & mask[i]!;
      n -= b;
    }
    return new SubNet(new NetAddr(addr.net, bytes, addr.scopeId), mask, true);
  }

  /** A network and a full netmask of the same family. Core: CSubNet::CSubNet(const CNetAddr&, const CNetAddr&) */
  static fromMask(addr: NetAddr, mask: NetAddr): SubNet {
    if (!((addr.isIPv4() || addr.isIPv6()) && addr.net === mask.net)) return SubNet.invalid();
    let zerosFound = false;
    for (let i = 0; i < mask.addr.length; i++) {
      const nb = netmaskBits(mask.addr[i]!);
      if (nb === -1 || (zerosFound && nb !== 0)) return SubNet.invalid();
      if (nb < 8) zerosFound = true;
    }
    const m = new Uint8Array(16);
    m.set(mask.addr);
    const bytes = addr.addr.slice();
    for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! & m[i]!;
    return new SubNet(new NetAddr(addr.net, bytes, addr.scopeId), m, true);
  }

  /** The subnet holding exactly one address (any network but internal). Core: CSubNet::CSubNet(const CNetAddr&) */
  static single(addr: NetAddr): SubNet {
    const m = new Uint8Array(16);
    switch (addr.net) {
      case Network.NET_IPV4:
      case Network.NET_IPV6:
        m.fill(0xff, 0, addr.addr.length);
        return new SubNet(addr.toNetAddr(), m, true);
      case Network.NET_ONION:
      case Network.NET_I2P:
      case Network.NET_CJDNS:
        return new SubNet(addr.toNetAddr(), m, true);
      default:
        return SubNet.invalid();
    }
  }

  /** Core: CSubNet::IsValid */
  isValid(): boolean {
    return this.valid;
  }

  /** Whether `addr` is valid, of the same network and inside this subnet. Core: netaddress.cpp CSubNet::Match */
  match(addr: NetAddr): boolean {
    if (!this.valid || !addr.isValid() || this.network.net !== addr.net) return false;
    switch (this.network.net) {
      case Network.NET_IPV4:
      case Network.NET_IPV6:
        break;
      case Network.NET_ONION:
      case Network.NET_I2P:
      case Network.NET_CJDNS:
      case Network.NET_INTERNAL:
        return addr.equalsAddr(this.network);
      default:
        return false;
    }
    const a = addr.addr;
    const n = this.network.addr;
    for (let i = 0; i < a.length; i++) if ((a[i]! & this.netmask[i]!) !== n[i]) return false;
    return true;
  }

  /** "addr/bits" for IP subnets, the bare address otherwise. Core: netaddress.cpp CSubNet::ToString */
  toString(): string {
    let suffix = '';
    if (this.network.net === Network.NET_IPV4 || this.network.net === Network.NET_IPV6) {
      let cidr = 0;
      for (let i = 0; i < this.network.addr.length; i++) {
        if (this.netmask[i] === 0) break;
        cidr += netmaskBits(this.netmask[i]!);
      }
      suffix = `/${cidr}`;
    }
    return this.network.toStringAddr() + suffix;
  }

  /** Core: operator==(CSubNet, CSubNet) */
  equals(other: SubNet): boolean {
    if (this.valid !== other.valid || !this.network.equalsAddr(other.network)) return false;
    for (let i = 0; i < 16; i++) if (this.netmask[i] !== other.netmask[i]) return false;
    return true;
  }

  /** Core: operator<(CSubNet, CSubNet) as a comparator: network, then mask bytes. */
  static compare(a: SubNet, b: SubNet): number {
    const c = NetAddr.compareAddr(a.network, b.network);
    if (c !== 0) return c;
    for (let i = 0; i < 16; i++) {
      const d = a.netmask[i]! - b.netmask[i]!;
      if (d !== 0) return d;
    }
    return 0;
  }
}

/**
 * Parse "addr", "addr/bits" or "addr/netmask" with numeric hosts. An fc00::/8 address becomes
 * CJDNS when CJDNS is in `reachable` (Core consults its global reachable set; pass the node's).
 * Bad input gives an invalid SubNet, as Core. Core: netbase.cpp LookupSubNet
 */
export function lookupSubNet(text: string, reachable: ReachableNets = new Set()): SubNet {
  if (text.includes('\0')) return SubNet.invalid();
  const slash = text.lastIndexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const parsed = parseNetAddr(addrText);
  if (!parsed.ok) return SubNet.invalid();
  const addr = maybeFlipNetAddrToCJDNS(parsed.value, reachable);
  if (slash < 0) return SubNet.single(addr);
  const maskText = text.slice(slash + 1);
  if (/^[0-9]+$/.test(maskText) && parseInt(maskText, 10) <= 255) {
    // A number that fits Core's uint8_t: CIDR prefix length.
    return SubNet.fromPrefix(addr, parseInt(maskText, 10));
  }
  const mask = parseNetAddr(maskText);
  return mask.ok ? SubNet.fromMask(addr, mask.value) : SubNet.invalid();
}
