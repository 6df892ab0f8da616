// getNodeStats / getNodeCount / byte totals (spec §11, §16) through a Connman over the fake ports,
// and Core's functional tests p2p_add_connections.py, p2p_connection_limits.py (§6.4) and the
// connman part of feature_maxuploadtarget.py re-enacted. It does not test the upload target's
// block-serving consequences (net_processing's block serving is not modelled).

import { describe, expect, it } from 'vitest';
import { Connman, ConnectionDirection } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { encodeAsmap } from '../netgroup/asmap.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { MSG_PING, MSG_VERSION, versionMessage, verackMessage, type P2PMessage } from '../protocol/messages.ts';
import { NET_IPV4, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import { NetPermissionFlags, permissionsToStrings } from '../protocol/net-permissions.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { MAX_BLOCK_SERIALIZED_SIZE, MAX_UPLOAD_TIMEFRAME, parseByteUnits } from './upload-target.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const WHITE = serviceOrThrow('1.2.3.4:8400', 8333);
const T0 = 1_700_000_000_000_000;

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  cm: Connman;
  /** Every message the far ends delivered to us (by connection handle). */
  delivered: Map<number, P2PMessage[]>;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}, netgroupman?: NetGroupManager): World {
  const sched = new FakeScheduler(T0);
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, {
      dnsSeed: false,
      fixedSeeds: false,
      feelers: false,
      connect: [],
      localAddresses: [LOCAL],
      binds: [{ service: LOCAL }, { service: WHITE, permissions: NetPermissionFlags.NoBan }],
      ...opts,
    }, netgroupman !== undefined ? { netgroupman } : {}).connman;
  // Record what reaches the Connman from the far ends.
  const delivered = new Map<number, P2PMessage[]>();
  const h = transport.handlers!;
  transport.setHandlers({
    ...h,
    onMessage: (conn, msg) => {
      if (!delivered.has(conn)) delivered.set(conn, []);
      delivered.get(conn)!.push(msg);
      h.onMessage(conn, msg);
    },
  });
  return { sched, transport, log, cm, delivered };
}

function sum(m: Map<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

describe('getNodeStats fields (CNodeStats)', () => {
  it('an outbound full-relay peer: id, addr, type string, network, services, relay, times, ping, bytes per type', () => {
    const w = makeWorld();
    w.transport.behaviourFor = () => ({ latencyMicros: 30_000 });
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(10 * S);
    const [st] = w.cm.getNodeStats();
    expect(st).toBeDefined();
    const node = w.cm.getNodes()[0]!;
    expect(st!.nodeid).toBe(node.id);
    expect(st!.addr).toBe('70.1.1.1');
    expect(st!.connType).toBe('outbound-full-relay');
    expect(st!.network).toBe(NET_IPV4);
    expect(st!.inbound).toBe(false);
    expect(st!.services).toBe(NODE_NETWORK | NODE_WITNESS);
    expect(st!.relayTxs).toBe(true);
    expect(st!.successfullyConnected).toBe(true);
    // Connected 20 ms after the attempt (the fake connect delay).
    expect(st!.conntimeSeconds).toBe(Math.floor((T0 + 20_000) / S));
    expect(st!.lastSendSeconds).toBe(Math.floor(node.lastSendMicros / S));
    expect(st!.lastRecvSeconds).toBe(Math.floor(node.lastRecvMicros / S));
    expect(st!.lastRecvSeconds).toBeGreaterThanOrEqual(st!.conntimeSeconds);
    expect(st!.lastBlockSeconds).toBe(0);
    expect(st!.lastTxSeconds).toBe(0);
    expect(st!.minPingMicros).toBe(60_000);
    expect(st!.pingTimeMicros).toBe(60_000);
    expect(st!.pingWaitMicros).toBeNull();
    expect(st!.bytesSent).toBe(sum(st!.bytesSentPerMsg));
    expect(st!.bytesRecv).toBe(sum(st!.bytesRecvPerMsg));
    expect(st!.bytesSentPerMsg.get(MSG_VERSION)).toBeGreaterThan(24);
    expect(st!.bytesRecvPerMsg.get('verack')).toBe(24);
    expect(st!.keyedNetGroup).toBe(w.cm.calculateKeyedNetGroup(node.addr));
    expect(st!.mappedAs).toBe(0);
    expect(st!.permissions).toBe(0);
  });

  it('connection type strings of every type, and an outstanding ping shows as pingwait', () => {
    const w = makeWorld({ addedNodes: ['90.1.1.1'] });
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.BLOCK_RELAY);
    w.cm.addConnection('71.1.1.1', ConnectionType.ADDR_FETCH);
    w.transport.accept(WHITE, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(S);
    const types = new Map(w.cm.getNodeStats().map((s) => [s.addr, s.connType]));
    expect(types).toEqual(
      new Map([
        ['90.1.1.1', 'manual'],
        ['70.1.1.1', 'block-relay-only'],
        ['71.1.1.1', 'addr-fetch'],
        ['50.1.1.1:5000', 'inbound'],
      ]),
    );
    const inb = w.cm.getNodeStats().find((s) => s.inbound)!;
    expect(permissionsToStrings(inb.permissions)).toEqual(['noban', 'download']);
    expect(inb.relayTxs).toBe(false);
    // A block-relay peer does not relay transactions.
    expect(w.cm.getNodeStats().find((s) => s.addr === '70.1.1.1')!.relayTxs).toBe(false);
    // Stop answering pings: the next one stays outstanding.
    for (const c of w.transport.conns.values()) c.behaviour.answerPings = false;
    w.cm.sendPings();
    w.sched.runFor(3 * S);
    const bl = w.cm.getNodeStats().find((s) => s.addr === '70.1.1.1')!;
    expect(bl.pingWaitMicros).toBe(3 * S);
  });

  it('mapped AS and the keyed netgroup follow an asmap NetGroupManager', () => {
    const asmap = encodeAsmap([
      { prefix: '70.0.0.0/8', asn: 64512 },
      { prefix: '71.0.0.0/8', asn: 64512 },
      { prefix: '72.0.0.0/8', asn: 64513 },
    ]);
    const w = makeWorld({}, NetGroupManager.withAsmap(asmap));
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('71.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('72.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('73.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(S);
    const st = new Map(w.cm.getNodeStats().map((s) => [s.addr, s]));
    expect(st.get('70.1.1.1')!.mappedAs).toBe(64512);
    expect(st.get('72.1.1.1')!.mappedAs).toBe(64513);
    expect(st.get('73.1.1.1')!.mappedAs).toBe(0);
    // Same AS, same netgroup, same keyed netgroup; different AS, different.
    expect(st.get('70.1.1.1')!.keyedNetGroup).toBe(st.get('71.1.1.1')!.keyedNetGroup);
    expect(st.get('70.1.1.1')!.keyedNetGroup).not.toBe(st.get('72.1.1.1')!.keyedNetGroup);
    expect(st.get('73.1.1.1')!.keyedNetGroup).not.toBe(st.get('72.1.1.1')!.keyedNetGroup);
  });
});

describe('getNodeCount and byte totals', () => {
  it('counts by direction (In, Out, Both, None)', () => {
    const w = makeWorld();
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('71.1.1.1', ConnectionType.BLOCK_RELAY);
    w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('51.1.1.1:5000', 8333));
    w.transport.accept(LOCAL, serviceOrThrow('52.1.1.1:5000', 8333));
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(3);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(2);
    expect(w.cm.getNodeCount(ConnectionDirection.Both)).toBe(5);
    expect(w.cm.getNodeCount()).toBe(5);
    expect(w.cm.getNodeCount(ConnectionDirection.None)).toBe(0);
  });

  it('totals equal the per-node, per-type counters and the bytes the transport carried, across disconnects', () => {
    const w = makeWorld();
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('71.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    const h = w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(h, versionMessage({ services: 9, timeSeconds: 1, nonce: 5n, relay: true }), 0);
    w.transport.deliver(h, verackMessage(), 10);
    w.sched.runFor(5 * 60 * S);
    const carriedSent = (): number => {
      let s = 0;
      for (const c of w.transport.conns.values()) for (const m of c.sent) s += m.sizeBytes;
      return s;
    };
    const carriedRecv = (): number => {
      let s = 0;
      for (const ms of w.delivered.values()) for (const m of ms) s += m.sizeBytes;
      return s;
    };
    const stats = w.cm.getNodeStats();
    expect(stats.length).toBe(3);
    expect(w.cm.getTotalBytesSent()).toBe(stats.reduce((a, s) => a + s.bytesSent, 0));
    expect(w.cm.getTotalBytesRecv()).toBe(stats.reduce((a, s) => a + s.bytesRecv, 0));
    expect(w.cm.getTotalBytesSent()).toBe(carriedSent());
    expect(w.cm.getTotalBytesRecv()).toBe(carriedRecv());
    for (const s of stats) {
      expect(s.bytesSent).toBe(sum(s.bytesSentPerMsg));
      expect(s.bytesRecv).toBe(sum(s.bytesRecvPerMsg));
      expect(s.bytesSentPerMsg.get(MSG_PING)).toBeGreaterThan(0);
    }
    // Totals keep counting what disconnected peers sent and received.
    const before = w.cm.getTotalBytesSent();
    w.cm.disconnectNode(stats[0]!.nodeid);
    w.sched.runFor(S);
    expect(w.cm.getTotalBytesSent()).toBe(before);
    expect(w.cm.getTotalBytesSent()).toBe(carriedSent());
    expect(w.cm.getTotalBytesRecv()).toBe(carriedRecv());
  });
});

describe('p2p_add_connections.py re-enacted', () => {
  it('8 full-relay + 2 block-relay via addconnection, limits per type, then a feeler with relay=0 that ends after VERSION', () => {
    const w = makeWorld();
    w.cm.start();
    for (let i = 0; i < 8; i++) expect(w.cm.addConnection(`70.1.1.${i + 1}`, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    for (let i = 0; i < 2; i++) expect(w.cm.addConnection(`71.1.1.${i + 1}`, ConnectionType.BLOCK_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(0);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(10);
    // Over the per-type limits.
    expect(w.cm.addConnection('70.1.1.99', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(false);
    expect(w.cm.addConnection('71.1.1.99', ConnectionType.BLOCK_RELAY)).toBe(false);
    // Disconnect all, then open them again.
    for (const n of [...w.cm.getNodes()]) w.cm.disconnectNode(n.id);
    w.sched.runFor(S);
    expect(w.cm.getNodeCount()).toBe(0);
    for (let i = 0; i < 8; i++) expect(w.cm.addConnection(`70.1.1.${i + 1}`, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(8);
    for (let i = 0; i < 2; i++) expect(w.cm.addConnection(`71.1.1.${i + 1}`, ConnectionType.BLOCK_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(10);
    // A feeler takes the 11th outbound slot (no per-type limit), sends VERSION with relay = 0, and goes.
    expect(w.cm.addConnection('72.1.1.1', ConnectionType.FEELER)).toBe(true);
    w.sched.runFor(S);
    const feeler = [...w.transport.conns.values()].find((c) => c.remote.toStringAddr() === '72.1.1.1')!;
    const versions = feeler.sent.filter((m) => m.type === MSG_VERSION) as unknown as { relay: boolean }[];
    expect(versions.length).toBe(1);
    expect(versions[0]!.relay).toBe(false);
    expect(feeler.closed).toBe(true);
    expect(w.log.ofKind('connection-closed').find((e) => e.connType === ConnectionType.FEELER)?.reason).toBe('feeler-done');
    // The outbound semaphore (11) is the last limit: with it full, even a feeler is refused.
    expect(w.cm.addConnection('72.1.1.2', ConnectionType.FEELER)).toBe(true);
    expect(w.cm.addConnection('72.1.1.3', ConnectionType.FEELER)).toBe(false);
  });

  it('addconnection refuses INBOUND and MANUAL', () => {
    const w = makeWorld();
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.INBOUND)).toBe(false);
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.MANUAL)).toBe(false);
    expect(w.cm.getGrantsInUse().outbound).toBe(0);
  });

  it('addconnection answers true once a slot is granted, even if the connection is then refused (Core ignores OpenNetworkConnection)', () => {
    const w = makeWorld();
    w.cm.start();
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(S);
    // Already connected to that host: OpenNetworkConnection refuses, the RPC still succeeds.
    expect(w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    expect(w.log.ofKind('connect-failed').map((e) => e.reason)).toEqual(['already-connected']);
    // The grant went back: only the first connection holds one.
    expect(w.cm.getGrantsInUse().outbound).toBe(1);
    w.cm.setNetworkActive(false);
    expect(w.cm.addConnection('71.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(S);
    expect(w.cm.getGrantsInUse().outbound).toBe(0);
  });

  it('node 1 of the test: 2 block-relay, 5 inbound, 8 full-relay', () => {
    const w = makeWorld();
    w.cm.start();
    for (let i = 0; i < 2; i++) w.cm.addConnection(`71.1.1.${i + 1}`, ConnectionType.BLOCK_RELAY);
    for (let i = 0; i < 5; i++) w.transport.accept(LOCAL, serviceOrThrow(`50.1.1.${i + 1}:5000`, 8333));
    for (let i = 0; i < 8; i++) w.cm.addConnection(`70.1.1.${i + 1}`, ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(5);
    expect(w.cm.getNodeCount(ConnectionDirection.Out)).toBe(10);
  });
});

describe('p2p_connection_limits.py re-enacted (-maxconnections=13: 2 inbound slots)', () => {
  function versionFrom(w: World, remote: string, relay: boolean, services = NODE_NETWORK | NODE_WITNESS): number {
    const h = w.transport.accept(LOCAL, serviceOrThrow(remote, 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(h, versionMessage({ services, timeSeconds: 1, nonce: BigInt(h + 100), relay }), 0);
    w.transport.deliver(h, verackMessage(), 1);
    w.sched.runFor(10);
    return h;
  }
  const inbound = (w: World): string[] => w.cm.getNodes().filter((n) => n.isInbound()).map((n) => n.addrName);

  it('one tx-relay slot: a second full-relay peer is dropped; a block-relay peer frees room for one', () => {
    const w = makeWorld({ maxConnections: 13 });
    w.cm.start();
    expect(w.cm.slots.maxInbound).toBe(2);
    expect(w.cm.slots.maxInboundFullRelay).toBe(1);
    versionFrom(w, '50.1.1.1:5000', true);
    versionFrom(w, '51.1.1.1:5000', true);
    expect(inbound(w)).toEqual(['50.1.1.1:5000']);
    expect(w.log.ofKind('connection-closed').at(-1)?.reason).toBe('tx-relay-capacity');
    for (const n of [...w.cm.getNodes()]) w.cm.disconnectNode(n.id);
    w.sched.runFor(1);
    // A block-relay inbound peer, then a full-relay one: both accepted.
    versionFrom(w, '52.1.1.1:5000', false);
    versionFrom(w, '53.1.1.1:5000', true);
    expect(inbound(w)).toEqual(['52.1.1.1:5000', '53.1.1.1:5000']);
    // Another one: the inbound slots are full, nobody is evictable (fewer than the protected counts).
    w.transport.accept(LOCAL, serviceOrThrow('54.1.1.1:5000', 8333), { polite: false });
    w.sched.runFor(10);
    expect(w.log.ofKind('inbound-dropped').at(-1)).toEqual({ kind: 'inbound-dropped', addr: '54.1.1.1:5000', reason: 'full' });
    expect(inbound(w)).toEqual(['52.1.1.1:5000', '53.1.1.1:5000']);
  });

  it('-inboundrelaypercent=0: no tx-relaying inbound peer at all; =100: two', () => {
    const w0 = makeWorld({ maxConnections: 13, inboundRelayPercent: 0 });
    w0.cm.start();
    versionFrom(w0, '50.1.1.1:5000', true);
    expect(inbound(w0)).toEqual([]);
    expect(w0.log.ofKind('connection-closed').at(-1)?.reason).toBe('tx-relay-capacity');
    const w100 = makeWorld({ maxConnections: 13, inboundRelayPercent: 100 });
    w100.cm.start();
    versionFrom(w100, '50.1.1.1:5000', true);
    versionFrom(w100, '51.1.1.1:5000', true);
    expect(inbound(w100).length).toBe(2);
  });

  it('EvictTxPeerIfFull only evicts tx-relaying peers (21 block-relay peers without services, -maxconnections=33)', () => {
    const w = makeWorld({ maxConnections: 33, inboundRelayPercent: 0 });
    w.cm.start();
    for (let i = 0; i < 21; i++) versionFrom(w, `${60 + i}.1.1.1:5000`, false, 0);
    expect(inbound(w).length).toBe(21);
    versionFrom(w, '99.1.1.1:5000', true);
    expect(inbound(w).length).toBe(21);
    expect(w.log.ofKind('connection-closed').at(-1)).toMatchObject({ addr: '99.1.1.1:5000', reason: 'tx-relay-capacity' });
    expect(w.log.ofKind('eviction')).toEqual([]);
  });
});

describe('feature_maxuploadtarget.py: the connman arithmetic', () => {
  it('-maxuploadtarget=800M: cycle of 24 h, bytes left, historical buffer of one block per 10 min', () => {
    const target = parseByteUnits('800M');
    expect(target).toBe(800 * 1024 * 1024);
    const w = makeWorld({ maxUploadTarget: target });
    w.cm.start();
    expect(w.cm.getMaxOutboundTarget()).toBe(target);
    expect(w.cm.getMaxOutboundTimeframe()).toBe(MAX_UPLOAD_TIMEFRAME);
    // No cycle yet: a whole timeframe left.
    expect(w.cm.getMaxOutboundTimeLeftInCycle()).toBe(MAX_UPLOAD_TIMEFRAME);
    expect(w.cm.getOutboundTargetBytesLeft()).toBe(target);
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(S);
    const sent = w.cm.getTotalBytesSent();
    expect(sent).toBeGreaterThan(0);
    expect(w.cm.getOutboundTargetBytesLeft()).toBe(target - sent);
    // The cycle started at the first send (whole seconds); one hour later 23 h are left.
    w.sched.runFor(3600 * S - S);
    expect(w.cm.getMaxOutboundTimeLeftInCycle()).toBe(MAX_UPLOAD_TIMEFRAME - 3600 * S);
    expect(w.cm.outboundTargetReached(false)).toBe(false);
    // 23 h left: 138 ten-minute blocks of 4 MB kept back = 552 MB; 800 MiB - 552 MB is still far.
    expect(w.cm.outboundTargetReached(true)).toBe(false);
    const buffer = 138 * MAX_BLOCK_SERIALIZED_SIZE;
    expect(target - buffer).toBeGreaterThan(w.cm.getTotalBytesSent());
  });

  it('a target smaller than the historical buffer is reached at once for historical blocks only', () => {
    const w = makeWorld({ maxUploadTarget: 100 * MAX_BLOCK_SERIALIZED_SIZE });
    w.cm.start();
    expect(w.cm.outboundTargetReached(true)).toBe(true);
    expect(w.cm.outboundTargetReached(false)).toBe(false);
    // Unlimited: never reached, 0 bytes left and 0 s left (Core's convention).
    w.cm.setMaxOutboundTarget(0);
    expect(w.cm.outboundTargetReached(true)).toBe(false);
    expect(w.cm.getOutboundTargetBytesLeft()).toBe(0);
    expect(w.cm.getMaxOutboundTimeLeftInCycle()).toBe(0);
  });

  it('the cycle restarts at the first send after 24 h, and bytes left refills', () => {
    const w = makeWorld({ maxUploadTarget: 10_000 });
    w.cm.start();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(25 * 3600 * S);
    // Pings every 2 minutes kept sending; the cycle has rolled over once.
    const left = w.cm.getOutboundTargetBytesLeft();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(10_000);
    expect(w.cm.getMaxOutboundTimeLeftInCycle()).toBeGreaterThan(MAX_UPLOAD_TIMEFRAME - 3600 * S - 3 * 60 * S);
    expect(w.cm.uploadTarget.totalBytesSent).toBe(w.cm.getTotalBytesSent());
    expect(w.cm.uploadTarget.sentInCycle).toBeLessThan(w.cm.getTotalBytesSent());
  });
});
