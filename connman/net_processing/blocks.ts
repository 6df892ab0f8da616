// The block part of the PeerManager that drives connections (net_processing.cpp): a minimal
// per-node chain model (a single linear chain whose blocks are named by height; work = height),
// headers announcements with getheaders / getdata / block exchange at their wire sizes, the
// per-peer last-block times, the chain-sync timeout with its getheaders probe (ConsiderEviction),
// outbound protection, the 45 s stale-tip check (CheckForStaleTipAndEvictPeers, TipMayBeStale) and
// the eviction of extra outbound peers (EvictExtraOutboundPeers). It holds no validation, no forks,
// no compact blocks, no inv-based announcements and no transaction logic.

import {
  blockMessage,
  getDataMessage,
  getHeadersMessage,
  headersMessage,
  locatorHeights,
  MSG_BLOCK,
  MSG_GETDATA,
  MSG_GETHEADERS,
  MSG_HEADERS,
  type GetHeadersMessage,
  type P2PMessage,
} from '../protocol/messages.ts';
import type { Network } from '../protocol/netaddress.ts';
import type { Node, NodeId } from '../net/node.ts';
import type { PeerBlockPart } from './peerman.ts';
import type { ChainView } from '../net/options.ts';
import { hasPermission, NetPermissionFlags } from '../protocol/net-permissions.ts';
import type { CloseReason, ConnmanEvent, Micros, Scheduler, TimerHandle } from '../ports.ts';
import { NODE_NETWORK, NODE_NETWORK_LIMITED } from '../protocol/protocol.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';
import { disconnectMsg, type Logger } from '../util/logging.ts';
import { sha256d } from '../util/hash.ts';

/**
 * The model's name for the block at `height` as Core prints a block hash (uint256::ToString: the
 * double-SHA-256 of the height's 4 little-endian bytes, byte-reversed hex). The chain has no
 * headers, so a block's hash is a stand-in derived from its height alone.
 */
export function blockHashHex(height: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, height, true);
  const h = sha256d(b);
  let s = '';
  for (let i = h.length - 1; i >= 0; i--) s += h[i]!.toString(16).padStart(2, '0');
  return s;
}


// Core: net_processing.cpp HEADERS_RESPONSE_TIME
export const HEADERS_RESPONSE_TIME = 2 * 60;
// Core: net_processing.cpp MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT
export const MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT = 4;
// Core: net_processing.cpp CHAIN_SYNC_TIMEOUT
export const CHAIN_SYNC_TIMEOUT = 20 * 60;
// Core: net_processing.cpp STALE_CHECK_INTERVAL
export const STALE_CHECK_INTERVAL = 10 * 60;
// Core: net_processing.cpp EXTRA_PEER_CHECK_INTERVAL
export const EXTRA_PEER_CHECK_INTERVAL = 45;
// Core: net_processing.cpp MAX_HEADERS_RESULTS
export const MAX_HEADERS_RESULTS = 2000;
// Core: net_processing.cpp MINIMUM_CONNECT_TIME
export const MINIMUM_CONNECT_TIME = 30;
/** Mainnet's consensus nPowTargetSpacing, seconds. */
// Core: kernel/chainparams.cpp consensus.nPowTargetSpacing
export const POW_TARGET_SPACING = 10 * 60;
// Core: net_processing.cpp BLOCK_DOWNLOAD_TIMEOUT_BASE
export const BLOCK_DOWNLOAD_TIMEOUT_BASE = 1;
// Core: net_processing.cpp BLOCK_DOWNLOAD_TIMEOUT_PER_PEER
export const BLOCK_DOWNLOAD_TIMEOUT_PER_PEER = 0.5;
/** A typical full block on the wire (payload bytes); a parameter of the model, not a Core constant. */
export const DEFAULT_BLOCK_PAYLOAD_BYTES = 1_500_000;
/** Core: net_processing.cpp HISTORICAL_BLOCK_AGE (seconds): older blocks count against the upload target's historical limit. */
export const HISTORICAL_BLOCK_AGE = 7 * 24 * 60 * 60;

/** A block of the model's single chain: its height is its identity (and its work). */
export interface BlockRef {
  readonly height: number;
  /** The header's timestamp, Unix seconds. */
  readonly timeSeconds: number;
}

/** A headers message that names the announced tip (its wire size is that of `count` headers). */
export type BlockHeadersMessage = ReturnType<typeof headersMessage> & { readonly tip: BlockRef | null };
/** getdata for one block. */
export type BlockGetDataMessage = ReturnType<typeof getDataMessage> & { readonly height: number };
/** A block with its opaque payload size. */
export type BlockDataMessage = ReturnType<typeof blockMessage> & { readonly block: BlockRef };

/** What the block logic asks of the Connman. */
export interface BlockRelayHost {
  /** The node's debug.log. */
  readonly log: Logger;
  nowMicros(): Micros;
  scheduler: Scheduler;
  pushMessage(node: Node, msg: P2PMessage): void;
  disconnect(node: Node, reason: CloseReason): void;
  emit(ev: ConnmanEvent): void;
  /** Fully connected, not-disconnecting nodes in id order (Core's ForEachNode). */
  forEachNode(fn: (node: Node) => void): void;
  getNode(id: NodeId): Node | undefined;
  getExtraBlockRelayCount(): number;
  getExtraFullOutboundCount(): number;
  multipleManualOrFullOutboundConns(net: Network): boolean;
  setTryNewOutboundPeer(flag: boolean): void;
  getTryNewOutboundPeer(): boolean;
  startExtraBlockRelayPeers(): void;
  getNetworkActive(): boolean;
  getUseAddrmanOutgoing(): boolean;
  // Core: net.cpp CConnman::OutboundTargetReached
  outboundTargetReached(historicalBlockServingLimit: boolean): boolean;
}

export interface BlockRelayOptions {
  /** The tip the node starts with. Default: height 0 at time 0 (unknown). */
  genesis?: BlockRef;
  /** Payload bytes of a block message. Default DEFAULT_BLOCK_PAYLOAD_BYTES. */
  blockPayloadBytes?: number;
  /** Stale-tip extra full-relay peer and its eviction (ConnmanOptions.staleTipExtraPeers). Default true. */
  staleTipExtraPeers?: boolean;
  /** Chain-sync eviction of lagging outbound peers (ConnmanOptions.chainSyncEviction). Default true. */
  chainSyncEviction?: boolean;
  /** Periodic extra block-relay-only peers (ConnmanOptions.extraBlockRelayPeers). Default true. */
  extraBlockRelayPeers?: boolean;
}

/** Core's CNodeState::ChainSyncTimeoutState. */
interface ChainSyncState {
  /** m_timeout in seconds, 0 = none. */
  timeoutSeconds: number;
  /** m_work_header: the height our tip had when the timeout was set, -1 = none. */
  workHeaderHeight: number;
  sentGetHeaders: boolean;
  protect: boolean;
}

/** The per-peer block state (Core's CNodeState subset). */
interface PeerBlockState {
  readonly node: Node;
  /** pindexBestKnownBlock height, -1 = none. */
  bestKnownHeight: number;
  /** fSyncStarted. */
  syncStarted: boolean;
  chainSync: ChainSyncState;
  /** m_last_block_announcement, seconds. */
  lastBlockAnnouncement: number;
  /** Blocks requested from this peer (vBlocksInFlight), by height. */
  readonly inFlight: Set<number>;
  /** The timer that re-runs ConsiderEviction at the chain-sync deadline. */
  timer: TimerHandle;
  /** fPreferredDownload. */
  preferredDownload: boolean;
  /** m_downloading_since, µs. */
  downloadingSinceMicros: Micros;
  /** The timer of the block download timeout (0 = none). */
  downloadTimer: TimerHandle;
  /** m_last_getheaders_timestamp, µs (0: none outstanding). */
  lastGetHeadersMicros: Micros;
}

// Core: net_processing.cpp PeerManagerImpl (blocks, stale tip and outbound eviction subset)
export class BlockRelay implements PeerBlockPart {
  private tip: BlockRef;
  /** m_best_header: the highest header we know (>= the tip), and its timestamp (seconds). */
  private bestHeaderHeight: number;
  private bestHeaderTimeSeconds: number;
  /** m_num_preferred_download_peers. */
  private numPreferredDownloadPeers = 0;
  /** m_peers_downloading_from. */
  private peersDownloadingFrom = 0;
  /** m_last_tip_update, seconds (0 = not yet). */
  private lastTipUpdate = 0;
  /** m_stale_tip_check_time, seconds. */
  private staleTipCheckTime = 0;
  private initialSyncFinished = false;
  private outboundPeersWithProtect = 0;
  /** nSyncStarted. */
  private syncStartedCount = 0;
  /** mapBlocksInFlight: height -> peer. */
  private readonly blocksInFlight = new Map<number, NodeId>();
  private readonly peers = new Map<NodeId, PeerBlockState>();
  private checkTimer: TimerHandle = 0;
  /** The serialized size of every block of the model's chain (a block message's payload). */
  readonly blockPayloadBytes: number;
  /** nTime of each block connected since the start, by height; startTimeSeconds for those below. */
  private readonly blockTimes = new Map<number, number>();
  private readonly startTimeSeconds: number;
  private readonly staleTipExtraPeers: boolean;
  private readonly chainSyncEviction: boolean;
  private readonly extraBlockRelayPeers: boolean;

  constructor(
    private readonly host: BlockRelayHost,
    opts: BlockRelayOptions = {},
  ) {
    this.tip = opts.genesis ?? { height: 0, timeSeconds: 0 };
    this.startTimeSeconds = this.tip.timeSeconds;
    this.bestHeaderHeight = this.tip.height;
    this.bestHeaderTimeSeconds = this.tip.timeSeconds;
    this.blockPayloadBytes = opts.blockPayloadBytes ?? DEFAULT_BLOCK_PAYLOAD_BYTES;
    this.staleTipExtraPeers = opts.staleTipExtraPeers ?? true;
    this.chainSyncEviction = opts.chainSyncEviction ?? true;
    this.extraBlockRelayPeers = opts.extraBlockRelayPeers ?? true;
  }

  private nowSeconds(): number {
    return Math.floor(this.host.nowMicros() / MICROS_PER_SECOND);
  }

  bestHeight(): number {
    return this.tip.height;
  }
  bestBlockTimeSeconds(): number {
    return this.tip.timeSeconds;
  }
  getTip(): BlockRef {
    return this.tip;
  }
  /** m_num_preferred_download_peers (tests). */
  preferredDownloadPeers(): number {
    return this.numPreferredDownloadPeers;
  }
  getLastTipUpdateSeconds(): number {
    return this.lastTipUpdate;
  }
  /** Chain-sync state of a peer (tests and reports). */
  peerState(id: NodeId): Readonly<{ bestKnownHeight: number; syncStarted: boolean; lastBlockAnnouncement: number; chainSync: Readonly<ChainSyncState> }> | undefined {
    return this.peers.get(id);
  }

  /**
   * getpeerinfo's block fields of a peer (Core: CNodeStateStats nSyncHeight, nCommonHeight,
   * vHeightInFlight): its best known block, the last block we have in common (on the model's single
   * chain: the lower of that and our tip), the heights in flight; -1 where unknown.
   */
  // Core: net_processing.cpp PeerManagerImpl::GetNodeStateStats (the block part)
  peerStats(id: NodeId): { syncedHeaders: number; syncedBlocks: number; inflight: number[] } {
    const st = this.peers.get(id);
    if (st === undefined || st.bestKnownHeight < 0) return { syncedHeaders: -1, syncedBlocks: -1, inflight: st === undefined ? [] : [...st.inFlight].sort((a, b) => a - b) };
    return { syncedHeaders: st.bestKnownHeight, syncedBlocks: Math.min(st.bestKnownHeight, this.tip.height), inflight: [...st.inFlight].sort((a, b) => a - b) };
  }

  /** Starts the 45 s CheckForStaleTipAndEvictPeers timer (Core: scheduleEvery at node start). */
  // Core: net_processing.cpp PeerManagerImpl::StartScheduledTasks
  start(): void {
    if (this.checkTimer !== 0) return;
    // Releases before both mechanisms had no such scheduled task.
    if (!this.staleTipExtraPeers && !this.extraBlockRelayPeers) return;
    this.armCheck();
  }

  stop(): void {
    if (this.checkTimer !== 0) this.host.scheduler.cancel(this.checkTimer);
    this.checkTimer = 0;
    for (const st of this.peers.values()) {
      this.cancelPeerTimer(st);
      if (st.downloadTimer !== 0) this.host.scheduler.cancel(st.downloadTimer);
      st.downloadTimer = 0;
    }
  }

  private armCheck(): void {
    this.checkTimer = this.host.scheduler.schedule(this.host.nowMicros() + EXTRA_PEER_CHECK_INTERVAL * MICROS_PER_SECOND, () => {
      this.checkTimer = 0;
      this.checkForStaleTipAndEvictPeers();
      this.armCheck();
    });
  }

  /**
   * VERSION processed (VERACK sent): whether the peer is a preferred download source — an
   * outbound (or noban) peer that serves blocks and is not addr-fetch.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (VERSION: fPreferredDownload, m_num_preferred_download_peers)
  onVersion(node: Node): void {
    const st = this.initializePeer(node);
    if (st.preferredDownload) return;
    const canServe = (node.theirServices & (NODE_NETWORK | NODE_NETWORK_LIMITED)) !== 0;
    st.preferredDownload = (!node.isInbound() || hasPermission(node.permissions, NetPermissionFlags.NoBan)) && !node.isAddrFetch() && canServe;
    if (st.preferredDownload) this.numPreferredDownloadPeers++;
  }

  /** A peer finished the handshake: its block state (the initial getheaders waits for SendMessages). */
  onHandshakeComplete(node: Node): void {
    this.initializePeer(node);
  }

  /**
   * SendMessages' block-sync start for one peer, after its ping and address messages, as in Core:
   * the initial getheaders, from one peer only until our best header is within a day of now.
   */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (Start block sync)
  startBlockSync(node: Node): void {
    const st = this.peers.get(node.id);
    if (st !== undefined) this.maybeStartSync(st);
  }

  /**
   * The "start block sync" step of SendMessages for one peer: headers are requested from a single
   * peer (a preferred one, or any that serves blocks when no preferred peer exists or nothing is
   * in flight) until our best header is within a day of now, then from every peer. Core re-checks
   * it on every SendMessages pass; the port runs it on each of the peer's SendMessages passes and
   * re-checks every connected peer at the moments the answer can change (recheckSyncStart), so a
   * peer that missed the decision at its handshake is picked up as Core would pick it up on its
   * next pass.
   */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (start block sync)
  private maybeStartSync(st: PeerBlockState): void {
    const node = st.node;
    if (st.syncStarted || node.disconnect || !node.successfullyConnected) return;
    const canServe = (node.theirServices & (NODE_NETWORK | NODE_NETWORK_LIMITED)) !== 0;
    if (!canServe) return;
    let syncFromPeer = st.preferredDownload;
    if (!syncFromPeer && !node.isAddrFetch()) syncFromPeer = this.numPreferredDownloadPeers === 0 || this.blocksInFlight.size === 0;
    if ((this.syncStartedCount === 0 && syncFromPeer) || this.bestHeaderTimeSeconds > this.nowSeconds() - 24 * 3600) {
      // Start one block before our best header, so that an up-to-date peer answers with at least one.
      const start = this.bestHeaderHeight > 0 ? this.bestHeaderHeight - 1 : this.bestHeaderHeight;
      if (this.maybeSendGetHeaders(st, start)) {
        if (this.host.log.net) this.host.log.debug(`initial getheaders (${start}) to peer=${node.id}`);
        st.syncStarted = true;
        this.syncStartedCount++;
      }
    }
  }

  /** Runs the start-block-sync step for every peer (in id order, as SendMessages visits them). */
  private recheckSyncStart(): void {
    for (const st of this.peers.values()) {
      if (st.syncStarted) continue;
      this.maybeStartSync(st);
      if (st.syncStarted) this.considerEviction(st, this.nowSeconds());
    }
  }

  /** Our best header moved: m_best_header, and a sync that a recent header now allows. */
  private setBestHeader(b: BlockRef): void {
    const wasRecent = this.bestHeaderTimeSeconds > this.nowSeconds() - 24 * 3600;
    this.bestHeaderHeight = b.height;
    this.bestHeaderTimeSeconds = b.timeSeconds;
    if (!wasRecent && this.bestHeaderTimeSeconds > this.nowSeconds() - 24 * 3600) this.recheckSyncStart();
  }

  /** SendMessages' ConsiderEviction for this peer (after the tx announcements, as in Core). */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (ConsiderEviction call)
  considerEvictionOf(node: Node): void {
    const st = this.peers.get(node.id);
    if (st !== undefined) this.considerEviction(st, this.nowSeconds());
  }

  /** The per-peer block state (Core's CNodeState), without any message. */
  // Core: net_processing.cpp PeerManagerImpl::InitializeNode (CNodeState part)
  initializePeer(node: Node): PeerBlockState {
    const existing = this.peers.get(node.id);
    if (existing !== undefined) return existing;
    const st: PeerBlockState = {
      node,
      bestKnownHeight: -1,
      syncStarted: false,
      chainSync: { timeoutSeconds: 0, workHeaderHeight: -1, sentGetHeaders: false, protect: false },
      lastBlockAnnouncement: 0,
      inFlight: new Set(),
      timer: 0,
      preferredDownload: false,
      downloadingSinceMicros: 0,
      downloadTimer: 0,
      lastGetHeadersMicros: 0,
    };
    this.peers.set(node.id, st);
    return st;
  }

  // Core: net_processing.cpp PeerManagerImpl::FinalizeNode (block state)
  finalizeNode(node: Node): void {
    const st = this.peers.get(node.id);
    if (st === undefined) return;
    this.cancelPeerTimer(st);
    if (st.downloadTimer !== 0) this.host.scheduler.cancel(st.downloadTimer);
    if (st.inFlight.size > 0) this.peersDownloadingFrom--;
    if (st.preferredDownload) this.numPreferredDownloadPeers--;
    if (st.syncStarted) this.syncStartedCount--;
    if (st.chainSync.protect) this.outboundPeersWithProtect--;
    this.peers.delete(node.id);
    // Blocks this peer owed us: ask another peer that has them (Core re-requests on the next
    // SendMessages of a peer announcing them).
    const owed = [...st.inFlight].sort((a, b) => a - b);
    st.inFlight.clear();
    for (const h of owed) this.blocksInFlight.delete(h);
    if (owed.length > 0) this.rearmDownloadTimers();
    for (const h of owed) if (h > this.tip.height && !this.blocksInFlight.has(h)) this.requestFromAnyone(h);
    // Fewer syncing or preferred peers, or nothing in flight: another peer may now start syncing.
    if (this.syncStartedCount === 0) this.recheckSyncStart();
  }

  /** Handles getheaders / headers / getdata / block; false for anything else. */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (GETHEADERS, HEADERS, GETDATA, BLOCK subset)
  processMessage(node: Node, msg: P2PMessage): boolean {
    const st = this.peers.get(node.id);
    if (msg.type === MSG_GETHEADERS) {
      this.processGetHeaders(node, (msg as GetHeadersMessage).locator ?? []);
      return true;
    }
    if (msg.type === MSG_HEADERS) {
      if (st !== undefined) this.processHeaders(st, (msg as BlockHeadersMessage).tip ?? null);
      return true;
    }
    if (msg.type === MSG_GETDATA) {
      const h = (msg as BlockGetDataMessage).height;
      if (typeof h === 'number' && h <= this.tip.height) this.processGetBlockData(node, h);
      return typeof h === 'number';
    }
    if (msg.type === MSG_BLOCK) {
      const b = (msg as BlockDataMessage).block;
      if (b === undefined) return false;
      this.processBlock(node, st, b);
      return true;
    }
    return false;
  }

  /**
   * A getdata for a block of our chain: past the upload target's historical-block limit, a block
   * more than HISTORICAL_BLOCK_AGE older than our best header costs the peer its connection unless
   * it has the download permission; otherwise the block is sent.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessGetBlockData (historical limit, then the block)
  private processGetBlockData(node: Node, height: number): void {
    const block = this.blockAt(height);
    if (this.host.outboundTargetReached(true) && this.bestHeaderTimeSeconds - block.timeSeconds > HISTORICAL_BLOCK_AGE && !hasPermission(node.permissions, NetPermissionFlags.Download)) {
      if (this.host.log.net) this.host.log.debug(`historical block serving limit reached, ${disconnectMsg(node.id)}`);
      this.host.disconnect(node, 'upload-target-reached');
      return;
    }
    this.host.pushMessage(node, { ...blockMessage(this.blockPayloadBytes), block } as BlockDataMessage);
  }

  /**
   * The block at `height` on our chain. Timestamps are kept for the blocks connected since the
   * start; a block below the starting tip is taken to have the starting tip's time.
   */
  // Core: chain.h CChain::operator[] (CBlockIndex::nTime)
  blockAt(height: number): BlockRef {
    if (height === this.tip.height) return this.tip;
    return { height, timeSeconds: this.blockTimes.get(height) ?? this.startTimeSeconds };
  }

  /**
   * The answer to a getheaders: the headers after the locator's first block on our chain (the
   * chain is linear, so that is the first locator height at or below our tip), up to
   * MAX_HEADERS_RESULTS, possibly none. A locator given only by its size is answered with our tip.
   */
  // Core: net_processing.cpp PeerManagerImpl::ProcessMessage (GETHEADERS branch, FindForkInGlobalIndex)
  private processGetHeaders(node: Node, locator: readonly number[]): void {
    if (locator.length === 0) {
      this.host.pushMessage(node, { ...headersMessage(1), tip: this.tip } as BlockHeadersMessage);
      return;
    }
    const fork = locator.find((h) => h <= this.tip.height) ?? 0;
    const count = Math.min(MAX_HEADERS_RESULTS, this.tip.height - fork);
    const last: BlockRef | null = count <= 0 ? null : fork + count === this.tip.height ? this.tip : { height: fork + count, timeSeconds: this.tip.timeSeconds };
    this.host.pushMessage(node, { ...headersMessage(Math.max(count, 0)), tip: last } as BlockHeadersMessage);
  }

  /**
   * Sends a getheaders unless one went to this peer less than HEADERS_RESPONSE_TIME ago and was not
   * answered yet. The locator starts at `fromHeight` (none for a block without a parent).
   */
  // Core: net_processing.cpp PeerManagerImpl::MaybeSendGetHeaders
  private maybeSendGetHeaders(st: PeerBlockState, fromHeight: number): boolean {
    const now = this.host.nowMicros();
    if (now - st.lastGetHeadersMicros > HEADERS_RESPONSE_TIME * MICROS_PER_SECOND) {
      this.host.pushMessage(st.node, getHeadersMessage(locatorHeights(fromHeight)));
      st.lastGetHeadersMicros = now;
      return true;
    }
    return false;
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessHeadersMessage / UpdatePeerStateForReceivedHeaders (subset)
  private processHeaders(st: PeerBlockState, tip: BlockRef | null): void {
    const now = this.nowSeconds();
    // Any headers message answers our last getheaders (every header of the model's chain connects).
    st.lastGetHeadersMicros = 0;
    if (tip !== null) {
      // received_new_header: a header we did not have at all (from any peer).
      const receivedNew = tip.height > this.bestHeaderHeight;
      if (receivedNew) this.setBestHeader(tip);
      // UpdateBlockAvailability
      if (tip.height > st.bestKnownHeight) st.bestKnownHeight = tip.height;
      if (receivedNew && tip.height > this.tip.height) st.lastBlockAnnouncement = now;
      // Direct fetch of a block we lack (the headers chain is one block past our tip in this model).
      if (tip.height > this.tip.height && !this.blocksInFlight.has(tip.height)) this.requestBlock(st, tip.height);
    }
    // Outbound full-relay peers on our chain are protected from the lagging-chain logic;
    // block-relay-only peers never are.
    const node = st.node;
    if (!node.disconnect && node.isFullOutbound() && st.bestKnownHeight >= 0) {
      if (this.outboundPeersWithProtect < MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT && st.bestKnownHeight >= this.tip.height && !st.chainSync.protect) {
        if (this.host.log.net) this.host.log.debug(`Protecting outbound peer=${node.id} from eviction`);
        st.chainSync.protect = true;
        this.outboundPeersWithProtect++;
      }
    }
    this.considerEviction(st, now);
  }

  // Core: net_processing.cpp PeerManagerImpl::BlockRequested (+ the getdata of SendMessages)
  private requestBlock(st: PeerBlockState, height: number): void {
    this.blocksInFlight.set(height, st.node.id);
    st.inFlight.add(height);
    if (st.inFlight.size === 1) {
      st.downloadingSinceMicros = this.host.nowMicros();
      this.peersDownloadingFrom++;
      this.rearmDownloadTimers();
    }
    this.host.pushMessage(st.node, { ...getDataMessage(1), height } as BlockGetDataMessage);
  }

  // Core: net_processing.cpp PeerManagerImpl::RemoveBlockRequest
  private removeBlockRequest(height: number): void {
    const owner = this.blocksInFlight.get(height);
    if (owner === undefined) return;
    this.blocksInFlight.delete(height);
    const st = this.peers.get(owner);
    if (st === undefined || !st.inFlight.delete(height)) return;
    // The next queued block's download time starts now.
    st.downloadingSinceMicros = Math.max(st.downloadingSinceMicros, this.host.nowMicros());
    if (st.inFlight.size === 0) {
      this.peersDownloadingFrom--;
      if (st.downloadTimer !== 0) this.host.scheduler.cancel(st.downloadTimer);
      st.downloadTimer = 0;
    }
    this.rearmDownloadTimers();
    if (this.blocksInFlight.size === 0 && this.syncStartedCount === 0) this.recheckSyncStart();
  }

  /**
   * The block download timeout of SendMessages: a peer that has had a block in flight for a block
   * interval × (1 + 0.5 × other peers we download from) is disconnected. Core polls it; here each
   * downloading peer has a timer at its deadline, re-armed whenever the deadline moves.
   */
  // Core: net_processing.cpp PeerManagerImpl::SendMessages (block download timeout)
  private rearmDownloadTimers(): void {
    const others = Math.max(this.peersDownloadingFrom - 1, 0);
    const spanMicros = POW_TARGET_SPACING * MICROS_PER_SECOND * (BLOCK_DOWNLOAD_TIMEOUT_BASE + BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * others);
    for (const st of this.peers.values()) {
      if (st.downloadTimer !== 0) this.host.scheduler.cancel(st.downloadTimer);
      st.downloadTimer = 0;
      if (st.inFlight.size === 0 || st.node.disconnect) continue;
      st.downloadTimer = this.host.scheduler.schedule(st.downloadingSinceMicros + spanMicros + 1, () => {
        st.downloadTimer = 0;
        if (this.peers.get(st.node.id) === st && st.inFlight.size > 0 && !st.node.disconnect) {
          this.host.disconnect(st.node, 'block-download-timeout');
        }
      });
    }
  }

  private requestFromAnyone(height: number): void {
    for (const st of this.peers.values()) {
      if (!st.node.disconnect && st.bestKnownHeight >= height) {
        this.requestBlock(st, height);
        return;
      }
    }
  }

  // Core: net_processing.cpp PeerManagerImpl::ProcessBlock
  private processBlock(node: Node, st: PeerBlockState | undefined, b: BlockRef): void {
    this.removeBlockRequest(b.height);
    if (st !== undefined && b.height > st.bestKnownHeight) st.bestKnownHeight = b.height;
    if (b.height <= this.tip.height) return;
    node.lastBlockTimeSeconds = this.nowSeconds();
    this.connectTip(b, node.id);
  }

  /**
   * A block from outside the P2P network (mined here, or handed in by the world's block source):
   * it becomes our tip if it extends it, and is announced.
   */
  // Core: validation.cpp ChainstateManager::ProcessNewBlock (locally submitted block)
  submitBlock(b: BlockRef): boolean {
    if (b.height <= this.tip.height) return false;
    if (b.height > this.bestHeaderHeight) this.setBestHeader(b);
    this.removeBlockRequest(b.height);
    this.connectTip(b, null);
    return true;
  }

  /** The new tip: m_last_tip_update, then a headers announcement to every peer that lacks it. */
  // Core: net_processing.cpp PeerManagerImpl::BlockConnected / UpdatedBlockTip (simplified relay)
  private connectTip(b: BlockRef, from: NodeId | null): void {
    this.tip = b;
    this.blockTimes.set(b.height, b.timeSeconds);
    const now = this.nowSeconds();
    this.lastTipUpdate = now;
    this.host.emit({ kind: 'tip-updated', height: b.height, fromNodeId: from });
    const msg = { ...headersMessage(1), tip: b } as BlockHeadersMessage;
    for (const st of this.peers.values()) {
      // SendMessages sends nothing before the handshake completes (a peer has block state from VERSION on).
      if (st.node.disconnect || !st.node.successfullyConnected || st.bestKnownHeight >= b.height) continue;
      // Feelers and addr-fetch connections take no part in block relay.
      if (!st.node.isInbound() && !st.node.isFullOutbound() && !st.node.isBlockOnly() && !st.node.isManual()) continue;
      this.host.pushMessage(st.node, msg);
    }
    // Our tip moved: every peer's chain-sync state is re-evaluated (Core does so on its next SendMessages).
    for (const ps of this.peers.values()) this.considerEviction(ps, now);
  }

  /**
   * The lagging-chain check of an outbound (full-relay or block-relay) peer that is not protected:
   * a peer whose best known block stays behind our tip gets CHAIN_SYNC_TIMEOUT, then one
   * getheaders and HEADERS_RESPONSE_TIME more, then is disconnected. An attacker who fills our
   * outbound slots with peers that never tell us about new blocks is thus rotated out.
   */
  /** ConsiderEviction for one peer now (tests; the port runs it on its own deadlines). */
  considerEvictionFor(id: NodeId): void {
    const st = this.peers.get(id);
    if (st !== undefined) this.considerEviction(st, this.nowSeconds());
  }

  // Core: net_processing.cpp PeerManagerImpl::ConsiderEviction
  private considerEviction(st: PeerBlockState, timeInSeconds: number): void {
    const node = st.node;
    const cs = st.chainSync;
    if (!this.chainSyncEviction) return;
    if (node.disconnect || cs.protect || !node.isOutboundOrBlockRelay() || !st.syncStarted) return;
    if (st.bestKnownHeight >= 0 && st.bestKnownHeight >= this.tip.height) {
      if (cs.timeoutSeconds !== 0) {
        cs.timeoutSeconds = 0;
        cs.workHeaderHeight = -1;
        cs.sentGetHeaders = false;
      }
    } else if (cs.timeoutSeconds === 0 || (cs.workHeaderHeight >= 0 && st.bestKnownHeight >= 0 && st.bestKnownHeight >= cs.workHeaderHeight)) {
      cs.timeoutSeconds = timeInSeconds + CHAIN_SYNC_TIMEOUT;
      cs.workHeaderHeight = this.tip.height;
      cs.sentGetHeaders = false;
    } else if (cs.timeoutSeconds > 0 && timeInSeconds > cs.timeoutSeconds) {
      if (cs.sentGetHeaders) {
        const best = st.bestKnownHeight >= 0 ? blockHashHex(st.bestKnownHeight) : '<none>';
        this.host.log.logInfo(`Outbound peer has old chain, best known block = ${best}, ${disconnectMsg(node.id)}`);
        this.host.disconnect(node, 'outbound-eviction-chain-sync');
        this.cancelPeerTimer(st);
        return;
      }
      // From the parent of the tip we had when the timer was set (none for genesis: an empty locator).
      this.maybeSendGetHeaders(st, cs.workHeaderHeight - 1);
      if (this.host.log.net) {
        const best = st.bestKnownHeight >= 0 ? blockHashHex(st.bestKnownHeight) : '<none>';
        this.host.log.debug(`sending getheaders to outbound peer=${node.id} to verify chain work (current best known block:${best}, benchmark blockhash: ${blockHashHex(cs.workHeaderHeight)})`);
      }
      cs.sentGetHeaders = true;
      cs.timeoutSeconds = timeInSeconds + HEADERS_RESPONSE_TIME;
    }
    this.armPeerTimer(st);
  }

  /** Re-runs ConsiderEviction the first second past the deadline (Core polls it every SendMessages). */
  private armPeerTimer(st: PeerBlockState): void {
    this.cancelPeerTimer(st);
    if (st.chainSync.timeoutSeconds === 0) return;
    const at = (st.chainSync.timeoutSeconds + 1) * MICROS_PER_SECOND;
    st.timer = this.host.scheduler.schedule(at, () => {
      st.timer = 0;
      if (this.peers.get(st.node.id) === st) this.considerEviction(st, this.nowSeconds());
    });
  }

  private cancelPeerTimer(st: PeerBlockState): void {
    if (st.timer !== 0) this.host.scheduler.cancel(st.timer);
    st.timer = 0;
  }

  /** Sets a peer's m_last_block_announcement (Core's test hook of the same name). */
  // Core: net_processing.cpp PeerManagerImpl::UpdateLastBlockAnnounceTime
  updateLastBlockAnnounceTime(id: NodeId, timeInSeconds: number): void {
    const st = this.peers.get(id);
    if (st !== undefined) st.lastBlockAnnouncement = timeInSeconds;
  }

  // Core: net_processing.cpp PeerManagerImpl::TipMayBeStale
  tipMayBeStale(): boolean {
    const now = this.nowSeconds();
    if (this.lastTipUpdate === 0) this.lastTipUpdate = now;
    return this.lastTipUpdate < now - POW_TARGET_SPACING * 3 && this.blocksInFlight.size === 0;
  }

  // Core: net_processing.cpp PeerManagerImpl::CanDirectFetch
  canDirectFetch(): boolean {
    return this.tip.timeSeconds * MICROS_PER_SECOND > this.host.nowMicros() - POW_TARGET_SPACING * 20 * MICROS_PER_SECOND;
  }

  // Core: net_processing.cpp PeerManagerImpl::EvictExtraOutboundPeers
  evictExtraOutboundPeers(nowMicros: Micros): void {
    if (this.extraBlockRelayPeers && this.host.getExtraBlockRelayCount() > 0) {
      // The youngest block-relay-only peer is most likely the temporary extra one; keep it only if
      // it gave us a block more recently than the next youngest.
      let youngest = { id: -1, lastBlock: 0 };
      let nextYoungest = { id: -1, lastBlock: 0 };
      this.host.forEachNode((n) => {
        if (!n.isBlockOnly() || n.disconnect) return;
        if (n.id > youngest.id) {
          nextYoungest = youngest;
          youngest = { id: n.id, lastBlock: n.lastBlockTimeSeconds };
        }
      });
      const victim = youngest.lastBlock > nextYoungest.lastBlock ? nextYoungest.id : youngest.id;
      const n = this.liveNode(victim);
      if (n !== undefined) {
        const st = this.peers.get(n.id);
        if (st === undefined || (nowMicros - n.connectedMicros >= MINIMUM_CONNECT_TIME * MICROS_PER_SECOND && st.inFlight.size === 0)) {
          this.host.disconnect(n, 'extra-block-relay-evicted');
        }
      }
    }

    if (this.staleTipExtraPeers && this.host.getExtraFullOutboundCount() > 0) {
      // The full-relay peer that least recently announced a new block goes, ties to the youngest;
      // protected peers and the only full-relay / manual peer on a network stay.
      let worst = -1;
      let oldest = Number.MAX_SAFE_INTEGER;
      this.host.forEachNode((n) => {
        if (!n.isFullOutbound() || n.disconnect) return;
        const st = this.peers.get(n.id);
        if (st === undefined) return;
        if (st.chainSync.protect) return;
        if (!this.host.multipleManualOrFullOutboundConns(n.addr.getNetwork())) return;
        if (st.lastBlockAnnouncement < oldest || (st.lastBlockAnnouncement === oldest && n.id > worst)) {
          worst = n.id;
          oldest = st.lastBlockAnnouncement;
        }
      });
      if (worst !== -1) {
        const n = this.liveNode(worst);
        const st = n === undefined ? undefined : this.peers.get(n.id);
        if (n !== undefined && st !== undefined && nowMicros - n.connectedMicros > MINIMUM_CONNECT_TIME * MICROS_PER_SECOND && st.inFlight.size === 0) {
          this.host.disconnect(n, 'extra-outbound-evicted');
          // An extra peer made it in since the last stale tip: stop trying more until the next one.
          this.host.setTryNewOutboundPeer(false);
        }
      }
    }
  }

  private liveNode(id: NodeId): Node | undefined {
    const n = this.host.getNode(id);
    return n !== undefined && n.successfullyConnected && !n.disconnect ? n : undefined;
  }

  // Core: net_processing.cpp PeerManagerImpl::CheckForStaleTipAndEvictPeers
  checkForStaleTipAndEvictPeers(): void {
    const nowMicros = this.host.nowMicros();
    const now = this.nowSeconds();
    this.evictExtraOutboundPeers(nowMicros);
    if (this.staleTipExtraPeers && now > this.staleTipCheckTime) {
      if (this.host.getNetworkActive() && this.host.getUseAddrmanOutgoing() && this.tipMayBeStale()) {
        this.host.emit({ kind: 'stale-tip', lastTipUpdateSeconds: this.lastTipUpdate });
        this.host.setTryNewOutboundPeer(true);
      } else if (this.host.getTryNewOutboundPeer()) {
        this.host.setTryNewOutboundPeer(false);
      }
      this.staleTipCheckTime = now + STALE_CHECK_INTERVAL;
    }
    if (this.extraBlockRelayPeers && !this.initialSyncFinished && this.canDirectFetch()) {
      this.host.startExtraBlockRelayPeers();
      this.initialSyncFinished = true;
    }
  }
}

/**
 * The block part of a node in a world without blocks: the tip a ChainView reports (ConnmanOptions
 * chainView, fixed by default), no block messages, no chain-sync state. With it the handshake's
 * start height and the desirable-services rule read the view, and nothing else of the block logic
 * runs.
 */
export class StaticChain implements PeerBlockPart {
  constructor(private readonly view: ChainView) {}
  bestHeight(): number {
    return this.view.bestHeight();
  }
  bestBlockTimeSeconds(): number {
    return this.view.bestBlockTimeSeconds();
  }
  onVersion(_node: Node): void {}
  onHandshakeComplete(_node: Node): void {}
  startBlockSync(_node: Node): void {}
  considerEvictionOf(_node: Node): void {}
  processMessage(_node: Node, _msg: P2PMessage): boolean {
    return false;
  }
  finalizeNode(_node: Node): void {}
}
