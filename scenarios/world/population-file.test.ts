// The crawler CSV (--population): parsing and its one-line errors, Core's reading of what a crawler
// writes (IPv4-mapped addresses, Hurricane Electric's /36), the sample that keeps the network mix,
// and a World whose reachable nodes are the crawl's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/index.ts';
import { PopulationFileError, parsePopulationCsv, samplePopulation } from './population-file.ts';
import { crawlReachableCount, worldOptionsFor } from './population.ts';
import { World } from './world.ts';

const HEADER = 'address,network,netgroup,asn';
const CRAWL = join(import.meta.dirname, '../../../shared/data/reachable-nodes-2024-01-25.csv');

function lineError(text: string): string {
  try {
    parsePopulationCsv(text);
  } catch (e) {
    if (e instanceof PopulationFileError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('parsePopulationCsv', () => {
  it('reads addresses, networks, Core netgroups and ASNs; unknown or empty ASNs are 0', () => {
    const p = parsePopulationCsv(
      [HEADER, '12.34.98.148,ipv4,12.34.0.0/16,AS7018', '2001:470:1f0a:89a::2,ipv6,2001:470:1000::/36,AS6939', '2a01:4f9:3081:3453::2,ipv6,2a01:4f9::/32,unknown', '2.15.0.253,ipv4,2.15.0.0/16,', ''].join('\r\n'),
    );
    expect(p.nodes.map((n) => [n.address.toStringAddr(), n.network, n.asn])).toEqual([
      ['12.34.98.148', 'ipv4', 7018],
      ['2001:470:1f0a:89a::2', 'ipv6', 6939],
      ['2a01:4f9:3081:3453::2', 'ipv6', 0],
      ['2.15.0.253', 'ipv4', 0],
    ]);
    expect([p.sharedIp, p.ipv4Mapped]).toEqual([0, 0]);
  });

  it('reads an IPv4-mapped address labelled ipv6 as Core does (IPv4), and keeps one node per IP', () => {
    const p = parsePopulationCsv([HEADER, '24.183.75.154,ipv4,24.183.0.0/16,AS20115', '::ffff:24.183.75.154,ipv6,::/32,AS20115', '::ffff:5.6.7.8,ipv6,::/32,AS1', '24.183.75.154,ipv4,24.183.0.0/16,AS20115'].join('\n'));
    expect(p.nodes.map((n) => [n.address.toStringAddr(), n.network, n.netgroup])).toEqual([
      ['24.183.75.154', 'ipv4', '24.183.0.0/16'],
      ['5.6.7.8', 'ipv4', '5.6.0.0/16'],
    ]);
    expect([p.sharedIp, p.ipv4Mapped]).toEqual([2, 2]);
  });

  it('bad files: one line naming the line and what is wrong', () => {
    expect(lineError('ip,net\n1.2.3.4,ipv4')).toMatch(/^line 1: expected the header "address,network,netgroup,asn"/);
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.2.0.0/16`)).toBe('line 2: expected 4 fields (address,network,netgroup,asn), got 3');
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.2.0.0/16,AS1\nnot-an-ip,ipv4,1.2.0.0/16,AS1`)).toBe('line 3: not a routable address: "not-an-ip"');
    expect(lineError(`${HEADER}\n10.1.2.3,ipv4,10.1.0.0/16,AS1`)).toBe('line 2: not a routable address: "10.1.2.3"');
    expect(lineError(`${HEADER}\n1.2.3.4,onion,1.2.0.0/16,AS1`)).toBe('line 2: network "onion" but 1.2.3.4 is ipv4');
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.3.0.0/16,AS1`)).toBe("line 2: netgroup 1.3.0.0/16 is not Core's netgroup of 1.2.3.4");
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.2.3.0/24,AS1`)).toBe("line 2: netgroup 1.2.3.0/24 is not Core's netgroup of 1.2.3.4");
    expect(lineError(`${HEADER}\n2001:470:1f0a:89a::2,ipv6,2001:470::/32,AS6939`)).toBe("line 2: netgroup 2001:470::/32 is not Core's netgroup of 2001:470:1f0a:89a::2");
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.2.0.0,AS1`)).toBe('line 2: netgroup "1.2.0.0" is not address/length');
    expect(lineError(`${HEADER}\n1.2.3.4,ipv4,1.2.0.0/16,7018`)).toBe('line 2: ASN "7018" is not AS<number>');
    expect(lineError(`${HEADER}\n\n`)).toBe('line 3: no nodes after the header');
  });

  it('the shared crawl of 2024-01-25 reads as Core would: 7,833 hosts', (ctx) => {
    if (!existsSync(CRAWL)) {
      console.log(`skipped: ${CRAWL} is absent (../shared/data is not beside this checkout)`);
      ctx.skip();
      return;
    }
    const p = parsePopulationCsv(readFileSync(CRAWL, 'utf8'));
    // 8,233 lines: 318 IPv4-mapped addresses labelled ipv6 (309 of them also listed as IPv4), and
    // 400 lines whose IP an earlier line has (nodes on other ports of one IP, or the same node twice).
    expect([p.nodes.length, p.ipv4Mapped, p.sharedIp]).toEqual([7833, 318, 400]);
    const v6 = p.nodes.filter((n) => n.network === 'ipv6').length;
    // Counted independently with awk: unique IPv4 (mapped ones included) and unique IPv6 texts.
    expect([p.nodes.length - v6, v6]).toEqual([6228, 1605]);
  });
});

describe('samplePopulation', () => {
  const nodes = parsePopulationCsv(
    [HEADER, ...Array.from({ length: 30 }, (_, i) => `${i + 20}.1.1.1,ipv4,${i + 20}.1.0.0/16,AS${i}`), ...Array.from({ length: 10 }, (_, i) => `2a01:${(i + 1).toString(16)}::1,ipv6,2a01:${(i + 1).toString(16)}::/32,AS9${i}`)].join('\n'),
  ).nodes;

  it('keeps the network mix (largest remainder), in file order, the same for the same stream', () => {
    const a = samplePopulation(nodes, 8, new Rng('s').fork('x'));
    expect(a.filter((n) => n.network === 'ipv4').length).toBe(6);
    expect(a.filter((n) => n.network === 'ipv6').length).toBe(2);
    const idx = a.map((n) => nodes.indexOf(n));
    expect([...idx].sort((x, y) => x - y)).toEqual(idx);
    expect(samplePopulation(nodes, 8, new Rng('s').fork('x'))).toEqual(a);
    expect(samplePopulation(nodes, 8, new Rng('t').fork('x'))).not.toEqual(a);
    expect(samplePopulation(nodes, 100, new Rng('s'))).toEqual(nodes);
  });

  it('reachable count: the share of the honest nodes, at least 24, at most the crawl', () => {
    expect(crawlReachableCount(1000, 7833, 0.25)).toBe(250);
    expect(crawlReachableCount(60, 7833, 0.25)).toBe(24);
    expect(crawlReachableCount(20, 7833, 0.25)).toBe(20);
    expect(crawlReachableCount(100_000, 7833, 0.25)).toBe(7833);
  });

  it('a World built from it: the sample listens at its addresses, the rest do not, asnOf answers the crawl', () => {
    const opts = worldOptionsFor({ nodes: 40, crawl: { nodes, reachableShare: 0.25 } }, 'crawl');
    const w = new World({ ...opts, natShare: 0.76 });
    const sampled = opts.reachable!;
    expect(sampled.length).toBe(24);
    expect(w.nodes.slice(0, 24).map((n) => [n.service.toStringAddrPort(), n.listening])).toEqual(sampled.map((s) => [s.address.withPort(8333).toStringAddrPort(), true]));
    expect(w.nodes.slice(24).every((n) => !n.listening)).toBe(true);
    expect(w.nodes.slice(24).some((n) => n.behindNat)).toBe(true);
    const crawlIps = new Set(nodes.map((n) => n.address.toStringAddr()));
    expect(w.nodes.slice(24).some((n) => crawlIps.has(n.address.toStringAddr()))).toBe(false);
    for (const s of sampled) expect(w.asnOf(s.address)).toBe(s.asn);
    expect(w.fixedSeedList).toEqual([]);
  });
});
