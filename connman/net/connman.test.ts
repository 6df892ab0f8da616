import { describe, expect, it } from 'vitest';
import { ANCHORS_DAT, Connman, ConnectionDirection, PEERS_DAT } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { addrMessage, MSG_GETADDR, MSG_PING, MSG_VERACK, MSG_VERSION, versionMessage, verackMessage } from '../protocol/messages.ts';
import { NetAddr, serviceOrThrow, type Service } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { SubNet } from '../protocol/subnet.ts';
import { TIMEOUT_INTERVAL } from './inactivity.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

function addr(text: string, services = NODE_NETWORK | NODE_WITNESS, ageSeconds = 3600, now = 1_700_000_000): Address {
  return new Address(serviceOrThrow(text, 8333), services, now - ageSeconds);
}

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  files: FakeFileStore;
  dns: FakeDns;
  log: EventLog;
  cm: Connman;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}, nAddrs = 40, files = new FakeFileStore(), seed = 1): World {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const dns = new FakeDns();
  const log = new EventLog();
  const seedBytes = new Uint8Array(32);
  seedBytes[0] = seed;
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(seedBytes), transport, events: log, files, dns, log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }).connman;
  const source = NetAddr.fromIPv4(0x05060708);
  for (let i = 0; i < nAddrs; i++) cm.addrman.add([addr(`${20 + i}.${i}.1.1`)], source);
  return { sched, transport, files, dns, log, cm };
}

function outboundByType(cm: Connman): Map<ConnectionType, number> {
  const m = new Map<ConnectionType, number>();
  for (const n of cm.getNodes()) m.set(n.connType, (m.get(n.connType) ?? 0) + 1);
  return m;
}

describe('Connman: open connections', () => {
  it('fills 8 full-relay and 2 block-relay slots with distinct netgroups, then idles', () => {
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(30 * S);
    const m = outboundByType(w.cm);
    expect(m.get(ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
    expect(m.get(ConnectionType.BLOCK_RELAY)).toBe(2);
    const groups = new Set(w.cm.getNodes().map((n) => n.addr.toStringAddr().split('.').slice(0, 2).join('.')));
    expect(groups.size).toBe(10);
    for (const n of w.cm.getNodes()) expect(n.successfullyConnected).toBe(true);
    expect(w.cm.getGrantsInUse().outbound).toBe(10);
    // Idle: no feeler due yet would mean very few events over a long quiet stretch.
    const before = w.sched.executed;
    w.sched.runFor(1 * S);
    expect(w.sched.executed - before).toBeLessThan(5);
  });

  it('sends GETADDR to full-relay peers only and records Good/Attempt in addrman', () => {
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(30 * S);
    for (const n of w.cm.getNodes()) {
      const c = w.transport.conns.get(n.conn)!;
      const getaddr = c.sent.filter((m) => m.type === MSG_GETADDR).length;
      expect(getaddr).toBe(n.connType === ConnectionType.OUTBOUND_FULL_RELAY ? 1 : 0);
      const v = c.sent.find((m) => m.type === MSG_VERSION) as { relay: boolean } | undefined;
      expect(v?.relay).toBe(n.connType !== ConnectionType.BLOCK_RELAY);
      expect(w.cm.addrman.getInfo(n.addr)?.inTried).toBe(true);
    }
    expect(w.log.ofKind('addrman').filter((e) => e.action === 'attempt').length).toBeGreaterThanOrEqual(10);
  });

  it('makes feeler connections that end right after VERSION', () => {
    const w = makeWorld({}, 60);
    w.cm.start();
    w.sched.runFor(30 * 60 * S);
    const feelers = w.log.ofKind('connection-opened').filter((e) => e.connType === ConnectionType.FEELER);
    expect(feelers.length).toBeGreaterThan(3);
    const done = w.log.ofKind('connection-closed').filter((e) => e.connType === ConnectionType.FEELER);
    expect(done.length).toBeGreaterThan(0);
    for (const d of done) expect(d.reason).toBe('feeler-done');
  });

  it('reconnects after a peer goes away (the loop wakes on a disconnect)', () => {
    const w = makeWorld({ feelers: false });
    w.cm.start();
    w.sched.runFor(30 * S);
    const victim = w.cm.getNodes().find((n) => n.connType === ConnectionType.OUTBOUND_FULL_RELAY)!;
    w.transport.remoteClose(victim.conn);
    w.sched.runFor(2 * S);
    expect(w.log.ofKind('connection-closed').some((e) => e.nodeId === victim.id && e.reason === 'remote-closed')).toBe(true);
    expect(outboundByType(w.cm).get(ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
  });

  it('does not connect while the network is inactive and disconnects everyone', () => {
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(30 * S);
    w.cm.setNetworkActive(false);
    w.sched.runFor(5 * S);
    expect(w.cm.getNodeCount()).toBe(0);
    expect(w.log.ofKind('connection-closed').every((e) => e.reason === 'network-inactive')).toBe(true);
    w.cm.setNetworkActive(true);
    w.sched.runFor(30 * S);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBeGreaterThanOrEqual(10);
  });

  it('an empty addrman asks the DNS seeds at once and connects to what they return', () => {
    const w = makeWorld({ dnsSeed: true, dnsSeeds: ['seed.a', 'seed.b'] }, 0);
    for (const s of ['seed.a', 'seed.b']) {
      w.dns.answers.set(
        s,
        Array.from({ length: 12 }, (_, i) => NetAddr.fromIPv4(((s === 'seed.a' ? 60 : 90) + i) * 2 ** 24 + 0x010101)),
      );
    }
    w.cm.start();
    w.sched.runFor(20 * S);
    expect(w.dns.queries.sort()).toEqual(['seed.a', 'seed.b']);
    expect(w.cm.addrman.size()).toBe(24);
    expect(outboundByType(w.cm).get(ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
  });

  it('a DNS seed that returns nothing becomes an ADDR_FETCH destination', () => {
    const w = makeWorld({ dnsSeed: true, dnsSeeds: ['seed.empty'] }, 0);
    w.cm.start();
    w.sched.runFor(2 * S);
    expect(w.log.ofKind('dns-seed')).toEqual([{ kind: 'dns-seed', seed: 'seed.empty', found: 0, fallback: true }]);
    // The name does not resolve either, so the addr-fetch attempt fails before connecting.
    expect(w.log.ofKind('connect-failed').some((e) => e.connType === ConnectionType.ADDR_FETCH)).toBe(true);
  });

  it('adds fixed seeds 60 s after start when a reachable network is empty', () => {
    const fixed = [serviceOrThrow('77.1.1.1:8333', 8333), serviceOrThrow('[2001:db9::1]:8333', 8333)];
    const w = makeWorld({ fixedSeeds: true, fixedSeedList: fixed, dnsSeed: true, dnsSeeds: [] }, 20);
    w.cm.start();
    w.sched.runFor(59 * S);
    expect(w.log.ofKind('fixed-seeds-added')).toEqual([]);
    w.sched.runFor(3 * S);
    // IPv4 has entries, IPv6 is empty: only the IPv6 seed is added.
    expect(w.log.ofKind('fixed-seeds-added')).toEqual([{ kind: 'fixed-seeds-added', count: 1 }]);
  });

  it('removing the last added node lets the fixed seeds in on the next pass (-dnsseed=0), not 60 s after start', () => {
    const fixed = [serviceOrThrow('77.1.1.1:8333', 8333), serviceOrThrow('78.1.1.1:8333', 8333)];
    const w = makeWorld({ fixedSeeds: true, fixedSeedList: fixed, dnsSeed: false, addedNodes: ['9.9.9.9:8333'] }, 0);
    w.cm.start();
    w.sched.runFor(10 * S);
    expect(w.log.ofKind('fixed-seeds-added')).toEqual([]);
    expect(w.cm.removeAddedNode('9.9.9.9:8333')).toBe(true);
    // Core's loop re-reads the added-node list within one 500 ms pass.
    w.sched.runFor(S / 2 + 1);
    expect(w.log.ofKind('fixed-seeds-added')).toEqual([{ kind: 'fixed-seeds-added', count: 2 }]);
  });

  it('a numeric destination that is not a valid address (0.0.0.0) is refused, never sent to the resolver', () => {
    const w = makeWorld({}, 0);
    w.cm.start();
    expect(w.cm.addConnection('0.0.0.0', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.dns.queries).toEqual([]);
    expect(w.log.ofKind('connect-failed').filter((e) => e.addr === '0.0.0.0')).toEqual([{ kind: 'connect-failed', addr: '0.0.0.0', connType: ConnectionType.OUTBOUND_FULL_RELAY, reason: 'invalid' }]);
    expect(w.cm.getNodes()).toEqual([]);
  });

  it('adds fixed seeds at once with -dnsseed=0, no seednodes and no added nodes', () => {
    const fixed = [serviceOrThrow('77.1.1.1:8333', 8333), serviceOrThrow('78.1.1.1:8333', 8333)];
    const w = makeWorld({ fixedSeeds: true, fixedSeedList: fixed, dnsSeed: false }, 0);
    w.cm.start();
    w.sched.runFor(S);
    expect(w.log.ofKind('fixed-seeds-added')).toEqual([{ kind: 'fixed-seeds-added', count: 2 }]);
  });
});

describe('Connman: handshake, ping, inactivity', () => {
  it('tracks ping round trips and the minimum', () => {
    const w = makeWorld({ feelers: false });
    w.transport.behaviourFor = () => ({ latencyMicros: 40_000 });
    w.cm.start();
    w.sched.runFor(30 * S);
    const n = w.cm.getNodes()[0]!;
    // Our ping went out at handshake; the pong came back after one round trip.
    expect(n.minPingTimeMicros).toBe(80_000);
    w.sched.runFor(10 * 60 * S);
    const stats = w.cm.getNodeStats().find((s) => s.nodeid === n.id)!;
    expect(stats.minPingMicros).toBe(80_000);
    const pings = w.transport.conns.get(n.conn)!.sent.filter((m) => m.type === MSG_PING).length;
    // One right after the handshake, then every 2 minutes (send to send).
    expect(pings).toBe(6);
  });

  it('an unanswered ping disconnects after 20 minutes with ping-timeout', () => {
    const w = makeWorld({ connect: [] }, 0);
    w.transport.behaviourFor = () => ({ answerPings: false });
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(10 * S);
    const n = w.cm.getNodes()[0]!;
    expect(n.successfullyConnected).toBe(true);
    const start = n.pingStartMicros;
    expect(start).toBeGreaterThan(0);
    // Keep the socket-level timers quiet: the peer talks (a ping of its own) every few minutes.
    for (let t = 1; t <= 6; t++) w.transport.deliver(n.conn, { type: MSG_PING, sizeBytes: 32, nonce: 9n } as never, t * 180 * S);
    w.sched.runUntil(start + TIMEOUT_INTERVAL);
    expect(n.disconnect).toBe(false);
    w.sched.runUntil(start + TIMEOUT_INTERVAL + 2);
    const closed = w.log.ofKind('connection-closed').find((e) => e.nodeId === n.id);
    expect(closed?.reason).toBe('ping-timeout');
  });

  it('silent inbound peers are dropped after the peer-connect timeout with the right reasons', () => {
    const w = makeWorld({ feelers: false, peerConnectTimeoutSeconds: 3 }, 0);
    w.cm.start();
    w.transport.accept(LOCAL, serviceOrThrow("50.1.1.1:5000", 8333), { polite: false });
    const versionOnly = w.transport.accept(LOCAL, serviceOrThrow('51.1.1.1:5000', 8333), { polite: false });
    const pingOnly = w.transport.accept(LOCAL, serviceOrThrow('52.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(versionOnly, versionMessage({ services: 9, timeSeconds: 1, nonce: 5n, relay: true }), 0);
    w.transport.deliver(pingOnly, { type: MSG_PING, sizeBytes: 32, nonce: 7n } as never, 0);
    w.sched.runFor(2 * S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(3);
    w.sched.runFor(2 * S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(0);
    const reasons = new Map(w.log.ofKind('connection-closed').map((e) => [e.addr, e.reason]));
    expect(reasons.get('50.1.1.1:5000')).toBe('socket-no-message');
    expect(reasons.get('51.1.1.1:5000')).toBe('version-handshake-timeout');
    expect(reasons.get('52.1.1.1:5000')).toBe('socket-no-message');
  });

  it('an inbound handshake: our VERSION answers theirs, VERACK completes it', () => {
    const w = makeWorld({ feelers: false }, 0);
    w.cm.start();
    const h = w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(h, versionMessage({ services: 9, timeSeconds: 1, nonce: 5n, relay: true }), 0);
    w.transport.deliver(h, verackMessage(), 10);
    w.sched.runFor(S);
    const sent = w.transport.conns.get(h)!.sent.map((m) => m.type);
    expect(sent.slice(0, 4)).toEqual([MSG_VERSION, 'wtxidrelay', 'sendaddrv2', MSG_VERACK]);
    expect(sent).not.toContain(MSG_GETADDR);
    const node = w.cm.getNodes()[0]!;
    expect(node.successfullyConnected).toBe(true);
    expect(node.relaysTxs).toBe(true);
    // Bytes are counted per message type, header included.
    const st = w.cm.getNodeStats()[0]!;
    expect(st.bytesRecvPerMsg.get('verack')).toBe(24);
    expect(st.bytesSentPerMsg.get('verack')).toBe(24);
    expect(w.cm.getTotalBytesSent()).toBe(st.bytesSent);
  });

  it('detects a connection to itself by the VERSION nonce', () => {
    const w = makeWorld({ connect: [] }, 0);
    w.transport.behaviourFor = () => ({ polite: false });
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(S);
    const out = w.cm.getNodes()[0]!;
    const h = w.transport.accept(LOCAL, serviceOrThrow('60.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(h, versionMessage({ services: 9, timeSeconds: 1, nonce: out.localNonce, relay: true }), 0);
    w.sched.runFor(1);
    expect(w.log.ofKind('connection-closed').find((e) => e.addr === '60.1.1.1:5000')?.reason).toBe('self-connection');
  });

  it('disconnects outbound peers without the desirable services', () => {
    const w = makeWorld({ connect: [] }, 0);
    w.transport.behaviourFor = () => ({ services: NODE_WITNESS });
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.BLOCK_RELAY);
    w.sched.runFor(2 * S);
    expect(w.log.ofKind('connection-closed')[0]?.reason).toBe('missing-services');
  });
});

describe('Connman: addr-fetch', () => {
  it('an addr-fetch peer is dropped after an addr message with more than one entry', () => {
    const w = makeWorld({ feelers: false, seedNodes: ['70.1.1.1'] }, 0);
    w.transport.behaviourFor = () => ({
      getAddrReply: addrMessage([addr('80.1.1.1:8333'), addr('81.1.1.1:8333')]),
    });
    w.cm.start();
    w.sched.runFor(3 * S);
    const closed = w.log.ofKind('connection-closed').find((e) => e.connType === ConnectionType.ADDR_FETCH);
    expect(closed?.reason).toBe('addr-fetch-done');
    expect(w.cm.addrman.size()).toBe(2);
  });

  it('a silent addr-fetch peer stays until 300 s after connecting', () => {
    const w = makeWorld({ feelers: false, seedNodes: ['70.1.1.1'] }, 0);
    w.cm.start();
    w.sched.runFor(2 * S);
    const node = w.cm.getNodes().find((n) => n.connType === ConnectionType.ADDR_FETCH)!;
    expect(node).toBeDefined();
    w.sched.runUntil(node.connectedMicros + 295 * S);
    expect(node.disconnect).toBe(false);
    w.sched.runUntil(node.connectedMicros + 301 * S);
    const closed = w.log.ofKind('connection-closed').find((e) => e.nodeId === node.id);
    expect(closed?.reason).toBe('addr-fetch-timeout');
  });
});

describe('Connman: inbound limits and eviction', () => {
  it('accepts up to the inbound limit, then evicts, and drops when nobody is evictable', () => {
    // -maxconnections=13: 2 inbound slots.
    const w = makeWorld({ feelers: false, maxConnections: 13 }, 0);
    w.cm.start();
    w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('51.1.1.1:5000', 8333));
    w.sched.runFor(1);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(2);
    w.transport.accept(LOCAL, serviceOrThrow('52.1.1.1:5000', 8333));
    w.sched.runFor(1);
    // Two candidates are always protected (fewer than 21): the newcomer is dropped.
    expect(w.log.ofKind('inbound-dropped')).toEqual([{ kind: 'inbound-dropped', addr: '52.1.1.1:5000', reason: 'full' }]);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(2);
  });

  it('evicts an inbound peer when 29+ candidates compete for the slots', () => {
    const w = makeWorld({ feelers: false, maxConnections: 11 + 30 }, 0);
    w.cm.start();
    for (let i = 0; i < 30; i++) w.transport.accept(LOCAL, serviceOrThrow(`${50 + i}.1.1.1:5000`, 8333));
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(30);
    w.transport.accept(LOCAL, serviceOrThrow('99.1.1.1:5000', 8333));
    w.sched.runFor(S);
    expect(w.log.ofKind('eviction').length).toBe(1);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(30);
    expect(w.cm.getNodes().some((n) => n.addr.toStringAddrPort() === '99.1.1.1:5000')).toBe(true);
  });

  it('the tx-relay inbound cap drops a second tx-relaying peer (p2p_connection_limits)', () => {
    const w = makeWorld({ feelers: false, maxConnections: 13 }, 0);
    w.cm.start();
    const a = w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(a, versionMessage({ services: 9, timeSeconds: 1, nonce: 5n, relay: true }), 0);
    w.sched.runFor(1);
    const b = w.transport.accept(LOCAL, serviceOrThrow('51.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(b, versionMessage({ services: 9, timeSeconds: 1, nonce: 6n, relay: true }), 0);
    w.sched.runFor(1);
    expect(w.log.ofKind('connection-closed').map((e) => [e.addr, e.reason])).toEqual([['51.1.1.1:5000', 'tx-relay-capacity']]);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(1);
  });
});

describe('Connman: disconnectNode variants (§11.2)', () => {
  function withPeers(): World {
    const w = makeWorld({ feelers: false }, 0);
    w.cm.start();
    w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5001', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('50.1.2.1:5000', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('51.1.1.1:5000', 8333));
    w.sched.runFor(1);
    return w;
  }
  it('by id', () => {
    const w = withPeers();
    expect(w.cm.disconnectNode(0)).toBe(true);
    expect(w.cm.disconnectNode(99)).toBe(false);
    w.sched.runFor(1);
    expect(w.cm.getNodeCount()).toBe(3);
  });
  it('by name: the first node whose name matches', () => {
    const w = withPeers();
    expect(w.cm.disconnectNode('50.1.1.1:5001')).toBe(true);
    expect(w.cm.disconnectNode('50.1.1.1')).toBe(false);
    w.sched.runFor(1);
    expect(w.cm.getNodes().map((n) => n.addrName)).toEqual(['50.1.1.1:5000', '50.1.2.1:5000', '51.1.1.1:5000']);
  });
  it('by address: every port of that IP', () => {
    const w = withPeers();
    expect(w.cm.disconnectNodeByAddress(NetAddr.fromIPv4(0x32010101), SubNet.single)).toBe(true);
    w.sched.runFor(1);
    expect(w.cm.getNodes().map((n) => n.addrName)).toEqual(['50.1.2.1:5000', '51.1.1.1:5000']);
  });
  it('by subnet', () => {
    const w = withPeers();
    expect(w.cm.disconnectNodeBySubnet(SubNet.fromPrefix(NetAddr.fromIPv4(0x32010000), 16))).toBe(true);
    expect(w.cm.disconnectNodeBySubnet(SubNet.fromPrefix(NetAddr.fromIPv4(0x40000000), 8))).toBe(false);
    w.sched.runFor(1);
    expect(w.cm.getNodes().map((n) => n.addrName)).toEqual(['51.1.1.1:5000']);
  });
  it('lookups: alreadyConnectedToAddress ignores the port, AddressPort does not', () => {
    const w = withPeers();
    expect(w.cm.alreadyConnectedToAddress(NetAddr.fromIPv4(0x32010101))).toBe(true);
    expect(w.cm.alreadyConnectedToAddressPort(serviceOrThrow('50.1.1.1:5002', 8333))).toBe(false);
    expect(w.cm.alreadyConnectedToAddressPort(serviceOrThrow('50.1.1.1:5001', 8333))).toBe(true);
    expect(w.cm.alreadyConnectedToHost('51.1.1.1:5000')).toBe(true);
  });
});

describe('Connman: persistence', () => {
  it('anchors: the block-relay peers are written at stop, then read and deleted at start', () => {
    const w = makeWorld({ feelers: false });
    w.cm.start();
    w.sched.runFor(30 * S);
    const blockRelay = w.cm.getNodes().filter((n) => n.isBlockOnly()).map((n) => n.addr.toStringAddrPort());
    expect(blockRelay.length).toBe(2);
    w.cm.stop();
    expect(w.files.files.has(ANCHORS_DAT)).toBe(true);
    expect(w.files.files.has(PEERS_DAT)).toBe(true);

    const w2 = makeWorld({ feelers: false }, 0, w.files, 2);
    expect(w2.cm.addrman.size()).toBe(w.cm.addrman.size());
    w2.cm.start();
    expect(w2.files.files.has(ANCHORS_DAT)).toBe(false);
    expect(w2.log.ofKind('anchors-read')).toEqual([{ kind: 'anchors-read', count: 2 }]);
    w2.sched.runFor(5 * S);
    const first = w2.cm.getNodes().slice(0, 2);
    expect(first.map((n) => n.connType)).toEqual([ConnectionType.BLOCK_RELAY, ConnectionType.BLOCK_RELAY]);
    // Anchors are consumed last-first.
    expect(first.map((n) => n.addr.toStringAddrPort())).toEqual([blockRelay[1], blockRelay[0]]);
  });

  it('a corrupt anchors.dat gives no anchors and is deleted', () => {
    const files = new FakeFileStore();
    files.write(ANCHORS_DAT, Uint8Array.of(1, 2, 3));
    const w = makeWorld({}, 0, files);
    w.cm.start();
    expect(files.files.has(ANCHORS_DAT)).toBe(false);
    expect(w.log.ofKind('anchors-read')).toEqual([{ kind: 'anchors-read', count: 0 }]);
  });

  it('peers.dat is dumped every 15 minutes and reloaded by the next Connman', () => {
    const w = makeWorld({ feelers: false }, 25);
    w.cm.start();
    w.sched.runFor(15 * 60 * S + 1);
    expect(w.log.ofKind('peers-dumped').length).toBe(1);
    const w2 = makeWorld({}, 0, w.files);
    expect(w2.cm.addrman.size()).toBe(25);
    expect(w2.log.ofKind('peers-loaded')).toEqual([{ kind: 'peers-loaded', entries: 25, ok: true }]);
  });
});

describe('Connman: added nodes and addconnection', () => {
  it('opens MANUAL connections to added nodes and retries after 60 s', () => {
    const w = makeWorld({ feelers: false, addedNodes: ['90.1.1.1', '91.1.1.1:8444'] }, 0);
    w.transport.policy = (to: Service) => (to.toStringAddr() === '91.1.1.1' ? 'refused' : 'accept');
    w.cm.start();
    w.sched.runFor(2 * S);
    expect(w.cm.getNodes().map((n) => [n.addrName, n.connType])).toEqual([['90.1.1.1', ConnectionType.MANUAL]]);
    const tries = () => w.transport.connectLog.filter((c) => c.to.toStringAddr() === '91.1.1.1').length;
    expect(tries()).toBe(1);
    w.sched.runFor(59 * S);
    expect(tries()).toBe(1);
    w.sched.runFor(3 * S);
    expect(tries()).toBe(2);
    const info = w.cm.getAddedNodeInfo(true);
    expect(info.map((i) => [i.params.addedNode, i.connected])).toEqual([
      ['90.1.1.1', true],
      ['91.1.1.1:8444', false],
    ]);
  });

  it('addConnection respects the per-type limits', () => {
    const w = makeWorld({ feelers: false, connect: [] }, 0);
    w.cm.start();
    expect(w.cm.addConnection('95.1.1.1', ConnectionType.MANUAL)).toBe(false);
    expect(w.cm.addConnection('95.1.1.1', ConnectionType.BLOCK_RELAY)).toBe(true);
    expect(w.cm.addConnection('95.1.1.2', ConnectionType.BLOCK_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.cm.addConnection('95.1.1.3', ConnectionType.BLOCK_RELAY)).toBe(false);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(2);
  });
});
