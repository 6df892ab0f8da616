// The clocks of a functional test, with Core's mocktime semantics (rpc/node.cpp setmocktime,
// util/time.cpp NodeClock): a shared "real" clock that moves only while the test waits, and per
// node a mock time that, once set, freezes that node's NodeClock at the given second. A node's timers
// (Core's loop passes) live in its NodeScheduler: after the clock jumps, every timer due at or before
// the new time runs at the new time — the next pass of Core's loops sees the jump — rather than at
// its own due time. Nothing runs by itself: the framework drains the schedulers (framework.ts).

import { TimerQueue, type Micros, type NodeClock, type Scheduler, type TimerHandle } from '../../connman/index.ts';

/** The wall clock of a test: starts at a fixed second and moves only when the test waits. */
export class RealClock {
  constructor(public micros: Micros) {}
}

/**
 * One node's NodeClock and timers. `mockSeconds` null means the node reads the real clock
 * (Core's mocktime 0); otherwise it reads exactly that second, frozen.
 */
export class NodeScheduler implements Scheduler, NodeClock {
  private mock: number | null;
  /** The time the clock last jumped from (null: it runs with the wall clock, continuously). */
  private jumpedFrom: Micros | null = null;
  private readonly timers = new TimerQueue();

  constructor(
    private readonly real: RealClock,
    mockSeconds: number | null = null,
  ) {
    this.mock = mockSeconds;
    if (mockSeconds !== null) this.jumpedFrom = real.micros;
  }

  /** The frozen time, seconds (null: the wall clock). */
  get mockSeconds(): number | null {
    return this.mock;
  }

  /** Core's SetMockTime: freezes the clock at `seconds` (null: back to the wall clock); a change is a jump. */
  setMockSeconds(seconds: number | null): void {
    const before = this.nowMicros();
    this.mock = seconds;
    if (seconds === null) this.jumpedFrom = null;
    else if (seconds * 1_000_000 !== before) this.jumpedFrom = before;
  }

  nowMicros(): Micros {
    return this.mock !== null ? this.mock * 1_000_000 : this.real.micros;
  }

  jumpedFromMicros(): Micros | null {
    return this.jumpedFrom;
  }

  schedule(atMicros: Micros, fn: () => void): TimerHandle {
    return this.timers.schedule(atMicros, fn);
  }

  register(handler: (arg: number) => void): number {
    return this.timers.register(handler);
  }

  at(atMicros: Micros, kind: number, arg: number): TimerHandle {
    return this.timers.at(atMicros, kind, arg);
  }

  cancel(handle: TimerHandle): boolean {
    return this.timers.cancel(handle);
  }

  /** The earliest pending timer's due time (Infinity when none). */
  nextDue(): Micros {
    return this.timers.nextDue();
  }

  /** Runs the earliest timer due now (in due-time, then scheduling order); false if none is due. */
  runOne(): boolean {
    const t = this.timers.popDue(this.nowMicros());
    if (t === null) return false;
    t.fn();
    return true;
  }

  /** Drops every timer (the node stopped). */
  clear(): void {
    this.timers.clear();
  }
}
