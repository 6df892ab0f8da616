// The EventSink port for a simulated world: every node's Connman events are counted (by kind and
// by kind:reason), folded into the run's trace digest (so two runs agree only if every node made
// the same decisions at the same instants), and optionally kept as a log for tests to query.
// One recorder serves the whole world; each node gets a light sink that stamps its node index.
// It does not check invariants (the world does) and does no I/O.

import type { ConnmanEvent, EventSink } from '../../connman/ports.ts';
import type { Kernel, Micros, Trace } from '../../sim/index.ts';
import { OP_COUNTS, Op } from '../../connman/util/op-counts.ts';

/** One recorded event: kernel time, the world's node index, and the event. */
export interface RecordedEvent {
  readonly time: Micros;
  readonly node: number;
  readonly event: ConnmanEvent;
}

// Every event kind, as an object so that the compiler rejects a kind added to ConnmanEvent and
// forgotten here (it would be counted but silently left out of the digest).
const KIND_TABLE: Record<ConnmanEvent['kind'], true> = {
  'connect-attempt': true,
  'connect-failed': true,
  'connection-opened': true,
  'handshake-complete': true,
  'connection-closed': true,
  'inbound-dropped': true,
  eviction: true,
  addrman: true,
  'feeler-done': true,
  'addr-fetch-done': true,
  'dns-seed': true,
  'fixed-seeds-added': true,
  'anchors-read': true,
  'anchors-dumped': true,
  'peers-dumped': true,
  'peers-loaded': true,
  ping: true,
  'addr-received': true,
  'addr-ignored': true,
  'addr-sent': true,
  'getaddr-answered': true,
  misbehaving: true,
  'tx-accepted': true,
  'tx-inv-sent': true,
  'tip-updated': true,
  'stale-tip': true,
};
const KINDS = Object.keys(KIND_TABLE) as ConnmanEvent['kind'][];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Continues a 32-bit FNV-1a state over the UTF-16 code units of `s` (event details into the digest). */
function fnv1aFold(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** The detail of an event that names it beyond its kind: reason, action or conn type. */
export function eventDetail(e: ConnmanEvent): string | undefined {
  switch (e.kind) {
    case 'connection-closed':
    case 'connect-failed':
    case 'inbound-dropped':
      return e.reason;
    case 'addrman':
      return e.action;
    case 'addr-ignored':
    case 'misbehaving':
      return e.reason;
    case 'addr-received':
    case 'addr-sent':
      return e.msgType;
    default:
      return undefined;
  }
}

/** One event kind's counters: the kind's own, and by detail and by connection type (`kind:detail`, `kind#connType`). */
class KindCounter {
  n = 0;
  readonly byDetail = new Map<string, { readonly key: string; n: number }>();
  readonly byConnType = new Map<number, { readonly key: string; n: number }>();
  constructor(
    readonly kind: string,
    /** The kind's trace code, when a trace is kept. */
    readonly code: number | undefined,
  ) {}
}

export class EventRecorder {
  /** The log, when `keepLog` was set (else stays empty). */
  readonly log: RecordedEvent[] = [];
  /** Counters by kind, in the order kinds were first seen. */
  private readonly kinds = new Map<string, KindCounter>();
  /** Hooks that see every event (invariant checkers, scenario scripts). */
  private readonly listeners: ((node: number, e: ConnmanEvent) => void)[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly trace: Trace | undefined,
    private readonly keepLog = false,
  ) {
    if (trace !== undefined) for (const k of KINDS) this.kinds.set(k, new KindCounter(k, trace.define(`connman.${k}`, 'node', 'detail')));
  }

  /** Counts by kind, and by `kind:detail` where the event has a detail (a new map on every read). */
  get counts(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const k of this.kinds.values()) {
      if (k.n === 0) continue;
      out.set(k.kind, k.n);
      for (const d of k.byDetail.values()) out.set(d.key, d.n);
      for (const d of k.byConnType.values()) out.set(d.key, d.n);
    }
    return out;
  }

  /** The sink handed to node `node`'s Connman. */
  sinkFor(node: number): EventSink {
    return { emit: (e) => this.record(node, e) };
  }

  /** Adds a hook called for every event after it is counted. */
  listen(fn: (node: number, e: ConnmanEvent) => void): void {
    this.listeners.push(fn);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Counters sorted by key, as a plain object for printing. */
  countsObject(): Record<string, number> {
    const counts = this.counts;
    const out: Record<string, number> = {};
    for (const k of [...counts.keys()].sort()) out[k] = counts.get(k)!;
    return out;
  }

  /** Logged events matching a predicate (requires keepLog). */
  find(pred: (r: RecordedEvent) => boolean): RecordedEvent[] {
    return this.log.filter(pred);
  }

  record(node: number, e: ConnmanEvent): void {
    OP_COUNTS[Op.eventRecorded]++;
    let k = this.kinds.get(e.kind);
    if (k === undefined) this.kinds.set(e.kind, (k = new KindCounter(e.kind, undefined)));
    k.n++;
    const detail = eventDetail(e);
    if (detail !== undefined) {
      let d = k.byDetail.get(detail);
      if (d === undefined) k.byDetail.set(detail, (d = { key: `${e.kind}:${detail}`, n: 0 }));
      d.n++;
    }
    if ((e.kind === 'connection-opened' || e.kind === 'connection-closed') && e.connType !== undefined) {
      let d = k.byConnType.get(e.connType);
      if (d === undefined) k.byConnType.set(e.connType, (d = { key: `${e.kind}#${String(e.connType)}`, n: 0 }));
      d.n++;
    }
    const now = this.kernel.now();
    if (this.trace !== undefined && k.code !== undefined) {
      // fnv1a(`${detail ?? ''}|${addr ?? ''}`), folded piece by piece instead of over a new string.
      let h = fnv1aFold(FNV_OFFSET, detail ?? '');
      h = Math.imul(h ^ 0x7c, FNV_PRIME); // '|'
      if ('addr' in e) h = fnv1aFold(h, String(e.addr));
      this.trace.record(now, k.code, node, h >>> 0);
    }
    if (this.keepLog) this.log.push({ time: now, node, event: e });
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(node, e);
  }
}
