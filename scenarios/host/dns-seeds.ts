// The world's DNS seeders: each seed name answers a query with up to 32 addresses drawn from the
// honest nodes currently listening and up, the way real seeders crawl the network and return a
// random sample of good nodes. Scenarios can poison a seed (it then answers with a fixed list,
// e.g. attacker addresses) or silence it (empty answer: Core then falls back to an addr-fetch
// connection to the seed name). It does not resolve names of ordinary hosts.

import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import type { Rng as SimRng } from '../../sim/index.ts';

/** Core: net.cpp ThreadDNSAddressSeed's nMaxIPs. */
export const DNS_SEED_MAX_RESULTS = 32;

/** Mainnet's seed host names (kernel/chainparams.cpp); the simulation only uses them as labels. */
export const MAINNET_DNS_SEEDS: readonly string[] = [
  'seed.bitcoin.sipa.be.',
  'dnsseed.bluematt.me.',
  'seed.bitcoin.jonasschnelli.ch.',
  'seed.btc.petertodd.net.',
  'seed.bitcoin.sprovoost.nl.',
  'dnsseed.emzy.de.',
  'seed.bitcoin.wiz.biz.',
];

export class WorldDnsSeeds {
  private readonly poisoned = new Map<string, readonly NetAddr[]>();
  /** Queries answered so far, by seed name (insertion order). */
  readonly queries = new Map<string, number>();

  /**
   * @param candidates returns the addresses a seeder would list right now (listening honest nodes
   *   that are up), in a fixed order.
   */
  constructor(
    private readonly rng: SimRng,
    private readonly candidates: () => readonly NetAddr[],
  ) {}

  /** Makes `seed` answer with exactly these addresses (an empty list silences it). */
  poison(seed: string, addresses: readonly NetAddr[]): void {
    this.poisoned.set(seed, [...addresses]);
  }

  /** Back to honest answers. */
  heal(seed: string): void {
    this.poisoned.delete(seed);
  }

  /** A seeder's answer: up to `max` (<= 32) distinct addresses, sampled without replacement. */
  resolve(seed: string, max = DNS_SEED_MAX_RESULTS): NetAddr[] {
    this.queries.set(seed, (this.queries.get(seed) ?? 0) + 1);
    const limit = Math.min(max, DNS_SEED_MAX_RESULTS);
    const fixed = this.poisoned.get(seed);
    if (fixed !== undefined) return fixed.slice(0, limit);
    const pool = [...this.candidates()];
    const n = Math.min(limit, pool.length);
    // Partial Fisher-Yates: the first n entries become a uniform sample.
    for (let i = 0; i < n; i++) {
      const j = i + this.rng.randrange(pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, n);
  }
}
