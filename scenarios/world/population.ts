// The population generator's front door: a PopulationOptions record (how many nodes, how many
// reachable, which address families, which AS model, regions and their latencies, churn, seeding)
// with documented realistic defaults, turned into WorldOptions by worldOptionsFor; and the default
// inter-region latency matrix. It does not build the World itself (world.ts does) nor hold the
// AS table (as-model.ts), the seed-list parser (seed-list.ts) or the churn model (lifetimes.ts).

import type { Service } from '../../connman/protocol/netaddress.ts';
import { Rng as SimRng, hours, millis, regionLatency, type LatencyModel, type Micros } from '../../sim/index.ts';
import type { FamilyShares } from './address-plan.ts';
import { AsModel, type SyntheticAsOptions } from './as-model.ts';
import type { ChurnOptions } from './lifetimes.ts';
import { samplePopulation, type CrawledNode } from './population-file.ts';
import type { WorldOptions } from './world.ts';

/** Region names of POPULATION_LATENCY_MS, in matrix order. */
export const POPULATION_REGIONS: readonly string[] = ['north-america', 'europe', 'asia', 'oceania', 'south-america', 'africa'];

/**
 * One-way latencies in ms between the regions (about half the typical inter-continental round
 * trip times between major data centres; the diagonal is the typical distance inside a region).
 */
export const POPULATION_LATENCY_MS: readonly (readonly number[])[] = [
  // NA  EU   AS   OC   SA   AF
  [20, 45, 90, 80, 60, 110],
  [45, 15, 85, 140, 100, 70],
  [90, 85, 35, 60, 160, 130],
  [80, 140, 60, 15, 150, 180],
  [60, 100, 160, 150, 30, 160],
  [110, 70, 130, 180, 160, 40],
];

/**
 * Relative weights of the regions, roughly where reachable Bitcoin nodes are (crawler counts put
 * most in North America and Europe).
 */
export const POPULATION_REGION_WEIGHTS: readonly number[] = [0.3, 0.45, 0.13, 0.04, 0.05, 0.03];

/**
 * The region matrix for the first `regions` (1..6) of POPULATION_REGIONS, in µs, as a sim latency
 * model. Optional `jitter` draws extra µs per packet.
 */
export function populationLatency(regions: number, jitter?: () => number): LatencyModel {
  if (!Number.isInteger(regions) || regions < 1 || regions > POPULATION_LATENCY_MS.length) {
    throw new RangeError(`populationLatency: regions must be 1..${POPULATION_LATENCY_MS.length}, got ${regions}`);
  }
  const m = POPULATION_LATENCY_MS.slice(0, regions).map((row) => row.slice(0, regions).map((ms) => millis(ms)));
  return regionLatency(m, jitter);
}

/**
 * Reachable share default: crawlers see some 15-20 thousand reachable nodes against estimates of
 * 50-100+ thousand in total, so roughly 10-20 % listen; 0.15 sits in the middle and still gives a
 * small world enough inbound slots (each listener serves ~10 × (1/0.15) ≈ 67 outbound slots, under
 * Core's 189 inbound).
 */
export const DEFAULT_LISTENING_SHARE = 0.15;

/**
 * Family default: mostly IPv4, some IPv6, a minority on privacy networks. Invented, not measured
 * (world-settings.ts PRIVACY_NETWORKS_NOTE: no stored measurement supports privacy-network shares;
 * with --population they are zero). Real crawls show many more onion addresses, but in this world
 * clearnet nodes do not reach Tor (see world.ts), so a large onion share would mostly model
 * isolated onion listeners.
 */
export const DEFAULT_FAMILIES: FamilyShares = { ipv4: 0.8, ipv6: 0.12, onion: 0.06, i2p: 0.01, cjdns: 0.01 };

/**
 * Churn preset (not on by default): heavy-tailed sessions (Weibull shape 0.6, scale 10 h), down
 * times of a few hours, a third of session ends crashes.
 */
export const DEFAULT_CHURN: ChurnOptions = {
  sessionShape: 0.6,
  sessionScaleMicros: hours(10),
  downtimeShape: 0.7,
  downtimeScaleMicros: hours(2),
  crashShare: 0.3,
};

export interface PopulationOptions {
  /** Honest nodes. */
  nodes: number;
  /** Share of listening (reachable) nodes. Default defaultListeningShare(nodes): 0.15, more below 160 nodes. */
  listeningShare?: number;
  /** Family shares. Default DEFAULT_FAMILIES; 'ipv4' = every node IPv4 (the plain world). */
  families?: FamilyShares | 'ipv4';
  /** The AS table. Default 'synthetic' (AsModel.synthetic with `asModelOptions`). */
  asModel?: 'synthetic' | 'none' | AsModel;
  asModelOptions?: SyntheticAsOptions;
  /** Which nodes use the asmap for netgroups (Core's -asmap). Default false. */
  useAsmap?: boolean | ((node: number) => boolean);
  /** Seed-list endpoints given to the first nodes (seed-list.ts). */
  seedList?: readonly Service[];
  /** Latency regions, 1..6 of POPULATION_REGIONS. Default 5. */
  regions?: number;
  /** Region weights. Default POPULATION_REGION_WEIGHTS (first `regions`). */
  regionWeights?: readonly number[];
  /** Churn: options, 'default' for DEFAULT_CHURN, or undefined for none (default). */
  churn?: ChurnOptions | 'default';
  churnExempt?: (node: number) => boolean;
  /** DNS seed names (0..7). Default 7. */
  dnsSeeds?: number;
  /** Dead addresses the seeders mix in. Default nodes / 4. */
  staleAddresses?: number;
  /** Listening nodes that are the fixed seeds. Default: the seed list's nodes, else 0. */
  fixedSeeds?: number;
  /** Nodes start at uniform times in [0, window). Default 0. */
  startWindowMicros?: Micros;
  /**
   * A crawl of the reachable network (--population): the reachable nodes are a sample of it that
   * keeps its network mix, crawlReachableCount of them; the others are unreachable, in the
   * crawl's IPv4/IPv6 mix. Replaces listeningShare, families and seedList; the AS model is the
   * one given (a real asmap) or none (asnOf then answers the crawl's ASNs).
   */
  crawl?: { nodes: readonly CrawledNode[]; reachableShare: number };
}

/**
 * How many of `nodes` honest nodes are the crawl's reachable ones: `reachableShare` of them (at
 * least MIN_LISTENERS, as a small world needs), no more than the crawl holds.
 */
export function crawlReachableCount(nodes: number, crawlSize: number, reachableShare: number): number {
  return Math.min(crawlSize, nodes, Math.max(Math.min(nodes, MIN_LISTENERS), Math.round(reachableShare * nodes)));
}

/**
 * Listening nodes a small population needs: every node wants 8 full-relay + 2 block-relay outbound
 * peers in distinct netgroups, so fewer than about two dozen listeners leaves nodes retrying forever
 * (and Core's Select spinning on recently-tried entries). Below 160 nodes the share rises so that
 * at least MIN_LISTENERS nodes listen; above, it is DEFAULT_LISTENING_SHARE.
 */
export const MIN_LISTENERS = 24;

export function defaultListeningShare(nodes: number): number {
  return Math.min(1, Math.max(DEFAULT_LISTENING_SHARE, MIN_LISTENERS / Math.max(1, nodes)));
}

/**
 * WorldOptions for a population: every default above filled in. A synthetic AS model is built from
 * the seed's own 'population/as-model' stream, so the same (options, seed) give the same model.
 */
export function worldOptionsFor(pop: PopulationOptions, seed: number | string): WorldOptions {
  const regions = pop.regions ?? 5;
  let asModel: AsModel | undefined;
  const am = pop.asModel ?? 'synthetic';
  if (am === 'synthetic') asModel = AsModel.synthetic(new SimRng(seed).fork('population/as-model'), pop.asModelOptions);
  else if (am !== 'none') asModel = am;
  const families = pop.families === 'ipv4' ? undefined : (pop.families ?? DEFAULT_FAMILIES);
  const churn = pop.churn === 'default' ? DEFAULT_CHURN : pop.churn;
  const out: WorldOptions = {
    seed,
    nodes: pop.nodes,
    listeningShare: pop.listeningShare ?? defaultListeningShare(pop.nodes),
    regions,
    regionWeights: pop.regionWeights ?? (regions > 1 ? POPULATION_REGION_WEIGHTS.slice(0, regions) : undefined),
    latency: populationLatency(regions),
    dnsSeeds: pop.dnsSeeds ?? 7,
    staleAddresses: pop.staleAddresses ?? Math.floor(pop.nodes / 4),
    startWindowMicros: pop.startWindowMicros ?? 0,
  };
  if (pop.crawl !== undefined) {
    // The crawl replaces the invented parts: who listens, where, and in which families.
    const k = crawlReachableCount(pop.nodes, pop.crawl.nodes.length, pop.crawl.reachableShare);
    const sample = samplePopulation(pop.crawl.nodes, k, new SimRng(seed).fork('population/crawl'));
    out.reachable = sample;
    const v6 = sample.filter((n) => n.network === 'ipv6').length;
    out.families = { ipv4: sample.length - v6, ipv6: v6 };
    if (asModel !== undefined && am !== 'synthetic') out.asModel = asModel;
    if (pop.useAsmap !== undefined) out.useAsmap = pop.useAsmap;
    if (pop.fixedSeeds !== undefined) out.fixedSeeds = pop.fixedSeeds;
    if (churn !== undefined) out.churn = churn;
    if (pop.churnExempt !== undefined) out.churnExempt = pop.churnExempt;
    return out;
  }
  if (families !== undefined) out.families = families;
  if (asModel !== undefined) out.asModel = asModel;
  if (pop.useAsmap !== undefined) out.useAsmap = pop.useAsmap;
  if (pop.seedList !== undefined) out.seedList = pop.seedList;
  if (pop.fixedSeeds !== undefined) out.fixedSeeds = pop.fixedSeeds;
  if (churn !== undefined) out.churn = churn;
  if (pop.churnExempt !== undefined) out.churnExempt = pop.churnExempt;
  return out;
}
