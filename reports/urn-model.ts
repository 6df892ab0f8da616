// The analytic urn model of eclipse attacks of the public repository virtu/p2p-network-research
// (eclipse-attack-asmap/04_model_validation.ipynb and 05_eclipse_probabilities.ipynb, commit
// 35df21f3; its input crawl is prefix-as-mapping/data/reachable-nodes-annotated-2024-01-25.csv,
// the file ../shared/data/reachable-nodes-2024-01-25.csv byte for byte), implemented here so that
// the eclipse table can stand beside it. Paraphrased from the notebooks (no code copied):
//
// - Outbound selection is a draw without replacement of `num_outbound_conns` = 10 buckets (8
//   full-relay + 2 block-relay-only; one connection per netgroup, or per AS with asmap) from an
//   urn holding one ball per honest bucket, weighted by the number of reachable nodes in it, and
//   `num_bad_buckets` attacker balls, each weighted `bad_bucket_size` = attacker nodes / attacker
//   buckets. That is the multivariate Wallenius noncentral hypergeometric distribution
//   (p_eclipse_wallenius, computed there with Agner Fog's BiasedUrn dMWNCHypergeo).
// - The eclipse probability is the probability that all 10 balls drawn are the attacker's.
// - The notebook shows (and asserts: "assert num_bad_netgroups == num_bad_asn") that lumping every
//   honest bucket into one ball of weight sum(sizes) gives the same value (p_eclipse_wallenius_fast),
//   so the honest side enters only through its total node count, and netgroup and AS bucketing give
//   the same probability for the same attacker buckets; asmap changes an attacker's cost only by
//   changing how many buckets its addresses form.
//
// With no honest ball drawn, every draw sees the whole honest weight G, so the all-attacker
// probability is the product over the 10 draws of (remaining attacker weight) / (remaining attacker
// weight + G): exactly Wallenius' sequential definition. `walleniusAllAttackerIntegral` evaluates
// Fog's integral form of the same pmf as a cross-check (the unit test holds them equal).
//
// What the model does not see (why connsim's numbers differ): AddrMan's tables (what the victim
// knows is not the reachable network weighted by node count), Select's new/tried choice, feelers,
// test-before-evict, eviction, anchors, block-relay rotation and restarts; it is a single draw.

/** One row of the crawl: `address,network,netgroup,asn`. */
export interface CrawlNode {
  address: string;
  network: 'ipv4' | 'ipv6';
  netgroup: string;
  asn: string;
}

/** The model's outbound draws: Core's 8 full-relay and 2 block-relay-only connections. */
export const URN_OUTBOUND_DRAWS = 10;

/** Parses the crawl CSV (header `address,network,netgroup,asn`); throws on a malformed line. */
export function parseCrawlCsv(text: string): CrawlNode[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0 || lines[0]!.trim() !== 'address,network,netgroup,asn') throw new Error('crawl CSV: the header must be "address,network,netgroup,asn"');
  const out: CrawlNode[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',');
    if (f.length !== 4 || (f[1] !== 'ipv4' && f[1] !== 'ipv6') || f[2] === '' || f[3] === '') throw new Error(`crawl CSV line ${i + 1}: expected address,ipv4|ipv6,netgroup,asn`);
    out.push({ address: f[0]!, network: f[1], netgroup: f[2]!, asn: f[3]! });
  }
  return out;
}

/** Nodes per bucket (netgroup or AS), largest first, optionally for one network (the notebooks' value_counts()). */
export function bucketSizes(nodes: readonly CrawlNode[], by: 'netgroup' | 'asn', network?: 'ipv4' | 'ipv6'): number[] {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    if (network !== undefined && n.network !== network) continue;
    const key = by === 'netgroup' ? n.netgroup : n.asn;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()].sort((a, b) => b - a);
}

/**
 * P(all `draws` balls are the attacker's): honest buckets of total weight `honestWeight`, attacker
 * `attackerBuckets` balls of weight `attackerBucketSize` each (p_eclipse_wallenius_fast's value).
 * 0 when the attacker has fewer buckets than draws (one connection per bucket).
 */
export function urnEclipseProbability(honestWeight: number, attackerBuckets: number, attackerBucketSize: number, draws: number = URN_OUTBOUND_DRAWS): number {
  if (!(honestWeight >= 0) || !(attackerBucketSize > 0) || !Number.isInteger(attackerBuckets) || attackerBuckets < 0) throw new Error('urnEclipseProbability: bad arguments');
  if (attackerBuckets < draws) return 0;
  let p = 1;
  for (let i = 0; i < draws; i++) {
    const bad = (attackerBuckets - i) * attackerBucketSize;
    p *= bad / (bad + honestWeight);
  }
  return p;
}

/**
 * The same probability from Fog's integral form of the multivariate Wallenius pmf,
 * prod C(m_i, x_i) · ∫_0^1 prod (1 − t^{ω_i/d})^{x_i} dt with d = Σ ω_i (m_i − x_i), for x = (0 honest,
 * `draws` attacker): C(B, draws) · ∫_0^1 (1 − t^{w/d})^draws dt, d = G + w (B − draws). Evaluated
 * by composite Simpson's rule after the substitution t = u^k that smooths the integrand near 0.
 */
export function walleniusAllAttackerIntegral(honestWeight: number, attackerBuckets: number, attackerBucketSize: number, draws: number = URN_OUTBOUND_DRAWS, steps = 20000): number {
  if (attackerBuckets < draws) return 0;
  const d = honestWeight + attackerBucketSize * (attackerBuckets - draws);
  const r = attackerBucketSize / d;
  // ∫_0^1 (1 − t^r)^n dt with t = u^k: ∫_0^1 (1 − u^{kr})^n k u^{k−1} du; k = 1/r makes u^{kr} = u.
  const k = 1 / r;
  const f = (u: number): number => (u <= 0 ? 0 : Math.pow(1 - u, draws) * k * Math.pow(u, k - 1));
  let sum = f(0) + f(1);
  const h = 1 / steps;
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  const integral = (sum * h) / 3;
  let binom = 1;
  for (let i = 0; i < draws; i++) binom = (binom * (attackerBuckets - i)) / (i + 1);
  return binom * integral;
}

/** One attacker of the eclipse table's grid, as the urn model sees it. */
export interface UrnAttacker {
  label: string;
  /** Attacker addresses (nodes) in total. */
  addresses: number;
  /** Attacker buckets: /16s (asmap off) or ASes (asmap on). */
  buckets: number;
}

export interface UrnPrediction extends UrnAttacker {
  honestWeight: number;
  probability: number;
}

/** The urn model's eclipse probability for each attacker against the crawl's reachable nodes. */
export function urnPredictions(crawl: readonly CrawlNode[], attackers: readonly UrnAttacker[]): UrnPrediction[] {
  const honestWeight = crawl.length;
  return attackers.map((a) => ({ ...a, honestWeight, probability: urnEclipseProbability(honestWeight, a.buckets, a.addresses / a.buckets) }));
}

/**
 * The smallest attacker address count at which the model's probability reaches `target`, for an
 * attacker whose bucket count is `bucketsOf(addresses)` (a botnet: one bucket per address), by
 * bisection over whole addresses up to `max`; null when not reached by `max`.
 */
export function urnCrossing(honestWeight: number, target: number, bucketsOf: (addresses: number) => number, max: number): number | null {
  const p = (t: number): number => urnEclipseProbability(honestWeight, bucketsOf(t), t / bucketsOf(t));
  if (p(max) < target) return null;
  let lo = 1;
  let hi = max;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (p(mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
