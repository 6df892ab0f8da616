// Real-time mode: a world's virtual clock paced to the wall clock. The kernel runs in slices up to
// "virtual start + wall time elapsed" and never beyond it, so the simulation is never ahead of the
// wall clock; between slices Node's event loop serves sockets (gateway.ts), and an event from
// outside first calls `catchUp` so it enters the world at the instant it arrived. A simulated
// world is far faster than real time for small worlds, so it mostly sleeps until its next event.
// When a slice cannot catch up (more events due than the machine runs in real time), the pacer
// says so: a "behind" episode starts when the virtual clock trails the wall clock by more than the
// threshold, and ends when it caught up; episodes, the worst lag and the time spent behind are
// reported. A real-time run is not deterministic (its inputs arrive from outside at wall-clock
// instants): it has no digest to reproduce.

import type { Micros } from '../sim/index.ts';

/** What the pacer drives: a kernel, or a run driver over one. */
export interface Paced {
  /** The virtual time now. */
  now(): Micros;
  /** Runs events with time <= until (at most maxEvents); leaves the clock at `until` if all ran. */
  runUntil(until: Micros, maxEvents: number): number;
  /** The next pending event's time, or undefined. */
  nextEventAt(): Micros | undefined;
}

export interface PacerOptions {
  /** Virtual time at which the run ends (the pacer stops there); default: never. */
  endMicros?: Micros;
  /** Lag beyond which the run counts as behind (default 100 ms). */
  behindThresholdMicros?: Micros;
  /** Events per slice before Node's event loop gets a turn (default 20 000). */
  sliceEvents?: number;
  /** Longest sleep between slices, so progress reports and the end are timely (default 200 ms). */
  maxSleepMicros?: Micros;
  /** Wall clock in microseconds (tests inject one). */
  wallMicros?: () => Micros;
  /** A behind episode started (lag now) or ended (after lasting `forMicros`, worst lag `maxLagMicros`). */
  onBehind?: (e: { phase: 'start'; atMicros: Micros; lagMicros: Micros } | { phase: 'end'; atMicros: Micros; forMicros: Micros; maxLagMicros: Micros }) => void;
  /** The run reached endMicros. */
  onEnd?: () => void;
}

export interface PacerStats {
  /** Virtual time paced so far. */
  pacedMicros: Micros;
  /** Behind episodes so far. */
  behindEpisodes: number;
  /** Worst lag of the virtual clock behind the wall clock. */
  maxLagMicros: Micros;
  /** Wall time spent behind. */
  behindMicros: Micros;
  /** Slices run. */
  slices: number;
}

const defaultWall = (): Micros => Math.round(performance.now() * 1000);

export class RealTimePacer {
  private readonly wall: () => Micros;
  private wallStart = 0;
  private virtualStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private behindSince: Micros | null = null;
  private episodeMaxLag = 0;
  private readonly s: PacerStats = { pacedMicros: 0, behindEpisodes: 0, maxLagMicros: 0, behindMicros: 0, slices: 0 };

  constructor(
    private readonly target: Paced,
    private readonly o: PacerOptions = {},
  ) {
    this.wall = o.wallMicros ?? defaultWall;
  }

  /** Starts pacing from the current virtual time, tied to the wall clock now, on Node's timers. */
  start(): void {
    if (this.running) return;
    this.begin();
    this.tick();
  }

  /**
   * Ties the current virtual time to the wall clock now, for a caller that runs its own slice loop
   * (the CLI's run): it runs each slice up to `wallTarget()`, then sleeps what `settle()` says.
   */
  begin(): void {
    this.running = true;
    this.wallStart = this.wall();
    this.virtualStart = this.target.now();
  }

  /** Stops pacing; a behind episode still open is closed (and reported) here. */
  stop(): void {
    if (this.running && this.behindSince !== null) this.endEpisode();
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Where the virtual clock should be now: never later than the wall clock. */
  wallTarget(): Micros {
    const t = this.virtualStart + (this.wall() - this.wallStart);
    return this.o.endMicros === undefined ? t : Math.min(t, this.o.endMicros);
  }

  /**
   * Runs the world up to the wall clock now (every event already due), so that an outside event
   * handled next happens at the current instant. Safe to call from socket callbacks.
   */
  catchUp(): void {
    if (!this.running) return;
    const until = this.wallTarget();
    if (until > this.target.now()) this.runTo(until, Infinity);
  }

  stats(): PacerStats {
    return { ...this.s, pacedMicros: this.target.now() - this.virtualStart };
  }

  private runTo(until: Micros, maxEvents: number): void {
    this.target.runUntil(until, maxEvents);
    this.s.slices++;
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (!this.running) return;
    const until = this.wallTarget();
    if (until > this.target.now() || this.target.nextEventAt() === until) this.runTo(until, this.o.sliceEvents ?? 20_000);
    const sleepMicros = this.settle();
    if (this.o.endMicros !== undefined && this.target.now() >= this.o.endMicros) {
      this.stop();
      this.o.onEnd?.();
      return;
    }
    this.timer = setTimeout(this.tick, Math.ceil(sleepMicros / 1000));
  };

  /**
   * After a slice: measures the lag (starting or ending a behind episode) and returns how long to
   * sleep before the next slice: nothing while behind, else until the next event falls due (at
   * most maxSleepMicros, and not past the end).
   */
  settle(): Micros {
    this.measureLag();
    if (this.behindSince !== null) return 0;
    const now = this.target.now();
    const next = this.target.nextEventAt();
    const maxSleep = this.o.maxSleepMicros ?? 200_000;
    const ahead = next === undefined ? maxSleep : next - this.wallTarget();
    return Math.max(0, Math.min(maxSleep, ahead, this.o.endMicros === undefined ? Infinity : this.o.endMicros - now));
  }

  private measureLag(): void {
    const lag = this.wallTarget() - this.target.now();
    const next = this.target.nextEventAt();
    // Behind only when events that are already due are still waiting.
    const due = next !== undefined && next <= this.wallTarget();
    const threshold = this.o.behindThresholdMicros ?? 100_000;
    const wallNow = this.wall();
    if (due && lag > threshold) {
      if (lag > this.s.maxLagMicros) this.s.maxLagMicros = lag;
      if (this.behindSince === null) {
        this.behindSince = wallNow;
        this.episodeMaxLag = lag;
        this.s.behindEpisodes++;
        this.o.onBehind?.({ phase: 'start', atMicros: this.target.now(), lagMicros: lag });
      } else if (lag > this.episodeMaxLag) this.episodeMaxLag = lag;
    } else if (this.behindSince !== null) this.endEpisode();
  }

  private endEpisode(): void {
    const forMicros = this.wall() - this.behindSince!;
    this.s.behindMicros += forMicros;
    this.behindSince = null;
    this.o.onBehind?.({ phase: 'end', atMicros: this.target.now(), forMicros, maxLagMicros: this.episodeMaxLag });
  }
}

/** A Paced over a sim Kernel. */
export function pacedKernel(kernel: { now(): Micros; run(o: { until: Micros; maxEvents: number }): number; peekTime(): Micros | undefined }): Paced {
  return {
    now: () => kernel.now(),
    runUntil: (until, maxEvents) => kernel.run({ until, maxEvents }),
    nextEventAt: () => kernel.peekTime(),
  };
}
