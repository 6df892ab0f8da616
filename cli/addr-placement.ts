// Where one address lands in AddrMan's tables, for a researcher checking a node's tables by hand
// (`connsim addr`). A pure function over Core's bucket maths: it builds no AddrMan and reads no
// file; the caller hands in the netgroup manager (with or without an asmap) so that an asmap is
// compiled once for many look-ups.
import { bucketPosition, newBucket, triedBucket } from '../connman/addrman/buckets.ts';
import { fromHex, toHex } from '../connman/util/hash.ts';
import { Network, parseService, type Service } from '../connman/protocol/netaddress.ts';
import { getNetworkName, maybeFlipServiceToCJDNS } from '../connman/protocol/netbase.ts';
import type { NetGroupManager } from '../connman/netgroup/netgroup.ts';

/** The port assumed when an address is given without one: mainnet's default P2P port. */
export const PLACEMENT_DEFAULT_PORT = 8333;

/** Core's deterministic AddrMan key `uint256{1}`: byte 0x01 followed by 31 zero bytes. */
export const DETERMINISTIC_KEY_HEX = `01${'00'.repeat(31)}`;

export interface PlacementRequest {
  /** The address, with an optional port (default 8333): `1.2.3.4:8333`, `[2001:db8::1]:8333`, `x.onion`. */
  addr: string;
  /** Who told us about it (its netgroup picks the new bucket); default: the address itself. Port ignored. */
  source?: string | undefined;
  /** The 32-byte AddrMan key as 64 hex digits, in the byte order peers.dat stores and the hashes consume. */
  key?: string | undefined;
}

/** The answer, in Core's RPC vocabulary (getrawaddrman's network names, bucket/position numbers). */
export interface Placement {
  network: string;
  netgroup: string;
  mapped_as: number;
  new_bucket: number;
  new_position: number;
  tried_bucket: number;
  tried_position: number;
}

/** A request that cannot be answered: a bad address, source or key. */
export class PlacementError extends Error {}

/**
 * The placement answers as a node that can reach CJDNS (Core's `-cjdnsreachable`, as in rpc_net.py), so an
 * IPv6 address in fc00::/8 is read as CJDNS and CJDNS input is accepted in its usual IPv6 text form.
 */
const PLACEMENT_REACHABLE = new Set<Network>([Network.NET_IPV4, Network.NET_IPV6, Network.NET_ONION, Network.NET_I2P, Network.NET_CJDNS]);

function parseAddr(text: string, what: string): Service {
  const r = parseService(text, PLACEMENT_DEFAULT_PORT);
  if (!r.ok) throw new PlacementError(`bad ${what} '${text}': ${r.error.message}`);
  return maybeFlipServiceToCJDNS(r.value, PLACEMENT_REACHABLE);
}

/** Parse a 32-byte key given as 64 hex digits. */
export function parseAddrmanKey(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new PlacementError(`bad key '${hex}': expected 64 hex digits (32 bytes)`);
  return fromHex(hex.toLowerCase());
}

// Core: addrman.cpp AddrInfo::GetNewBucket / GetTriedBucket / GetBucketPosition, composed as
// getrawaddrman reports them (new bucket from the given source, tried bucket from the address).
export function addrPlacement(req: PlacementRequest, netgroupman: NetGroupManager): Placement {
  const addr = parseAddr(req.addr, 'address');
  const source = req.source === undefined ? addr : parseAddr(req.source, 'source');
  const key = parseAddrmanKey(req.key ?? DETERMINISTIC_KEY_HEX);
  const group = netgroupman.getGroup(addr);
  const serviceKey = addr.getKey();
  const nb = newBucket(key, group, netgroupman.getGroup(source));
  const tb = triedBucket(key, serviceKey, group);
  return {
    network: getNetworkName(addr.getNetClass()),
    netgroup: toHex(group),
    mapped_as: netgroupman.getMappedAS(addr),
    new_bucket: nb,
    new_position: bucketPosition(key, true, nb, serviceKey),
    tried_bucket: tb,
    tried_position: bucketPosition(key, false, tb, serviceKey),
  };
}
