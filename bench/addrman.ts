// AddrMan benchmark: throughput of add / select / good / getAddr / peers.dat dumps and the memory one
// simulated node's AddrMan costs when it holds 20,000 addresses (the shared AddressPool is counted
// separately, since all nodes share it), plus the bucket tables' bytes at 300 to 20,000 entries. Prints one JSON line per measurement. Run with `node --expose-gc` (through
// tsx) for exact heap deltas; without it the figure comes from memoryUsage deltas over many nodes.

import { dumpPeerAddresses } from '../connman/addrman/addrdb.ts';
import { AddressPool } from '../connman/addrman/address-pool.ts';
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from '../connman/addrman/addrman.ts';
import { Network, NetAddr, Service } from '../connman/protocol/netaddress.ts';
import { NetGroupManager } from '../connman/netgroup/netgroup.ts';
import { Address, NODE_NETWORK } from '../connman/protocol/protocol.ts';
import { FastRandomContext } from '../connman/util/random.ts';
import type { BenchContext } from './harness.ts';

const NOW = 1_700_000_000;

function seed(n: number): Uint8Array {
  const s = new Uint8Array(32);
  s[0] = n & 0xff;
  s[1] = (n >>> 8) & 0xff;
  s[2] = 0xab;
  return s;
}

/** `count` distinct routable IPv4 services spread over many /16s, with their sources. */
export function makeAddresses(count: number): { addrs: Address[]; sources: NetAddr[] } {
  const rng = new FastRandomContext(seed(9999));
  const addrs: Address[] = [];
  const sources: NetAddr[] = [];
  const seen = new Set<string>();
  while (addrs.length < count) {
    const a = 1 + rng.randrange(222);
    if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192 || a === 198) continue;
    const s = new Service(Network.NET_IPV4, Uint8Array.of(a, rng.randrange(256), rng.randrange(256), 1 + rng.randrange(254)), 8333);
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    addrs.push(new Address(s, NODE_NETWORK, NOW - rng.randrange(86400 * 3)));
    sources.push(new NetAddr(Network.NET_IPV4, Uint8Array.of(20 + rng.randrange(180), rng.randrange(256), 1, 1)));
  }
  return { addrs, sources };
}

export function makeAddrman(pool: AddressPool, ngm: NetGroupManager, n: number): AddrMan {
  const key = Uint8Array.from(DETERMINISTIC_ADDRMAN_KEY);
  key[1] = n & 0xff;
  key[2] = (n >>> 8) & 0xff;
  return new AddrMan({
    netgroupman: ngm,
    clock: { nowMicros: () => NOW * 1e6 },
    rng: new FastRandomContext(seed(n)),
    key,
    consistencyCheckRatio: 0,
    pool,
  });
}

/** Fills an addrman until it holds `target` entries (or the list runs out); ~30% are made tried. */
export function fill(am: AddrMan, addrs: Address[], sources: NetAddr[], target: number, offset: number): void {
  for (let i = 0; i < addrs.length && am.size() < target; i++) {
    const k = (i + offset) % addrs.length;
    am.add([addrs[k]!], sources[k]!, 0);
    if (k % 10 < 3) am.good(addrs[k]!, NOW);
  }
}

function heapUsed(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

export function addrmanBench(ctx: BenchContext): void {
  const perNode = ctx.intArg('addresses', 20_000);
  const nodes = ctx.intArg('nodes', 12);
  const ops = ctx.intArg('ops', 200_000);
  const ngm = NetGroupManager.noAsmap();
  const pool = new AddressPool();
  const { addrs, sources } = makeAddresses(Math.max(ops, perNode * 3));

  // --- add throughput: fresh addresses into one addrman (hashing + table updates) ---
  {
    const am = makeAddrman(pool, ngm, 1);
    const n = Math.min(ops, addrs.length);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) am.add([addrs[i]!], sources[i]!, 0);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'add (cold pool: interning included)', ops: n, opsPerSec: Math.round(n / s), size: am.size() });

    // The same adds into a second node: the shared pool already knows every address.
    const warmAm = makeAddrman(pool, ngm, 2);
    const tw = process.hrtime.bigint();
    for (let i = 0; i < n; i++) warmAm.add([addrs[i]!], sources[i]!, 0);
    const sw = Number(process.hrtime.bigint() - tw) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'add', ops: n, opsPerSec: Math.round(n / sw), size: warmAm.size() });

    // --- select throughput on that addrman ---
    const m = ops;
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < m; i++) am.select(false);
    const s1 = Number(process.hrtime.bigint() - t1) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'select', ops: m, opsPerSec: Math.round(m / s1) });

    // --- good throughput (moves to tried or queues a collision) ---
    const g = Math.min(ops, am.size());
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < g; i++) am.good(addrs[i]!, NOW);
    const s2 = Number(process.hrtime.bigint() - t2) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'good', ops: g, opsPerSec: Math.round(g / s2), tried: am.size(null, false) });

    // --- peers.dat dumps (serialization, framing and checksum) of this addrman ---
    const d = 200;
    let dumpBytes = 0;
    const td = process.hrtime.bigint();
    for (let i = 0; i < d; i++) dumpBytes = dumpPeerAddresses('main', am).length;
    const sd = Number(process.hrtime.bigint() - td) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'dumpPeerAddresses', ops: d, opsPerSec: Math.round(d / sd), size: am.size(), bytes: dumpBytes });

    // --- getAddr (the GETADDR answer: 23% capped at 1000) ---
    const q = 200;
    const t3 = process.hrtime.bigint();
    for (let i = 0; i < q; i++) am.getAddr(1000, 23, null);
    const s3 = Number(process.hrtime.bigint() - t3) / 1e9;
    ctx.report({ bench: 'addrman', metric: 'getAddr(1000,23)', ops: q, opsPerSec: Math.round(q / s3) });
  }

  // --- bucket-table bytes (vvNew + vvTried) by size; the flat Int32Arrays they replaced took 327,680 ---
  for (const target of [300, 1000, 2000, 3000, 20_000]) {
    const am = makeAddrman(pool, ngm, 5000 + target);
    fill(am, addrs, sources, target, target);
    ctx.report({ bench: 'addrman', metric: 'tableBytes', entries: am.size(), tableBytes: am.tableBytes(), flatBytes: 327_680 });
  }

  // --- memory per node holding `perNode` addresses ---
  const keep: AddrMan[] = [];
  // Intern every address first so the shared pool is not charged to the nodes.
  const warm = makeAddrman(pool, ngm, 7777);
  fill(warm, addrs, sources, addrs.length, 0);
  for (const s of sources) pool.internNetAddr(s);
  const before = heapUsed();
  const tFill = process.hrtime.bigint();
  for (let n = 0; n < nodes; n++) {
    const am = makeAddrman(pool, ngm, 100 + n);
    fill(am, addrs, sources, perNode, n * 997);
    keep.push(am);
  }
  const fillS = Number(process.hrtime.bigint() - tFill) / 1e9;
  const after = heapUsed();
  const sizes = keep.map((a) => a.size());
  const avg = sizes.reduce((x, y) => x + y, 0) / sizes.length;
  ctx.report({
    bench: 'addrman',
    metric: 'bytesPerNode',
    nodes,
    avgEntries: Math.round(avg),
    bytesPerNode: Math.round((after - before) / nodes),
    bytesPerEntry: Math.round((after - before) / nodes / avg),
    tableBytesPerNode: Math.round(keep.reduce((x, a) => x + a.tableBytes(), 0) / nodes),
    exactGc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    poolAddresses: pool.size,
    fillSecondsPerNode: +(fillS / nodes).toFixed(3),
    rssMB: ctx.rssMB(),
  });
}
