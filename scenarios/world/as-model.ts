// The world's autonomous systems: a prefix→ASN table with a share of honest nodes per ASN, held
// both as prefix blocks (so addresses can be drawn inside a chosen ASN) and as a real asmap in
// Core's binary format (encoded with connman/netgroup/asmap.ts), so nodes that use asmap load exactly the
// bytes that describe the world. Either synthetic (a few hundred ASNs with Zipf-like node shares
// and a handful of large hosting ASNs owning many /16s, the raw material of an Erebus-style
// attacker) or decoded from a real asmap file such as Core's ip_asn.dat.
// It does not place nodes (world.ts and address-plan.ts do) nor decide which nodes use asmap.

import { AsmapError, AsmapLookup, checkStandardAsmap, decodeAsmapToTrie, encodeAsmap, type AsmapEntry, type AsmapTrie } from '../../connman/netgroup/asmap.ts';
import { NetAddr, Network } from '../../connman/protocol/netaddress.ts';
import { NetGroupManager } from '../../connman/netgroup/netgroup.ts';
import { AliasTable, type Rng as SimRng } from '../../sim/index.ts';
import { FIRST_OCTETS, randomIpv6Slash32 } from './address-plan.ts';

/** A corrupt or unusable asmap, or a request the model cannot satisfy. */
export class AsModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsModelError';
  }
}

/** An IPv4 block inside one /16: `base` (uint32, host bits zero) and a prefix length 16..32. */
export interface AsBlockV4 {
  readonly base: number;
  readonly bits: number;
}

/** An IPv6 block: its 16 bytes (host bits zero) and prefix length. */
export interface AsBlockV6 {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

export type AsKind = 'hosting' | 'access' | 'small' | 'mapped';

export interface AsInfo {
  readonly asn: number;
  /** Share of honest nodes in this ASN (the shares of all ASNs sum to 1; 0 = no honest node). */
  readonly share: number;
  /** Synthetic role ('mapped' for ASNs decoded from a real asmap). */
  readonly kind: AsKind;
  /** IPv4 blocks, each inside one /16 (larger prefixes are split into their /16s). */
  readonly v4Blocks: readonly AsBlockV4[];
  readonly v6Blocks: readonly AsBlockV6[];
  /** The distinct /16s (a<<8|b) its IPv4 blocks lie in, ascending. */
  readonly slash16s: readonly number[];
}

export interface SyntheticAsOptions {
  /** Number of ASNs. Default 300. */
  asns?: number;
  /** Zipf exponent of the node shares by rank (share ∝ 1/rank^s). Default 1.0. */
  zipfExponent?: number;
  /** The top-ranked ASNs that are large hosting providers owning many /16s. Default 6. */
  hostingAsns?: number;
  /** /16s each hosting ASN owns. Default 40. */
  hostingSlash16s?: number;
  /** Most /16s an ordinary (access) ASN owns (it gets 1..this, uniformly). Default 4. */
  accessSlash16sMax?: number;
  /** Share of the ASNs, the lowest-ranked, that own a single /20 in a /16 shared with 15 others. Default 0.5. */
  smallShare?: number;
}

export interface FromAsmapOptions {
  /**
   * Node weight per ASN (e.g. counts from nodes_main.txt's "# ASn" comments, see seed-list.ts
   * asCountsFromSeedList). ASNs absent from the map are ignored. Default: each ASN weighs its
   * number of IPv4 blocks at /16 granularity (a crude proxy for its presence).
   */
  weights?: ReadonlyMap<number, number>;
}

function v4Bytes(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

interface MutableAs {
  asn: number;
  weight: number;
  kind: AsKind;
  v4: AsBlockV4[];
  v6: AsBlockV6[];
}

export class AsModel {
  /** The asmap in Core's binary format; passes Core's standard sanity check. */
  readonly asmap: Uint8Array;
  /** One compiled map and cache for every node of a run (NetGroupManager accepts it). */
  readonly lookup: AsmapLookup;
  /** The ASNs, by descending share then ascending ASN. */
  readonly asns: readonly AsInfo[];
  private readonly byAsn = new Map<number, AsInfo>();
  private readonly netgroups: NetGroupManager;
  private readonly v4Table: { table: AliasTable; asns: AsInfo[] } | null;
  private readonly v6Table: { table: AliasTable; asns: AsInfo[] } | null;
  private readonly slash16Owner = new Map<number, number>();

  private constructor(asmap: Uint8Array, list: MutableAs[]) {
    this.asmap = asmap;
    this.lookup = new AsmapLookup(asmap);
    this.netgroups = NetGroupManager.withAsmap(this.lookup);
    const total = list.reduce((s, a) => s + a.weight, 0);
    const infos: AsInfo[] = list.map((a) => {
      const s16 = [...new Set(a.v4.map((b) => b.base >>> 16))].sort((x, y) => x - y);
      return { asn: a.asn, share: total > 0 ? a.weight / total : 0, kind: a.kind, v4Blocks: a.v4, v6Blocks: a.v6, slash16s: s16 };
    });
    infos.sort((x, y) => y.share - x.share || x.asn - y.asn);
    this.asns = infos;
    for (const a of infos) {
      this.byAsn.set(a.asn, a);
      for (const s of a.slash16s) if (!this.slash16Owner.has(s)) this.slash16Owner.set(s, a.asn);
    }
    const tableFor = (pick: (a: AsInfo) => boolean): { table: AliasTable; asns: AsInfo[] } | null => {
      const asns = infos.filter((a) => pick(a) && a.share > 0);
      return asns.length > 0 ? { table: new AliasTable(asns.map((a) => a.share)), asns } : null;
    };
    this.v4Table = tableFor((a) => a.v4Blocks.length > 0);
    this.v6Table = tableFor((a) => a.v6Blocks.length > 0);
  }

  /**
   * A synthetic model: ASNs ranked by a Zipf-like node share; the top `hostingAsns` own many whole
   * /16s each, ordinary ASNs 1..accessSlash16sMax whole /16s, and the long tail one /20 each,
   * sixteen of them to a /16 (so /16 netgroups lump different ASNs together, as in reality). Every
   * ASN also gets one IPv6 /32 (hosting ASNs four). All prefixes are routable and distinct.
   */
  static synthetic(rng: SimRng, opts: SyntheticAsOptions = {}): AsModel {
    const n = opts.asns ?? 300;
    const s = opts.zipfExponent ?? 1.0;
    const hosting = Math.min(n, opts.hostingAsns ?? 6);
    const hostingS16 = opts.hostingSlash16s ?? 40;
    const accessMax = opts.accessSlash16sMax ?? 4;
    const smallCount = Math.min(n - hosting, Math.floor((opts.smallShare ?? 0.5) * n));
    if (!Number.isInteger(n) || n < 1) throw new AsModelError(`synthetic AS model: asns must be a positive integer, got ${n}`);
    if (!(s >= 0) || !Number.isFinite(s)) throw new AsModelError(`synthetic AS model: zipfExponent must be finite and >= 0, got ${s}`);
    if (!(hostingS16 >= 1) || !(accessMax >= 1)) throw new AsModelError('synthetic AS model: hostingSlash16s and accessSlash16sMax must be >= 1');

    // Distinct ASN numbers in the public 16/32-bit range.
    const asnSet = new Set<number>();
    const asnNumbers: number[] = [];
    while (asnNumbers.length < n) {
      const v = 1000 + rng.randrange(399_000);
      if (asnSet.has(v)) continue;
      asnSet.add(v);
      asnNumbers.push(v);
    }
    const usedS16 = new Set<number>();
    const freshS16 = (): number => {
      for (;;) {
        const v = rng.pick(FIRST_OCTETS) * 256 + rng.randrange(256);
        if (!usedS16.has(v)) {
          usedS16.add(v);
          return v;
        }
      }
    };
    const used32 = new Set<number>();
    const fresh32 = (): AsBlockV6 => {
      for (;;) {
        const p = randomIpv6Slash32(rng);
        if (used32.has(p)) continue;
        used32.add(p);
        const bytes = new Uint8Array(16);
        bytes.set(v4Bytes(p), 0);
        return { bytes, bits: 32 };
      }
    };
    const list: MutableAs[] = [];
    let sharedS16 = -1;
    let smallIndex = 0;
    for (let rank = 0; rank < n; rank++) {
      const kind: AsKind = rank < hosting ? 'hosting' : rank >= n - smallCount ? 'small' : 'access';
      const a: MutableAs = { asn: asnNumbers[rank]!, weight: 1 / Math.pow(rank + 1, s), kind, v4: [], v6: [] };
      if (kind === 'small') {
        if (smallIndex % 16 === 0) sharedS16 = freshS16();
        a.v4.push({ base: ((sharedS16 << 16) | ((smallIndex % 16) << 12)) >>> 0, bits: 20 });
        smallIndex++;
      } else {
        const count = kind === 'hosting' ? hostingS16 : 1 + rng.randrange(accessMax);
        for (let i = 0; i < count; i++) a.v4.push({ base: (freshS16() << 16) >>> 0, bits: 16 });
      }
      const v6Count = kind === 'hosting' ? 4 : 1;
      for (let i = 0; i < v6Count; i++) a.v6.push(fresh32());
      list.push(a);
    }
    const entries: AsmapEntry[] = [];
    for (const a of list) {
      for (const b of a.v4) entries.push({ prefix: { bytes: v4Bytes(b.base), bits: b.bits }, asn: a.asn });
      for (const b of a.v6) entries.push({ prefix: { bytes: b.bytes, bits: b.bits }, asn: a.asn });
    }
    const asmap = encodeAsmap(entries);
    if (!checkStandardAsmap(asmap)) throw new AsModelError('synthetic AS model: the encoded asmap fails Core\'s sanity check');
    return new AsModel(asmap, list);
  }

  /**
   * A model from a real asmap (Core's binary format, e.g. ip_asn.dat). Throws AsModelError when
   * the data fails Core's sanity check or does not decode. IPv4 prefixes are split into /16-sized
   * blocks; IPv6 blocks are kept inside 2000::/3 only.
   */
  static fromAsmap(bytes: Uint8Array, opts: FromAsmapOptions = {}): AsModel {
    if (bytes.length === 0) throw new AsModelError('asmap: empty data');
    if (!checkStandardAsmap(bytes)) throw new AsModelError(`asmap: sanity check failed (${bytes.length} bytes): not a valid asmap for 128-bit addresses`);
    let trie: AsmapTrie;
    try {
      trie = decodeAsmapToTrie(bytes);
    } catch (e) {
      if (e instanceof AsmapError) throw new AsModelError(`asmap: ${e.message}`);
      throw e;
    }
    const byAsn = new Map<number, MutableAs>();
    const get = (asn: number): MutableAs => {
      let a = byAsn.get(asn);
      if (a === undefined) {
        a = { asn, weight: 0, kind: 'mapped', v4: [], v6: [] };
        byAsn.set(asn, a);
      }
      return a;
    };
    const path = new Uint8Array(16);
    const walk = (node: AsmapTrie, depth: number): void => {
      if (typeof node === 'number') {
        if (node === 0) return;
        if (depth >= 96 && isV4MappedPath(path)) {
          const bits = depth - 96;
          const base = ((path[12]! << 24) | (path[13]! << 16) | (path[14]! << 8) | path[15]!) >>> 0;
          const a = get(node);
          if (bits >= 16) a.v4.push({ base, bits });
          else for (let i = 0; i < 2 ** (16 - bits); i++) a.v4.push({ base: (base + i * 65536) >>> 0, bits: 16 });
        } else if (depth >= 3 && (path[0]! & 0xe0) === 0x20) {
          get(node).v6.push({ bytes: path.slice(), bits: depth });
        }
        return;
      }
      const byte = depth >>> 3;
      const mask = 0x80 >>> (depth & 7);
      walk(node[0], depth + 1);
      path[byte] = path[byte]! | mask;
      walk(node[1], depth + 1);
      path[byte] = path[byte]! & ~mask;
    };
    walk(trie, 0);
    const list = [...byAsn.values()].sort((x, y) => x.asn - y.asn);
    for (const a of list) {
      const w = opts.weights !== undefined ? (opts.weights.get(a.asn) ?? 0) : a.v4.length;
      if (!Number.isFinite(w) || w < 0) throw new AsModelError(`asmap: weight of AS${a.asn} must be finite and >= 0`);
      a.weight = w;
    }
    if (!list.some((a) => a.weight > 0)) throw new AsModelError('asmap: no ASN has a positive node weight');
    return new AsModel(bytes, list);
  }

  /** The ASN an address maps to under the model's asmap (Core's GetMappedAS), 0 when unmapped. */
  asnOf(addr: NetAddr): number {
    return this.netgroups.getMappedAS(addr);
  }

  /** The ASN's record, or undefined. */
  info(asn: number): AsInfo | undefined {
    return this.byAsn.get(asn);
  }

  /** Whether /16 `s16` (a<<8|b) holds any of the model's IPv4 blocks. */
  coversSlash16(s16: number): boolean {
    return this.slash16Owner.has(s16);
  }

  /** The `k` ASNs owning the most /16s (ties: larger share, then smaller ASN). */
  bigAsns(k: number): AsInfo[] {
    const sorted = [...this.asns].sort((x, y) => y.slash16s.length - x.slash16s.length || y.share - x.share || x.asn - y.asn);
    if (k > sorted.length) throw new AsModelError(`AS model: asked for ${k} ASNs, the model has ${sorted.length}`);
    return sorted.slice(0, k);
  }

  /** Whether some ASN with a node share has prefixes of `family` (else drawAddress cannot place one there). */
  hasFamily(family: 'ipv4' | 'ipv6'): boolean {
    return (family === 'ipv4' ? this.v4Table : this.v6Table) !== null;
  }

  /**
   * A fresh address of `family` in an ASN drawn by the node shares, then a block of that ASN
   * uniformly, then a host inside it. `isFree` rejects addresses in use; `claim` records the pick.
   */
  drawAddress(family: 'ipv4' | 'ipv6', rng: SimRng, isFree: (a: NetAddr) => boolean, claim: (a: NetAddr) => boolean): NetAddr {
    const t = family === 'ipv4' ? this.v4Table : this.v6Table;
    if (t === null) throw new AsModelError(`AS model: no ASN with a node share has ${family} prefixes`);
    for (let tries = 0; tries < 100_000; tries++) {
      const as = t.asns[t.table.sample(rng)]!;
      const a = family === 'ipv4' ? this.addressInV4Block(rng.pick(as.v4Blocks), rng) : this.addressInV6Block(rng.pick(as.v6Blocks), rng);
      if (a !== null && isFree(a) && claim(a)) return a;
    }
    throw new AsModelError(`AS model: could not find a free ${family} address`);
  }

  /** A random routable host address inside an IPv4 block (null if the draw is not routable). */
  addressInV4Block(b: AsBlockV4, rng: SimRng): NetAddr | null {
    const span = 2 ** (32 - b.bits);
    let off = span > 1 ? rng.randrange(span) : 0;
    // Keep clear of .0 and .255 where the block allows it (cosmetic, as the IPv4 plan does).
    if (span >= 256) off = (off & ~255) | (1 + rng.randrange(254));
    const a = NetAddr.fromIPv4((b.base + off) >>> 0);
    return a.isRoutable() ? a : null;
  }

  /** A random routable address inside an IPv6 block (null if not routable). */
  addressInV6Block(b: AsBlockV6, rng: SimRng): NetAddr | null {
    const bytes = b.bytes.slice();
    for (let i = b.bits; i < 128; i++) if (rng.randbool()) bytes[i >>> 3] = bytes[i >>> 3]! | (0x80 >>> (i & 7));
    const a = new NetAddr(Network.NET_IPV6, bytes);
    return a.isRoutable() ? a : null;
  }

  /** The model's IPv4 blocks of `asn` inside /16 `s16`. */
  blocksIn(asn: number, s16: number): AsBlockV4[] {
    const a = this.byAsn.get(asn);
    return a === undefined ? [] : a.v4Blocks.filter((b) => b.base >>> 16 === s16);
  }

  /** ASN of an IPv4 address given as uint32 (for tests and tables). */
  asnOfIPv4(v: number): number {
    return this.lookup.lookupIPv4(v >>> 0);
  }
}

function isV4MappedPath(path: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (path[i] !== 0) return false;
  return path[10] === 0xff && path[11] === 0xff;
}

