// The scale benchmarks' workload, pinned: the `baseline` scenario on the world that the population
// defaults gave when these cases were introduced (commit 5197bb8), written out option by option.
// The defaults will move (more realistic worlds: blocks, latencies, presets); these cases must keep
// measuring the same simulation so that figures stay comparable across commits, so nothing here
// reads a default. The copy of the latency matrix and the shares is deliberate for that reason.
// A change here changes every scale digest: give the cases new names instead.

import { AsModel } from '../scenarios/world/as-model.ts';
import type { RunRequest } from '../scenarios/dsl/runner.ts';
import type { WorldSettingKey } from '../scenarios/world/world-settings.ts';
import { Rng as SimRng, millis, regionLatency } from '../sim/index.ts';

/** One-way latencies (ms) between the five regions (north america, europe, asia, oceania, south america). */
const LATENCY_MS: readonly (readonly number[])[] = [
  [20, 45, 90, 80, 60],
  [45, 15, 85, 140, 100],
  [90, 85, 35, 60, 160],
  [80, 140, 60, 15, 150],
  [60, 100, 160, 150, 30],
];

/** The scale cases' world, apart from seed and node count (which the run request gives). */
export function pinnedScaleWorld(nodes: number, seed: string): NonNullable<RunRequest['world']> {
  return {
    listeningShare: Math.min(1, Math.max(0.15, 24 / nodes)),
    regions: 5,
    regionWeights: [0.3, 0.45, 0.13, 0.04, 0.05],
    latency: regionLatency(LATENCY_MS.map((row) => row.map((ms) => millis(ms)))),
    dnsSeeds: 7,
    staleAddresses: Math.floor(nodes / 4),
    startWindowMicros: 0,
    families: { ipv4: 0.8, ipv6: 0.12, onion: 0.06, i2p: 0.01, cjdns: 0.01 },
    asModel: AsModel.synthetic(new SimRng(seed).fork('population/as-model'), {
      asns: 300,
      zipfExponent: 1.0,
      hostingAsns: 6,
      hostingSlash16s: 40,
      accessSlash16sMax: 4,
      smallShare: 0.5,
    }),
    fixedSeeds: 0,
    churn: undefined,
    analyticPings: true,
    // -discover=0: announce only our own address. The world of 5197bb8 did not model
    // GetLocalAddrForPeer, whose one random bit per announcement (main since ca4f6cb) would change
    // every draw after it; with discovery off the port announces exactly what that world did.
    connman: { discover: false },
  };
}

/**
 * The scale cases' world settings (scenarios/world/world-settings.ts), every one of them: the world
 * of commit 5197bb8, before the settings existed, had no blocks, no transactions, one latency per
 * region pair, no jitter, no node behind a NAT, no outside network, no sessions and a cold start (reachableShare
 * and downtime are read only with a crawl, the mainnet preset or sessions: pinned all the same).
 * The world settings decide blocks, natShare and the links over the options above. A new setting
 * fails to compile here until it is pinned to what the world of 5197bb8 did.
 */
export const PINNED_SCALE_SETTINGS: Readonly<Record<WorldSettingKey, string>> = {
  blocks: 'false',
  blockInterval: 'exponential(10m)',
  txArrivals: 'off',
  linkLatencyFactor: 'off',
  jitter: 'off',
  natShare: '0',
  reachableShare: '0.19',
  outsideAnnouncements: 'off',
  sessionLength: 'off',
  downtime: 'weibull(0.7,2h)',
  warmup: 'off',
  joins: 'off',
  warmupRestart: 'off',
  preset: 'default',
};
