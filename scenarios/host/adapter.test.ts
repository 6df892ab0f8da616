// Unit tests of the sim↔connman adapter pieces, without a Connman: address plan, DNS seeders,
// transport, schedulers, per-node random streams, file store, event recorder.
import { describe, expect, it } from 'vitest';
import { pingMessage, verackMessage, type P2PMessage } from '../../connman/protocol/messages.ts';
import { NetAddr, serviceOrThrow } from '../../connman/protocol/netaddress.ts';
import type { ConnHandle, ConnectFailure, TransportHandlers } from '../../connman/ports.ts';
import { FastRandomContext } from '../../connman/util/random.ts';
import { Kernel, Network, Rng, Trace, constantLatency, millis, seconds } from '../../sim/index.ts';
import { Ipv4AddressPlan, serviceOfSim, simAddressOf } from '../world/address-plan.ts';
import { WorldDnsSeeds } from './dns-seeds.ts';
import { EventRecorder } from './event-recorder.ts';
import { MemoryFileStore } from './memory-file-store.ts';
import { connmanRngFor, seedBytes } from './node-rng.ts';
import { NodeScheduler } from './node-scheduler.ts';
import { SimClock } from './sim-clock.ts';
import { SimScheduler } from './sim-scheduler.ts';
import { ephemeralPort, SimTransportHub } from './sim-transport.ts';
import type { Clock, Rng as PortRng } from '../../connman/ports.ts';


describe('Ipv4AddressPlan', () => {
  it('hands out unique routable IPv4 addresses, one /16 each by default', () => {
    const plan = new Ipv4AddressPlan(new Rng(1).fork('addresses'));
    const seen = new Set<string>();
    const groups = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const a = plan.next();
      expect(a.isIPv4()).toBe(true);
      expect(a.isRoutable()).toBe(true);
      seen.add(a.toStringAddr());
      groups.add(`${a.addr[0]}.${a.addr[1]}`);
    }
    expect(seen.size).toBe(2000);
    expect(groups.size).toBe(2000);
    expect(plan.netgroupCount).toBe(2000);
  });

  it('shares /16s when asked', () => {
    const plan = new Ipv4AddressPlan(new Rng(2), 0.5);
    for (let i = 0; i < 1000; i++) plan.next();
    expect(plan.netgroupCount).toBeGreaterThan(400);
    expect(plan.netgroupCount).toBeLessThan(600);
  });

  it('maps services to sim addresses and back', () => {
    const s = serviceOrThrow('93.184.216.34', 8333);
    const sim = simAddressOf(s);
    expect(sim).toEqual({ kind: 'ipv4', text: '93.184.216.34' });
    expect(serviceOfSim(sim, 8333).equals(s)).toBe(true);
    const v6 = serviceOrThrow('[2001:db8::5]', 18333);
    expect(serviceOfSim(simAddressOf(v6), 18333).equals(v6)).toBe(true);
  });
});

describe('WorldDnsSeeds', () => {
  const pool = Array.from({ length: 100 }, (_, i) => NetAddr.fromIPv4((11 << 24) + i + 1));
  it('answers with up to 32 distinct listening addresses', () => {
    const dns = new WorldDnsSeeds(new Rng(3), () => pool);
    const a = dns.resolve('seed.a.', 32);
    expect(a.length).toBe(32);
    expect(new Set(a.map((x) => x.toStringAddr())).size).toBe(32);
    expect(dns.resolve('seed.a.', 500).length).toBe(32);
    expect(dns.queries.get('seed.a.')).toBe(2);
    const small = new WorldDnsSeeds(new Rng(3), () => pool.slice(0, 5));
    expect(small.resolve('x', 32).length).toBe(5);
  });

  it('can be poisoned, silenced and healed', () => {
    const dns = new WorldDnsSeeds(new Rng(4), () => pool);
    const evil = [NetAddr.fromIPv4(0x01020304)];
    dns.poison('s', evil);
    expect(dns.resolve('s', 32)).toEqual(evil);
    dns.poison('s', []);
    expect(dns.resolve('s', 32)).toEqual([]);
    dns.heal('s');
    expect(dns.resolve('s', 32).length).toBe(32);
  });
});

describe('per-node connman random streams', () => {
  it("are Core's FastRandomContext keyed from the node's fork, independent of other nodes", () => {
    const root = new Rng(42);
    const a = connmanRngFor(root, 7);
    const b = new FastRandomContext(seedBytes(new Rng(42).fork('node/7/connman')));
    for (let i = 0; i < 10; i++) expect(a.rand64()).toBe(b.rand64());
    const other = connmanRngFor(root, 8);
    expect(connmanRngFor(root, 7).rand64()).not.toBe(other.rand64());
    // A restart gets a fresh stream, still a function of the node's identity only.
    expect(connmanRngFor(root, 7, 1).rand64()).toBe(connmanRngFor(new Rng(42), 7, 1).rand64());
    expect(connmanRngFor(root, 7, 1).rand64()).not.toBe(connmanRngFor(root, 7, 0).rand64());
  });
});

describe('SimClock, SimScheduler and NodeScheduler', () => {
  it('shift kernel time by the epoch and never return handle 0', () => {
    const kernel = new Kernel();
    const clock = new SimClock(kernel, 1_000_000_000);
    const sched = new SimScheduler(kernel, 1_000_000_000);
    const seen: number[] = [];
    const h = sched.schedule(1_000_000_000 + 5, () => seen.push(clock.nowMicros()));
    expect(h).toBeGreaterThan(0);
    const kind = sched.register((arg) => seen.push(arg), 'test');
    const h2 = sched.at(1_000_000_000 + 10, kind, 99);
    const h3 = sched.at(1_000_000_000 + 20, kind, 100);
    expect(sched.cancel(h3)).toBe(true);
    expect(sched.cancel(h3)).toBe(false);
    expect(sched.cancel(0)).toBe(false);
    // A deadline in the past runs now.
    sched.schedule(0, () => seen.push(-1));
    kernel.run();
    expect(h2).toBeGreaterThan(0);
    expect(seen).toEqual([-1, 1_000_000_005, 99]);
  });

  it('a retired NodeScheduler silences every timer it left behind', () => {
    const kernel = new Kernel();
    const inner = new SimScheduler(kernel, 0);
    const node = new NodeScheduler(inner);
    const seen: string[] = [];
    node.schedule(10, () => seen.push('closure'));
    const kind = node.register(() => seen.push('int'), 'x');
    node.at(10, kind, 0);
    node.schedule(5, () => node.retire());
    kernel.run();
    expect(seen).toEqual([]);
    expect(node.schedule(20, () => seen.push('late'))).toBe(0);
  });
});

describe('SimTransport', () => {
  function setup() {
    const kernel = new Kernel();
    const network = new Network<P2PMessage>(kernel, { latency: constantLatency(millis(10)), rng: new Rng(1), connectTimeoutMicros: seconds(5) });
    const hub = new SimTransportHub(kernel, network, seconds(5));
    const a = serviceOrThrow('11.0.0.1', 8333);
    const b = serviceOrThrow('12.0.0.1', 8333);
    const ha = network.addHost({ addresses: [simAddressOf(a)] });
    const hb = network.addHost({ addresses: [simAddressOf(b)] });
    const log: string[] = [];
    const handlers = (name: string): TransportHandlers => ({
      onAccept: (c: ConnHandle, local, remote) => log.push(`${name} accept ${c} ${local.toString()} from ${remote.toString()}`),
      onConnected: (c, local) => log.push(`${name} connected ${c} as ${local.toString()}`),
      onConnectFailed: (c, r: ConnectFailure) => log.push(`${name} failed ${c} ${r}`),
      onMessage: (c, m) => log.push(`${name} msg ${c} ${m.type} ${m.sizeBytes}`),
      onRemoteClose: (c, r) => log.push(`${name} remote-close ${c} ${r}`),
    });
    const ta = hub.transportFor(ha);
    const tb = hub.transportFor(hb);
    ta.setHandlers(handlers('A'));
    tb.setHandlers(handlers('B'));
    return { kernel, network, a, b, ta, tb, log };
  }

  it('connects, accepts with matching ephemeral ports, delivers messages and remote close', () => {
    const { kernel, a, b, ta, tb, log } = setup();
    expect(tb.listen(b)).toBe(true);
    expect(tb.listen(b)).toBe(false); // already listening
    expect(tb.listen(a)).toBe(false); // not our address
    const c = ta.connect(b, seconds(5));
    expect(ta.send(c, verackMessage())).toBe(false); // still connecting
    kernel.run({ until: millis(30) });
    const port = ephemeralPort(c);
    expect(log).toEqual([`B accept ${c + 1} 12.0.0.1:8333 from 11.0.0.1:${port}`, `A connected ${c} as 11.0.0.1:${port}`]);
    log.length = 0;
    expect(ta.send(c, pingMessage(1n))).toBe(true);
    kernel.run({ until: millis(60) });
    expect(log).toEqual([`B msg ${c + 1} ping 32`]);
    log.length = 0;
    ta.close(c);
    expect(ta.send(c, pingMessage(2n))).toBe(false);
    kernel.run({ until: millis(100) });
    expect(log).toEqual([`B remote-close ${c + 1} closed`]);
  });

  it('reports refused and enforces a connect timeout shorter than the network one', () => {
    const { kernel, network, a, b, ta, log } = setup();
    const c1 = ta.connect(b, seconds(5)); // B is not listening: refused after a round trip
    kernel.run({ until: millis(50) });
    expect(log).toEqual([`A failed ${c1} refused`]);
    log.length = 0;
    const nowhere = serviceOrThrow('13.0.0.1', 8333);
    const c2 = ta.connect(nowhere, seconds(2));
    kernel.run({ until: seconds(10) });
    expect(log).toEqual([`A failed ${c2} timeout`]);
    expect(network.isOpen(c2)).toBe(false);
    void a;
  });
});

describe('MemoryFileStore and EventRecorder', () => {
  it('keeps the written array (the writer hands it over) and reads out copies', () => {
    const fs = new MemoryFileStore();
    const b = Uint8Array.of(1, 2, 3);
    fs.write('peers.dat', b);
    const r = fs.read('peers.dat')!;
    expect(r).toEqual(Uint8Array.of(1, 2, 3));
    r[0] = 9;
    expect(fs.read('peers.dat')).toEqual(Uint8Array.of(1, 2, 3));
    expect(fs.names()).toEqual(['peers.dat']);
    expect(fs.delete('peers.dat')).toBe(true);
    expect(fs.read('peers.dat')).toBeUndefined();
  });

  it('MemoryFileStore materializes a deferred file once, on its first read', () => {
    const fs = new MemoryFileStore();
    let calls = 0;
    fs.writeDeferred('peers.dat', 3, () => {
      calls++;
      return Uint8Array.of(1, 2, 3);
    });
    expect(calls).toBe(0);
    expect(fs.size('peers.dat')).toBe(3);
    expect(fs.read('peers.dat')).toEqual(Uint8Array.of(1, 2, 3));
    expect(fs.read('peers.dat')).toEqual(Uint8Array.of(1, 2, 3));
    expect(calls).toBe(1);
    fs.writeDeferred('bad', 5, () => Uint8Array.of(1));
    expect(() => fs.read('bad')).toThrow(/materialized 1 bytes, announced 5/);
  });

  it('counts events by kind and reason and folds them into the digest', () => {
    const kernel = new Kernel();
    const t1 = new Trace();
    const rec = new EventRecorder(kernel, t1, true);
    const sink = rec.sinkFor(3);
    sink.emit({ kind: 'feeler-done', nodeId: 1, addr: '1.2.3.4:8333' });
    sink.emit({ kind: 'inbound-dropped', addr: '1.2.3.5:1', reason: 'full' });
    expect(rec.count('feeler-done')).toBe(1);
    expect(rec.count('inbound-dropped:full')).toBe(1);
    expect(rec.log.map((r) => r.node)).toEqual([3, 3]);
    const t2 = new Trace();
    const rec2 = new EventRecorder(kernel, t2);
    rec2.sinkFor(3).emit({ kind: 'feeler-done', nodeId: 1, addr: '1.2.3.4:8333' });
    rec2.sinkFor(3).emit({ kind: 'inbound-dropped', addr: '1.2.3.5:1', reason: 'banned' });
    expect(t2.digest()).not.toBe(t1.digest());
  });
});

describe('ports', () => {
  it("sim's Rng and Kernel satisfy connman's ports (checked by the type checker)", () => {
    const rng: PortRng = new Rng(1);
    const kernel = new Kernel();
    const clock: Clock = { nowMicros: () => kernel.now() };
    expect(rng.randrange(10)).toBeLessThan(10);
    expect(clock.nowMicros()).toBe(0);
  });
});
