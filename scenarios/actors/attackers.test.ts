// Attackers against small worlds of unchanged Core nodes: every assertion is about what the
// victims' real connman / peerman code did with the attackers' traffic (events and node state),
// checked against the attackers' own counters.
import { describe, expect, it } from 'vitest';
import { computeSlots } from '../../connman/net/options.ts';
import type { NetAddr } from '../../connman/protocol/netaddress.ts';
import { minutes, seconds, type DistributionSpec } from '../../sim/index.ts';
import { Ipv4AddressPlan } from '../world/address-plan.ts';
import type { RecordedEvent } from '../host/event-recorder.ts';
import { World } from '../world/world.ts';
import { resolveAddresses, type AttackerEnv } from './attacker-env.ts';
import { ATTACKER_KINDS, createAttacker, type AttackerSpec } from './create-attacker.ts';
import { attackerEnvFromWorld } from './world-env.ts';

/** An env over a world, with addresses from a plan on a forked stream (as the brief's tests do). */
function envFor(world: World, label: string): AttackerEnv {
  const env = attackerEnvFromWorld(world, label);
  const plan = new Ipv4AddressPlan(world.rng.fork(`test-attacker-addresses/${label}`));
  env.allocateAddresses = (count) => Array.from({ length: count }, () => plan.next());
  return env;
}

function ipsOf(addrs: readonly NetAddr[]): Set<string> {
  return new Set(addrs.map((a) => a.toStringAddr()));
}

/** The ip part of "ip:port" (IPv4 only here). */
function ipOf(addrPort: string): string {
  return addrPort.slice(0, addrPort.lastIndexOf(':'));
}

function reproduce(seed: number, what: string): string {
  return `${what} (seed ${seed}; reproduce: npx vitest run scenarios/actors/attackers.test.ts -t "${what}")`;
}

describe('AddrFlooder', () => {
  it('flooded addresses reach the victim new table, rate-limited by the token bucket', () => {
    const seed = 101;
    const world = new World({ seed, nodes: 30, keepEventLog: true, startWindowMicros: seconds(10) });
    const victim = world.nodes.find((n) => n.listening)!;
    const env = envFor(world, 'attacker-0');
    const start = minutes(2);
    const flooder = createAttacker(env, { kind: 'addr-flood', name: 'attacker-0', targets: [victim.service], messagesPerSecond: 2, advertiseCount: 1000, startDelayMicros: start });
    world.runUntil(minutes(12));
    const attackerIps = ipsOf(flooder.addresses());
    const received = world.events.find((r) => r.node === victim.index && r.event.kind === 'addr-received' && attackerIps.has(ipOf(r.event.addr)));
    const stats = flooder.stats();
    let count = 0;
    let processed = 0;
    let rateLimited = 0;
    let stored = 0;
    for (const r of received) {
      if (r.event.kind !== 'addr-received') continue;
      count += r.event.count;
      processed += r.event.processed;
      rateLimited += r.event.rateLimited;
      stored += r.event.stored;
    }
    const what = reproduce(seed, 'flooded addresses reach');
    expect(stats.handshakes, what).toBe(1);
    expect(stats.addrMessagesSent).toBeGreaterThan(1100);
    // Every message sent but those still in flight was processed by the victim.
    expect(received.length).toBeGreaterThanOrEqual(stats.addrMessagesSent! - 1);
    expect(count).toBe(received.length * 1000);
    // Core's bucket: 1 token at connect, then 0.1 per second, up to 1000: the flood gets through at
    // 0.1 addresses per second whatever its rate.
    const first = received[0]!.time;
    const last = received[received.length - 1]!.time;
    const allowance = 1 + ((last - first) / 1e6) * 0.1;
    expect(processed).toBeGreaterThanOrEqual(Math.floor(allowance) - 1);
    expect(processed).toBeLessThanOrEqual(Math.ceil(allowance) + 1);
    expect(rateLimited).toBe(count - processed);
    // Everything processed is a routable IPv4 address with NODE_NETWORK: all handed to AddrMan.
    expect(stored).toBe(processed);
    const addrman = victim.connman!.addrman;
    let inNew = 0;
    let inTried = 0;
    const adds = world.events.find((r: RecordedEvent) => r.node === victim.index && r.event.kind === 'addrman' && r.event.action === 'add' && attackerIps.has(ipOf(r.event.addr)));
    expect(adds.length).toBeGreaterThan(0);
    // The victim's AddrMan entries learnt from the flooder.
    for (const e of addrman.getEntries(false)) if (attackerIps.has(e.info.source.toStringAddr())) inNew++;
    for (const e of addrman.getEntries(true)) if (attackerIps.has(e.info.source.toStringAddr())) inTried++;
    // Some of the processed addresses collide in a new bucket slot with an earlier one (or twice the
    // same one): most land.
    expect(inNew).toBeGreaterThanOrEqual(Math.floor(processed * 0.8));
    expect(inNew).toBeLessThanOrEqual(processed);
    expect(inTried).toBe(0);
  });
});

describe('InboundSybils', () => {
  it('Sybils over many /16s fill the victim inbound slots and its eviction kicks in', () => {
    const seed = 102;
    const maxConnections = 40;
    const slots = computeSlots(maxConnections);
    let victimIndex = -1;
    const world = new World({ seed, nodes: 30, keepEventLog: true, autoStart: false, connman: (i) => (i === victimIndex ? { maxConnections } : {}) });
    const target = world.nodes.find((n) => n.listening)!;
    victimIndex = target.index;
    for (const n of world.nodes) world.startNode(n.index);
    const env = envFor(world, 'attacker-0');
    const sybils = createAttacker(env, { kind: 'inbound-sybils', name: 'attacker-0', targets: [target.service], count: slots.maxInbound + 10, startDelayMicros: minutes(5) });
    let honestBefore = -1;
    world.kernel.schedule(minutes(5), () => {
      honestBefore = target.connman!.getNodeStats().filter((s) => s.inbound).length;
    });
    world.runUntil(minutes(12));
    const what = reproduce(seed, 'Sybils over many');
    const stats = sybils.stats();
    const attackerIps = ipsOf(sybils.addresses());
    const inbound = target.connman!.getNodeStats().filter((s) => s.inbound);
    const attackerInbound = inbound.filter((s) => attackerIps.has(ipOf(s.addr)));
    expect(inbound.length, what).toBe(slots.maxInbound);
    // Both sides agree on what the attacker holds.
    expect(attackerInbound.length).toBe(stats.open);
    // The Sybils took every slot the honest peers left free. Beyond that, eviction sees a pool of
    // young Sybils each in its own netgroup against long-standing honest peers: Core's protections
    // (longest-connected half, low ping, distinct netgroups) make it evict the young Sybils.
    expect(honestBefore).toBeGreaterThan(0);
    expect(honestBefore).toBeLessThan(slots.maxInbound);
    expect(attackerInbound.length).toBeGreaterThanOrEqual(slots.maxInbound - honestBefore);
    const evictions = world.events.find((r) => r.node === target.index && r.event.kind === 'eviction');
    expect(evictions.length).toBeGreaterThan(0);
    // Each eviction closed a connection with reason 'evicted'; the evicted Sybils reconnected.
    const evictedCloses = world.events.find((r) => r.node === target.index && r.event.kind === 'connection-closed' && r.event.reason === 'evicted');
    expect(evictedCloses.length).toBe(evictions.length);
    const evictedSybils = evictedCloses.filter((r) => r.event.kind === 'connection-closed' && attackerIps.has(ipOf(r.event.addr))).length;
    expect(evictedSybils).toBeGreaterThan(0);
    expect(stats.closedByVictim! + stats.rejectedBeforeHandshake!).toBeGreaterThanOrEqual(evictedSybils);
    expect(stats.attempts).toBeGreaterThan(slots.maxInbound + 10);
  });

  it("churn mode closes and reopens connections after exponential holding times", () => {
    const seed = 103;
    const world = new World({ seed, nodes: 30, keepEventLog: true, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    const sybils = createAttacker(envFor(world, 'attacker-0'), { kind: 'inbound-sybils', name: 'attacker-0', targets: [target.service], count: 5, mode: 'churn', meanHoldMicros: minutes(2), startDelayMicros: minutes(1) });
    world.runUntil(minutes(21));
    const stats = sybils.stats();
    // 5 slots × ~20 min / (2 min + 1 s) ≈ 50 holds ended by us.
    expect(stats.closedBySelf).toBeGreaterThan(25);
    expect(stats.closedBySelf).toBeLessThan(90);
    expect(stats.attempts).toBe(stats.closedBySelf! + stats.open! + stats.closedByVictim! + stats.rejectedBeforeHandshake! + stats.connectFailed!);
    const attackerIps = ipsOf(sybils.addresses());
    const closedByUs = world.events.find((r) => r.node === target.index && r.event.kind === 'connection-closed' && r.event.reason === 'remote-closed' && attackerIps.has(ipOf(r.event.addr)));
    // The victim saw our closes (all but those whose FIN is still in flight).
    expect(closedByUs.length).toBeGreaterThanOrEqual(stats.closedBySelf! - 1);
  });
});

describe('SilentPeers', () => {
  it("black holes are dropped after the 60 s peer-connect timeout with 'socket no message'", () => {
    const seed = 104;
    const world = new World({ seed, nodes: 30, keepEventLog: true, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    const silent = createAttacker(envFor(world, 'attacker-0'), { kind: 'silent', name: 'attacker-0', targets: [target.service], count: 3, startDelayMicros: minutes(2) });
    world.runUntil(minutes(6));
    const attackerIps = ipsOf(silent.addresses());
    const closes = world.events.find((r) => r.node === target.index && r.event.kind === 'connection-closed' && attackerIps.has(ipOf(r.event.addr)));
    expect(closes.map((r) => (r.event.kind === 'connection-closed' ? r.event.reason : ''))).toEqual(['socket-no-message', 'socket-no-message', 'socket-no-message']);
    for (const r of closes) {
      if (r.event.kind !== 'connection-closed') continue;
      expect(r.event.lifetimeMicros).toBeGreaterThan(seconds(60));
      expect(r.event.lifetimeMicros).toBeLessThanOrEqual(seconds(62));
    }
    const stats = silent.stats();
    expect(stats.connected).toBe(3);
    expect(stats.rejectedBeforeHandshake).toBe(3);
    // The attacker's view is shifted by the link latency at both ends: about the same 60 s.
    expect(stats.meanLifetimeMs).toBeGreaterThanOrEqual(60_000);
    expect(stats.meanLifetimeMs).toBeLessThan(62_500);
    // A black hole sends nothing at all.
    for (const h of (silent as unknown as { actor: { hosts: number[] } }).actor.hosts) expect(world.network.hostBytesSent(h)).toBe(0);
  });

  it('a victim connecting out to a listening black hole drops it after 60 s as well', () => {
    const seed = 105;
    let addedNodes: string[] = [];
    const world = new World({ seed, nodes: 30, keepEventLog: true, autoStart: false, connman: (i) => (i === 0 ? { addedNodes } : {}) });
    const silent = createAttacker(envFor(world, 'attacker-0'), { kind: 'silent', name: 'attacker-0', count: 1 });
    addedNodes = [silent.addresses()[0]!.withPort(8333).toStringAddrPort()];
    for (const n of world.nodes) world.startNode(n.index);
    world.runUntil(minutes(3));
    const addr = addedNodes[0]!;
    const closes = world.events.find((r) => r.node === 0 && r.event.kind === 'connection-closed' && r.event.addr === addr);
    expect(closes.length).toBeGreaterThanOrEqual(1);
    expect(closes[0]!.event.kind === 'connection-closed' && closes[0]!.event.reason).toBe('socket-no-message');
    expect(silent.stats().accepted).toBeGreaterThanOrEqual(1);
  });
});

describe('connection timing as distributions', () => {
  // Black holes are dropped at the 60 s peer-connect timeout, so each slot reconnects: its first
  // connects follow connectGap and its returns reconnectDelay, each drawn from the actor's own streams.
  function opens(seed: number, timing: { connectGap?: DistributionSpec; reconnectDelay?: DistributionSpec }): number[] {
    const world = new World({ seed, nodes: 12, keepEventLog: true, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    const silent = createAttacker(envFor(world, 'attacker-0'), { kind: 'silent', name: 'attacker-0', targets: [target.service], count: 6, startDelayMicros: minutes(1), reconnectDelayMicros: seconds(5), ...timing });
    world.runUntil(minutes(4));
    const ips = ipsOf(silent.addresses());
    return world.events.find((r) => r.node === target.index && r.event.kind === 'connection-opened' && ips.has(ipOf(r.event.addr))).map((r) => r.time);
  }
  const gaps = (xs: number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]!);

  it('connectGap spaces the first connects by its draws; reconnectDelay replaces the fixed delay; both are deterministic', () => {
    const fixed = opens(106, {});
    // The fixed spacing: 100 ms between the 6 first connects (give or take the links' latency).
    expect(gaps(fixed.slice(0, 6)).every((g) => Math.abs(g - 100_000) < 60_000)).toBe(true);
    const drawn = opens(106, { connectGap: { type: 'exponential', mean: seconds(5) }, reconnectDelay: { type: 'constant', value: seconds(30) } });
    const first = gaps(drawn.slice(0, 6));
    // Exponential gaps of mean 5 s: spread out, not a constant spacing.
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(seconds(1));
    expect(drawn[5]! - drawn[0]!).toBeGreaterThan(seconds(5));
    // Reconnects 30 s (not 5 s) after the 60 s timeout: the first slot is back about 90 s after it opened.
    const second = drawn.filter((t) => t > drawn[0]! + seconds(61))[0]!;
    expect(second - drawn[0]!).toBeGreaterThan(seconds(89));
    expect(second - drawn[0]!).toBeLessThan(seconds(93));
    expect(opens(106, { connectGap: { type: 'exponential', mean: seconds(5) }, reconnectDelay: { type: 'constant', value: seconds(30) } })).toEqual(drawn);
  });
});

describe('SlowPeers', () => {
  it('peers that never answer pings are dropped by the 20-minute ping timeout', () => {
    const seed = 106;
    const world = new World({ seed, nodes: 30, keepEventLog: true, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    const slow = createAttacker(envFor(world, 'attacker-0'), { kind: 'slow', name: 'attacker-0', targets: [target.service], count: 2, startDelayMicros: minutes(2) });
    world.runUntil(minutes(25));
    const attackerIps = ipsOf(slow.addresses());
    const closes = world.events.find((r) => r.node === target.index && r.event.kind === 'connection-closed' && attackerIps.has(ipOf(r.event.addr)));
    expect(closes.map((r) => (r.event.kind === 'connection-closed' ? r.event.reason : ''))).toEqual(['ping-timeout', 'ping-timeout']);
    for (const r of closes) {
      if (r.event.kind !== 'connection-closed') continue;
      expect(r.event.lifetimeMicros).toBeGreaterThan(minutes(20));
      expect(r.event.lifetimeMicros).toBeLessThan(minutes(21));
    }
    const stats = slow.stats();
    expect(stats.handshakes).toBe(2);
    expect(stats.pongsSent).toBe(0);
    expect(stats.pingsReceived).toBeGreaterThanOrEqual(2);
    expect(stats.closedByVictim).toBe(2);
  });

  it('peers that answer late stay connected with the late round trip as their ping time', () => {
    const seed = 107;
    const world = new World({ seed, nodes: 30, keepEventLog: true, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    const slow = createAttacker(envFor(world, 'attacker-0'), { kind: 'slow', name: 'attacker-0', targets: [target.service], count: 2, pongDelayMicros: seconds(30), startDelayMicros: minutes(2) });
    world.runUntil(minutes(30));
    const attackerIps = ipsOf(slow.addresses());
    const peers = target.connman!.getNodeStats().filter((s) => attackerIps.has(ipOf(s.addr)));
    expect(peers.length).toBe(2);
    for (const p of peers) {
      expect(p.minPingMicros).toBeGreaterThanOrEqual(seconds(30));
      expect(p.minPingMicros).toBeLessThan(seconds(31));
    }
    expect(slow.stats().closedByVictim).toBe(0);
    // The victim pings every 2 minutes: ~14 pings each in 28 minutes, all answered.
    expect(slow.stats().pongsSent).toBeGreaterThanOrEqual(2 * 12);
  });
});

describe('AttackerListeners', () => {
  for (const hostStyle of ['botnet', 'infrastructure'] as const) {
    it(`a victim whose only address source is an attacker gets only attacker outbound peers, across a restart (${hostStyle})`, () => {
      const seed = 108;
      let seedNodes: string[] = [];
      const world = new World({
        seed,
        nodes: 30,
        keepEventLog: true,
        autoStart: false,
        // The victim learns addresses only from its -seednode, an attacker listener.
        connman: (i) => (i === 0 ? { seedNodes, dnsSeed: false, fixedSeeds: false } : {}),
      });
      const listeners = createAttacker(envFor(world, 'attacker-0'), { kind: 'listeners', name: 'attacker-0', count: 60, hostStyle });
      seedNodes = [listeners.addresses()[0]!.withPort(8333).toStringAddrPort()];
      for (const n of world.nodes) world.startNode(n.index);
      world.runUntil(minutes(20));
      const attackerIps = ipsOf(listeners.addresses());
      const outbound = (): { total: number; attacker: number } => {
        const peers = world.nodes[0]!.connman!.getNodeStats().filter((s) => s.connType === 'outbound-full-relay' || s.connType === 'block-relay-only');
        return { total: peers.length, attacker: peers.filter((s) => attackerIps.has(ipOf(s.addr))).length };
      };
      const what = reproduce(seed, `a victim whose only address source is an attacker gets only attacker outbound peers, across a restart (${hostStyle})`);
      expect(outbound(), what).toEqual({ total: 10, attacker: 10 });
      const before = listeners.stats();
      expect(before.getAddrAnswered).toBeGreaterThanOrEqual(1);
      expect(before.open).toBeGreaterThanOrEqual(10);
      // The victim's AddrMan holds nothing but attacker addresses.
      const am = world.nodes[0]!.connman!.addrman;
      const entries = [...am.getEntries(false), ...am.getEntries(true)];
      expect(entries.length).toBeGreaterThan(40);
      expect(entries.every((e) => attackerIps.has(e.info.address.toStringAddr()))).toBe(true);
      world.restartNode(0, seconds(30));
      world.runFor(minutes(10));
      expect(outbound(), what).toEqual({ total: 10, attacker: 10 });
      expect(listeners.stats().accepted).toBeGreaterThan(before.accepted!);
    });
  }
});

describe('factory and addresses', () => {
  it('every kind is built from plain data; stats keys are sorted; unknown kinds are refused', () => {
    const world = new World({ seed: 109, nodes: 2, listeningShare: 1, dnsSeeds: 0 });
    const target = world.nodes[0]!.service;
    const specs: AttackerSpec[] = [
      { kind: 'listeners', count: 2 },
      { kind: 'addr-flood', targets: [target] },
      { kind: 'inbound-sybils', targets: [target], count: 2 },
      { kind: 'silent', count: 2 },
      { kind: 'slow', targets: [target], count: 2 },
    ];
    expect(specs.map((s) => s.kind)).toEqual([...ATTACKER_KINDS]);
    for (const [i, spec] of specs.entries()) {
      const a = createAttacker(envFor(world, `attacker-${i}`), { ...spec, name: `attacker-${i}` });
      expect(a.name).toBe(`attacker-${i}`);
      expect(a.kind).toBe(spec.kind);
      const keys = Object.keys(a.stats());
      expect(keys).toEqual([...keys].sort());
      a.stop();
      a.stop();
    }
    world.runFor(minutes(1));
    expect(() => createAttacker(envFor(world, 'x'), { kind: 'nope' } as unknown as AttackerSpec)).toThrow(/unknown attacker kind "nope"/);
    expect(() => createAttacker(envFor(world, 'y'), { kind: 'addr-flood', targets: [target], entriesPerMessage: 1001 })).toThrow(/entriesPerMessage/);
  });

  it('without a world allocator, addresses are drawn fresh and spread over the requested /16s', () => {
    const world = new World({ seed: 110, nodes: 5 });
    const env = attackerEnvFromWorld(world, 'attacker-0');
    delete env.allocateAddresses;
    const addrs = resolveAddresses(env, { count: 40, spread: { slash16s: 4 } }, 1, 'test');
    expect(new Set(addrs.map((a) => a.toStringAddr())).size).toBe(40);
    expect(new Set(addrs.map((a) => a.toStringAddr().split('.').slice(0, 2).join('.'))).size).toBe(4);
    for (const a of addrs) expect(a.isRoutable()).toBe(true);
    for (const n of world.nodes) expect(addrs.some((a) => a.equalsAddr(n.address))).toBe(false);
    // Same stream, same addresses.
    const env2 = attackerEnvFromWorld(new World({ seed: 110, nodes: 5 }), 'attacker-0');
    delete env2.allocateAddresses;
    const again = resolveAddresses(env2, { count: 40, spread: { slash16s: 4 } }, 1, 'test');
    expect(again.map((a) => a.toStringAddr())).toEqual(addrs.map((a) => a.toStringAddr()));
  });
});

describe('determinism', () => {
  function digestOf(seed: number): string {
    const world = new World({ seed, nodes: 30, startWindowMicros: seconds(10) });
    const target = world.nodes.find((n) => n.listening)!;
    createAttacker(envFor(world, 'attacker-0'), { kind: 'addr-flood', name: 'attacker-0', targets: [target.service], messagesPerSecond: 0.5, startDelayMicros: minutes(1) });
    createAttacker(envFor(world, 'attacker-1'), { kind: 'inbound-sybils', name: 'attacker-1', targets: [target.service], count: 10, mode: 'churn', meanHoldMicros: minutes(1) });
    createAttacker(envFor(world, 'attacker-2'), { kind: 'listeners', name: 'attacker-2', count: 5 });
    world.runUntil(minutes(5));
    return world.digest();
  }

  it('the same seed twice gives the same digest; another seed another digest', () => {
    const a = digestOf(111);
    expect(digestOf(111), 'seed 111 twice').toBe(a);
    expect(digestOf(112)).not.toBe(a);
  });
});
