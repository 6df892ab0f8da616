// A writable BanMan: discouragement of misbehaving peers' addresses in a rolling bloom filter (as
// Core: probabilistic, forgetting the oldest entries after ~50000 more) and manual address bans
// with an expiry. It satisfies connman.ts's BanList. It does not persist banlist.json, ban subnets,
// or list / unban entries beyond `unban` of one address.

import type { NetAddr } from '../protocol/netaddress.ts';
import type { Rng } from '../ports.ts';
import { RollingBloomFilter } from '../util/rolling-bloom.ts';

// Core: banman.h BanMan::m_discouraged (its constructor arguments)
export const DISCOURAGED_FILTER_ELEMENTS = 50000;
export const DISCOURAGED_FILTER_FP_RATE = 0.000001;
/** Default manual ban length, seconds (-bantime). */
// Core: banman.h DEFAULT_MISBEHAVING_BANTIME
export const DEFAULT_MISBEHAVING_BANTIME = 60 * 60 * 24;

export interface BanManOptions {
  /** Draws the filter's tweak (Core: a fresh FastRandomContext). Drawn only at the first Discourage. */
  rng: Rng;
  /** The node clock in whole seconds, for ban expiry. */
  nowSeconds(): number;
  /** -bantime. Default DEFAULT_MISBEHAVING_BANTIME. */
  defaultBanTimeSeconds?: number;
}

// Core: banman.h BanMan
export class BanMan {
  /** Allocated at the first discouragement, so a node nobody misbehaves towards pays nothing. */
  private discouraged: RollingBloomFilter | null = null;
  /** Address key (hex of the address bytes and network) -> ban end, Unix seconds. */
  private readonly banned = new Map<string, number>();

  constructor(private readonly opts: BanManOptions) {}

  // Core: banman.cpp BanMan::Discourage
  discourage(addr: NetAddr): void {
    if (this.discouraged === null) {
      this.discouraged = new RollingBloomFilter(DISCOURAGED_FILTER_ELEMENTS, DISCOURAGED_FILTER_FP_RATE, this.opts.rng);
    }
    this.discouraged.insert(addr.getAddrBytes());
  }

  // Core: banman.cpp BanMan::IsDiscouraged
  isDiscouraged(addr: NetAddr): boolean {
    return this.discouraged !== null && this.discouraged.contains(addr.getAddrBytes());
  }

  /** Bans one address for `banTimeOffset` seconds from now (or until that Unix time if `sinceUnixEpoch`). */
  // Core: banman.cpp BanMan::Ban (single address; no subnet, no persistence)
  ban(addr: NetAddr, banTimeOffset = 0, sinceUnixEpoch = false): void {
    let offset = banTimeOffset;
    let start = this.opts.nowSeconds();
    if (offset <= 0) {
      offset = this.opts.defaultBanTimeSeconds ?? DEFAULT_MISBEHAVING_BANTIME;
      sinceUnixEpoch = false;
    }
    if (sinceUnixEpoch) start = 0;
    const until = start + offset;
    const key = banKey(addr);
    const prev = this.banned.get(key);
    if (prev !== undefined && prev >= until) return;
    this.banned.set(key, until);
  }

  // Core: banman.cpp BanMan::Unban (single address)
  unban(addr: NetAddr): boolean {
    return this.banned.delete(banKey(addr));
  }

  // Core: banman.cpp BanMan::IsBanned(const CNetAddr&)
  isBanned(addr: NetAddr): boolean {
    // Nothing banned (the usual case): no key to build for every address of every ADDR message.
    if (this.banned.size === 0) return false;
    const until = this.banned.get(banKey(addr));
    return until !== undefined && this.opts.nowSeconds() < until;
  }

  /** Clears manual bans only: discouragements stay until the filter rolls them out. */
  // Core: banman.cpp BanMan::ClearBanned
  clearBanned(): void {
    this.banned.clear();
  }
}

function banKey(addr: NetAddr): string {
  const b = addr.getAddrBytes();
  let s = `${addr.getNetwork()}/`;
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}
