// The discrete-event kernel: the virtual clock and the event queue, ordered by (time, sequence).
// It knows nothing of networks or Bitcoin and does no I/O; the network (network.ts) and the
// scenarios schedule through it. Randomness and tracing live elsewhere (rng.ts, trace.ts); a trace
// can be attached to fold every processed event into a digest.
//
// Layout: an event is a slot in growable typed arrays, not an object, so the hot loop allocates
// nothing. Times sit in their own array (the heap's comparisons read only them, so it stays
// compact); a slot's sequence number, argument, kind and generation share one 32-byte record, so
// dispatching an event touches one cache line for them instead of four. The heap
// (fastpriorityqueue) holds slot indices and compares (time, seq): equal times run in the order
// they were scheduled (FIFO). Handlers are registered once and referred to by an integer kind;
// each event carries one numeric argument (typically an index into the caller's own typed
// tables). Cancellation is lazy: the slot is marked dead and its generation bumped, and the heap
// entry is discarded when it surfaces (or when the heap is compacted because dead entries
// outnumber live ones).
//
// Speed (`npm run bench -- kernel`, 10 M events, 100 k pending, hold model): about 2.5 M events/s,
// 0.55-0.57 of a plain typed-array heap that stores keys inline. The gap is the slot indirection
// the design asks for: fastpriorityqueue over slot indices alone, with no kernel around it,
// measures about 0.70 of that reference, since every comparison reads two times at random
// places instead of two adjacent ones.

import FastPriorityQueue from 'fastpriorityqueue';
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

// Fields of a slot's record.
const REC = 4;
const SEQ = 0;
const ARG = 1;
const KIND = 2;
const GEN = 3;

/** The heap of slot indices, carrying the arrays its comparator reads. */
interface SlotHeap extends FastPriorityQueue<number> {
  times: Float64Array;
  recs: Float64Array;
}

/**
 * The heap order on slots: (time, seq). fastpriorityqueue calls its comparator as a method
 * (`this.compare(a, b)`), so `this` is the heap and the arrays come from it. One function shared
 * by every kernel keeps that call site monomorphic: a closure per kernel made V8 deoptimise it
 * ("wrong call target") whenever a second kernel appeared, costing about 40% of throughput.
 */
function compareSlots(this: SlotHeap, a: number, b: number): boolean {
  const times = this.times;
  const ta = times[a]!;
  const tb = times[b]!;
  return ta < tb || (ta === tb && this.recs[a * REC]! < this.recs[b * REC]!);
}

export class Kernel {
  private nowMicros: Micros = 0;
  private seqCounter = 0;
  private processedCount = 0;
  private liveCount = 0;
  private deadInHeap = 0;
  private stopRequested = false;
  private running = false;

  private capacity = INITIAL_CAPACITY;
  private times = new Float64Array(INITIAL_CAPACITY);
  // Per slot, at REC * slot: [seq, arg, kind, generation].
  private recs = Kernel.newRecs(INITIAL_CAPACITY);
  private closures: ((() => void) | undefined)[] = [];
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private nextUnused = 0;

  private readonly handlers: EventHandler[] = [];
  private readonly handlerNames: string[] = [];
  private readonly heap: SlotHeap;
  private observer: EventObserver | undefined;

  constructor() {
    const heap = new FastPriorityQueue<number>(compareSlots) as SlotHeap;
    heap.times = this.times;
    heap.recs = this.recs;
    this.heap = heap;
  }

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
    const r = slot * REC;
    if (slot >= this.capacity || this.recs[r + GEN] !== gen || this.recs[r + KIND] === DEAD) return false;
    this.recs[r + KIND] = DEAD;
    this.closures[slot] = undefined;
    this.recs[r + GEN] = gen + 1 === GEN_LIMIT ? 0 : gen + 1;
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
    return slot < this.capacity && this.recs[slot * REC + GEN] === gen && this.recs[slot * REC + KIND] !== DEAD;
  }

  /** The time of the earliest pending event, or undefined when none is pending. */
  peekTime(): Micros | undefined {
    this.dropDeadTop();
    const top = this.heap.peek();
    return top === undefined ? undefined : this.times[top];
  }

  /** Asks a running `run` to return after the current event. Outside a run it is a no-op. */
  stop(): void {
    if (this.running) this.stopRequested = true;
  }

  /** Processes the earliest pending event. Returns false when there was none. */
  step(): boolean {
    this.dropDeadTop();
    if (this.heap.size === 0) return false;
    this.dispatch(this.heap.poll()!);
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
    const heap = this.heap;
    this.running = true;
    this.stopRequested = false;
    try {
      while (heap.size > 0 && this.processedCount < limit) {
        const slot = heap.peek()!;
        // Arrays are re-read each time round: a handler may have grown them.
        const recs = this.recs;
        const r = slot * REC;
        const kind = recs[r + KIND]!;
        if (kind === DEAD) {
          heap.poll();
          this.release(slot);
          this.deadInHeap--;
          continue;
        }
        const time = this.times[slot]!;
        if (time > until) break;
        heap.poll();
        // Free the slot before running the handler so that the handler can reuse it, and so that
        // cancelling the running event's own handle is a no-op.
        const arg = recs[r + ARG]!;
        const gen = recs[r + GEN]! + 1; // no `%` here: on doubles it is a slow library call
        recs[r + GEN] = gen === GEN_LIMIT ? 0 : gen;
        recs[r + KIND] = DEAD;
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

  /** Runs the event in `slot`, already removed from the heap (used by `step`; `run` inlines the same). */
  private dispatch(slot: number): void {
    const recs = this.recs;
    const r = slot * REC;
    const kind = recs[r + KIND]!;
    const arg = recs[r + ARG]!;
    const time = this.times[slot]!;
    const gen = recs[r + GEN]! + 1;
    recs[r + GEN] = gen === GEN_LIMIT ? 0 : gen;
    recs[r + KIND] = DEAD;
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
    this.times[slot] = time;
    const recs = this.recs;
    const r = slot * REC;
    recs[r + SEQ] = this.seqCounter++;
    recs[r + KIND] = kind;
    recs[r + ARG] = arg;
    this.liveCount++;
    this.heap.add(slot);
    return recs[r + GEN]! * SLOT_COUNT + slot;
  }

  private release(slot: number): void {
    this.freeSlots[this.freeCount++] = slot;
  }

  private dropDeadTop(): void {
    const heap = this.heap;
    while (heap.size > 0 && this.recs[heap.peek()! * REC + KIND] === DEAD) {
      this.release(heap.poll()!);
      this.deadInHeap--;
    }
  }

  /** Rebuilds the heap without cancelled entries (O(n)). */
  private compact(): void {
    const live: number[] = [];
    const heap = this.heap;
    // fastpriorityqueue keeps its backing array public at run time but not in its type declarations.
    const array = (heap as unknown as { array: number[] }).array;
    for (let i = 0; i < heap.size; i++) {
      const slot = array[i]!;
      if (this.recs[slot * REC + KIND] === DEAD) this.release(slot);
      else live.push(slot);
    }
    heap.heapify(live);
    this.deadInHeap = 0;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    if (cap > SLOT_COUNT) throw new ScheduleError(`more than ${SLOT_COUNT} events pending`);
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const recs = Kernel.newRecs(cap);
    recs.set(this.recs);
    this.recs = recs;
    const f = new Int32Array(cap);
    f.set(this.freeSlots);
    this.freeSlots = f;
    this.capacity = cap;
    this.heap.times = t;
    this.heap.recs = recs;
  }

  private static newRecs(capacity: number): Float64Array {
    const recs = new Float64Array(capacity * REC);
    for (let i = 0; i < capacity; i++) recs[i * REC + KIND] = DEAD;
    return recs;
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
