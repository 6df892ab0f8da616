// How simulated nodes get their IPv4 addresses: every address routable (Core rejects private,
// documentation and reserved ranges from gossip and outbound selection), spread over many /16
// netgroups so that Core's one-outbound-per-netgroup rule has room to work, drawn from the world's
// own random stream. It also maps a connman Service to the sim network's address and back.
// It does not model ASNs or asmap (a later scenario concern) or other networks than IPv4.

import { NetAddr, Network as NetKind, parseService, Service } from '../connman/netaddress.ts';
import type { Rng as SimRng, SimAddress } from '../sim/index.ts';

/** First octets that hold no special-purpose block at all (Core's IsRoutable exclusions and multicast/reserved avoided). */
const FIRST_OCTETS: readonly number[] = (() => {
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

  /** A fresh address as a uint32 (a.b.c.d = a<<24|b<<16|c<<8|d). */
  nextValue(): number {
    let s16: number;
    if (this.slash16s.length > 0 && this.shareProbability > 0 && this.rng.random() < this.shareProbability) {
      s16 = this.rng.pick(this.slash16s);
    } else {
      if (this.slash16s.length >= SLASH16_CAPACITY) throw new RangeError('address plan: every /16 is used');
      do {
        s16 = this.rng.pick(FIRST_OCTETS) * 256 + this.rng.randrange(256);
      } while (this.slash16Set.has(s16));
      this.slash16Set.add(s16);
      this.slash16s.push(s16);
    }
    for (;;) {
      // Host part: avoid .0 and .255 last octets (cosmetic; Core does not care).
      const low = this.rng.randrange(256) * 256 + 1 + this.rng.randrange(254);
      const v = (s16 * 65536 + low) >>> 0;
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
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

/** The sim network's view of a connman address (the port travels separately in the sim). */
export function simAddressOf(a: NetAddr): SimAddress {
  switch (a.net) {
    case NetKind.NET_IPV4:
      return { kind: 'ipv4', text: a.toStringAddr() };
    case NetKind.NET_IPV6:
      return { kind: 'ipv6', text: a.toStringAddr() };
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

/** Parses a sim address back into a connman Service with `port`. */
export function serviceOfSim(a: SimAddress, port: number): Service {
  const text = a.kind === 'ipv6' || a.kind === 'cjdns' ? `[${a.text}]:${port}` : `${a.text}:${port}`;
  const r = parseService(text, port);
  if (!r.ok) throw new RangeError(`cannot parse sim address ${a.kind} ${a.text}`);
  return r.value;
}
