// Connman.msgTotals: per-message-type counts and bytes, sent and received, summed over every
// connection and kept after a connection closes (the metrics recorder reads them instead of
// wrapping pushMessage). Checked against the messages the fake transport carried.
import { describe, expect, it } from 'vitest';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { addrMessage, MSG_ADDR, MSG_VERACK, MSG_VERSION, verackMessage, versionMessage, type P2PMessage } from '../protocol/messages.ts';
import { serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

function tally(msgs: readonly P2PMessage[]): Map<string, { msgs: number; bytes: number }> {
  const m = new Map<string, { msgs: number; bytes: number }>();
  for (const x of msgs) {
    const t = m.get(x.type) ?? { msgs: 0, bytes: 0 };
    t.msgs++;
    t.bytes += x.sizeBytes;
    m.set(x.type, t);
  }
  return m;
}

const plain = (m: ReadonlyMap<string, { msgs: number; bytes: number }>): Map<string, { msgs: number; bytes: number }> =>
  new Map([...m].map(([k, v]) => [k, { msgs: v.msgs, bytes: v.bytes }]));

describe('Connman.msgTotals', () => {
  it('counts every message and its bytes per type, both ways, and keeps them after the connections close', () => {
    const sched = new FakeScheduler();
    const transport = new FakeTransport(sched, LOCAL);
    const seed = new Uint8Array(32);
    seed[0] = 3;
    const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(seed), transport, events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }] }).connman;
    cm.start();
    expect(cm.msgTotals().sent.size).toBe(0);
    const delivered: P2PMessage[] = [];
    const handles: number[] = [];
    for (const [k, remote] of ['50.1.1.1:5000', '60.2.2.2:6000'].entries()) {
      const h = transport.accept(LOCAL, serviceOrThrow(remote, 8333), { polite: false });
      handles.push(h);
      sched.runFor(1);
      const nowS = Math.floor(sched.nowMicros() / S);
      const msgs: P2PMessage[] = [
        versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: BigInt(h) + 1000n, relay: true }),
        verackMessage(),
        addrMessage([new Address(serviceOrThrow(`${70 + k}.3.3.3:8333`, 8333), NODE_NETWORK | NODE_WITNESS, nowS - 60)]),
      ];
      for (const [i, m] of msgs.entries()) transport.deliver(h, m, i);
      delivered.push(...msgs);
      sched.runFor(S);
    }
    const sentByFake = (): P2PMessage[] => handles.flatMap((h) => transport.conns.get(h)!.sent);
    let t = cm.msgTotals();
    expect(plain(t.recv)).toEqual(tally(delivered));
    expect(plain(t.sent)).toEqual(tally(sentByFake()));
    expect(t.recv.get(MSG_VERSION)!.msgs).toBe(2);
    expect(t.recv.get(MSG_ADDR)!.msgs).toBe(2);
    expect(t.sent.get(MSG_VERACK)!.msgs).toBe(2);
    // The per-connection counters agree on bytes.
    const perConn = new Map<string, number>();
    for (const s of cm.getNodeStats()) for (const [k, v] of s.bytesRecvPerMsg) perConn.set(k, (perConn.get(k) ?? 0) + v);
    expect(perConn).toEqual(new Map([...t.recv].map(([k, v]) => [k, v.bytes])));

    const sentBefore = tally(sentByFake());
    for (const h of handles) transport.remoteClose(h);
    sched.runFor(10 * S);
    expect(cm.getNodeCount()).toBe(0);
    t = cm.msgTotals();
    expect(plain(t.recv)).toEqual(tally(delivered));
    expect(plain(t.sent)).toEqual(sentBefore);
  });
});
