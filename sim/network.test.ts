import { describe, expect, it } from 'vitest';
import { exponential } from './distributions.ts';
import { Kernel } from './kernel.ts';
import { constantLatency, regionLatency, sampledLatency, type LatencyModel } from './latency.ts';
import { Network, NetworkError, type HostHandlers, type SimAddress, type SocketId } from './network.ts';
import { Rng } from './rng.ts';
import { millis, seconds } from './time.ts';
import { Trace } from './trace.ts';

const LAT = millis(10);
const PORT = 8333;
const ip = (n: number): SimAddress => ({ kind: 'ipv4', text: `10.0.0.${n}` });

interface Log {
  events: string[];
  messages: { t: number; socket: SocketId; payload: number }[];
}

function world(latency: LatencyModel = constantLatency(LAT), hosts = 3, opts: { upload?: number[]; trace?: Trace; seed?: string } = {}) {
  const kernel = new Kernel();
  const net = new Network<number>(kernel, { latency, rng: new Rng(opts.seed ?? 'net'), connectTimeoutMicros: seconds(5), trace: opts.trace });
  const logs: Log[] = [];
  for (let i = 0; i < hosts; i++) {
    const log: Log = { events: [], messages: [] };
    logs.push(log);
    const handlers: HostHandlers<number> = {
      onAccept: (s, port, remote) => log.events.push(`${kernel.now()} accept ${s} ${port} ${remote.text}`),
      onConnect: (s) => log.events.push(`${kernel.now()} connect ${s}`),
      onConnectFailed: (s, why) => log.events.push(`${kernel.now()} failed ${s} ${why}`),
      onMessage: (s, p) => log.messages.push({ t: kernel.now(), socket: s, payload: p }),
      onClose: (s, why) => log.events.push(`${kernel.now()} close ${s} ${why}`),
    };
    net.addHost({ addresses: [ip(i + 1)], handlers, uploadBytesPerSec: opts.upload?.[i] });
  }
  return { kernel, net, logs };
}

/** Connects host `from` to host `to` (listening) and runs until established; returns [outbound, inbound] sockets. */
function connected(w: ReturnType<typeof world>, from: number, to: number): [SocketId, SocketId] {
  if (!w.net.isListening(to, PORT)) w.net.listen(to, PORT);
  const s = w.net.connect(from, ip(to + 1), PORT);
  while (!w.net.isOpen(s) && w.kernel.step()) {
    // step until the handshake completes (random latencies may exceed 2 * LAT)
  }
  expect(w.net.isOpen(s)).toBe(true);
  const peer = w.net.socketInfo(s).peer;
  return [s, peer];
}

describe('connect', () => {
  it('completes in one round trip: accept after one latency, connect after two', () => {
    const w = world();
    w.net.listen(1, PORT);
    const s = w.net.connect(0, ip(2), PORT);
    expect(w.net.socketInfo(s).state).toBe('connecting');
    w.kernel.run();
    expect(w.logs[1]!.events).toEqual([`${LAT} accept 1 ${PORT} 10.0.0.1`]);
    expect(w.logs[0]!.events).toEqual([`${2 * LAT} connect 0`]);
    const out = w.net.socketInfo(s);
    const inb = w.net.socketInfo(1);
    expect(out).toMatchObject({ host: 0, peer: 1, inbound: false, state: 'open', port: PORT, remoteAddress: ip(2), localAddress: ip(1) });
    expect(inb).toMatchObject({ host: 1, peer: 0, inbound: true, state: 'open', port: PORT, remoteAddress: ip(1), localAddress: ip(2) });
    expect(w.net.stats()).toMatchObject({ connectsAttempted: 1, connectsSucceeded: 1 });
  });

  it('is refused after a round trip when the host is up but not listening', () => {
    const w = world();
    const s = w.net.connect(0, ip(2), PORT);
    w.kernel.run();
    expect(w.logs[0]!.events).toEqual([`${2 * LAT} failed ${s} refused`]);
    expect(w.logs[1]!.events).toEqual([]);
    expect(w.net.socketInfo(s).state).toBe('closed');
    expect(w.net.stats().connectsRefused).toBe(1);
  });

  it('a host behind a NAT is never reached (the connector times out, even if it listens) but its own connections work', () => {
    const kernel = new Kernel();
    const net = new Network<number>(kernel, { latency: constantLatency(LAT), rng: new Rng('nat'), connectTimeoutMicros: seconds(5) });
    const events: string[] = [];
    const handlers: HostHandlers<number> = {
      onAccept: (s) => events.push(`${kernel.now()} accept ${s}`),
      onConnect: (s) => events.push(`${kernel.now()} connect ${s}`),
      onConnectFailed: (s, why) => events.push(`${kernel.now()} failed ${s} ${why}`),
    };
    net.addHost({ addresses: [ip(1)], handlers });
    net.addHost({ addresses: [ip(2)], handlers, behindNat: true });
    net.listen(0, PORT);
    net.listen(1, PORT);
    const inward = net.connect(0, ip(2), PORT);
    const outward = net.connect(1, ip(1), PORT);
    kernel.run();
    expect(events).toContain(`${seconds(5)} failed ${inward} timeout`);
    expect(events).toContain(`${2 * LAT} connect ${outward}`);
    expect(net.stats()).toMatchObject({ connectsAttempted: 2, connectsSucceeded: 1 });
  });

  it('times out after the connect timeout when the host is down or the address unknown', () => {
    const w = world();
    w.net.listen(1, PORT);
    w.net.setHostDown(1);
    const a = w.net.connect(0, ip(2), PORT);
    const b = w.net.connect(0, ip(99), PORT);
    w.kernel.run();
    expect(w.logs[0]!.events).toEqual([`${seconds(5)} failed ${a} timeout`, `${seconds(5)} failed ${b} timeout`]);
    expect(w.net.stats().connectsTimedOut).toBe(2);
  });

  it('times out when the host goes down while the SYN is in flight', () => {
    const w = world();
    w.net.listen(1, PORT);
    const s = w.net.connect(0, ip(2), PORT);
    w.kernel.run({ until: LAT / 2 });
    w.net.setHostDown(1);
    w.kernel.run();
    expect(w.logs[0]!.events).toEqual([`${seconds(5)} failed ${s} timeout`]);
  });

  it('a connector that closes before the SYN arrives is never accepted', () => {
    const w = world();
    w.net.listen(1, PORT);
    const s = w.net.connect(0, ip(2), PORT);
    w.net.close(s);
    w.kernel.run();
    expect(w.logs[1]!.events).toEqual([]);
    expect(w.logs[0]!.events).toEqual([]);
  });

  it('rejects misuse: duplicate addresses, down hosts connecting, bad ports, sending while connecting', () => {
    const w = world();
    expect(() => w.net.addHost({ addresses: [ip(1)] })).toThrow(NetworkError);
    expect(() => w.net.addHost({ addresses: [] })).toThrow(NetworkError);
    expect(() => w.net.listen(0, 70000)).toThrow(NetworkError);
    w.net.listen(1, PORT);
    expect(() => w.net.listen(1, PORT)).toThrow(/already listens/);
    const s = w.net.connect(0, ip(2), PORT);
    expect(() => w.net.send(s, 1, 10)).toThrow(/still connecting/);
    w.net.setHostDown(0);
    expect(() => w.net.connect(0, ip(2), PORT)).toThrow(/down/);
    expect(() => w.net.socketInfo(999)).toThrow(/unknown socket/);
    expect(() => w.net.isUp(7)).toThrow(/unknown host/);
  });
});

describe('send', () => {
  it('delivers in order per connection even when each message draws a random latency', () => {
    const lat = exponential(new Rng('latency'), { mean: millis(50) });
    const drawn: number[] = [];
    const w = world(sampledLatency(() => {
      const x = Math.round(lat());
      drawn.push(x);
      return x;
    }));
    const [a, b] = connected(w, 0, 1);
    drawn.length = 0; // keep only the data messages' draws
    const sentAt: number[] = [];
    // One message per millisecond with ~50 ms random latency: many would overtake others if allowed.
    for (let i = 0; i < 2000; i++) {
      sentAt.push(w.kernel.now());
      expect(w.net.send(a, i, 100)).toBe(true);
      w.kernel.run({ until: w.kernel.now() + millis(1) });
    }
    w.kernel.run();
    const got = w.logs[1]!.messages;
    expect(got.map((m) => m.payload)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(got.every((m) => m.socket === b)).toBe(true);
    expect(drawn.length).toBe(2000);
    let prev = 0;
    let wouldOvertake = 0;
    for (let i = 0; i < 2000; i++) {
      const own = sentAt[i]! + drawn[i]!;
      if (own < prev) wouldOvertake++;
      prev = Math.max(prev, own);
      expect(got[i]!.t).toBe(prev); // arrival = max(previous arrival, send time + own latency)
    }
    expect(wouldOvertake).toBeGreaterThan(500);
  });

  it('bandwidth delays large payloads, and one host uplink is shared by its connections', () => {
    const w = world(constantLatency(LAT), 3, { upload: [1_000_000, Infinity, Infinity] });
    const [a1] = connected(w, 0, 1);
    const [a2] = connected(w, 0, 2);
    const t0 = w.kernel.now();
    w.net.send(a1, 1, 500_000); // 0.5 s on the wire at 1 MB/s
    w.net.send(a2, 2, 1_000); // queued behind it on the same uplink: 1 ms more
    w.kernel.run();
    expect(w.logs[1]!.messages).toEqual([{ t: t0 + millis(500) + LAT, socket: w.net.socketInfo(a1).peer, payload: 1 }]);
    expect(w.logs[2]!.messages[0]!.t).toBe(t0 + millis(501) + LAT);
    // Unlimited bandwidth on the reverse direction: latency only.
    const b1 = w.net.socketInfo(a1).peer;
    const t1 = w.kernel.now();
    w.net.send(b1, 3, 10_000_000);
    w.kernel.run();
    expect(w.logs[0]!.messages[0]!.t).toBe(t1 + LAT);
  });

  it('counts bytes per socket and per host', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    w.net.send(a, 1, 300);
    w.net.send(a, 2, 200);
    w.net.send(b, 3, 50);
    w.kernel.run();
    expect([w.net.bytesSent(a), w.net.bytesReceived(a), w.net.bytesSent(b), w.net.bytesReceived(b)]).toEqual([500, 50, 50, 500]);
    expect([w.net.hostBytesSent(0), w.net.hostBytesReceived(0), w.net.hostBytesSent(1), w.net.hostBytesReceived(1)]).toEqual([500, 50, 50, 500]);
    expect(w.net.stats()).toMatchObject({ messagesSent: 3, messagesDelivered: 3, bytesSent: 550, bytesDelivered: 550, messagesDropped: 0 });
  });
});

describe('late submission (a caller that computes traffic ahead)', () => {
  it('a packet submitted with its departure time arrives one latency after it, ahead of packets that left later', () => {
    const w = world();
    const [a] = connected(w, 0, 1);
    const t0 = w.kernel.now();
    w.kernel.run({ until: t0 + millis(6) });
    w.net.send(a, 1, 10); // leaves now, arrives at t0 + 6 ms + 10 ms
    w.net.send(a, 2, 10, t0); // left 6 ms ago: arrives at t0 + 10 ms, first
    w.kernel.run();
    expect(w.logs[1]!.messages.map((m) => [m.payload, m.t - t0])).toEqual([
      [2, LAT],
      [1, millis(6) + LAT],
    ]);
    expect(w.net.bytesSent(a)).toBe(20);
  });

  it('refuses a departure in the future, one that would have arrived already, and a limited uplink', () => {
    const w = world(constantLatency(LAT), 3, { upload: [Infinity, Infinity, 1000] });
    const [a] = connected(w, 0, 1);
    const now = w.kernel.now();
    expect(() => w.net.send(a, 1, 10, now + 1)).toThrow(NetworkError);
    expect(() => w.net.send(a, 1, 10, now - LAT - 1)).toThrow(NetworkError);
    const [c] = connected(w, 2, 1);
    expect(() => w.net.send(c, 1, 10, w.kernel.now())).toThrow(/unlimited uplink/);
  });

  it('reports what a caller needs to compute timing ahead: fixed latency, upload rate, installed faults', () => {
    const w = world(constantLatency(LAT), 2, { upload: [Infinity, 5000] });
    expect(w.net.fixedLatency(0, 1)).toBe(LAT);
    expect(w.net.uploadRate(0)).toBe(Infinity);
    expect(w.net.uploadRate(1)).toBe(5000);
    expect(w.net.faultCount()).toBe(0);
    const h = w.net.addFault({ type: 'blackhole', hosts: [1] });
    expect(w.net.faultCount()).toBe(1);
    w.net.removeFault(h);
    expect(w.net.faultCount()).toBe(0);
    const jittered = world(sampledLatency(() => LAT), 2);
    expect(jittered.net.fixedLatency(0, 1)).toBeUndefined();
  });
});

describe('close and reset', () => {
  it('close: the peer gets all data sent before it, then onClose("closed"); the closer gets no callback', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    const t0 = w.kernel.now();
    w.net.send(a, 1, 10);
    w.net.send(a, 2, 10);
    w.net.close(a);
    expect(w.net.send(a, 3, 10)).toBe(false);
    w.kernel.run();
    expect(w.logs[1]!.messages.map((m) => m.payload)).toEqual([1, 2]);
    expect(w.logs[1]!.events.at(-1)).toBe(`${t0 + LAT} close ${b} closed`);
    expect(w.logs[0]!.events.filter((e) => e.includes('close'))).toEqual([]);
    expect(w.net.isOpen(b)).toBe(false);
    expect(w.net.send(b, 4, 10)).toBe(false);
    expect(w.net.socketsOf(0)).toEqual([]);
  });

  it('data still arriving at a closed socket is discarded', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    w.net.send(b, 1, 10);
    w.net.close(a);
    w.kernel.run();
    expect(w.logs[0]!.messages).toEqual([]);
    expect(w.net.stats().messagesDropped).toBe(1);
  });

  it('reset: the peer learns one latency later, ahead of queued data, which is then discarded', () => {
    const w = world(constantLatency(LAT), 2, { upload: [10_000, Infinity] });
    const [a, b] = connected(w, 0, 1);
    const t0 = w.kernel.now();
    w.net.send(a, 1, 1_000); // 100 ms on the uplink
    w.net.reset(a);
    w.kernel.run();
    expect(w.logs[1]!.events.at(-1)).toBe(`${t0 + LAT} close ${b} reset`);
    expect(w.logs[1]!.messages).toEqual([]);
  });
});

describe('hosts going down', () => {
  it('a crash is silent; a shutdown with close or reset notifies peers; a restarted host listens again', () => {
    const w = world();
    const [, b1] = connected(w, 0, 1);
    const [a2, b2] = connected(w, 2, 1);
    w.net.setHostDown(1); // silent
    w.kernel.run();
    expect(w.logs[0]!.events.some((e) => e.includes('close'))).toBe(false);
    expect(w.net.isOpen(b1)).toBe(false);
    // The peer's messages into the void are lost.
    w.net.send(a2, 1, 10);
    w.kernel.run();
    expect(w.logs[1]!.messages).toEqual([]);
    expect(w.net.isOpen(b2)).toBe(false);
    w.net.setHostUp(1);
    expect(w.net.isListening(1, PORT)).toBe(false);
    const [a3] = connected(w, 0, 1);
    w.net.setHostDown(1, 'close');
    w.kernel.run();
    expect(w.logs[0]!.events.at(-1)).toMatch(new RegExp(` close ${a3} closed$`));
  });
});

describe('faults', () => {
  it('partition: drops messages across it (also those already in flight), blocks connects; heal restores', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    w.net.send(a, 1, 10); // in flight when the partition appears
    const h = w.net.addFault({ type: 'partition', a: [0], b: [1] });
    w.net.send(a, 2, 10);
    w.net.send(b, 3, 10);
    w.net.listen(2, PORT);
    const c = w.net.connect(0, ip(3), PORT); // host 2 is not in the partition
    w.kernel.run({ until: w.kernel.now() + seconds(1) });
    expect(w.logs[1]!.messages).toEqual([]);
    expect(w.logs[0]!.messages).toEqual([]);
    expect(w.net.isOpen(c)).toBe(true);
    expect(w.net.stats().messagesDropped).toBe(3);
    const blocked = w.net.connect(1, ip(1), PORT);
    w.net.listen(0, PORT);
    w.kernel.run({ until: w.kernel.now() + seconds(6) });
    expect(w.logs[1]!.events.at(-1)).toMatch(new RegExp(` failed ${blocked} timeout$`));
    expect(w.net.removeFault(h)).toBe(true);
    expect(w.net.removeFault(h)).toBe(false);
    w.net.send(a, 4, 10);
    w.kernel.run();
    expect(w.logs[1]!.messages.map((m) => m.payload)).toEqual([4]);
  });

  it('partition with one side given cuts that side from everyone else', () => {
    const w = world();
    const [a] = connected(w, 0, 1);
    const [c] = connected(w, 2, 1);
    w.net.addFault({ type: 'partition', a: [0] });
    w.net.send(a, 1, 10);
    w.net.send(c, 2, 10);
    w.kernel.run();
    expect(w.logs[1]!.messages.map((m) => m.payload)).toEqual([2]);
  });

  it('drop rule: each message lost with the given probability, only on matching links', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    w.net.addFault({ type: 'drop', probability: 0.3, from: [0] });
    const n = 5000;
    for (let i = 0; i < n; i++) w.net.send(a, i, 1);
    for (let i = 0; i < 100; i++) w.net.send(b, i, 1); // reverse direction unaffected
    w.kernel.run();
    const got = w.logs[1]!.messages.length;
    expect(Math.abs(got - 0.7 * n)).toBeLessThan(5 * Math.sqrt(n * 0.3 * 0.7));
    expect(w.logs[0]!.messages.length).toBe(100);
    // Survivors keep their order.
    const p = w.logs[1]!.messages.map((m) => m.payload);
    expect([...p].sort((x, y) => x - y)).toEqual(p);
    expect(() => w.net.addFault({ type: 'drop', probability: 2 })).toThrow(NetworkError);
  });

  it('black-hole: connects to the host time out and its traffic vanishes; removal restores it', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    const h = w.net.addFault({ type: 'blackhole', hosts: [1] });
    w.net.send(a, 1, 10);
    w.net.send(b, 2, 10);
    const s = w.net.connect(2, ip(2), PORT);
    w.kernel.run();
    expect(w.logs[1]!.messages).toEqual([]);
    expect(w.logs[0]!.messages).toEqual([]);
    expect(w.logs[2]!.events.at(-1)).toMatch(new RegExp(` failed ${s} timeout$`));
    w.net.removeFault(h);
    w.net.send(a, 3, 10);
    w.kernel.run();
    expect(w.logs[1]!.messages.map((m) => m.payload)).toEqual([3]);
  });

  it('delay rule adds latency on matching links only', () => {
    const w = world();
    const [a, b] = connected(w, 0, 1);
    w.net.addFault({ type: 'delay', extraMicros: millis(100), from: [0], to: [1] });
    const t0 = w.kernel.now();
    w.net.send(a, 1, 1);
    w.net.send(b, 2, 1);
    w.kernel.run();
    expect(w.logs[1]!.messages[0]!.t).toBe(t0 + LAT + millis(100));
    expect(w.logs[0]!.messages[0]!.t).toBe(t0 + LAT);
  });
});

describe('latency models and determinism', () => {
  it('region matrix latency uses each host region', () => {
    const kernel = new Kernel();
    const net = new Network<number>(kernel, { latency: regionLatency([[millis(5), millis(80)], [millis(80), millis(5)]]), rng: new Rng(1) });
    const got: number[] = [];
    const handlers = { onMessage: () => got.push(kernel.now()) };
    net.addHost({ addresses: [ip(1)], region: 0 });
    net.addHost({ addresses: [ip(2)], region: 1, handlers });
    net.addHost({ addresses: [ip(3)], region: 1 });
    net.listen(1, PORT);
    const far = net.connect(0, ip(2), PORT);
    const near = net.connect(2, ip(2), PORT);
    kernel.run();
    expect(net.isOpen(far) && net.isOpen(near)).toBe(true);
    const t0 = kernel.now();
    net.send(far, 1, 1);
    net.send(near, 2, 1);
    kernel.run();
    expect(got).toEqual([t0 + millis(5), t0 + millis(80)]);
    expect(() => regionLatency([[1, 2]])).toThrow(RangeError);
  });

  it('the same random run gives the same trace digest; another seed another', () => {
    const run = (seed: string) => {
      const trace = new Trace();
      const w = world(sampledLatency(exponential(new Rng(seed), { mean: millis(30) })), 3, { trace, seed });
      w.kernel.observe(trace);
      const [a] = connected(w, 0, 1);
      w.net.addFault({ type: 'drop', probability: 0.2 });
      for (let i = 0; i < 200; i++) w.net.send(a, i, 100 + i);
      w.kernel.run();
      return trace.digest();
    };
    expect(run('s1')).toBe(run('s1'));
    expect(run('s1')).not.toBe(run('s2'));
    expect(run('s1')).toMatch(/^[0-9a-f]{16}$/);
  });
});
