// The PeerManager subset this issue needs (net_processing.cpp): the VERSION / VERACK handshake
// with the flags that matter, negotiation messages, GETADDR to outbound peers, feeler and
// addr-fetch disconnects, the desirable-services and self-connection checks, ping / pong with
// min-ping tracking and the ping timeout, AddrMan Good / SetServices / Connected, and the
// tx-relay inbound cap at VERSION. Address relay, block and transaction logic are a later issue:
// they plug in through `PeerManagerHooks`; the default ADDR and GETADDR handling here is a
// documented placeholder (store with the 2 h penalty; answer GETADDR once, uncached).

import type { AddrMan } from './addrman.ts';
import { hasAllDesirableServiceFlags } from './desirable-services.ts';
import { pingTimeoutCheck } from './inactivity.ts';
import {
  addrMessage,
  addrV2Message,
  getAddrMessage,
  MAX_ADDR_TO_SEND,
  MESSAGE_HEADER_SIZE,
  MIN_PEER_PROTO_VERSION,
  MSG_ADDR,
  MSG_ADDRV2,
  MSG_GETADDR,
  MSG_PING,
  MSG_PONG,
  MSG_SENDADDRV2,
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
  type P2PMessage,
  type VersionMessage,
} from './messages.ts';
import { hasPermission, NetPermissionFlags } from './net-permissions.ts';
import { Service, type Network } from './netaddress.ts';
import type { Node, NodeId } from './node.ts';
import type { CloseReason, ConnmanEvent, Micros, Rng } from './ports.ts';
import { Address, NODE_BLOOM, NODE_NETWORK, NODE_NETWORK_LIMITED, type ServiceFlags } from './protocol.ts';

const MICROS_PER_SECOND = 1_000_000;

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
/** Addresses learnt from gossip are aged by this much in AddrMan. */
const ADDR_TIME_PENALTY_SECONDS = 2 * 3600;

/** What the PeerManager asks of the Connman. */
export interface PeerManagerHost {
  nowMicros(): Micros;
  pushMessage(node: Node, msg: P2PMessage): void;
  /** Marks the node for disconnection with a reason. */
  disconnect(node: Node, reason: CloseReason): void;
  // Core: net.cpp CConnman::CheckIncomingNonce
  checkIncomingNonce(nonce: bigint): boolean;
  // Core: net.cpp CConnman::EvictTxPeerIfFull
  evictTxPeerIfFull(protectPeer: NodeId | null): boolean;
  /** Our addresses for a GETADDR answer (the placeholder); Core: CConnman::GetAddresses. */
  getAddresses(node: Node, maxAddresses: number, maxPct: number): Address[];
  isReachable(net: Network): boolean;
  shouldRunInactivityChecks(node: Node, nowMicros: Micros): boolean;
  /** Addresses were added to AddrMan: the open-connections loop may have new work. */
  addressesAdded(): void;
  emit(ev: ConnmanEvent): void;
}

/**
 * Where the next issue's PeerManager logic plugs in. Each hook returns true if it handled the
 * message (then the placeholder behaviour here is skipped).
 */
export interface PeerManagerHooks {
  onAddr?(node: Node, msg: P2PMessage & { addresses: readonly Address[] }): boolean;
  onGetAddr?(node: Node): boolean;
  /** Any message this subset does not handle, after the handshake. */
  onMessage?(node: Node, msg: P2PMessage): void;
  onHandshakeComplete?(node: Node): void;
  onFinalize?(node: Node): void;
}

export interface PeerManagerOptions {
  localServices: ServiceFlags;
  /** -blocksonly (ignore_incoming_txs). */
  blocksOnly: boolean;
  /** The tx-relay inbound cap (Core since PR #28463). */
  inboundRelayCap: boolean;
  bestHeight(): number;
  bestBlockTimeSeconds(): number;
  /** Draws ping nonces (Core: an ad-hoc FastRandomContext). */
  rng: Rng;
  hooks?: PeerManagerHooks;
}

/** Per-peer addr state kept here for the placeholder ADDR handling. */
interface AddrState {
  tokenBucket: number;
  tokenTimestampMicros: Micros;
  getAddrRecvd: boolean;
  addrProcessed: number;
  addrRateLimited: number;
}

// Core: net_processing.cpp PeerManagerImpl (the subset described above)
export class PeerManager {
  private readonly addrState = new Map<NodeId, AddrState>();
  hooks: PeerManagerHooks;

  constructor(
    private readonly host: PeerManagerHost,
    private readonly addrman: AddrMan,
    private readonly opts: PeerManagerOptions,
  ) {
    this.hooks = opts.hooks ?? {};
  }

  private nowSeconds(): number {
    return Math.floor(this.host.nowMicros() / MICROS_PER_SECOND);
  }

  // Core: net_processing.cpp PeerManagerImpl::HasAllDesirableServiceFlags
  hasAllDesirableServiceFlags(services: ServiceFlags): boolean {
    return hasAllDesirableServiceFlags(services, this.nowSeconds(), this.opts.bestBlockTimeSeconds());
  }

  /** Per-peer state; an outbound peer gets our VERSION at once (its first SendMessages). */
  // Core: net_processing.cpp PeerManagerImpl::InitializeNode
  initializeNode(node: Node): void {
    // Outbound peers start with one token so a first self-announcement gets through.
    this.addrState.set(node.id, {
      tokenBucket: 1,
      tokenTimestampMicros: this.host.nowMicros(),
      getAddrRecvd: false,
      addrProcessed: 0,
      addrRateLimited: 0,
    });
    if (!node.isInbound()) this.pushNodeVersion(node);
  }

  // Core: net_processing.cpp PeerManagerImpl::FinalizeNode
  finalizeNode(node: Node): void {
    this.hooks.onFinalize?.(node);
    this.addrState.delete(node.id);
    if (node.successfullyConnected && !node.isBlockOnly() && !node.isInbound()) {
      this.addrman.connected(node.addr);
      this.host.emit({ kind: 'addrman', action: 'connected', addr: node.addr.toStringAddrPort() });
    }
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
    this.host.pushMessage(
      node,
      versionMessage({
        version: PROTOCOL_VERSION,
        services: this.opts.localServices,
        timeSeconds: this.nowSeconds(),
        addrRecvServices: a.services,
        ...(yourAddr !== undefined ? { addrRecv: yourAddr } : {}),
        addrFromServices: this.opts.localServices,
        nonce: node.localNonce,
        startHeight: this.opts.bestHeight(),
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
  processMessage(node: Node, msg: P2PMessage, receivedMicros: Micros): void {
    if (node.disconnect) return;
    const type = msg.type;
    if (type === MSG_VERSION) {
      this.processVersion(node, msg as VersionMessage);
      return;
    }
    // Nothing but VERSION is looked at before VERSION.
    if (node.version === 0) return;

    if (type === MSG_VERACK) {
      if (node.successfullyConnected) return;
      if (node.commonVersion >= SHORT_IDS_BLOCKS_VERSION) this.host.pushMessage(node, sendCmpctMessage(false));
      node.successfullyConnected = true;
      this.host.emit({
        kind: 'handshake-complete',
        nodeId: node.id,
        addr: node.addr.toStringAddrPort(),
        connType: node.connType,
        services: node.theirServices,
      });
      this.hooks.onHandshakeComplete?.(node);
      return;
    }
    if (type === MSG_WTXIDRELAY) {
      if (node.successfullyConnected) {
        this.host.disconnect(node, 'protocol-violation');
        return;
      }
      if (node.commonVersion >= WTXID_RELAY_VERSION) node.wtxidRelay = true;
      return;
    }
    if (type === MSG_SENDADDRV2) {
      if (node.successfullyConnected) {
        this.host.disconnect(node, 'protocol-violation');
        return;
      }
      node.wantsAddrV2 = true;
      return;
    }
    if (type === MSG_SENDTXRCNCL) {
      // Tx reconciliation is off by default: the message is ignored either way.
      return;
    }
    if (!node.successfullyConnected) return; // "Unsupported message prior to verack"

    if (type === MSG_ADDR || type === MSG_ADDRV2) {
      const m = msg as P2PMessage & { addresses: readonly Address[] };
      if (this.hooks.onAddr?.(node, m)) return;
      this.processAddrs(node, m.addresses);
      return;
    }
    if (type === MSG_GETADDR) {
      if (this.hooks.onGetAddr?.(node)) return;
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
    this.hooks.onMessage?.(node, msg);
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (the VERSION branch)
  private processVersion(node: Node, v: VersionMessage): void {
    if (node.version !== 0) return; // duplicate VERSION
    const services = v.services;
    if (!node.isInbound()) {
      this.addrman.setServices(node.addr, services);
      this.host.emit({ kind: 'addrman', action: 'set-services', addr: node.addr.toStringAddrPort() });
    }
    if (node.expectServices() && !this.hasAllDesirableServiceFlags(services)) {
      this.host.disconnect(node, 'missing-services');
      return;
    }
    if (v.version < MIN_PEER_PROTO_VERSION) {
      this.host.disconnect(node, 'obsolete-version');
      return;
    }
    if (node.isInbound() && !this.host.checkIncomingNonce(v.nonce)) {
      this.host.disconnect(node, 'self-connection');
      return;
    }
    // (SeenLocal for a routable addrMe of an inbound peer: local-address scoring is not modelled.)
    if (node.isInbound()) this.pushNodeVersion(node);

    const common = Math.min(v.version, PROTOCOL_VERSION);
    node.commonVersion = common;
    node.version = v.version;
    node.hasAllWantedServices = this.hasAllDesirableServiceFlags(services);
    node.theirServices = services;
    node.addrLocal = v.addrRecv;
    node.cleanSubVer = v.userAgent;
    node.startingHeight = v.startHeight;

    if (!node.isBlockOnly() && !node.isFeeler() && (v.relay || (this.opts.localServices & NODE_BLOOM) !== 0)) {
      if (v.relay) node.relaysTxs = true;
    }

    if (common >= WTXID_RELAY_VERSION) this.host.pushMessage(node, wtxidRelayMessage());
    if (common >= 70016) this.host.pushMessage(node, sendAddrV2Message());

    if (this.maybeDisconnectForTxRelayCapacity(node)) return;

    this.host.pushMessage(node, verackMessage());

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
    }
    if (node.isFeeler()) {
      this.host.disconnect(node, 'feeler-done');
      this.host.emit({ kind: 'feeler-done', nodeId: node.id, addr: node.addr.toStringAddrPort() });
    }
  }

  /**
   * An inbound peer that wants transactions, arriving when tx-relaying inbound slots are full,
   * evicts another tx-relaying inbound peer (never itself), or is dropped.
   */
  // Core: net_processing.cpp PeerManagerImpl::MaybeDisconnectForTxRelayCapacity
  private maybeDisconnectForTxRelayCapacity(node: Node): boolean {
    if (!this.opts.inboundRelayCap) return false;
    if (!node.isInbound() || !node.relaysTxs) return false;
    if (this.host.evictTxPeerIfFull(node.id)) return false;
    this.host.disconnect(node, 'tx-relay-capacity');
    return true;
  }

  /** Block-relay-only and feeler connections take no part in address gossip. */
  // Core: net_processing.cpp PeerManagerImpl::SetupAddressRelay
  setupAddressRelay(node: Node): boolean {
    if (node.isBlockOnly() || node.isFeeler()) return false;
    node.addrRelayEnabled = true;
    return true;
  }

  /**
   * Placeholder for the next issue's ProcessAddrs: the size check, the token bucket, the service
   * and time filters, then AddrMan.Add of the reachable ones with the 2 h penalty. No relay, and no
   * shuffle before rate limiting (so which addresses are rate-limited differs from Core).
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessAddrs (subset)
  private processAddrs(node: Node, addrs: readonly Address[]): void {
    if (!this.setupAddressRelay(node)) return;
    if (addrs.length > MAX_ADDR_TO_SEND) {
      if (!node.isManual()) this.host.disconnect(node, 'protocol-violation');
      return;
    }
    const now = this.host.nowMicros();
    const nowS = Math.floor(now / MICROS_PER_SECOND);
    const st = this.addrState.get(node.id)!;
    if (st.tokenBucket < MAX_ADDR_PROCESSING_TOKEN_BUCKET) {
      const inc = Math.max((now - st.tokenTimestampMicros) / MICROS_PER_SECOND, 0) * MAX_ADDR_RATE_PER_SECOND;
      st.tokenBucket = Math.min(st.tokenBucket + inc, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
    }
    st.tokenTimestampMicros = now;
    const rateLimited = !hasPermission(node.permissions, NetPermissionFlags.Addr);
    const ok: Address[] = [];
    for (let a of addrs) {
      if (st.tokenBucket < 1.0) {
        if (rateLimited) {
          st.addrRateLimited++;
          continue;
        }
      } else {
        st.tokenBucket -= 1.0;
      }
      if ((a.services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0 && !this.hasAllDesirableServiceFlags(a.services)) {
        continue;
      }
      if (a.time <= 100000000 || a.time > nowS + 600) a = a.withTime(nowS - 5 * 24 * 3600);
      st.addrProcessed++;
      if (this.host.isReachable(a.getNetwork())) ok.push(a);
    }
    if (ok.length > 0 && this.addrman.add(ok, node.addr, ADDR_TIME_PENALTY_SECONDS)) {
      this.host.emit({ kind: 'addrman', action: 'add', addr: node.addr.toStringAddrPort(), count: ok.length });
      this.host.addressesAdded();
    }
    if (addrs.length < MAX_ADDR_TO_SEND) node.getAddrSent = false;
    if (node.isAddrFetch() && addrs.length > 1) {
      this.host.disconnect(node, 'addr-fetch-done');
      this.host.emit({ kind: 'addr-fetch-done', nodeId: node.id, addr: node.addr.toStringAddrPort(), timedOut: false });
    }
  }

  /** Placeholder GETADDR answer: inbound only, once per connection, one message. */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (GETADDR branch, subset)
  private processGetAddr(node: Node): void {
    if (!node.isInbound()) return;
    const st = this.addrState.get(node.id)!;
    if (st.getAddrRecvd) return;
    st.getAddrRecvd = true;
    this.setupAddressRelay(node);
    const addrs = this.host.getAddresses(node, MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND);
    if (addrs.length === 0) return;
    this.host.pushMessage(node, node.wantsAddrV2 ? addrV2Message(addrs) : addrMessage(addrs.filter((a) => a.isAddrV1Compatible())));
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessPong
  private processPong(node: Node, msg: P2PMessage, receivedMicros: Micros): void {
    let finished = false;
    if (msg.sizeBytes >= MESSAGE_HEADER_SIZE + 8) {
      const nonce = (msg as { nonce: bigint }).nonce;
      if (node.pingNonceSent !== 0n) {
        if (nonce === node.pingNonceSent) {
          finished = true;
          const rtt = receivedMicros - node.pingStartMicros;
          if (rtt >= 0) {
            node.pongReceived(rtt);
            this.host.emit({ kind: 'ping', nodeId: node.id, rttMicros: rtt });
          }
        } else if (nonce === 0n) {
          finished = true; // a zero nonce cancels the ping
        }
        // A mismatched nonce leaves the ping outstanding.
      }
    } else {
      finished = true; // short payload cancels the ping
    }
    if (finished) node.pingNonceSent = 0n;
  }

  /**
   * The periodic part of SendMessages for a handshaked peer: the addr-fetch lifetime, the ping
   * timeout and the automatic ping. Returns the next time this needs to run (or Infinity).
   */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (addr-fetch timeout) and MaybeSendPing
  sendMessages(node: Node, now: Micros): Micros {
    if (!node.successfullyConnected || node.disconnect) return Infinity;
    if (node.isAddrFetch() && now - node.connectedMicros > 10 * AVG_ADDRESS_BROADCAST_INTERVAL) {
      this.host.disconnect(node, 'addr-fetch-timeout');
      this.host.emit({ kind: 'addr-fetch-done', nodeId: node.id, addr: node.addr.toStringAddrPort(), timedOut: true });
      return Infinity;
    }
    if (
      pingTimeoutCheck(
        node,
        { pingOutstanding: node.pingNonceSent !== 0n, pingStartMicros: node.pingStartMicros },
        now,
        0,
      ) !== null &&
      this.host.shouldRunInactivityChecks(node, now)
    ) {
      this.host.disconnect(node, 'ping-timeout');
      return Infinity;
    }
    let pingSend = node.pingQueued;
    if (node.pingNonceSent === 0n && now > node.pingStartMicros + PING_INTERVAL) pingSend = true;
    if (pingSend) {
      let nonce = 0n;
      while (nonce === 0n) nonce = this.opts.rng.rand64();
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
    let next = Infinity;
    if (node.isAddrFetch()) next = Math.min(next, node.connectedMicros + 10 * AVG_ADDRESS_BROADCAST_INTERVAL + 1);
    if (node.pingNonceSent === 0n) next = Math.min(next, node.pingStartMicros + PING_INTERVAL + 1);
    return next;
  }

  /** getpeerinfo's addr counters for a peer. */
  addrStats(id: NodeId): { processed: number; rateLimited: number } {
    const st = this.addrState.get(id);
    return { processed: st?.addrProcessed ?? 0, rateLimited: st?.addrRateLimited ?? 0 };
  }
}
