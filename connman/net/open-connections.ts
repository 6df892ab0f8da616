// The decisions of Core's ThreadOpenConnections (net.cpp, spec §5.3) as pure functions over
// plain inputs: the census of current outbound peers, the choice of the next connection type
// (rules 1-8), MaybePickPreferredNetwork, count_failures, and the address-selection loop with
// its 100 tries and rules (a)-(k). It holds no state and schedules nothing: the Connman owns the
// timers and the semaphore, and calls these with its own state.

import type { ConnectionType } from '../protocol/connection-types.ts';
import { ConnectionType as CT } from '../protocol/connection-types.ts';
import type { Network, NetAddr } from '../protocol/netaddress.ts';
import { NET_CJDNS, NET_I2P, NET_IPV4, NET_IPV6, NET_ONION } from '../protocol/netaddress.ts';
import { isBadPort } from '../protocol/netbase.ts';
import type { Address, ServiceFlags } from '../protocol/protocol.ts';
import { NODE_NETWORK, NODE_NETWORK_LIMITED } from '../protocol/protocol.ts';
import type { Micros } from '../ports.ts';
import { OP_COUNTS, Op } from '../util/op-counts.ts';

/** Core's rule (g): an address tried less than this long ago is skipped on the first 29 tries. */
const RECENT_TRY_SECONDS = 10 * 60;

/** A node as the census sees it. */
export interface CensusNode {
  readonly connType: ConnectionType;
  readonly addr: NetAddr;
}

/** Step 6 of §5.3: what the current connections cover. */
export interface OutboundCensus {
  /** nOutboundFullRelay: every OUTBOUND_FULL_RELAY node, handshaked or not. */
  outboundFullRelay: number;
  /** nOutboundBlockRelay. */
  outboundBlockRelay: number;
  /** MANUAL / full / block-relay peers on Tor, I2P or CJDNS. */
  outboundPrivacyNetworkPeers: number;
  /**
   * Netgroups (hex of GetGroup) of MANUAL / full / block-relay peers on IPv4 / IPv6 / others. From
   * OutboundCensusTracker it is a live view: read it only in the same pass as the census.
   */
  outboundIpv46PeerNetgroups: NetgroupView;
  /** How many distinct netgroups outboundIpv46PeerNetgroups held when the census was taken. */
  outboundIpv46NetgroupCount: number;
}

/** A set of netgroup keys: a Set, or the keys of a Map of counts. */
export interface NetgroupView {
  has(group: string): boolean;
  keys(): IterableIterator<string>;
}

/** A netgroup as a map key. */
export function groupKey(group: Uint8Array): string {
  let s = '';
  for (let i = 0; i < group.length; i++) s += (group[i]! < 16 ? '0' : '') + group[i]!.toString(16);
  return s;
}

/**
 * `groupKeyOf`, when given, must return groupKey(getGroup(n.addr)); the Connman passes one that
 * remembers the key per connection, since a peer's address and the netgroup manager never change.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (the census over m_nodes)
export function outboundCensus(
  nodes: Iterable<CensusNode>,
  getGroup: (a: NetAddr) => Uint8Array,
  groupKeyOf?: (n: CensusNode) => string,
): OutboundCensus {
  let outboundFullRelay = 0;
  let outboundBlockRelay = 0;
  let outboundPrivacyNetworkPeers = 0;
  const groups = new Set<string>();
  for (const n of nodes) {
    if (n.connType === CT.OUTBOUND_FULL_RELAY) outboundFullRelay++;
    if (n.connType === CT.BLOCK_RELAY) outboundBlockRelay++;
    switch (n.connType) {
      case CT.MANUAL:
      case CT.OUTBOUND_FULL_RELAY:
      case CT.BLOCK_RELAY:
        if (isPrivacyNet(n.addr)) outboundPrivacyNetworkPeers++;
        else groups.add(groupKeyOf !== undefined ? groupKeyOf(n) : groupKey(getGroup(n.addr)));
        break;
      default:
        break;
    }
  }
  return {
    outboundFullRelay,
    outboundBlockRelay,
    outboundPrivacyNetworkPeers,
    outboundIpv46PeerNetgroups: groups,
    outboundIpv46NetgroupCount: groups.size,
  };
}

function isPrivacyNet(a: NetAddr): boolean {
  return a.isTor() || a.isI2P() || a.isCJDNS();
}

/**
 * outboundCensus kept up to date as connections join and leave m_nodes, instead of recounted on
 * every pass of the loop (Core recounts; the numbers are the same for the same nodes, and a test
 * compares them). The Connman calls add when it appends to m_nodes and remove when it reaps.
 * Not part of Core.
 */
export class OutboundCensusTracker {
  private full = 0;
  private block = 0;
  private privacy = 0;
  /** Netgroup key → number of counted connections in it (absent at zero). */
  private readonly groups = new Map<string, number>();

  /** `groupKeyOf` must return groupKey(GetGroup(n.addr)) and the same key for a node every time. */
  constructor(private readonly groupKeyOf: (n: CensusNode) => string) {}

  add(n: CensusNode): void {
    this.apply(n, 1);
  }

  remove(n: CensusNode): void {
    this.apply(n, -1);
  }

  /** The census now; its netgroup view stays live (see OutboundCensus). */
  census(): OutboundCensus {
    return {
      outboundFullRelay: this.full,
      outboundBlockRelay: this.block,
      outboundPrivacyNetworkPeers: this.privacy,
      outboundIpv46PeerNetgroups: this.groups,
      outboundIpv46NetgroupCount: this.groups.size,
    };
  }

  private apply(n: CensusNode, d: 1 | -1): void {
    if (n.connType === CT.OUTBOUND_FULL_RELAY) this.full += d;
    if (n.connType === CT.BLOCK_RELAY) this.block += d;
    switch (n.connType) {
      case CT.MANUAL:
      case CT.OUTBOUND_FULL_RELAY:
      case CT.BLOCK_RELAY: {
        if (isPrivacyNet(n.addr)) {
          this.privacy += d;
          break;
        }
        const k = this.groupKeyOf(n);
        const c = (this.groups.get(k) ?? 0) + d;
        if (c < 0) throw new Error(`OutboundCensusTracker: netgroup ${k} removed more often than added`);
        if (c === 0) this.groups.delete(k);
        else this.groups.set(k, c);
        break;
      }
      default:
        break;
    }
  }
}

/** Inputs of the connection-type choice (step 8). Times in µs. */
export interface TypeChoiceInput {
  readonly anchorsLeft: number;
  readonly census: OutboundCensus;
  readonly maxOutboundFullRelay: number;
  readonly maxOutboundBlockRelay: number;
  readonly tryNewOutboundPeer: boolean;
  readonly nowMicros: Micros;
  readonly nextExtraBlockRelayMicros: Micros;
  readonly startExtraBlockRelayPeers: boolean;
  readonly nextFeelerMicros: Micros;
  /** Feelers switched on (always in Core). */
  readonly feelers: boolean;
  /** Network-specific extra peers switched on (Core since PR #27213). */
  readonly networkSpecificExtraPeers: boolean;
  readonly nextExtraNetworkPeerMicros: Micros;
  /** MaybePickPreferredNetwork; called only when rules 1-6 did not match and rule 7's other terms hold. */
  readonly pickPreferredNetwork: () => Network | null;
}

/** Rules 1-7 of step 8 (rule 8, "continue", is null). */
export type TypeChoiceRule =
  | 'anchor'
  | 'full-relay'
  | 'block-relay'
  | 'stale-tip-extra'
  | 'extra-block-relay'
  | 'feeler'
  | 'network-specific';

export interface TypeChoice {
  readonly rule: TypeChoiceRule;
  readonly connType: ConnectionType;
  readonly anchor: boolean;
  readonly feeler: boolean;
  readonly preferredNet: Network | null;
}

/** MAX_OUTBOUND_FULL_RELAY_CONNECTIONS, repeated here to keep this file free of option imports. */
const MAX_FULL = 8;

/**
 * Which connection to make next, first matching rule wins. The caller re-arms the timer of the
 * chosen timed rule (5, 6, 7) before selecting an address, as Core does.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (the connection-type if/else chain)
export function chooseConnectionType(i: TypeChoiceInput): TypeChoice | null {
  const c = i.census;
  const pick = (rule: TypeChoiceRule, connType: ConnectionType, preferredNet: Network | null = null): TypeChoice => ({
    rule,
    connType,
    anchor: rule === 'anchor',
    feeler: rule === 'feeler',
    preferredNet,
  });
  if (i.anchorsLeft > 0 && c.outboundBlockRelay < i.maxOutboundBlockRelay) return pick('anchor', CT.BLOCK_RELAY);
  if (c.outboundFullRelay < i.maxOutboundFullRelay) return pick('full-relay', CT.OUTBOUND_FULL_RELAY);
  if (c.outboundBlockRelay < i.maxOutboundBlockRelay) return pick('block-relay', CT.BLOCK_RELAY);
  // A stale tip asks for one more full-relay peer; the timed rules below wait while it does.
  if (i.tryNewOutboundPeer) return pick('stale-tip-extra', CT.OUTBOUND_FULL_RELAY);
  if (i.nowMicros > i.nextExtraBlockRelayMicros && i.startExtraBlockRelayPeers) {
    return pick('extra-block-relay', CT.BLOCK_RELAY);
  }
  if (i.feelers && i.nowMicros > i.nextFeelerMicros) return pick('feeler', CT.FEELER);
  if (
    i.networkSpecificExtraPeers &&
    c.outboundFullRelay === i.maxOutboundFullRelay &&
    i.maxOutboundFullRelay === MAX_FULL &&
    i.nowMicros > i.nextExtraNetworkPeerMicros
  ) {
    const net = i.pickPreferredNetwork();
    if (net !== null) return pick('network-specific', CT.OUTBOUND_FULL_RELAY, net);
  }
  return null;
}

/** The networks MaybePickPreferredNetwork shuffles, in Core's array order. */
export const PREFERRED_NETWORK_CANDIDATES: readonly Network[] = [NET_IPV4, NET_IPV6, NET_ONION, NET_I2P, NET_CJDNS];

/** Whether some network would qualify for MaybePickPreferredNetwork (no randomness involved). */
export function anyPreferredNetwork(
  reachable: ReadonlySet<Network>,
  networkConnCount: (net: Network) => number,
  addrmanSize: (net: Network) => number,
): boolean {
  for (const net of PREFERRED_NETWORK_CANDIDATES) {
    if (reachable.has(net) && networkConnCount(net) === 0 && addrmanSize(net) !== 0) return true;
  }
  return false;
}

/**
 * A reachable network with no MANUAL / full-relay connection and some addrman entries, chosen in a
 * random order; null if none. A network we have no peer on is where an eclipse or partition would
 * go unnoticed, hence one extra peer there.
 */
// Core: net.cpp CConnman::MaybePickPreferredNetwork
export function maybePickPreferredNetwork(
  reachable: ReadonlySet<Network>,
  networkConnCount: (net: Network) => number,
  addrmanSize: (net: Network) => number,
  shuffle: (nets: Network[]) => void,
): Network | null {
  const nets = PREFERRED_NETWORK_CANDIDATES.slice();
  shuffle(nets);
  for (const net of nets) {
    if (reachable.has(net) && networkConnCount(net) === 0 && addrmanSize(net) !== 0) return net;
  }
  return null;
}

/**
 * Whether a failed attempt should count against the address in AddrMan: only once we have at
 * least min(M - 1, 2) diverse outbound peers, so that addresses are not penalised while we
 * ourselves are offline.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (count_failures)
export function countFailures(census: OutboundCensus, maxAutomaticConnections: number): boolean {
  return (
    census.outboundIpv46NetgroupCount + census.outboundPrivacyNetworkPeers >=
    Math.min(maxAutomaticConnections - 1, 2)
  );
}

/** NODE_NETWORK or NODE_NETWORK_LIMITED: the peer keeps an address database worth probing. */
// Core: protocol.h MayHaveUsefulAddressDB
export function mayHaveUsefulAddressDB(services: ServiceFlags): boolean {
  return (services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) !== 0;
}

/** The answer of Select / SelectTriedCollision. */
export interface Candidate {
  readonly address: Address | null;
  readonly lastTry: number;
}

/** What the selection loop reads from the node. */
export interface SelectionEnv {
  /** m_anchors; the loop pops from its end. */
  readonly anchors: Address[];
  readonly anchor: boolean;
  readonly feeler: boolean;
  readonly preferredNet: Network | null;
  /** current_time, seconds. */
  readonly nowSeconds: number;
  readonly reachable: ReadonlySet<Network>;
  readonly netgroups: NetgroupView;
  /** GetGroup as a key; null stands for Core's invalid default CAddress. */
  readonly groupOf: (addr: NetAddr | null) => string;
  /** IsLocal(CService): the IP is one of ours. */
  readonly isLocal: (addr: NetAddr) => boolean;
  readonly hasAllDesirableServiceFlags: (services: ServiceFlags) => boolean;
  readonly select: (newOnly: boolean, nets: ReadonlySet<Network>) => Candidate;
  readonly selectTriedCollision: () => Candidate;
  readonly alreadyConnectedToAddress: (addr: NetAddr) => boolean;
  readonly good: (addr: Address) => void;
  readonly addedNodesContain: (addr: Address) => boolean;
}

/** Why a candidate was passed over, per rule letter, for tests and traces. */
export type SkipRule = 'a' | 'd' | 'f' | 'g' | 'h' | 'i' | 'j';

export interface SelectionOutcome {
  readonly address: Address | null;
  readonly fromAnchor: boolean;
  readonly tries: number;
  /** Why the loop stopped: accepted, 100 tries, or an invalid / own address (rule e). */
  readonly end: 'accepted' | 'anchor' | 'tries' | 'invalid-or-local';
  readonly skips: ReadonlyMap<SkipRule, number>;
}

/**
 * The address-selection loop (§5.3 step 10). Anchors are popped first; then up to 100 draws from
 * AddrMan, each filtered by rules (d)-(j). Rule (e) ends the loop at once: AddrMan returned
 * nothing (it is empty for these networks) or one of our own addresses.
 */
// Core: net.cpp CConnman::ThreadOpenConnections (the address-selection loop)
export function selectAddress(env: SelectionEnv): SelectionOutcome {
  const skips = new Map<SkipRule, number>();
  const skip = (r: SkipRule): void => {
    skips.set(r, (skips.get(r) ?? 0) + 1);
  };
  let tries = 0;
  const singleNet = env.preferredNet === null ? null : new Set<Network>([env.preferredNet]);
  for (;;) {
    if (env.anchor && env.anchors.length > 0) {
      // (a) anchors, last first; a rejected anchor is gone and costs no try.
      const a = env.anchors.pop()!;
      if (
        !a.isValid() ||
        env.isLocal(a) ||
        !env.reachable.has(a.getNetwork()) ||
        !env.hasAllDesirableServiceFlags(a.services) ||
        env.netgroups.has(env.groupOf(a))
      ) {
        skip('a');
        continue;
      }
      return { address: a, fromAnchor: true, tries, end: 'anchor', skips };
    }

    // (b)
    tries++;
    OP_COUNTS[Op.selectTry]++;
    if (tries > 100) return { address: null, fromAnchor: false, tries, end: 'tries', skips };

    // (c)
    let cand: Candidate;
    if (env.feeler) {
      cand = env.selectTriedCollision();
      if (cand.address === null || !cand.address.isValid()) {
        cand = env.select(true, env.reachable);
      } else if (env.alreadyConnectedToAddress(cand.address)) {
        // The tried entry in the collision is demonstrably alive: keep it, test a new one instead.
        env.good(cand.address);
        cand = env.select(true, env.reachable);
      }
    } else {
      cand = env.select(false, singleNet ?? env.reachable);
    }
    const addr = cand.address;

    // (d) one outbound peer per netgroup: an attacker holding one /16 (or AS) gets one slot.
    if (!env.feeler && env.netgroups.has(env.groupOf(addr))) {
      skip('d');
      continue;
    }
    // (e)
    if (addr === null || !addr.isValid() || env.isLocal(addr)) {
      return { address: null, fromAnchor: false, tries, end: 'invalid-or-local', skips };
    }
    // (f)
    if (!env.reachable.has(addr.getNetwork())) {
      skip('f');
      continue;
    }
    // (g) do not hammer an address tried in the last 10 minutes, unless little else is left.
    if (env.nowSeconds - cand.lastTry < RECENT_TRY_SECONDS && tries < 30) {
      skip('g');
      continue;
    }
    // (h)
    if (!env.feeler && !env.hasAllDesirableServiceFlags(addr.services)) {
      skip('h');
      continue;
    } else if (env.feeler && !mayHaveUsefulAddressDB(addr.services)) {
      skip('h');
      continue;
    }
    // (i) avoid ports of other services, so that the network cannot be used to flood them.
    if (tries < 50 && (addr.isIPv4() || addr.isIPv6()) && isBadPort(addr.port)) {
      skip('i');
      continue;
    }
    // (j) addresses the user asked for are left to the added-node thread.
    if (env.addedNodesContain(addr)) {
      skip('j');
      continue;
    }
    // (k)
    return { address: addr, fromAnchor: false, tries, end: 'accepted', skips };
  }
}
