// The event trace: a rolling 64-bit digest of every recorded event, so that two runs can be
// compared by one string, and an optional JSONL log written through a sink the caller supplies.
// It does no I/O itself and keeps no events in memory; what to record is decided by the kernel
// (every processed event, when attached with `kernel.observe`) and by the network (deliveries).
//
// The digest folds each number's exact IEEE-754 bits (two 32-bit words) into two 32-bit lanes
// with multiply-xorshift steps (Math.imul), murmur3-style, and finalises both lanes on `digest()`.
// It is not cryptographic; it only has to make accidental divergence visible. Cost: a few
// nanoseconds per event, no allocation.

import type { EventObserver, HandlerKind } from './kernel.ts';
import type { Micros } from './time.ts';

/** Receives one JSON line per recorded event (without a trailing newline). */
export type TraceSink = (line: string) => void;

// Explicit little-endian access, so the digest is the same on any machine.
const scratch = new DataView(new ArrayBuffer(8));

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Trace implements EventObserver {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x7f4a7c15 | 0;
  private count = 0;
  private readonly names: string[] = [];
  private readonly fieldNames: [string, string][] = [];
  private readonly sink: TraceSink | undefined;
  private kindName: ((kind: HandlerKind) => string) | undefined;

  /** With a sink, every recorded event is also written as a JSON line. */
  constructor(sink?: TraceSink) {
    this.sink = sink;
  }

  /** Number of events folded into the digest. */
  get events(): number {
    return this.count;
  }

  /**
   * Declares an event type for `record` and the JSONL log: its name and the names of its two
   * numeric fields. Returns its code. Codes are assigned in call order, so declare them in a fixed
   * order (e.g. at construction of the component that records them).
   */
  define(name: string, fieldA = 'a', fieldB = 'b'): number {
    this.names.push(name);
    this.fieldNames.push([fieldA, fieldB]);
    return this.names.length - 1;
  }

  /** Names kernel handler kinds in the JSONL log of `onEvent` (e.g. `k => kernel.kindName(k)`). */
  nameKinds(kindName: (kind: HandlerKind) => string): void {
    this.kindName = kindName;
  }

  /** Folds one event (a declared code and two numbers) into the digest, and logs it if there is a sink. */
  record(time: Micros, code: number, a: number, b: number): void {
    this.mix(time);
    this.mix(code + 0x10000);
    this.mix(a);
    this.mix(b);
    this.count++;
    if (this.sink !== undefined) {
      const [fa, fb] = this.fieldNames[code] ?? ['a', 'b'];
      this.sink(`{"t":${time},"ev":${JSON.stringify(this.names[code] ?? `code${code}`)},"${fa}":${num(a)},"${fb}":${num(b)}}`);
    }
  }

  /** Kernel observer: every processed event as (time, handler kind, argument). */
  onEvent(time: Micros, kind: HandlerKind, arg: number): void {
    this.mix(time);
    this.mix(kind);
    this.mix(arg);
    this.count++;
    if (this.sink !== undefined) {
      const name = this.kindName !== undefined ? this.kindName(kind) : `kind${kind}`;
      this.sink(`{"t":${time},"ev":${JSON.stringify(name)},"arg":${num(arg)}}`);
    }
  }

  /** Folds one number (its exact bits) into the digest. */
  mix(x: number): void {
    scratch.setFloat64(0, x, true);
    this.word(scratch.getUint32(0, true));
    this.word(scratch.getUint32(4, true));
  }

  /** Folds a string into the digest (for rare, non-numeric facts such as a scenario name). */
  mixString(s: string): void {
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    this.word(s.length);
  }

  /** The digest so far, 16 hex digits. Does not change the state. */
  digest(): string {
    const a = fmix32(this.h1 ^ this.count);
    const b = fmix32(this.h2 ^ Math.imul(this.count, 0x27d4eb2d) ^ a);
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }

  private word(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h1 = this.h1 ^ k;
    h1 = (h1 << 13) | (h1 >>> 19);
    this.h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let h2 = this.h2 ^ Math.imul(k ^ this.h1, 0x85ebca77);
    h2 = (h2 << 17) | (h2 >>> 15);
    this.h2 = (Math.imul(h2, 9) + 0x165667b1) | 0;
  }
}

function num(x: number): string {
  return Number.isFinite(x) ? String(x) : JSON.stringify(String(x));
}
