// Node churn: each honest node alternates up sessions and down times, both Weibull-distributed
// (measurements of the Bitcoin network find heavy-tailed session lengths, which a Weibull shape
// below 1 gives), and ends each session with a crash (no files written, peers notice by timeout)
// or a graceful stop, by `crashShare`. Event-driven: exactly one pending kernel timer per churning
// node (its session end while up, its restart while down), never a poll. Each node draws from its
// own forked stream, so adding or exempting a node never shifts another node's lifetimes.
// It does not start or stop Connmans itself (the world does, through LifetimeHost) and does not
// choose which nodes are exempt (scenarios protect their victims).

import { samplerFor, weibull, type DistributionSpec, type EventHandle, type HandlerKind, type Kernel, type Micros, type Rng as SimRng, type Sampler } from '../../sim/index.ts';

export interface ChurnOptions {
  /** Weibull shape of up-session lengths (< 1: many short sessions and a long tail). */
  sessionShape: number;
  sessionScaleMicros: Micros;
  /** Weibull shape of down times. */
  downtimeShape: number;
  downtimeScaleMicros: Micros;
  /** Share of session ends that are crashes rather than graceful stops, in [0, 1]. */
  crashShare: number;
  /** Any distribution of up-session lengths instead of the Weibull above (world setting sessionLength). */
  session?: DistributionSpec;
  /** Any distribution of down times instead of the Weibull above (world setting downtime). */
  downtime?: DistributionSpec;
}

/** What the churn model needs from the world. */
export interface LifetimeHost {
  readonly kernel: Kernel;
  startNode(index: number): void;
  stopNode(index: number): void;
  crashNode(index: number): void;
  isRunning(index: number): boolean;
}

interface NodeLife {
  readonly rng: SimRng;
  readonly session: Sampler;
  readonly downtime: Sampler;
  /** Kernel time of the one pending timer, or -1. */
  due: Micros;
  /** The pending timer (cancelled whenever it is superseded, so at most one is ever queued). */
  handle: EventHandle | undefined;
  /** What the pending timer does. */
  phase: 'up' | 'down' | 'idle';
  exempt: boolean;
}

/** Session ends and restarts by the churn model so far. */
export interface ChurnCounters {
  crashes: number;
  stops: number;
  restarts: number;
}

export class Lifetimes {
  readonly counters: ChurnCounters = { crashes: 0, stops: 0, restarts: 0 };
  private readonly lives: (NodeLife | undefined)[] = [];
  private readonly kind: HandlerKind;
  /** True while the model itself stops or starts a node (so its own notifications are not mistaken for a scenario's). */
  private acting = false;

  constructor(
    private readonly host: LifetimeHost,
    private readonly rng: SimRng,
    private readonly options: ChurnOptions,
  ) {
    if (!(options.crashShare >= 0 && options.crashShare <= 1)) throw new RangeError(`churn: crashShare must be in [0, 1], got ${options.crashShare}`);
    // Validate the distributions once, with a throwaway stream.
    weibull(rng.fork('check'), { shape: options.sessionShape, scale: options.sessionScaleMicros });
    weibull(rng.fork('check'), { shape: options.downtimeShape, scale: options.downtimeScaleMicros });
    this.kind = host.kernel.register((node) => this.fire(node), 'churn.timer');
  }

  /** Never churn node `index` again (a pending restart after a churn stop still happens). */
  exempt(index: number): void {
    const life = this.life(index);
    life.exempt = true;
    if (life.phase === 'up') this.disarm(life);
  }

  isExempt(index: number): boolean {
    return this.lives[index]?.exempt ?? false;
  }

  /** The node started (by anyone): its session clock starts now. */
  nodeStarted(index: number): void {
    const life = this.life(index);
    if (life.exempt) {
      this.disarm(life);
      return;
    }
    this.arm(index, life, 'up', Math.max(1, Math.round(life.session())));
  }

  /** The node stopped or crashed (by anyone). A stop by a scenario ends the churn of that node until it is started again. */
  nodeRetired(index: number): void {
    if (this.acting) return;
    const life = this.lives[index];
    if (life === undefined) return;
    this.disarm(life);
  }

  /** The time of node `index`'s pending churn event and what it will do, for inspection. */
  pending(index: number): { at: Micros; phase: 'up' | 'down' } | null {
    const life = this.lives[index];
    if (life === undefined || life.phase === 'idle') return null;
    return { at: life.due, phase: life.phase };
  }

  private life(index: number): NodeLife {
    let life = this.lives[index];
    if (life === undefined) {
      const rng = this.rng.fork(`node/${index}`);
      life = {
        rng,
        session:
          this.options.session !== undefined
            ? samplerFor(rng.fork('session'), this.options.session)
            : weibull(rng.fork('session'), { shape: this.options.sessionShape, scale: this.options.sessionScaleMicros }),
        downtime:
          this.options.downtime !== undefined
            ? samplerFor(rng.fork('downtime'), this.options.downtime)
            : weibull(rng.fork('downtime'), { shape: this.options.downtimeShape, scale: this.options.downtimeScaleMicros }),
        due: -1,
        handle: undefined,
        phase: 'idle',
        exempt: false,
      };
      this.lives[index] = life;
    }
    return life;
  }

  private arm(index: number, life: NodeLife, phase: 'up' | 'down', delay: Micros): void {
    this.disarm(life);
    life.phase = phase;
    life.due = this.host.kernel.now() + delay;
    life.handle = this.host.kernel.at(life.due, this.kind, index);
  }

  private disarm(life: NodeLife): void {
    if (life.handle !== undefined) this.host.kernel.cancel(life.handle);
    life.handle = undefined;
    life.phase = 'idle';
    life.due = -1;
  }

  // Superseded timers are cancelled; the `due` check is a second guard.
  private fire(index: number): void {
    const life = this.lives[index];
    if (life === undefined || life.due !== this.host.kernel.now() || life.phase === 'idle') return;
    life.handle = undefined;
    if (life.phase === 'up') {
      if (!this.host.isRunning(index)) {
        this.disarm(life);
        return;
      }
      const crash = life.rng.random() < this.options.crashShare;
      this.acting = true;
      try {
        if (crash) this.host.crashNode(index);
        else this.host.stopNode(index);
      } finally {
        this.acting = false;
      }
      if (crash) this.counters.crashes++;
      else this.counters.stops++;
      this.arm(index, life, 'down', Math.max(1, Math.round(life.downtime())));
    } else {
      this.disarm(life);
      if (this.host.isRunning(index)) return;
      this.counters.restarts++;
      // startNode reports back through nodeStarted, which arms the next session end.
      this.host.startNode(index);
    }
  }
}
