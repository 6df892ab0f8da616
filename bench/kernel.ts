// Benchmark case "kernel": throughput of sim/'s event queue on a hold model (a fixed population
// of pending events, each handler rescheduling itself after an exponential delay drawn from an
// Rng stream), compared with a plain typed-array binary heap (reference-heap.ts) doing the same
// work with the same draws. Both run in steady state: one queue each, warmed up first, then timed
// over `events` events `repeats` times, alternating, keeping each one's best (the machine is
// shared, so single runs are noisy). Both must end at the same virtual time, which checks that
// they processed the same events in the same order.

import { Kernel, Rng } from '../sim/index.ts';
import type { BenchContext } from './harness.ts';
import { ReferenceHeap } from './reference-heap.ts';

const MEAN_DELAY_MICROS = 1_000_000;

interface Workload {
  /** Processes `events` events; returns the wall seconds taken. */
  run(events: number): number;
  now(): number;
}

function kernelWorkload(pending: number, seed: string): Workload {
  const kernel = new Kernel();
  const rng = new Rng(seed);
  const kind = kernel.register((arg) => {
    kernel.after(rng.randExpDurationMicros(MEAN_DELAY_MICROS), kind, arg);
  }, 'hold');
  for (let i = 0; i < pending; i++) kernel.at(rng.randExpDurationMicros(MEAN_DELAY_MICROS), kind, i);
  return {
    run(events) {
      const t0 = performance.now();
      const done = kernel.run({ maxEvents: events });
      const seconds = (performance.now() - t0) / 1000;
      if (done !== events) throw new Error(`kernel processed ${done}, expected ${events}`);
      return seconds;
    },
    now: () => kernel.now(),
  };
}

function referenceWorkload(pending: number, seed: string): Workload {
  const heap = new ReferenceHeap();
  const rng = new Rng(seed);
  let seq = 0;
  let now = 0;
  // The same dispatch shape as the kernel: a handler called with the event's argument.
  const handler = (arg: number) => {
    heap.push(now + rng.randExpDurationMicros(MEAN_DELAY_MICROS), seq++, arg);
  };
  for (let i = 0; i < pending; i++) heap.push(rng.randExpDurationMicros(MEAN_DELAY_MICROS), seq++, i);
  return {
    run(events) {
      const t0 = performance.now();
      for (let n = 0; n < events; n++) {
        now = heap.topTime();
        handler(heap.pop());
      }
      return (performance.now() - t0) / 1000;
    },
    now: () => now,
  };
}

export function kernelBench(ctx: BenchContext): void {
  const events = ctx.intArg('events', 10_000_000);
  const pending = ctx.intArg('pending', 100_000);
  const repeats = ctx.intArg('repeats', 3);
  const warmup = ctx.intArg('warmup', 1_000_000);
  const ours = kernelWorkload(pending, 'bench-kernel');
  const ref = referenceWorkload(pending, 'bench-kernel');
  ours.run(warmup);
  ref.run(warmup);
  let best = Infinity;
  let bestRef = Infinity;
  for (let i = 0; i < repeats; i++) {
    bestRef = Math.min(bestRef, ref.run(events));
    best = Math.min(best, ours.run(events));
    if (ours.now() !== ref.now()) throw new Error(`kernel and reference disagree on the virtual time: ${ours.now()} vs ${ref.now()}`);
  }
  const oursRate = events / best;
  const refRate = events / bestRef;
  ctx.report({
    bench: 'kernel',
    events,
    pending,
    eventsPerSec: Math.round(oursRate),
    referenceEventsPerSec: Math.round(refRate),
    ratio: Number((oursRate / refRate).toFixed(3)),
    seconds: Number(best.toFixed(3)),
    repeats,
    rssMB: ctx.rssMB(),
  });
}
