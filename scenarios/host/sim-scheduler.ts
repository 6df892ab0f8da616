// The Scheduler port over the simulation kernel: connman's timers (Core's thread wake-ups and
// per-connection deadlines) become kernel events. Times cross the port as Unix µs (the Clock's
// time) and are shifted to kernel time here. Two forms: a closure form for rare timers, and an
// integer form (handler registered once, events carry a number) that allocates nothing per event.
// Deadlines already in the past run at the current instant, after the events already queued for
// it (Core would act on them on its next loop pass). It does not own the kernel's run loop.

import type { Micros, Scheduler, TimerHandle } from '../../connman/ports.ts';
import type { Kernel } from '../../sim/index.ts';

// Kernel handles start at 0 but the port reserves 0 for "no timer": handles are shifted by one.
export class SimScheduler implements Scheduler {
  constructor(
    private readonly kernel: Kernel,
    private readonly epochMicros: Micros,
  ) {}

  private toKernel(unixMicros: Micros): Micros {
    const t = Math.ceil(unixMicros - this.epochMicros);
    const now = this.kernel.now();
    return t > now ? t : now;
  }

  /** Runs `fn` at Unix time `atMicros` (or now, if that is past). Returns a handle for `cancel`. */
  schedule(atMicros: Micros, fn: () => void): TimerHandle {
    return this.kernel.schedule(this.toKernel(atMicros), fn) + 1;
  }

  /** Registers a handler once for the integer form; `name` labels it in traces. */
  register(handler: (arg: number) => void, name: string): number {
    return this.kernel.register(handler, name);
  }

  /** Integer form: runs registered handler `kind` with `arg` at Unix time `atMicros`. */
  at(atMicros: Micros, kind: number, arg: number): TimerHandle {
    return this.kernel.at(this.toKernel(atMicros), kind, arg) + 1;
  }

  /** Cancels a pending event; false if it already ran or was cancelled. */
  cancel(handle: TimerHandle): boolean {
    return handle > 0 && this.kernel.cancel(handle - 1);
  }
}
