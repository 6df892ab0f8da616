// Peer permission flags (Core's NetPermissionFlags, net_permissions.h) and the whitelist records
// that grant them: a listening socket's flags (-whitebind) and address ranges (-whitelist).
// It holds the flag arithmetic and the implicit-flag expansion; it does not parse Core's
// "perm1,perm2@addr" option strings beyond the permission names.

import type { NetAddr, Service } from './netaddress.ts';
import type { SubNet } from './subnet.ts';

/** Core: net_permissions.h NetPermissionFlags (uint32 bit set). */
export const NetPermissionFlags = {
  None: 0,
  /** May ask for a bloom filter even without NODE_BLOOM. */
  BloomFilter: 1 << 1,
  /** Relay and accept transactions even in -blocksonly. */
  Relay: 1 << 3,
  /** Relay transactions even if already in the mempool (implies Relay). */
  ForceRelay: (1 << 2) | (1 << 3),
  /** May download blocks even past the upload target. */
  Download: 1 << 6,
  /** Never banned, discouraged or evicted (implies Download). */
  NoBan: (1 << 4) | (1 << 6),
  /** May request the mempool. */
  Mempool: 1 << 5,
  /** Uncached, unlimited GETADDR answers and no addr rate limit. */
  Addr: 1 << 7,
  /** Marks a whitelist entry given without an explicit permission list. */
  Implicit: 2 ** 31,
} as const;

/** Every explicit flag (Core's All). */
export const NET_PERMISSIONS_ALL =
  NetPermissionFlags.BloomFilter |
  NetPermissionFlags.ForceRelay |
  NetPermissionFlags.Relay |
  NetPermissionFlags.NoBan |
  NetPermissionFlags.Mempool |
  NetPermissionFlags.Download |
  NetPermissionFlags.Addr;

// Core: net_permissions.h DEFAULT_WHITELISTRELAY
export const DEFAULT_WHITELISTRELAY = true;
// Core: net_permissions.h DEFAULT_WHITELISTFORCERELAY
export const DEFAULT_WHITELISTFORCERELAY = false;

/** Whether every bit of `f` is set. */
// Core: net_permissions.h NetPermissions::HasFlag
export function hasPermission(flags: number, f: number): boolean {
  return ((flags & f) >>> 0) === f >>> 0;
}

// Core: net_permissions.h NetPermissions::AddFlag
export function addPermission(flags: number, f: number): number {
  return (flags | f) >>> 0;
}

// Core: net_permissions.h NetPermissions::ClearFlag
export function clearPermission(flags: number, f: number): number {
  return (flags & ~f) >>> 0;
}

/** The permission names Core prints (getpeerinfo "permissions"). */
// Core: net_permissions.cpp NetPermissions::ToStrings
export function permissionsToStrings(flags: number): string[] {
  const out: string[] = [];
  if (hasPermission(flags, NetPermissionFlags.BloomFilter)) out.push('bloomfilter');
  if (hasPermission(flags, NetPermissionFlags.NoBan)) out.push('noban');
  if (hasPermission(flags, NetPermissionFlags.ForceRelay)) out.push('forcerelay');
  if (hasPermission(flags, NetPermissionFlags.Relay)) out.push('relay');
  if (hasPermission(flags, NetPermissionFlags.Mempool)) out.push('mempool');
  if (hasPermission(flags, NetPermissionFlags.Download)) out.push('download');
  if (hasPermission(flags, NetPermissionFlags.Addr)) out.push('addr');
  return out;
}

const NAMES: ReadonlyMap<string, number> = new Map([
  ['bloomfilter', NetPermissionFlags.BloomFilter],
  ['bloom', NetPermissionFlags.BloomFilter],
  ['noban', NetPermissionFlags.NoBan],
  ['forcerelay', NetPermissionFlags.ForceRelay],
  ['mempool', NetPermissionFlags.Mempool],
  ['download', NetPermissionFlags.Download],
  ['relay', NetPermissionFlags.Relay],
  ['addr', NetPermissionFlags.Addr],
  ['all', NET_PERMISSIONS_ALL],
]);

/** Parses a comma-separated permission list ("noban,relay"); throws on an unknown name. */
// Core: net_permissions.cpp TryParsePermissionFlags (the name list only)
export function parsePermissionFlags(list: string): number {
  let flags = 0;
  for (const name of list.split(',')) {
    if (name === '') continue;
    const f = NAMES.get(name);
    if (f === undefined) throw new Error(`Invalid P2P permission: '${name}'`);
    flags = addPermission(flags, f);
  }
  return flags;
}

/** A -whitebind entry: a local service with the flags every connection accepted on it gets. */
// Core: net_permissions.h NetWhitebindPermissions
export interface NetWhitebindPermissions {
  readonly service: Service;
  readonly flags: number;
}

/** A -whitelist entry: a range of peer addresses with the flags they get. */
// Core: net_permissions.h NetWhitelistPermissions
export interface NetWhitelistPermissions {
  readonly subnet: SubNet;
  readonly flags: number;
}

/** The relay options that decide what an implicit permission expands to. */
export interface WhitelistRelayOptions {
  readonly whitelistRelay: boolean;
  readonly whitelistForceRelay: boolean;
}

/**
 * Adds the flags of every range matching `addr` (none when `addr` is null, as for inbound onion),
 * then expands Implicit into ForceRelay/Relay (per options), Mempool and NoBan.
 */
// Core: net.cpp CConnman::AddWhitelistPermissionFlags
export function addWhitelistPermissionFlags(
  flags: number,
  addr: NetAddr | null,
  ranges: readonly NetWhitelistPermissions[],
  opts: WhitelistRelayOptions,
): number {
  let out = flags >>> 0;
  if (addr !== null) {
    for (const r of ranges) if (r.subnet.match(addr)) out = addPermission(out, r.flags);
  }
  if (hasPermission(out, NetPermissionFlags.Implicit)) {
    out = clearPermission(out, NetPermissionFlags.Implicit);
    if (opts.whitelistForceRelay) out = addPermission(out, NetPermissionFlags.ForceRelay);
    if (opts.whitelistRelay) out = addPermission(out, NetPermissionFlags.Relay);
    out = addPermission(out, NetPermissionFlags.Mempool);
    out = addPermission(out, NetPermissionFlags.NoBan);
  }
  return out;
}
