// ThreadDNSAddressSeed (spec §7.1) and -seednode handling (§7.2) driven through a Connman over the
// fake ports: the query schedule (all at once, 3 per 11 s, 300 s waits), the early exit on two
// full-outbound peers, the addr-fetch fallback, the stamped addresses, and p2p_dns_seeds.py /
// p2p_seednode.py re-enacted. It does not test the DnsSeedResolver of the simulation.

import { describe, expect, it } from 'vitest';
import { Connman, ConnectionDirection } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { DNSSEEDS_DELAY_FEW_PEERS, DNSSEEDS_DELAY_MANY_PEERS, SEEDNODE_TIMEOUT } from './dns-seed.ts';
import { addrMessage } from '../protocol/messages.ts';
import type { ConnmanEvent } from '../ports.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { NetAddr, serviceOrThrow, type Service } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_P2P_V2, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const T0 = 1_700_000_000_000_000;

/** Records when the DNS seed thread asked each seed (its 'dns-seed' events). */
class TimedLog extends EventLog {
  readonly times: { seed: string; at: number }[] = [];
  constructor(private readonly sched: FakeScheduler) {
    super();
  }
  override emit(e: ConnmanEvent): void {
    if (e.kind === 'dns-seed') this.times.push({ seed: e.seed, at: this.sched.nowMicros() - T0 });
    super.emit(e);
  }
}

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  dns: FakeDns;
  log: TimedLog;
  cm: Connman;
}

/** `addrs` are put into addrman before start (from one fixed source). */
function makeWorld(opts: Partial<ConnmanOptions>, addrs: Address[] = []): World {
  const sched = new FakeScheduler(T0);
  const transport = new FakeTransport(sched, LOCAL);
  const dns = new FakeDns();
  const log = new TimedLog(sched);
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files: new FakeFileStore(), dns, log: NO_DEBUG_LOG }, { fixedSeeds: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }).connman;
  const source = NetAddr.fromIPv4(0x05060708);
  for (const a of addrs) cm.addrman.add([a], source);
  return { sched, transport, dns, log, cm };
}

function ip4(a: number, b: number, c: number, d: number): NetAddr {
  return NetAddr.fromIPv4(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
}

function someAddrs(n: number, firstOctet = 20): Address[] {
  const now = Math.floor(T0 / S);
  const out: Address[] = [];
  for (let i = 0; i < n; i++) {
    out.push(new Address(serviceOrThrow(`${firstOctet + (i % 50)}.${i % 200}.${Math.floor(i / 200)}.1:8333`, 8333), NODE_NETWORK | NODE_WITNESS, now - 3600));
  }
  return out;
}

const SEVEN = ['s1.example', 's2.example', 's3.example', 's4.example', 's5.example', 's6.example', 's7.example'];

function answerAll(dns: FakeDns, seeds: readonly string[], perSeed = 4): void {
  seeds.forEach((s, k) => dns.answers.set(s, Array.from({ length: perSeed }, (_, i) => ip4(100 + k, i + 1, 1, 1))));
}

describe('DNS seeding: the query schedule', () => {
  it('an empty addrman queries every seed at once, at start', () => {
    const w = makeWorld({ dnsSeeds: SEVEN });
    w.transport.policy = () => 'refused';
    answerAll(w.dns, SEVEN);
    w.cm.start();
    w.sched.runFor(60 * S);
    expect(w.log.times.length).toBe(7);
    expect(new Set(w.log.times.map((q) => q.at))).toEqual(new Set([0]));
    expect(w.cm.dnsSeedThread()?.outcome).toBe('done');
  });

  it('a non-empty addrman (< 1000): wait 11 s, query 3, wait 11 s, query 3, wait 11 s, query 1', () => {
    const w = makeWorld({ dnsSeeds: SEVEN }, someAddrs(5));
    w.transport.policy = () => 'refused';
    answerAll(w.dns, SEVEN);
    w.cm.start();
    w.sched.runFor(200 * S);
    expect(w.log.times.map((q) => q.at)).toEqual([11, 11, 11, 22, 22, 22, 33].map((s) => s * S));
    expect(DNSSEEDS_DELAY_FEW_PEERS).toBe(11 * S);
    // Every seed once, in the shuffled order.
    expect([...w.log.times.map((q) => q.seed)].sort()).toEqual(SEVEN);
  });

  it('1000 or more addrman entries: 300 s waits (slept in 11 s chunks)', () => {
    const addrs = someAddrs(1400);
    const w = makeWorld({ dnsSeeds: SEVEN }, addrs);
    expect(w.cm.addrman.size()).toBeGreaterThanOrEqual(1000);
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(1000 * S);
    expect(w.log.times.map((q) => q.at)).toEqual([300, 300, 300, 600, 600, 600, 900].map((s) => s * S));
    expect(DNSSEEDS_DELAY_MANY_PEERS).toBe(300 * S);
  });

  it('stops waiting once two full-outbound peers exist (checked after each 11 s chunk)', () => {
    const addrs = someAddrs(1400);
    const w = makeWorld({ dnsSeeds: SEVEN, feelers: false }, addrs);
    // Nothing answers for the first 100 s, then everyone does.
    w.transport.policy = () => (w.sched.nowMicros() - T0 < 100 * S ? 'refused' : 'accept');
    w.cm.start();
    w.sched.runFor(400 * S);
    expect(w.log.times).toEqual([]);
    expect(w.cm.dnsSeedThread()?.outcome).toBe('peers-available');
  });

  it('-forcednsseed queries every seed at once even with a full addrman', () => {
    const w = makeWorld({ dnsSeeds: SEVEN, forceDnsSeed: true }, someAddrs(5));
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(S);
    expect(w.log.times.length).toBe(7);
    expect(new Set(w.log.times.map((q) => q.at))).toEqual(new Set([0]));
  });

  it('an inactive network holds the queries back, polling every second', () => {
    const w = makeWorld({ dnsSeeds: ['s1.example'], networkActive: false });
    w.cm.start();
    w.sched.runFor(5 * S + S / 2);
    expect(w.log.times).toEqual([]);
    w.cm.setNetworkActive(true);
    w.sched.runFor(2 * S);
    expect(w.log.times.map((q) => q.at)).toEqual([6 * S]);
  });
});

describe('DNS seeding: what is stored', () => {
  it('addresses get the default port, NETWORK|WITNESS|P2P_V2, an age of 3-7 days and the source x9.<seed>', () => {
    const w = makeWorld({ dnsSeeds: ['seed.a'] });
    w.transport.policy = () => 'refused';
    const ips = Array.from({ length: 40 }, (_, i) => ip4(60 + (i % 30), i, 1, 1));
    w.dns.answers.set('seed.a', ips);
    w.cm.start();
    w.sched.runFor(S / 10);
    // At most 32 addresses per seed (nMaxIPs).
    expect(w.log.ofKind('dns-seed')).toEqual([{ kind: 'dns-seed', seed: 'seed.a', found: 32, fallback: false }]);
    const nowS = Math.floor(T0 / S);
    const expectedSource = NetAddr.internal('x9.seed.a');
    let seen = 0;
    for (const ip of ips.slice(0, 32)) {
      const info = w.cm.addrman.getInfo(serviceOrThrow(`${ip.toStringAddr()}:8333`, 8333));
      if (info === null) continue; // a bucket collision may have dropped it
      seen++;
      expect(info.address.services).toBe(NODE_NETWORK | NODE_WITNESS | NODE_P2P_V2);
      // Stored as given: addrman applies no time penalty to DNS-seed addresses.
      expect(info.address.time).toBeLessThanOrEqual(nowS - 3 * 24 * 3600);
      expect(info.address.time).toBeGreaterThan(nowS - 7 * 24 * 3600);
      expect(info.source.equalsAddr(expectedSource)).toBe(true);
    }
    expect(seen).toBeGreaterThan(25);
  });

  it('a seed that resolves to nothing becomes an ADDR_FETCH destination, connected by name', () => {
    const w = makeWorld({ dnsSeeds: ['seed.empty', 'seed.full'], feelers: false });
    w.dns.answers.set('seed.full', [ip4(70, 1, 1, 1)]);
    w.cm.start();
    // The addr-fetch to the empty seed's name resolves through the same resolver: nothing.
    w.sched.runFor(2 * S);
    expect(w.log.ofKind('dns-seed').find((e) => e.seed === 'seed.empty')?.fallback).toBe(true);
    const failed = w.log.ofKind('connect-failed').filter((e) => e.connType === ConnectionType.ADDR_FETCH);
    expect(failed.map((e) => [e.addr, e.reason])).toEqual([['seed.empty', 'invalid']]);
  });
});

describe('p2p_dns_seeds.py re-enacted', () => {
  it('existing_outbound_connections_test: two outbound-full-relay peers within 11 s skip DNS seeding', () => {
    const w = makeWorld({ dnsSeeds: SEVEN, connect: [] }, [new Address(serviceOrThrow('192.0.0.8:8333', 8333), NODE_NETWORK | NODE_WITNESS, Math.floor(T0 / S))]);
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    expect(w.cm.addConnection('71.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(60 * S);
    expect(w.cm.getFullOutboundConnCount()).toBe(2);
    expect(w.log.times).toEqual([]);
    expect(w.cm.dnsSeedThread()?.outcome).toBe('peers-available');
  });

  it('existing_block_relay_connections_test: two block-relay-only peers do not stop DNS seeding', () => {
    const w = makeWorld({ dnsSeeds: SEVEN, connect: [] }, [new Address(serviceOrThrow('192.0.0.8:8333', 8333), NODE_NETWORK | NODE_WITNESS, Math.floor(T0 / S))]);
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.BLOCK_RELAY)).toBe(true);
    expect(w.cm.addConnection('71.1.1.1', ConnectionType.BLOCK_RELAY)).toBe(true);
    w.sched.runFor(12 * S);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(2);
    expect(w.log.times.map((q) => q.at)).toEqual([11 * S, 11 * S, 11 * S]);
  });

  it('-connect with -dnsseed=1 still runs the DNS logic (the thread is independent of -connect)', () => {
    const w = makeWorld({ dnsSeeds: ['seed.a'], connect: ['fakenodeaddr.fakedomain.invalid'] });
    w.cm.start();
    w.sched.runFor(12 * S);
    expect(w.dns.queries).toContain('seed.a');
  });

  it('-dnsseed=0: no DNS thread at all', () => {
    const w = makeWorld({ dnsSeeds: SEVEN, dnsSeed: false });
    w.cm.start();
    w.sched.runFor(400 * S);
    expect(w.cm.dnsSeedThread()).toBeNull();
    expect(w.log.times).toEqual([]);
  });
});

describe('-seednode and DNS seeding', () => {
  it('with -seednode the DNS thread polls for 30 s, then queries (first poll past 30 s is 30.5 s)', () => {
    const w = makeWorld({ dnsSeeds: ['seed.a', 'seed.b'], seedNodes: ['25.0.0.1'] });
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(40 * S);
    expect(SEEDNODE_TIMEOUT).toBe(30 * S);
    expect(w.log.times.map((q) => q.at)).toEqual([30.5 * S, 30.5 * S]);
  });

  it('with -seednode that brings two full-outbound peers, DNS seeding is skipped', () => {
    const w = makeWorld({ dnsSeeds: ['seed.a'], seedNodes: ['25.0.0.1'], feelers: false });
    // The seednode hands out addresses; the node connects to them.
    const now = Math.floor(T0 / S);
    w.transport.behaviourFor = () => ({
      getAddrReply: addrMessage(someAddrs(12, 40).map((a) => new Address(a, a.services, now - 60))),
    });
    w.cm.start();
    w.sched.runFor(40 * S);
    expect(w.cm.getFullOutboundConnCount()).toBeGreaterThanOrEqual(2);
    expect(w.log.times).toEqual([]);
    expect(w.cm.dnsSeedThread()?.outcome).toBe('skipped');
  });
});

describe('p2p_seednode.py re-enacted (§7.2)', () => {
  it('test_no_seednode: no seednode, no addr-fetch', () => {
    const w = makeWorld({ dnsSeed: false }, someAddrs(10, 128));
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(30 * S);
    expect(w.log.ofKind('connect-attempt').filter((e) => e.connType === ConnectionType.ADDR_FETCH)).toEqual([]);
  });

  it('test_seednode_empty_addrman: the seednode is queued at once on an empty addrman', () => {
    const w = makeWorld({ dnsSeed: false, seedNodes: ['25.0.0.1'] });
    w.transport.policy = () => 'refused';
    w.cm.start();
    w.sched.runFor(S / 10);
    const tries = w.log.ofKind('connect-attempt').filter((e) => e.connType === ConnectionType.ADDR_FETCH);
    expect(tries.map((e) => e.addr)).toEqual(['25.0.0.1:8333']);
  });

  it('test_seednode_non_empty_addrman: seednodes wait 10 s (first loop iteration past it)', () => {
    const w = makeWorld({ dnsSeed: false, seedNodes: ['25.0.0.2'] }, someAddrs(10, 128));
    w.transport.policy = () => 'refused';
    const at: number[] = [];
    const orig = w.transport.connect.bind(w.transport);
    w.transport.connect = (to: Service, t: number) => {
      if (to.toStringAddr() === '25.0.0.2') at.push(w.sched.nowMicros() - T0);
      return orig(to, t);
    };
    w.cm.start();
    w.sched.runFor(9 * S);
    expect(at).toEqual([]);
    w.sched.runFor(5 * S);
    expect(at.length).toBe(1);
    expect(at[0]!).toBeGreaterThan(10 * S);
    expect(at[0]!).toBeLessThanOrEqual(11 * S);
  });

  it('seednodes are consumed one at a time from the back of the shuffled list, 10 s apart, while < 2 full-outbound', () => {
    const seeds = ['25.0.0.1', '25.0.0.2', '25.0.0.3', '25.0.0.4'];
    const w = makeWorld({ dnsSeed: false, seedNodes: seeds });
    w.transport.policy = () => 'refused';
    const tried: { addr: string; at: number }[] = [];
    const orig = w.transport.connect.bind(w.transport);
    w.transport.connect = (to: Service, t: number) => {
      tried.push({ addr: to.toStringAddr(), at: w.sched.nowMicros() - T0 });
      return orig(to, t);
    };
    w.cm.start();
    w.sched.runFor(60 * S);
    expect(tried.length).toBe(4);
    expect([...tried.map((t) => t.addr)].sort()).toEqual(seeds);
    // The first at once (empty addrman), then one more each time 10 s have passed.
    expect(tried[0]!.at).toBe(0);
    for (let i = 1; i < tried.length; i++) {
      const gap = tried[i]!.at - tried[i - 1]!.at;
      expect(gap).toBeGreaterThan(10 * S);
      expect(gap).toBeLessThanOrEqual(11 * S);
    }
    // The order is the start-time shuffle, consumed from the back: a different seed gives a different order.
    const orders = new Set<string>();
    for (let seed = 0; seed < 6; seed++) {
      const sched = new FakeScheduler(T0);
      const transport = new FakeTransport(sched, LOCAL);
      transport.policy = () => 'refused';
      const bytes = new Uint8Array(32);
      bytes[0] = seed;
      const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(bytes), transport, events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { fixedSeeds: false, dnsSeed: false, seedNodes: seeds, binds: [] }).connman;
      cm.start();
      sched.runFor(60 * S);
      orders.add(transport.connectLog.map((c) => c.to.toStringAddr()).join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('the seednode list is consumed from the back (with an identity shuffle: last first)', () => {
    const seeds = ['25.0.0.1', '25.0.0.2', '25.0.0.3'];
    const sched = new FakeScheduler(T0);
    const transport = new FakeTransport(sched, LOCAL);
    transport.policy = () => 'refused';
    const rng = new FastRandomContext(new Uint8Array(32));
    // Keep the start-time shuffle from reordering, to see the consumption order itself.
    (rng as unknown as { shuffle: (xs: unknown[]) => void }).shuffle = () => {};
    const cm = buildNode({ clock: sched, scheduler: sched, rng, transport, events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { fixedSeeds: false, dnsSeed: false, seedNodes: seeds, binds: [] }).connman;
    cm.start();
    sched.runFor(40 * S);
    expect(transport.connectLog.map((c) => c.to.toStringAddr())).toEqual(['25.0.0.3', '25.0.0.2', '25.0.0.1']);
  });

  it('no further seednode once two full-outbound peers exist', () => {
    const seeds = ['25.0.0.1', '25.0.0.2', '25.0.0.3'];
    const w = makeWorld({ dnsSeed: false, seedNodes: seeds, feelers: false }, someAddrs(20, 40));
    w.cm.start();
    w.sched.runFor(60 * S);
    expect(w.cm.getFullOutboundConnCount()).toBe(8);
    expect(w.transport.connectLog.filter((c) => c.to.toStringAddr().startsWith('25.'))).toEqual([]);
  });
});
