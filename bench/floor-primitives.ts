// The cheapest cost, in this process, of each primitive operation the floor meter (floor.ts)
// counts: each one timed in a tight loop on warm data with nothing allocated, best of several
// rounds (the machine is shared: the minimum is the least disturbed). Where the simulator's own
// implementation is not the cheapest way to do the operation in JavaScript (SipHash, an event
// queue, a row copy), a minimal reference is timed too and the faster one counts. These are
// floors: the run pays cold caches, allocation and glue on top; the ratio measured / floor is
// what the meter reports.

import { AddressPool } from '../connman/addrman/address-pool.ts';
import { Network } from '../connman/protocol/netaddress.ts';
import { NetGroupManager } from '../connman/netgroup/netgroup.ts';
import { CSipHasher } from '../connman/util/hash.ts';
import { FastRandomContext } from '../connman/util/random.ts';
import { RollingBloomFilter } from '../connman/util/rolling-bloom.ts';
import { makeAddresses, makeAddrman, fill } from './addrman.ts';
import { ReferenceHeap } from './reference-heap.ts';

/** Nanoseconds per operation of each primitive. */
export interface PrimitiveCosts {
  /** One event through a plain binary typed-array heap (pop + push) holding the run's mean pending count. */
  event: number;
  /** One message record through a free-list of preallocated typed-array slots (take, fill, read, free). */
  message: number;
  /** One connection record: a socket / node row of a dozen fields written into preallocated arrays. */
  connection: number;
  /** One address entry of an ADDR message: read its fields and keep it in a preallocated array. */
  addrEntry: number;
  /** One SipHash-2-4 key from a keyed state (a relay candidate's key). */
  sipKey: number;
  /** One rolling-bloom contains-then-insert of an address key (nHashFuncs MurmurHash3 and bit tests). */
  bloomOp: number;
  /** AddrMan calls on a warm table of the run's size. */
  amAdd: number;
  amGood: number;
  amAttempt: number;
  amConnected: number;
  amSelect: number;
  amGetAddr: number;
  amSetServices: number;
  amSelectCollision: number;
  amResolve: number;
  /** The selection loop's own checks of one try (netgroup set lookup, port and network tests). */
  selectTry: number;
  /** One outbound attempt's bookkeeping besides Select and the socket (two keyed lookups, one record). */
  connAttempt: number;
  /** Copying one peers.dat row (62 bytes, an IPv4 entry) from a hot buffer. */
  dumpRow: number;
  /** One node's metric snapshot: a dozen numeric fields read into a preallocated row. */
  nodeSample: number;
  /** One node's invariant check: its ~25 connections' two fields read and compared. */
  invariantNode: number;
  /** One recorded Connman event or one traced kernel event: a counter bump and an FNV fold of four numbers. */
  eventRecorded: number;
  /** One message dispatched to its handler by type. */
  dispatch: number;
}

let sink = 0;

/**
 * Best ns/op over `rounds` timings of `run(n)` (each about 30-60 ms), after one warm-up. Timed in
 * CPU time, as the run is: on a shared machine a 30 ms wall-clock timing rarely escapes being
 * descheduled, and the wall-clock floor came out up to 5x too high under load.
 */
function best(run: (n: number) => void, n: number, rounds = 5): number {
  run(Math.min(n, 10_000));
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    run(n);
    const t = process.cpuUsage(t0);
    const ns = ((t.user + t.system) * 1000) / n;
    if (ns < min) min = ns;
  }
  return min;
}

function eventCost(pending: number): number {
  const heap = new ReferenceHeap(Math.max(1024, pending * 2));
  const rng = new FastRandomContext(new Uint8Array(32).fill(3));
  const delays = new Float64Array(1 << 16);
  for (let i = 0; i < delays.length; i++) delays[i] = Math.floor(-Math.log(1 - rng.randbits(30) / 2 ** 30) * 1e6);
  let seq = 0;
  for (let i = 0; i < pending; i++) heap.push(delays[i & 0xffff]!, seq++, i);
  let j = 0;
  return best((n) => {
    for (let k = 0; k < n; k++) {
      const now = heap.topTime();
      const p = heap.pop();
      heap.push(now + delays[j++ & 0xffff]!, seq++, p);
    }
  }, 2_000_000);
}

function messageCost(): number {
  const cap = 4096;
  const type = new Int32Array(cap);
  const sock = new Int32Array(cap);
  const bytes = new Int32Array(cap);
  const payload: unknown[] = new Array(cap).fill(null);
  const free = new Int32Array(cap);
  for (let i = 0; i < cap; i++) free[i] = i;
  let top = cap;
  const obj = { x: 1 };
  return best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const s = free[--top]!;
      type[s] = k & 3;
      sock[s] = k;
      bytes[s] = 100;
      payload[s] = obj;
      acc += type[s]! + sock[s]! + bytes[s]! + (payload[s] === obj ? 1 : 0);
      payload[s] = null;
      free[top++] = s;
    }
    sink += acc;
  }, 5_000_000);
}

function connectionCost(): number {
  const cap = 1 << 16;
  const cols = Array.from({ length: 12 }, () => new Float64Array(cap));
  let next = 0;
  return best((n) => {
    for (let k = 0; k < n; k++) {
      const r = next++ & (cap - 1);
      for (let c = 0; c < 12; c++) cols[c]![r] = k + c;
    }
  }, 2_000_000);
}

function addrEntryCost(): number {
  const entries = Array.from({ length: 1000 }, (_, i) => ({ time: 1_700_000_000 + i, services: 9, port: 8333 }));
  const out: unknown[] = new Array(1000).fill(null);
  return best((n) => {
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const e = entries[k % 1000]!;
      if (e.time > 100_000_000 && (e.services & 1) !== 0 && e.port !== 0) out[kept++ % 1000] = e;
    }
    sink += kept;
  }, 5_000_000);
}

// A minimal SipHash-2-4 of one 64-bit word from a keyed state, on 32-bit halves in locals.
let sipOutHi = 0;
let sipOutLo = 0;
function sipRound(s: Uint32Array): void {
  let v0h = s[0]!, v0l = s[1]!, v1h = s[2]!, v1l = s[3]!, v2h = s[4]!, v2l = s[5]!, v3h = s[6]!, v3l = s[7]!;
  let lo: number, t: number;
  lo = v0l + v1l; v0h = (v0h + v1h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v0l = lo >>> 0;
  t = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = (t ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
  t = v0h; v0h = v0l; v0l = t;
  lo = v2l + v3l; v2h = (v2h + v3h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v2l = lo >>> 0;
  t = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = (t ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
  lo = v0l + v3l; v0h = (v0h + v3h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v0l = lo >>> 0;
  t = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = (t ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
  lo = v2l + v1l; v2h = (v2h + v1h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v2l = lo >>> 0;
  t = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = (t ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
  t = v2h; v2h = v2l; v2l = t;
  s[0] = v0h; s[1] = v0l; s[2] = v1h; s[3] = v1l; s[4] = v2h; s[5] = v2l; s[6] = v3h; s[7] = v3l;
}
function sipKeyU64(key: Uint32Array, work: Uint32Array, hi: number, lo: number): void {
  work.set(key);
  work[6] = (work[6]! ^ hi) >>> 0;
  work[7] = (work[7]! ^ lo) >>> 0;
  sipRound(work);
  sipRound(work);
  work[0] = (work[0]! ^ hi) >>> 0;
  work[1] = (work[1]! ^ lo) >>> 0;
  // The length block (16 bytes written so far plus this word: 24 = 0x18 in the top byte).
  work[6] = (work[6]! ^ (24 << 24)) >>> 0;
  sipRound(work);
  sipRound(work);
  work[0] = (work[0]! ^ (24 << 24)) >>> 0;
  work[5] = (work[5]! ^ 0xff) >>> 0;
  sipRound(work);
  sipRound(work);
  sipRound(work);
  sipRound(work);
  sipOutHi = (work[0]! ^ work[2]! ^ work[4]! ^ work[6]!) >>> 0;
  sipOutLo = (work[1]! ^ work[3]! ^ work[5]! ^ work[7]!) >>> 0;
}

function sipKeyCost(): number {
  const hasher = new CSipHasher(0x0706050403020100n, 0x0f0e0d0c0b0a0908n).writeU64(12345).writeU64(67890);
  const out = new Uint32Array(2);
  const ours = best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      hasher.finalizeWithU64Into(0, k, out);
      acc ^= out[1]!;
    }
    sink += acc;
  }, 2_000_000);
  const key = new Uint32Array([0x736f6d65, 0x70736575, 0x646f7261, 0x6e646f6d, 0x6c796765, 0x6e657261, 0x74656462, 0x79746573]);
  const work = new Uint32Array(8);
  const minimal = best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      sipKeyU64(key, work, 0, k);
      acc ^= sipOutLo ^ sipOutHi;
    }
    sink += acc;
  }, 2_000_000);
  return Math.min(ours, minimal);
}

function bloomOpCost(): number {
  const rng = new FastRandomContext(new Uint8Array(32).fill(5));
  const filter = new RollingBloomFilter(5000, 0.001, rng);
  const keys = Array.from({ length: 4096 }, (_, i) => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, (i >> 8) & 255, i & 255, 1, 0x20, 0x8d));
  return best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) if (filter.containsOrInsert(keys[k & 4095]!)) acc++;
    sink += acc;
  }, 500_000);
}

function addrmanCosts(entries: number): Pick<PrimitiveCosts, 'amAdd' | 'amGood' | 'amAttempt' | 'amConnected' | 'amSelect' | 'amGetAddr' | 'amSetServices' | 'amSelectCollision' | 'amResolve'> {
  const pool = new AddressPool();
  const ngm = NetGroupManager.noAsmap();
  const { addrs, sources } = makeAddresses(Math.max(1000, entries));
  const am = makeAddrman(pool, ngm, 1);
  fill(am, addrs, sources, entries, 0);
  const known = addrs.filter((a) => am.getInfo(a) !== null);
  const m = known.length;
  const nets = new Set([Network.NET_IPV4, Network.NET_IPV6]);
  const single = known.map((a) => [a]);
  const amAdd = best((n) => {
    for (let k = 0; k < n; k++) am.add(single[k % m]!, sources[k % m]!, 7200);
  }, 200_000);
  const amAttempt = best((n) => {
    for (let k = 0; k < n; k++) am.attempt(known[k % m]!, false);
  }, 500_000);
  const amConnected = best((n) => {
    for (let k = 0; k < n; k++) am.connected(known[k % m]!);
  }, 500_000);
  const amSetServices = best((n) => {
    for (let k = 0; k < n; k++) am.setServices(known[k % m]!, 9);
  }, 500_000);
  const amSelect = best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) if (am.select(false, nets).address !== null) acc++;
    sink += acc;
  }, 200_000);
  const amSelectCollision = best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) if (am.selectTriedCollision().address !== null) acc++;
    sink += acc;
  }, 500_000);
  const amResolve = best((n) => {
    for (let k = 0; k < n; k++) am.resolveCollisions();
  }, 500_000);
  const perCall = 23;
  const amGetAddr =
    best((n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += am.getAddr(perCall, 23, null).length;
      sink += acc;
    }, 20_000) / perCall;
  // Good last: it moves entries to tried, which changes the table the others were timed on.
  const amGood = best((n) => {
    for (let k = 0; k < n; k++) am.good(known[k % m]!);
  }, 200_000);
  return { amAdd, amGood, amAttempt, amConnected, amSelect, amGetAddr, amSetServices, amSelectCollision, amResolve };
}

function selectTryCost(): number {
  const groups = new Set<string>(['0a01', '0b02', '0c03', '0d04', '0e05', '0f06', '1007', '1108', '1209', '130a']);
  const probes = Array.from({ length: 64 }, (_, i) => (i * 7919).toString(16).padStart(4, '0'));
  const ports = [8333, 8333, 8333, 22];
  return best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const g = probes[k & 63]!;
      if (!groups.has(g) && ports[k & 3]! !== 22 && (k & 7) !== 7) acc++;
    }
    sink += acc;
  }, 2_000_000);
}

function connAttemptCost(): number {
  const byHost = new Map<number, number>();
  const byId = new Map<number, { at: number }>();
  for (let i = 0; i < 100; i++) {
    byHost.set(i * 13, i);
    byId.set(i, { at: i });
  }
  return best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      if (byHost.get((k * 13) % 1300) !== undefined) acc++;
      const r = byId.get(k % 100);
      if (r !== undefined) r.at = k;
    }
    sink += acc;
  }, 2_000_000);
}

function dumpRowCost(): number {
  const rows = 2048;
  const src = new Uint8Array(rows * 62);
  for (let i = 0; i < src.length; i++) src[i] = i & 0xff;
  const dst = new Uint8Array(rows * 62 + 64);
  const viaSet = best((n) => {
    for (let k = 0; k < n; k++) {
      const o = (k % rows) * 62;
      dst.set(src.subarray(o, o + 62), o);
    }
  }, 1_000_000);
  const viaLoop = best((n) => {
    for (let k = 0; k < n; k++) {
      const o = (k % rows) * 62;
      for (let i = 0; i < 62; i++) dst[o + i] = src[o + i]!;
    }
  }, 1_000_000);
  const whole = best((n) => {
    // Whole dumps of `rows` rows at a time, as one copy: the cheapest a row can be.
    const dumps = Math.max(1, Math.floor(n / rows));
    for (let d = 0; d < dumps; d++) dst.set(src, 0);
  }, 4 * rows * 256);
  return Math.min(viaSet, viaLoop, whole);
}

function nodeSampleCost(): number {
  const nodes = Array.from({ length: 1000 }, (_, i) => ({ a: i, b: i + 1, c: i + 2, d: i + 3, e: i + 4, f: i + 5, g: i + 6, h: i + 7, i: i + 8, j: i + 9, k: i + 10, l: i + 11 }));
  const rows = new Float64Array(1000 * 12);
  return best((n) => {
    for (let k = 0; k < n; k++) {
      const x = nodes[k % 1000]!;
      const o = (k % 1000) * 12;
      rows[o] = x.a; rows[o + 1] = x.b; rows[o + 2] = x.c; rows[o + 3] = x.d; rows[o + 4] = x.e; rows[o + 5] = x.f;
      rows[o + 6] = x.g; rows[o + 7] = x.h; rows[o + 8] = x.i; rows[o + 9] = x.j; rows[o + 10] = x.k; rows[o + 11] = x.l;
    }
  }, 2_000_000);
}

function invariantNodeCost(): number {
  const conns = Array.from({ length: 1000 }, (_, i) => Array.from({ length: 25 }, (_, j) => ({ type: (i + j) % 6, gone: (i * j) % 17 === 0 })));
  return best((n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const list = conns[k % 1000]!;
      let inbound = 0;
      for (let j = 0; j < list.length; j++) {
        const c = list[j]!;
        if (!c.gone && c.type === 0) inbound++;
      }
      if (inbound > 125) acc++;
    }
    sink += acc;
  }, 500_000);
}

function eventRecordedCost(): number {
  const counts = new Float64Array(32);
  return best((n) => {
    let h = 0x811c9dc5;
    for (let k = 0; k < n; k++) {
      counts[k & 31]!++;
      h = Math.imul(h ^ (k & 31), 0x01000193);
      h = Math.imul(h ^ (k >>> 5), 0x01000193);
      h = Math.imul(h ^ k, 0x01000193);
      h = Math.imul(h ^ 7, 0x01000193);
    }
    sink += h;
  }, 5_000_000);
}

function dispatchCost(): number {
  let a = 0, b = 0, c = 0, d = 0;
  const handlers: ((x: number) => void)[] = [(x) => { a += x; }, (x) => { b += x; }, (x) => { c += x; }, (x) => { d += x; }];
  return best((n) => {
    for (let k = 0; k < n; k++) handlers[k & 3]!(k);
    sink += a + b + c + d;
  }, 5_000_000);
}

/**
 * Times every primitive. `meanPending` sizes the event queue; `addrmanEntries` the AddrMan the
 * calls are timed on (the run's mean AddrMan size).
 */
export function measurePrimitives(meanPending: number, addrmanEntries: number): PrimitiveCosts {
  const am = addrmanCosts(Math.max(100, Math.round(addrmanEntries)));
  const costs: PrimitiveCosts = {
    event: eventCost(Math.max(1000, Math.round(meanPending))),
    message: messageCost(),
    connection: connectionCost(),
    addrEntry: addrEntryCost(),
    sipKey: sipKeyCost(),
    bloomOp: bloomOpCost(),
    ...am,
    selectTry: selectTryCost(),
    connAttempt: connAttemptCost(),
    dumpRow: dumpRowCost(),
    nodeSample: nodeSampleCost(),
    invariantNode: invariantNodeCost(),
    eventRecorded: eventRecordedCost(),
    dispatch: dispatchCost(),
  };
  if (sink === 0.5) console.error('');
  return costs;
}
