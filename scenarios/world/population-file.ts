// A population taken from a crawl of the reachable network (--population FILE): the crawler CSV
// `address,network,netgroup,asn` (the shared crawl of 2024-01-25 is one), parsed and checked line
// by line, and a sample of it that keeps the file's network mix. It does not read files (the CLI
// does) nor place nodes (world.ts does).

import { NetGroupManager } from '../../connman/netgroup/netgroup.ts';
import { getNetworkName } from '../../connman/protocol/netbase.ts';
import { parseNetAddr, type NetAddr } from '../../connman/protocol/netaddress.ts';
import type { Rng as SimRng } from '../../sim/index.ts';

/** The header a population file starts with. */
export const POPULATION_HEADER = 'address,network,netgroup,asn';

/** One reachable node of a crawl. */
export interface CrawledNode {
  readonly address: NetAddr;
  /** getpeerinfo's network name: ipv4, ipv6, onion, i2p, cjdns. */
  readonly network: string;
  /** The crawler's netgroup text, checked to be Core's group of the address (without asmap). */
  readonly netgroup: string;
  /** The crawler's ASN, 0 when the field is empty or "unknown" (not in the crawler's asmap). */
  readonly asn: number;
}

/** A parsed crawl. */
export interface CrawledPopulation {
  /** One node per IP, in file order. */
  readonly nodes: readonly CrawledNode[];
  /** Lines whose IP an earlier line has (nodes sharing an IP on other ports, or listed twice), left out. */
  readonly sharedIp: number;
  /** Lines with an IPv4-mapped address labelled ipv6, read as IPv4 as Core does. */
  readonly ipv4Mapped: number;
}

/** A line of a population file that does not parse or does not agree with itself. */
export class PopulationFileError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'PopulationFileError';
  }
}

const PLAIN = NetGroupManager.noAsmap();

/**
 * Parses a crawler CSV into nodes in file order. Every line is checked: four fields, an address
 * that parses, a network that is the address's, a netgroup that is Core's GetGroup of the address
 * (a /16 for IPv4, a /32 for IPv6 but Hurricane Electric's /36 — the crawl writes them so), an ASN
 * written `AS<n>`, `unknown` or empty. A line whose IP an earlier line has is counted, not kept.
 */
export function parsePopulationCsv(text: string): CrawledPopulation {
  const lines = text.split(/\r?\n/);
  if ((lines[0] ?? '').replace(/^\uFEFF/, '').trim() !== POPULATION_HEADER) {
    throw new PopulationFileError(1, `expected the header ${JSON.stringify(POPULATION_HEADER)}, got ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  }
  const out: CrawledNode[] = [];
  const seen = new Set<string>();
  let sharedIp = 0;
  let ipv4Mapped = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const lineNo = i + 1;
    const f = raw.split(',');
    if (f.length !== 4) throw new PopulationFileError(lineNo, `expected 4 fields (${POPULATION_HEADER}), got ${f.length}`);
    const [addrText, network, netgroup, asnText] = f.map((x) => x.trim()) as [string, string, string, string];
    const parsed = parseNetAddr(addrText);
    if (!parsed.ok || !parsed.value.isRoutable()) throw new PopulationFileError(lineNo, `not a routable address: ${JSON.stringify(addrText)}`);
    const address = parsed.value;
    const actual = getNetworkName(address.getNetwork());
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4 to Core (CNetAddr::SetLegacyIPv6); a
    // crawler may label it ipv6 with the netgroup ::/32. Core's reading is kept and counted.
    const mapped = network === 'ipv6' && actual === 'ipv4' && /^::ffff:/i.test(addrText);
    if (mapped) ipv4Mapped++;
    else {
      if (network !== actual) throw new PopulationFileError(lineNo, `network ${JSON.stringify(network)} but ${addrText} is ${actual}`);
      checkNetgroup(address, netgroup, lineNo);
    }
    let asn = 0;
    if (asnText !== '' && asnText.toLowerCase() !== 'unknown') {
      const m = /^AS([0-9]{1,10})$/i.exec(asnText);
      if (m === null || Number(m[1]) > 0xffffffff) throw new PopulationFileError(lineNo, `ASN ${JSON.stringify(asnText)} is not AS<number>`);
      asn = Number(m[1]);
    }
    // A crawl lists each node it reached, and several nodes may share an IP on different ports
    // (the file has no port). A simulated host is one IP: the first such node stands for them.
    const key = address.toStringAddr();
    if (seen.has(key)) {
      sharedIp++;
      continue;
    }
    seen.add(key);
    out.push({ address, network: actual, netgroup: mapped ? netgroupText(address) : netgroup, asn });
  }
  if (out.length === 0) throw new PopulationFileError(lines.length, 'no nodes after the header');
  return { nodes: out, sharedIp, ipv4Mapped };
}

/** The netgroup must be a CIDR whose base has the address's Core group and whose length is that group's. */
function checkNetgroup(address: NetAddr, text: string, lineNo: number): void {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  const base = m === null ? null : parseNetAddr(m[1]!);
  if (m === null || base === null || !base.ok) throw new PopulationFileError(lineNo, `netgroup ${JSON.stringify(text)} is not address/length`);
  const group = PLAIN.getGroup(address);
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, k) => x === b[k]);
  if (!same(PLAIN.getGroup(base.value), group) || Number(m[2]) !== groupBits(address)) {
    throw new PopulationFileError(lineNo, `netgroup ${text} is not Core's netgroup of ${address.toStringAddr()}`);
  }
}

/** An IPv4 address's /16 as a crawler writes it. */
function netgroupText(a: NetAddr): string {
  return `${a.addr[0]}.${a.addr[1]}.0.0/16`;
}

/** How many leading bits of an address Core's plain GetGroup keeps (netgroup.cpp GetGroup). */
function groupBits(address: NetAddr): number {
  if (address.isIPv4()) return 16;
  if (address.isIPv6()) {
    const b = address.addr;
    return b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x04 && b[3] === 0x70 ? 36 : 32;
  }
  return 4; // Tor, I2P, CJDNS: Core groups by the network and the first 4 bits.
}

/**
 * `count` nodes of the crawl, keeping its network mix: each network gets its share of `count` by
 * largest remainder (ties to the network listed first in the file), then a uniform sample of that
 * many of its nodes; the result is in file order.
 */
export function samplePopulation(nodes: readonly CrawledNode[], count: number, rng: SimRng): CrawledNode[] {
  if (count >= nodes.length) return [...nodes];
  const byNet = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    const l = byNet.get(n.network);
    if (l === undefined) byNet.set(n.network, [i]);
    else l.push(i);
  });
  const nets = [...byNet.keys()];
  const exact = nets.map((net) => (byNet.get(net)!.length * count) / nodes.length);
  const take = exact.map(Math.floor);
  let left = count - take.reduce((a, b) => a + b, 0);
  const order = nets.map((_, k) => k).sort((a, b) => exact[b]! - take[b]! - (exact[a]! - take[a]!) || a - b);
  for (const k of order) {
    if (left === 0) break;
    take[k]!++;
    left--;
  }
  const chosen: number[] = [];
  nets.forEach((net, k) => {
    const idx = rng.fork(`network/${net}`).shuffle([...byNet.get(net)!]);
    chosen.push(...idx.slice(0, take[k]!));
  });
  chosen.sort((a, b) => a - b);
  return chosen.map((i) => nodes[i]!);
}
