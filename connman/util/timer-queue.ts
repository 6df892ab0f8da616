// The bookkeeping under a Scheduler implementation (ports.ts): timers ordered by due time, then by
// the order they were scheduled, with handles to cancel them and the integer-argument form. The
// unit-test fakes (testing/fake-ports.ts) and the functional-test harness (../../testing/) run their
// clocks over it. It runs nothing itself and knows no clock.

import type { Micros, TimerHandle } from '../ports.ts';

interface Timer {
  readonly at: Micros;
  readonly seq: number;
  readonly handle: TimerHandle;
  readonly fn: () => void;
}

export class TimerQueue {
  private queue: Timer[] = [];
  private seq = 0;
  private nextHandle = 1;
  private readonly kinds: ((arg: number) => void)[] = [];

  schedule(atMicros: Micros, fn: () => void): TimerHandle {
    const handle = this.nextHandle++;
    this.queue.push({ at: atMicros, seq: this.seq++, handle, fn });
    return handle;
  }

  register(handler: (arg: number) => void): number {
    this.kinds.push(handler);
    return this.kinds.length - 1;
  }

  at(atMicros: Micros, kind: number, arg: number, schedule: (at: Micros, fn: () => void) => TimerHandle = (a, f) => this.schedule(a, f)): TimerHandle {
    return schedule(atMicros, () => this.kinds[kind]!(arg));
  }

  cancel(handle: TimerHandle): boolean {
    const i = this.queue.findIndex((t) => t.handle === handle);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** The earliest due time (Infinity when empty). */
  nextDue(): Micros {
    let best = Infinity;
    for (const t of this.queue) if (t.at < best) best = t.at;
    return best;
  }

  /** Removes and returns the earliest timer due at or before `now` (ties: scheduling order), or null. */
  popDue(now: Micros): { at: Micros; fn: () => void } | null {
    let bi = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const t = this.queue[i]!;
      if (t.at > now) continue;
      if (bi < 0) bi = i;
      else {
        const b = this.queue[bi]!;
        if (t.at < b.at || (t.at === b.at && t.seq < b.seq)) bi = i;
      }
    }
    if (bi < 0) return null;
    return this.queue.splice(bi, 1)[0]!;
  }

  get size(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue = [];
  }
}
