// Address relay through a whole Connman over fake ports: the token bucket, the oversize
// misbehaviour, GETADDR answers (once, inbound only, cached per network key), relay of fresh
// addresses with the trickle, self-announcement, and block-relay-only peers kept out of it.
import { describe, expect, it } from 'vitest';
import { Connman } from '../net/connman.ts';
import type { ConnmanOptions } from '../net/options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import {
  addrMessage,
  getAddrMessage,
  MSG_ADDR,
  MSG_ADDRV2,
  MSG_GETADDR,
  sendAddrV2Message,
  verackMessage,
  versionMessage,
  type P2PMessage,
} from '../protocol/messages.ts';
import { NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetPermissionFlags } from '../protocol/net-permissions.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { SubNet } from '../protocol/subnet.ts';
import type { ConnHandle } from '../ports.ts';
import { buildNode } from '../init.ts';
import type { PeerManager } from './peerman.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

interface W {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  cm: Connman;
  peerman: PeerManager;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}, nAddrs = 0, seed = 1): W {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const seedBytes = new Uint8Array(32);
  seedBytes[0] = seed;
  const node = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(seedBytes), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts });
  const cm = node.connman;
  const nowS = Math.floor(sched.nowMicros() / S);
  const source = NetAddr.fromIPv4(0x05060708);
  for (let i = 0; i < nAddrs; i++) {
    cm.addrman.add([new Address(serviceOrThrow(`${20 + (i % 200)}.${i >> 8}.${i & 255}.1:8333`, 8333), NODE_NETWORK | NODE_WITNESS, nowS - 3600)], source);
  }
  cm.start();
  return { sched, transport, log, cm, peerman: node.peerman };
}

/** An inbound peer completing the handshake (optionally asking for addrv2). */
function inbound(w: W, remote: string, v2 = false): ConnHandle {
  const h = w.transport.accept(LOCAL, serviceOrThrow(remote, 8333), { polite: false });
  w.sched.runFor(1);
  w.transport.deliver(h, versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: BigInt(h) + 1000n, relay: true }), 0);
  if (v2) w.transport.deliver(h, sendAddrV2Message(), 1);
  w.transport.deliver(h, verackMessage(), 2);
  w.sched.runFor(S);
  return h;
}

function fresh(w: W, n: number, first = 0, ageSeconds = 60): Address[] {
  const nowS = Math.floor(w.sched.nowMicros() / S);
  return Array.from({ length: n }, (_, i) => {
    const k = first + i;
    return new Address(serviceOrThrow(`${100 + (k % 100)}.${(k >> 8) & 255}.${k & 255}.7:8333`, 8333), NODE_NETWORK | NODE_WITNESS, nowS - ageSeconds);
  });
}

function sentAddrs(w: W, h: ConnHandle): Address[][] {
  return w.transport.conns
    .get(h)!
    .sent.filter((m) => m.type === MSG_ADDR || m.type === MSG_ADDRV2)
    .map((m) => [...(m as P2PMessage & { addresses: readonly Address[] }).addresses]);
}

function nodeFor(w: W, remote: string) {
  return w.cm.getNodes().find((n) => n.addrName === remote)!;
}

describe('PeerManager addr processing', () => {
  it('rate-limits an inbound addr spammer with the token bucket and counts the drops', () => {
    const w = makeWorld();
    const h = inbound(w, '50.1.1.1:5000');
    w.transport.deliver(h, addrMessage(fresh(w, 1000, 0, 7200)), 0);
    w.sched.runFor(S);
    let ev = w.log.ofKind('addr-received');
    // One start token: one address processed, the other 999 dropped.
    expect(ev.at(-1)).toMatchObject({ count: 1000, processed: 1, rateLimited: 999, relayed: 0 });
    w.sched.runFor(100 * S);
    w.transport.deliver(h, addrMessage(fresh(w, 1000, 1000, 7200)), 0);
    w.sched.runFor(S);
    ev = w.log.ofKind('addr-received');
    // 0.1 token per second: 101 s later about 10 more tokens.
    expect(ev.at(-1)).toMatchObject({ count: 1000, processed: 10, rateLimited: 990 });
    const st = w.cm.getNodeStats().find((s) => s.addr === '50.1.1.1:5000')!;
    expect(st.addrProcessed).toBe(11);
    expect(st.addrRateLimited).toBe(1989);
    expect(st.addrRelayEnabled).toBe(true);
  });

  it('addrRateLimit = false (before PR #22387): every address is processed, in message order', () => {
    const w = makeWorld({ addrRateLimit: false });
    const h = inbound(w, '50.1.1.1:5000');
    const first = fresh(w, 1000, 0, 7200);
    w.transport.deliver(h, addrMessage(first), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-received').at(-1)).toMatchObject({ count: 1000, processed: 1000, rateLimited: 0, stored: 1000 });
    // No bucket to drain: an immediate second flood is processed in full too.
    w.transport.deliver(h, addrMessage(fresh(w, 1000, 1000, 7200)), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-received').at(-1)).toMatchObject({ count: 1000, processed: 1000, rateLimited: 0 });
    const st = w.cm.getNodeStats().find((s) => s.addr === '50.1.1.1:5000')!;
    expect(st.addrProcessed).toBe(2000);
    expect(st.addrRateLimited).toBe(0);
    // Unshuffled: AddrMan created the entries (ascending Core ids) in the message's order.
    // (Entries that lost a bucket-slot collision are not in the table.)
    const am = w.cm.addrman;
    const ids = first.map((a) => am.find(a)).filter((nid) => nid >= 0).map((nid) => am.coreId[nid]!);
    expect(ids.length).toBeGreaterThan(100);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
  });

  it('with the rate limit (default) the processing order is shuffled', () => {
    const w = makeWorld({
      whitelistedRangeIncoming: [{ subnet: SubNet.single(NetAddr.fromIPv4(0x32010101)), flags: NetPermissionFlags.Addr }],
    });
    const h = inbound(w, '50.1.1.1:5000');
    const first = fresh(w, 1000, 0, 7200);
    w.transport.deliver(h, addrMessage(first), 0);
    w.sched.runFor(S);
    const am = w.cm.addrman;
    const ids = first.map((a) => am.find(a)).filter((nid) => nid >= 0).map((nid) => am.coreId[nid]!);
    expect(ids.length).toBeGreaterThan(100);
    let ascending = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i]! > ids[i - 1]!) ascending++;
    expect(ascending).toBeLessThan(ids.length * 0.7);
  });

  it('a peer with the Addr permission is not rate-limited', () => {
    const w = makeWorld({
      whitelistedRangeIncoming: [{ subnet: SubNet.single(NetAddr.fromIPv4(0x32010101)), flags: NetPermissionFlags.Addr }],
    });
    const h = inbound(w, '50.1.1.1:5000');
    w.transport.deliver(h, addrMessage(fresh(w, 1000, 0, 7200)), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-received').at(-1)).toMatchObject({ processed: 1000, rateLimited: 0, stored: 1000 });
  });

  it('more than MAX_ADDR_TO_SEND entries is misbehaviour: the peer is disconnected', () => {
    const w = makeWorld();
    const h = inbound(w, '50.1.1.1:5000');
    w.transport.deliver(h, addrMessage(fresh(w, 1001)), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('misbehaving')).toEqual([
      { kind: 'misbehaving', nodeId: 0, addr: '50.1.1.1:5000', reason: 'addr message size = 1001', action: 'disconnect' },
    ]);
    expect(w.log.ofKind('connection-closed').at(-1)).toMatchObject({ addr: '50.1.1.1:5000', reason: 'misbehaving' });
    expect(w.log.ofKind('addr-received')).toEqual([]);
  });

  it('fixes bad timestamps to five days ago before storing', () => {
    const w = makeWorld();
    const h = inbound(w, '50.1.1.1:5000');
    const a = new Address(serviceOrThrow('99.9.9.9:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    w.transport.deliver(h, addrMessage([a]), 0);
    w.sched.runFor(S);
    const nowS = Math.floor(w.sched.nowMicros() / S);
    const got = w.cm.addrman.getAddr(0, 0, null).find((x) => x.toStringAddrPort() === '99.9.9.9:8333')!;
    // Five days back, then AddrMan's 2 h penalty for a gossiped address.
    expect(nowS - got.time).toBeGreaterThanOrEqual(5 * 86400 + 7200 - 2);
    expect(nowS - got.time).toBeLessThanOrEqual(5 * 86400 + 7200 + 2);
  });
});

describe('PeerManager GETADDR', () => {
  it('answers an inbound peer once, from a cache shared by its network key', () => {
    const w = makeWorld({}, 300);
    const a = inbound(w, '50.1.1.1:5000');
    w.transport.deliver(a, getAddrMessage(), 0);
    w.sched.runFor(S);
    w.transport.deliver(a, getAddrMessage(), 0);
    w.sched.runFor(S);
    const b = inbound(w, '51.1.1.1:5000');
    w.transport.deliver(b, getAddrMessage(), 0);
    w.sched.runFor(5 * S);
    const answered = w.log.ofKind('getaddr-answered');
    expect(answered.length).toBe(2);
    expect(answered[0]!.cached).toBe(true);
    // 23% of AddrMan (capped at 1000).
    const expected = Math.floor((w.cm.addrman.size() * 23) / 100);
    expect(expected).toBeGreaterThan(50);
    expect(answered[0]!.count).toBe(expected);
    expect(w.log.ofKind('addr-ignored').map((e) => e.reason)).toEqual(['getaddr-repeat']);
    const listOf = (h: ConnHandle): string[] =>
      sentAddrs(w, h)
        .flat()
        .map((x) => x.toStringAddrPort())
        .filter((s) => s !== LOCAL.toStringAddrPort())
        .sort();
    expect(listOf(a).length).toBe(expected);
    expect(listOf(b)).toEqual(listOf(a));
  });

  it('ignores GETADDR from outbound peers and sends GETADDR only to full-relay outbound ones', () => {
    const w = makeWorld();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.cm.addConnection('71.1.1.1', ConnectionType.BLOCK_RELAY);
    w.sched.runFor(2 * S);
    const full = w.transport.connsTo(serviceOrThrow('70.1.1.1', 8333))[0]!;
    const block = w.transport.connsTo(serviceOrThrow('71.1.1.1', 8333))[0]!;
    expect(full.sent.some((m) => m.type === MSG_GETADDR)).toBe(true);
    expect(block.sent.some((m) => m.type === MSG_GETADDR)).toBe(false);
    w.transport.deliver(full.handle, getAddrMessage(), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-ignored').map((e) => e.reason)).toEqual(['getaddr-outbound']);
  });
});

describe('PeerManager addr relay and trickle', () => {
  it('relays a fresh address to 2 other relaying peers, never back to its sender', () => {
    const w = makeWorld();
    const hs = ['50.1.1.1:5000', '51.1.1.1:5000', '52.1.1.1:5000'].map((r) => inbound(w, r));
    // B and C take part in address relay once they send a GETADDR.
    for (const h of hs.slice(1)) w.transport.deliver(h, getAddrMessage(), 0);
    w.sched.runFor(S);
    const [a] = fresh(w, 1, 5);
    w.transport.deliver(hs[0]!, addrMessage([a!]), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-received').at(-1)).toMatchObject({ processed: 1, stored: 1, relayed: 1 });
    w.sched.runFor(10 * 60 * S);
    const has = (h: ConnHandle): boolean => sentAddrs(w, h).some((m) => m.some((x) => x.equals(a!)));
    expect(has(hs[1]!)).toBe(true);
    expect(has(hs[2]!)).toBe(true);
    expect(has(hs[0]!)).toBe(false);
    expect(w.peerman.addrKnownBy(nodeFor(w, '51.1.1.1:5000').id, a!)).toBe(true);
  });

  it('scans the relaying peers by ascending id, whatever order they enabled relay in, and forgets closed ones', () => {
    const w = makeWorld();
    const remotes = Array.from({ length: 12 }, (_, i) => `${60 + i}.1.1.1:5000`);
    const hs = remotes.map((r) => inbound(w, r));
    // Peers enable address relay (their first GETADDR) in a scrambled order.
    for (const k of [7, 2, 11, 0, 5, 9, 3]) w.transport.deliver(hs[k]!, getAddrMessage(), 0);
    w.sched.runFor(S);
    const expected = (): number[] =>
      w.cm
        .getNodes()
        .filter((n) => n.addrRelayEnabled && !n.disconnect)
        .map((n) => n.id)
        .sort((a, b) => a - b);
    expect(w.peerman.relayPeerIds()).toEqual(expected());
    expect(w.peerman.relayPeerIds()).toHaveLength(7);
    // Close two relaying peers and one that never relayed; enable one more.
    for (const k of [2, 9, 4]) w.cm.disconnectNode(nodeFor(w, remotes[k]!).id);
    w.sched.runFor(S);
    w.transport.deliver(hs[1]!, getAddrMessage(), 0);
    w.sched.runFor(S);
    expect(w.peerman.relayPeerIds()).toEqual(expected());
    expect(w.peerman.relayPeerIds()).toHaveLength(6);
  });

  it('does not relay old addresses or messages of more than 10 addresses', () => {
    const w = makeWorld();
    const hs = ['50.1.1.1:5000', '51.1.1.1:5000'].map((r) => inbound(w, r));
    w.transport.deliver(hs[1]!, getAddrMessage(), 0);
    w.sched.runFor(S);
    w.transport.deliver(hs[0]!, addrMessage(fresh(w, 1, 1, 11 * 60)), 0);
    // 200 s of refill: enough tokens for the next 11 addresses.
    w.sched.runFor(200 * S);
    w.transport.deliver(hs[0]!, addrMessage(fresh(w, 11, 2)), 0);
    w.sched.runFor(120 * S);
    const ev = w.log.ofKind('addr-received');
    expect(ev.map((e) => e.relayed)).toEqual([0, 0]);
    expect(ev.map((e) => e.processed)).toEqual([1, 11]);
  });

  it('does not relay the answer to our GETADDR, but relays what the same peer sends later', () => {
    const w = makeWorld();
    const b = inbound(w, '51.1.1.1:5000');
    w.transport.deliver(b, getAddrMessage(), 0);
    w.sched.runFor(S);
    w.transport.behaviourFor = () => ({ getAddrReply: addrMessage(fresh(w, 5, 20)) });
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(2 * S);
    const full = w.transport.connsTo(serviceOrThrow('70.1.1.1', 8333))[0]!;
    const first = w.log.ofKind('addr-received').filter((e) => e.addr === '70.1.1.1:8333');
    expect(first.map((e) => [e.processed, e.relayed])).toEqual([[5, 0]]);
    // The answer had fewer than 1000 entries: m_getaddr_sent is cleared, later gossip is relayed.
    w.sched.runFor(60 * S);
    w.transport.deliver(full.handle, addrMessage(fresh(w, 1, 40)), 0);
    w.sched.runFor(S);
    expect(w.log.ofKind('addr-received').at(-1)).toMatchObject({ addr: '70.1.1.1:8333', processed: 1, relayed: 1 });
  });

  it('self-announces to a full-relay outbound peer in its own message after the handshake', () => {
    const w = makeWorld();
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(2 * S);
    const full = w.transport.connsTo(serviceOrThrow('70.1.1.1', 8333))[0]!;
    const addrs = full.sent.filter((m) => m.type === MSG_ADDRV2) as (P2PMessage & { addresses: readonly Address[] })[];
    expect(addrs.length).toBe(1);
    expect(addrs[0]!.addresses.map((x) => x.toStringAddrPort())).toEqual(['1.2.3.4:8333']);
    expect(w.log.ofKind('addr-sent')[0]).toMatchObject({ selfAnnouncement: true, count: 1, msgType: 'addrv2' });
    // About daily afterwards: over 3 days, a few more self-announcements go out, with the trickle.
    w.sched.runFor(3 * 86400 * S);
    const later = w.log.ofKind('addr-sent').filter((e) => e.addr === '70.1.1.1:8333' && !e.selfAnnouncement);
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(later.length).toBeLessThanOrEqual(12);
  });

  it('after a clock jump (setmocktime) the due self-announcement goes out at once, as Core\'s first pass after the jump sends it', () => {
    // Inactivity checks off, as in Core's functional tests (-peertimeout=999999999): the peer is silent.
    const w = makeWorld({ peerConnectTimeoutSeconds: 999_999_999 });
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(2 * S);
    const full = w.transport.connsTo(serviceOrThrow('70.1.1.1', 8333))[0]!;
    const selfAnnouncements = (): number => full.sent.filter((m) => m.type === MSG_ADDRV2 && (m as P2PMessage & { addresses: readonly Address[] }).addresses.some((a) => a.toStringAddrPort() === '1.2.3.4:8333')).length;
    expect(selfAnnouncements()).toBe(1);
    // Core's m_next_addr_send lapsed inside the jump and was never redrawn: the pass at the new
    // time queues the self-announcement and sends it (the lazy timer must not push it Exp(30 s) on).
    for (let k = 1; k <= 5; k++) {
      w.sched.jumpTo(w.sched.nowMicros() + 20 * 86400 * S);
      expect(selfAnnouncements()).toBe(1 + k);
    }
    // On a continuous clock the same wait sends it with the trickle, after the timer Core redraws.
    const c = makeWorld();
    c.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    c.sched.runFor(2 * S);
    c.sched.runFor(20 * 86400 * S);
    const later = c.log.ofKind('addr-sent').filter((e) => e.addr === '70.1.1.1:8333' && !e.selfAnnouncement);
    expect(later.length).toBeGreaterThanOrEqual(1);
  });

  it('a non-listening node never self-announces', () => {
    const w = makeWorld({ listen: false, binds: [] });
    w.cm.addConnection('70.1.1.1', ConnectionType.OUTBOUND_FULL_RELAY);
    w.sched.runFor(3600 * S);
    expect(w.log.ofKind('addr-sent')).toEqual([]);
  });

  it('a block-relay-only peer gets no addr, and its addr messages are ignored', () => {
    const w = makeWorld();
    w.cm.addConnection('71.1.1.1', ConnectionType.BLOCK_RELAY);
    w.sched.runFor(2 * S);
    const block = w.transport.connsTo(serviceOrThrow('71.1.1.1', 8333))[0]!;
    w.transport.deliver(block.handle, addrMessage(fresh(w, 3)), 0);
    w.sched.runFor(2 * 86400 * S);
    expect(block.sent.filter((m) => m.type === MSG_ADDR || m.type === MSG_ADDRV2)).toEqual([]);
    expect(w.log.ofKind('addr-ignored').map((e) => e.reason)).toEqual(['no-addr-relay']);
    expect(w.cm.getNodes()[0]!.addrRelayEnabled).toBe(false);
  });

  it('addrv2-only addresses go only to peers that sent SENDADDRV2', () => {
    const w = makeWorld();
    const v1 = inbound(w, '50.1.1.1:5000', false);
    const v2 = inbound(w, '51.1.1.1:5000', true);
    const src = inbound(w, '52.1.1.1:5000', true);
    for (const h of [v1, v2]) w.transport.deliver(h, getAddrMessage(), 0);
    w.sched.runFor(S);
    const nowS = Math.floor(w.sched.nowMicros() / S);
    const onion = new Address(serviceOrThrow('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333', 8333), NODE_NETWORK | NODE_WITNESS, nowS - 30);
    expect(onion.isAddrV1Compatible()).toBe(false);
    w.transport.deliver(src, { ...addrMessage([onion]), type: MSG_ADDRV2 } as P2PMessage, 0);
    w.sched.runFor(600 * S);
    const got = (h: ConnHandle): boolean => sentAddrs(w, h).some((m) => m.some((x) => x.equals(onion)));
    expect(got(v1)).toBe(false);
    // Tor is not reachable by default: relayed to 1 or 2, and v2 is the only candidate.
    expect(got(v2)).toBe(w.log.ofKind('addr-received').at(-1)!.relayed === 1);
  });
});

