// The discrete-event kernel: the virtual clock and the event queue, ordered by (time, sequence).
// It knows nothing of networks or Bitcoin and does no I/O; the network (network.ts) and the
// scenarios schedule through it. Randomness and tracing live elsewhere (rng.ts, trace.ts); a trace
// can be attached to fold every processed event into a digest.
//
// Layout: an event is a heap entry plus a slot, both in growable typed arrays, so the hot loop
// allocates nothing. The heap is 4-ary and keeps its keys inline: parallel arrays of time,
// sequence number and slot index, so a sift compares entries that sit next to each other (the four
// children of an entry are adjacent) and moves three numbers per level. Equal times run in the
// order they were scheduled (FIFO) through the sequence number. A slot is a 16-byte record (the
// argument, the kind, the generation) read once when its event is dispatched; a handle names the
// slot and its generation. Handlers are registered once and referred to by an integer kind; each
// event carries one numeric argument (typically an index into the caller's own typed tables).
// Cancellation is lazy: the slot is marked dead and its generation bumped, its heap entry is
// discarded when it reaches the top (or when the heap is compacted because dead entries outnumber
// live ones), and only then is the slot freed for reuse.
//
// Speed (`npm run bench -- kernel`: 10 M events, 100 k pending, hold model, shared 2-core machine):
// 2.9-3.6 M events/s, 0.65-0.77 (mostly 0.70-0.77) of bench/reference-heap.ts, a plain binary
// typed-array heap with inline keys, in the same run; the previous design (fastpriorityqueue over
// slot indices, comparing times read at random places) measured 2.3-2.5 M/s, 0.52-0.59. Tried and
// dropped: a binary inline heap (about 0.03 lower), bottom-up sift-down for pops (slower), moving
// kind and argument into the heap to skip the record read (no gain: five arrays to move per level),
// and shifting the root so child groups align to cache lines (no measurable change).

import type { Micros } from './time.ts';
import { formatDuration } from './time.ts';

/** A registered handler, called with the event's numeric argument. */
export type EventHandler = (arg: number) => void;
/** The integer name of a registered handler. */
export type HandlerKind = number;
/**
 * An opaque integer naming one scheduled event (slot and generation). Cancelling a handle whose
 * event already ran or was cancelled is a no-op, even after the slot was reused.
 */
export type EventHandle = number;

/** Anything that wants to see every processed event (the trace digest, see trace.ts). */
export interface EventObserver {
  onEvent(time: Micros, kind: HandlerKind, arg: number): void;
}

export interface RunOptions {
  /**
   * Process events with time <= until, then leave the clock at `until` (also when the queue ran dry
   * earlier), so that callers can sample state at fixed horizons. Omitted: run until the queue is
   * empty or `stop()` is called, and leave the clock at the last event's time.
   */
  until?: Micros;
  /** Stop after this many events have been processed by this call. */
  maxEvents?: number;
}

/** Thrown when an event is scheduled before the current time or at a time that is not an integer. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

// Slot 2^SLOT_BITS must stay below 2^31 and generation * 2^SLOT_BITS below 2^53.
const SLOT_BITS = 25;
const SLOT_COUNT = 2 ** SLOT_BITS; // 33.5 M events pending at once
const SLOT_MASK = SLOT_COUNT - 1;
// Generations wrap after 2^28 reuses of one slot; a stale handle held across exactly that many
// reuses of its slot would cancel the wrong event. Accepted: the window is vanishingly small.
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);

/** Kind stored in a slot whose event was cancelled (lazy deletion) or that is free. */
const DEAD = -1;
/** Kind of a closure event scheduled with `schedule`/`scheduleAfter`. */
const CLOSURE = -2;

const INITIAL_CAPACITY = 1024;

// A slot's record is 16 bytes: the argument as a double at recArgs[2 * slot], then kind and
// generation as int32 at recInts[4 * slot + 2] and [4 * slot + 3] (two views of one buffer).
const KIND = 2;
const GEN = 3;

export class Kernel {
  private nowMicros: Micros = 0;
  private seqCounter = 0;
  private processedCount = 0;
  private liveCount = 0;
  private deadInHeap = 0;
  private stopRequested = false;
  private running = false;

  // Slots and heap entries grow together: every heap entry owns a distinct slot until it leaves
  // the heap, so the heap never holds more entries than there are slots.
  private capacity = INITIAL_CAPACITY;

  // The 4-ary min-heap, entry i being (heapTimes[i], heapSeqs[i], heapSlots[i]); the children of
  // entry i are 4i+1 .. 4i+4. Keys sit in the heap itself, so sifting compares neighbours.
  private heapTimes = new Float64Array(INITIAL_CAPACITY);
  private heapSeqs = new Float64Array(INITIAL_CAPACITY);
  private heapSlots = new Int32Array(INITIAL_CAPACITY);
  private heapSize = 0;

  private recArgs = new Float64Array(2 * INITIAL_CAPACITY);
  private recInts = Kernel.newRecInts(this.recArgs, 0);
  private closures: ((() => void) | undefined)[] = [];
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private nextUnused = 0;

  private readonly handlers: EventHandler[] = [];
  private readonly handlerNames: string[] = [];
  private observer: EventObserver | undefined;

  /** The current virtual time. */
  now(): Micros {
    return this.nowMicros;
  }

  /** Events processed since construction (cancelled events are not counted). */
  get processed(): number {
    return this.processedCount;
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.liveCount;
  }

  /** Registers a handler once; events then name it by the returned kind. The name is for traces and errors. */
  register(handler: EventHandler, name = `handler${this.handlers.length}`): HandlerKind {
    this.handlers.push(handler);
    this.handlerNames.push(name);
    return this.handlers.length - 1;
  }

  /** The name given to a kind at registration ("closure" for `schedule` events). */
  kindName(kind: HandlerKind): string {
    return kind === CLOSURE ? 'closure' : (this.handlerNames[kind] ?? `unknown${kind}`);
  }

  /** Attaches (or with undefined detaches) an observer that sees every processed event, e.g. a trace digest. */
  observe(observer: EventObserver | undefined): void {
    this.observer = observer;
  }

  /** Schedules handler `kind` with `arg` at absolute time `time` (>= now, integer µs). */
  at(time: Micros, kind: HandlerKind, arg = 0): EventHandle {
    if (!(time >= this.nowMicros) || time !== Math.floor(time) || time > Number.MAX_SAFE_INTEGER) this.badTime(time);
    if (!(kind >= 0 && kind < this.handlers.length)) throw new ScheduleError(`unknown handler kind ${kind}`);
    return this.push(time, kind, arg);
  }

  /** Schedules handler `kind` with `arg` after `delay` (>= 0, integer µs). */
  after(delay: Micros, kind: HandlerKind, arg = 0): EventHandle {
    return this.at(this.nowMicros + delay, kind, arg);
  }

  /** Convenience for non-hot paths: runs `fn` at absolute time `time`. Allocates a closure per call. */
  schedule(time: Micros, fn: () => void): EventHandle {
    if (!(time >= this.nowMicros) || time !== Math.floor(time) || time > Number.MAX_SAFE_INTEGER) this.badTime(time);
    const handle = this.push(time, CLOSURE, 0);
    this.closures[handle & SLOT_MASK] = fn;
    return handle;
  }

  /** Convenience for non-hot paths: runs `fn` after `delay`. */
  scheduleAfter(delay: Micros, fn: () => void): EventHandle {
    return this.schedule(this.nowMicros + delay, fn);
  }

  /**
   * Cancels a scheduled event. Returns true if it was pending; false if it already ran, was already
   * cancelled, or the handle is stale (its slot since reused). Safe to call from inside a handler,
   * including on the running event itself (a no-op then).
   */
  cancel(handle: EventHandle): boolean {
    if (!(handle >= 0)) return false;
    const gen = Math.floor(handle / SLOT_COUNT);
    const slot = handle - gen * SLOT_COUNT;
    const q = 4 * slot;
    if (slot >= this.capacity || this.recInts[q + GEN] !== gen || this.recInts[q + KIND] === DEAD) return false;
    // The heap entry stays, pointing at a dead slot; the slot is freed only when the entry leaves
    // the heap, so that it cannot be reused while a stale entry still names it.
    this.recInts[q + KIND] = DEAD;
    this.closures[slot] = undefined;
    this.recInts[q + GEN] = gen + 1 === GEN_LIMIT ? 0 : gen + 1;
    this.liveCount--;
    this.deadInHeap++;
    // Keep the heap from filling with corpses when timers are re-armed far more often than they fire.
    if (this.deadInHeap > 4096 && this.deadInHeap > this.liveCount) this.compact();
    return true;
  }

  /** True while the handle's event is pending. */
  isPending(handle: EventHandle): boolean {
    if (!(handle >= 0)) return false;
    const gen = Math.floor(handle / SLOT_COUNT);
    const slot = handle - gen * SLOT_COUNT;
    return slot < this.capacity && this.recInts[4 * slot + GEN] === gen && this.recInts[4 * slot + KIND] !== DEAD;
  }

  /** The time of the earliest pending event, or undefined when none is pending. */
  peekTime(): Micros | undefined {
    this.dropDeadTop();
    return this.heapSize === 0 ? undefined : this.heapTimes[0];
  }

  /** Asks a running `run` to return after the current event. Outside a run it is a no-op. */
  stop(): void {
    if (this.running) this.stopRequested = true;
  }

  /** Processes the earliest pending event. Returns false when there was none. */
  step(): boolean {
    this.dropDeadTop();
    if (this.heapSize === 0) return false;
    const slot = this.heapSlots[0]!;
    const time = this.heapTimes[0]!;
    this.popTop();
    this.dispatch(slot, time);
    return true;
  }

  /**
   * Processes events in (time, seq) order until the queue is empty, `until` is passed, `maxEvents`
   * have run or `stop()` is called. Returns the number of events processed by this call. See
   * `RunOptions.until` for where the clock is left.
   */
  run(options: RunOptions = {}): number {
    if (this.running) throw new ScheduleError('run() called from inside a handler');
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(until >= this.nowMicros)) this.badTime(until);
    const start = this.processedCount;
    const limit = start + maxEvents;
    this.running = true;
    this.stopRequested = false;
    try {
      while (this.heapSize > 0 && this.processedCount < limit) {
        // Arrays are re-read each time round: a handler may have grown them.
        const slot = this.heapSlots[0]!;
        const ints = this.recInts;
        const q = 4 * slot;
        const kind = ints[q + KIND]!;
        if (kind === DEAD) {
          this.popTop();
          this.release(slot);
          this.deadInHeap--;
          continue;
        }
        const time = this.heapTimes[0]!;
        if (time > until) break;
        this.popTop();
        // Free the slot before running the handler so that the handler can reuse it, and so that
        // cancelling the running event's own handle is a no-op.
        const arg = this.recArgs[2 * slot]!;
        const gen = ints[q + GEN]! + 1;
        ints[q + GEN] = gen === GEN_LIMIT ? 0 : gen;
        ints[q + KIND] = DEAD;
        this.freeSlots[this.freeCount++] = slot;
        this.nowMicros = time;
        this.processedCount++;
        this.liveCount--;
        if (this.observer !== undefined) this.observer.onEvent(time, kind, arg);
        if (kind === CLOSURE) this.runClosure(slot);
        else this.handlers[kind]!(arg);
        if (this.stopRequested) break;
      }
    } finally {
      this.running = false;
    }
    const stopped = this.stopRequested || this.processedCount >= limit;
    this.stopRequested = false;
    if (!stopped && until !== Infinity && this.nowMicros < until) this.nowMicros = until;
    return this.processedCount - start;
  }

  // --- internals -----------------------------------------------------------------------------

  /** Runs the event in `slot` at `time`, already removed from the heap (used by `step`; `run` inlines the same). */
  private dispatch(slot: number, time: Micros): void {
    const ints = this.recInts;
    const q = 4 * slot;
    const kind = ints[q + KIND]!;
    const arg = this.recArgs[2 * slot]!;
    const gen = ints[q + GEN]! + 1;
    ints[q + GEN] = gen === GEN_LIMIT ? 0 : gen;
    ints[q + KIND] = DEAD;
    this.release(slot);
    this.nowMicros = time;
    this.processedCount++;
    this.liveCount--;
    if (this.observer !== undefined) this.observer.onEvent(time, kind, arg);
    if (kind === CLOSURE) this.runClosure(slot);
    else this.handlers[kind]!(arg);
  }

  private runClosure(slot: number): void {
    const fn = this.closures[slot]!;
    this.closures[slot] = undefined;
    fn();
  }

  private push(time: Micros, kind: HandlerKind, arg: number): EventHandle {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else {
      if (this.nextUnused === this.capacity) this.grow();
      slot = this.nextUnused++;
    }
    const ints = this.recInts;
    const q = 4 * slot;
    ints[q + KIND] = kind;
    this.recArgs[2 * slot] = arg;
    this.liveCount++;
    const seq = this.seqCounter++;
    // Sift up. The new entry's sequence number exceeds every other entry's, so among equal times
    // it belongs below them all: a parent with time <= ours stays put.
    const times = this.heapTimes;
    const seqs = this.heapSeqs;
    const slots = this.heapSlots;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const tp = times[p]!;
      if (tp <= time) break;
      times[i] = tp;
      seqs[i] = seqs[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
    return ints[q + GEN]! * SLOT_COUNT + slot;
  }

  /** Removes the heap's root entry (the caller has read what it needs of it). */
  private popTop(): void {
    const n = --this.heapSize;
    if (n > 0) this.siftDown(0, this.heapTimes[n]!, this.heapSeqs[n]!, this.heapSlots[n]!, n);
  }

  /**
   * Places the entry (time, seq, slot) at position `i` or below, in a heap of `n` entries whose
   * subtrees under `i` are already ordered.
   */
  private siftDown(i: number, time: Micros, seq: number, slot: number, n: number): void {
    const times = this.heapTimes;
    const seqs = this.heapSeqs;
    const slots = this.heapSlots;
    // Pick the least child: with all four present, the better of each pair, then of the two
    // winners; near the bottom, in a loop over those that exist.
    for (;;) {
      let c = 4 * i + 1;
      let tc: number;
      if (c + 3 < n) {
        tc = times[c]!;
        let t1 = times[c + 1]!;
        if (t1 < tc || (t1 === tc && seqs[c + 1]! < seqs[c]!)) { c = c + 1; tc = t1; }
        const b = 4 * i + 3;
        let tb = times[b]!;
        let d = b;
        t1 = times[b + 1]!;
        if (t1 < tb || (t1 === tb && seqs[b + 1]! < seqs[b]!)) { d = b + 1; tb = t1; }
        if (tb < tc || (tb === tc && seqs[d]! < seqs[c]!)) { c = d; tc = tb; }
      } else {
        if (c >= n) break;
        tc = times[c]!;
        for (let j = c + 1; j < n; j++) {
          const tj = times[j]!;
          if (tj < tc || (tj === tc && seqs[j]! < seqs[c]!)) {
            c = j;
            tc = tj;
          }
        }
      }
      if (time < tc || (time === tc && seq < seqs[c]!)) break;
      times[i] = tc;
      seqs[i] = seqs[c]!;
      slots[i] = slots[c]!;
      i = c;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private release(slot: number): void {
    this.freeSlots[this.freeCount++] = slot;
  }

  private dropDeadTop(): void {
    while (this.heapSize > 0 && this.recInts[4 * this.heapSlots[0]! + KIND] === DEAD) {
      const slot = this.heapSlots[0]!;
      this.popTop();
      this.release(slot);
      this.deadInHeap--;
    }
  }

  /** Rebuilds the heap without cancelled entries (O(n)). */
  private compact(): void {
    const times = this.heapTimes;
    const seqs = this.heapSeqs;
    const slots = this.heapSlots;
    const ints = this.recInts;
    let m = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = slots[i]!;
      if (ints[4 * slot + KIND] === DEAD) {
        this.release(slot);
        continue;
      }
      times[m] = times[i]!;
      seqs[m] = seqs[i]!;
      slots[m] = slot;
      m++;
    }
    this.heapSize = m;
    // Floyd's heap construction: sift down every parent, from the last one to the root.
    for (let i = (m - 2) >> 2; i >= 0; i--) this.siftDown(i, times[i]!, seqs[i]!, slots[i]!, m);
    this.deadInHeap = 0;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    if (cap > SLOT_COUNT) throw new ScheduleError(`more than ${SLOT_COUNT} events pending`);
    // Copying the doubles copies whole records, kinds and generations included.
    const args = new Float64Array(2 * cap);
    args.set(this.recArgs);
    this.recArgs = args;
    this.recInts = Kernel.newRecInts(args, this.capacity);
    const f = new Int32Array(cap);
    f.set(this.freeSlots);
    this.freeSlots = f;
    const t = new Float64Array(cap);
    t.set(this.heapTimes);
    this.heapTimes = t;
    const s = new Float64Array(cap);
    s.set(this.heapSeqs);
    this.heapSeqs = s;
    const h = new Int32Array(cap);
    h.set(this.heapSlots);
    this.heapSlots = h;
    this.capacity = cap;
  }

  /** The int32 view of a record buffer, with every slot from `firstNew` on marked DEAD. */
  private static newRecInts(args: Float64Array, firstNew: number): Int32Array {
    const ints = new Int32Array(args.buffer);
    for (let q = 4 * firstNew + KIND; q < ints.length; q += 4) ints[q] = DEAD;
    return ints;
  }

  private badTime(time: number): never {
    if (time < this.nowMicros) {
      throw new ScheduleError(
        `cannot schedule in the past: ${time} (${formatDuration(time)}) < now ${this.nowMicros} (${formatDuration(this.nowMicros)})`,
      );
    }
    throw new ScheduleError(`event time must be an integer number of microseconds, got ${time}`);
  }
}
