// Scale benchmarks: the `baseline` scenario through scenarios/dsl/runner.ts runScenario at 1k, 4k,
// 10k or 50k honest nodes for 24 simulated hours (or --simHours=H, fractions allowed), on the
// pinned world of bench/workload.ts (so the figures stay comparable when the population's
// defaults change); mainnet-1k and mainnet-10k run it on the realistic world instead
// (`--set preset=mainnet`, SCENARIOS.md "Calibration"), which moves with the preset. Prints one JSON line with events, wall time, events/s, the process's peak RSS
// and the run's digest, then a second line with the CPU profile folded into subsystem shares
// (bench/cpu-profile.ts), or with --floor the floor meter's record (bench/floor.ts: measured CPU,
// floor and their ratio per subsystem). It holds no simulation logic of its own.
//
// Progress goes to stderr every tenth of the simulated time.
// Options: --simHours=H (default 24), --seed=S (default 1), --nodes=N (override the case's size),
// --profile=0 (no CPU profile: the profiler costs a few per cent), --top=N (also list the N
// hottest functions), --interval=µs (profiler sampling interval, default 1000), --saveProfile=PATH
// (also write the raw .cpuprofile, for Chrome DevTools), --floor (the floor meter; it profiles).
// scale-50k needs --big, so that a plain `npm run bench -- scale-50k` cannot start an hour-long
// run by accident. 10k nodes and more need a V8 heap above the ~4 GB default (the bench script
// gives 16 GB).

import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

import { snapshotOpCounts } from '../connman/util/op-counts.ts';
import baseline from '../scenarios/builtin/baseline.ts';
import { runScenario } from '../scenarios/dsl/runner.ts';
import { breakdown, startCpuProfiler, type CpuProfiler } from './cpu-profile.ts';
import { floorRecord, opCountsSince, subsystemShares, type RunTotals } from './floor.ts';
import { measurePrimitives } from './floor-primitives.ts';
import type { BenchContext } from './harness.ts';
import { PINNED_SCALE_SETTINGS, pinnedScaleWorld } from './workload.ts';

/** Below this V8 heap limit a 10k-node world dies of "JavaScript heap out of memory" (it needs ~4+ GB of JS heap). */
const BIG_WORLD_HEAP_MB = 8192;

/** What a scale case simulates: the pinned world of bench/workload.ts, or the realistic mainnet preset. */
type ScaleWorkload = 'pinned' | 'mainnet';

function scaleBench(name: string, defaultNodes: number, ctx: BenchContext, workload: ScaleWorkload = 'pinned'): void {
  const nodes = ctx.intArg('nodes', defaultNodes);
  const heapLimitMB = Math.round(getHeapStatistics().heap_size_limit / 1048576);
  if (nodes >= 5000 && heapLimitMB < BIG_WORLD_HEAP_MB) {
    console.error(
      `bench: ${name}: the V8 heap limit is ${heapLimitMB} MB; ${nodes} nodes need more. ` +
        `Run with NODE_OPTIONS=--max-old-space-size=16384 npm run bench -- ${name} ...`,
    );
  }
  const simHours = ctx.numArg('simHours', 24);
  const seed = String(ctx.intArg('seed', 1));
  const floor = ctx.flag('floor');
  const profiling = floor || ctx.flag('profile', true);
  const topN = ctx.intArg('top', 0);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const durationMicros = Math.round(simHours * 3600e6);
  let profiler: CpuProfiler | undefined;
  if (profiling) profiler = startCpuProfiler(ctx.intArg('interval', 1000));
  const ops0 = snapshotOpCounts();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // A progress line on stderr every tenth of the simulated time (stdout stays JSON lines only).
  let nextTenth = 1;
  const outcome = runScenario({
    scenario: baseline,
    seed,
    nodes,
    duration: durationMicros,
    profile: 'core-master',
    // The mainnet cases follow the preset as it evolves (SCENARIOS.md, "Calibration"): their digests
    // change when the realistic world does, unlike the pinned cases'.
    ...(workload === 'pinned' ? { world: pinnedScaleWorld(nodes, seed), worldSettings: PINNED_SCALE_SETTINGS } : { set: ['preset=mainnet'] }),
    onProgress: (p) => {
      if (p.simMicros * 10 < nextTenth * p.durationMicros) return;
      while (p.simMicros * 10 >= nextTenth * p.durationMicros) nextTenth++;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const rss = Math.round(process.memoryUsage.rss() / 1048576);
      console.error(`${name}: ${(p.simMicros / 3.6e9).toFixed(2)} of ${simHours} simulated h, ${p.events} events, ${s.toFixed(0)} s, RSS ${rss} MB`);
    },
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of this process (user + system): steadier than wall time on a shared machine.
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const profile = profiler?.stop();
  const ops = opCountsSince(ops0);
  // maxRSS is the whole process's peak in KiB: run one scale case per process for a clean figure.
  // cpuS (user + system CPU seconds) exceeds wallS when V8's GC threads use the second core.
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const events = outcome.summary.eventsProcessed;
  ctx.report({
    bench: name,
    nodes,
    simHours,
    seed,
    events,
    wallS: Math.round(wallS * 100) / 100,
    eventsPerSec: Math.round(events / wallS),
    peakRssMB,
    cpuS: Math.round(cpuS * 100) / 100,
    digest: outcome.summary.digest,
  });
  const save = process.argv.find((a) => a.startsWith('--saveProfile='));
  if (profile !== undefined && save !== undefined) writeFileSync(save.slice('--saveProfile='.length), JSON.stringify(profile));
  if (profile !== undefined && floor) {
    const world = outcome.world;
    const net = world.network.stats();
    let entries = 0;
    let running = 0;
    for (const n of world.nodes) {
      if (n.connman === undefined) continue;
      running++;
      entries += n.connman.addrman.nNew + n.connman.addrman.nTried;
    }
    const totals: RunTotals = {
      cpuS,
      events,
      pending: world.kernel.pending,
      messagesSent: net.messagesSent,
      messagesDelivered: net.messagesDelivered,
      connectsAttempted: net.connectsAttempted,
      connectsSucceeded: net.connectsSucceeded,
      addrmanEntries: running > 0 ? entries / running : 0,
    };
    const shares = subsystemShares(profile);
    // The primitives are timed after the run, with its garbage collected, in this same process.
    gc?.();
    const costs = measurePrimitives(totals.pending, totals.addrmanEntries);
    ctx.report(floorRecord(name, totals, ops, costs, shares));
  } else if (profile !== undefined) {
    const b = breakdown(profile, topN);
    ctx.report({ bench: name, profile: b.shares, samples: b.samples, ...(topN > 0 ? { top: b.top } : {}) });
  }
}

export function scale1kBench(ctx: BenchContext): void {
  scaleBench('scale-1k', 1000, ctx);
}

export function scale4kBench(ctx: BenchContext): void {
  scaleBench('scale-4k', 4000, ctx);
}

export function scale10kBench(ctx: BenchContext): void {
  scaleBench('scale-10k', 10_000, ctx);
}

export function mainnet1kBench(ctx: BenchContext): void {
  scaleBench('mainnet-1k', 1000, ctx, 'mainnet');
}

export function mainnet10kBench(ctx: BenchContext): void {
  scaleBench('mainnet-10k', 10_000, ctx, 'mainnet');
}

export function scale50kBench(ctx: BenchContext): void {
  if (!ctx.flag('big')) {
    console.error('bench: scale-50k runs for a long time and needs --big (e.g. npm run bench -- scale-50k --big --simHours=1)');
    return;
  }
  scaleBench('scale-50k', 50_000, ctx);
}
