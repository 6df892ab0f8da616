// Inbound eviction (Core's node/eviction.h/.cpp): when the inbound slots are full, pick the one
// inbound peer to drop, after protecting peers with distinct, hard-to-forge qualities.
// This file holds pure functions over plain `NodeEvictionCandidate` records; it does not build the
// candidates from live connections or mark anyone for disconnection (the Connman's
// AttemptToEvictConnection does that), and it draws no randomness: Core's selection is fully
// deterministic given the candidates.
//
// Sorting: Core sorts with std::sort, which is not stable, and several of its comparators leave
// ties (same netgroup, same ping, same last-block second...). Which tied peer ends up protected then
// depends on the C++ library's introsort and on the order of CConnman::m_nodes. Here every
// comparator ends with the candidate id, descending (a lower id, i.e. an older connection, sorts
// later and so is the one protected), which makes each sort a total order and the whole selection
// independent of the input order. See connman/PORTING.md.

import { ConnectionType } from '../protocol/connection-types.ts';
import { Network } from '../protocol/netaddress.ts';
import type { Micros } from '../ports.ts';
import { MIN_PING_TIME_UNSET, type NodeId } from './node.ts';

export { MIN_PING_TIME_UNSET, type NodeId };

/**
 * The snapshot of one peer that the eviction logic looks at.
 * Field-for-field Core's struct, with units in the names.
 */
// Core: node/eviction.h NodeEvictionCandidate
export interface NodeEvictionCandidate {
  /** m_id / NodeId. */
  id: NodeId;
  /** m_connected: when the CNode was created, node-clock microseconds. */
  connectedMicros: Micros;
  /** m_min_ping_time: best round trip seen, microseconds; MIN_PING_TIME_UNSET before any pong. */
  minPingTimeMicros: number;
  /** m_last_block_time: when this peer last gave us a novel block, whole seconds; 0 = never. */
  lastBlockTimeSeconds: number;
  /** m_last_tx_time: when this peer last gave us a novel mempool tx, whole seconds; 0 = never. */
  lastTxTimeSeconds: number;
  /** fRelevantServices: the peer had all our desirable service flags at VERSION time. */
  relevantServices: boolean;
  /** m_relay_txs: the peer wants transactions relayed to it. */
  relayTxs: boolean;
  /** fBloomFilter: the peer has loaded a BIP37 bloom filter. */
  bloomFilter: boolean;
  /** nKeyedNetGroup: SipHash of the peer's netgroup under our secret key (uint64). */
  keyedNetGroup: bigint;
  /** prefer_evict: the peer's address is discouraged; it goes first if it survives protection. */
  preferEvict: boolean;
  /** m_is_local: the peer's address is a local one (e.g. an onion service proxied via localhost). */
  isLocal: boolean;
  /** m_network: the network we are connected through (NET_ONION for inbound onion). */
  network: Network;
  /** m_noban: the peer has the NoBan permission. */
  noban: boolean;
  /** m_conn_type. */
  connType: ConnectionType;
}

/** A strict-weak-order "a sorts before b" test, as Core's comparators are written. */
type Less = (a: NodeEvictionCandidate, b: NodeEvictionCandidate) => boolean;

/** Turn a Core-style less-than into an Array.prototype.sort comparator that ends with the id. */
function totalOrder(less: Less): (a: NodeEvictionCandidate, b: NodeEvictionCandidate) => number {
  return (a, b) => {
    if (less(a, b)) return -1;
    if (less(b, a)) return 1;
    // Tie under Core's comparator: the older connection (lower id) goes last, i.e. is protected.
    return b.id - a.id;
  };
}

/** Highest min-ping first, so the lowest pings end up last (protected). */
// Core: node/eviction.cpp ReverseCompareNodeMinPingTime
export function reverseCompareNodeMinPingTime(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  return a.minPingTimeMicros > b.minPingTimeMicros;
}

/** Newest connection first, so the longest-connected end up last (protected). */
// Core: node/eviction.cpp ReverseCompareNodeTimeConnected
export function reverseCompareNodeTimeConnected(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  return a.connectedMicros > b.connectedMicros;
}

/** Ascending keyed netgroup: the highest keys end up last (protected). */
// Core: node/eviction.cpp CompareNetGroupKeyed
export function compareNetGroupKeyed(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  return a.keyedNetGroup < b.keyedNetGroup;
}

/**
 * Ascending last novel block time. Many peers have never sent a block, so ties fall through to
 * services (peers without the relevant services first) and then to uptime (newest first).
 */
// Core: node/eviction.cpp CompareNodeBlockTime
export function compareNodeBlockTime(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  if (a.lastBlockTimeSeconds !== b.lastBlockTimeSeconds) return a.lastBlockTimeSeconds < b.lastBlockTimeSeconds;
  if (a.relevantServices !== b.relevantServices) return b.relevantServices;
  return a.connectedMicros > b.connectedMicros;
}

/**
 * Ascending last novel transaction time. Ties are common (peers that never sent a tx) and fall
 * through to: peers not relaying txs first, then bloom-filter peers first, then newest first.
 */
// Core: node/eviction.cpp CompareNodeTXTime
export function compareNodeTXTime(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  if (a.lastTxTimeSeconds !== b.lastTxTimeSeconds) return a.lastTxTimeSeconds < b.lastTxTimeSeconds;
  if (a.relayTxs !== b.relayTxs) return b.relayTxs;
  if (a.bloomFilter !== b.bloomFilter) return a.bloomFilter;
  return a.connectedMicros > b.connectedMicros;
}

/**
 * Tx-relaying peers first, so the likely block-relay-only peers gather at the end, each part by
 * ascending last block time, then peers without relevant services first, then newest first.
 */
// Core: node/eviction.cpp CompareNodeBlockRelayOnlyTime
export function compareNodeBlockRelayOnlyTime(a: NodeEvictionCandidate, b: NodeEvictionCandidate): boolean {
  if (a.relayTxs !== b.relayTxs) return a.relayTxs;
  if (a.lastBlockTimeSeconds !== b.lastBlockTimeSeconds) return a.lastBlockTimeSeconds < b.lastBlockTimeSeconds;
  if (a.relevantServices !== b.relevantServices) return b.relevantServices;
  return a.connectedMicros > b.connectedMicros;
}

/**
 * Order for the by-network protection: first the peers outside the class (not local when the class
 * is localhost, and not on `network`), then the class members; each part newest first. The end
 * of the list thus holds the longest-connected class members.
 * For the localhost class Core passes NET_MAX as the network, which no candidate is on.
 */
// Core: node/eviction.cpp CompareNodeNetworkTime
export function compareNodeNetworkTime(isLocal: boolean, network: Network): Less {
  return (a, b) => {
    if (isLocal && a.isLocal !== b.isLocal) return b.isLocal;
    if ((a.network === network) !== (b.network === network)) return b.network === network;
    return a.connectedMicros > b.connectedMicros;
  };
}

/**
 * Sort `elements` in place by `less` (made total by the id), then remove, among the last
 * min(k, length) elements, those for which `predicate` holds (by default all of them). The order
 * of the survivors is kept.
 */
// Core: node/eviction.cpp EraseLastKElements
export function eraseLastKElements(
  elements: NodeEvictionCandidate[],
  less: Less,
  k: number,
  predicate: (c: NodeEvictionCandidate) => boolean = () => true,
): void {
  elements.sort(totalOrder(less));
  const eraseSize = Math.min(k, elements.length);
  const start = elements.length - eraseSize;
  let write = start;
  for (let read = start; read < elements.length; read++) {
    const c = elements[read]!;
    if (!predicate(c)) elements[write++] = c;
  }
  elements.length = write;
}

/** Remove (protect) every NoBan peer, keeping the order of the rest. */
// Core: node/eviction.cpp ProtectNoBanConnections
export function protectNoBanConnections(candidates: NodeEvictionCandidate[]): void {
  removeIf(candidates, (c) => c.noban);
}

/** Remove (protect) every non-inbound peer: only inbound peers are ever evicted here. */
// Core: node/eviction.cpp ProtectOutboundConnections
export function protectOutboundConnections(candidates: NodeEvictionCandidate[]): void {
  removeIf(candidates, (c) => c.connType !== ConnectionType.INBOUND);
}

/** std::remove_if + erase over the whole array: stable, in place. */
function removeIf(elements: NodeEvictionCandidate[], predicate: (c: NodeEvictionCandidate) => boolean): void {
  let write = 0;
  for (let read = 0; read < elements.length; read++) {
    const c = elements[read]!;
    if (!predicate(c)) elements[write++] = c;
  }
  elements.length = write;
}

/** One disadvantaged class in the by-ratio protection: localhost, or one privacy network. */
interface DisadvantagedClass {
  isLocal: boolean;
  network: Network;
  count: number;
}

function inClass(cls: DisadvantagedClass, c: NodeEvictionCandidate): boolean {
  return cls.isLocal ? c.isLocal : c.network === cls.network;
}

/**
 * Protect half of the candidates (rounded down), in place, so that an attacker who connects many
 * peers later cannot displace the peers we have had longest: this mimics what would happen with
 * no eviction at all. Up to half of those protected slots (a quarter of all candidates) go first
 * to peers on disadvantaged networks — CJDNS, I2P, localhost (hidden services whose inbound
 * connections arrive from 127.0.0.1 without being recognised as onion), and Tor — longest-connected
 * first within each class. Their higher latency would otherwise lose them the ping-based
 * protection, and keeping them preserves the diversity of our connections. Classes with fewer
 * candidates are served first and can take over slots the others leave unused.
 */
// Core: node/eviction.cpp ProtectEvictionCandidatesByRatio
export function protectEvictionCandidatesByRatioInPlace(candidates: NodeEvictionCandidate[]): void {
  const initialSize = candidates.length;
  const totalProtectSize = Math.floor(initialSize / 2);

  // Array order is Core's: on equal counts, earlier classes get the first chance at leftover slots.
  const classes: DisadvantagedClass[] = [
    { isLocal: false, network: Network.NET_CJDNS, count: 0 },
    { isLocal: false, network: Network.NET_I2P, count: 0 },
    { isLocal: true, network: Network.NET_MAX, count: 0 },
    { isLocal: false, network: Network.NET_ONION, count: 0 },
  ];
  for (const cls of classes) {
    let n = 0;
    for (const c of candidates) if (inClass(cls, c)) n++;
    cls.count = n;
  }
  // Stable sort by ascending count (Array.prototype.sort is stable), as Core's std::stable_sort.
  classes.sort((a, b) => a.count - b.count);

  const maxProtectByNetwork = Math.floor(totalProtectSize / 2);
  let numProtected = 0;

  while (numProtected < maxProtectByNetwork) {
    let numNetworks = 0;
    for (const cls of classes) if (cls.count > 0) numNetworks++;
    if (numNetworks === 0) break;
    const disadvantagedToProtect = maxProtectByNetwork - numProtected;
    const protectPerNetwork = Math.max(Math.floor(disadvantagedToProtect / numNetworks), 1);
    let protectedAtLeastOne = false;

    for (const cls of classes) {
      if (cls.count === 0) continue;
      const before = candidates.length;
      eraseLastKElements(candidates, compareNodeNetworkTime(cls.isLocal, cls.network), protectPerNetwork, (c) =>
        inClass(cls, c),
      );
      const after = candidates.length;
      if (before > after) {
        protectedAtLeastOne = true;
        const delta = before - after;
        numProtected += delta;
        // Leaves only this for loop; the while condition then ends the outer loop too.
        if (numProtected >= maxProtectByNetwork) break;
        // Counts are never recomputed: a localhost onion peer removed through one class still
        // counts in the other, exactly as in Core.
        cls.count -= delta;
      }
    }
    if (!protectedAtLeastOne) break;
  }

  if (numProtected !== initialSize - candidates.length) {
    throw new Error('protectEvictionCandidatesByRatio: protected count out of step with removals');
  }
  const remainingToProtect = totalProtectSize - numProtected;
  eraseLastKElements(candidates, reverseCompareNodeTimeConnected, remainingToProtect);
}

/**
 * Pure form of ProtectEvictionCandidatesByRatio: returns the candidates left unprotected, sorted
 * newest connection first; the input array is not modified.
 */
// Core: node/eviction.cpp ProtectEvictionCandidatesByRatio
export function protectEvictionCandidatesByRatio(
  candidates: readonly NodeEvictionCandidate[],
): NodeEvictionCandidate[] {
  const work = candidates.slice();
  protectEvictionCandidatesByRatioInPlace(work);
  return work;
}

/**
 * Choose the inbound peer to evict, or null if every candidate is protected. The input array is
 * not modified.
 *
 * Protection removes, in order: NoBan peers; non-inbound peers; the 4 highest keyed netgroups (an
 * attacker cannot predict which groups our secret key favours); the 8 lowest min-pings (latency
 * cannot be faked without moving hosts closer); the 4 peers that most recently sent novel
 * transactions and the 4 that most recently sent novel blocks (both cost real work to fake); up to
 * 8 block-relay-only peers that recently sent blocks; then half of the rest by uptime and network
 * (protectEvictionCandidatesByRatio). Among the survivors, discouraged peers go first if any;
 * otherwise the netgroup with the most survivors is chosen (ties: the group whose youngest member
 * connected most recently) and its youngest member is evicted.
 */
/**
 * Which protections of older releases are on (profiles switch them off for releases before them).
 * Both default to true, as at the pinned commit.
 */
export interface EvictionProtections {
  /** The 4 most recent novel tx and the 4 most recent novel block peers (PR #8084, v0.13). */
  recentActivity?: boolean;
  /** Up to 8 block-relay-only peers (PR #19670, v0.21). */
  blockRelay?: boolean;
}

/** The protection steps that sort by one of Core's comparators, by name (for tieObserver). */
export type EvictionSortStep = 'netgroup' | 'min-ping' | 'tx-time' | 'block-relay-time' | 'block-time';

/**
 * Called once per selection with the sorted protection steps whose boundary (the last peer left
 * unprotected and the first protected) was a tie under Core's comparator, so that the id
 * tie-break (see the file's head) decided who is protected, the peer chosen (null: none) and the
 * candidates it was chosen from (tools/tx-thinning.ts re-selects from them). Diagnostics only: it
 * changes nothing.
 */
export type TieObserver = (tiedSteps: readonly EvictionSortStep[], victim: NodeId | null, candidates: readonly NodeEvictionCandidate[]) => void;

// Core: node/eviction.cpp SelectNodeToEvict
export function selectNodeToEvict(candidates: readonly NodeEvictionCandidate[], protections: EvictionProtections = {}, tieObserver?: TieObserver): NodeId | null {
  const work = candidates.slice();

  protectNoBanConnections(work);
  protectOutboundConnections(work);

  // Each sorted step; with a tie observer, the boundary of each is checked first (on a copy).
  const tied: EvictionSortStep[] = [];
  const erase = (step: EvictionSortStep, less: Less, k: number, predicate?: (c: NodeEvictionCandidate) => boolean): void => {
    if (tieObserver !== undefined) {
      const sorted = work.slice().sort(totalOrder(less));
      const b = sorted.length - Math.min(k, sorted.length);
      if (b > 0 && b < sorted.length && !less(sorted[b - 1]!, sorted[b]!) && !less(sorted[b]!, sorted[b - 1]!)) tied.push(step);
    }
    eraseLastKElements(work, less, k, predicate);
  };
  erase('netgroup', compareNetGroupKeyed, 4);
  erase('min-ping', reverseCompareNodeMinPingTime, 8);
  if (protections.recentActivity !== false) erase('tx-time', compareNodeTXTime, 4);
  if (protections.blockRelay !== false) erase('block-relay-time', compareNodeBlockRelayOnlyTime, 8, (c) => !c.relayTxs && c.relevantServices);
  if (protections.recentActivity !== false) erase('block-time', compareNodeBlockTime, 4);

  protectEvictionCandidatesByRatioInPlace(work);
  const victim = chooseFromSurvivors(work);
  tieObserver?.(tied, victim, candidates);
  return victim;
}

/** The last part of SelectNodeToEvict: among the survivors, the youngest of the biggest netgroup. */
function chooseFromSurvivors(work: NodeEvictionCandidate[]): NodeId | null {
  if (work.length === 0) return null;

  // A discouraged peer that survived every protection is the one to drop. This comes after the
  // protections so that a peer that is really valuable (e.g. relays blocks) is kept even so.
  if (work.some((c) => c.preferEvict)) removeIf(work, (c) => !c.preferEvict);

  // `work` is newest-first here (the last sort above was by connection time). Walk it, grouping by
  // keyed netgroup; the first member seen of each group is its youngest.
  let mostConnectionsGroup: bigint = 0n;
  let mostConnections = 0;
  let mostConnectionsTime: Micros = 0; // NodeClock::epoch
  const groups = new Map<bigint, NodeEvictionCandidate[]>();
  for (const node of work) {
    let group = groups.get(node.keyedNetGroup);
    if (group === undefined) {
      group = [];
      groups.set(node.keyedNetGroup, group);
    }
    group.push(node);
    const groupTime = group[0]!.connectedMicros;
    if (group.length > mostConnections || (group.length === mostConnections && groupTime > mostConnectionsTime)) {
      mostConnections = group.length;
      mostConnectionsTime = groupTime;
      mostConnectionsGroup = node.keyedNetGroup;
    }
  }
  return groups.get(mostConnectionsGroup)![0]!.id;
}
