// Benchmark: a whole world of honest Core nodes (default 1000, half listening, 7 DNS seeds, 50 ms
// latency) simulated for one hour from a cold start: every node bootstraps from DNS seeds, fills
// its outbound slots, feels, pings and gossips. Prints one JSON line with kernel events processed,
// events per wall-clock second, wall time and peak RSS. Options: --nodes=N --simHours=H --seed=S,
// --txPerSec=R (a network-wide Poisson transaction source with inv trickling; off by default) and
// --blocks=1 (a 10-minute Poisson block source with headers relay and stale-tip logic; off by default).

import { hours } from '../sim/index.ts';
import { BlockSource } from '../scenarios/world/block-source.ts';
import { TxSource } from '../scenarios/world/tx-source.ts';
import { World } from '../scenarios/world/world.ts';
import type { BenchContext } from './harness.ts';

export function connmanBench(ctx: BenchContext): void {
  const nodes = ctx.intArg('nodes', 1000);
  const simHours = ctx.intArg('simHours', 1);
  const seed = ctx.intArg('seed', 1);
  const txPerSec = ctx.intArg('txPerSec', 0);
  const blocks = ctx.intArg('blocks', 0) === 1;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let peakRss = ctx.rssMB();
  const t0 = process.hrtime.bigint();
  const world = new World({ seed, nodes, listeningShare: 0.5, startWindowMicros: 60_000_000, blocks });
  if (txPerSec > 0) new TxSource(world, { ratePerSecond: txPerSec });
  if (blocks) new BlockSource(world).start();
  // Run in slices of 5 simulated minutes to sample memory along the way.
  const end = hours(simHours);
  const slice = 5 * 60_000_000;
  let events = 0;
  for (let t = slice; t <= end; t += slice) {
    events += world.runUntil(Math.min(t, end));
    peakRss = Math.max(peakRss, ctx.rssMB());
  }
  if (world.kernel.now() < end) events += world.runUntil(end);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  peakRss = Math.max(peakRss, ctx.rssMB());
  ctx.report({
    bench: 'connman',
    nodes,
    simHours,
    txPerSec,
    blocks,
    events,
    eventsPerSec: Math.round(events / wallS),
    wallS: Math.round(wallS * 100) / 100,
    peakRssMB: peakRss,
  });
}
