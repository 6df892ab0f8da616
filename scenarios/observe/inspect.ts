// A node's state at one instant as the JSON a real node's RPCs would print: `peers` in
// getpeerinfo's shape, `addrman` as getaddrmaninfo, `netinfo` (connection counts by direction,
// type and network, network activity and byte totals, as getnetworkinfo / getnettotals / -netinfo
// report them) and, when asked, `rawaddrman` as getrawaddrman. Field names, string values and the
// conditions under which optional fields appear follow Core's rpc/net.cpp, so output can be
// compared with a live node's.
//
// Pure: it reads a Connman and returns plain objects. It does not run the simulation, pick the
// node or print anything (that is the CLI's `inspect` command).

import { getAddrmanInfo, getRawAddrman, type NewTriedTotal, type RawAddrmanEntry } from '../../connman/addrman/rpc.ts';
import { transportTypeAsString, TransportProtocolType } from '../../connman/protocol/connection-types.ts';
import type { Connman, NodeStats } from '../../connman/net/connman.ts';
import { getNetworkName } from '../../connman/protocol/netbase.ts';
import { permissionsToStrings } from '../../connman/protocol/net-permissions.ts';
import { serviceFlagsToStr } from '../../connman/protocol/protocol.ts';

/** One getpeerinfo entry (the fields the simulation keeps; see PEERINFO_OMITTED for the rest). */
export interface PeerInfoJson {
  id: number;
  addr: string;
  addrbind?: string;
  addrlocal?: string;
  network: string;
  mapped_as?: number;
  services: string;
  servicesnames: string[];
  relaytxes: boolean;
  lastsend: number;
  lastrecv: number;
  last_transaction: number;
  last_block: number;
  bytessent: number;
  bytesrecv: number;
  conntime: number;
  pingtime?: number;
  minping?: number;
  pingwait?: number;
  version: number;
  subver: string;
  inbound: boolean;
  addr_relay_enabled: boolean;
  addr_processed: number;
  addr_rate_limited: number;
  permissions: string[];
  bytessent_per_msg: Record<string, number>;
  bytesrecv_per_msg: Record<string, number>;
  connection_type: string;
  transport_protocol_type: string;
  session_id: string;
}

/**
 * getpeerinfo fields Core prints that the simulation has no state for (no mempool, no fee filter,
 * no compact blocks, no headers sync, no clock offsets); they are left out rather than invented.
 */
export const PEERINFO_OMITTED: readonly string[] = [
  'last_inv_sequence',
  'inv_to_send',
  'timeoffset',
  'bip152_hb_to',
  'bip152_hb_from',
  'presynced_headers',
  'synced_headers',
  'synced_blocks',
  'inflight',
  'minfeefilter',
];

/** Core's connection type strings in the order -netinfo lists them. */
export const CONNECTION_TYPE_STRINGS: readonly string[] = [
  'inbound',
  'outbound-full-relay',
  'block-relay-only',
  'manual',
  'feeler',
  'addr-fetch',
  'private-broadcast',
];

export interface NetInfoJson {
  networkactive: boolean;
  connections: number;
  connections_in: number;
  connections_out: number;
  /** Connections per Core connection type string, every type listed (zero when none). */
  connections_by_type: Record<string, number>;
  /** Per network name (ipv4, ipv6, onion, i2p, cjdns, …): inbound and outbound counts; only networks in use. */
  connections_by_network: Record<string, { in: number; out: number; total: number }>;
  totalbytesrecv: number;
  totalbytessent: number;
}

export interface InspectJson {
  peers: PeerInfoJson[];
  addrman: Record<string, NewTriedTotal>;
  netinfo: NetInfoJson;
  rawaddrman?: { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> };
}

/** A per-message-type byte map as Core prints it: only non-zero counts, keys in std::map (byte) order. */
function perMsgJson(m: ReadonlyMap<string, number>): Record<string, number> {
  const keys = [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = m.get(k)!;
    if (v > 0) out[k] = v;
  }
  return out;
}

/** Seconds as Core's Ticks<SecondsDouble> prints a microsecond duration. */
function secondsDouble(micros: number): number {
  return micros / 1_000_000;
}

/** One peer's getpeerinfo object from its NodeStats, keys in Core's order. */
// Core: rpc/net.cpp getpeerinfo (the per-peer object)
export function peerInfoJson(stats: NodeStats): PeerInfoJson {
  const o: Record<string, unknown> = {};
  o.id = stats.nodeid;
  o.addr = stats.addr;
  // Core prints addrbind only for a valid bind address; an unset one stringifies to nothing here.
  if (stats.addrBind !== '') o.addrbind = stats.addrBind;
  if (stats.addrLocal !== '') o.addrlocal = stats.addrLocal;
  o.network = getNetworkName(stats.network);
  if (stats.mappedAs !== 0) o.mapped_as = stats.mappedAs;
  o.services = BigInt.asUintN(64, BigInt(stats.services)).toString(16).padStart(16, '0');
  o.servicesnames = serviceFlagsToStr(stats.services);
  o.relaytxes = stats.relayTxs;
  o.lastsend = stats.lastSendSeconds;
  o.lastrecv = stats.lastRecvSeconds;
  o.last_transaction = stats.lastTxSeconds;
  o.last_block = stats.lastBlockSeconds;
  o.bytessent = stats.bytesSent;
  o.bytesrecv = stats.bytesRecv;
  o.conntime = stats.conntimeSeconds;
  if (stats.pingTimeMicros > 0) o.pingtime = secondsDouble(stats.pingTimeMicros);
  if (Number.isFinite(stats.minPingMicros)) o.minping = secondsDouble(stats.minPingMicros);
  if (stats.pingWaitMicros !== null && stats.pingWaitMicros > 0) o.pingwait = secondsDouble(stats.pingWaitMicros);
  o.version = stats.version;
  o.subver = stats.subver;
  o.inbound = stats.inbound;
  o.addr_relay_enabled = stats.addrRelayEnabled;
  o.addr_processed = stats.addrProcessed;
  o.addr_rate_limited = stats.addrRateLimited;
  o.permissions = permissionsToStrings(stats.permissions);
  o.bytessent_per_msg = perMsgJson(stats.bytesSentPerMsg);
  o.bytesrecv_per_msg = perMsgJson(stats.bytesRecvPerMsg);
  o.connection_type = stats.connType;
  // The simulated wire is plaintext v1 (no BIP324); Core prints an empty session id for v1.
  o.transport_protocol_type = transportTypeAsString(TransportProtocolType.V1);
  o.session_id = '';
  return o as unknown as PeerInfoJson;
}

/** Connection counts and totals, from getnetworkinfo / getnettotals and -netinfo's table. */
// Core: rpc/net.cpp getnetworkinfo (networkactive, connections*), getnettotals (totals); bitcoin-cli.cpp NetinfoRequestHandler (per type/network counts)
export function netInfoJson(connman: Connman, stats: readonly NodeStats[]): NetInfoJson {
  const byType: Record<string, number> = {};
  for (const t of CONNECTION_TYPE_STRINGS) byType[t] = 0;
  const byNetworkMap = new Map<string, { in: number; out: number; total: number }>();
  let inbound = 0;
  for (const s of stats) {
    byType[s.connType] = (byType[s.connType] ?? 0) + 1;
    if (s.inbound) inbound++;
    const net = getNetworkName(s.network);
    let c = byNetworkMap.get(net);
    if (c === undefined) {
      c = { in: 0, out: 0, total: 0 };
      byNetworkMap.set(net, c);
    }
    if (s.inbound) c.in++;
    else c.out++;
    c.total++;
  }
  const byNetwork: Record<string, { in: number; out: number; total: number }> = {};
  for (const k of [...byNetworkMap.keys()].sort()) byNetwork[k] = byNetworkMap.get(k)!;
  return {
    networkactive: connman.getNetworkActive(),
    connections: stats.length,
    connections_in: inbound,
    connections_out: stats.length - inbound,
    connections_by_type: byType,
    connections_by_network: byNetwork,
    totalbytesrecv: connman.getTotalBytesRecv(),
    totalbytessent: connman.getTotalBytesSent(),
  };
}

/**
 * Everything `connsim inspect` prints for one running honest node. With `rawAddrman`, the
 * getrawaddrman dump is added (large: every AddrMan entry by "bucket/position").
 */
export function inspectConnman(connman: Connman, opts: { rawAddrman?: boolean } = {}): InspectJson {
  const stats = connman.getNodeStats();
  const out: InspectJson = {
    peers: stats.map(peerInfoJson),
    addrman: getAddrmanInfo(connman.addrman),
    netinfo: netInfoJson(connman, stats),
  };
  if (opts.rawAddrman === true) out.rawaddrman = getRawAddrman(connman.addrman, connman.netgroupman);
  return out;
}
