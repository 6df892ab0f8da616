// CConnman::Options (net.h) with Core's defaults, the slot arithmetic of CConnman::Init, and the
// switches that select older Core behaviour (spec §0.1) or turn one countermeasure off for a
// study. It holds configuration only; the Connman reads it once at construction.

import type { ChainName } from '../addrman/addrdb.ts';
import type { Network, Service } from '../protocol/netaddress.ts';
import { NET_IPV4, NET_IPV6, NET_INTERNAL, NET_UNROUTABLE } from '../protocol/netaddress.ts';
import type { NetWhitelistPermissions } from '../protocol/net-permissions.ts';
import { DEFAULT_WHITELISTFORCERELAY, DEFAULT_WHITELISTRELAY } from '../protocol/net-permissions.ts';
import type { ServiceFlags } from '../protocol/protocol.ts';
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from '../protocol/protocol.ts';
import type { Micros } from '../ports.ts';
import type { TieObserver } from './eviction.ts';
import { PROTOCOL_VERSION } from '../protocol/messages.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';
import { DEFAULT_USER_AGENT } from '../protocol/messages.ts';

// Core: net.h MAX_OUTBOUND_FULL_RELAY_CONNECTIONS
export const MAX_OUTBOUND_FULL_RELAY_CONNECTIONS = 8;
// Core: net.h MAX_ADDNODE_CONNECTIONS
export const MAX_ADDNODE_CONNECTIONS = 8;
// Core: net.h MAX_BLOCK_RELAY_ONLY_CONNECTIONS
export const MAX_BLOCK_RELAY_ONLY_CONNECTIONS = 2;
// Core: net.h MAX_FEELER_CONNECTIONS
export const MAX_FEELER_CONNECTIONS = 1;
// Core: net.h DEFAULT_MAX_PEER_CONNECTIONS (125 before PR #28463)
export const DEFAULT_MAX_PEER_CONNECTIONS = 200;
// Core: net.h DEFAULT_FULL_RELAY_INBOUND_PCT
export const DEFAULT_FULL_RELAY_INBOUND_PCT = 50;
// Core: net.h DEFAULT_MAXRECEIVEBUFFER (kB)
export const DEFAULT_MAXRECEIVEBUFFER = 5 * 1000;
// Core: net.h DEFAULT_MAXSENDBUFFER (kB)
export const DEFAULT_MAXSENDBUFFER = 1 * 1000;
// Core: netbase.h DEFAULT_CONNECT_TIMEOUT (ms)
export const DEFAULT_CONNECT_TIMEOUT = 5000;
// Core: net.h DEFAULT_BLOCKSONLY
export const DEFAULT_BLOCKSONLY = false;

/** A listening socket to open: Core's -bind / -whitebind (with permissions) / -bind=...=onion. */
export interface BindSpec {
  readonly service: Service;
  /** -whitebind flags (NetPermissionFlags); 0 for a plain -bind. */
  readonly permissions?: number;
  /** An onion bind: every connection accepted on it is an inbound onion peer. */
  readonly onion?: boolean;
}

/** Our chain as a world without blocks describes it (read through blocks.ts StaticChain). */
export interface ChainView {
  /** m_best_height: our best block height (sent in VERSION). */
  bestHeight(): number;
  /** m_best_block_time: our tip's timestamp in seconds, 0 while unknown. */
  bestBlockTimeSeconds(): number;
}

export interface ConnmanOptions {
  /** Chain whose magic frames peers.dat / anchors.dat. Default 'main'. */
  chain: ChainName;
  /** The chain's default P2P port (mainnet 8333), used for added-node and seed strings without a port. */
  defaultPort: number;
  /** m_local_services. Default NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED (no NODE_P2P_V2: no v2 transport). */
  localServices: ServiceFlags;
  /** -maxconnections (m_max_automatic_connections). Default 200 (125 before Core PR #28463). */
  maxConnections: number;
  /** -inboundrelaypercent. Default 50. */
  inboundRelayPercent: number;
  /** Enforce the cap on tx-relaying inbound peers (EvictTxPeerIfFull). false = Core before PR #28463. */
  inboundRelayCap: boolean;
  /** The network-specific extra outbound peer (rule 7). false = Core before PR #27213. */
  networkSpecificExtraPeers: boolean;
  /** Feeler connections (rule 6). false turns them off (a study switch; Core has no option). */
  feelers: boolean;
  /** Anchors (anchors.dat). false: neither read nor written (a study switch). */
  anchors: boolean;
  /**
   * MAX_OUTBOUND_FULL_RELAY_CONNECTIONS as an option (0..8), for studies. Default 8 (8 outbound in
   * every Core version since 0.x; v0.10 called it MAX_OUTBOUND_CONNECTIONS).
   */
  maxOutboundFullRelay: number;
  /** MAX_BLOCK_RELAY_ONLY_CONNECTIONS as an option (0..2). Default 2; 0 = Core before PR #15759 (v0.19). */
  maxBlockRelayOnly: number;
  /** AddrMan test-before-evict (Core PR #9037, v0.17). false = immediate eviction from tried. */
  testBeforeEvict: boolean;
  /**
   * The AddrMan implementation: null = master's; 'v0.10' = Core v0.10.0's (256×64 new, 64×64 tried,
   * random positions and evictions, Select biased by the outbound count; addrman-legacy.ts).
   */
  addrmanLegacy: 'v0.10' | null;
  /**
   * v0.10's VERSION handling: an inbound peer whose addrFrom has its connecting IP is added to
   * AddrMan and marked Good (straight into tried), and our own VERSION announces our local address
   * as addrFrom. Removed by Core PR #8594 (v0.14). Default false.
   */
  inboundVersionGood: boolean;
  /**
   * The protocol version we announce in VERSION (Core's PROTOCOL_VERSION of the release modelled).
   * The messages gated on the common version follow it: SENDCMPCT (>= 70014), WTXIDRELAY and
   * SENDADDRV2 (>= 70016). Default PROTOCOL_VERSION (the pinned commit's).
   */
  protocolVersion: number;
  /**
   * Rate limiting of received addresses: a per-peer token bucket (0.1 address/s, 1000 at most) and
   * processing in random order (Core PR #22387, v22.0). false = every received address is processed
   * in message order, as before. Default true.
   */
  addrRateLimit: boolean;
  /**
   * Inbound eviction when the inbound slots are full (Core PR #6374, v0.12). false = a new inbound
   * connection is refused when full, as before (so early connectors keep their slots).
   */
  inboundEviction: boolean;
  /**
   * Inbound eviction protects the 4 peers that most recently sent a novel transaction and the 4
   * that most recently sent a novel block (Core PR #8084, v0.13). false = neither protection, as before.
   */
  evictionProtectRecentActivity: boolean;
  /**
   * Inbound eviction protects up to 8 block-relay-only peers (no tx relay, relevant services) by
   * their last block time (Core PR #19670, v0.21). false = no such protection, as before.
   */
  evictionProtectBlockRelay: boolean;
  /**
   * Diagnostics, not Core: told of each inbound-eviction protection step whose boundary was a tie
   * under Core's comparator and so settled by the id tie-break (eviction.ts TieObserver).
   */
  evictionTieObserver?: TieObserver;
  /**
   * With blocks: a tip stale for 30 minutes opens one extra outbound full-relay peer, and the
   * 45-second check evicts the extra full-relay peer that least recently announced a block
   * (CheckForStaleTipAndEvictPeers, EvictExtraOutboundPeers: Core PR #11560, v0.15.1). false = neither.
   */
  staleTipExtraPeers: boolean;
  /**
   * With blocks: an outbound peer whose best known block stays behind our tip for CHAIN_SYNC_TIMEOUT
   * (then a getheaders and HEADERS_RESPONSE_TIME) is disconnected (ConsiderEviction: Core PR
   * #11490, v0.15.1). false = never.
   */
  chainSyncEviction: boolean;
  /**
   * With blocks: once the initial sync is done, an extra block-relay-only peer every 5 minutes on
   * average, kept only if it gives us a block first (StartExtraBlockRelayPeers and the extra
   * block-relay branch of EvictExtraOutboundPeers: Core PR #19858, v22.0). false = none.
   */
  extraBlockRelayPeers: boolean;
  /** Seednode handling: 'current' (§7.2) or 'all-at-start' (every seednode queued at startup, before PR #29605). */
  seednodeBehaviour: 'current' | 'all-at-start';
  /** -peertimeout, seconds (> 0). Default 60. */
  peerConnectTimeoutSeconds: number;
  /** -timeout for a TCP connect, µs. Default 5 s. */
  connectTimeoutMicros: Micros;
  /** Our user agent (Core's strSubVersion, FormatSubVersion with -uacomment). Default DEFAULT_USER_AGENT. */
  subVersion: string;
  /** -bantime: the default length of a manual ban (setban without a time), seconds. Default 86400. */
  banTimeSeconds: number;
  /** -maxuploadtarget in bytes; 0 = unlimited. */
  maxUploadTarget: number;
  /** nReceiveFloodSize, bytes (1000 × -maxreceivebuffer). */
  receiveFloodSize: number;
  /** nSendBufferMaxSize, bytes (1000 × -maxsendbuffer). */
  sendBufferMaxSize: number;
  /** -connect: null = automatic outbound (no -connect); [] = -noconnect; otherwise the list. */
  connect: readonly string[] | null;
  /** -seednode strings. */
  seedNodes: readonly string[];
  /** -addnode strings. */
  addedNodes: readonly string[];
  /** -dnsseed (after Core's soft-set rules; the caller applies them). Default true. */
  dnsSeed: boolean;
  /** -forcednsseed. */
  forceDnsSeed: boolean;
  /** The chain's DNS seed names (mainnet: 7). */
  dnsSeeds: readonly string[];
  /** -fixedseeds. Default true. */
  fixedSeeds: boolean;
  /** The chain's fixed seeds (chainparams), already converted to addresses (ConvertSeeds). */
  fixedSeedList: readonly Service[];
  /** Whether to listen (-listen). Default true. */
  listen: boolean;
  /**
   * -discover (Core's fDiscover): besides our own addresses, announce the address peers tell us
   * they see us as (GetLocalAddrForPeer); a node behind a NAT learns its public address so.
   * Default true (Core: on unless -externalip, -proxy or -onlynet turn it off).
   */
  discover: boolean;
  /** Listening sockets. Empty with listen = true: nothing is bound (the world decides the address). */
  binds: readonly BindSpec[];
  /** -whitelist ranges for inbound peers. */
  whitelistedRangeIncoming: readonly NetWhitelistPermissions[];
  /** -whitelist ranges with the "out" flag (applied to MANUAL outbound only). */
  whitelistedRangeOutgoing: readonly NetWhitelistPermissions[];
  whitelistRelay: boolean;
  whitelistForceRelay: boolean;
  /** -blocksonly. */
  blocksOnly: boolean;
  /** -networkactive. */
  networkActive: boolean;
  /** g_reachable_nets of this node. Default {UNROUTABLE, IPv4, IPv6, INTERNAL}. */
  reachableNets: ReadonlySet<Network>;
  /** mapLocalHost keys: our own addresses (IsLocal matches on the IP). */
  localAddresses: readonly Service[];
  /** Our chain state (best height, tip time). Default: height 0, tip time 0 (unknown). */
  chainView: ChainView;
  /** Period of DumpAddresses. Default DUMP_PEERS_INTERVAL (15 min). */
  dumpPeersIntervalMicros: Micros;
  /** The port we listen on and announce (Core's GetListenPort: -bind's port, else -port). Default: defaultPort. */
  listenPort?: number;
  /** A proxy resolves names for us (Core's HaveNameProxy, from -proxy): DNS seeds become addr-fetch connections. */
  nameProxy: boolean;
  /** getnetworkinfo's proxy strings ("host:port", "" for none): -proxy for IPv4 / IPv6 / CJDNS, -onion (else -proxy) for onion. */
  proxyDescription: string;
  onionProxyDescription: string;
  /** -test=addrman: a deterministic AddrMan (bucketing key uint256{1}, a deterministic random stream). */
  deterministicAddrman: boolean;
  /** -checkaddrman: run AddrMan's consistency check once every this many operations (0 = never). */
  checkAddrman: number;
  /** nSeed0 / nSeed1 of the deterministic randomizer; drawn from the node's Rng when omitted. */
  seed0?: bigint;
  seed1?: bigint;
}

const DEFAULT_CHAIN_VIEW: ChainView = { bestHeight: () => 0, bestBlockTimeSeconds: () => 0 };

/** Core's defaults for every option. */
export function defaultConnmanOptions(): ConnmanOptions {
  return {
    chain: 'main',
    defaultPort: 8333,
    localServices: NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED,
    maxConnections: DEFAULT_MAX_PEER_CONNECTIONS,
    inboundRelayPercent: DEFAULT_FULL_RELAY_INBOUND_PCT,
    inboundRelayCap: true,
    networkSpecificExtraPeers: true,
    feelers: true,
    anchors: true,
    maxOutboundFullRelay: MAX_OUTBOUND_FULL_RELAY_CONNECTIONS,
    maxBlockRelayOnly: MAX_BLOCK_RELAY_ONLY_CONNECTIONS,
    testBeforeEvict: true,
    addrmanLegacy: null,
    inboundVersionGood: false,
    protocolVersion: PROTOCOL_VERSION,
    addrRateLimit: true,
    inboundEviction: true,
    evictionProtectRecentActivity: true,
    evictionProtectBlockRelay: true,
    staleTipExtraPeers: true,
    chainSyncEviction: true,
    extraBlockRelayPeers: true,
    seednodeBehaviour: 'current',
    peerConnectTimeoutSeconds: 60,
    connectTimeoutMicros: DEFAULT_CONNECT_TIMEOUT * 1000,
    subVersion: DEFAULT_USER_AGENT,
    banTimeSeconds: 60 * 60 * 24,
    maxUploadTarget: 0,
    receiveFloodSize: 1000 * DEFAULT_MAXRECEIVEBUFFER,
    sendBufferMaxSize: 1000 * DEFAULT_MAXSENDBUFFER,
    connect: null,
    seedNodes: [],
    addedNodes: [],
    dnsSeed: true,
    forceDnsSeed: false,
    dnsSeeds: [],
    fixedSeeds: true,
    fixedSeedList: [],
    listen: true,
    discover: true,
    binds: [],
    whitelistedRangeIncoming: [],
    whitelistedRangeOutgoing: [],
    whitelistRelay: DEFAULT_WHITELISTRELAY && !DEFAULT_BLOCKSONLY,
    whitelistForceRelay: DEFAULT_WHITELISTFORCERELAY,
    blocksOnly: DEFAULT_BLOCKSONLY,
    networkActive: true,
    reachableNets: new Set([NET_UNROUTABLE, NET_IPV4, NET_IPV6, NET_INTERNAL]),
    localAddresses: [],
    chainView: DEFAULT_CHAIN_VIEW,
    dumpPeersIntervalMicros: 15 * 60 * MICROS_PER_SECOND,
    nameProxy: false,
    proxyDescription: '',
    onionProxyDescription: '',
    deterministicAddrman: false,
    checkAddrman: 0,
  };
}

/** Core 0.21–26-like profile knobs for §0.1: the behaviour before the listed PRs. */
export function olderCoreOptions(): Partial<ConnmanOptions> {
  return {
    maxConnections: 125,
    inboundRelayCap: false,
    networkSpecificExtraPeers: false,
    seednodeBehaviour: 'all-at-start',
  };
}

/** The connection slots derived from -maxconnections (spec §4). */
export interface ConnectionSlots {
  maxAutomaticConnections: number;
  maxOutboundFullRelay: number;
  maxOutboundBlockRelay: number;
  maxFeeler: number;
  maxAutomaticOutbound: number;
  maxInbound: number;
  maxInboundFullRelay: number;
  /** Capacity of semOutbound. */
  semOutbound: number;
  /** Capacity of semAddnode. */
  semAddnode: number;
}

/**
 * `maxOutboundFullRelay` / `maxBlockRelayOnly` replace Core's constants for profiles and studies
 * (defaults: Core's); Core's min() clamps against -maxconnections apply to them unchanged.
 */
// Core: net.h CConnman::Init (the slot arithmetic) and net.cpp CConnman::Start (semaphore sizes)
export function computeSlots(
  maxConnections: number,
  inboundRelayPercent = DEFAULT_FULL_RELAY_INBOUND_PCT,
  maxOutboundFullRelay = MAX_OUTBOUND_FULL_RELAY_CONNECTIONS,
  maxBlockRelayOnly = MAX_BLOCK_RELAY_ONLY_CONNECTIONS,
): ConnectionSlots {
  const m = maxConnections;
  const full = Math.min(maxOutboundFullRelay, m);
  const block = Math.max(0, Math.min(maxBlockRelayOnly, m - full));
  const feeler = MAX_FEELER_CONNECTIONS;
  const auto = full + block + feeler;
  const inbound = Math.max(0, m - auto);
  // static_cast<int> of a double truncates toward zero.
  const inboundFullRelay = Math.max(0, Math.trunc((inboundRelayPercent / 100.0) * inbound));
  return {
    maxAutomaticConnections: m,
    maxOutboundFullRelay: full,
    maxOutboundBlockRelay: block,
    maxFeeler: feeler,
    maxAutomaticOutbound: auto,
    maxInbound: inbound,
    maxInboundFullRelay: inboundFullRelay,
    semOutbound: Math.min(auto, m),
    semAddnode: MAX_ADDNODE_CONNECTIONS,
  };
}

