// Core's test_framework/p2p.py P2PInterface as a scripted peer of the test network: it counts every
// message by type and keeps the last of each (messageCount / lastMessage), answers the handshake as
// Python's on_version does (its own version when the node connected out, wtxidrelay, sendaddrv2 when
// asked, verack, then getaddr when it initiated), answers pings, and offers the helpers tests use:
// sendWithoutPing, sendAndPing, syncWithPing, waitForVerack, waitForDisconnect, waitForGetheaders,
// peerDisconnect. Subclasses override the on* hooks (onPing, onVersion, …) as Python subclasses do.
// Everything is synchronous: a wait drains the test's event queues (framework.ts) until the
// condition holds, and throws as Python's wait_until does when it cannot.

import {
  getAddrMessage,
  MSG_GETHEADERS,
  NODE_NETWORK,
  NODE_WITNESS,
  pingMessage,
  pongMessage,
  sendAddrV2Message,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  parseService,
  type BlockGetDataMessage,
  type BlockRef,
  type P2PMessage,
  type Service,
  type VersionMessage,
} from '../../connman/index.ts';
import { msgBlock, msgHeaders } from './messages.ts';
import type { Link, PeerEndpoint, TestNetwork } from './network.ts';

/** Core: test_framework/p2p.py P2P_VERSION */
export const P2P_VERSION = 70017;
/** Core: test_framework/p2p.py P2P_SERVICES (NODE_NETWORK | NODE_WITNESS) */
export const P2P_SERVICES = NODE_NETWORK | NODE_WITNESS;
/** Core: test_framework/p2p.py P2P_SUBVERSION */
export const P2P_SUBVERSION = '/python-p2p-tester:0.0.3/';
/** Core: test_framework/p2p.py P2P_VERSION_RELAY */
export const P2P_VERSION_RELAY = 1;
/** Core: test_framework/p2p.py MIN_P2P_VERSION_SUPPORTED */
export const MIN_P2P_VERSION_SUPPORTED = 60001;

/** What a peer needs of the framework: waiting, wall time, its random stream. */
export interface PeerHost {
  readonly network: TestNetwork;
  /** Drains the event queues until `pred` holds; throws after `timeoutSeconds` of test time. */
  waitUntil(pred: () => boolean, timeoutSeconds: number, what: string): void;
  /** int(time.time()): the wall clock, whole seconds. */
  time(): number;
  /** A 64-bit nonce from the framework's stream. */
  nonce(): bigint;
  /** Runs `fn` after `seconds` of wall time (a peer that answers slowly). */
  afterWallSeconds(seconds: number, fn: () => void): void;
  /** time.sleep in a peer callback: the peers' thread stops for `seconds` of wall time. */
  blockPeerThread(seconds: number): void;
}

/** Options of a scripted peer (Core: P2PInterface.__init__). */
export interface P2PInterfaceOptions {
  /** Send wtxidrelay during the handshake. Default true. */
  wtxidrelay?: boolean;
  /** Send sendaddrv2 during the handshake. Default false. */
  supportAddrv2?: boolean;
}

/** A peer's block/header view: the model names a block by its height. */
export type BlockHash = number;

// Core: test_framework/p2p.py P2PInterface
export class P2PInterface implements PeerEndpoint {
  /** Messages received per type; 0 for a type never received (Python's defaultdict(int)). */
  readonly messageCount: Record<string, number> = new Proxy({} as Record<string, number>, {
    get: (t, k) => (typeof k === 'string' && !(k in t) ? 0 : Reflect.get(t, k)),
  });
  readonly lastMessage: Record<string, P2PMessage> = {};
  /** Every message received, in order (Python keeps only counts and the last of each type). */
  readonly received: P2PMessage[] = [];
  pingCounter = 1;
  /** The version message to send once connected (Python's on_connection_send_msg). */
  onConnectionSendMsg: P2PMessage | null = null;
  /** This peer connected to the node (add_p2p_connection), rather than the node to it. */
  p2pConnectedToNode = false;
  nServices = 0;
  relay = true;
  readonly wtxidrelay: boolean;
  readonly supportAddrv2: boolean;

  private host: PeerHost | null = null;
  private link: Link | null = null;
  private open = false;
  private everClosed = false;

  constructor(opts: P2PInterfaceOptions = {}) {
    this.wtxidrelay = opts.wtxidrelay ?? true;
    this.supportAddrv2 = opts.supportAddrv2 ?? false;
  }

  /** @internal The framework hands the peer its environment before connecting it. */
  bind(host: PeerHost, connectedToNode: boolean): void {
    this.host = host;
    this.p2pConnectedToNode = connectedToNode;
  }

  private get h(): PeerHost {
    if (this.host === null) throw new Error('P2PInterface: not connected (use node.addP2PConnection / addOutboundP2PConnection)');
    return this.host;
  }

  /** Python's is_connected. */
  get isConnected(): boolean {
    return this.open;
  }

  /** The local address of this peer's socket (getpeerinfo's addr as the node sees it). */
  get localService(): Service | null {
    return this.link?.peerEnd().local ?? null;
  }

  // --- transport callbacks (PeerEndpoint) ------------------------------------------------------

  // Core: test_framework/p2p.py P2PConnection.connection_made
  onOpen(link: Link): void {
    this.link = link;
    this.open = true;
    // A peer that connected to the node sends its version at once (v1); one the node connected to
    // waits for the node's version (on_version).
    if (this.p2pConnectedToNode) this.sendVersion();
    this.onOpenHook();
  }

  onMessage(msg: P2PMessage): void {
    this.messageCount[msg.type] = this.messageCount[msg.type]! + 1;
    this.lastMessage[msg.type] = msg;
    this.received.push(msg);
    this.dispatch(msg);
  }

  onClose(): void {
    this.open = false;
    this.everClosed = true;
    this.onCloseHook();
  }

  // --- hooks (override in subclasses) --------------------------------------------------------

  /** Python's on_open. */
  onOpenHook(): void {}
  /** Python's on_close. */
  onCloseHook(): void {}

  private dispatch(msg: P2PMessage): void {
    switch (msg.type) {
      case 'version':
        return this.onVersion(msg as VersionMessage);
      case 'verack':
        return this.onVerack(msg);
      case 'ping':
        return this.onPing(msg as P2PMessage & { nonce: bigint });
      case 'pong':
        return this.onPong(msg);
      case 'addr':
        return this.onAddr(msg);
      case 'addrv2':
        return this.onAddrv2(msg);
      case 'getaddr':
        return this.onGetaddr(msg);
      case 'inv':
        return this.onInv(msg);
      case 'getheaders':
        return this.onGetheaders(msg);
      case 'headers':
        return this.onHeaders(msg);
      case 'getdata':
        return this.onGetdata(msg);
      case 'block':
        return this.onBlock(msg);
      case 'tx':
        return this.onTx(msg);
      case 'wtxidrelay':
        return this.onWtxidrelay(msg);
      case 'sendaddrv2':
        return this.onSendaddrv2(msg);
      case 'sendcmpct':
        return this.onSendcmpct(msg);
      case 'sendheaders':
        return this.onSendheaders(msg);
      case 'feefilter':
        return this.onFeefilter(msg);
      default:
        return this.onOther(msg);
    }
  }

  /** Python's on_version: the reply half of the handshake. */
  onVersion(msg: VersionMessage): void {
    if (msg.version < MIN_P2P_VERSION_SUPPORTED) {
      throw new Error(`Version ${msg.version} received. Test framework only supports versions greater than ${MIN_P2P_VERSION_SUPPORTED}`);
    }
    if (!this.p2pConnectedToNode) this.sendVersion();
    if (msg.version >= 70016 && this.wtxidrelay) this.sendWithoutPing(wtxidRelayMessage());
    if (this.supportAddrv2) this.sendWithoutPing(sendAddrV2Message());
    this.sendWithoutPing(verackMessage());
    this.nServices = msg.services;
    this.relay = msg.relay;
    if (this.p2pConnectedToNode) this.sendWithoutPing(getAddrMessage());
  }
  onVerack(_msg: P2PMessage): void {}
  /** Python's on_ping: answers with a pong of the same nonce. */
  onPing(msg: P2PMessage & { nonce: bigint }): void {
    this.sendWithoutPing(pongMessage(msg.nonce));
  }
  onPong(_msg: P2PMessage): void {}
  onAddr(_msg: P2PMessage): void {}
  onAddrv2(_msg: P2PMessage): void {}
  onGetaddr(_msg: P2PMessage): void {}
  onInv(_msg: P2PMessage): void {}
  onGetheaders(_msg: P2PMessage): void {}
  onHeaders(_msg: P2PMessage): void {}
  onGetdata(_msg: P2PMessage): void {}
  onBlock(_msg: P2PMessage): void {}
  onTx(_msg: P2PMessage): void {}
  onWtxidrelay(_msg: P2PMessage): void {}
  onSendaddrv2(_msg: P2PMessage): void {}
  onSendcmpct(_msg: P2PMessage): void {}
  onSendheaders(_msg: P2PMessage): void {}
  onFeefilter(_msg: P2PMessage): void {}
  /** Any other message type. */
  onOther(_msg: P2PMessage): void {}

  // --- the version this peer sends ----------------------------------------------------------

  /**
   * Prepares the version message (Python's peer_connect_send_version): sent on connect when this
   * peer connects to the node, or from on_version when the node connected to it.
   */
  // Core: test_framework/p2p.py P2PInterface.peer_connect_send_version
  peerConnectSendVersion(services: number, dst: Service | null): void {
    const h = this.h;
    const addrTo = dst ?? unspecifiedV4();
    this.onConnectionSendMsg = versionMessage({
      version: P2P_VERSION,
      services,
      timeSeconds: h.time(),
      addrRecvServices: NODE_NETWORK,
      addrRecv: addrTo,
      addrFromServices: NODE_NETWORK,
      addrFrom: unspecifiedV4(),
      nonce: h.nonce(),
      userAgent: P2P_SUBVERSION,
      startHeight: -1,
      relay: P2P_VERSION_RELAY === 1,
    });
  }

  /** Python's send_version: sends the prepared version message, once. */
  sendVersion(): void {
    if (this.onConnectionSendMsg !== null) {
      const m = this.onConnectionSendMsg;
      this.onConnectionSendMsg = null;
      this.sendWithoutPing(m);
    }
  }

  // --- sending and waiting --------------------------------------------------------------------

  /** Python's send_without_ping: queue one message. */
  sendWithoutPing(msg: P2PMessage): void {
    if (this.link === null) throw new Error('P2PInterface: not connected');
    this.h.network.send(this.link, this.link.peerEnd(), msg);
  }

  /** Python's send_and_ping. */
  sendAndPing(msg: P2PMessage, timeoutSeconds = 60): void {
    this.sendWithoutPing(msg);
    this.syncWithPing(timeoutSeconds);
  }

  /** Python's sync_with_ping: ping(0), ping(counter), then wait for pong(counter). */
  syncWithPing(timeoutSeconds = 60): void {
    this.sendWithoutPing(pingMessage(0n));
    this.sendWithoutPing(pingMessage(BigInt(this.pingCounter)));
    const want = BigInt(this.pingCounter);
    this.waitUntil(() => {
      const p = this.lastMessage['pong'] as (P2PMessage & { nonce?: bigint }) | undefined;
      return p !== undefined && p.nonce === want;
    }, timeoutSeconds, 'sync_with_ping');
    this.pingCounter++;
  }

  /**
   * Python's time.sleep called inside a callback (on_ping and the like): it blocks the network
   * thread, so for `seconds` of wall time no peer receives anything and what peers send waits,
   * while the nodes run on. Call it where the Python callback sleeps; what follows is sent after.
   */
  sleepInCallback(seconds: number): void {
    this.h.blockPeerThread(seconds);
  }

  /** Python's wait_until: asserts the connection is up on each check unless told otherwise. */
  waitUntil(pred: () => boolean, timeoutSeconds = 60, what = 'wait_until', checkConnected = true): void {
    this.h.waitUntil(() => {
      if (checkConnected && !this.open) throw new Error(`${what}: the peer is not connected`);
      return pred();
    }, timeoutSeconds, what);
  }

  /** Python's wait_for_verack: a verack from the node. */
  waitForVerack(timeoutSeconds = 60): void {
    this.waitUntil(() => 'verack' in this.lastMessage, timeoutSeconds, 'wait_for_verack');
  }

  /** Python's wait_for_disconnect. */
  waitForDisconnect(timeoutSeconds = 60): void {
    this.waitUntil(() => !this.open, timeoutSeconds, 'wait_for_disconnect', false);
  }

  /** Python's wait_for_connect. */
  waitForConnect(timeoutSeconds = 60): void {
    this.waitUntil(() => this.open, timeoutSeconds, 'wait_for_connect', false);
  }

  /**
   * Python's wait_for_getheaders: pops last_message['getheaders'] on each check, succeeding when
   * its locator starts at `block` (any getheaders when omitted).
   */
  waitForGetheaders(block?: BlockHash, timeoutSeconds = 60): void {
    this.waitUntil(() => {
      const m = this.lastMessage[MSG_GETHEADERS] as (P2PMessage & { locator?: readonly number[] }) | undefined;
      delete this.lastMessage[MSG_GETHEADERS];
      if (block === undefined) return m !== undefined;
      return m !== undefined && m.locator !== undefined && m.locator[0] === block;
    }, timeoutSeconds, 'wait_for_getheaders');
  }

  /** Python's peer_disconnect: close our side. */
  peerDisconnect(): void {
    if (this.link === null || !this.open) return;
    this.open = false;
    this.everClosed = true;
    this.h.network.close(this.link, this.link.peerEnd());
  }

  /** The peer was connected once and is no longer. */
  get wasDisconnected(): boolean {
    return this.everClosed;
  }
}

/** What sendBlocksAndTest reads of the node under test. */
export interface BlockTip {
  getbestblockhash(): BlockHash;
}

/** Options of sendBlocksAndTest (Core: P2PDataStore.send_blocks_and_test's keyword arguments). */
export interface SendBlocksOptions {
  success?: boolean;
  forceSend?: boolean;
  expectDisconnect?: boolean;
  timeout?: number;
}

/**
 * Python's P2PDataStore: a peer with a block store that answers getdata for its blocks, and
 * sendBlocksAndTest. The model's blocks are BlockRefs named by height; msgBlock gives a block its
 * payload. The transaction store and getheaders answers are not needed by the ported
 * tests and not provided.
 */
// Core: test_framework/p2p.py P2PDataStore
export class P2PDataStore extends P2PInterface {
  readonly blockStore = new Map<BlockHash, BlockRef>();
  lastBlockHash: BlockHash | null = null;
  /** Every block hash the node asked for (Python's getdata_requests). */
  readonly getdataRequests: BlockHash[] = [];

  override onGetdata(msg: P2PMessage): void {
    const h = (msg as Partial<BlockGetDataMessage>).height;
    if (h === undefined) return;
    this.getdataRequests.push(h);
    const b = this.blockStore.get(h);
    if (b !== undefined) this.sendWithoutPing(msgBlock(b));
  }

  /**
   * Python's send_blocks_and_test: stores the blocks, announces the last with a headers message and
   * waits for the node's getdata (or, with forceSend, sends the blocks unsolicited), syncs, then
   * checks whether the node's tip became the last block.
   */
  // Core: test_framework/p2p.py P2PDataStore.send_blocks_and_test
  sendBlocksAndTest(blocks: readonly BlockRef[], node: BlockTip, opts: SendBlocksOptions = {}): void {
    const success = opts.success ?? true;
    const timeout = opts.timeout ?? 60;
    for (const b of blocks) {
      this.blockStore.set(b.height, b);
      this.lastBlockHash = b.height;
    }
    const last = blocks[blocks.length - 1]!;
    if (opts.forceSend === true) {
      for (const b of blocks) this.sendWithoutPing(msgBlock(b));
    } else {
      this.sendWithoutPing(msgHeaders(blocks));
      this.waitUntil(() => this.getdataRequests.includes(last.height), timeout, 'send_blocks_and_test: getdata', success);
    }
    if (opts.expectDisconnect === true) this.waitForDisconnect(timeout);
    else this.syncWithPing(timeout);
    if (success) this.waitUntil(() => node.getbestblockhash() === last.height, timeout, 'send_blocks_and_test: tip');
    else if (node.getbestblockhash() === last.height) throw new Error(`send_blocks_and_test: the tip became block ${last.height}`);
  }
}

function unspecifiedV4(): Service {
  const r = parseService('0.0.0.0:0', 0);
  if (!r.ok) throw new Error('0.0.0.0:0');
  return r.value;
}
