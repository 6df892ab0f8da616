// The transaction part of PeerManager (net_processing.cpp), light: a per-node mempool of opaque tx
// ids with a fixed lifetime (standing in for confirmation), INV announcements on Core's Poisson
// trickle (2 s mean per outbound peer, 5 s mean shared per network key for inbound peers, NoBan
// peers at once), the known-inventory sets, GETDATA / TX exchange with sizes from messages.ts, and
// the peer's last-tx time (read by inbound eviction). It does not validate transactions, model
// fees, feefilter, BIP35 mempool requests, orphans, package relay, the global inventory rate bucket
// or TxRequestTracker's delays and timeouts (see PORTING.md).

import { getDataMessage, invMessage, MSG_GETDATA, MSG_INV, MSG_TX, txMessage, type InvMessage, type OpaqueMessage, type P2PMessage } from '../protocol/messages.ts';
import { hasPermission, NetPermissionFlags } from '../protocol/net-permissions.ts';
import type { Node, NodeId } from '../net/node.ts';
import type { CloseReason, ConnmanEvent, Micros, Rng } from '../ports.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';


/** Mean delay between trickled tx announcements to inbound peers (shared per network key). */
// Core: net_processing.cpp INBOUND_INVENTORY_BROADCAST_INTERVAL
export const INBOUND_INVENTORY_BROADCAST_INTERVAL: Micros = 5 * MICROS_PER_SECOND;
/** Mean delay between trickled tx announcements to an outbound peer. */
// Core: net_processing.cpp OUTBOUND_INVENTORY_BROADCAST_INTERVAL
export const OUTBOUND_INVENTORY_BROADCAST_INTERVAL: Micros = 2 * MICROS_PER_SECOND;
/** Most entries in one inv / getdata message. */
// Core: protocol.h MAX_INV_SZ
export const MAX_INV_SZ = 50000;
/** Serialized size of a simulated transaction (a typical 1-in 2-out segwit spend). Not Core's. */
export const DEFAULT_TX_PAYLOAD_BYTES = 250;
/** How long a tx stays in a simulated mempool (stands in for being mined). Not Core's. */
export const DEFAULT_MEMPOOL_LIFETIME: Micros = 10 * 60 * MICROS_PER_SECOND;

/** An inv / getdata carrying transaction ids (the simulator's stand-in for CInv MSG_WTX entries). */
export interface TxInvMessage extends InvMessage {
  readonly txids: readonly number[];
}

/** A tx message naming its transaction. */
export interface TxDataMessage extends OpaqueMessage {
  readonly txid: number;
}

export function txInvMessage(txids: readonly number[]): TxInvMessage {
  return { ...invMessage(txids.length), txids };
}

export function txGetDataMessage(txids: readonly number[]): TxInvMessage {
  return { ...getDataMessage(txids.length), txids };
}

export function txDataMessage(txid: number, payloadBytes = DEFAULT_TX_PAYLOAD_BYTES): TxDataMessage {
  return { ...txMessage(payloadBytes), txid };
}

/** What the tx logic asks of the Connman / PeerManager. */
export interface TxRelayHost {
  nowMicros(): Micros;
  pushMessage(node: Node, msg: P2PMessage): void;
  disconnect(node: Node, reason: CloseReason): void;
  /** A node's next SendMessages time may have moved earlier. */
  refreshNodeTimer(node: Node): void;
  emit(ev: ConnmanEvent): void;
}

/** What the tx part asks of the PeerManager it belongs to (bound by PeerManager's constructor). */
export interface TxPeerPolicy {
  // Core: net_processing.cpp PeerManagerImpl::RejectIncomingTxs
  rejectIncomingTxs(node: Node): boolean;
  // Core: net_processing.cpp PeerManagerImpl::Misbehaving (then MaybeDiscourageAndDisconnect)
  misbehaving(node: Node, reason: string): void;
}

export interface TxRelayOptions {
  /** The node's stream (Core's PeerManagerImpl::m_rng). */
  rng: Rng;
  mempoolLifetimeMicros?: Micros;
  txPayloadBytes?: number;
}

/** Core's Peer::TxRelay subset plus the node it belongs to. */
interface PeerTxState {
  readonly node: Node;
  /** Core's m_tx_inventory_to_send (insertion-ordered, no duplicates). */
  toSend: number[];
  toSendSet: Set<number>;
  /** Core's m_tx_inventory_known_filter, exact and pruned of txs no longer in the mempool. */
  known: Set<number>;
  /** Core's m_next_inv_send_time; 0 until the first SendMessages after the handshake, then lazily drawn. */
  nextInvSendMicros: Micros;
  /** Txs we asked this peer for and still await. */
  requested: number[];
}

// Core: net_processing.cpp PeerManagerImpl (the transaction relay subset described above)
export class PeerTxRelay {
  private readonly peers = new Map<NodeId, PeerTxState>();
  /** txid -> arrival time, in arrival order (expiry pops from the front). */
  private readonly mempool = new Map<number, Micros>();
  /**
   * Txs that left the mempool (txid -> when), kept one more lifetime so a late announcement does not
   * bring them back: the stand-in for Core's m_recent_confirmed_transactions.
   */
  private readonly recentlyGone = new Map<number, Micros>();
  /** txid -> the peer it was requested from. */
  private readonly inFlight = new Map<number, NodeId>();
  /** Core's m_next_inv_to_inbounds_per_network_key. */
  private readonly nextInvToInboundsPerNetworkKey = new Map<bigint, Micros>();
  private readonly lifetime: Micros;
  private readonly payloadBytes: number;

  constructor(
    private readonly host: TxRelayHost,
    private readonly opts: TxRelayOptions,
  ) {
    this.lifetime = opts.mempoolLifetimeMicros ?? DEFAULT_MEMPOOL_LIFETIME;
    this.payloadBytes = opts.txPayloadBytes ?? DEFAULT_TX_PAYLOAD_BYTES;
  }

  private peerPolicy: TxPeerPolicy | null = null;

  /** Called once, by the PeerManager this part belongs to. */
  bindPeerManager(policy: TxPeerPolicy): void {
    if (this.peerPolicy !== null) throw new Error('PeerTxRelay: already bound to a PeerManager');
    this.peerPolicy = policy;
  }

  private policy(): TxPeerPolicy {
    if (this.peerPolicy === null) throw new Error('PeerTxRelay: not bound to a PeerManager');
    return this.peerPolicy;
  }

  // Core: net_processing.cpp PeerManagerImpl::InitializeNode (the TxRelay part)
  initializeNode(node: Node): void {
    this.peers.set(node.id, { node, toSend: [], toSendSet: new Set(), known: new Set(), nextInvSendMicros: 0, requested: [] });
  }

  // Core: net_processing.cpp PeerManagerImpl::FinalizeNode (the tx download part)
  finalizeNode(node: Node): void {
    const st = this.peers.get(node.id);
    if (st === undefined) return;
    for (const txid of st.requested) if (this.inFlight.get(txid) === node.id) this.inFlight.delete(txid);
    this.peers.delete(node.id);
  }

  /** Whether the peer takes part in tx relay: Core's GetTxRelay() != nullptr with m_relay_txs. */
  private relaysTo(node: Node): boolean {
    return node.relaysTxs && !node.isBlockOnly() && !node.isFeeler();
  }

  /** Transactions in the mempool. */
  mempoolSize(): number {
    return this.mempool.size;
  }

  hasTx(txid: number): boolean {
    return this.mempool.has(txid);
  }

  // Core: net_processing.cpp PeerManagerImpl::AlreadyHaveTx (mempool and recently confirmed)
  private alreadyHave(txid: number): boolean {
    return this.mempool.has(txid) || this.recentlyGone.has(txid);
  }

  /** Announcements queued for a peer (tests). */
  queuedFor(id: NodeId): number {
    return this.peers.get(id)?.toSend.length ?? 0;
  }

  /** A transaction appears at this node (wallet / RPC sendrawtransaction). False if already known. */
  // Core: node/transaction.cpp BroadcastTransaction (mempool accept, then RelayTransaction)
  submitTx(txid: number): boolean {
    this.expire(this.host.nowMicros());
    if (this.alreadyHave(txid)) return false;
    this.acceptToMempool(txid, null);
    return true;
  }

  /**
   * The shared announcement time of the inbound peers on one network key (alias
   * poissonNextSendInbound, its older name): re-drawn when it lapsed, so the inbound peers of one
   * network learn a tx at the same instant and cannot be used to triangulate its origin.
   */
  // Core: net_processing.cpp PeerManagerImpl::NextInvToInbounds
  nextInvToInbounds(now: Micros, averageInterval: Micros, networkKey: bigint): Micros {
    let timer = this.nextInvToInboundsPerNetworkKey.get(networkKey) ?? 0;
    if (timer < now) {
      timer = now + this.opts.rng.randExpDurationMicros(averageInterval);
      this.nextInvToInboundsPerNetworkKey.set(networkKey, timer);
    }
    return timer;
  }

  /** Handles inv / getdata carrying tx ids and tx. Returns false for anything else (blocks etc.). */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (INV, GETDATA, TX branches, tx part)
  processMessage(node: Node, msg: P2PMessage): boolean {
    if (msg.type === MSG_TX) {
      const txid = (msg as Partial<TxDataMessage>).txid;
      if (txid === undefined) return false;
      this.processTx(node, txid);
      return true;
    }
    if (msg.type !== MSG_INV && msg.type !== MSG_GETDATA) return false;
    const txids = (msg as Partial<TxInvMessage>).txids;
    if (txids === undefined) return false;
    if (txids.length > MAX_INV_SZ) {
      this.policy().misbehaving(node, `${msg.type} message size = ${txids.length}`);
      return true;
    }
    if (msg.type === MSG_INV) this.processInv(node, txids);
    else this.processGetData(node, txids);
    return true;
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (INV branch, tx entries)
  private processInv(node: Node, txids: readonly number[]): void {
    if (this.policy().rejectIncomingTxs(node)) {
      // A peer told fRelay = false must not announce txs: Core disconnects it outright.
      if (txids.length > 0) this.host.disconnect(node, 'protocol-violation');
      return;
    }
    const st = this.peers.get(node.id);
    if (st === undefined) return;
    const want: number[] = [];
    for (const txid of txids) {
      st.known.add(txid);
      if (this.alreadyHave(txid) || this.inFlight.has(txid)) continue;
      this.inFlight.set(txid, node.id);
      st.requested.push(txid);
      want.push(txid);
    }
    if (want.length > 0) this.host.pushMessage(node, txGetDataMessage(want));
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessGetData (tx entries)
  private processGetData(node: Node, txids: readonly number[]): void {
    for (const txid of txids) {
      if (this.mempool.has(txid)) this.host.pushMessage(node, txDataMessage(txid, this.payloadBytes));
    }
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (TX branch)
  private processTx(node: Node, txid: number): void {
    if (this.policy().rejectIncomingTxs(node)) {
      this.host.disconnect(node, 'protocol-violation');
      return;
    }
    const st = this.peers.get(node.id);
    if (st === undefined) return;
    st.known.add(txid);
    if (this.inFlight.get(txid) === node.id) this.inFlight.delete(txid);
    const i = st.requested.indexOf(txid);
    if (i >= 0) st.requested.splice(i, 1);
    this.expire(this.host.nowMicros());
    if (this.alreadyHave(txid)) return;
    this.acceptToMempool(txid, node);
    node.lastTxTimeSeconds = Math.floor(this.host.nowMicros() / MICROS_PER_SECOND);
  }

  /** Mempool accept (always valid here) and relay to every tx-relaying peer. */
  // Core: net_processing.cpp PeerManagerImpl::ProcessValidTx / RelayTransaction
  private acceptToMempool(txid: number, from: Node | null): void {
    const now = this.host.nowMicros();
    this.mempool.set(txid, now);
    this.host.emit({ kind: 'tx-accepted', nodeId: from?.id ?? -1, addr: from?.addr.toStringAddrPort() ?? '', txid });
    for (const st of this.peers.values()) {
      const n = st.node;
      if (n.disconnect || !this.relaysTo(n)) continue;
      // Queued only once the first trickle timer was drawn (after the handshake), as Core.
      if (st.nextInvSendMicros === 0) continue;
      if (st.known.has(txid) || st.toSendSet.has(txid)) continue;
      const wasEmpty = st.toSend.length === 0;
      st.toSend.push(txid);
      st.toSendSet.add(txid);
      if (wasEmpty) this.armTrickle(st, now);
    }
  }

  /**
   * The lazy trickle timer: Core re-draws a lapsed timer at every SendMessages pass even with
   * nothing queued; here it is re-drawn when something is queued after it lapsed, which gives the
   * same announcement instants in distribution (and, for the shared inbound timer, the same
   * instants for every inbound peer of a network key) without waking idle peers.
   */
  private armTrickle(st: PeerTxState, now: Micros): void {
    const node = st.node;
    if (st.nextInvSendMicros < now) st.nextInvSendMicros = this.drawNext(node, now);
    this.host.refreshNodeTimer(node);
  }

  private drawNext(node: Node, now: Micros): Micros {
    if (node.isInbound()) return this.nextInvToInbounds(now, INBOUND_INVENTORY_BROADCAST_INTERVAL, node.networkKey);
    return now + this.opts.rng.randExpDurationMicros(OUTBOUND_INVENTORY_BROADCAST_INTERVAL);
  }

  /** Drops mempool entries older than the lifetime (remembered a lifetime more as recently gone). */
  private expire(now: Micros): void {
    for (const [txid, at] of this.mempool) {
      if (at + this.lifetime > now) break;
      this.mempool.delete(txid);
      this.recentlyGone.set(txid, at + this.lifetime);
    }
    for (const [txid, at] of this.recentlyGone) {
      if (at + this.lifetime > now) break;
      this.recentlyGone.delete(txid);
    }
  }

  /** The tx inventory part of SendMessages for one handshaked peer. */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (Message: inventory, tx part)
  sendTrickle(node: Node, now: Micros): void {
    const st = this.peers.get(node.id);
    if (st === undefined || !this.relaysTo(node)) return;
    // The first pass after the handshake opens the peer to announcements. Core draws its timer
    // here; the lazy timer draws it when something is first queued (no draw while tx relay is idle).
    if (st.nextInvSendMicros === 0) st.nextInvSendMicros = 1;
    let sendTrickle = hasPermission(node.permissions, NetPermissionFlags.NoBan);
    if (st.nextInvSendMicros < now && st.toSend.length > 0) {
      sendTrickle = true;
      st.nextInvSendMicros = this.drawNext(node, now);
    }
    if (!sendTrickle || st.toSend.length === 0) return;
    this.expire(now);
    const out: number[] = [];
    for (const txid of st.toSend) {
      if (!this.mempool.has(txid) || st.known.has(txid)) continue;
      out.push(txid);
      st.known.add(txid);
      if (out.length === MAX_INV_SZ) this.pushInv(node, out.splice(0));
    }
    st.toSend = [];
    st.toSendSet.clear();
    if (out.length > 0) this.pushInv(node, out);
    this.pruneKnown(st);
  }

  private pushInv(node: Node, txids: number[]): void {
    this.host.pushMessage(node, txInvMessage(txids));
    this.host.emit({ kind: 'tx-inv-sent', nodeId: node.id, addr: node.addr.toStringAddrPort(), count: txids.length });
  }

  /** Keeps a known set from growing without bound: forgets txs that left the mempool. */
  private pruneKnown(st: PeerTxState): void {
    if (st.known.size <= 2 * this.mempool.size + 1000) return;
    const keep = new Set<number>();
    for (const txid of st.known) if (this.mempool.has(txid) || this.inFlight.has(txid)) keep.add(txid);
    st.known = keep;
  }

  /** When SendMessages must next run for this peer's tx announcements (Infinity: nothing queued). */
  nextDue(node: Node): Micros {
    if (!node.successfullyConnected) return Infinity;
    const st = this.peers.get(node.id);
    if (st === undefined || !this.relaysTo(node)) return Infinity;
    if (st.toSend.length === 0) return Infinity;
    if (hasPermission(node.permissions, NetPermissionFlags.NoBan)) return this.host.nowMicros();
    return st.nextInvSendMicros + 1;
  }
}
