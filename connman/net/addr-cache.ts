// CConnman's GETADDR response cache (net.cpp m_addr_response_caches): one cached answer per
// network key of the requestor (the network it reached us through plus the local socket it hit),
// each living 21 h plus a uniform random part of up to 6 h, so repeated GETADDRs from one vantage
// point cannot scrape AddrMan faster than the cache turns over. It holds no AddrMan and no ban
// logic: the uncached source (CConnman::GetAddressesUnsafe) is handed in.

import type { Network } from '../protocol/netaddress.ts';
import type { Micros, Rng } from '../ports.ts';
import type { Address } from '../protocol/protocol.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';

const MICROS_PER_HOUR = 3600 * MICROS_PER_SECOND;
/** The fixed part of a cache entry's lifetime. */
export const ADDR_CACHE_LIFETIME_BASE: Micros = 21 * MICROS_PER_HOUR;
/** The random part: uniform in [0, this). */
export const ADDR_CACHE_LIFETIME_SPREAD: Micros = 6 * MICROS_PER_HOUR;

/** The uncached GetAddresses of the Connman (AddrMan's GetAddr minus banned / discouraged). */
export type GetAddressesUnsafe = (maxAddresses: number, maxPct: number, network: Network | null) => Address[];

/** What the cache needs to know of the node asking. */
export interface AddrCacheRequestor {
  /** CNode::m_network_key. */
  readonly networkKey: bigint;
}

interface CachedAddrResponse {
  addresses: Address[];
  expirationMicros: Micros;
}

// Core: net.h CConnman::CachedAddrResponse and m_addr_response_caches
export class AddrResponseCache {
  /** Keyed by network key; a Map iterates in insertion order, and nothing here iterates it anyway. */
  private readonly caches = new Map<bigint, CachedAddrResponse>();

  constructor(
    private readonly unsafe: GetAddressesUnsafe,
    /** Draws the random part of the lifetime (Core: an ad-hoc FastRandomContext). */
    private readonly rng: Rng,
  ) {}

  /**
   * The cached answer for this requestor's network key, refreshed from `unsafe` once its entry has
   * expired (a new entry counts as expired). Every requestor sharing the key gets the same list.
   */
  // Core: net.cpp CConnman::GetAddresses(CNode&, size_t, size_t)
  getAddresses(requestor: AddrCacheRequestor, maxAddresses: number, maxPct: number, nowMicros: Micros): Address[] {
    let entry = this.caches.get(requestor.networkKey);
    if (entry === undefined) {
      entry = { addresses: [], expirationMicros: 0 };
      this.caches.set(requestor.networkKey, entry);
    }
    if (entry.expirationMicros < nowMicros) {
      entry.addresses = this.unsafe(maxAddresses, maxPct, null);
      // 6 h in microseconds exceeds 2^32: the Rng must accept ranges up to 2^53 (FastRandomContext does).
      entry.expirationMicros = nowMicros + ADDR_CACHE_LIFETIME_BASE + this.rng.randrange(ADDR_CACHE_LIFETIME_SPREAD);
    }
    return entry.addresses;
  }

  /** Number of cache entries (one per network key seen). */
  size(): number {
    return this.caches.size;
  }

  /** The number of addresses in each cached answer, in the order the network keys were first seen (observation only). */
  answerSizes(): number[] {
    return [...this.caches.values()].map((e) => e.addresses.length);
  }

  /** When the entry for `networkKey` expires, or undefined if there is none. */
  expirationOf(networkKey: bigint): Micros | undefined {
    return this.caches.get(networkKey)?.expirationMicros;
  }
}
