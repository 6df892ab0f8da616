// A node's state at one instant as the JSON a real node's RPCs would print: `peers` as getpeerinfo
// prints it (connman/rpc/net.ts), `addrman` as getaddrmaninfo, `netinfo` (connection counts by direction,
// type and network, network activity and byte totals, as getnetworkinfo / getnettotals / -netinfo
// report them) and, when asked, `rawaddrman` as getrawaddrman. Field names, string values and the
// conditions under which optional fields appear follow Core's rpc/net.cpp, so output can be
// compared with a live node's.
//
// Pure: it reads a node and returns plain objects. It does not run the simulation, pick the
// node or print anything (that is the CLI's `inspect` command).

import { getAddrmanInfo, getRawAddrman, type NewTriedTotal, type RawAddrmanEntry } from '../../connman/addrman/rpc.ts';
import type { Connman, NodeStats } from '../../connman/net/connman.ts';
import { getNetworkName } from '../../connman/protocol/netbase.ts';
import { getpeerinfo, type PeerInfo, type RpcNode } from '../../connman/rpc/net.ts';

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
  peers: PeerInfo[];
  addrman: Record<string, NewTriedTotal>;
  netinfo: NetInfoJson;
  rawaddrman?: { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> };
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
export function inspectNode(node: RpcNode, opts: { rawAddrman?: boolean } = {}): InspectJson {
  const connman = node.connman;
  const stats = connman.getNodeStats();
  const out: InspectJson = {
    peers: getpeerinfo(node),
    addrman: getAddrmanInfo(connman.addrman),
    netinfo: netInfoJson(connman, stats),
  };
  if (opts.rawAddrman === true) out.rawaddrman = getRawAddrman(connman.addrman, connman.netgroupman);
  return out;
}
