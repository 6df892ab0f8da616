// A warm start: the honest network runs for a while (the `warmup` world setting) before a
// scenario's clock starts, so its nodes meet the scenario with tables, GETADDR caches and
// connections as a long-running network has them instead of empty. Nodes join at drawn times
// (`joins`, world.ts), and each may restart once (`warmupRestart`, here): Core builds a node's
// GETADDR answer at the first GETADDR it gets and keeps it 21-27 h (net.cpp CConnman::GetAddresses),
// so a cache built while the tables are still empty stays small for a day; a restart after the
// tables filled rebuilds it from them, as the cache turnover of a day would. Nothing here touches
// Core's path: joins and restarts are the world's own events (World.startNode / restartNode), and
// the state summary only reads.
//
// Determinism: restart delays are drawn once per node, in index order, from a stream of their own
// forked from the run's seed, at build time, so they depend on nothing that happens in the run.
// Not cached: a warmed world is not snapshotted and restored (there is no byte-exact serialisation
// of a running world: kernel queue, closures, every Connman's state), so each run pays for its
// warm-up; SCENARIOS.md ("Warm worlds") gives the cost.

import { Rng as SimRng, samplerFor, seconds, type DistributionSpec, type Micros } from '../../sim/index.ts';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import type { World } from './world.ts';

/** How long a node restarted in the warm-up stays down (World.restartNode's default). */
export const WARMUP_RESTART_DOWNTIME: Micros = seconds(10);

/**
 * Schedules one graceful restart per honest node, `spec` after its join (world.joinAt). A restart
 * that falls at or after `originMicros` (the scenario's start) is skipped for nodes `exempt` then
 * answers true for (the scenario's victims and protected nodes); one whose node is down is skipped.
 * Returns a counter of the restarts done.
 */
export function scheduleWarmupRestarts(world: World, spec: DistributionSpec, seed: string, originMicros: Micros, exempt: (node: number) => boolean): { done: number } {
  const draw = samplerFor(new SimRng(seed).fork('world/warmup-restarts'), spec);
  const counter = { done: 0 };
  for (const n of world.nodes) {
    const at = world.joinAt(n.index) + Math.max(1, Math.round(draw()));
    world.kernel.schedule(at, () => {
      if (n.connman === undefined) return;
      if (at >= originMicros && exempt(n.index)) return;
      counter.done++;
      world.restartNode(n.index, WARMUP_RESTART_DOWNTIME);
    });
  }
  return counter;
}

/** What a warm-up reached, recorded in summary.json (`warmup`) and printed after a run. */
export interface WarmupState {
  /** The warm-up's length (the world setting's text). */
  duration: string;
  /** Honest nodes running at its end, of all honest nodes. */
  running: number;
  /** Restarts done during the warm-up (warmupRestart). */
  restarts: number;
  /** Median AddrMan new / tried entries over running nodes. */
  medianNew: number;
  medianTried: number;
  /** Median over listening nodes of the largest GETADDR answer they hold cached (0: none built yet). */
  medianGetaddrCache: number;
  /** Median age, in minutes, of the running nodes' full-relay outbound connections. */
  medianOutboundAgeMinutes: number;
  /** Median full-relay outbound peers over running nodes. */
  medianFullOutbound: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The world's state now (the end of the warm-up), as WarmupState. */
export function warmupState(world: World, durationText: string, restarts: number): WarmupState {
  const news: number[] = [];
  const trieds: number[] = [];
  const caches: number[] = [];
  const ages: number[] = [];
  const fulls: number[] = [];
  const now = world.clock.nowMicros();
  let running = 0;
  for (const n of world.nodes) {
    const c = n.connman;
    if (c === undefined) continue;
    running++;
    news.push(c.addrman.size(null, true));
    trieds.push(c.addrman.size(null, false));
    if (n.listening) caches.push(Math.max(0, ...c.addrCache.answerSizes()));
    let full = 0;
    for (const p of c.getNodes()) {
      if (p.connType !== ConnectionType.OUTBOUND_FULL_RELAY || !p.successfullyConnected) continue;
      full++;
      ages.push(Math.floor((now - p.connectedMicros) / seconds(60)));
    }
    fulls.push(full);
  }
  return {
    duration: durationText,
    running,
    restarts,
    medianNew: median(news),
    medianTried: median(trieds),
    medianGetaddrCache: median(caches),
    medianOutboundAgeMinutes: median(ages),
    medianFullOutbound: median(fulls),
  };
}
