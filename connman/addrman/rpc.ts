// The JSON views of AddrMan that Core's RPCs `getaddrmaninfo` and `getrawaddrman` print
// (rpc/net.cpp), as pure functions: same keys, same key order, same conditions for optional keys,
// so the output can be compared entry for entry with a real node's.
// It does not hold any RPC server plumbing and does not mutate the AddrMan (the consistency-check
// draws of Core's Size/GetEntries wrappers do consume randomness if a check ratio is set, as in Core).

import type { AddrInfoView, AddrMan } from './addrman.ts';
import { Network, type NetAddr } from '../protocol/netaddress.ts';
import { getNetworkName } from '../protocol/netbase.ts';

export { getNetworkName };

export interface NewTriedTotal {
  new: number;
  tried: number;
  total: number;
}

/** Core's `getaddrmaninfo` result: per network (ipv4, ipv6, onion, i2p, cjdns) and all_networks. */
// Core: rpc/net.cpp getaddrmaninfo
export function getAddrmanInfo(addrman: AddrMan): Record<string, NewTriedTotal> {
  const ret: Record<string, NewTriedTotal> = {};
  for (let n = 0; n < Network.NET_MAX; ++n) {
    const net = n as Network;
    if (net === Network.NET_UNROUTABLE || net === Network.NET_INTERNAL) continue;
    ret[getNetworkName(net)] = {
      new: addrman.size(net, true),
      tried: addrman.size(net, false),
      total: addrman.size(net),
    };
  }
  ret['all_networks'] = { new: addrman.size(null, true), tried: addrman.size(null, false), total: addrman.size() };
  return ret;
}

/** One entry of `getrawaddrman`; mapped_as fields appear only when non-zero (an asmap is in use). */
export interface RawAddrmanEntry {
  address: string;
  mapped_as?: number;
  port: number;
  services: number;
  time: number;
  network: string;
  source: string;
  source_network: string;
  source_mapped_as?: number;
}

/** What the view needs to map addresses to ASNs (connman/netgroup/netgroup.ts NetGroupManager fits). */
export interface MappedAsSource {
  getMappedAS(addr: NetAddr): number;
}

// Core: rpc/net.cpp AddrmanEntryToJSON
function entryToJson(info: AddrInfoView, asmap: MappedAsSource | undefined): RawAddrmanEntry {
  const a = info.address;
  const svc = a;
  const e: RawAddrmanEntry = { address: svc.toStringAddr() } as RawAddrmanEntry;
  const mappedAs = asmap ? asmap.getMappedAS(svc) : 0;
  if (mappedAs) e.mapped_as = mappedAs;
  e.port = svc.port;
  e.services = Number(a.services);
  e.time = a.time;
  e.network = getNetworkName(svc.getNetClass());
  e.source = info.source.toStringAddr();
  e.source_network = getNetworkName(info.source.getNetClass());
  const sourceMappedAs = asmap ? asmap.getMappedAS(info.source) : 0;
  if (sourceMappedAs) e.source_mapped_as = sourceMappedAs;
  return e;
}

// Core: rpc/net.cpp AddrmanTableToJSON
function tableToJson(addrman: AddrMan, fromTried: boolean, asmap: MappedAsSource | undefined): Record<string, RawAddrmanEntry> {
  const table: Record<string, RawAddrmanEntry> = {};
  for (const { info, position } of addrman.getEntries(fromTried)) {
    table[`${position.bucket}/${position.position}`] = entryToJson(info, asmap);
  }
  return table;
}

/**
 * Core's `getrawaddrman` result: `new` then `tried`, each keyed "bucket/position" in bucket-major
 * order. `netgroupman` supplies mapped_as / source_mapped_as (Core asks CConnman, which asks its
 * NetGroupManager); by default the addrman's own netgroup manager is used.
 */
// Core: rpc/net.cpp getrawaddrman
export function getRawAddrman(
  addrman: AddrMan,
  netgroupman: MappedAsSource = addrman.netgroupman,
): { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> } {
  return { new: tableToJson(addrman, false, netgroupman), tried: tableToJson(addrman, true, netgroupman) };
}
