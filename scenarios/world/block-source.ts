// The world's block source: new blocks of the one simulated chain appear as a renewal process
// (exponential gaps of 10 minutes by default: a Poisson process) and are handed to running nodes as
// if mined there; the P2P layer (connman/net_processing/blocks.ts) spreads them from there. With
// `pools`, each block appears at one pool's gateway node, the pool drawn by its hash-rate share, as
// blocks enter the real network from a handful of pools' nodes. The source can be stalled and
// resumed, to provoke stale tips. No forks or stale blocks (about 0.03 % of blocks since 2020).

import type { BlockRef } from '../../connman/net_processing/blocks.ts';
import { AliasTable, exponential, minutes, samplerFor, type DistributionSpec, type Micros, type Rng, type Sampler } from '../../sim/index.ts';
import type { World } from './world.ts';

/**
 * Hash-rate shares of the mining pools that found blocks in the 7 days before 2022-12-14
 * (Blockchain.com, as reproduced in pkel/cpr's btc-network post): Foundry 24.8 %, AntPool 20.1,
 * F2Pool 15.1, Binance 13.7, ViaBTC 10.4, Braiins 5.3, Poolin 2.5, BTC.com 1.9, Luxor 1.6, Mara 1.5,
 * unknown about 1 (one gateway here). Normalised when used.
 */
export const POOL_HASH_SHARES: readonly number[] = [24.8, 20.1, 15.1, 13.7, 10.4, 5.3, 2.5, 1.9, 1.6, 1.5, 1.0];

export interface BlockSourceOptions {
  /** Mean time between blocks (exponential gaps). Default 10 minutes. */
  meanIntervalMicros?: Micros;
  /** The gap distribution instead (µs), e.g. from `--set blockInterval=…`. */
  interval?: DistributionSpec;
  /** Which node indices receive each new block from outside the P2P network. Default: node 0 only. Ignored with `pools`. */
  feeds?: (nodeIndex: number) => boolean;
  /**
   * Pools' hash shares (e.g. POOL_HASH_SHARES): each block appears at the gateway node of one
   * pool drawn by share. A pool's gateway is a listening node chosen when the pool finds its first
   * block (so scenario roles picked at the start can be kept out); one that is down passes the
   * block to another running listening node, as a pool's other nodes would.
   */
  pools?: readonly number[];
  /** Nodes never chosen as a gateway (victims). */
  gatewayExempt?: (nodeIndex: number) => boolean;
}

export class BlockSource {
  private height: number;
  private readonly interval: Sampler;
  private readonly feeds: (nodeIndex: number) => boolean;
  private readonly pools: AliasTable | undefined;
  private readonly gateways: (number | undefined)[] = [];
  private readonly poolRng: Rng;
  private readonly gatewayExempt: (nodeIndex: number) => boolean;
  /** Blocks each node index was handed (gateway counts, for tests and reports). */
  readonly minedAt = new Map<number, number>();
  private timer = 0;
  private running = false;
  /** Blocks produced so far. */
  produced = 0;

  constructor(
    private readonly world: World,
    opts: BlockSourceOptions = {},
  ) {
    this.height = world.genesis.height;
    const rng = world.rng.fork('block-source');
    this.interval = opts.interval !== undefined ? samplerFor(rng, opts.interval) : exponential(rng, { mean: opts.meanIntervalMicros ?? minutes(10) });
    this.feeds = opts.feeds ?? ((i) => i === 0);
    this.pools = opts.pools !== undefined ? new AliasTable(opts.pools) : undefined;
    this.poolRng = world.rng.fork('block-source/pools');
    this.gatewayExempt = opts.gatewayExempt ?? (() => false);
  }

  /** The newest block produced (the genesis before any). */
  tip(): BlockRef {
    return this.height === this.world.genesis.height ? this.world.genesis : { height: this.height, timeSeconds: this.lastTime };
  }
  private lastTime = 0;

  /** Starts (or resumes) the Poisson process from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.armNext();
  }

  /** Stops producing blocks until `start` is called again. */
  stall(): void {
    this.running = false;
    if (this.timer !== 0) this.world.kernel.cancel(this.timer);
    this.timer = 0;
  }

  /** Produces one block now and hands it to the fed nodes that are running. */
  mineNow(): BlockRef {
    this.height++;
    this.lastTime = Math.floor(this.world.clock.nowMicros() / 1_000_000);
    const b: BlockRef = { height: this.height, timeSeconds: this.lastTime };
    this.produced++;
    if (this.pools !== undefined) {
      const at = this.gatewayFor(this.pools.sample(this.poolRng));
      if (at !== undefined) {
        this.world.nodes[at]!.context?.blocks?.submitBlock(b);
        this.minedAt.set(at, (this.minedAt.get(at) ?? 0) + 1);
      }
      return b;
    }
    for (const n of this.world.nodes) {
      if (!this.feeds(n.index)) continue;
      n.context?.blocks?.submitBlock(b);
    }
    return b;
  }

  /** The running node where pool `p`'s block appears: its gateway, or another listening node while the gateway is down. */
  private gatewayFor(p: number): number | undefined {
    const eligible = (i: number): boolean => {
      const n = this.world.nodes[i]!;
      return n.listening && n.context !== undefined && !this.gatewayExempt(i);
    };
    let g = this.gateways[p];
    if (g === undefined) {
      const taken = new Set(this.gateways.filter((x): x is number => x !== undefined));
      const free = this.world.nodes.filter((n) => eligible(n.index) && !taken.has(n.index)).map((n) => n.index);
      const pool = free.length > 0 ? free : this.world.nodes.filter((n) => eligible(n.index)).map((n) => n.index);
      if (pool.length === 0) return undefined;
      g = pool[this.poolRng.randrange(pool.length)]!;
      this.gateways[p] = g;
    }
    if (eligible(g)) return g;
    const running = this.world.nodes.filter((n) => eligible(n.index)).map((n) => n.index);
    return running.length > 0 ? running[this.poolRng.randrange(running.length)] : undefined;
  }

  private armNext(): void {
    const delay = Math.max(1, Math.round(this.interval()));
    this.timer = this.world.kernel.scheduleAfter(delay, () => {
      this.timer = 0;
      if (!this.running) return;
      this.mineNow();
      this.armNext();
    });
  }
}
