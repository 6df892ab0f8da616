import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { heilmanEclipseProbability, heilmanQ, heilmanTriedProbability } from './heilman-model.ts';
import { bucketSizes, parseCrawlCsv, urnCrossing, urnEclipseProbability, urnPredictions, walleniusAllAttackerIntegral } from './urn-model.ts';

const CRAWL = join(import.meta.dirname, '..', '..', 'shared', 'data', 'reachable-nodes-2024-01-25.csv');

describe('urn model (virtu/p2p-network-research)', () => {
  const crawlIt = existsSync(CRAWL) ? it : it.skip;
  if (!existsSync(CRAWL)) console.log(`urn-model.test: ${CRAWL} is absent; the crawl tests are skipped`);

  crawlIt('buckets the crawl as the repository does: the counts its monte_carlo.ipynb prints', () => {
    const crawl = parseCrawlCsv(readFileSync(CRAWL, 'utf8'));
    // prefix-as-mapping/monte_carlo.ipynb, cell 1's output (commit 09397118):
    //   reachable nodes: ipv4=6298, ipv6=1935, ipv4/ipv6=8233
    //   netgroups: ipv4=3591, ipv6=418, ipv4/ipv6=4009, total_addresses=8233
    //   as: ipv4=1062, ipv6=448, ipv4/ipv6=1191, total_addresses=8233
    expect(crawl.filter((n) => n.network === 'ipv4').length).toBe(6298);
    expect(crawl.filter((n) => n.network === 'ipv6').length).toBe(1935);
    expect(crawl.length).toBe(8233);
    expect(bucketSizes(crawl, 'netgroup', 'ipv4').length).toBe(3591);
    expect(bucketSizes(crawl, 'netgroup', 'ipv6').length).toBe(418);
    expect(bucketSizes(crawl, 'netgroup').length).toBe(4009);
    expect(bucketSizes(crawl, 'asn', 'ipv4').length).toBe(1062);
    expect(bucketSizes(crawl, 'asn', 'ipv6').length).toBe(448);
    expect(bucketSizes(crawl, 'asn').length).toBe(1191);
    expect(bucketSizes(crawl, 'netgroup').reduce((a, b) => a + b, 0)).toBe(8233);
    expect(bucketSizes(crawl, 'asn').reduce((a, b) => a + b, 0)).toBe(8233);
  });

  crawlIt('netgroup and AS bucketing give the same probability (the assertion of 05_eclipse_probabilities.ipynb)', () => {
    const crawl = parseCrawlCsv(readFileSync(CRAWL, 'utf8'));
    const g = bucketSizes(crawl, 'netgroup').reduce((a, b) => a + b, 0);
    const a = bucketSizes(crawl, 'asn').reduce((x, y) => x + y, 0);
    for (const [nodes, buckets] of [[20_000, 50], [100_000, 400], [3_000_000, 10]] as const) {
      expect(urnEclipseProbability(g, buckets, nodes / buckets)).toBe(urnEclipseProbability(a, buckets, nodes / buckets));
    }
    const [p] = urnPredictions(crawl, [{ label: 'botnet 163000', addresses: 163_000, buckets: 163_000 }]);
    expect(p!.honestWeight).toBe(8233);
    // ∏_{i<10} (163000 − i) / (163000 − i + 8233)
    let expected = 1;
    for (let i = 0; i < 10; i++) expected *= (163_000 - i) / (163_000 - i + 8233);
    expect(p!.probability).toBeCloseTo(expected, 12);
  });

  it("the sequential product equals Fog's integral form of the Wallenius pmf", () => {
    for (const [g, b, w] of [[8233, 50, 400], [8233, 400, 250], [8233, 12, 3000], [4009, 1000, 1], [100, 10, 7]] as const) {
      const seq = urnEclipseProbability(g, b, w);
      const integral = walleniusAllAttackerIntegral(g, b, w);
      expect(Math.abs(seq - integral)).toBeLessThan(1e-6 + 1e-6 * seq);
    }
  });

  it('needs at least as many attacker buckets as draws, and rises with addresses', () => {
    expect(urnEclipseProbability(8233, 9, 1e6)).toBe(0);
    expect(urnEclipseProbability(8233, 10, 1e9)).toBeGreaterThan(0.99);
    expect(urnEclipseProbability(8233, 1000, 10)).toBeGreaterThan(urnEclipseProbability(8233, 1000, 5));
    const t50 = urnCrossing(8233, 0.5, (t) => t, 10_000_000)!;
    expect(urnEclipseProbability(8233, t50, 1)).toBeGreaterThanOrEqual(0.5);
    expect(urnEclipseProbability(8233, t50 - 1, 1)).toBeLessThan(0.5);
  });
});

describe("Heilman et al.'s model", () => {
  it('Eq. (1): more outbound connections shift the draw to new', () => {
    expect(heilmanTriedProbability(4096, 4096, 0)).toBeCloseTo(0.9, 12);
    expect(heilmanTriedProbability(4096, 4096, 8)).toBeCloseTo(1 / 10, 12);
    expect(heilmanTriedProbability(0, 4096, 0)).toBe(0);
  });

  it('reduces to f^8 when new holds no honest online entry and every honest tried entry is online', () => {
    const m = { tried: 4096, fresh: 16384, triedAttacker: 0.9, newAttacker: 0, triedOnline: 1 };
    for (const q of heilmanQ(m)) expect(q).toBeCloseTo(0.9, 12);
    expect(heilmanEclipseProbability(m)).toBeCloseTo(0.9 ** 8, 12);
    // Offline honest entries raise q: the victim retries past them.
    expect(heilmanEclipseProbability({ ...m, triedOnline: 0.2 })).toBeGreaterThan(0.9 ** 8);
  });
});
