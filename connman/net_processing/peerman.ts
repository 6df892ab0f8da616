// The PeerManager subset of net_processing.cpp that drives connections: the VERSION / VERACK handshake
// with the flags that matter, negotiation messages, GETADDR to outbound peers, feeler and
// addr-fetch disconnects, the desirable-services and self-connection checks, ping / pong with
// min-ping tracking and the ping timeout, AddrMan Good / SetServices / Connected, and the
// tx-relay inbound cap at VERSION, and address relay: ADDR / ADDRV2 processing with the token
// bucket, shuffle, time fixes and relay, GETADDR answers from the per-network cache, and the
// trickled sending with self-announcements (MaybeSendAddr). The per-peer addr state and pure relay
// arithmetic live in addr-relay.ts. Its block part (blocks.ts: the chain, stale tips and outbound-peer
// eviction) and tx part (tx.ts) are handed in by the composition root (init.ts); discouragement is
// the BanMan's (net/banman.ts).

import {
  addAddressKnown,
  ADDR_KNOWN_FILTER_ELEMENTS,
  ADDR_KNOWN_FILTER_FP_RATE,
  ADDR_RELAY_MAX_AGE_SECONDS,
  ADDR_RELAY_MAX_MESSAGE_ADDRS,
  AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL,
  chooseRelayTargetsBy,
  bestLocalAddress,
  getLocalAddrForPeer,
  isAddrCompatible,
  newPeerAddrState,
  pushAddress,
  RANDOMIZER_ID_ADDRESS_RELAY,
  refillTokenBucket,
  relayHasher,
  type PeerAddrState,
} from './addr-relay.ts';
import type { AddrMan } from '../addrman/addrman.ts';
import type { CSipHasher } from '../util/hash.ts';
import { hasAllDesirableServiceFlags } from './desirable-services.ts';
import { pingTimeoutCheck } from '../net/inactivity.ts';
import {
  addrMessage,
  addrV2Message,
  decodePayload,
  getAddrMessage,
  MessageDecodeError,
  MAX_ADDR_TO_SEND,
  MESSAGE_HEADER_SIZE,
  MIN_PEER_PROTO_VERSION,
  MSG_ADDR,
  MSG_ADDRV2,
  MSG_FEEFILTER,
  MSG_FILTERADD,
  MSG_FILTERCLEAR,
  MSG_FILTERLOAD,
  MSG_GETADDR,
  MSG_MEMPOOL,
  MSG_PING,
  MSG_PONG,
  MSG_SENDADDRV2,
  MSG_SENDCMPCT,
  MSG_SENDHEADERS,
  MSG_SENDTXRCNCL,
  MSG_VERACK,
  MSG_VERSION,
  MSG_WTXIDRELAY,
  pingMessage,
  pongMessage,
  PROTOCOL_VERSION,
  sendAddrV2Message,
  sendCmpctMessage,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  WIRE_CODEC_TYPES,
  type FilterAddMessage,
  type FilterLoadMessage,
  type P2PMessage,
  type VersionMessage,
} from '../protocol/messages.ts';
import { hasPermission, NetPermissionFlags } from '../protocol/net-permissions.ts';
import { Service, type NetAddr, type Network } from '../protocol/netaddress.ts';
import type { Node, NodeId } from '../net/node.ts';
import type { CloseReason, ConnmanEvent, Micros, Rng } from '../ports.ts';
import { PeerTxRelay } from './tx.ts';
import { Address, NODE_BLOOM, NODE_NETWORK, NODE_NETWORK_LIMITED, type ServiceFlags } from '../protocol/protocol.ts';
import { RollingBloomFilter } from '../util/rolling-bloom.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';
import { OP_COUNTS, Op } from '../util/op-counts.ts';
import type { NetEventsInterface } from '../net/net-events.ts';
import { connectionTypeAsString } from '../protocol/connection-types.ts';
import { disconnectMsg, formatFixed6, hex08, hex64, type Logger } from '../util/logging.ts';
import { getDesirableServiceFlags } from './desirable-services.ts';


/** Automatic ping spacing (send to send). */
// Core: net_processing.cpp PING_INTERVAL
export const PING_INTERVAL: Micros = 2 * 60 * MICROS_PER_SECOND;
/** Mean addr trickle interval; an addr-fetch connection lives at most 10 of them. */
// Core: net_processing.cpp AVG_ADDRESS_BROADCAST_INTERVAL
export const AVG_ADDRESS_BROADCAST_INTERVAL: Micros = 30 * MICROS_PER_SECOND;
// Core: node/protocol_version.h WTXID_RELAY_VERSION
export const WTXID_RELAY_VERSION = 70016;
// Core: node/protocol_version.h SHORT_IDS_BLOCKS_VERSION
export const SHORT_IDS_BLOCKS_VERSION = 70014;
// Core: node/protocol_version.h BIP0031_VERSION
export const BIP0031_VERSION = 60000;
// Core: net_processing.cpp MAX_ADDR_RATE_PER_SECOND
export const MAX_ADDR_RATE_PER_SECOND = 0.1;
// Core: net_processing.cpp MAX_ADDR_PROCESSING_TOKEN_BUCKET
export const MAX_ADDR_PROCESSING_TOKEN_BUCKET = MAX_ADDR_TO_SEND;
// Core: net_processing.cpp MAX_PCT_ADDR_TO_SEND
export const MAX_PCT_ADDR_TO_SEND = 23;
// Core: common/bloom.h MAX_BLOOM_FILTER_SIZE (bytes) and MAX_HASH_FUNCS
export const MAX_BLOOM_FILTER_SIZE = 36_000;
export const MAX_HASH_FUNCS = 50;
// Core: script/script.h MAX_SCRIPT_ELEMENT_SIZE
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
/** Addresses learnt from gossip are aged by this much in AddrMan. */
const ADDR_TIME_PENALTY_SECONDS = 2 * 3600;

/** What the PeerManager asks of the Connman (Core: the CConnman methods PeerManagerImpl calls). */
export interface PeerManagerHost {
  /** The node's debug.log (the Connman's). */
  readonly log: Logger;
  nowMicros(): Micros;
  /** The node clock's jump (NodeClock.jumpedFromMicros): null while it runs continuously. */
  clockJumpedFromMicros(): Micros | null;
  pushMessage(node: Node, msg: P2PMessage): void;
  /** Marks the node for disconnection with a reason. */
  disconnect(node: Node, reason: CloseReason): void;
  // Core: net.cpp CConnman::CheckIncomingNonce
  checkIncomingNonce(nonce: bigint): boolean;
  // Core: net.cpp CConnman::EvictTxPeerIfFull
  evictTxPeerIfFull(protectPeer: NodeId | null): boolean;
  /** The cached GETADDR answer for this requestor's network key. */
  // Core: net.cpp CConnman::GetAddresses(CNode&, size_t, size_t)
  getAddresses(node: Node, maxAddresses: number, maxPct: number): Address[];
  /** The uncached answer (AddrMan's GetAddr minus banned / discouraged), for Addr-permission peers. */
  // Core: net.cpp CConnman::GetAddressesUnsafe
  getAddressesUnsafe(maxAddresses: number, maxPct: number, network: Network | null): Address[];
  /** A SipHasher keyed by the node's nSeed0/nSeed1 and the id (address relay destinations). */
  // Core: net.cpp CConnman::GetDeterministicRandomizer
  getDeterministicRandomizer(id: bigint): CSipHasher;
  /** Ban / discouragement lookup for received addresses (Core: m_banman). */
  isDiscouragedOrBanned(addr: NetAddr): boolean;
  /** Records a misbehaving peer's address as discouraged (Core: BanMan::Discourage). */
  discourage(addr: NetAddr): void;
  // Core: net.cpp CConnman::GetMappedAS
  getMappedAS(addr: NetAddr): number;
  // Core: net.cpp CConnman::OutboundTargetReached
  outboundTargetReached(historicalBlockServingLimit: boolean): boolean;
  /** A node's next SendMessages time may have moved earlier (addresses queued for it). */
  refreshNodeTimer(node: Node): void;
  /** A ping nonce (Core: a fresh FastRandomContext's rand64(), not the node's own stream). */
  drawPingNonce(): bigint;
  /**
   * MaybeSendPing's automatic ping: true if the node's keep-alive link (ports.ts KeepAlive) sends
   * it and the ones after it every `periodMicros` (then no message is queued); false on Core's path.
   */
  startComputedPings(node: Node, now: Micros, periodMicros: Micros): boolean;
  isReachable(net: Network): boolean;
  shouldRunInactivityChecks(node: Node, nowMicros: Micros): boolean;
  /** Addresses were added to AddrMan: the open-connections loop may have new work. */
  addressesAdded(): void;
  emit(ev: ConnmanEvent): void;
}

/**
 * The block part of the PeerManager (blocks.ts BlockRelay, or StaticChain when a world has no
 * blocks): the chain tip the handshake and desirable-services rules read, and the block messages.
 */
export interface PeerBlockPart {
  bestHeight(): number;
  bestBlockTimeSeconds(): number;
  /** VERSION was processed and VERACK sent (Core: fPreferredDownload is decided here). */
  onVersion(node: Node): void;
  /** A peer finished the handshake: its block state. */
  onHandshakeComplete(node: Node): void;
  /** SendMessages, after the ping and the addresses: the initial getheaders when due. */
  startBlockSync(node: Node): void;
  /** SendMessages, after the tx announcements: ConsiderEviction. */
  considerEvictionOf(node: Node): void;
  /** A message the address and handshake logic does not handle; true if it was a block message. */
  processMessage(node: Node, msg: P2PMessage): boolean;
  finalizeNode(node: Node): void;
}

export interface PeerManagerOptions {
  localServices: ServiceFlags;
  /** Our user agent in VERSION (Core's strSubVersion). Default DEFAULT_USER_AGENT. */
  userAgent?: string;
  /** -blocksonly (ignore_incoming_txs). */
  blocksOnly: boolean;
  /** The tx-relay inbound cap (Core since PR #28463). */
  inboundRelayCap: boolean;
  /** Draws ping nonces (Core: an ad-hoc FastRandomContext). */
  rng: Rng;
  /** -listen (Core's fListen): self-announcements only when listening. Default false. */
  listen?: boolean;
  /** Our local addresses with their ports (Core's mapLocalHost). Default none. */
  localAddresses?: readonly Service[];
  /** -discover (Core's fDiscover): announce the address peers see us as (GetLocalAddrForPeer). Default true. */
  discover?: boolean;
  /** GetListenPort(), announced with an address learnt from an outbound peer. Default 8333. */
  listenPort?: number;
  /**
   * Core v0.10's VERSION handling (removed by PR #8594, v0.14): an inbound peer whose addrFrom has
   * its connecting IP is added to AddrMan and marked Good, and our VERSION carries our local
   * address as addrFrom. Default false.
   */
  inboundVersionGood?: boolean;
  /** The version we announce (the release modelled; see ConnmanOptions.protocolVersion). Default PROTOCOL_VERSION. */
  protocolVersion?: number;
  /**
   * The per-peer token bucket on received addresses and the shuffled processing order (Core PR
   * #22387, v22.0). false: every received address is processed, in message order, as before.
   * Default true.
   */
  addrRateLimit?: boolean;
  /** Self-announcements pause during IBD. Default: never in IBD. */
  isInitialBlockDownload?(): boolean;
}

/** A relay candidate's peer id (chooseRelayTargetsBy's accessor, made once). */
function nodeIdOfState(st: PeerAddrState): number {
  return st.node.id;
}

/** Inserts `st` into `list`, kept in ascending node id (new peers have the highest ids, so usually at the end). */
function insertById(list: PeerAddrState[], st: PeerAddrState): void {
  const id = st.node.id;
  let i = list.length;
  while (i > 0 && list[i - 1]!.node.id > id) i--;
  list.splice(i, 0, st);
}

// Core: net_processing.cpp PeerManagerImpl (the subset described above)
export class PeerManager implements NetEventsInterface {
  /** Core's m_peer_map addr fields; ids are inserted in ascending order, so it iterates by id. */
  private readonly addrState = new Map<NodeId, PeerAddrState>();
  /**
   * The states of the peers with address relay enabled, by ascending id (m_peer_map's order
   * restricted to them): RelayAddress scans these for every relayed address, so they are kept in
   * a dense array rather than filtered out of the map each time.
   */
  private readonly relayPeers: PeerAddrState[] = [];
  /** Scratch list of RelayAddress candidates, reused across calls. */
  private readonly relayCandidates: PeerAddrState[] = [];
  /** Transaction relay (tx.ts): idle, with no timers, until a tx is submitted. */
  readonly tx: PeerTxRelay;
  /** The chain and block messages (blocks.ts BlockRelay, or StaticChain in a world without blocks). */
  readonly blocks: PeerBlockPart;

  /** The version we announce and negotiate down from (PROTOCOL_VERSION, or the modelled release's). */
  private readonly protocolVersion: number;

  /** The tx and block parts are built by the composition root (init.ts) and handed in. */
  constructor(
    private readonly host: PeerManagerHost,
    private readonly addrman: AddrMan,
    private readonly opts: PeerManagerOptions,
    parts: { tx: PeerTxRelay; blocks: PeerBlockPart },
  ) {
    this.tx = parts.tx;
    this.blocks = parts.blocks;
    this.protocolVersion = opts.protocolVersion ?? PROTOCOL_VERSION;
    this.tx.bindPeerManager({
      rejectIncomingTxs: (n) => this.rejectIncomingTxs(n),
      misbehaving: (n, reason) => this.misbehaving(n, reason),
    });
  }

  private nowSeconds(): number {
    return Math.floor(this.host.nowMicros() / MICROS_PER_SECOND);
  }

  // Core: net_processing.cpp PeerManagerImpl::HasAllDesirableServiceFlags
  hasAllDesirableServiceFlags(services: ServiceFlags): boolean {
    return hasAllDesirableServiceFlags(services, this.nowSeconds(), this.blocks.bestBlockTimeSeconds());
  }

  /** Per-peer state; an outbound peer gets our VERSION at once (its first SendMessages). */
  // Core: net_processing.cpp PeerManagerImpl::InitializeNode
  initializeNode(node: Node): void {
    this.addrState.set(node.id, newPeerAddrState(node, this.host.nowMicros()));
    this.tx.initializeNode(node);
    if (!node.isInbound()) this.pushNodeVersion(node);
  }

  // Core: net_processing.cpp PeerManagerImpl::FinalizeNode
  finalizeNode(node: Node): void {
    this.blocks.finalizeNode(node);
    const st = this.addrState.get(node.id);
    if (st !== undefined && node.addrRelayEnabled) {
      const i = this.relayPeers.indexOf(st);
      if (i >= 0) this.relayPeers.splice(i, 1);
    }
    this.addrState.delete(node.id);
    this.tx.finalizeNode(node);
    if (node.successfullyConnected && !node.isBlockOnly() && !node.isInbound()) {
      this.addrman.connected(node.addr);
      this.host.emit({ kind: 'addrman', action: 'connected', addr: node.addr.toStringAddrPort() });
    }
    if (this.host.log.net) this.host.log.debug(`Cleared nodestate for peer=${node.id}`);
  }

  /** Whether we refuse transactions from this peer, hence announce fRelay = false to it. */
  // Core: net_processing.cpp PeerManagerImpl::RejectIncomingTxs
  rejectIncomingTxs(node: Node): boolean {
    if (node.isBlockOnly() || node.isFeeler()) return true;
    return this.opts.blocksOnly && !hasPermission(node.permissions, NetPermissionFlags.Relay);
  }

  // Core: net_processing.cpp PeerManagerImpl::PushNodeVersion
  pushNodeVersion(node: Node): void {
    const a = node.addr;
    const yourAddr = a.isRoutable() && a.isAddrV1Compatible() ? Service.of(a, a.port) : undefined;
    // v0.10 announced its best local address in addrFrom (GetLocalAddress); master sends [::]:0.
    const best = this.opts.inboundVersionGood === true && (this.opts.listen ?? false) ? bestLocalAddress(node, this.opts.localAddresses ?? []) : null;
    const myAddr = best !== null && best.isRoutable() ? best : null;
    this.host.pushMessage(
      node,
      versionMessage({
        version: this.protocolVersion,
        services: this.opts.localServices,
        timeSeconds: this.nowSeconds(),
        addrRecvServices: a.services,
        ...(yourAddr !== undefined ? { addrRecv: yourAddr } : {}),
        addrFromServices: this.opts.localServices,
        ...(myAddr !== null ? { addrFrom: myAddr } : {}),
        nonce: node.localNonce,
        ...(this.opts.userAgent !== undefined ? { userAgent: this.opts.userAgent } : {}),
        startHeight: this.blocks.bestHeight(),
        relay: !this.rejectIncomingTxs(node),
      }),
    );
    node.versionSent = true;
  }

  /**
   * Handles one received message. Messages are processed as they arrive (see PORTING.md on
   * Core's one-message-per-node round robin).
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (handshake, ping, addr subset)
  processMessage(node: Node, received: P2PMessage, receivedMicros: Micros): void {
    if (node.disconnect) return;
    const type = received.type;
    const log = this.host.log;
    if (log.net) log.debug(`received: ${type} (${received.sizeBytes - MESSAGE_HEADER_SIZE} bytes) peer=${node.id}`);
    const msg = this.deserialize(received);
    if (msg === null) return;
    if (type === MSG_VERSION) {
      this.processVersion(node, msg as VersionMessage);
      return;
    }
    // Nothing but VERSION is looked at before VERSION.
    if (node.version === 0) {
      if (log.net) log.debug(`non-version message before version handshake. Message "${type}" from peer=${node.id}`);
      return;
    }

    if (type === MSG_VERACK) {
      if (node.successfullyConnected) {
        if (log.net) log.debug(`ignoring redundant verack message from peer=${node.id}`);
        return;
      }
      const newPeerMsg = (): string => `New ${connectionTypeAsString(node.connType)} peer connected: transport: v1, version: ${node.version}, peer=${node.id}`;
      if (node.isInbound()) {
        if (log.net) log.debug(newPeerMsg());
      } else if (log.info) {
        log.logInfo(newPeerMsg());
      }
      if (node.commonVersion >= SHORT_IDS_BLOCKS_VERSION) this.host.pushMessage(node, sendCmpctMessage(false));
      node.successfullyConnected = true;
      this.host.emit({
        kind: 'handshake-complete',
        nodeId: node.id,
        addr: node.addr.toStringAddrPort(),
        connType: node.connType,
        services: node.theirServices,
      });
      this.blocks.onHandshakeComplete(node);
      return;
    }
    if (type === MSG_SENDHEADERS || type === MSG_SENDCMPCT) {
      // Accepted before VERACK as after (Core: m_prefers_headers, m_provides_cmpctblocks): nothing here reads them.
      return;
    }
    if (type === MSG_WTXIDRELAY) {
      if (node.successfullyConnected) {
        if (log.net) log.debug(`wtxidrelay received after verack, ${disconnectMsg(node.id)}`);
        this.host.disconnect(node, 'protocol-violation');
        return;
      }
      if (node.commonVersion >= WTXID_RELAY_VERSION) {
        if (!node.wtxidRelay) node.wtxidRelay = true;
        else if (log.net) log.debug(`ignoring duplicate wtxidrelay from peer=${node.id}`);
      } else if (log.net) {
        log.debug(`ignoring wtxidrelay due to old common version=${node.commonVersion} from peer=${node.id}`);
      }
      return;
    }
    if (type === MSG_SENDADDRV2) {
      if (node.successfullyConnected) {
        if (log.net) log.debug(`sendaddrv2 received after verack, ${disconnectMsg(node.id)}`);
        this.host.disconnect(node, 'protocol-violation');
        return;
      }
      node.wantsAddrV2 = true;
      return;
    }
    if (type === MSG_SENDTXRCNCL) {
      // Tx reconciliation is off by default: the message is ignored either way.
      if (log.net) log.debug(`sendtxrcncl from peer=${node.id} ignored, as our node does not have txreconciliation enabled`);
      return;
    }
    if (!node.successfullyConnected) {
      if (log.net) log.debug(`Unsupported message "${type}" prior to verack from peer=${node.id}`);
      return;
    }

    if (type === MSG_ADDR || type === MSG_ADDRV2) {
      const m = msg as P2PMessage & { addresses: readonly Address[] };
      this.processAddrs(node, type === MSG_ADDRV2 ? 'addrv2' : 'addr', m.addresses);
      return;
    }
    if (type === MSG_GETADDR) {
      this.processGetAddr(node);
      return;
    }
    if (type === MSG_PING) {
      if (node.version > BIP0031_VERSION) {
        this.host.pushMessage(node, pongMessage((msg as { nonce: bigint }).nonce));
      }
      return;
    }
    if (type === MSG_PONG) {
      this.processPong(node, msg, receivedMicros);
      return;
    }
    if (type === MSG_FILTERLOAD || type === MSG_FILTERADD || type === MSG_FILTERCLEAR) {
      this.processBloom(node, msg);
      return;
    }
    if (type === MSG_MEMPOOL) {
      this.processMempool(node);
      return;
    }
    if (this.tx.processMessage(node, msg)) return;
    if (this.blocks.processMessage(node, msg)) return;
    if (type === MSG_FEEFILTER) return;
    if (log.net) log.debug(`Unknown message type "${type}" from peer=${node.id}`);
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (the VERSION branch)
  private processVersion(node: Node, v: VersionMessage): void {
    const log = this.host.log;
    if (node.version !== 0) {
      if (log.net) log.debug(`redundant version message from peer=${node.id}`);
      return;
    }
    const services = v.services;
    if (!node.isInbound()) {
      this.addrman.setServices(node.addr, services);
      this.host.emit({ kind: 'addrman', action: 'set-services', addr: node.addr.toStringAddrPort() });
    }
    if (node.expectServices() && !this.hasAllDesirableServiceFlags(services)) {
      if (log.net) {
        const expected = getDesirableServiceFlags(services, this.nowSeconds(), this.blocks.bestBlockTimeSeconds());
        log.debug(`peer does not offer the expected services (${hex08(services)} offered, ${hex08(expected)} expected), ${disconnectMsg(node.id)}`);
      }
      this.host.disconnect(node, 'missing-services');
      return;
    }
    if (v.version < MIN_PEER_PROTO_VERSION) {
      if (log.net) log.debug(`peer using obsolete version ${v.version}, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'obsolete-version');
      return;
    }
    if (node.isInbound() && !this.host.checkIncomingNonce(v.nonce)) {
      log.logInfo(`connected to self at ${node.addr.toStringAddrPort()}, disconnecting`);
      this.host.disconnect(node, 'self-connection');
      return;
    }
    // (SeenLocal for a routable addrMe of an inbound peer: local-address scoring is not modelled.)
    if (node.isInbound()) this.pushNodeVersion(node);

    const common = Math.min(v.version, this.protocolVersion);
    node.commonVersion = common;
    node.version = v.version;
    node.hasAllWantedServices = this.hasAllDesirableServiceFlags(services);
    node.theirServices = services;
    node.addrLocal = v.addrRecv;
    node.cleanSubVer = v.userAgent;
    node.startingHeight = v.startHeight;
    node.timeOffsetSeconds = Math.max(v.timeSeconds, 0) - this.nowSeconds();

    if (!node.isBlockOnly() && !node.isFeeler() && (v.relay || (this.opts.localServices & NODE_BLOOM) !== 0)) {
      node.hasTxRelay = true;
      if (v.relay) node.relaysTxs = true;
    }
    if (log.net) {
      const mappedAs = this.host.getMappedAS(node.addr);
      log.debug(
        `receive version message: ${v.userAgent === '' ? '<no user agent>' : v.userAgent}: version ${v.version}, blocks=${v.startHeight}, us=${v.addrRecv.toStringAddrPort()}, txrelay=${v.relay ? 1 : 0}, peer=${node.id}${mappedAs !== 0 ? `, mapped_as=${mappedAs}` : ''}`,
      );
    }

    if (common >= WTXID_RELAY_VERSION) this.host.pushMessage(node, wtxidRelayMessage());
    if (common >= 70016) this.host.pushMessage(node, sendAddrV2Message());

    if (this.maybeDisconnectForTxRelayCapacity(node, MSG_VERSION, node.id)) return;

    this.host.pushMessage(node, verackMessage());
    this.blocks.onVersion(node);

    let sendGetAddr = false;
    if (!node.isInbound()) sendGetAddr = this.setupAddressRelay(node);
    if (sendGetAddr) {
      this.host.pushMessage(node, getAddrMessage());
      node.getAddrSent = true;
      const st = this.addrState.get(node.id);
      if (st !== undefined) st.tokenBucket += MAX_ADDR_TO_SEND;
    }
    if (!node.isInbound()) {
      this.addrman.good(node.addr);
      this.host.emit({ kind: 'addrman', action: 'good', addr: node.addr.toStringAddrPort() });
    } else if (this.opts.inboundVersionGood === true && node.addr.equalsAddr(v.addrFrom)) {
      // Core v0.10: main.cpp ProcessMessage("version") — a peer that connected from the address
      // it claims to listen on went straight into tried, unverified. Heilman et al.'s attacker used
      // this to fill the tried table with its own addresses by connecting inbound.
      const from = new Address(v.addrFrom, v.addrFromServices);
      if (this.addrman.add([from], v.addrFrom)) this.host.addressesAdded();
      this.addrman.good(v.addrFrom);
      this.host.emit({ kind: 'addrman', action: 'good', addr: v.addrFrom.toStringAddrPort() });
    }
    if (node.isFeeler()) {
      if (log.net) log.debug(`feeler connection completed, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'feeler-done');
      this.host.emit({ kind: 'feeler-done', nodeId: node.id, addr: node.addr.toStringAddrPort() });
    }
  }

  /**
   * An inbound peer that wants transactions, arriving when tx-relaying inbound slots are full,
   * evicts another tx-relaying inbound peer (never itself), or is dropped.
   */
  // Core: net_processing.cpp PeerManagerImpl::MaybeDisconnectForTxRelayCapacity
  private maybeDisconnectForTxRelayCapacity(node: Node, msgType: string, protectPeer: NodeId | null): boolean {
    if (!this.opts.inboundRelayCap) return false;
    if (!node.isInbound() || !node.relaysTxs) return false;
    if (this.host.evictTxPeerIfFull(protectPeer)) return false;
    if (this.host.log.net) this.host.log.debug(`failed to find a tx-relaying eviction candidate - connection dropped after ${msgType} message, peer=${node.id}`);
    this.host.disconnect(node, 'tx-relay-capacity');
    return true;
  }

  /**
   * BIP37: filterload and filterclear turn transaction relay on for the peer (which may evict a
   * tx-relaying inbound peer, or drop this one, under the inbound tx-relay cap); filteradd adds to a
   * loaded filter. Only when we offer NODE_BLOOM; otherwise the peer is disconnected.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (FILTERLOAD, FILTERADD, FILTERCLEAR branches)
  private processBloom(node: Node, msg: P2PMessage): void {
    const log = this.host.log;
    if ((this.opts.localServices & NODE_BLOOM) === 0) {
      if (log.net) log.debug(`${msg.type} received despite not offering bloom services, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'protocol-violation');
      return;
    }
    if (msg.type === MSG_FILTERLOAD) {
      const f = msg as FilterLoadMessage;
      if (f.filterBytes > MAX_BLOOM_FILTER_SIZE || f.nHashFuncs > MAX_HASH_FUNCS) {
        this.misbehaving(node, 'too-large bloom filter');
      } else if (node.hasTxRelay) {
        node.bloomFilterLoaded = true;
        node.relaysTxs = true;
        this.maybeDisconnectForTxRelayCapacity(node, MSG_FILTERLOAD, null);
      }
      return;
    }
    if (msg.type === MSG_FILTERADD) {
      const bad = (msg as FilterAddMessage).dataBytes > MAX_SCRIPT_ELEMENT_SIZE || (node.hasTxRelay && !node.bloomFilterLoaded);
      if (bad) this.misbehaving(node, 'bad filteradd message');
      return;
    }
    if (!node.hasTxRelay) return;
    node.bloomFilterLoaded = false;
    node.relaysTxs = true;
    this.maybeDisconnectForTxRelayCapacity(node, MSG_FILTERCLEAR, null);
  }

  /** BIP35 mempool: served only with NODE_BLOOM or the mempool permission, and not past the upload target. */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (MEMPOOL branch)
  private processMempool(node: Node): void {
    const log = this.host.log;
    const mempoolPerm = hasPermission(node.permissions, NetPermissionFlags.Mempool);
    const noban = hasPermission(node.permissions, NetPermissionFlags.NoBan);
    if ((this.opts.localServices & NODE_BLOOM) === 0 && !mempoolPerm) {
      if (!noban) {
        if (log.net) log.debug(`mempool request with bloom filters disabled, ${disconnectMsg(node.id)}`);
        this.host.disconnect(node, 'protocol-violation');
      }
      return;
    }
    if (this.host.outboundTargetReached(false) && !mempoolPerm) {
      if (!noban) {
        if (log.net) log.debug(`mempool request with bandwidth limit reached, ${disconnectMsg(node.id)}`);
        this.host.disconnect(node, 'upload-target-reached');
      }
      return;
    }
    // m_send_mempool: announcing the mempool's contents is not modelled (tx.ts keeps no fee rates or filters).
  }

  /**
   * Block-relay-only connections take no part in address gossip (an adversary watching addr
   * traffic could otherwise tell which of our links carry blocks only), nor do feelers (gone before
   * any answer). The known-address filter is created on the first successful call.
   */
  // Core: net_processing.cpp PeerManagerImpl::SetupAddressRelay
  setupAddressRelay(node: Node): boolean {
    if (node.isBlockOnly() || node.isFeeler()) return false;
    if (!node.addrRelayEnabled) {
      node.addrRelayEnabled = true;
      const st = this.addrState.get(node.id);
      if (st !== undefined) {
        st.addrKnown = new RollingBloomFilter(ADDR_KNOWN_FILTER_ELEMENTS, ADDR_KNOWN_FILTER_FP_RATE, this.opts.rng);
        insertById(this.relayPeers, st);
      }
      // An inbound peer's first addr message enables relay: its SendMessages has address work now.
      if (node.successfullyConnected) this.host.refreshNodeTimer(node);
    }
    return true;
  }

  /**
   * Core's Misbehaving followed at once by MaybeDiscourageAndDisconnect: noban and manual peers are
   * never punished; a local address is disconnected but not discouraged (that would discourage
   * every local peer); any other peer's address is discouraged and every connection from it closed.
   */
  // Core: net_processing.cpp PeerManagerImpl::Misbehaving and MaybeDiscourageAndDisconnect
  private misbehaving(node: Node, reason: string): void {
    const log = this.host.log;
    if (log.net) log.debug(`Misbehaving: peer=${node.id}${reason !== '' ? `: ${reason}` : ''}`);
    let action: 'disconnect' | 'disconnect-local' | 'none-noban' | 'none-manual' = 'disconnect';
    if (hasPermission(node.permissions, NetPermissionFlags.NoBan)) action = 'none-noban';
    else if (node.isManual()) action = 'none-manual';
    else if (node.addr.isLocal()) action = 'disconnect-local';
    // Core: net_processing.cpp PeerManagerImpl::MaybeDiscourageAndDisconnect (its log lines)
    if (action === 'none-noban') log.warning(`Not punishing noban peer ${node.id}!`);
    else if (action === 'none-manual') log.warning(`Not punishing manually connected peer ${node.id}!`);
    else if (action === 'disconnect-local') {
      if (log.net) log.debug(`Warning: disconnecting but not discouraging ${node.inboundOnion ? 'inbound onion' : 'local'} peer ${node.id}!`);
    } else if (log.net) log.debug(`Disconnecting and discouraging peer ${node.id}!`);
    this.host.emit({ kind: 'misbehaving', nodeId: node.id, addr: node.addr.toStringAddrPort(), reason, action });
    if (action === 'disconnect-local') this.host.disconnect(node, 'misbehaving');
    if (action !== 'disconnect') return;
    this.host.discourage(node.addr);
    // Core's CConnman::DisconnectNode(CNetAddr): every connection from that address.
    for (const st of this.addrState.values()) {
      if (!st.node.disconnect && st.node.addr.equalsAddr(node.addr)) this.host.disconnect(st.node, 'misbehaving');
    }
  }

  /**
   * An ADDR / ADDRV2 message: size check, token-bucket rate limiting over the shuffled entries,
   * service and timestamp filters, relay of fresh unsolicited addresses, and AddrMan.Add of the
   * reachable ones with the 2 h penalty.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessAddrs
  private processAddrs(node: Node, msgType: 'addr' | 'addrv2', received: readonly Address[]): void {
    const peerAddr = node.addr.toStringAddrPort();
    if (!this.setupAddressRelay(node)) {
      if (this.host.log.net) this.host.log.debug(`ignoring ${msgType} message from ${connectionTypeAsString(node.connType)} peer=${node.id}`);
      this.host.emit({ kind: 'addr-ignored', nodeId: node.id, addr: peerAddr, msgType, reason: 'no-addr-relay' });
      return;
    }
    if (received.length > MAX_ADDR_TO_SEND) {
      this.misbehaving(node, `${msgType} message size = ${received.length}`);
      return;
    }
    const st = this.addrState.get(node.id)!;
    OP_COUNTS[Op.addrReceived] += received.length;
    const now = this.host.nowMicros();
    const nowS = Math.floor(now / MICROS_PER_SECOND);
    // Before PR #22387 (v22.0) there was no bucket and the addresses were taken in message order.
    const limit = this.opts.addrRateLimit !== false;
    if (limit) refillTokenBucket(st, now, MAX_ADDR_RATE_PER_SECOND, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    const rateLimited = !hasPermission(node.permissions, NetPermissionFlags.Addr);
    let numProc = 0;
    let numRateLimit = 0;
    let relayed = 0;
    const addrs = received.slice();
    if (limit) this.opts.rng.shuffle(addrs);
    const ok: Address[] = [];
    for (let a of addrs) {
      if (!limit) {
        // Every address is processed.
      } else if (st.tokenBucket < 1.0) {
        if (rateLimited) {
          numRateLimit++;
          continue;
        }
      } else {
        st.tokenBucket -= 1.0;
      }
      // Only full nodes are worth storing (they may still be useless for outbound, but feelers can use them).
      if ((a.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0 && !this.hasAllDesirableServiceFlags(a.services)) {
        continue;
      }
      if (a.time <= 100000000 || a.time > nowS + 10 * 60) a = a.withTime(nowS - 5 * 24 * 3600);
      addAddressKnown(st, a);
      if (this.host.isDiscouragedOrBanned(a)) continue;
      numProc++;
      const reachable = this.host.isReachable(a.getNetwork());
      if (a.time > nowS - ADDR_RELAY_MAX_AGE_SECONDS && !node.getAddrSent && addrs.length <= ADDR_RELAY_MAX_MESSAGE_ADDRS && a.isRoutable()) {
        if (this.relayAddress(node.id, a, reachable)) relayed++;
      }
      if (reachable) ok.push(a);
    }
    st.addrProcessed += numProc;
    st.addrRateLimited += numRateLimit;
    if (this.host.log.net) this.host.log.debug(`Received addr: ${received.length} addresses (${numProc} processed, ${numRateLimit} rate-limited) from peer=${node.id}`);
    let stored = 0;
    if (ok.length > 0) {
      stored = ok.length;
      if (this.addrman.add(ok, node.addr, ADDR_TIME_PENALTY_SECONDS)) {
        this.host.emit({ kind: 'addrman', action: 'add', addr: peerAddr, count: ok.length });
        this.host.addressesAdded();
      }
    }
    this.host.emit({
      kind: 'addr-received',
      nodeId: node.id,
      addr: peerAddr,
      msgType,
      count: received.length,
      processed: numProc,
      rateLimited: numRateLimit,
      stored,
      relayed,
    });
    if (received.length < MAX_ADDR_TO_SEND) node.getAddrSent = false;
    // A single address is likely a self-announcement, not the answer an addr-fetch waits for.
    if (node.isAddrFetch() && received.length > 1) {
      if (this.host.log.net) this.host.log.debug(`addrfetch connection completed, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'addr-fetch-done');
      this.host.emit({ kind: 'addr-fetch-done', nodeId: node.id, addr: peerAddr, timedOut: false });
    }
  }

  /**
   * Simulator port (the world's outside-network process, scenarios/world/outside-network.ts): a
   * node that the simulation does not hold announced its own address to us over a connection
   * the simulation does not hold either. What ProcessAddrs does with such a one-address message
   * from a peer with tokens left: relay it if fresh and routable (to 1 or 2 of our peers; the
   * sender is none of them), then AddrMan.Add with the sender as source and the 2 h penalty when
   * its network is reachable. The sender's own state (token bucket, known-address filter) is not
   * kept: each outside announcement is its first. Returns whether it was relayed.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessAddrs (one fresh address from an unsimulated peer)
  receiveOutsideAnnouncement(addr: Address): boolean {
    if ((addr.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0 && !this.hasAllDesirableServiceFlags(addr.services)) return false;
    if (this.host.isDiscouragedOrBanned(addr)) return false;
    const nowS = this.nowSeconds();
    const reachable = this.host.isReachable(addr.getNetwork());
    const relayed = addr.time > nowS - ADDR_RELAY_MAX_AGE_SECONDS && addr.isRoutable() && this.relayAddress(-1, addr, reachable);
    if (reachable && this.addrman.add([addr], addr, ADDR_TIME_PENALTY_SECONDS)) this.host.addressesAdded();
    return relayed;
  }

  /**
   * Relays one address to 1 or 2 address-relaying peers other than its sender, the same ones for a
   * day (see chooseRelayTargets): a peer re-sending its address gains no extra spread. Returns
   * whether anyone was chosen.
   */
  // Core: net_processing.cpp PeerManagerImpl::RelayAddress
  private relayAddress(originator: NodeId, addr: Address, reachable: boolean): boolean {
    if (!reachable && !addr.isRelayable()) return false;
    const randomizer = this.host.getDeterministicRandomizer(RANDOMIZER_ID_ADDRESS_RELAY);
    const hasher = relayHasher(randomizer, addr, this.nowSeconds());
    // One scratch array for every call (this runs per relayed address, with ~100 peers each).
    const candidates = this.relayCandidates;
    candidates.length = 0;
    const peers = this.relayPeers;
    // isAddrCompatible, with the address's half of it asked once.
    const v1Compatible = addr.isAddrV1Compatible();
    for (let i = 0; i < peers.length; i++) {
      const st = peers[i]!;
      const n = st.node;
      if (n.id !== originator && (v1Compatible || n.wantsAddrV2)) candidates.push(st);
    }
    OP_COUNTS[Op.relayCall]++;
    OP_COUNTS[Op.relayScan] += candidates.length;
    const targets = chooseRelayTargetsBy(hasher, reachable, candidates, nodeIdOfState);
    candidates.length = 0;
    for (const t of targets) this.queueAddress(t, addr);
    return targets.length > 0;
  }

  /** @internal The ids of the peers RelayAddress considers, in its scan order (tests compare it with the map). */
  relayPeerIds(): NodeId[] {
    return this.relayPeers.map((st) => st.node.id);
  }

  /** PushAddress, keeping the trickle timer armed (see maybeSendAddr on the lazy timer). */
  private queueAddress(st: PeerAddrState, addr: Address): void {
    const wasEmpty = st.addrsToSend.length === 0;
    if (!pushAddress(st, addr, this.opts.rng)) return;
    if (wasEmpty) {
      this.catchUpAddrSendTimer(st, this.host.nowMicros());
      this.host.refreshNodeTimer(st.node);
    }
  }

  /**
   * A message that arrived as raw payload bytes (sendmsgtopeer) parsed as ProcessMessage's
   * deserialization would: by the wire codec for its types; a payload that does not parse is the
   * exception ProcessMessages catches and logs (null: the message is dropped). Types the codec does
   * not know pass on without contents. Typed messages pass through.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessages (the catch around ProcessMessage)
  private deserialize(msg: P2PMessage): P2PMessage | null {
    const hex = (msg as P2PMessage & { rawPayloadHex?: string }).rawPayloadHex;
    if (hex === undefined || !WIRE_CODEC_TYPES.has(msg.type)) return msg;
    const bytes = Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
    try {
      return { ...decodePayload(msg.type, bytes), sizeBytes: msg.sizeBytes };
    } catch (e) {
      if (!(e instanceof MessageDecodeError)) throw e;
      if (this.host.log.net) this.host.log.debug(`ProcessMessages(${msg.type}, ${bytes.length} bytes): Exception '${e.message}' (${e.name}) caught`);
      return null;
    }
  }

  /**
   * The redraws of m_next_addr_send that Core's SendMessages passes made while this lazy timer
   * slept with nothing queued. Core redraws it at every pass once it lapsed. On a continuous clock
   * the node lived through the time since it lapsed, so Core's timer now is now + Exp(30 s)
   * (memoryless). After a jump (setmocktime) the only instant lived since is the one jumped from: a
   * timer that lapsed before it was redrawn there; one that lapsed inside the jump is still lapsed,
   * and the next pass sends.
   */
  // Core: net_processing.cpp PeerManagerImpl::MaybeSendAddr (m_next_addr_send redraw)
  private catchUpAddrSendTimer(st: PeerAddrState, now: Micros): void {
    if (st.nextAddrSendMicros === 0 || st.nextAddrSendMicros >= now) return;
    const jumpedFrom = this.host.clockJumpedFromMicros();
    if (jumpedFrom === null) st.nextAddrSendMicros = now + this.opts.rng.randExpDurationMicros(AVG_ADDRESS_BROADCAST_INTERVAL);
    else if (st.nextAddrSendMicros < jumpedFrom) st.nextAddrSendMicros = jumpedFrom + this.opts.rng.randExpDurationMicros(AVG_ADDRESS_BROADCAST_INTERVAL);
  }

  /**
   * GETADDR: answered once per connection and only to inbound peers (a node behind NAT answering
   * its outbound peers would let them fingerprint it), from the per-network cache unless the peer
   * has the Addr permission.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (GETADDR branch)
  private processGetAddr(node: Node): void {
    const peerAddr = node.addr.toStringAddrPort();
    if (!node.isInbound()) {
      if (this.host.log.net) this.host.log.debug(`Ignoring "getaddr" from ${connectionTypeAsString(node.connType)} connection. peer=${node.id}`);
      this.host.emit({ kind: 'addr-ignored', nodeId: node.id, addr: peerAddr, msgType: 'getaddr', reason: 'getaddr-outbound' });
      return;
    }
    this.setupAddressRelay(node);
    const st = this.addrState.get(node.id)!;
    if (st.getAddrRecvd) {
      if (this.host.log.net) this.host.log.debug(`Ignoring repeated "getaddr". peer=${node.id}`);
      this.host.emit({ kind: 'addr-ignored', nodeId: node.id, addr: peerAddr, msgType: 'getaddr', reason: 'getaddr-repeat' });
      return;
    }
    st.getAddrRecvd = true;
    st.addrsToSend = [];
    const uncached = hasPermission(node.permissions, NetPermissionFlags.Addr);
    const addrs = uncached
      ? this.host.getAddressesUnsafe(MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND, null)
      : this.host.getAddresses(node, MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND);
    for (const a of addrs) this.queueAddress(st, a);
    this.host.emit({ kind: 'getaddr-answered', nodeId: node.id, addr: peerAddr, count: addrs.length, cached: !uncached });
  }

  /**
   * The address part of SendMessages: the self-announcement about every 24 h (the first in its own
   * message), then, on the 30 s Poisson trickle, the queued addresses the peer does not yet know.
   * Core's trickle timer ticks even with nothing queued; here it is lazy (re-drawn when something is
   * queued after it lapsed), which gives the same send times in distribution without waking idle
   * peers every 30 s. See PORTING.md.
   */
  // Core: net_processing.cpp PeerManagerImpl::MaybeSendAddr
  private maybeSendAddr(node: Node, now: Micros): void {
    if (!node.addrRelayEnabled) return;
    const st = this.addrState.get(node.id);
    if (st === undefined) return;
    // The peer's text form is built only when an event names it: most calls send nothing.
    if ((this.opts.listen ?? false) && !(this.opts.isInitialBlockDownload?.() ?? false) && st.nextLocalAddrSendMicros < now) {
      // Forget what the peer knows so the periodic self-announcement really goes out.
      if (st.nextLocalAddrSendMicros !== 0) st.addrKnown!.reset();
      const local = getLocalAddrForPeer(node, {
        localAddresses: this.opts.localAddresses ?? [],
        discover: this.opts.discover ?? true,
        listenPort: this.opts.listenPort ?? 8333,
        isReachable: (net) => this.host.isReachable(net),
        rng: this.opts.rng,
      });
      if (local !== null) {
        if (this.host.log.net) this.host.log.debug(`Advertising address ${local.toStringAddrPort()} to peer=${node.id}`);
        const localAddr = new Address(local, this.opts.localServices, this.nowSeconds());
        if (st.nextLocalAddrSendMicros === 0) {
          // The first one goes alone, so a peer's one start token is not spent on other addresses.
          if (isAddrCompatible(node, localAddr)) {
            const list = [localAddr];
            OP_COUNTS[Op.addrSent]++;
            this.host.pushMessage(node, node.wantsAddrV2 ? addrV2Message(list) : addrMessage(list));
            this.host.emit({ kind: 'addr-sent', nodeId: node.id, addr: node.addr.toStringAddrPort(), msgType: node.wantsAddrV2 ? 'addrv2' : 'addr', count: 1, selfAnnouncement: true });
          }
        } else {
          this.queueAddress(st, localAddr);
        }
      }
      st.nextLocalAddrSendMicros = now + this.opts.rng.randExpDurationMicros(AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL);
    }
    st.addrSendStarted = true;
    if (now <= st.nextAddrSendMicros) return;
    // Lazy trickle: an idle timer is not re-drawn (queueAddress draws it when something arrives),
    // except after a clock jump, where this pass is the one Core redraws it at.
    if (st.addrsToSend.length === 0 && st.nextAddrSendMicros !== 0) {
      if (this.host.clockJumpedFromMicros() !== null) st.nextAddrSendMicros = now + this.opts.rng.randExpDurationMicros(AVG_ADDRESS_BROADCAST_INTERVAL);
      return;
    }
    st.nextAddrSendMicros = now + this.opts.rng.randExpDurationMicros(AVG_ADDRESS_BROADCAST_INTERVAL);
    const known = st.addrKnown!;
    const out: Address[] = [];
    for (const a of st.addrsToSend) {
      if (known.containsOrInsert(a.getKey())) continue;
      out.push(a);
    }
    st.addrsToSend = [];
    if (out.length === 0) return;
    OP_COUNTS[Op.addrSent] += out.length;
    this.host.pushMessage(node, node.wantsAddrV2 ? addrV2Message(out) : addrMessage(out));
    this.host.emit({ kind: 'addr-sent', nodeId: node.id, addr: node.addr.toStringAddrPort(), msgType: node.wantsAddrV2 ? 'addrv2' : 'addr', count: out.length, selfAnnouncement: false });
  }

  /**
   * The next time this node's address sending needs SendMessages: at once before its first run,
   * then just after the self-announcement timer, and after the trickle timer while anything is
   * queued. Infinity when address relay is off for it.
   */
  nextAddrSendDue(node: Node): Micros {
    if (!node.successfullyConnected || !node.addrRelayEnabled) return Infinity;
    const st = this.addrState.get(node.id);
    if (st === undefined) return Infinity;
    if (!st.addrSendStarted) return this.host.nowMicros();
    let due = Infinity;
    if ((this.opts.listen ?? false) && !(this.opts.isInitialBlockDownload?.() ?? false)) due = st.nextLocalAddrSendMicros + 1;
    if (st.addrsToSend.length > 0) due = Math.min(due, st.nextAddrSendMicros + 1);
    return due;
  }

  /** Addresses queued for a peer (tests and reports). */
  addrsQueued(id: NodeId): number {
    return this.addrState.get(id)?.addrsToSend.length ?? 0;
  }

  /** The known-address filter's view of an address for a peer (tests). */
  addrKnownBy(id: NodeId, addr: Service): boolean {
    return this.addrState.get(id)?.addrKnown?.contains(addr.getKey()) ?? false;
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessPong
  private processPong(node: Node, msg: P2PMessage, receivedMicros: Micros): void {
    let finished = false;
    let problem = '';
    let nonce = 0n;
    const avail = msg.sizeBytes - MESSAGE_HEADER_SIZE;
    if (avail >= 8) {
      nonce = (msg as { nonce: bigint }).nonce;
      if (node.pingNonceSent !== 0n) {
        if (nonce === node.pingNonceSent) {
          finished = true;
          const rtt = receivedMicros - node.pingStartMicros;
          if (rtt >= 0) {
            node.pongReceived(rtt);
            this.host.emit({ kind: 'ping', nodeId: node.id, rttMicros: rtt });
          } else {
            problem = 'Timing mishap';
          }
        } else {
          // A mismatched nonce leaves the ping outstanding; a zero nonce cancels it.
          problem = 'Nonce mismatch';
          if (nonce === 0n) {
            finished = true;
            problem = 'Nonce zero';
          }
        }
      } else {
        problem = 'Unsolicited pong without ping';
      }
    } else {
      finished = true; // short payload cancels the ping
      problem = 'Short payload';
    }
    if (problem !== '' && this.host.log.net) {
      this.host.log.debug(`pong peer=${node.id}: ${problem}, ${hex64(node.pingNonceSent)} expected, ${hex64(nonce)} received, ${avail} bytes`);
    }
    if (finished) node.pingNonceSent = 0n;
  }

  /**
   * The periodic part of SendMessages for a handshaked peer: the addr-fetch lifetime, the ping
   * timeout, the automatic ping and the address trickle. Returns the next time this needs to run (or Infinity).
   */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (addr-fetch timeout), MaybeSendPing, MaybeSendAddr
  sendMessages(node: Node, now: Micros): Micros {
    if (!node.successfullyConnected || node.disconnect) return Infinity;
    if (node.isAddrFetch() && now - node.connectedMicros > 10 * AVG_ADDRESS_BROADCAST_INTERVAL) {
      if (this.host.log.net) this.host.log.debug(`addrfetch connection timeout, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'addr-fetch-timeout');
      this.host.emit({ kind: 'addr-fetch-done', nodeId: node.id, addr: node.addr.toStringAddrPort(), timedOut: true });
      return Infinity;
    }
    // Pings carried by a keep-alive shortcut (ports.ts KeepAlive) keep their own schedule: no timer, no timeout.
    const computed = node.keepAlive !== null && node.keepAlive.ownsPings();
    if (
      !computed &&
      pingTimeoutCheck(
        node,
        { pingOutstanding: node.pingNonceSent !== 0n, pingStartMicros: node.pingStartMicros },
        now,
        0,
      ) !== null &&
      this.host.shouldRunInactivityChecks(node, now)
    ) {
      if (this.host.log.net) this.host.log.debug(`ping timeout: ${formatFixed6((now - node.pingStartMicros) / MICROS_PER_SECOND)}s, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'ping-timeout');
      return Infinity;
    }
    let pingSend = node.pingQueued;
    if (node.pingNonceSent === 0n && now > node.pingStartMicros + PING_INTERVAL) pingSend = true;
    // An automatic ping may be taken by the keep-alive shortcut, which sets m_ping_start and the nonce stand-in.
    const tookPing = pingSend && !computed && !node.pingQueued && node.commonVersion > BIP0031_VERSION && this.host.startComputedPings(node, now, PING_INTERVAL + 1);
    if (pingSend && !computed && !tookPing) {
      let nonce = 0n;
      while (nonce === 0n) nonce = this.host.drawPingNonce();
      node.pingQueued = false;
      node.pingStartMicros = now;
      if (node.commonVersion > BIP0031_VERSION) {
        node.pingNonceSent = nonce;
        this.host.pushMessage(node, pingMessage(nonce));
      } else {
        node.pingNonceSent = 0n;
        this.host.pushMessage(node, pingMessage(0n));
      }
    }
    this.maybeSendAddr(node, now);
    this.blocks.startBlockSync(node);
    this.tx.sendTrickle(node, now);
    this.blocks.considerEvictionOf(node);
    if (node.disconnect) return Infinity;
    let next = Math.min(this.nextAddrSendDue(node), this.tx.nextDue(node));
    if (node.isAddrFetch()) next = Math.min(next, node.connectedMicros + 10 * AVG_ADDRESS_BROADCAST_INTERVAL + 1);
    if (node.pingNonceSent === 0n && !(node.keepAlive !== null && node.keepAlive.ownsPings())) {
      next = Math.min(next, node.pingStartMicros + PING_INTERVAL + 1);
    }
    return next;
  }

  /**
   * When SendMessages next has work for the node: the address and transaction trickles, the end of
   * an addr-fetch connection's life, and the next automatic ping unless the node's keep-alive link
   * carries its pings.
   */
  nextSendMessagesDue(node: Node): Micros {
    let due = Math.min(this.nextAddrSendDue(node), this.tx.nextDue(node));
    if (node.isAddrFetch()) due = Math.min(due, node.connectedMicros + 10 * AVG_ADDRESS_BROADCAST_INTERVAL + 1);
    if (node.pingNonceSent === 0n && !(node.keepAlive !== null && node.keepAlive.ownsPings())) due = Math.min(due, node.pingStartMicros + PING_INTERVAL + 1);
    return due;
  }

  /** getpeerinfo's addr counters for a peer. */
  addrStats(id: NodeId): { processed: number; rateLimited: number } {
    const st = this.addrState.get(id);
    return { processed: st?.addrProcessed ?? 0, rateLimited: st?.addrRateLimited ?? 0 };
  }
}

