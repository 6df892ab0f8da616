// One connection: Core's CNode (net.h) — identity, type, addresses, keys, timestamps, byte
// counters and the flags the Connman and the PeerManager subset read — plus the PeerManager's
// per-peer handshake and ping state (Core keeps that in Peer / CNodeState). It holds data and
// trivial predicates only; the rules that change it live in connman.ts and peerman.ts.

import {
  ConnectionType,
  expectServicesFromConn,
  isBlockOnlyConn,
  isFullOutboundConn,
  isManualOrFullOutboundConn,
  isOutboundOrBlockRelayConn,
} from '../protocol/connection-types.ts';
import type { NetAddr, Network, Service } from '../protocol/netaddress.ts';
import { NET_ONION } from '../protocol/netaddress.ts';
import type { Address, ServiceFlags } from '../protocol/protocol.ts';
import type { ConnHandle, KeepAliveLink, Micros, TimerHandle } from '../ports.ts';

/** Core's NodeId: a per-node counter assigned when the CNode is created. */
export type NodeId = number;

/** Core's "never pinged" m_min_ping_time (std::chrono::microseconds::max()); larger than any ping. */
export const MIN_PING_TIME_UNSET = Number.POSITIVE_INFINITY;

/** Which slot a connection holds (Core's CSemaphoreGrant moved into CNode::grantOutbound). */
export type GrantKind = 'none' | 'outbound' | 'addnode';

// Core: net.h CNode
export class Node {
  readonly id: NodeId;
  /** The peer's address; for outbound, the record it was opened from (services, nTime). Immutable. */
  readonly addr: Address;
  /** Our side of the socket (getsockname). */
  readonly addrBind: Service;
  /** m_addr_name: the destination string for by-name connections, else "ip:port". */
  readonly addrName: string;
  readonly connType: ConnectionType;
  /** Accepted on an onion bind (the peer's real address is hidden behind the Tor proxy). */
  readonly inboundOnion: boolean;
  readonly keyedNetGroup: bigint;
  /** m_network_key: keys the addr cache and the inbound inv timer. */
  readonly networkKey: bigint;
  /** Our VERSION nonce to this peer (self-connection detection). */
  readonly localNonce: bigint;
  readonly permissions: number;
  /** prefer_evict: the peer's address was discouraged when it connected. */
  readonly preferEvict: boolean;
  /** m_connected: when this object was created. */
  readonly connectedMicros: Micros;
  readonly conn: ConnHandle;
  /** The semaphore slot this connection holds, released when it is reaped. */
  grant: GrantKind;
  /**
   * groupKey(GetGroup(addr)) under the owning Connman's netgroup manager, filled on first use by
   * the outbound census (both inputs are fixed for the connection's life). Not Core state.
   */
  netgroupKey: string | undefined = undefined;

  // Core: CNode::fDisconnect / fSuccessfullyConnected
  disconnect = false;
  successfullyConnected = false;
  /** The reason recorded when disconnect was first set. */
  disconnectReason: string | null = null;

  lastSendMicros: Micros = 0;
  lastRecvMicros: Micros = 0;
  /** m_last_block_time / m_last_tx_time: whole seconds, 0 = never. */
  lastBlockTimeSeconds = 0;
  lastTxTimeSeconds = 0;
  lastPingTimeMicros = 0;
  minPingTimeMicros: number = MIN_PING_TIME_UNSET;

  sendBytes = 0;
  recvBytes = 0;
  readonly sendBytesPerMsgType = new Map<string, number>();
  readonly recvBytesPerMsgType = new Map<string, number>();

  /** nVersion: the peer's protocol version, 0 until its VERSION. */
  version = 0;
  commonVersion = 0;
  /** m_has_all_wanted_services (fRelevantServices for eviction). */
  hasAllWantedServices = false;
  /** m_relays_txs: the peer asked for transaction relay (fRelay), or loaded a filter. */
  relaysTxs = false;
  bloomFilterLoaded = false;
  /** Peer::TxRelay exists (set up at VERSION unless block-relay-only or feeler, when fRelay or we offer NODE_BLOOM). */
  hasTxRelay = false;
  /** The peer's VERSION services (Peer::m_their_services). */
  theirServices: ServiceFlags = 0;
  /** Our address as the peer sees it (addrMe of its VERSION); null until then. */
  addrLocal: Service | null = null;
  cleanSubVer = '';
  startingHeight = -1;
  /** Peer::m_time_offset: the peer's VERSION nTime minus our clock, whole seconds (0 until its VERSION). */
  timeOffsetSeconds = 0;

  // PeerManager state Core keeps in Peer / CNodeState (net_processing.cpp), kept on the connection here.
  /** m_ping_nonce_sent: 0n = none outstanding. */
  pingNonceSent = 0n;
  /** m_ping_start: when the last ping was queued (0 = never). */
  pingStartMicros: Micros = 0;
  /** m_ping_queued: an RPC ping was requested. */
  pingQueued = false;
  /** The keep-alive shortcut's link for this connection (ports.ts KeepAlive), if one adopted it; not Core state. */
  keepAlive: KeepAliveLink | null = null;
  /** m_wants_addrv2 (SENDADDRV2 before VERACK). */
  wantsAddrV2 = false;
  /** m_wtxid_relay. */
  wtxidRelay = false;
  /** m_getaddr_sent. */
  getAddrSent = false;
  /** m_addr_relay_enabled (SetupAddressRelay). */
  addrRelayEnabled = false;
  /** Our VERSION has gone out (outbound: at connect; inbound: on its VERSION). */
  versionSent = false;

  /** The single armed deadline timer of this connection (0 = none) and its due time. */
  timer: TimerHandle = 0;
  timerAtMicros: Micros = 0;

  constructor(init: {
    id: NodeId;
    conn: ConnHandle;
    addr: Address;
    addrBind: Service;
    addrName: string;
    connType: ConnectionType;
    inboundOnion: boolean;
    keyedNetGroup: bigint;
    networkKey: bigint;
    localNonce: bigint;
    permissions: number;
    preferEvict: boolean;
    connectedMicros: Micros;
    grant: GrantKind;
  }) {
    this.id = init.id;
    this.conn = init.conn;
    this.addr = init.addr;
    this.addrBind = init.addrBind;
    this.addrName = init.addrName;
    this.connType = init.connType;
    this.inboundOnion = init.inboundOnion;
    this.keyedNetGroup = init.keyedNetGroup;
    this.networkKey = init.networkKey;
    this.localNonce = init.localNonce;
    this.permissions = init.permissions;
    this.preferEvict = init.preferEvict;
    this.connectedMicros = init.connectedMicros;
    this.grant = init.grant;
  }

  // Core: net.h CNode::IsInboundConn and friends
  isInbound(): boolean {
    return this.connType === ConnectionType.INBOUND;
  }
  isFullOutbound(): boolean {
    return isFullOutboundConn(this.connType);
  }
  isBlockOnly(): boolean {
    return isBlockOnlyConn(this.connType);
  }
  isFeeler(): boolean {
    return this.connType === ConnectionType.FEELER;
  }
  isAddrFetch(): boolean {
    return this.connType === ConnectionType.ADDR_FETCH;
  }
  isManual(): boolean {
    return this.connType === ConnectionType.MANUAL;
  }
  isOutboundOrBlockRelay(): boolean {
    return isOutboundOrBlockRelayConn(this.connType);
  }
  isManualOrFullOutbound(): boolean {
    return isManualOrFullOutboundConn(this.connType);
  }
  expectServices(): boolean {
    return expectServicesFromConn(this.connType);
  }

  /** The network we reach this peer through: onion for inbound onion, else the address's class. */
  // Core: net.cpp CNode::ConnectedThroughNetwork
  connectedThroughNetwork(): Network {
    return this.inboundOnion ? NET_ONION : this.addr.getNetClass();
  }

  /** The peer's IP as a plain address. */
  ip(): NetAddr {
    return this.addr;
  }

  /** Sets fDisconnect, keeping the first reason. */
  markDisconnect(reason: string): void {
    if (!this.disconnect) {
      this.disconnect = true;
      this.disconnectReason = reason;
    }
  }

  // Core: net.cpp CNode::PongReceived
  pongReceived(rttMicros: Micros): void {
    this.lastPingTimeMicros = rttMicros;
    this.minPingTimeMicros = Math.min(this.minPingTimeMicros, rttMicros);
  }
}
