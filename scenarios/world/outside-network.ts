// The rest of the real network, as far as address relay sees it. Every announcing node's
// self-announcement is relayed while fresh (10 min) to 1-2 peers per hop, which floods nearly the
// whole network; so the address traffic a node sees scales with the number of announcing nodes in
// the whole network (about 33,700), not with its own peers. A smaller world has few announcers and
// 20-100x too little address traffic, and too few distinct addresses in its tables. This process
// adds the floods of the announcing nodes outside the population: each arrives as the first hop
// at a running listening node drawn uniformly (an outside node's outbound peer), whose
// PeerManager relays and stores it as Core does (PeerManager.receiveOutsideAnnouncement); the
// port's own relay floods it on. Outside nodes exist only as addresses: no host listens on them,
// so a connection attempt to one times out (as it does for the 76 % behind NATs; the reachable
// outside nodes, about a quarter, would accept in reality).

import { NODE_NETWORK, NODE_WITNESS, Address } from '../../connman/protocol/protocol.ts';
import type { Service } from '../../connman/protocol/netaddress.ts';
import { samplerFor, type DistributionSpec, type Rng } from '../../sim/index.ts';
import type { World } from './world.ts';

/**
 * Announcing nodes of the real network: the crawl's 7,833 reachable hosts (2024-01-25) plus 76 %
 * of about 34,000 unreachable ones (Grundmann et al., FC 2022), rounded.
 */
export const REAL_ANNOUNCING_NODES = 33_700;
/**
 * Floods of self-announcements per hour in the real network: each announcing node's address
 * floods it about once per AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL (24 h). It announces to each of
 * its peers once a day, but relay targets are fixed per address and day and known-address filters
 * hold what was sent, so the repeats within the day mostly stop at the first hop: 33,700 / 24 h.
 */
export const REAL_FLOODS_PER_HOUR = REAL_ANNOUNCING_NODES / 24;

export interface OutsideNetworkOptions {
  /** Gaps between outside announcements entering the world (network-wide), e.g. poisson(1404/h). */
  gap: DistributionSpec;
  /** Outside announcing nodes (distinct addresses). */
  pool: number;
}

export class OutsideNetwork {
  /** Announcements delivered (first hops), and how many of them were relayed on. */
  delivered = 0;
  relayed = 0;
  private readonly rng: Rng;
  private readonly addrRng: Rng;
  private readonly addresses: Service[] = [];
  private readonly listeners: number[] = [];

  constructor(
    private readonly world: World,
    private readonly opts: OutsideNetworkOptions,
  ) {
    if (!Number.isSafeInteger(opts.pool) || opts.pool < 1) throw new RangeError(`outside network: pool must be a positive integer, got ${opts.pool}`);
    this.rng = world.rng.fork('outside-network');
    this.addrRng = this.rng.fork('addresses');
  }

  /** One network-wide process; it holds one pending kernel event. */
  start(): void {
    const gap = samplerFor(this.rng.fork('gaps'), this.opts.gap);
    const next = (): void => {
      this.world.kernel.schedule(this.world.kernel.now() + Math.max(1, Math.round(gap())), () => {
        this.arrive();
        next();
      });
    };
    next();
  }

  /** The first hop: a running listening node drawn uniformly (none running: the flood is lost). */
  private arrive(): void {
    this.listeners.length = 0;
    for (const n of this.world.nodes) if (n.listening && n.context !== undefined) this.listeners.push(n.index);
    if (this.listeners.length === 0) return;
    this.deliver(this.listeners[this.rng.randrange(this.listeners.length)]!);
  }

  private deliver(index: number): void {
    const ctx = this.world.nodes[index]!.context;
    if (ctx === undefined) return;
    const k = this.rng.randrange(this.opts.pool);
    while (this.addresses.length <= k) this.addresses.push(this.world.freshHonestAddress(this.addrRng));
    // Addresses are made in pool order, whatever order they are drawn in, so the pool is one list.
    const nowS = Math.floor(this.world.clock.nowMicros() / 1_000_000);
    this.delivered++;
    if (ctx.peerman.receiveOutsideAnnouncement(new Address(this.addresses[k]!, NODE_NETWORK | NODE_WITNESS, nowS))) this.relayed++;
  }
}
