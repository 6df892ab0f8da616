// How often the port's id tie-break, not Core's comparators, decides who inbound eviction protects
// (issue 17, item 3). Builds honest worlds whose listeners are short of inbound slots
// (-maxconnections=60: 49 inbound, about 24 of them full-relay), so that evictions happen in honest traffic, once with
// the plain world (a fixed latency per region pair, no blocks, no transactions) and once with the
// default world (per-link latency factors, blocks, transactions), and counts the eviction decisions
// in which at least one sorted protection step had a tie at its boundary, per step.
//
//   npx tsx tools/eviction-ties.ts [--nodes 200] [--hours 3] [--seeds 1,2,3]
//
// Prints one JSON line per world kind. Diagnostics only: it reads the port through
// ConnmanOptions.evictionTieObserver, which changes nothing the nodes do.

import { samplerFor, Rng, perLinkLatency, hours as h } from '../sim/index.ts';
import type { EvictionSortStep } from '../connman/net/eviction.ts';
import { resolveWorldSettings } from '../scenarios/world/world-settings.ts';
import { worldOptionsFor } from '../scenarios/world/population.ts';
import { World } from '../scenarios/world/world.ts';
import { BlockSource, POOL_HASH_SHARES } from '../scenarios/world/block-source.ts';
import { TxSource } from '../scenarios/world/tx-source.ts';
import { arg } from './arg.ts';

const nodes = Number(arg('nodes', '200'));
const simHours = Number(arg('hours', '3'));
const seeds = arg('seeds', '1,2,3').split(',');

for (const kind of ['plain', 'default'] as const) {
  let decisions = 0;
  let tied = 0;
  const perStep: Record<EvictionSortStep, number> = { netgroup: 0, 'min-ping': 0, 'tx-time': 0, 'block-relay-time': 0, 'block-time': 0 };
  const observe = (steps: readonly EvictionSortStep[], victim: number | null): void => {
    if (victim === null) return;
    decisions++;
    if (steps.length > 0) tied++;
    for (const st of steps) perStep[st]++;
  };
  for (const seed of seeds) {
    const base = worldOptionsFor({ nodes, listeningShare: 0.15 }, seed);
    const settings = resolveWorldSettings([]).settings;
    const opts = { ...base, seed, connman: { maxConnections: 60, evictionTieObserver: observe } };
    if (kind === 'default') {
      const links = new Rng(seed).fork('world/links');
      opts.latency = perLinkLatency(base.latency!, (a, b) => samplerFor(links.fork(`${a}-${b}`), settings.linkLatencyFactor!)());
    }
    const world = new World({ ...opts, blocks: kind === 'default' });
    if (kind === 'default') {
      new BlockSource(world, { interval: settings.blockInterval, pools: POOL_HASH_SHARES }).start();
      new TxSource(world, { ratePerSecond: 1, interval: settings.txArrivals! });
    }
    world.runUntil(h(simHours));
  }
  console.log(JSON.stringify({ world: kind, nodes, hours: simHours, seeds, decisions, tiedDecisions: tied, tiedShare: decisions === 0 ? null : tied / decisions, perStep }));
}
