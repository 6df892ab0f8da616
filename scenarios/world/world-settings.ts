// The world's own settings, beside the release profile's (profiles.ts): what the network around the
// port does — blocks being mined, transactions being broadcast, links that differ — each with a
// documented default and its source, set with `--set key=value` like a profile setting, recorded
// in summary.json and shown by `connsim describe`. A scenario may change a default (and says why
// in its threat model); the command line has the last word. Core's own timers stay Core's.

import { REAL_FLOODS_PER_HOUR } from './outside-network.ts';
import { DistributionError, DurationParseError, parseDistribution, parseDuration, formatDuration, type DistributionSpec, type DistributionUnit, type Micros } from '../../sim/index.ts';

/** The world's settings, resolved. A distribution is null when the setting is "off". */
export interface WorldSettings {
  blocks: boolean;
  blockInterval: DistributionSpec;
  txArrivals: DistributionSpec | null;
  linkLatencyFactor: DistributionSpec | null;
  jitter: DistributionSpec | null;
  natShare: number;
  reachableShare: number;
  outsideAnnouncements: DistributionSpec | null;
  sessionLength: DistributionSpec | null;
  downtime: DistributionSpec;
  /** Simulated time the honest network runs before the scenario's clock starts (0: none; warmup.ts). */
  warmup: Micros;
  /** When each honest node first starts, from the world's beginning (null: all at once). */
  joins: DistributionSpec | null;
  /** How long after its join each honest node restarts once, gracefully (null: no such restart). */
  warmupRestart: DistributionSpec | null;
  preset: WorldPreset;
}

/**
 * The mainnet preset's warm-up (warmup.ts): nodes join over the first hour, tables fill from the
 * DNS seeds, GETADDR answers and the outside network's floods, then every node restarts once (as
 * the nodes of a long-running network have restarted since their tables filled), so that its
 * GETADDR cache is built from a full table and its connections have ages spread over hours.
 */
export const MAINNET_WARMUP = { warmup: '6h', joins: 'uniform(0s,1h)', warmupRestart: 'uniform(3h,5h)' } as const;

/** Named sets of world settings (`--set preset=mainnet`); an explicit `--set key=…` still wins. */
export type WorldPreset = 'default' | 'mainnet';

export const WORLD_PRESETS: Readonly<Record<WorldPreset, { meaning: string; values: Readonly<Partial<Record<WorldSettingKey, string>>> }>> = {
  default: { meaning: 'the settings as listed', values: {} },
  mainnet: {
    meaning:
      'the calibrated world: the defaults, the rest of the network announcing itself (outsideAnnouncements), and reachableShare deciding who listens even without --population',
    values: { outsideAnnouncements: `poisson(${Math.round(REAL_FLOODS_PER_HOUR)}/h)`, ...MAINNET_WARMUP },
  },
};

export type WorldSettingKey = keyof WorldSettings;

/** How one world setting is written, defaulted and documented. */
export interface WorldSettingInfo {
  readonly key: WorldSettingKey;
  readonly type: 'boolean' | 'distribution' | 'share' | 'preset' | 'duration';
  /** For distributions: times (durations) or plain numbers. */
  readonly unit?: DistributionUnit;
  /** For distributions: whether "off" is allowed. */
  readonly canBeOff?: boolean;
  readonly default: string;
  readonly meaning: string;
  /** Where the default comes from. */
  readonly source: string;
}

export const WORLD_SETTINGS: readonly WorldSettingInfo[] = [
  {
    key: 'blocks',
    type: 'boolean',
    default: 'true',
    meaning:
      "Blocks are mined and relayed through the port's block logic, so stale-tip extra peers, chain-sync eviction, extra block-relay-only peers and the last-block eviction protections run. Each block appears at one mining pool's gateway node, the pool drawn by hash share (block-source.ts POOL_HASH_SHARES).",
    source: 'Pool shares: Blockchain.com, 7 days to 2022-12-14 (Foundry 24.8 %, AntPool 20.1 %, F2Pool 15.1 %, ...)',
  },
  {
    key: 'blockInterval',
    type: 'distribution',
    unit: 'duration',
    default: 'exponential(10m)',
    meaning: 'Time between blocks.',
    source: "Consensus nPowTargetSpacing (600 s); arrivals are close to Poisson over a difficulty epoch (Bowden et al., arXiv 1801.07447, show the departures)",
  },
  {
    key: 'txArrivals',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'poisson(1/10m)',
    meaning:
      "Time between novel transactions, network-wide; each appears at one running node and is relayed by the port's transaction relay, so peers' last-transaction times are set as Core sets them. A thinned stream: the real network carries about 5-7 tx/s; for inbound eviction's tx-time protection the thinned stream is nearly the same as none (measured: connman/PORTING.md, \"Transactions in worlds\").",
    source: 'Real rate 4.9 tx/s (2023) to 6.0 tx/s (2024) from on-chain counts; thinned here to one per 10 minutes (about 3,600x fewer), for cost',
  },
  {
    key: 'linkLatencyFactor',
    type: 'distribution',
    unit: 'number',
    canBeOff: true,
    default: 'lognormal(1,0.5)',
    meaning:
      "Each pair of hosts' one-way latency is the region matrix's (population.ts) times a factor drawn once for the pair, so peers in one region pair do not tie on ping. off: every link of a region pair is the same.",
    source:
      'No stored primary source fits a per-link Bitcoin RTT distribution; a log-normal (as Mödinger et al., PLoS ONE 2020, model dissemination delays) with median 1 and sigma 0.5 spreads each region pair over about 0.4x-2.3x (p5-p95)',
  },
  {
    key: 'jitter',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'off',
    meaning: 'Extra delay drawn for every message (e.g. erlang(3,2ms)). With jitter, keep-alive pings are sent as messages (the analytic ping path needs fixed timing).',
    source: 'Off by default',
  },
  {
    key: 'natShare',
    type: 'share',
    default: '0.76',
    meaning:
      'Share of the nodes that do not listen publicly which run Core with -listen=1 behind a NAT: unreachable (attempts time out), they announce the address their peers see them as (GetLocalAddrForPeer, -discover). The rest run -listen=0 and announce nothing.',
    source: 'Grundmann, Amberg, Baumstark, Hartenstein, FC 2022: "about 76 % of all unreachable peers announce their address"',
  },
  {
    key: 'reachableShare',
    type: 'share',
    default: '0.19',
    meaning:
      'With --population FILE or the mainnet preset: the share of honest nodes that listen publicly (the crawl\'s reachable nodes; at least 24, at most the crawl); the rest are unreachable. Otherwise the scenario decides who listens.',
    source:
      '7,833 reachable hosts (crawl of 2024-01-25) against about 34,000 unreachable nodes (Grundmann et al., FC 2022, May 2022; at least 3 to 1 since 2018): 7,833 / 41,833 = 0.19, the same figures the outside network is derived from',
  },
  {
    key: 'outsideAnnouncements',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'off',
    meaning:
      "Self-announcements of the real network's announcing nodes outside the population, network-wide: each enters at a running listening node, which relays and stores it as Core does, and the port's relay floods it on (outside-network.ts). The outside nodes are addresses only (attempts to them time out). poisson(1404/h) in the mainnet preset; the cost is address traffic: each flood is about 2 deliveries per node.",
    source:
      'About 33,700 announcing nodes (7,833 reachable in the 2024-01-25 crawl + 76 % of ~34,000 unreachable, Grundmann et al. FC 2022), each address flooding the network about once per AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL (24 h): 33,700 / 24 h = 1,404 per hour, less the floods of the simulated announcers (not subtracted: at most a few percent)',
  },
  {
    key: 'sessionLength',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'off',
    meaning:
      "How long an honest node runs before it stops (a third of stops are crashes) and later restarts after `downtime`, for every honest node but the scenario's victims; e.g. weibull(0.6,10h). off: nodes run for the whole run unless the scenario churns them.",
    source:
      'No stored primary measurement of Bitcoin session lengths fits (monitors publish connection durations, e.g. KIT DSN: more than 90 % of peers stay connected at least an hour); off by default, and so in the mainnet preset',
  },
  {
    key: 'downtime',
    type: 'distribution',
    unit: 'duration',
    default: 'weibull(0.7,2h)',
    meaning: 'How long a stopped node stays down before it restarts (with sessionLength only).',
    source: 'The churn scenario\'s own assumption (scenarios/world/population.ts DEFAULT_CHURN), not a measurement',
  },
  {
    key: 'warmup',
    type: 'duration',
    default: 'off',
    meaning:
      "Simulated time the honest network runs before the scenario's clock starts: nodes join (joins), fill their tables, build their GETADDR caches and age their connections; the scenario's script, attackers, metrics, charts and checks start at its end, and times in the scenario (--duration, s.at, inspect --at) count from there. summary.json's `warmup` records the state it reached. 6h in the mainnet preset (MAINNET_WARMUP). off: the world starts cold at the scenario's start.",
    source:
      'A modelling choice, not a measurement: in a 60-node mainnet-preset world 6 h is where the cached GETADDR answers reach Core\'s 1,000-address cap (3 h: about 650), with new tables of about 5,000 entries (SCENARIOS.md, "Warm worlds")',
  },
  {
    key: 'joins',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'off',
    meaning:
      'When each honest node first starts, counted from the world\'s beginning (the warm-up\'s start), drawn once per node; a draw past the warm-up joins the node during the scenario. off: every node starts at once. uniform(0s,1h) in the mainnet preset.',
    source: 'A modelling choice: staggered joins avoid a network-wide synchronised bootstrap (every GETADDR at the same instant); no stored measurement of join times',
  },
  {
    key: 'warmupRestart',
    type: 'distribution',
    unit: 'duration',
    canBeOff: true,
    default: 'off',
    meaning:
      "How long after its join each honest node restarts once (graceful: peers.dat and anchors.dat kept, 10 s down), drawn once per node; a restart that falls after the warm-up is skipped for the scenario's victims and protected nodes. Core builds a GETADDR cache at the first GETADDR and keeps it 21-27 h, so a cache built at a cold start holds what the near-empty table held (7 addresses in a 24-node mainnet-preset world) for a day; after a restart it is built from the filled table. uniform(3h,5h) in the mainnet preset.",
    source:
      "Core's cache lifetime (net.cpp GetAddresses: 21 h + up to 6 h); the restart stands in for a day of cache turnover, which a warm-up would need 21-27 h of simulated time (4-5x the preset's 6 h) to reach",
  },
  {
    key: 'preset',
    type: 'preset',
    default: 'default',
    meaning: `A named set of the settings above, applied before the other --set values: ${Object.entries(WORLD_PRESETS)
      .map(([k, v]) => `${k} (${v.meaning})`)
      .join('; ')}.`,
    source: 'See each setting',
  },
];

/**
 * Why the world holds no Tor, I2P or CJDNS node from a measurement (printed by `connsim profiles`;
 * README and SCENARIOS.md say the same).
 */
export const PRIVACY_NETWORKS_NOTE =
  'Privacy networks (Tor, I2P, CJDNS): no stored measurement supports a share of nodes. With --population the world is the crawl\'s, IPv4 and IPv6 only (the 2024-01-25 crawl lists no other network), so the shares are zero. The one stored figure, Bitnodes\' count of about 10,000 Tor addresses among 16,814 reachable addresses in November 2023 (as reported by thecryptoplay.com, 2023-11-04), counts addresses rather than nodes (21.ninja estimates a 1.6x overcount from nodes reachable on several networks) and says nothing of I2P or CJDNS or of unreachable nodes. Without --population the synthetic world keeps its invented mix (onion 6 %, I2P 1 %, CJDNS 1 %; population.ts DEFAULT_FAMILIES), the mainnet preset included: not a measurement.';

/** A bad world setting (exit 2 on the command line). */
export class WorldSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldSettingError';
  }
}

/** Whether `key` names a world setting (so `--set key=value` is routed here, not to the profile). */
export function isWorldSettingKey(key: string): key is WorldSettingKey {
  return WORLD_SETTINGS.some((s) => s.key === key);
}

/** The world settings from their defaults, a scenario's own defaults, then `key=value` overrides in order. */
export interface ResolvedWorldSettings {
  settings: WorldSettings;
  /** Every setting as canonical text (summary.json's `world`), keys in table order. */
  texts: Record<WorldSettingKey, string>;
}

function parseOne(info: WorldSettingInfo, raw: string, where: string): { value: boolean | number | string | DistributionSpec | null; text: string } {
  const v = raw.trim();
  if (info.type === 'share') {
    const x = /^(\d+\.?\d*|\.\d+)$/.test(v) ? Number(v) : NaN;
    if (!(x >= 0 && x <= 1)) throw new WorldSettingError(`${where}: bad value for ${info.key}: "${raw}" (expected a share in [0, 1])`);
    return { value: x, text: String(x) };
  }
  if (info.type === 'duration') {
    if (v.toLowerCase() === 'off' || v === '0') return { value: 0, text: 'off' };
    let d: Micros;
    try {
      d = parseDuration(v);
    } catch (e) {
      if (e instanceof DurationParseError) throw new WorldSettingError(`${where}: bad value for ${info.key}: "${raw}" (expected a duration such as 6h, or off)`);
      throw e;
    }
    if (!(d > 0)) return { value: 0, text: 'off' };
    return { value: d, text: formatDuration(d) };
  }
  if (info.type === 'preset') {
    if (!Object.hasOwn(WORLD_PRESETS, v)) throw new WorldSettingError(`${where}: unknown world preset "${raw}" (known: ${Object.keys(WORLD_PRESETS).join(', ')})`);
    return { value: v, text: v };
  }
  if (info.type === 'boolean') {
    const t = ['true', '1', 'yes', 'on'].includes(v.toLowerCase());
    const f = ['false', '0', 'no', 'off'].includes(v.toLowerCase());
    if (!t && !f) throw new WorldSettingError(`${where}: bad value for ${info.key}: "${raw}" (expected true or false)`);
    return { value: t, text: String(t) };
  }
  if (v.toLowerCase() === 'off') {
    if (info.canBeOff !== true) throw new WorldSettingError(`${where}: ${info.key} cannot be off`);
    return { value: null, text: 'off' };
  }
  try {
    const p = parseDistribution(v, info.unit ?? 'number');
    return { value: p.spec, text: p.text };
  } catch (e) {
    if (e instanceof DistributionError) throw new WorldSettingError(`${where}: bad value for ${info.key}: ${e.message}${info.canBeOff === true ? ', or off' : ''}`);
    throw e;
  }
}

/**
 * Resolves the settings: each default, then the scenario's defaults, then the `key=value` overrides
 * (keys must be world settings; a key given twice is refused).
 */
export function resolveWorldSettings(sets: readonly string[], scenarioDefaults: Readonly<Partial<Record<WorldSettingKey, string>>> = {}): ResolvedWorldSettings {
  const values = new Map<WorldSettingKey, { value: boolean | number | string | DistributionSpec | null; text: string }>();
  for (const info of WORLD_SETTINGS) values.set(info.key, parseOne(info, info.default, 'world setting default'));
  for (const [k, v] of Object.entries(scenarioDefaults)) {
    const info = WORLD_SETTINGS.find((s) => s.key === k);
    if (info === undefined || v === undefined) throw new WorldSettingError(`scenario world default: unknown world setting "${k}"`);
    values.set(info.key, parseOne(info, v, 'scenario world default'));
  }
  // A preset first (from the scenario or --set), so that every other --set overrides it.
  const presetArg = [...sets].reverse().find((kv) => kv.startsWith('preset='));
  const preset = presetArg !== undefined ? parseOne(WORLD_SETTINGS.find((s) => s.key === 'preset')!, presetArg.slice('preset='.length), '--set') : values.get('preset')!;
  for (const [k, v] of Object.entries(WORLD_PRESETS[preset.value as WorldPreset].values)) values.set(k as WorldSettingKey, parseOne(WORLD_SETTINGS.find((s) => s.key === k)!, v, `world preset ${preset.text}`));
  const seen = new Set<string>();
  for (const kv of sets) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const info = WORLD_SETTINGS.find((s) => s.key === key);
    if (info === undefined) throw new WorldSettingError(`unknown world setting "${key}" (known: ${WORLD_SETTINGS.map((s) => s.key).join(', ')})`);
    if (eq < 0) throw new WorldSettingError(`--set ${kv}: expected key=value`);
    if (seen.has(key)) throw new WorldSettingError(`setting "${key}" is given more than once (--set)`);
    seen.add(key);
    values.set(info.key, parseOne(info, kv.slice(eq + 1), '--set'));
  }
  const get = <T>(k: WorldSettingKey): T => values.get(k)!.value as T;
  const blockInterval = get<DistributionSpec | null>('blockInterval');
  if (blockInterval === null) throw new WorldSettingError('blockInterval cannot be off (use blocks=false)');
  const texts = {} as Record<WorldSettingKey, string>;
  for (const info of WORLD_SETTINGS) texts[info.key] = values.get(info.key)!.text;
  return {
    settings: {
      blocks: get<boolean>('blocks'),
      blockInterval,
      txArrivals: get<DistributionSpec | null>('txArrivals'),
      linkLatencyFactor: get<DistributionSpec | null>('linkLatencyFactor'),
      jitter: get<DistributionSpec | null>('jitter'),
      natShare: get<number>('natShare'),
      reachableShare: get<number>('reachableShare'),
      outsideAnnouncements: get<DistributionSpec | null>('outsideAnnouncements'),
      sessionLength: get<DistributionSpec | null>('sessionLength'),
      downtime: get<DistributionSpec>('downtime'),
      warmup: get<Micros>('warmup'),
      joins: get<DistributionSpec | null>('joins'),
      warmupRestart: get<DistributionSpec | null>('warmupRestart'),
      preset: get<WorldPreset>('preset'),
    },
    texts,
  };
}
