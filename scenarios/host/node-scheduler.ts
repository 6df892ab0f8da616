// A Scheduler for one life of one node: it forwards to the world's SimScheduler, and once the
// node's Connman is stopped or crashed (`retire`), every timer it left behind becomes a no-op. A
// restarted node gets a fresh NodeScheduler, so its previous life cannot act on the new one. The
// integer form wraps the handler once at registration, so it still allocates nothing per event.

import type { Micros, Scheduler, TimerHandle } from '../../connman/ports.ts';
import type { SimScheduler } from './sim-scheduler.ts';

export class NodeScheduler implements Scheduler {
  private retired = false;

  constructor(private readonly inner: SimScheduler) {}

  /** Silences every timer of this life, pending or future. */
  retire(): void {
    this.retired = true;
  }

  get isRetired(): boolean {
    return this.retired;
  }

  schedule(atMicros: Micros, fn: () => void): TimerHandle {
    if (this.retired) return 0;
    return this.inner.schedule(atMicros, () => {
      if (!this.retired) fn();
    });
  }

  register(handler: (arg: number) => void, name: string): number {
    return this.inner.register((arg) => {
      if (!this.retired) handler(arg);
    }, name);
  }

  at(atMicros: Micros, kind: number, arg: number): TimerHandle {
    if (this.retired) return 0;
    return this.inner.at(atMicros, kind, arg);
  }

  cancel(handle: TimerHandle): boolean {
    return this.inner.cancel(handle);
  }
}
