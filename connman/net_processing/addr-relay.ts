// The per-peer state and pure arithmetic of address relay (net_processing.cpp): Core's Peer addr
// fields, the addr token bucket, PushAddress into a peer's send queue, the choice of relay
// destinations keyed by RANDOMIZER_ID_ADDRESS_RELAY and a 24 h time bucket, and the local address
// a node announces about itself. The message handling that drives them (ProcessAddrs, GETADDR,
// MaybeSendAddr) lives in peerman.ts; the GETADDR response cache in addr-cache.ts.

import { MAX_ADDR_TO_SEND } from '../protocol/messages.ts';
import { CSipHasher } from '../util/hash.ts';
import { type NetAddr, type Network, Service } from '../protocol/netaddress.ts';
import type { Node } from '../net/node.ts';
import type { Micros, Rng } from '../ports.ts';
import type { Address } from '../protocol/protocol.ts';
import { RollingBloomFilter } from '../util/rolling-bloom.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';


// Core: net_processing.cpp RANDOMIZER_ID_ADDRESS_RELAY
export const RANDOMIZER_ID_ADDRESS_RELAY = 0x3cac0035b5866b90n;
/** Relay destinations of an address stay the same for this long (seconds). */
// Core: net_processing.cpp ROTATE_ADDR_RELAY_DEST_INTERVAL
export const ROTATE_ADDR_RELAY_DEST_INTERVAL = 24 * 3600;
/** Mean time between self-announcements to one peer. */
// Core: net_processing.cpp AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL
export const AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL: Micros = 24 * 3600 * MICROS_PER_SECOND;
/** The known-address filter remembers about this many addresses ... */
export const ADDR_KNOWN_FILTER_ELEMENTS = 5000;
/** ... with this false-positive rate (Core: CRollingBloomFilter(5000, 0.001) in SetupAddressRelay). */
export const ADDR_KNOWN_FILTER_FP_RATE = 0.001;
/** A received address is relayed only if it is newer than this (seconds before now). */
export const ADDR_RELAY_MAX_AGE_SECONDS = 10 * 60;
/** A received message is relayed only if it carries at most this many addresses. */
export const ADDR_RELAY_MAX_MESSAGE_ADDRS = 10;

/** Core's per-peer address-relay fields (struct Peer in net_processing.cpp). */
// Core: net_processing.cpp struct Peer (m_addr_* fields)
export interface PeerAddrState {
  readonly node: Node;
  /** m_addr_known: created when address relay is set up for the peer. */
  addrKnown: RollingBloomFilter | null;
  /** m_addrs_to_send. Replaced (never cleared in place) once sent: messages keep their array. */
  addrsToSend: Address[];
  /** m_next_addr_send (0: never). */
  nextAddrSendMicros: Micros;
  /** m_next_local_addr_send (0: never). */
  nextLocalAddrSendMicros: Micros;
  /** MaybeSendAddr has run once since address relay was enabled. */
  addrSendStarted: boolean;
  /** m_addr_token_bucket. */
  tokenBucket: number;
  /** m_addr_token_timestamp. */
  tokenTimestampMicros: Micros;
  /** m_getaddr_recvd. */
  getAddrRecvd: boolean;
  /** m_addr_processed. */
  addrProcessed: number;
  /** m_addr_rate_limited. */
  addrRateLimited: number;
}

export function newPeerAddrState(node: Node, nowMicros: Micros): PeerAddrState {
  return {
    node,
    addrKnown: null,
    addrsToSend: [],
    nextAddrSendMicros: 0,
    nextLocalAddrSendMicros: 0,
    addrSendStarted: false,
    // A first self-announcement from the peer always fits.
    tokenBucket: 1.0,
    tokenTimestampMicros: nowMicros,
    getAddrRecvd: false,
    addrProcessed: 0,
    addrRateLimited: 0,
  };
}

/**
 * Tops the bucket up at MAX_ADDR_RATE_PER_SECOND for the time since its last update (never past the
 * cap, and never when already at or above it: a getaddr allowance above the cap is kept), and moves
 * the timestamp to now.
 */
// Core: net_processing.cpp PeerManagerImpl::ProcessAddrs (token bucket update)
export function refillTokenBucket(
  st: { tokenBucket: number; tokenTimestampMicros: Micros },
  nowMicros: Micros,
  ratePerSecond: number,
  cap: number,
): void {
  if (st.tokenBucket < cap) {
    const elapsedSeconds = Math.max((nowMicros - st.tokenTimestampMicros) / MICROS_PER_SECOND, 0);
    st.tokenBucket = Math.min(st.tokenBucket + elapsedSeconds * ratePerSecond, cap);
  }
  st.tokenTimestampMicros = nowMicros;
}

/** A peer that never sent SENDADDRV2 only gets addresses the v1 format can carry. */
// Core: net_processing.cpp IsAddrCompatible
export function isAddrCompatible(node: Node, addr: NetAddr): boolean {
  return node.wantsAddrV2 || addr.isAddrV1Compatible();
}

/** Marks an address as known to the peer. */
// Core: net_processing.cpp PeerManagerImpl::AddAddressKnown
export function addAddressKnown(st: PeerAddrState, addr: Service): void {
  st.addrKnown!.insert(addr.getKey());
}

/**
 * Queues an address for the peer unless it is invalid, already known, or not expressible to it. A
 * full queue has a random entry replaced. Returns whether the queue changed.
 */
// Core: net_processing.cpp PeerManagerImpl::PushAddress
export function pushAddress(st: PeerAddrState, addr: Address, rng: Rng): boolean {
  if (!addr.isValid() || st.addrKnown!.contains(addr.getKey()) || !isAddrCompatible(st.node, addr)) return false;
  if (st.addrsToSend.length >= MAX_ADDR_TO_SEND) st.addrsToSend[rng.randrange(st.addrsToSend.length)] = addr;
  else st.addrsToSend.push(addr);
  return true;
}

/** Core's CServiceHash with zero salt: SipHash of (network, port, raw address bytes). */
// Core: netaddress.h CServiceHash::operator()
export function serviceHashZeroSalt(addr: Service): bigint {
  const [hi, lo] = serviceHashZeroSaltHalves(addr);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** serviceHashZeroSalt as unsigned (high, low) 32-bit halves, without a bigint. */
// Core: netaddress.h CServiceHash::operator()
export function serviceHashZeroSaltHalves(addr: Service): readonly [number, number] {
  return addr.zeroSaltHashHalves();
}

/**
 * The relay hasher of an address for the current 24 h window. The address hash is added to the
 * time before bucketing so that different addresses rotate their destinations at different moments.
 * The sum is a uint64 in Core and wraps; the quotient is taken on (high, low) halves, exactly.
 */
// Core: net_processing.cpp PeerManagerImpl::RelayAddress (hasher)
export function relayHasher(randomizer: CSipHasher, addr: Service, nowSeconds: number): CSipHasher {
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds < 0 || nowSeconds > 0xffffffff) {
    // Outside the simulated range: the same sum and quotient on bigints.
    const hashAddr = serviceHashZeroSalt(addr);
    const timeAddr = BigInt.asUintN(64, BigInt.asUintN(64, BigInt(nowSeconds)) + hashAddr) / BigInt(ROTATE_ADDR_RELAY_DEST_INTERVAL);
    return randomizer.writeU64(hashAddr).writeU64(timeAddr);
  }
  const [hh, hl] = serviceHashZeroSaltHalves(addr);
  const [qHi, qLo] = relayTimeSlot(hh, hl, nowSeconds);
  return randomizer.writeU64Halves(hh, hl).writeU64Halves(qHi, qLo);
}

/**
 * (hash + nowSeconds) mod 2^64, divided by ROTATE_ADDR_RELAY_DEST_INTERVAL, as uint64 halves; the
 * hash is given as unsigned 32-bit halves and nowSeconds is 0..2^32-1. Exact in doubles: each
 * partial dividend of the long division stays below 2^53.
 */
// Core: net_processing.cpp PeerManagerImpl::RelayAddress (time_addr)
export function relayTimeSlot(hashHi: number, hashLo: number, nowSeconds: number): [number, number] {
  let lo = hashLo + nowSeconds;
  let hi = hashHi;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi = (hi + 1) % TWO_32;
  }
  const d = ROTATE_ADDR_RELAY_DEST_INTERVAL;
  return [Math.floor(hi / d), Math.floor(((hi % d) * TWO_32 + lo) / d)];
}

const TWO_32 = 0x1_0000_0000;

/**
 * The peers an address is relayed to: reachable addresses go to 2, others to 1 or 2 (one hash
 * bit). Candidates are ranked by a keyed hash of their id so the choice is stable within a window
 * (then the destinations' known-filters stop repeats); ids are visited in ascending order, and the
 * first of equal keys wins, as in Core's walk over its ordered peer map.
 */
// Core: net_processing.cpp PeerManagerImpl::RelayAddress (destination choice)
export function chooseRelayTargets<T extends { readonly id: number }>(
  hasher: CSipHasher,
  reachable: boolean,
  candidates: readonly T[],
): T[] {
  return chooseRelayTargetsBy(hasher, reachable, candidates, idField);
}

function idField(c: { readonly id: number }): number {
  return c.id;
}

/** chooseRelayTargets over any candidate record, reading each one's peer id with `idOf`. */
// Core: net_processing.cpp PeerManagerImpl::RelayAddress (destination choice)
export function chooseRelayTargetsBy<T>(
  hasher: CSipHasher,
  reachable: boolean,
  candidates: readonly T[],
  idOf: (c: T) => number,
): T[] {
  const relayNodes = reachable || (hasher.finalizeLow32() & 1) === 1 ? 2 : 1;
  // The 64-bit keys are kept as unsigned (high, low) 32-bit halves and compared as such: the same
  // order as Core's uint64 comparison, without a hasher copy and a bigint per candidate.
  const bestHi = [0, 0];
  const bestLo = [0, 0];
  const best: (T | null)[] = [null, null];
  const key = RELAY_KEY;
  for (let ci = 0; ci < candidates.length; ci++) {
    const c = candidates[ci]!;
    const id = idOf(c);
    if (Number.isInteger(id) && id >= 0 && id <= 0xffffffff) hasher.finalizeWithU64Into(0, id, key);
    else {
      const [h, l] = hasher.clone().writeU64(id).finalizeHalves();
      key[0] = h;
      key[1] = l;
    }
    const kh = key[0]!;
    const kl = key[1]!;
    for (let i = 0; i < relayNodes; i++) {
      if (kh > bestHi[i]! || (kh === bestHi[i]! && kl > bestLo[i]!)) {
        for (let j = relayNodes - 1; j > i; j--) {
          bestHi[j] = bestHi[j - 1]!;
          bestLo[j] = bestLo[j - 1]!;
          best[j] = best[j - 1]!;
        }
        bestHi[i] = kh;
        bestLo[i] = kl;
        best[i] = c;
        break;
      }
    }
  }
  const out: T[] = [];
  for (let i = 0; i < relayNodes && (bestHi[i] !== 0 || bestLo[i] !== 0); i++) out.push(best[i]!);
  return out;
}

/** Scratch for chooseRelayTargets' per-candidate key (high, low halves). */
const RELAY_KEY = new Uint32Array(2);

/**
 * Our best local address for a peer (with its port): among our local addresses, the one best
 * reachable from the peer, skipping privacy-network mismatches; null when we have none.
 */
// Core: net.cpp GetLocalAddress / GetLocal
export function bestLocalAddress(node: Node, localAddresses: readonly Service[]): Service | null {
  let best: Service | null = null;
  let bestReach = -1;
  const through: Network = node.connectedThroughNetwork();
  const peerPrivacy = node.inboundOnion || node.addr.isPrivacyNet();
  for (const local of localAddresses) {
    if (local.getNetwork() !== through && (local.isPrivacyNet() || peerPrivacy)) continue;
    const reach = local.getReachabilityFrom(node.addr);
    if (reach > bestReach) {
      best = local;
      bestReach = reach;
    }
  }
  return best;
}

/** What GetLocalAddrForPeer reads besides the peer. */
export interface LocalAddrContext {
  /** Our local addresses with their ports (Core's mapLocalHost). */
  localAddresses: readonly Service[];
  /** -discover (Core's fDiscover). */
  discover: boolean;
  /** GetListenPort(): the port announced with an address learnt from an outbound peer. */
  listenPort: number;
  /** g_reachable_nets.Contains. */
  isReachable(net: Network): boolean;
  /** Core draws from an ad-hoc FastRandomContext; here the node's stream. */
  rng: { randbits(bits: number): number };
}

/**
 * The address we announce to a peer: our best local address, or — when discovery is on, the peer
 * is routable and tells us a routable, reachable address it sees us as (IsPeerAddrLocalGood) —
 * sometimes that one instead: always when we know no routable address of our own (a node behind a
 * NAT learns its public address this way), else half of the time (local-address scores are not
 * modelled: every local address counts as LOCAL_IF, never above LOCAL_MANUAL, so one random bit).
 * For an inbound peer both its view's address and port are used; for an outbound one its address
 * with our listening port. Null when the result is not routable.
 */
// Core: net.cpp GetLocalAddrForPeer, IsPeerAddrLocalGood
export function getLocalAddrForPeer(node: Node, ctx: LocalAddrContext): Service | null {
  const best = bestLocalAddress(node, ctx.localAddresses);
  let addrLocal: Service | null = best;
  const seen = node.addrLocal;
  const peerAddrLocalGood = ctx.discover && node.addr.isRoutable() && seen !== null && seen.isRoutable() && ctx.isReachable(seen.getNetwork());
  if (peerAddrLocalGood && (best === null || !best.isRoutable() || ctx.rng.randbits(1) === 0)) {
    addrLocal = node.isInbound() ? seen : Service.of(seen, best?.port ?? ctx.listenPort);
  }
  return addrLocal !== null && addrLocal.isRoutable() ? addrLocal : null;
}
