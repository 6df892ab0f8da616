// BanMan (discouragement filter, manual bans with expiry) and misbehaviour -> discourage through a
// whole Connman over fake ports: Core's denialofservice_tests peer_discouragement and DoS_bantime,
// the reconnect of a discouraged address (only with 2+ free inbound slots, marked prefer-evict),
// local addresses disconnected but not discouraged, and noban / manual peers never punished.
import { describe, expect, it } from 'vitest';
import { BANLIST_JSON, BanMan, DEFAULT_MISBEHAVING_BANTIME } from './banman.ts';
import { Logger } from '../util/logging.ts';
import { lookupSubNet } from '../protocol/subnet.ts';
import { Connman } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { addrMessage, verackMessage, versionMessage } from '../protocol/messages.ts';
import { NetAddr, netAddrOrThrow, serviceOrThrow } from '../protocol/netaddress.ts';
import { NetPermissionFlags } from '../protocol/net-permissions.ts';
import type { ConnHandle } from '../ports.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { SubNet } from '../protocol/subnet.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

function rng(seed: number): FastRandomContext {
  const b = new Uint8Array(32);
  b[0] = seed;
  return new FastRandomContext(b);
}

interface W {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  cm: Connman;
  banman: BanMan;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}): W {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const banman = new BanMan({ rng: rng(9), nowSeconds: () => Math.floor(sched.nowMicros() / S) });
  const cm = buildNode({ clock: sched, scheduler: sched, rng: rng(1), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }, { banman }).connman;
  cm.start();
  return { sched, transport, log, cm, banman };
}

function inbound(w: W, remote: string, relay = true): ConnHandle {
  const h = w.transport.accept(LOCAL, serviceOrThrow(remote, 8333), { polite: false });
  w.sched.runFor(1);
  w.transport.deliver(h, versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: BigInt(h) + 1000n, relay }), 0);
  w.transport.deliver(h, verackMessage(), 2);
  w.sched.runFor(S);
  return h;
}

/** The misbehaviour used throughout: an addr message over MAX_ADDR_TO_SEND entries. */
function misbehave(w: W, h: ConnHandle): void {
  const nowS = Math.floor(w.sched.nowMicros() / S);
  const addrs = Array.from({ length: 1001 }, (_, k) => new Address(serviceOrThrow(`${100 + (k % 100)}.${(k >> 8) & 255}.${k & 255}.7:8333`, 8333), NODE_NETWORK | NODE_WITNESS, nowS - 60));
  w.transport.deliver(h, addrMessage(addrs), 0);
  w.sched.runFor(S);
}

function nodeNamed(w: W, name: string) {
  return w.cm.getNodes().find((n) => n.addrName === name);
}

describe('BanMan', () => {
  it('discourages an address and nothing else; manual bans expire', () => {
    let now = 1_700_000_000;
    const bm = new BanMan({ rng: rng(3), nowSeconds: () => now });
    const a = netAddrOrThrow('160.176.192.1');
    const other = netAddrOrThrow('160.176.255.1');
    expect(bm.isDiscouraged(a)).toBe(false);
    bm.discourage(a);
    expect(bm.isDiscouraged(a)).toBe(true);
    expect(bm.isDiscouraged(other)).toBe(false);
    expect(bm.isBanned(a)).toBe(false);

    bm.ban(other, 100);
    expect(bm.isBanned(other)).toBe(true);
    now += 99;
    expect(bm.isBanned(other)).toBe(true);
    now += 1;
    expect(bm.isBanned(other)).toBe(false);
    // A non-positive offset means the default -bantime.
    bm.ban(other, 0);
    now += DEFAULT_MISBEHAVING_BANTIME - 1;
    expect(bm.isBanned(other)).toBe(true);
    // ClearBanned leaves discouragement alone (Core's m_discouraged is not cleared).
    bm.clearBanned();
    expect(bm.isBanned(other)).toBe(false);
    expect(bm.isDiscouraged(a)).toBe(true);
  });

  it('forgets the oldest discouragements only after tens of thousands more', () => {
    const bm = new BanMan({ rng: rng(4), nowSeconds: () => 0 });
    const first = NetAddr.fromIPv4(0x0b000001);
    bm.discourage(first);
    for (let i = 2; i < 20000; i++) bm.discourage(NetAddr.fromIPv4(0x0b000000 + i));
    expect(bm.isDiscouraged(first)).toBe(true);
    for (let i = 0; i < 100000; i++) bm.discourage(NetAddr.fromIPv4(0x0c000000 + i));
    expect(bm.isDiscouraged(first)).toBe(false);
  });
});

describe('BanMan: subnets, absolute times, listing and banlist.json', () => {
  const sub = (t: string): SubNet => lookupSubNet(t);
  it('bans subnets; a single address inside a banned subnet is banned; unban needs the exact key', () => {
    const now = 1_700_000_000;
    const bm = new BanMan({ rng: rng(5), nowSeconds: () => now });
    bm.ban(sub('127.0.0.0/24'));
    expect(bm.isBanned(netAddrOrThrow('127.0.0.1'))).toBe(true);
    expect(bm.isBannedSubnet(sub('127.0.0.0/24'))).toBe(true);
    expect(bm.isBannedSubnet(sub('127.0.0.1'))).toBe(false);
    expect(bm.unban(sub('127.0.0.1'))).toBe(false);
    expect(bm.unban(sub('127.0.0.0/24'))).toBe(true);
    expect(bm.getBanned()).toEqual([]);
  });

  it("lists in Core's banmap order with normalised subnets; absolute and relative times; expired entries swept", () => {
    let now = 1_700_000_000;
    const bm = new BanMan({ rng: rng(5), nowSeconds: () => now });
    bm.ban(sub('127.0.0.0/32'));
    bm.ban(sub('127.0.0.0/24'));
    bm.ban(sub('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'));
    bm.ban(sub('192.168.0.1'), 1);
    bm.ban(sub('2001:4d48:ac57:400:cacf:e9ff:fe1d:9c63/19'), 1000);
    expect(bm.getBanned().map((b) => b.subnet.toString())).toEqual([
      '127.0.0.0/24',
      '127.0.0.0/32',
      '192.168.0.1/32',
      '2001:4000::/19',
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion',
    ]);
    bm.ban(sub('192.168.0.2'), now + 120, true);
    now += 3;
    const list = bm.getBanned();
    expect(list.length).toBe(5);
    const b2 = list.find((b) => b.subnet.toString() === '192.168.0.2/32')!;
    expect(b2.entry.banUntil - b2.entry.createTime).toBe(120);
    expect(b2.entry.banUntil - now).toBe(117);
    // An existing ban is only ever extended.
    bm.ban(sub('192.168.0.2'), 1);
    expect(bm.getBanned().find((b) => b.subnet.toString() === '192.168.0.2/32')!.entry.banUntil).toBe(b2.entry.banUntil);
  });

  it('persists every change in banlist.json, reads it back, recreates it when missing, drops bad entries', () => {
    const files = new FakeFileStore();
    const infos: string[] = [];
    const log = new Logger({ accepts: () => true, print: (_c, m) => infos.push(m) });
    let now = 1_700_000_000;
    const bm = new BanMan({ rng: rng(5), nowSeconds: () => now, files, log });
    expect(infos).toContain('Recreating the banlist database');
    expect(files.read(BANLIST_JSON)).toBeDefined();
    bm.ban(sub('10.0.0.0/8'), 100);
    const json = JSON.parse(new TextDecoder().decode(files.read(BANLIST_JSON)!));
    expect(json.banned_nets).toEqual([{ version: 1, ban_created: now, banned_until: now + 100, address: '10.0.0.0/8' }]);
    now += 4;
    const again = new BanMan({ rng: rng(6), nowSeconds: () => now, files });
    expect(again.getBanned().map((b) => [b.subnet.toString(), b.entry.banUntil - now])).toEqual([['10.0.0.0/8', 96]]);
    json.banned_nets.push({ version: 2, ban_created: now, banned_until: now + 5, address: '11.0.0.1' }, { version: 1, ban_created: now, banned_until: now + 5, address: 'not-an-ip' });
    files.write(BANLIST_JSON, new TextEncoder().encode(JSON.stringify(json)));
    expect(new BanMan({ rng: rng(7), nowSeconds: () => now, files }).getBanned().length).toBe(1);
    files.delete(BANLIST_JSON);
    infos.length = 0;
    expect(new BanMan({ rng: rng(8), nowSeconds: () => now, files, log }).getBanned()).toEqual([]);
    expect(infos).toContain('Recreating the banlist database');
  });
});

describe('misbehaviour -> discourage (Core denialofservice_tests)', () => {
  it('peer_discouragement: a misbehaving peer is discouraged and disconnected, others are not', () => {
    const w = makeWorld();
    const h0 = inbound(w, '160.176.192.1:5000');
    misbehave(w, h0);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(true);
    expect(w.transport.conns.get(h0)!.closed).toBe(true);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.255.1'))).toBe(false);

    const h1 = inbound(w, '160.176.192.2:5000');
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.2'))).toBe(false);
    expect(w.transport.conns.get(h1)!.closed).toBe(false);
    misbehave(w, h1);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(true);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.2'))).toBe(true);
    expect(w.transport.conns.get(h1)!.closed).toBe(true);
    expect(w.log.ofKind('misbehaving').map((e) => e.action)).toEqual(['disconnect', 'disconnect']);
    expect(w.log.ofKind('connection-closed').map((e) => e.reason)).toEqual(['misbehaving', 'misbehaving']);
  });

  it('DoS_bantime: the discouragement does not depend on the clock moving', () => {
    const w = makeWorld();
    const h = inbound(w, '160.176.192.1:5000');
    misbehave(w, h);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(true);
    w.sched.runFor(3 * 24 * 3600 * S);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(true);
  });

  it('every connection from the discouraged address is closed', () => {
    const w = makeWorld();
    const a = inbound(w, '160.176.192.1:5000');
    const b = inbound(w, '160.176.192.1:5001');
    const c = inbound(w, '160.176.192.9:5000');
    misbehave(w, a);
    expect(w.transport.conns.get(a)!.closed).toBe(true);
    expect(w.transport.conns.get(b)!.closed).toBe(true);
    expect(w.transport.conns.get(c)!.closed).toBe(false);
  });

  it('a discouraged address reconnects only while 2+ inbound slots are free, and is marked prefer-evict', () => {
    // 16 connections: 8 full-relay + 2 block-relay + 1 feeler outbound slots, 5 inbound. The peers
    // here do not relay txs (fRelay = false), so the tx-relay inbound cap stays out of the way.
    const w = makeWorld({ maxConnections: 16 });
    const bad = inbound(w, '160.176.192.1:5000');
    misbehave(w, bad);
    expect(w.transport.conns.get(bad)!.closed).toBe(true);
    // Back with 5 free inbound slots: accepted, prefer-evict.
    inbound(w, '160.176.192.1:5001', false);
    expect(nodeNamed(w, '160.176.192.1:5001')?.preferEvict).toBe(true);
    expect(nodeNamed(w, '160.176.192.1:5001')?.disconnect).toBe(false);
    // An honest peer is not marked.
    inbound(w, '60.1.1.1:5000', false);
    expect(nodeNamed(w, '60.1.1.1:5000')?.preferEvict).toBe(false);
    inbound(w, '60.1.1.2:5000', false);
    // 3 inbound now, 2 free: a 4th from the discouraged address is still let in...
    inbound(w, '160.176.192.1:5002', false);
    expect(nodeNamed(w, '160.176.192.1:5002')?.preferEvict).toBe(true);
    // ...but with 4 inbound (only 1 free) it is refused at accept.
    const before = w.log.ofKind('inbound-dropped').length;
    w.transport.accept(LOCAL, serviceOrThrow('160.176.192.1:5003', 8333), { polite: false });
    w.sched.runFor(S);
    expect(w.log.ofKind('inbound-dropped').slice(before)).toEqual([{ kind: 'inbound-dropped', addr: '160.176.192.1:5003', reason: 'discouraged' }]);
    // An honest peer still gets the slot.
    inbound(w, '60.1.1.3:5000', false);
    expect(nodeNamed(w, '60.1.1.3:5000')?.disconnect).toBe(false);
  });

  it('a local-address peer is disconnected but not discouraged', () => {
    const w = makeWorld();
    const h = inbound(w, '127.0.0.1:5000');
    misbehave(w, h);
    expect(w.log.ofKind('misbehaving').map((e) => e.action)).toEqual(['disconnect-local']);
    expect(w.transport.conns.get(h)!.closed).toBe(true);
    expect(w.banman.isDiscouraged(netAddrOrThrow('127.0.0.1'))).toBe(false);
  });

  it('a noban peer is never punished', () => {
    const w = makeWorld({
      whitelistedRangeIncoming: [{ subnet: SubNet.single(NetAddr.fromIPv4(0xa0b0c001)), flags: NetPermissionFlags.NoBan }],
    });
    const h = inbound(w, '160.176.192.1:5000');
    misbehave(w, h);
    expect(w.log.ofKind('misbehaving').map((e) => e.action)).toEqual(['none-noban']);
    expect(w.transport.conns.get(h)!.closed).toBe(false);
    expect(w.banman.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(false);
  });

  it('a manual peer is never punished', () => {
    const w = makeWorld({ connect: ['70.1.1.1'] });
    w.sched.runFor(5 * S);
    const node = nodeNamed(w, '70.1.1.1');
    expect(node?.successfullyConnected).toBe(true);
    const h = w.transport.connsTo(serviceOrThrow('70.1.1.1:8333', 8333))[0]!.handle;
    misbehave(w, h);
    expect(w.log.ofKind('misbehaving').map((e) => e.action)).toEqual(['none-manual']);
    expect(w.transport.conns.get(h)!.closed).toBe(false);
    expect(w.banman.isDiscouraged(netAddrOrThrow('70.1.1.1'))).toBe(false);
  });

  it('a Connman without an injected BanMan discourages through its own', () => {
    const sched = new FakeScheduler();
    const transport = new FakeTransport(sched, LOCAL);
    const log = new EventLog();
    const cm = buildNode({ clock: sched, scheduler: sched, rng: rng(1), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }] }).connman;
    cm.start();
    const w = { sched, transport, log, cm, banman: cm.banman as BanMan };
    const h = inbound(w, '160.176.192.1:5000');
    misbehave(w, h);
    expect(cm.banman?.isDiscouraged(netAddrOrThrow('160.176.192.1'))).toBe(true);
  });
});
