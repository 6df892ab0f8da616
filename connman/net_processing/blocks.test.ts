// Tests of the block / stale-tip / outbound-eviction logic (blocks.ts): Core's
// denialofservice_tests cases (test-vectors §7) over a fake host with hand-built nodes, as Core's
// test builds CNodes and calls the PeerManager directly; the chain-sync timeout through a whole
// Connman over the fake ports; and headers / block exchange between the port and a scripted peer.

import { describe, expect, it } from 'vitest';
import { ConnectionType, isFullOutboundConn } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { NO_LOGGER } from '../util/logging.ts';
import { getDataMessage, MSG_BLOCK, MSG_GETDATA, MSG_GETHEADERS, MSG_HEADERS, headersMessage, type P2PMessage } from '../protocol/messages.ts';
import { NetPermissionFlags } from '../protocol/net-permissions.ts';
import { serviceOrThrow, type Network } from '../protocol/netaddress.ts';
import { Node } from '../net/node.ts';
import {
  BlockRelay,
  CHAIN_SYNC_TIMEOUT,
  HEADERS_RESPONSE_TIME,
  MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT,
  type BlockDataMessage,
  type BlockGetDataMessage,
  type BlockHeadersMessage,
  type BlockRef,
  type BlockRelayHost,
} from './blocks.ts';
import type { CloseReason, ConnmanEvent } from '../ports.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const T0 = 1_700_000_000_000_000;

/** VERACK, then the first SendMessages: the block state, the initial getheaders, ConsiderEviction. */
function handshake(blocks: BlockRelay, n: Node): void {
  blocks.onHandshakeComplete(n);
  blocks.startBlockSync(n);
  blocks.considerEvictionOf(n);
}

/** A host over a plain node list: Core's unit tests' ConnmanTestMsg with 8 full-relay and 2 block-relay slots. */
class FakeBlockHost implements BlockRelayHost {
  readonly nodes: Node[] = [];
  readonly sent: { id: number; msg: P2PMessage }[] = [];
  readonly events: ConnmanEvent[] = [];
  tryNewOutbound = false;
  extraBlockRelayStarted = false;
  readonly log = NO_LOGGER;
  constructor(readonly scheduler: FakeScheduler) {}
  nowMicros(): number {
    return this.scheduler.nowMicros();
  }
  pushMessage(node: Node, msg: P2PMessage): void {
    this.sent.push({ id: node.id, msg });
  }
  disconnect(node: Node, reason: CloseReason): void {
    node.markDisconnect(reason);
  }
  emit(ev: ConnmanEvent): void {
    this.events.push(ev);
  }
  forEachNode(fn: (node: Node) => void): void {
    for (const n of this.nodes) if (n.successfullyConnected && !n.disconnect) fn(n);
  }
  getNode(id: number): Node | undefined {
    return this.nodes.find((n) => n.id === id);
  }
  private live(pred: (n: Node) => boolean): number {
    return this.nodes.filter((n) => n.successfullyConnected && !n.disconnect && pred(n)).length;
  }
  getExtraBlockRelayCount(): number {
    return Math.max(this.live((n) => n.isBlockOnly()) - 2, 0);
  }
  getExtraFullOutboundCount(): number {
    return Math.max(this.live((n) => n.isFullOutbound()) - 8, 0);
  }
  multipleManualOrFullOutboundConns(net: Network): boolean {
    return this.nodes.filter((n) => (isFullOutboundConn(n.connType) || n.isManual()) && n.addr.getNetwork() === net).length > 1;
  }
  setTryNewOutboundPeer(flag: boolean): void {
    this.tryNewOutbound = flag;
  }
  getTryNewOutboundPeer(): boolean {
    return this.tryNewOutbound;
  }
  startExtraBlockRelayPeers(): void {
    this.extraBlockRelayStarted = true;
  }
  getNetworkActive(): boolean {
    return true;
  }
  getUseAddrmanOutgoing(): boolean {
    return true;
  }
  /** OutboundTargetReached(true): the historical-block limit of -maxuploadtarget. */
  historicalLimitReached = false;
  outboundTargetReached(historical: boolean): boolean {
    return historical && this.historicalLimitReached;
  }
}

let ipCounter = 0;
/** A peer of the given type in the host's list, not yet handshaked (VERSION not yet processed). */
function makeNode(host: FakeBlockHost, connType: ConnectionType, text: string, permissions = 0): Node {
  const id = host.nodes.length;
  const node = new Node({
    id,
    conn: id + 1,
    addr: new Address(serviceOrThrow(text, 8333), NODE_NETWORK | NODE_WITNESS, 0),
    addrBind: serviceOrThrow('1.2.3.4:8333', 8333),
    addrName: text,
    connType,
    inboundOnion: false,
    keyedNetGroup: BigInt(id),
    networkKey: 0n,
    localNonce: BigInt(id + 1),
    permissions,
    preferEvict: false,
    connectedMicros: host.nowMicros(),
    grant: 'none',
  });
  node.theirServices = NODE_NETWORK | NODE_WITNESS;
  host.nodes.push(node);
  return node;
}

/** Core's AddTestNode: a handshaked peer of the given type (random-looking IPv4 unless given). */
function addTestNode(host: FakeBlockHost, blocks: BlockRelay, connType: ConnectionType, addrText?: string, permissions = 0): Node {
  const k = ++ipCounter;
  const node = makeNode(host, connType, addrText ?? `${10 + (k % 200)}.${(k * 7) & 255}.${(k * 13) & 255}.1:8333`, permissions);
  node.successfullyConnected = true;
  blocks.initializePeer(node);
  // Core's tests connect peers through a real handshake: VERSION is processed (fPreferredDownload).
  blocks.onVersion(node);
  return node;
}

function fakeSetup(): { sched: FakeScheduler; host: FakeBlockHost; blocks: BlockRelay } {
  const sched = new FakeScheduler(T0);
  const host = new FakeBlockHost(sched);
  const blocks = new BlockRelay(host, { genesis: { height: 100, timeSeconds: Math.floor(T0 / S) } });
  return { sched, host, blocks };
}

function clearFlags(nodes: Node[]): void {
  for (const n of nodes) {
    n.disconnect = false;
    n.disconnectReason = null;
  }
}

describe('denialofservice_tests (test-vectors §7)', () => {
  it('stale_tip_peer_management: stale tip asks for an extra peer; the worst-scoring outbound peer is evicted', () => {
    const { sched, host, blocks } = fakeSetup();
    const peers: Node[] = [];
    for (let i = 0; i < 8; i++) peers.push(addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY));
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers.some((n) => n.disconnect)).toBe(false);
    sched.runFor((3 * 600 + 1) * S);
    blocks.checkForStaleTipAndEvictPeers();
    expect(host.getTryNewOutboundPeer()).toBe(true);
    expect(peers.some((n) => n.disconnect)).toBe(false);
    expect(host.events.some((e) => e.kind === 'stale-tip')).toBe(true);

    // A 9th full-relay peer (connected at time_init in Core: long enough ago here too).
    const nineth = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    (nineth as { connectedMicros: number }).connectedMicros = T0;
    peers.push(nineth);
    blocks.checkForStaleTipAndEvictPeers();
    for (let i = 0; i < 8; i++) expect(peers[i]!.disconnect).toBe(false);
    expect(peers[8]!.disconnect).toBe(true);
    expect(peers[8]!.disconnectReason).toBe('extra-outbound-evicted');
    expect(host.getTryNewOutboundPeer()).toBe(false);

    clearFlags(peers);
    blocks.updateLastBlockAnnounceTime(peers[8]!.id, Math.floor(sched.nowMicros() / S));
    blocks.checkForStaleTipAndEvictPeers();
    for (let i = 0; i < 7; i++) expect(peers[i]!.disconnect).toBe(false);
    expect(peers[7]!.disconnect).toBe(true);
    expect(peers[8]!.disconnect).toBe(false);

    // The only onion full-relay peer is protected by network diversity.
    clearFlags(peers);
    const onion1 = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY, 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333');
    (onion1 as { connectedMicros: number }).connectedMicros = T0;
    peers.push(onion1);
    blocks.checkForStaleTipAndEvictPeers();
    for (let i = 0; i < 7; i++) expect(peers[i]!.disconnect).toBe(false);
    expect(peers[7]!.disconnect).toBe(true);
    expect(peers[8]!.disconnect).toBe(false);
    expect(peers[9]!.disconnect).toBe(false);

    // A second onion peer: no longer the only one on its network, it is the newest: evicted.
    const onion2 = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY, 'kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion:8333');
    (onion2 as { connectedMicros: number }).connectedMicros = T0;
    peers.push(onion2);
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers[10]!.disconnect).toBe(true);
    for (let i = 0; i < 7; i++) expect(peers[i]!.disconnect).toBe(false);
  });

  it('block_relay_only_eviction: the youngest extra block-relay peer goes after 30 s, unless it gave us a block', () => {
    const { sched, host, blocks } = fakeSetup();
    const peers: Node[] = [];
    for (let i = 0; i < 2; i++) peers.push(addTestNode(host, blocks, ConnectionType.BLOCK_RELAY));
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers.some((n) => n.disconnect)).toBe(false);
    peers.push(addTestNode(host, blocks, ConnectionType.BLOCK_RELAY));
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers.some((n) => n.disconnect)).toBe(false); // connected < MINIMUM_CONNECT_TIME
    sched.runFor(30 * S);
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers[0]!.disconnect).toBe(false);
    expect(peers[1]!.disconnect).toBe(false);
    expect(peers[2]!.disconnect).toBe(true);
    expect(peers[2]!.disconnectReason).toBe('extra-block-relay-evicted');

    clearFlags(peers);
    peers[2]!.lastBlockTimeSeconds = Math.floor(sched.nowMicros() / S);
    blocks.checkForStaleTipAndEvictPeers();
    expect(peers[0]!.disconnect).toBe(false);
    expect(peers[1]!.disconnect).toBe(true);
    expect(peers[2]!.disconnect).toBe(false);
  });

  it('chain-sync protection: at most 4 outbound full-relay peers on our chain are protected; block-relay never', () => {
    const { sched, host, blocks } = fakeSetup();
    const full: Node[] = [];
    for (let i = 0; i < 6; i++) full.push(addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY));
    const br = addTestNode(host, blocks, ConnectionType.BLOCK_RELAY);
    for (const n of [...full, br]) handshake(blocks, n); // initial getheaders, timers armed
    const tip = blocks.getTip();
    // Every peer answers with our tip.
    for (const n of [...full, br]) blocks.processMessage(n, { ...headersMessage(1), tip } as BlockHeadersMessage);
    const protectedIds = full.filter((n) => blocks.peerState(n.id)!.chainSync.protect).map((n) => n.id);
    expect(protectedIds).toEqual(full.slice(0, MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT).map((n) => n.id));
    expect(blocks.peerState(br.id)!.chainSync.protect).toBe(false);

    // A new tip that nobody announces: the unprotected peers (2 full-relay + block-relay) time out.
    blocks.submitBlock({ height: tip.height + 1, timeSeconds: Math.floor(sched.nowMicros() / S) });
    sched.runFor((CHAIN_SYNC_TIMEOUT + 1) * S);
    for (const n of [full[4]!, full[5]!, br]) {
      expect(n.disconnect).toBe(false);
      expect(blocks.peerState(n.id)!.chainSync.sentGetHeaders).toBe(true);
    }
    sched.runFor((HEADERS_RESPONSE_TIME + 1) * S);
    for (const n of full.slice(0, 4)) expect(n.disconnect).toBe(false);
    for (const n of [full[4]!, full[5]!, br]) expect(n.disconnectReason).toBe('outbound-eviction-chain-sync');
  });

  it('a peer that catches up to our tip in time is not evicted', () => {
    const { sched, host, blocks } = fakeSetup();
    const protectedPeers: Node[] = [];
    for (let i = 0; i < 4; i++) protectedPeers.push(addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY));
    for (const n of protectedPeers) {
      handshake(blocks, n);
      blocks.processMessage(n, { ...headersMessage(1), tip: blocks.getTip() } as BlockHeadersMessage);
    }
    const p = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    handshake(blocks, p);
    sched.runFor((CHAIN_SYNC_TIMEOUT + 1) * S);
    expect(blocks.peerState(p.id)!.chainSync.sentGetHeaders).toBe(true);
    blocks.processMessage(p, { ...headersMessage(1), tip: blocks.getTip() } as BlockHeadersMessage);
    expect(blocks.peerState(p.id)!.chainSync.timeoutSeconds).toBe(0);
    sched.runFor(600 * S);
    expect(p.disconnect).toBe(false);
  });
});

describe('announcements and block download', () => {
  it('only the first announcer of a new header gets the announcement time; the block is asked of it once', () => {
    const { sched, host, blocks } = fakeSetup();
    const a = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    const b = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    const next = { height: blocks.bestHeight() + 1, timeSeconds: Math.floor(sched.nowMicros() / S) };
    sched.runFor(5 * S);
    blocks.processMessage(a, { ...headersMessage(1), tip: next } as BlockHeadersMessage);
    sched.runFor(5 * S);
    blocks.processMessage(b, { ...headersMessage(1), tip: next } as BlockHeadersMessage);
    expect(blocks.peerState(a.id)!.lastBlockAnnouncement).toBe(Math.floor(T0 / S) + 5);
    expect(blocks.peerState(b.id)!.lastBlockAnnouncement).toBe(0);
    expect(host.sent.filter((x) => x.msg.type === MSG_GETDATA).map((x) => x.id)).toEqual([a.id]);
    expect(blocks.tipMayBeStale()).toBe(false); // a block is in flight
  });

  it('a peer that never delivers a requested block is dropped after one block interval; another is asked', () => {
    const { sched, host, blocks } = fakeSetup();
    const a = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    const b = addTestNode(host, blocks, ConnectionType.OUTBOUND_FULL_RELAY);
    const next = { height: blocks.bestHeight() + 1, timeSeconds: Math.floor(sched.nowMicros() / S) };
    blocks.processMessage(a, { ...headersMessage(1), tip: next } as BlockHeadersMessage);
    blocks.processMessage(b, { ...headersMessage(1), tip: next } as BlockHeadersMessage);
    sched.runFor(600 * S);
    expect(a.disconnect).toBe(false);
    sched.runFor(1);
    expect(a.disconnectReason).toBe('block-download-timeout');
    blocks.finalizeNode(a);
    expect(host.sent.filter((x) => x.msg.type === MSG_GETDATA).map((x) => x.id)).toEqual([a.id, b.id]);
    blocks.processMessage(b, { type: 'block', sizeBytes: 1024, payloadBytes: 1000, block: next } as P2PMessage);
    expect(blocks.bestHeight()).toBe(next.height);
    expect(b.lastBlockTimeSeconds).toBe(Math.floor(sched.nowMicros() / S));
  });
});

describe('getdata for a block past the upload target (ProcessGetBlockData, feature_maxuploadtarget.py)', () => {
  it('a block more than a week older than our best header costs the peer its connection, unless it may download', () => {
    const { sched, host, blocks } = fakeSetup();
    const t0 = Math.floor(T0 / S);
    blocks.submitBlock({ height: 101, timeSeconds: t0 });
    sched.runFor(8 * 86400 * S);
    blocks.submitBlock({ height: 102, timeSeconds: t0 + 8 * 86400 });
    const getdata = (n: Node, height: number): void => void blocks.processMessage(n, { ...getDataMessage(1), height } as BlockGetDataMessage);
    const blocksTo = (n: Node): BlockRef[] => host.sent.filter((x) => x.id === n.id && x.msg.type === MSG_BLOCK).map((x) => (x.msg as BlockDataMessage).block);
    const a = addTestNode(host, blocks, ConnectionType.INBOUND);
    // Below the limit every block is served, with its own timestamp.
    getdata(a, 101);
    expect(blocksTo(a)).toEqual([{ height: 101, timeSeconds: t0 }]);
    host.historicalLimitReached = true;
    // A recent block still is.
    getdata(a, 102);
    expect(blocksTo(a).length).toBe(2);
    // The old one is not: the peer is disconnected.
    getdata(a, 101);
    expect(blocksTo(a).length).toBe(2);
    expect(a.disconnectReason).toBe('upload-target-reached');
    // The download permission exempts a peer.
    const b = addTestNode(host, blocks, ConnectionType.INBOUND, undefined, NetPermissionFlags.Download);
    getdata(b, 101);
    expect(blocksTo(b)).toEqual([{ height: 101, timeSeconds: t0 }]);
    expect(b.disconnect).toBe(false);
  });
});

describe('outbound_slow_chain_eviction through a Connman (test-vectors §7)', () => {
  it('getheaders at start, again after 20 min, disconnect 2 min later', () => {
    const sched = new FakeScheduler(T0);
    const local = serviceOrThrow('1.2.3.4:8333', 8333);
    const transport = new FakeTransport(sched, local);
    const log = new EventLog();
    const ctx = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [local], binds: [{ service: local }], peerConnectTimeoutSeconds: 99999 }, { blocks: { genesis: { height: 10, timeSeconds: Math.floor(T0 / S) } } });
    const cm = ctx.connman;
    ctx.start();
    const peerAddr = new Address(serviceOrThrow('1.192.176.160:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    cm.openNetworkConnection(peerAddr, false, 'none', null, ConnectionType.OUTBOUND_FULL_RELAY);
    sched.runFor(S);
    const node = cm.getNodes()[0]!;
    expect(node.successfullyConnected).toBe(true);
    const conn = transport.conns.get(node.conn)!;
    const getheaders = () => conn.sent.filter((m) => m.type === MSG_GETHEADERS).length;
    expect(getheaders()).toBe(1);
    sched.runFor(21 * 60 * S);
    expect(getheaders()).toBe(2);
    expect(node.disconnect).toBe(false);
    sched.runFor(3 * 60 * S);
    expect(log.ofKind('connection-closed').map((e) => e.reason)).toEqual(['outbound-eviction-chain-sync']);
  });

  it('a headers announcement of a new tip is fetched with getdata, then relayed', () => {
    const sched = new FakeScheduler(T0);
    const local = serviceOrThrow('1.2.3.4:8333', 8333);
    const transport = new FakeTransport(sched, local);
    const log = new EventLog();
    const ctx = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [local], binds: [{ service: local }] }, { blocks: {} });
    const cm = ctx.connman;
    ctx.start();
    const a = new Address(serviceOrThrow('9.9.9.9:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    const b = new Address(serviceOrThrow('8.8.8.8:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    cm.openNetworkConnection(a, false, 'none', null, ConnectionType.OUTBOUND_FULL_RELAY);
    cm.openNetworkConnection(b, false, 'none', null, ConnectionType.BLOCK_RELAY);
    sched.runFor(S);
    const [na, nb] = cm.getNodes();
    const tip = { height: 1, timeSeconds: Math.floor(sched.nowMicros() / S) };
    transport.deliver(na!.conn, { ...headersMessage(1), tip } as BlockHeadersMessage, 0);
    sched.runFor(S);
    const ca = transport.conns.get(na!.conn)!;
    expect(ca.sent.filter((m) => m.type === MSG_GETDATA).length).toBe(1);
    expect(ctx.blocks!.peerState(na!.id)!.lastBlockAnnouncement).toBe(Math.floor(sched.nowMicros() / S) - 1);
    transport.deliver(na!.conn, { type: 'block', sizeBytes: 24 + 1000, payloadBytes: 1000, block: tip } as P2PMessage, 0);
    sched.runFor(S);
    expect(ctx.blocks!.bestHeight()).toBe(1);
    expect(na!.lastBlockTimeSeconds).toBeGreaterThan(0);
    expect(nb!.lastBlockTimeSeconds).toBe(0);
    const cb = transport.conns.get(nb!.conn)!;
    const hdrs = cb.sent.filter((m) => m.type === MSG_HEADERS) as BlockHeadersMessage[];
    expect(hdrs.map((m) => m.tip?.height)).toEqual([1]);
    expect(hdrs[0]!.sizeBytes).toBe(24 + 1 + 81);
    // The announcing peer already knows it: nothing sent back.
    expect(ca.sent.filter((m) => m.type === MSG_HEADERS).length).toBe(0);
    expect(log.ofKind('tip-updated')).toEqual([{ kind: 'tip-updated', height: 1, fromNodeId: na!.id }]);
  });
});

/** A peer without VERSION processing yet (the test calls onVersion / handshake itself). */
function rawNode(host: FakeBlockHost, connType: ConnectionType): Node {
  return makeNode(host, connType, `44.${host.nodes.length}.0.1:8333`);
}

describe('start of block sync, as SendMessages decides it (net_processing.cpp, "Start block sync")', () => {
  /** A node whose tip and best header are two days old, so only one peer at a time is asked for headers. */
  function oldTip(): { sched: FakeScheduler; host: FakeBlockHost; blocks: BlockRelay } {
    const sched = new FakeScheduler(T0);
    const host = new FakeBlockHost(sched);
    const blocks = new BlockRelay(host, { genesis: { height: 100, timeSeconds: Math.floor(T0 / S) - 2 * 24 * 3600 } });
    return { sched, host, blocks };
  }
  const getheadersTo = (host: FakeBlockHost, id: number): number => host.sent.filter((x) => x.id === id && x.msg.type === MSG_GETHEADERS).length;

  it('fPreferredDownload is decided when VERSION is processed, not at VERACK', () => {
    const { host, blocks } = oldTip();
    const out = rawNode(host, ConnectionType.OUTBOUND_FULL_RELAY);
    const inbound = rawNode(host, ConnectionType.INBOUND);
    blocks.onVersion(out);
    blocks.onVersion(inbound);
    // Both VERSIONs processed, neither VERACK yet: the outbound peer already counts as preferred.
    expect(blocks.preferredDownloadPeers()).toBe(1);
    // Finalizing a peer before its VERACK gives the count back (Core: FinalizeNode).
    out.markDisconnect('closed');
    blocks.finalizeNode(out);
    expect(blocks.preferredDownloadPeers()).toBe(0);
  });

  /** Two full-relay outbound peers through VERSION and VERACK, in that order. */
  function twoHandshakenOutbound(host: Parameters<typeof rawNode>[0], blocks: ReturnType<typeof oldTip>['blocks']): [Node, Node] {
    const a = rawNode(host, ConnectionType.OUTBOUND_FULL_RELAY);
    const b = rawNode(host, ConnectionType.OUTBOUND_FULL_RELAY);
    for (const n of [a, b]) {
      blocks.onVersion(n);
      n.successfullyConnected = true;
      handshake(blocks, n);
    }
    return [a, b];
  }

  it('a new tip is announced only to peers past VERACK (SendMessages sends nothing before the handshake)', () => {
    const { sched, host, blocks } = oldTip();
    const pending = rawNode(host, ConnectionType.INBOUND);
    blocks.onVersion(pending);
    const [a] = twoHandshakenOutbound(host, blocks);
    blocks.submitBlock({ height: 101, timeSeconds: Math.floor(sched.nowMicros() / S) });
    const headersTo = (id: number): number => host.sent.filter((x) => x.id === id && x.msg.type === MSG_HEADERS).length;
    expect(headersTo(pending.id)).toBe(0);
    expect(headersTo(a.id)).toBe(1);
  });

  it('a peer passed over at its handshake starts syncing once the only syncing peer is gone (Core re-checks every pass)', () => {
    const { host, blocks } = oldTip();
    const [a, b] = twoHandshakenOutbound(host, blocks);
    expect([getheadersTo(host, a.id), getheadersTo(host, b.id)]).toEqual([1, 0]);
    expect(blocks.peerState(b.id)!.syncStarted).toBe(false);
    a.markDisconnect('closed');
    blocks.finalizeNode(a);
    expect(getheadersTo(host, b.id)).toBe(1);
    expect(blocks.peerState(b.id)!.syncStarted).toBe(true);
  });

  it('the 24-hour rule reads the best header, not the tip: a recent header makes every peer sync before its block arrives', () => {
    const { sched, host, blocks } = oldTip();
    const [a, b] = twoHandshakenOutbound(host, blocks);
    expect(getheadersTo(host, b.id)).toBe(0);
    // a announces a header timed now; the block is requested but not yet here, so the tip stays old.
    blocks.processMessage(a, { ...headersMessage(1), tip: { height: 101, timeSeconds: Math.floor(sched.nowMicros() / S) } } as BlockHeadersMessage);
    expect(blocks.bestHeight()).toBe(100);
    expect(getheadersTo(host, b.id)).toBe(1);
    // And a peer connecting now syncs at once.
    const c = rawNode(host, ConnectionType.OUTBOUND_FULL_RELAY);
    blocks.onVersion(c);
    c.successfullyConnected = true;
    handshake(blocks, c);
    expect(getheadersTo(host, c.id)).toBe(1);
  });
});
