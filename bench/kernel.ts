// Benchmark case "kernel": throughput of sim/'s event queue on a hold model (a fixed population
// of pending events, each handler rescheduling itself after an exponential delay drawn from an
// Rng stream), compared with a plain typed-array binary heap (reference-heap.ts) doing the same
// work with the same draws. Both run in steady state: one queue each, warmed up first, then timed
// over `events` events `repeats` times, alternating, keeping each one's best (the machine is
// shared, so single runs are noisy). Both must end at the same virtual time, which checks that
// they processed the same events in the same order. A third queue, fastpriorityqueue over slot
// indices (the kernel's previous design), is measured the same way for comparison.

import FastPriorityQueue from 'fastpriorityqueue';
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

/**
 * The kernel's previous queue, kept as a second yardstick: fastpriorityqueue over integer slot
 * indices whose (time, seq) keys live in typed arrays the comparator reads. Its comparisons touch
 * two random places per step, which is why the kernel now keeps its keys inline (sim/kernel.ts).
 */
function fpqWorkload(pending: number, seed: string): Workload {
  const cap = pending + 1;
  const times = new Float64Array(cap);
  const seqs = new Float64Array(cap);
  const queue = new FastPriorityQueue<number>((a, b) => times[a]! < times[b]! || (times[a] === times[b] && seqs[a]! < seqs[b]!));
  const rng = new Rng(seed);
  let seq = 0;
  let now = 0;
  for (let i = 0; i < pending; i++) {
    times[i] = rng.randExpDurationMicros(MEAN_DELAY_MICROS);
    seqs[i] = seq++;
    queue.add(i);
  }
  // The same dispatch shape as the others: a handler called with the event's argument (here its
  // slot, which it reuses for its next event).
  const handler = (slot: number) => {
    times[slot] = now + rng.randExpDurationMicros(MEAN_DELAY_MICROS);
    seqs[slot] = seq++;
    queue.add(slot);
  };
  return {
    run(events) {
      const t0 = performance.now();
      for (let n = 0; n < events; n++) {
        const slot = queue.poll()!;
        now = times[slot]!;
        handler(slot);
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
  const fpq = fpqWorkload(pending, 'bench-kernel');
  ours.run(warmup);
  ref.run(warmup);
  fpq.run(warmup);
  let best = Infinity;
  let bestRef = Infinity;
  let bestFpq = Infinity;
  for (let i = 0; i < repeats; i++) {
    bestRef = Math.min(bestRef, ref.run(events));
    best = Math.min(best, ours.run(events));
    bestFpq = Math.min(bestFpq, fpq.run(events));
    if (fpq.now() !== ref.now()) throw new Error(`fastpriorityqueue and reference disagree on the virtual time: ${fpq.now()} vs ${ref.now()}`);
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
    fastPriorityQueueEventsPerSec: Math.round(events / bestFpq),
    fastPriorityQueueRatio: Number(((events / bestFpq) / refRate).toFixed(3)),
    seconds: Number(best.toFixed(3)),
    repeats,
    rssMB: ctx.rssMB(),
  });
}
