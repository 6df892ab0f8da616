// Version profiles: named, typed settings records that reproduce the connection behaviour of a Bitcoin
// Core release (or of master), one countermeasure at a time, plus the table documenting every
// setting (meaning, range, and the Core PR and release that introduced it) and `resolveProfile`,
// which applies "key=value" overrides and turns a profile into Connman options.
// It does not build nodes or worlds (the runner does), and holds no asmap: `useAsmap` only tells the
// runner to bucket with the AS model's asmap.

import type { ConnmanOptions } from '../../connman/net/options.ts';

/** Every switch a profile sets. Flat, camelCase, one meaning each (see SETTINGS). */
export interface ProfileSettings {
  maxConnections: number;
  maxOutboundFullRelay: number;
  maxBlockRelayOnly: number;
  feelers: boolean;
  testBeforeEvict: boolean;
  anchors: boolean;
  asmap: boolean;
  addrmanLegacy: 'none' | 'v0.10';
  inboundVersionGood: boolean;
  protocolVersion: number;
  addrRateLimit: boolean;
  inboundEviction: boolean;
  evictionProtectRecentActivity: boolean;
  evictionProtectBlockRelay: boolean;
  staleTipExtraPeers: boolean;
  chainSyncEviction: boolean;
  extraBlockRelayPeers: boolean;
  inboundRelayCap: boolean;
  networkSpecificExtraPeers: boolean;
  seednodeBehaviour: 'current' | 'all-at-start';
}

export type SettingKey = keyof ProfileSettings;

/** How one setting is documented, parsed and checked. */
export interface SettingInfo {
  readonly key: SettingKey;
  readonly type: 'boolean' | 'integer' | 'enum';
  /** Inclusive range for integers. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for enums. */
  readonly values?: readonly string[];
  readonly meaning: string;
  /** Which Core PR / release introduced the current (master) behaviour. */
  readonly introduced: string;
}

/** The settings table, in the order `connsim profiles` prints it. */
export const SETTINGS: readonly SettingInfo[] = [
  {
    key: 'maxConnections',
    type: 'integer',
    min: 0,
    max: 100000,
    meaning: '-maxconnections: automatic connection slots (inbound capacity = this − outbound − 1 feeler slot).',
    introduced: '125 since v0.x; 200 since PR #28463 (master, merge 11ebbd9072)',
  },
  {
    key: 'maxOutboundFullRelay',
    type: 'integer',
    min: 0,
    max: 8,
    meaning: 'Outbound full-relay peers (MAX_OUTBOUND_FULL_RELAY_CONNECTIONS).',
    introduced: '8 in every version covered (v0.10: MAX_OUTBOUND_CONNECTIONS)',
  },
  {
    key: 'maxBlockRelayOnly',
    type: 'integer',
    min: 0,
    max: 2,
    meaning: 'Outbound block-relay-only peers (MAX_BLOCK_RELAY_ONLY_CONNECTIONS); invisible to addr-based topology inference.',
    introduced: 'PR #15759, v0.19 (merge 189c19e012)',
  },
  {
    key: 'feelers',
    type: 'boolean',
    meaning: 'Feeler connections: every ~2 min a short connection tests a new-table address and moves it to tried.',
    introduced: 'PR #8282, v0.14 (merge 026c6edac9, 2016-08-25, after the v0.13.0 release)',
  },
  {
    key: 'testBeforeEvict',
    type: 'boolean',
    meaning: 'AddrMan test-before-evict: a tried-slot collision keeps the occupant until a feeler shows it dead.',
    introduced: 'PR #9037, v0.17 (merge a36834f10b)',
  },
  {
    key: 'anchors',
    type: 'boolean',
    meaning: 'anchors.dat: reconnect to the previous block-relay-only peers after a restart.',
    introduced: 'PR #17428, v0.21 (merge 9855422e65)',
  },
  {
    key: 'asmap',
    type: 'boolean',
    meaning: 'Bucket and diversify by AS (the AS model\'s asmap) instead of /16 netgroups. Off by default in Core (-asmap).',
    introduced: 'PR #16702, v0.20, opt-in (merge 01fc5891fb)',
  },
  {
    key: 'addrmanLegacy',
    type: 'enum',
    values: ['none', 'v0.10'],
    meaning:
      "'v0.10': Core v0.10.0's AddrMan (256 new / 64 tried buckets, random in-bucket positions and evictions, Select weighted by sqrt(table sizes) and the outbound count, recency-biased GetChance). 'none': master's AddrMan.",
    introduced: 'PR #5941 replaced it, v0.10.1 (merge f7dea1cba7, 2015-04-01)',
  },
  {
    key: 'inboundVersionGood',
    type: 'boolean',
    meaning: "v0.10 VERSION handling: an inbound peer's self-announced addrFrom (same IP) is added and marked Good, i.e. put in tried.",
    introduced: 'removed by PR #8594, v0.14 (merge 5b2ea29cf4)',
  },
  {
    key: 'protocolVersion',
    type: 'integer',
    min: 70002,
    max: 70017,
    meaning:
      'PROTOCOL_VERSION announced in VERSION; the messages gated on the common version follow it: SENDCMPCT (>= 70014), WTXIDRELAY and SENDADDRV2 (>= 70016).',
    introduced: '70002 v0.10, 70012 v0.12, 70014 v0.13, 70015 v0.14, 70016 v0.21 (PR #18044), 70017 master (BIP434 FEATURE, commit 6a129983c9)',
  },
  {
    key: 'addrRateLimit',
    type: 'boolean',
    meaning:
      'Rate-limit received addresses per peer: a token bucket of 0.1 address/s (1000 at most, refilled by our GETADDR) and processing in random order; false: every address is processed, in message order.',
    introduced: 'PR #22387, v22.0 (merge d3474b8df2, 2021-07-19)',
  },
  {
    key: 'inboundEviction',
    type: 'boolean',
    meaning: 'When inbound slots are full, evict an unprotected inbound peer for a newcomer (false: refuse the newcomer).',
    introduced: 'PR #6374, v0.12 (merge 69dc5b51a0)',
  },
  {
    key: 'evictionProtectRecentActivity',
    type: 'boolean',
    meaning: 'Inbound eviction protects the 4 peers that most recently sent a novel transaction and the 4 that most recently sent a novel block.',
    introduced: 'PR #8084, v0.13 (merge 2016-06-16)',
  },
  {
    key: 'evictionProtectBlockRelay',
    type: 'boolean',
    meaning: 'Inbound eviction protects up to 8 block-relay-only peers by their last block time.',
    introduced: 'PR #19670, v0.21 (merge 2020-09-03)',
  },
  {
    key: 'staleTipExtraPeers',
    type: 'boolean',
    meaning: 'With blocks: a tip stale for 30 min opens an extra outbound full-relay peer; the 45 s check evicts the extra peer that least recently announced a block (CheckForStaleTipAndEvictPeers).',
    introduced: 'PR #11560, v0.15.1 (merge 2f959a5874; first profile with it: core-v0.17)',
  },
  {
    key: 'chainSyncEviction',
    type: 'boolean',
    meaning: 'With blocks: an outbound peer whose best block stays behind our tip for 20 min (then a getheaders and 2 min) is disconnected (ConsiderEviction).',
    introduced: 'PR #11490, v0.15.1 (merge d93fa261f0; first profile with it: core-v0.17)',
  },
  {
    key: 'extraBlockRelayPeers',
    type: 'boolean',
    meaning: 'With blocks: after the initial sync, an extra block-relay-only peer about every 5 min, kept only if it gives us a block first (StartExtraBlockRelayPeers).',
    introduced: 'PR #19858, v22.0 (merge 6a48063671)',
  },
  {
    key: 'inboundRelayCap',
    type: 'boolean',
    meaning: 'Cap tx-relaying inbound peers at -inboundrelaypercent of inbound slots (EvictTxPeerIfFull).',
    introduced: 'PR #28463 (master, merge 11ebbd9072)',
  },
  {
    key: 'networkSpecificExtraPeers',
    type: 'boolean',
    meaning: 'Extra outbound peer on a reachable network we have no peer on (MaybePickPreferredNetwork).',
    introduced: 'PR #27213, v26 (merge b7138252ac)',
  },
  {
    key: 'seednodeBehaviour',
    type: 'enum',
    values: ['current', 'all-at-start'],
    meaning: "'current': try addrman peers first, seednodes only if none connect; 'all-at-start': queue every -seednode at startup.",
    introduced: 'PR #29605, v28 (merge cb65ac469a, 2024-09-04)',
  },
];

export interface ProfileInfo {
  name: string;
  title: string;
  description: string;
  settings: ProfileSettings;
}

/** Master: every countermeasure on, today's limits. */
const MASTER: ProfileSettings = {
  maxConnections: 200,
  maxOutboundFullRelay: 8,
  maxBlockRelayOnly: 2,
  feelers: true,
  testBeforeEvict: true,
  anchors: true,
  asmap: false,
  addrmanLegacy: 'none',
  inboundVersionGood: false,
  protocolVersion: 70017,
  addrRateLimit: true,
  inboundEviction: true,
  evictionProtectRecentActivity: true,
  evictionProtectBlockRelay: true,
  staleTipExtraPeers: true,
  chainSyncEviction: true,
  extraBlockRelayPeers: true,
  inboundRelayCap: true,
  networkSpecificExtraPeers: true,
  seednodeBehaviour: 'current',
};

const V0_10: ProfileSettings = {
  maxConnections: 125,
  maxOutboundFullRelay: 8,
  maxBlockRelayOnly: 0,
  feelers: false,
  testBeforeEvict: false,
  anchors: false,
  asmap: false,
  addrmanLegacy: 'v0.10',
  inboundVersionGood: true,
  protocolVersion: 70002,
  addrRateLimit: false,
  inboundEviction: false,
  evictionProtectRecentActivity: false,
  evictionProtectBlockRelay: false,
  staleTipExtraPeers: false,
  chainSyncEviction: false,
  extraBlockRelayPeers: false,
  inboundRelayCap: false,
  networkSpecificExtraPeers: false,
  seednodeBehaviour: 'all-at-start',
};

const V0_10_1: ProfileSettings = { ...V0_10, addrmanLegacy: 'none' };
const V0_12: ProfileSettings = { ...V0_10_1, inboundEviction: true, protocolVersion: 70012 };
const V0_14: ProfileSettings = { ...V0_12, feelers: true, inboundVersionGood: false, protocolVersion: 70015, evictionProtectRecentActivity: true };
const V0_17: ProfileSettings = { ...V0_14, testBeforeEvict: true, staleTipExtraPeers: true, chainSyncEviction: true };
const V0_19: ProfileSettings = { ...V0_17, maxBlockRelayOnly: 2 };
const V0_21: ProfileSettings = { ...V0_19, anchors: true, protocolVersion: 70016, evictionProtectBlockRelay: true };
const V22: ProfileSettings = { ...V0_21, addrRateLimit: true, extraBlockRelayPeers: true };
const V26: ProfileSettings = { ...V22, networkSpecificExtraPeers: true };
const V28: ProfileSettings = { ...V26, seednodeBehaviour: 'current' };

const PROFILES: readonly ProfileInfo[] = [
  {
    name: 'core-v0.10',
    title: 'Core v0.10.0 (before Heilman et al.)',
    description:
      'The node Heilman et al. eclipsed (2015): v0.10.0 AddrMan (small tables, random eviction, tried-biased Select), inbound self-announcements go straight to tried, no feelers, no test-before-evict, no block-relay-only peers, no anchors, no inbound eviction, 125 connections.',
    settings: V0_10,
  },
  {
    name: 'core-v0.10.1',
    title: 'Core v0.10.1 (addrman countermeasures, PR #5941)',
    description:
      'Heilman countermeasures 1, 2 and 6: 1024 new / 256 tried buckets, deterministic bucket positions (eviction of the one occupant), 50/50 tried/new Select without the recency bias. Modelled with master\'s AddrMan minus test-before-evict.',
    settings: V0_10_1,
  },
  {
    name: 'core-v0.12',
    title: 'Core v0.12 (inbound eviction, PR #6374)',
    description: 'A full node evicts an unprotected inbound peer for a newcomer instead of refusing it.',
    settings: V0_12,
  },
  {
    name: 'core-v0.14',
    title: 'Core v0.14 (feelers PR #8282; no inbound self-announcement into tried PR #8594)',
    description: 'Feeler connections fill tried with live addresses; inbound peers no longer reach tried by VERSION; inbound eviction protects the peers that recently sent novel blocks and transactions (v0.13).',
    settings: V0_14,
  },
  {
    name: 'core-v0.17',
    title: 'Core v0.17 (test-before-evict, PR #9037)',
    description: 'A tried collision keeps the current occupant until a feeler finds it unreachable; with blocks, stale-tip extra peers and chain-sync eviction of lagging outbound peers (both since v0.15.1).',
    settings: V0_17,
  },
  {
    name: 'core-v0.19',
    title: 'Core v0.19 (block-relay-only peers, PR #15759)',
    description: 'Two extra outbound block-relay-only peers.',
    settings: V0_19,
  },
  {
    name: 'core-v0.21',
    title: 'Core v0.21 (anchors, PR #17428)',
    description: 'Block-relay-only peers are saved to anchors.dat and reconnected first after a restart; inbound eviction protects block-relay-only peers.',
    settings: V0_21,
  },
  {
    name: 'core-v22',
    title: 'Core v22 (addr rate limiting, PR #22387)',
    description: 'Received addresses are rate-limited per peer (token bucket, 0.1/s) and processed in random order; with blocks, a periodic extra block-relay-only peer.',
    settings: V22,
  },
  {
    name: 'core-v26',
    title: 'Core v26 (network-specific extra peers, PR #27213)',
    description: 'An extra outbound peer on any reachable network without one.',
    settings: V26,
  },
  {
    name: 'core-v28',
    title: 'Core v28 (seednodes after addrman, PR #29605)',
    description: 'Seednodes are only queried when addrman peers do not connect.',
    settings: V28,
  },
  {
    name: 'core-master',
    title: 'Core master (default)',
    description: '200 connections and the inbound tx-relay cap (PR #28463); every countermeasure on.',
    settings: MASTER,
  },
];

/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'core-master';

/** A bad profile name, key or value; the message lists what is valid. */
export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Every profile, oldest first, master last. */
export function listProfiles(): ProfileInfo[] {
  return PROFILES.map((p) => ({ ...p, settings: { ...p.settings } }));
}

export interface ResolvedProfile {
  name: string;
  settings: ProfileSettings;
  overrides: { key: string; value: string }[];
  connman: Partial<ConnmanOptions>;
  useAsmap: boolean;
  describe(): string;
}

function settingInfo(key: string): SettingInfo | undefined {
  return SETTINGS.find((s) => s.key === key);
}

function parseValue(info: SettingInfo, raw: string): boolean | number | string {
  const v = raw.trim();
  if (info.type === 'boolean') {
    const l = v.toLowerCase();
    if (l === 'true' || l === '1' || l === 'yes' || l === 'on') return true;
    if (l === 'false' || l === '0' || l === 'no' || l === 'off') return false;
    throw new ProfileError(`bad value for ${info.key}: "${raw}" (expected a boolean: true/false, 1/0, yes/no, on/off)`);
  }
  if (info.type === 'integer') {
    if (!/^-?\d+$/.test(v)) {
      throw new ProfileError(`bad value for ${info.key}: "${raw}" (expected an integer in ${info.min}..${info.max})`);
    }
    const n = Number(v);
    if (n < info.min! || n > info.max!) {
      throw new ProfileError(`bad value for ${info.key}: ${n} is out of range (expected an integer in ${info.min}..${info.max})`);
    }
    return n;
  }
  if (!info.values!.includes(v)) {
    throw new ProfileError(`bad value for ${info.key}: "${raw}" (expected one of ${info.values!.join(', ')})`);
  }
  return v;
}

/** The Connman options a settings record stands for (asmap is the runner's business: useAsmap). */
export function connmanOptionsFor(s: ProfileSettings): Partial<ConnmanOptions> {
  return {
    maxConnections: s.maxConnections,
    maxOutboundFullRelay: s.maxOutboundFullRelay,
    maxBlockRelayOnly: s.maxBlockRelayOnly,
    feelers: s.feelers,
    testBeforeEvict: s.testBeforeEvict,
    anchors: s.anchors,
    addrmanLegacy: s.addrmanLegacy === 'none' ? null : s.addrmanLegacy,
    inboundVersionGood: s.inboundVersionGood,
    protocolVersion: s.protocolVersion,
    addrRateLimit: s.addrRateLimit,
    inboundEviction: s.inboundEviction,
    evictionProtectRecentActivity: s.evictionProtectRecentActivity,
    evictionProtectBlockRelay: s.evictionProtectBlockRelay,
    staleTipExtraPeers: s.staleTipExtraPeers,
    chainSyncEviction: s.chainSyncEviction,
    extraBlockRelayPeers: s.extraBlockRelayPeers,
    inboundRelayCap: s.inboundRelayCap,
    networkSpecificExtraPeers: s.networkSpecificExtraPeers,
    seednodeBehaviour: s.seednodeBehaviour,
  };
}

/**
 * A profile by name with "key=value" overrides applied in order (a later one wins). Throws a
 * ProfileError for an unknown profile, an unknown key, a malformed "key=value" or a bad value.
 */
export function resolveProfile(name: string, sets: readonly string[] = []): ResolvedProfile {
  const base = PROFILES.find((p) => p.name === name);
  if (base === undefined) {
    throw new ProfileError(`unknown profile "${name}"; valid profiles: ${PROFILES.map((p) => p.name).join(', ')}`);
  }
  const settings: ProfileSettings = { ...base.settings };
  const overrides: { key: string; value: string }[] = [];
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new ProfileError(`bad setting "${set}": expected key=value`);
    const key = set.slice(0, eq).trim();
    const raw = set.slice(eq + 1);
    const info = settingInfo(key);
    if (info === undefined) {
      throw new ProfileError(`unknown setting "${key}"; valid keys: ${SETTINGS.map((s) => s.key).join(', ')}`);
    }
    const value = parseValue(info, raw);
    // A setting given twice is a mistake (which one was meant?), never silently the last one.
    if (overrides.some((o) => o.key === info.key)) throw new ProfileError(`setting "${info.key}" is given more than once (--set)`);
    (settings as unknown as Record<string, boolean | number | string>)[info.key] = value;
    overrides.push({ key: info.key, value: String(value) });
  }
  const connman = connmanOptionsFor(settings);
  return {
    name,
    settings,
    overrides,
    connman,
    useAsmap: settings.asmap,
    describe: () => describeSettings(base, settings, overrides),
  };
}

function describeSettings(base: ProfileInfo, settings: ProfileSettings, overrides: { key: string; value: string }[]): string {
  const lines = [`profile ${base.name}: ${base.title}`];
  const width = Math.max(...SETTINGS.map((s) => s.key.length));
  for (const s of SETTINGS) {
    const overridden = overrides.some((o) => o.key === s.key);
    lines.push(`  ${s.key.padEnd(width)} = ${String(settings[s.key])}${overridden ? `  (overridden; profile: ${String(base.settings[s.key])})` : ''}`);
  }
  return lines.join('\n');
}

/** The settings table as text, for `connsim profiles`: each key with its type, meaning and origin. */
export function describeSettingsTable(): string {
  const lines: string[] = [];
  for (const s of SETTINGS) {
    const type =
      s.type === 'integer' ? `integer ${s.min}..${s.max}` : s.type === 'enum' ? s.values!.join(' | ') : 'boolean';
    lines.push(`${s.key} (${type})`);
    lines.push(`    ${s.meaning}`);
    lines.push(`    Core: ${s.introduced}`);
  }
  return lines.join('\n');
}

/** Profiles × settings as text, for `connsim profiles`. */
export function describeProfilesTable(): string {
  const lines: string[] = [];
  for (const p of PROFILES) {
    lines.push(`${p.name}: ${p.title}`);
    lines.push(`    ${p.description}`);
    lines.push(`    ${SETTINGS.map((s) => `${s.key}=${String(p.settings[s.key])}`).join(' ')}`);
  }
  return lines.join('\n');
}
