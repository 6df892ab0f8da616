// Parser for Core's seed-node lists (contrib/seeds/nodes_main.txt and friends): one endpoint a
// line — `a.b.c.d:port`, `[ipv6]:port`, `<56 chars>.onion:port`, `<52 chars>.b32.i2p:port`,
// `[fcxx:…]:port` (an fc00::/8 address in a seed list is CJDNS, as generate-seeds.py decides) —
// with `#` comments (the real file notes each clearnet entry's ASN as `# AS<n>`) and blank lines.
// It turns the list into connman Services a World can hand to its honest nodes, and counts the
// ASN comments (real Bitcoin node shares per AS, usable as AS-model weights).
// It does not read files (tests and the CLI do) nor place nodes (world.ts does).

import { NetAddr, Network, parseService, type Service } from '../../connman/protocol/netaddress.ts';

/** A line of a seed list that does not parse. */
export class SeedListError extends Error {
  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    super(`seed list line ${line}: ${reason}: ${JSON.stringify(text)}`);
    this.name = 'SeedListError';
  }
}

/**
 * Parses a seed list into Services in file order. A missing port means 0, as generate-seeds.py
 * writes it (Core's ConvertSeeds keeps it; an I2P seed's port is 0 anyway). Tor v2 entries, which
 * Core's script silently drops, are rejected here like any other unparsable address.
 */
// Core: contrib/seeds/generate-seeds.py process_nodes / parse_spec / name_to_bip155
export function parseSeedList(text: string): Service[] {
  const out: Service[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') continue;
    out.push(parseSeedLine(line, i + 1, raw));
  }
  return out;
}

function parseSeedLine(line: string, lineNo: number, raw: string): Service {
  let host: string;
  let portText: string;
  const bracket = /^\[([0-9a-fA-F:]+)\](?::([0-9]+))?$/.exec(line);
  if (bracket !== null) {
    host = bracket[1]!;
    portText = bracket[2] ?? '';
  } else if ((line.match(/:/g) ?? []).length > 1) {
    host = line;
    portText = '';
  } else {
    const colon = line.indexOf(':');
    host = colon >= 0 ? line.slice(0, colon) : line;
    portText = colon >= 0 ? line.slice(colon + 1) : '';
  }
  if (portText !== '' && !/^[0-9]+$/.test(portText)) throw new SeedListError(lineNo, raw, 'bad port');
  const port = portText === '' ? 0 : Number(portText);
  if (port > 0xffff) throw new SeedListError(lineNo, raw, 'port out of range');
  const isV6 = host.includes(':');
  const r = parseService(isV6 ? `[${host}]:${port}` : `${host}:${port}`, 0);
  if (!r.ok) throw new SeedListError(lineNo, raw, r.error.message);
  let s = r.value;
  if (host.endsWith('.onion') !== s.isTor()) throw new SeedListError(lineNo, raw, 'not a Tor v3 onion address');
  if (host.endsWith('.b32.i2p') !== s.isI2P()) throw new SeedListError(lineNo, raw, 'not an I2P b32 address');
  if (!isV6 && !host.endsWith('.onion') && !host.endsWith('.b32.i2p') && !s.isIPv4()) throw new SeedListError(lineNo, raw, 'not an address');
  if (isV6 && !(s.isIPv6() || s.isIPv4())) throw new SeedListError(lineNo, raw, 'not an IPv6 address');
  // generate-seeds.py: an fc00::/8 seed is a CJDNS node, not an RFC 4193 unique-local address.
  if (s.isIPv6() && s.hasCJDNSPrefix()) s = new NetAddr(Network.NET_CJDNS, s.addr).withPort(s.port);
  if (!s.isRoutable()) throw new SeedListError(lineNo, raw, 'address is not publicly routable');
  return s;
}

/**
 * Counts the `# AS<n>` comments of a seed list: how many listed nodes each ASN holds (the real
 * file's clearnet entries carry them). Keys in first-seen order.
 */
export function asCountsFromSeedList(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /#\s*AS(\d+)\b/.exec(raw);
    if (m === null) continue;
    const asn = Number(m[1]);
    out.set(asn, (out.get(asn) ?? 0) + 1);
  }
  return out;
}
