// Transaction relay (tx.ts) through a whole Connman over fake ports: the inv trickle means
// (2 s per outbound peer, 5 s shared per network key for inbound peers, at the same instants for
// inbound peers on one key), NoBan bypass, no announcements to non-relaying peers, the
// inv -> getdata -> tx exchange setting the peer's last-tx time, which then protects it from
// inbound eviction, the tx-relay inbound cap, and the oversize-inv misbehaviour.
import { describe, expect, it } from 'vitest';
import { Connman } from '../net/connman.ts';
import type { ConnmanOptions } from '../net/options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { MSG_GETDATA, MSG_INV, MSG_TX, versionMessage, type P2PMessage } from '../protocol/messages.ts';
import { NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetPermissionFlags } from '../protocol/net-permissions.ts';
import {
  DEFAULT_TX_PAYLOAD_BYTES,
  INBOUND_INVENTORY_BROADCAST_INTERVAL,
  MAX_INV_SZ,
  OUTBOUND_INVENTORY_BROADCAST_INTERVAL,
  txDataMessage,
  txInvMessage,
  type TxDataMessage,
  type TxInvMessage,
} from './tx.ts';
import type { ConnHandle, ConnmanEvent, Micros } from '../ports.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { SubNet } from '../protocol/subnet.ts';
import { buildNode } from '../init.ts';
import type { PeerManager } from './peerman.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

interface W {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  /** Kernel time of each event, parallel to log.events. */
  times: Micros[];
  cm: Connman;
  peerman: PeerManager;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}, seed = 1): W {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const times: Micros[] = [];
  const sink = {
    emit(e: ConnmanEvent): void {
      log.emit(e);
      times.push(sched.nowMicros());
    },
  };
  const b = new Uint8Array(32);
  b[0] = seed;
  const node = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(b), transport, events: sink, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts });
  const cm = node.connman;
  cm.start();
  return { sched, transport, log, times, cm, peerman: node.peerman };
}

/** An inbound peer that completes the handshake and answers pings (so it stays up for hours). */
function inbound(w: W, remote: string, relay = true): ConnHandle {
  const h = w.transport.accept(LOCAL, serviceOrThrow(remote, 8333), { polite: true });
  w.sched.runFor(1);
  w.transport.deliver(h, versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: BigInt(h) + 1000n, relay }), 0);
  w.sched.runFor(S);
  return h;
}

function nodeOf(w: W, h: ConnHandle) {
  return w.cm.getNodes().find((n) => n.conn === h)!;
}

/** Times at which a tx inv went to node `id`. */
function invTimes(w: W, id: number): Micros[] {
  const out: Micros[] = [];
  w.log.events.forEach((e, i) => {
    if (e.kind === 'tx-inv-sent' && e.nodeId === id) out.push(w.times[i]!);
  });
  return out;
}

function sentOfType(w: W, h: ConnHandle, type: string): P2PMessage[] {
  return w.transport.conns.get(h)!.sent.filter((m) => m.type === type);
}

/** Submits one tx every `gap` and returns the mean delay until node `id` was sent its inv. */
function meanAnnounceDelay(w: W, id: number, n: number, gap: Micros): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    const t0 = w.sched.nowMicros();
    const before = invTimes(w, id).length;
    expect(w.peerman.tx.submitTx(i)).toBe(true);
    w.sched.runFor(gap);
    const after = invTimes(w, id);
    expect(after.length, `tx ${i} announced once`).toBe(before + 1);
    sum += after.at(-1)! - t0;
  }
  return sum / n;
}

describe('tx inventory trickle', () => {
  it('announces to an outbound peer after 2 s on average (its own Poisson timer)', () => {
    const w = makeWorld();
    expect(w.cm.addConnection('90.2.2.2', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(2 * S);
    const h = w.transport.connsTo(serviceOrThrow('90.2.2.2:8333', 8333))[0]!.handle;
    const node = nodeOf(w, h);
    expect(node.successfullyConnected).toBe(true);
    const mean = meanAnnounceDelay(w, node.id, 400, 30 * S);
    // 400 exponential samples of mean 2 s: standard error 0.1 s.
    expect(mean / OUTBOUND_INVENTORY_BROADCAST_INTERVAL).toBeGreaterThan(0.8);
    expect(mean / OUTBOUND_INVENTORY_BROADCAST_INTERVAL).toBeLessThan(1.2);
    const invs = sentOfType(w, h, MSG_INV) as TxInvMessage[];
    expect(invs.map((m) => m.txids.length)).toEqual(new Array(400).fill(1));
    expect(invs[0]!.sizeBytes).toBe(24 + 1 + 36);
  });

  it('announces to inbound peers after 5 s on average, at the same instants for one network key', () => {
    const w = makeWorld();
    const a = nodeOf(w, inbound(w, '60.1.1.1:5000'));
    const b = nodeOf(w, inbound(w, '61.2.2.2:5000'));
    expect(a.networkKey).toBe(b.networkKey);
    const mean = meanAnnounceDelay(w, a.id, 400, 60 * S);
    // 400 samples of mean 5 s: standard error 0.25 s.
    expect(mean / INBOUND_INVENTORY_BROADCAST_INTERVAL).toBeGreaterThan(0.8);
    expect(mean / INBOUND_INVENTORY_BROADCAST_INTERVAL).toBeLessThan(1.2);
    const ta = invTimes(w, a.id);
    expect(ta.length).toBe(400);
    expect(invTimes(w, b.id)).toEqual(ta);
  });

  it('gives outbound and inbound peers independent instants', () => {
    const w = makeWorld();
    expect(w.cm.addConnection('90.2.2.2', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(2 * S);
    const out = nodeOf(w, w.transport.connsTo(serviceOrThrow('90.2.2.2:8333', 8333))[0]!.handle);
    const inb = nodeOf(w, inbound(w, '60.1.1.1:5000'));
    for (let i = 1; i <= 20; i++) {
      w.peerman.tx.submitTx(i);
      w.sched.runFor(60 * S);
    }
    const to = invTimes(w, out.id);
    const ti = invTimes(w, inb.id);
    expect(to.length).toBe(20);
    expect(ti.length).toBe(20);
    expect(to.filter((t, i) => t === ti[i]).length).toBe(0);
  });

  it('a NoBan peer gets announcements at once, bypassing the trickle', () => {
    const w = makeWorld({
      whitelistedRangeIncoming: [{ subnet: SubNet.single(NetAddr.fromIPv4(0x3c010101)), flags: NetPermissionFlags.NoBan }],
    });
    const node = nodeOf(w, inbound(w, '60.1.1.1:5000'));
    for (let i = 1; i <= 5; i++) {
      const t0 = w.sched.nowMicros();
      w.peerman.tx.submitTx(i);
      w.sched.runFor(10 * S);
      expect(invTimes(w, node.id).at(-1)).toBe(t0);
    }
  });

  it('announces nothing to peers that asked for no txs or only carry blocks, and arms no timer for them', () => {
    const w = makeWorld();
    const noRelay = nodeOf(w, inbound(w, '60.1.1.1:5000', false));
    expect(w.cm.addConnection('90.3.3.3', ConnectionType.BLOCK_RELAY)).toBe(true);
    w.sched.runFor(2 * S);
    const block = nodeOf(w, w.transport.connsTo(serviceOrThrow('90.3.3.3:8333', 8333))[0]!.handle);
    expect(block.successfullyConnected).toBe(true);
    for (let i = 1; i <= 10; i++) {
      w.peerman.tx.submitTx(i);
      expect(w.peerman.tx.nextDue(noRelay)).toBe(Infinity);
      expect(w.peerman.tx.nextDue(block)).toBe(Infinity);
      w.sched.runFor(20 * S);
    }
    expect(w.log.ofKind('tx-inv-sent')).toEqual([]);
  });

  it('with no transactions nothing is queued and no peer has a tx deadline', () => {
    const w = makeWorld();
    const a = nodeOf(w, inbound(w, '60.1.1.1:5000'));
    expect(w.cm.addConnection('90.2.2.2', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(600 * S);
    for (const n of w.cm.getNodes()) expect(w.peerman.tx.nextDue(n)).toBe(Infinity);
    expect(w.peerman.tx.queuedFor(a.id)).toBe(0);
    expect(w.log.ofKind('tx-inv-sent')).toEqual([]);
  });
});

describe('tx download', () => {
  it('requests an announced tx, sets the last-tx time on receipt, and relays it to others only', () => {
    const w = makeWorld();
    const ha = inbound(w, '60.1.1.1:5000');
    const hb = inbound(w, '61.1.1.1:5000');
    const a = nodeOf(w, ha);
    const b = nodeOf(w, hb);
    w.sched.runFor(10 * S);
    w.transport.deliver(ha, txInvMessage([77]), 0);
    w.sched.runFor(1);
    const gd = sentOfType(w, ha, MSG_GETDATA) as TxInvMessage[];
    expect(gd.map((m) => m.txids)).toEqual([[77]]);
    // A second announcer is not asked while the first request is outstanding.
    w.transport.deliver(hb, txInvMessage([77]), 0);
    w.sched.runFor(1);
    expect(sentOfType(w, hb, MSG_GETDATA)).toEqual([]);
    expect(a.lastTxTimeSeconds).toBe(0);
    const at = w.sched.nowMicros();
    w.transport.deliver(ha, txDataMessage(77), 0);
    w.sched.runFor(1);
    expect(a.lastTxTimeSeconds).toBe(Math.floor(at / S));
    expect(b.lastTxTimeSeconds).toBe(0);
    expect(w.peerman.tx.hasTx(77)).toBe(true);
    expect(w.log.ofKind('tx-accepted')).toEqual([{ kind: 'tx-accepted', nodeId: a.id, addr: '60.1.1.1:5000', txid: 77 }]);
    // b announced it, a sent it: neither is told about it.
    w.sched.runFor(60 * S);
    expect(w.log.ofKind('tx-inv-sent')).toEqual([]);
    // A getdata is answered with the tx at the simulated size.
    w.transport.deliver(hb, { ...txInvMessage([77]), type: MSG_GETDATA } as TxInvMessage, 0);
    w.sched.runFor(1);
    const txs = sentOfType(w, hb, MSG_TX) as TxDataMessage[];
    expect(txs.map((m) => [m.txid, m.payloadBytes])).toEqual([[77, DEFAULT_TX_PAYLOAD_BYTES]]);
    // A known tx arriving again does not refresh the last-tx time.
    w.sched.runFor(100 * S);
    w.transport.deliver(hb, txDataMessage(77), 0);
    w.sched.runFor(1);
    expect(b.lastTxTimeSeconds).toBe(0);
  });

  it('an inv over MAX_INV_SZ entries is misbehaviour', () => {
    const w = makeWorld();
    const h = inbound(w, '60.1.1.1:5000');
    w.transport.deliver(h, txInvMessage(Array.from({ length: MAX_INV_SZ + 1 }, (_, i) => i)), 0);
    w.sched.runFor(1);
    expect(w.log.ofKind('misbehaving')).toEqual([
      { kind: 'misbehaving', nodeId: nodeOf(w, h)?.id ?? 0, addr: '60.1.1.1:5000', reason: `inv message size = ${MAX_INV_SZ + 1}`, action: 'disconnect' },
    ]);
    expect(w.transport.conns.get(h)!.closed).toBe(true);
  });

  it('a tx from a peer we told fRelay = false is a protocol violation', () => {
    const w = makeWorld({ blocksOnly: true });
    const h = inbound(w, '60.1.1.1:5000');
    w.transport.deliver(h, txDataMessage(5), 0);
    w.sched.runFor(1);
    expect(w.log.ofKind('connection-closed').at(-1)).toMatchObject({ addr: '60.1.1.1:5000', reason: 'protocol-violation' });
    expect(w.peerman.tx.hasTx(5)).toBe(false);
  });
});

describe('last-tx time and inbound eviction', () => {
  /**
   * Fills 50 inbound slots with peers of one /16 at 1 s spacing (so SelectNodeToEvict's protections
   * leave candidates), optionally has the youngest send a new tx, then overflows the slots.
   */
  function evictionRun(youngestRelaysTx: boolean): { victim: string; youngestClosed: boolean } {
    // 61 connections: 11 outbound slots, 50 inbound. The peers relay no txs (outside the tx-relay cap).
    const w = makeWorld({ maxConnections: 61 });
    const hs: ConnHandle[] = [];
    for (let i = 0; i < 50; i++) {
      hs.push(inbound(w, `160.176.1.${i + 1}:5000`, false));
    }
    const youngest = hs.at(-1)!;
    if (youngestRelaysTx) {
      w.transport.deliver(youngest, txDataMessage(1), 0);
      w.sched.runFor(S);
      expect(nodeOf(w, youngest).lastTxTimeSeconds).toBeGreaterThan(0);
    }
    inbound(w, '160.176.9.9:5000', false);
    const ev = w.log.ofKind('eviction');
    expect(ev.length).toBe(1);
    return { victim: ev[0]!.victimAddr, youngestClosed: w.transport.conns.get(youngest)!.closed };
  }

  it('a peer that relayed a tx survives inbound eviction over one that did not, all else equal', () => {
    const without = evictionRun(false);
    expect(without).toEqual({ victim: '160.176.1.50:5000', youngestClosed: true });
    const withTx = evictionRun(true);
    expect(withTx.youngestClosed).toBe(false);
    expect(withTx.victim).not.toBe('160.176.1.50:5000');
  });
});

describe('tx-relay inbound cap', () => {
  it('a tx-relaying inbound peer over the cap evicts another tx-relaying inbound peer; non-relaying ones do not count', () => {
    // 61 connections: 50 inbound slots, of which trunc(50% x 50) = 25 for tx relay.
    const w = makeWorld({ maxConnections: 61 });
    for (let i = 0; i < 10; i++) inbound(w, `50.${i}.1.1:5000`, false);
    for (let i = 0; i < 25; i++) inbound(w, `60.${i}.1.1:5000`);
    expect(w.log.ofKind('eviction')).toEqual([]);
    const h = inbound(w, '99.1.1.1:5000');
    const ev = w.log.ofKind('eviction');
    expect(ev.length).toBe(1);
    expect(ev[0]!.txRelayOnly).toBe(true);
    expect(ev[0]!.victimAddr.startsWith('60.')).toBe(true);
    expect(w.log.ofKind('connection-closed').map((e) => e.reason)).toEqual(['evicted-tx-relay']);
    expect(nodeOf(w, h).successfullyConnected).toBe(true);
  });

  it('with too few tx-relaying candidates left after protection, the newcomer is dropped instead', () => {
    // 16 connections: 5 inbound slots, of which trunc(50% x 5) = 2 for tx relay.
    const w = makeWorld({ maxConnections: 16 });
    inbound(w, '61.1.1.1:5000');
    inbound(w, '62.1.1.1:5000');
    inbound(w, '63.1.1.1:5000');
    expect(w.log.ofKind('eviction')).toEqual([]);
    expect(w.log.ofKind('connection-closed').map((e) => [e.addr, e.reason])).toEqual([['63.1.1.1:5000', 'tx-relay-capacity']]);
  });
});
