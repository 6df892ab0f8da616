// Small simulated networks of unchanged Core connection managers (50-200 nodes, a few simulated
// hours), asserting Core's observable behaviour: outbound slots fill with distinct netgroups,
// feelers at their 2-minute mean, inbound limits and eviction, the peer-connect and ping timeouts,
// the addr-fetch lifecycle, anchors and peers.dat across a restart, and determinism of the digest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { computeSlots } from '../../connman/net/options.ts';
import { outboundCensus } from '../../connman/net/open-connections.ts';
import { NetAddr, Service, serviceOrThrow } from '../../connman/protocol/netaddress.ts';
import type { ConnmanEvent } from '../../connman/ports.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import { hours, minutes, seconds, type Micros } from '../../sim/index.ts';
import { InvariantMonitor, connViewsOf } from '../observe/invariants.ts';
import type { RecordedEvent } from '../host/event-recorder.ts';
import { simAddressOf } from './address-plan.ts';
import { DEFAULT_P2P_PORT, World, type WorldOptions } from './world.ts';
import { addScriptedPeer } from '../actors/scripted-peer.ts';

/** A world whose invariants are checked each time a connection opens (each node against its own slots). */
function watchedWorld(options: WorldOptions): { world: World; monitor: InvariantMonitor } {
  const world = new World({ keepEventLog: true, ...options });
  const monitor = new InvariantMonitor(world);
  monitor.watchConnections();
  return { world, monitor };
}

/** The invariants that broke (none, in a healthy run). */
function broken(monitor: InvariantMonitor): string[] {
  return monitor.violations().filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
}

/** Connections of one type a node holds now (not marked for disconnection). */
function openCount(world: World, index: number, type: ConnectionType): number {
  let n = 0;
  for (const c of world.nodes[index]!.connman?.getNodes() ?? []) if (!c.disconnect && c.connType === type) n++;
  return n;
}

function eventsOf(world: World, node: number, kind: ConnmanEvent['kind']): RecordedEvent[] {
  return world.events.find((r) => r.node === node && r.event.kind === kind);
}

function closesOf(world: World, node: number, addr: string): { time: Micros; reason: string }[] {
  const out: { time: Micros; reason: string }[] = [];
  for (const r of world.events.log) {
    if (r.node === node && r.event.kind === 'connection-closed' && r.event.addr === addr) out.push({ time: r.time, reason: r.event.reason });
  }
  return out;
}

function reproduce(seed: number | string, what: string): string {
  return `${what} (seed ${seed}; reproduce: npx vitest run scenarios/world/network.test.ts -t "${what}")`;
}

describe('a 100-node network from DNS seeds', () => {
  const seed = 11;
  let world: World;
  let monitor: InvariantMonitor;
  beforeAll(() => {
    ({ world, monitor } = watchedWorld({ seed, nodes: 100, listeningShare: 0.5, staleAddresses: 50, startWindowMicros: seconds(30) }));
    world.runUntil(hours(2));
  });
  // The event log of this world is large: let it go before the next tests run.
  afterAll(() => {
    world = undefined as unknown as World;
    monitor = undefined as unknown as InvariantMonitor;
  });

  it("every node's AddrMan interns its addresses in the world's one AddressPool", () => {
    const pools = new Set(world.nodes.filter((n) => n.connman !== undefined).map((n) => n.connman!.addrman.pool));
    expect([...pools]).toEqual([world.addressPool]);
    // The pool holds each distinct address once, not once per node that knows it.
    let known = 0;
    for (const n of world.nodes) known += n.connman?.addrman.size() ?? 0;
    expect(world.addressPool.size).toBeLessThan(known);
  });

  it("each Connman's incrementally kept outbound census equals Core's recount over m_nodes", () => {
    for (const n of world.nodes) {
      const c = n.connman;
      if (c === undefined) continue;
      const got = c.trackedOutboundCensus();
      const want = outboundCensus(c.getNodes(), (a) => c.netgroupman.getGroup(a));
      expect([got.outboundFullRelay, got.outboundBlockRelay, got.outboundPrivacyNetworkPeers, got.outboundIpv46NetgroupCount]).toEqual([
        want.outboundFullRelay,
        want.outboundBlockRelay,
        want.outboundPrivacyNetworkPeers,
        want.outboundIpv46NetgroupCount,
      ]);
      expect([...got.outboundIpv46PeerNetgroups.keys()].sort()).toEqual([...want.outboundIpv46PeerNetgroups.keys()].sort());
    }
  });

  it("each Connman's already-connected checks (kept per address) answer as Core's scans of m_nodes", () => {
    // Probes: every world address, the same IPs on another port, and an address no one has.
    const probes: Service[] = [];
    for (const n of world.nodes) probes.push(Service.of(n.address, DEFAULT_P2P_PORT), Service.of(n.address, DEFAULT_P2P_PORT + 1));
    probes.push(serviceOrThrow('203.0.113.9:8333', 8333));
    let positives = 0;
    for (const n of world.nodes) {
      const c = n.connman;
      if (c === undefined) continue;
      const nodes = c.getNodes();
      for (const p of probes) {
        const byIp = nodes.some((x) => x.addr.equalsAddr(p));
        expect(c.alreadyConnectedToAddress(p)).toBe(byIp);
        expect(c.alreadyConnectedToAddressPort(p)).toBe(nodes.some((x) => x.addr.equals(p)));
        if (byIp) positives++;
      }
      // Inbound peers connect from ephemeral ports: probe their exact addresses too.
      for (const x of nodes) expect(c.alreadyConnectedToAddressPort(x.addr) && c.alreadyConnectedToAddress(x.addr)).toBe(true);
    }
    expect(positives).toBeGreaterThan(500);
  });

  it('every node reaches 8 full-relay and 2 block-relay outbound peers', () => {
    const short: string[] = [];
    for (const n of world.nodes) {
      const full = openCount(world, n.index, ConnectionType.OUTBOUND_FULL_RELAY);
      const block = openCount(world, n.index, ConnectionType.BLOCK_RELAY);
      if (full < 8 || block < 2) short.push(`node ${n.index}: ${full} full, ${block} block`);
    }
    expect(short, reproduce(seed, 'every node reaches')).toEqual([]);
  });

  it('outbound peers are in distinct netgroups, never two to one address, limits hold', () => {
    expect(broken(monitor), reproduce(seed, 'outbound peers are in distinct')).toEqual([]);
    for (const n of world.nodes) {
      const groups = connViewsOf(n.connman!)
        .filter((c) => !c.disconnect && (c.connType === ConnectionType.OUTBOUND_FULL_RELAY || c.connType === ConnectionType.BLOCK_RELAY))
        .map((c) => c.netgroupHex);
      expect(new Set(groups).size).toBe(groups.length);
    }
  });

  it('feelers happen at ~2-minute mean intervals', () => {
    // Feeler attempts per node between 30 min (slots full) and the end; the timer is Exp(2 min), so
    // the mean gap is 2 min plus the little time a feeler's own connect blocks the loop.
    const gaps: number[] = [];
    for (const n of world.nodes) {
      const times = world.events
        .find((r) => r.node === n.index && r.event.kind === 'connect-attempt' && r.event.connType === ConnectionType.FEELER && r.time >= minutes(30))
        .map((r) => r.time);
      for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
    }
    expect(gaps.length).toBeGreaterThan(2000);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // Exponential: the standard deviation equals the mean, so the coefficient of variation is ~1.
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    expect(mean / minutes(1)).toBeGreaterThan(1.9);
    expect(mean / minutes(1)).toBeLessThan(2.25);
    expect(sd / mean).toBeGreaterThan(0.8);
    expect(sd / mean).toBeLessThan(1.2);
  });

  it('feelers leave once their VERSION arrives (feeler-done)', () => {
    expect(world.events.count('connection-closed:feeler-done')).toBeGreaterThan(100);
  });
});

describe('inbound limit and eviction', () => {
  it('inbound never exceeds its limit and the connection past the limit triggers an eviction', () => {
    const seed = 21;
    const maxConnections = 40; // 11 outbound + 29 inbound slots
    const slots = computeSlots(maxConnections);
    // A lone listening node without automatic outbound (-noconnect): only inbound traffic matters here.
    const { world, monitor } = watchedWorld({ seed, nodes: 1, listeningShare: 1, dnsSeeds: 0, connman: { maxConnections, connect: [] } });
    const target = world.nodes[0]!;
    // Block-relay-only peers (fRelay = false), so Core's cap on tx-relaying inbound peers
    // (inboundrelaypercent) does not refuse them before the total inbound limit is reached.
    const peers = Array.from({ length: slots.maxInbound + 8 }, () => addScriptedPeer(world, { relay: false }));
    peers.forEach((p, i) => world.kernel.schedule(seconds(10) * (i + 1), () => p.connect(simAddressOf(target.address), DEFAULT_P2P_PORT)));
    world.runUntil(minutes(15));
    expect(broken(monitor)).toEqual([]);
    // Checked at every accept (and eviction), not only at a tick.
    expect(monitor.nodeChecks).toBeGreaterThanOrEqual(slots.maxInbound + 8);
    expect(monitor.maxInboundSeen(0)).toBe(slots.maxInbound);
    const evictions = eventsOf(world, 0, 'eviction');
    expect(evictions.length, reproduce(seed, 'inbound never exceeds')).toBeGreaterThanOrEqual(1);
    // Every eviction happened when an accept arrived with all inbound slots in use.
    expect(world.events.count('connection-closed:evicted')).toBe(evictions.length);
    expect(openCount(world, 0, ConnectionType.INBOUND)).toBe(slots.maxInbound);
  });
});

describe('inactivity', () => {
  it("a silent peer is dropped after the 60 s connect timeout with reason 'socket no message'", () => {
    const seed = 31;
    const world = new World({ seed, nodes: 1, listeningShare: 1, dnsSeeds: 0, keepEventLog: true, connman: { connect: [] } });
    const silent = addScriptedPeer(world, { silent: true });
    const target = world.nodes[0]!;
    world.kernel.schedule(minutes(5), () => silent.connect(simAddressOf(target.address), DEFAULT_P2P_PORT));
    world.runUntil(minutes(10));
    const opened = eventsOf(world, 0, 'connection-opened').filter((r) => r.event.kind === 'connection-opened' && r.event.inbound && r.event.addr.startsWith(`${silent.service!.toStringAddr()}:`));
    expect(opened.length).toBe(1);
    const addr = opened[0]!.event.kind === 'connection-opened' ? opened[0]!.event.addr : '';
    const closes = closesOf(world, 0, addr);
    expect(closes.map((c) => c.reason)).toEqual(['socket-no-message']);
    const after = closes[0]!.time - opened[0]!.time;
    expect(after).toBeGreaterThan(seconds(60));
    expect(after).toBeLessThanOrEqual(seconds(62));
  });

  it('a silent peer we connect to (-addnode) is dropped after 60 s as well', () => {
    const seed = 33;
    let addedNodes: string[] = [];
    const world = new World({ seed, nodes: 1, listeningShare: 1, dnsSeeds: 0, keepEventLog: true, autoStart: false, connman: () => ({ connect: [], addedNodes }) });
    const silent = addScriptedPeer(world, { silent: true, listen: true });
    addedNodes = [silent.service!.toStringAddrPort()];
    world.startNode(0);
    world.runUntil(minutes(3));
    const addr = silent.service!.toStringAddrPort();
    const opened = eventsOf(world, 0, 'connection-opened').filter((r) => r.event.kind === 'connection-opened' && r.event.addr === addr);
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(opened[0]!.event.kind === 'connection-opened' && opened[0]!.event.connType).toBe(ConnectionType.MANUAL);
    const closes = closesOf(world, 0, addr);
    expect(closes[0]?.reason).toBe('socket-no-message');
    const after = closes[0]!.time - opened[0]!.time;
    expect(after).toBeGreaterThan(seconds(60));
    expect(after).toBeLessThanOrEqual(seconds(62));
    // The silent peer saw our VERSION: we spoke first, it never answered.
    expect(silent.connections.values().next().value?.received[0]).toBe('version');
  });

  it('a peer that stops answering pings is dropped after 20 minutes (ping timeout)', () => {
    const seed = 32;
    const world = new World({ seed, nodes: 1, listeningShare: 1, dnsSeeds: 0, keepEventLog: true, connman: { connect: [] } });
    const mute = addScriptedPeer(world, { answerPings: false, keepAliveMicros: minutes(3) });
    const target = world.nodes[0]!;
    world.kernel.schedule(minutes(5), () => mute.connect(simAddressOf(target.address), DEFAULT_P2P_PORT));
    world.runUntil(minutes(40));
    const opened = eventsOf(world, 0, 'connection-opened').find((r) => r.event.kind === 'connection-opened' && r.event.addr.startsWith(`${mute.service!.toStringAddr()}:`));
    expect(opened).toBeDefined();
    const addr = opened!.event.kind === 'connection-opened' ? opened!.event.addr : '';
    const closes = closesOf(world, 0, addr);
    expect(closes.map((c) => c.reason)).toEqual(['ping-timeout']);
    const after = closes[0]!.time - opened!.time;
    expect(after).toBeGreaterThan(minutes(20));
    expect(after).toBeLessThan(minutes(21));
  });
});

describe('addr-fetch lifecycle (-seednode)', () => {
  function addrs(n: number, base: number): Address[] {
    return Array.from({ length: n }, (_, i) => addressAt(base + i));
  }

  it('an addr-fetch peer leaves after sending more than one address, or after 300 s', () => {
    const seed = 41;
    let seedNodes: string[] = [];
    const world = new World({
      seed,
      nodes: 1,
      listeningShare: 1,
      dnsSeeds: 0,
      keepEventLog: true,
      autoStart: false,
      connman: () => ({ seedNodes, fixedSeeds: false }),
    });
    // 1000 addresses: enough that AddrMan's selection finds entries quickly afterwards.
    const answering = addScriptedPeer(world, { listen: true, getAddrAnswer: addrs(1000, 0) });
    const mute = addScriptedPeer(world, { listen: true });
    // Node 0 has an empty addrman and two seed nodes: one is queued at once, the next 10 s later
    // while it has fewer than 2 full-relay outbound peers.
    seedNodes = [answering.service!.toStringAddrPort(), mute.service!.toStringAddrPort()];
    world.startNode(0);
    world.runUntil(minutes(7));
    const fetches = world.events.find((r) => r.node === 0 && r.event.kind === 'connection-opened' && r.event.connType === ConnectionType.ADDR_FETCH);
    const byAddr = new Map(fetches.map((r) => [r.event.kind === 'connection-opened' ? r.event.addr : '', r.time]));
    const answeringAddr = answering.service!.toStringAddrPort();
    const muteAddr = mute.service!.toStringAddrPort();
    expect([...byAddr.keys()].sort()).toEqual([answeringAddr, muteAddr].sort());
    const c1 = closesOf(world, 0, answeringAddr);
    expect(c1.map((c) => c.reason)).toEqual(['addr-fetch-done']);
    expect(c1[0]!.time - byAddr.get(answeringAddr)!).toBeLessThan(seconds(2));
    const c2 = closesOf(world, 0, muteAddr);
    expect(c2.map((c) => c.reason)).toEqual(['addr-fetch-timeout']);
    const lived = c2[0]!.time - byAddr.get(muteAddr)!;
    expect(lived).toBeGreaterThan(seconds(300));
    expect(lived).toBeLessThan(seconds(302));
  });
});

function addressAt(i: number): Address {
  // (11..99).b.c.1: routable (no special-purpose block starts with 11..99), a /16 per entry.
  return new Address(netAddrV4(11 + (i % 89), Math.floor(i / 89) & 255, 7, 1).withPort(8333), NODE_NETWORK | NODE_WITNESS, 1_700_000_000);
}

function netAddrV4(a: number, b: number, c: number, d: number): NetAddr {
  return NetAddr.fromIPv4(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
}

describe('restart: anchors and peers.dat', () => {
  it('anchors are reconnected first after a restart, and peers.dat is reloaded', () => {
    const seed = 51;
    const world = new World({ seed, nodes: 60, listeningShare: 0.5, staleAddresses: 50, keepEventLog: true, startWindowMicros: seconds(30) });
    world.runUntil(hours(1));
    const k = world.nodes.find((n) => !n.listening)!.index;
    const blockRelay = new Set<string>();
    const open = new Map<number, { addr: string; type: ConnectionType }>();
    for (const r of world.events.log) {
      if (r.node !== k) continue;
      if (r.event.kind === 'connection-opened') open.set(r.event.nodeId, { addr: r.event.addr, type: r.event.connType });
      if (r.event.kind === 'connection-closed') open.delete(r.event.nodeId);
    }
    for (const c of open.values()) if (c.type === ConnectionType.BLOCK_RELAY) blockRelay.add(c.addr);
    expect(blockRelay.size).toBe(2);
    const restartAt = world.kernel.now();
    world.restartNode(k, seconds(30));
    world.runUntil(restartAt + minutes(10));
    const after = world.events.log.filter((r) => r.node === k && r.time >= restartAt);
    const dumped = after.find((r) => r.event.kind === 'anchors-dumped');
    expect(dumped?.event.kind === 'anchors-dumped' && dumped.event.count).toBe(2);
    const read = after.find((r) => r.event.kind === 'anchors-read');
    expect(read?.event.kind === 'anchors-read' && read.event.count).toBe(2);
    const loaded = after.find((r) => r.event.kind === 'peers-loaded');
    expect(loaded?.event.kind === 'peers-loaded' && loaded.event.ok).toBe(true);
    expect(loaded?.event.kind === 'peers-loaded' && loaded.event.entries).toBeGreaterThan(20);
    const attempts = after.filter((r) => r.event.kind === 'connect-attempt').slice(0, 2);
    expect(attempts.map((r) => (r.event.kind === 'connect-attempt' ? r.event.connType : -1))).toEqual([ConnectionType.BLOCK_RELAY, ConnectionType.BLOCK_RELAY]);
    expect(new Set(attempts.map((r) => (r.event.kind === 'connect-attempt' ? r.event.addr : '')))).toEqual(blockRelay);
  });
});

describe('determinism', () => {
  function digestOf(seed: number): string {
    const world = new World({ seed, nodes: 50, listeningShare: 0.5, staleAddresses: 50, startWindowMicros: seconds(20) });
    world.runUntil(minutes(20));
    return world.digest();
  }

  it('the same small network twice gives the same digest; another seed another digest', () => {
    const a = digestOf(7);
    const b = digestOf(7);
    const c = digestOf(8);
    expect(a, 'seed 7 twice').toBe(b);
    expect(c).not.toBe(a);
  });
});
