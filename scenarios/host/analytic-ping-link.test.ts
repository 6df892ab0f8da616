// The analytic ping link's arithmetic on its own: what each end has sent and received by a given
// time, the ping in flight, and what is handed back to the message path (and when it left; the
// network delivers it one latency later, see sim/network.test.ts). The world-level agreement with
// pings sent as messages is in analytic-ping.test.ts.
import { describe, expect, it } from 'vitest';
import type { KeepAliveOwner } from '../../connman/ports.ts';
import { Node, MIN_PING_TIME_UNSET } from '../../connman/net/node.ts';
import { ANALYTIC_PING_NONCE, PING_MESSAGE_BYTES, PingHub, type PingEnd } from './analytic-ping.ts';

interface Log {
  sent: Record<string, number>;
  recv: Record<string, number>;
  departing: { type: string; nonce: bigint; departed: number }[];
  refreshed: number;
}

function end(node: Node, log: Log): PingEnd {
  return { node, owner: owner(log), wire: { sendDeparted: (_node, type, nonce, departed) => log.departing.push({ type, nonce, departed }) } };
}

function owner(log: Log): KeepAliveOwner {
  return {
    computedSent: (node, type, count, lastAt, _periodMicros) => {
      log.sent[type] = (log.sent[type] ?? 0) + count;
      node.sendBytes += count * PING_MESSAGE_BYTES;
      node.lastSendMicros = Math.max(node.lastSendMicros, lastAt);
    },
    computedReceived: (node, type, count, lastAt) => {
      log.recv[type] = (log.recv[type] ?? 0) + count;
      node.recvBytes += count * PING_MESSAGE_BYTES;
      node.lastRecvMicros = Math.max(node.lastRecvMicros, lastAt);
    },
    drawPingNonce: () => 42n,
    refreshTimer: () => {
      log.refreshed++;
    },
  };
}

function fakeNode(id: number): Node {
  // Only the counters and ping fields are touched by the link.
  return Object.assign(Object.create(Node.prototype) as Node, {
    id,
    lastSendMicros: 0,
    lastRecvMicros: 0,
    sendBytes: 0,
    recvBytes: 0,
    lastPingTimeMicros: 0,
    minPingTimeMicros: MIN_PING_TIME_UNSET,
    pingNonceSent: 0n,
    pingStartMicros: 0,
  });
}

const P = 120_000_001; // PING_INTERVAL + 1 µs
const OUT = 30_000;
const BACK = 50_000;

function setup() {
  const logs: [Log, Log] = [
    { sent: {}, recv: {}, departing: [], refreshed: 0 },
    { sent: {}, recv: {}, departing: [], refreshed: 0 },
  ];
  const a = fakeNode(1);
  const b = fakeNode(2);
  const hub = new PingHub();
  const link = hub.register(7, end(a, logs[0]));
  hub.register(7, end(b, logs[1]));
  return { hub, link, a, b, logs };
}

describe('PingLink', () => {
  it('counts pings, pongs and the ping in flight on both ends by time', () => {
    const { link, a, b, logs } = setup();
    link.start(0, 1_000, P, OUT, BACK);
    // The first ping counts as sent at once and is in flight.
    expect(logs[0].sent).toEqual({ ping: 1 });
    expect(a.pingNonceSent).toBe(ANALYTIC_PING_NONCE);
    expect(a.pingStartMicros).toBe(1_000);
    // One µs before the ping arrives, b has seen nothing; at arrival it has the ping and answered.
    link.settle(1, 1_000 + OUT - 1);
    expect(logs[1].recv).toEqual({});
    link.settle(1, 1_000 + OUT);
    expect(logs[1]).toMatchObject({ recv: { ping: 1 }, sent: { pong: 1 } });
    expect(b.lastRecvMicros).toBe(1_000 + OUT);
    // The pong lands one round trip after the ping: the ping time is the round trip.
    link.settle(0, 1_000 + OUT + BACK - 1);
    expect(a.pingNonceSent).toBe(ANALYTIC_PING_NONCE);
    link.settle(0, 1_000 + OUT + BACK);
    expect(a.pingNonceSent).toBe(0n);
    expect(a.lastPingTimeMicros).toBe(OUT + BACK);
    expect(a.minPingTimeMicros).toBe(OUT + BACK);
    // Ten intervals later: 11 pings sent, 10 or 11 pongs depending on the instant.
    const t = 1_000 + 10 * P;
    link.settle(0, t);
    expect(logs[0].sent.ping).toBe(11);
    expect(logs[0].recv.pong).toBe(10);
    expect(a.pingStartMicros).toBe(t);
    expect(a.lastSendMicros).toBe(t);
    expect(a.sendBytes).toBe(11 * PING_MESSAGE_BYTES);
    link.settle(1, t);
    expect(logs[1].recv.ping).toBe(10);
    // Settling twice at the same time changes nothing.
    link.settle(0, t);
    link.settle(1, t);
    expect(logs[0].sent.ping).toBe(11);
    expect(logs[1].recv.ping).toBe(10);
  });

  it('hands a ping still on its way to the peer back as a real ping that left when it was sent', () => {
    const { link, a, logs } = setup();
    link.start(0, 0, P, OUT, BACK);
    link.materialize(3 * P + 10);
    expect(a.pingNonceSent).toBe(42n);
    expect(a.pingStartMicros).toBe(3 * P);
    // It left at 3P, so it arrives at 3P + OUT, as the computed one would have.
    expect(logs[0].departing).toEqual([{ type: 'ping', nonce: 42n, departed: 3 * P }]);
    expect(logs[1].departing).toEqual([]);
    expect(link.active()).toBe(false);
    expect(logs[0].refreshed + logs[1].refreshed).toBe(2);
  });

  it('hands a pong on its way back over as a real pong from the peer', () => {
    const { link, a, logs } = setup();
    link.start(0, 0, P, OUT, BACK);
    link.materialize(3 * P + OUT + 1);
    expect(a.pingNonceSent).toBe(42n);
    // The peer answered when the ping arrived (3P + OUT); the pong arrives at 3P + OUT + BACK.
    expect(logs[1].departing).toEqual([{ type: 'pong', nonce: 42n, departed: 3 * P + OUT }]);
    expect(logs[0].departing).toEqual([]);
  });

  it('hands back nothing in flight between a pong and the next ping', () => {
    const { link, a, logs } = setup();
    link.start(1, 5, P, BACK, OUT);
    link.materialize(2 * P);
    expect(a.pingNonceSent).toBe(0n);
    expect(logs[0].departing).toEqual([]);
    expect(logs[1].departing).toEqual([]);
    expect(logs[0].recv.ping).toBe(2);
  });

  it('unregistering an end hands the link back first and frees the key when both are gone', () => {
    const { hub, link, a, b, logs } = setup();
    link.start(0, 0, P, OUT, BACK);
    hub.unregister(link, a, 10);
    expect(link.active()).toBe(false);
    expect(logs[0].departing).toHaveLength(1);
    hub.unregister(link, b, 10);
    // The key is free again: a new pair can register under it.
    const again = hub.register(7, end(fakeNode(3), logs[0]));
    expect(again).not.toBe(link);
  });
});
