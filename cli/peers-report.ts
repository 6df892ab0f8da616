// What `connsim peers <peers.dat>` prints: a real node's peers.dat loaded exactly as Core loads it at
// startup (addrdb.cpp LoadAddrman → AddrMan::Unserialize, with or without an asmap), reported in the
// shape of Core's `getaddrmaninfo` or `getrawaddrman` RPC. Pure: the caller reads the files.
import { AddrMan, DETERMINISTIC_ADDRMAN_KEY } from '../connman/addrman/addrman.ts';
import { getAddrmanInfo, getRawAddrman, type NewTriedTotal, type RawAddrmanEntry } from '../connman/addrman/rpc.ts';
import { loadPeerAddresses, MESSAGE_START, type ChainName } from '../connman/addrman/addrdb.ts';
import type { AsmapLookup } from '../connman/netgroup/asmap.ts';
import { NetGroupManager } from '../connman/netgroup/netgroup.ts';
import { FastRandomContext } from '../connman/util/random.ts';

/** A peers.dat that cannot be loaded: unknown network magic, corrupt, truncated, bad checksum. */
export class PeersReportError extends Error {}

export interface PeersReportOptions {
  /** The asmap the node runs with (Core's -asmap); without it, netgroups are /16 and /32 prefixes. */
  asmap?: AsmapLookup | Uint8Array | undefined;
  /** getrawaddrman (every entry by bucket/position) instead of getaddrmaninfo (counts). */
  raw?: boolean;
  /** The chain whose network magic the file must carry; detected from the file when omitted. */
  chain?: ChainName | undefined;
}

export type PeersReport =
  | Record<string, NewTriedTotal>
  | { new: Record<string, RawAddrmanEntry>; tried: Record<string, RawAddrmanEntry> };

/** The chain whose network magic opens the file, or null when it is none of Core's. */
export function detectChain(bytes: Uint8Array): ChainName | null {
  if (bytes.length < 4) return null;
  for (const [name, magic] of Object.entries(MESSAGE_START) as [ChainName, Uint8Array][]) {
    if (magic.every((b, i) => bytes[i] === b)) return name;
  }
  return null;
}

function hex4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Load peers.dat bytes as Core would and return getaddrmaninfo's (or getrawaddrman's) JSON object. */
// Core: addrdb.cpp LoadAddrman, then rpc/net.cpp getaddrmaninfo / getrawaddrman
export function peersReport(bytes: Uint8Array, opts: PeersReportOptions = {}): PeersReport {
  const chain = opts.chain ?? detectChain(bytes);
  if (chain === null) {
    const known = (Object.keys(MESSAGE_START) as ChainName[]).map((c) => `${c} ${hex4(MESSAGE_START[c])}`).join(', ');
    throw new PeersReportError(`not a peers.dat: the file starts with ${bytes.length >= 4 ? hex4(bytes) : 'fewer than 4 bytes'}, which is no known network magic (${known})`);
  }
  const netgroupman = opts.asmap === undefined ? NetGroupManager.noAsmap() : NetGroupManager.withAsmap(opts.asmap);
  const result = loadPeerAddresses(chain, bytes, () =>
    new AddrMan({
      netgroupman,
      // Loading reads no clock and the key comes from the file; the generator is Core's deterministic one.
      clock: { nowMicros: () => 0 },
      rng: new FastRandomContext(true),
      key: DETERMINISTIC_ADDRMAN_KEY,
    }),
  );
  if (!result.ok) throw new PeersReportError(`cannot load peers.dat (${chain}): ${result.error.message}`);
  return opts.raw ? getRawAddrman(result.value, netgroupman) : getAddrmanInfo(result.value);
}
