// The world's transaction source: new transactions appear network-wide as a Poisson process of a
// given rate, each at one running node drawn uniformly (as if a wallet there broadcast it), with
// ids 1, 2, 3... It only submits; relay is each node's PeerManager (connman/net_processing/tx.ts). Off
// unless a scenario creates one with a positive rate: then it holds exactly one pending kernel event.

import { samplerFor, seconds, type DistributionSpec, type Micros, type Rng, type Sampler } from '../../sim/index.ts';
import type { World } from './world.ts';

export interface TxSourceOptions {
  /** Network-wide transactions per second; 0 schedules nothing. */
  ratePerSecond: number;
  /** The gap distribution instead of exponential gaps of 1/rate (µs), e.g. from `--set txArrivals=…`. */
  interval?: DistributionSpec;
  /** Default: the world's stream forked as 'tx-source'. */
  rng?: Rng;
  /** First possible arrival (kernel time). Default: now. */
  startMicros?: Micros;
}

export class TxSource {
  /** Transactions submitted so far (also the last id). */
  submitted = 0;
  private readonly rng: Rng;
  private readonly meanGapMicros: number;
  private readonly gap: Sampler | undefined;

  constructor(
    private readonly world: World,
    opts: TxSourceOptions,
  ) {
    if (!(opts.ratePerSecond >= 0) || !Number.isFinite(opts.ratePerSecond)) throw new RangeError(`tx source: rate must be finite and >= 0, got ${opts.ratePerSecond}`);
    this.rng = opts.rng ?? world.rng.fork('tx-source');
    this.gap = opts.interval !== undefined ? samplerFor(this.rng, opts.interval) : undefined;
    this.meanGapMicros = this.gap !== undefined ? this.gap.mean : opts.ratePerSecond > 0 ? seconds(1) / opts.ratePerSecond : Infinity;
    if (this.meanGapMicros === Infinity) return;
    this.scheduleNext(opts.startMicros ?? world.kernel.now());
  }

  private scheduleNext(from: Micros): void {
    const at = from + Math.max(1, this.gap !== undefined ? Math.round(this.gap()) : this.rng.randExpDurationMicros(this.meanGapMicros));
    this.world.kernel.schedule(at, () => this.arrive());
  }

  private arrive(): void {
    const now = this.world.kernel.now();
    const nodes = this.world.nodes;
    const n = nodes[this.rng.randrange(nodes.length)]!;
    if (n.context !== undefined) n.context.peerman.tx.submitTx(++this.submitted);
    this.scheduleNext(now);
  }
}
