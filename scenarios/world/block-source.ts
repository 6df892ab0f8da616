// The world's block source: new blocks of the one simulated chain appear as a Poisson process
// (10-minute mean by default) and are handed to a chosen subset of the running nodes as if mined
// there; the P2P layer (connman/net_processing/blocks.ts) spreads them from there. The source can be
// stalled and resumed, to provoke stale tips. It holds no mining model (hash rate, forks, orphans).

import type { BlockRef } from '../../connman/net_processing/blocks.ts';
import { exponential, minutes, type Micros, type Sampler } from '../../sim/index.ts';
import type { World } from './world.ts';

export interface BlockSourceOptions {
  /** Mean time between blocks. Default 10 minutes. */
  meanIntervalMicros?: Micros;
  /** Which node indices receive each new block from outside the P2P network. Default: node 0 only. */
  feeds?: (nodeIndex: number) => boolean;
}

export class BlockSource {
  private height: number;
  private readonly interval: Sampler;
  private readonly feeds: (nodeIndex: number) => boolean;
  private timer = 0;
  private running = false;
  /** Blocks produced so far. */
  produced = 0;

  constructor(
    private readonly world: World,
    opts: BlockSourceOptions = {},
  ) {
    this.height = world.genesis.height;
    this.interval = exponential(world.rng.fork('block-source'), { mean: opts.meanIntervalMicros ?? minutes(10) });
    this.feeds = opts.feeds ?? ((i) => i === 0);
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
    for (const n of this.world.nodes) {
      if (!this.feeds(n.index)) continue;
      n.context?.blocks?.submitBlock(b);
    }
    return b;
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
