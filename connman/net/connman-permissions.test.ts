// Peer permissions and the inbound accept rules (spec §9 steps 1, 4, 5; net_permissions.cpp)
// through a Connman over the fake ports: -whitebind flags, -whitelist ranges (inbound, and "out"
// ranges for MANUAL outbound only), the Implicit expansion, no ranges for inbound onion, banned and
// discouraged peers at and below the inbound limit, and noban peers never evicted. It does not
// test the eviction ordering itself (eviction.test.ts).

import { describe, expect, it } from 'vitest';
import { Connman, ConnectionDirection, type BanList } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import {
  addWhitelistPermissionFlags,
  hasPermission,
  NET_PERMISSIONS_ALL,
  NetPermissionFlags as F,
  parsePermissionFlags,
  permissionsToStrings,
} from '../protocol/net-permissions.ts';
import { NET_ONION, NET_UNROUTABLE, NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { lookupSubNet } from '../protocol/subnet.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const WHITE = serviceOrThrow('1.2.3.4:8400', 8333);
const ONION = serviceOrThrow('127.0.0.1:8334', 8333);

class FakeBanList implements BanList {
  readonly banned = new Set<string>();
  readonly discouraged = new Set<string>();
  isBanned(a: NetAddr): boolean {
    return this.banned.has(a.toStringAddr());
  }
  isDiscouraged(a: NetAddr): boolean {
    return this.discouraged.has(a.toStringAddr());
  }
  /** A read-only list: the tests set bans and discouragements themselves. */
  discourage(_a: NetAddr): void {}
}

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  ban: FakeBanList;
  cm: Connman;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}): World {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const ban = new FakeBanList();
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, {
      dnsSeed: false,
      fixedSeeds: false,
      feelers: false,
      connect: [],
      localAddresses: [LOCAL],
      binds: [{ service: LOCAL }, { service: WHITE, permissions: F.NoBan | F.BloomFilter }, { service: ONION, onion: true }],
      ...opts,
    }, { banman: ban }).connman;
  return { sched, transport, log, ban, cm };
}

function inboundFrom(w: World, local: typeof LOCAL, remote: string): number {
  w.transport.accept(local, serviceOrThrow(remote, 8333));
  w.sched.runFor(1);
  const n = w.cm.getNodes().find((x) => x.addrName === serviceOrThrow(remote, 8333).toStringAddrPort());
  return n === undefined ? -1 : n.permissions;
}

const implicitRange = (text: string) => ({ subnet: lookupSubNet(text), flags: F.Implicit });

describe('NetPermissionFlags arithmetic (net_permissions.h)', () => {
  it('composite flags: ForceRelay implies Relay, NoBan implies Download; All has every explicit flag', () => {
    expect(hasPermission(F.ForceRelay, F.Relay)).toBe(true);
    expect(hasPermission(F.NoBan, F.Download)).toBe(true);
    expect(hasPermission(F.Relay, F.ForceRelay)).toBe(false);
    expect(hasPermission(F.Download, F.NoBan)).toBe(false);
    expect(permissionsToStrings(NET_PERMISSIONS_ALL)).toEqual(['bloomfilter', 'noban', 'forcerelay', 'relay', 'mempool', 'download', 'addr']);
    expect(permissionsToStrings(F.NoBan)).toEqual(['noban', 'download']);
    expect(parsePermissionFlags('bloom,forcerelay')).toBe(F.BloomFilter | F.ForceRelay);
    expect(parsePermissionFlags('all')).toBe(NET_PERMISSIONS_ALL);
    expect(parsePermissionFlags('noban,,relay')).toBe(F.NoBan | F.Relay);
    expect(() => parsePermissionFlags('bogus')).toThrow("Invalid P2P permission: 'bogus'");
  });

  it('Implicit expands to Relay + Mempool + NoBan (+ Download) by default, ForceRelay only if asked', () => {
    const dflt = { whitelistRelay: true, whitelistForceRelay: false };
    expect(addWhitelistPermissionFlags(F.Implicit, null, [], dflt)).toBe(F.Relay | F.Mempool | F.NoBan);
    expect(permissionsToStrings(addWhitelistPermissionFlags(F.Implicit, null, [], dflt))).toEqual(['noban', 'relay', 'mempool', 'download']);
    expect(addWhitelistPermissionFlags(F.Implicit, null, [], { whitelistRelay: false, whitelistForceRelay: false })).toBe(F.Mempool | F.NoBan);
    expect(addWhitelistPermissionFlags(F.Implicit, null, [], { whitelistRelay: false, whitelistForceRelay: true })).toBe(
      F.ForceRelay | F.Mempool | F.NoBan,
    );
    // Explicit flags are left alone; the Implicit bit never survives.
    expect(addWhitelistPermissionFlags(F.Addr, null, [], dflt)).toBe(F.Addr);
    const r = addWhitelistPermissionFlags(0, NetAddr.fromIPv4(0x0a000001), [implicitRange('10.0.0.0/8')], dflt);
    expect(hasPermission(r, F.Implicit)).toBe(false);
    expect(r).toBe(F.Relay | F.Mempool | F.NoBan);
  });
});

describe('inbound permissions (§9 step 1)', () => {
  it('a -whitebind socket gives its flags to every peer accepted on it; a plain bind gives none', () => {
    const w = makeWorld();
    w.cm.start();
    expect(inboundFrom(w, WHITE, '50.1.1.1:5000')).toBe(F.NoBan | F.BloomFilter);
    expect(inboundFrom(w, LOCAL, '51.1.1.1:5000')).toBe(0);
    const st = w.cm.getNodeStats().find((s) => s.addr === '50.1.1.1:5000')!;
    expect(permissionsToStrings(st.permissions)).toEqual(['bloomfilter', 'noban', 'download']);
  });

  it('a bind-any -whitebind (0.0.0.0:port) gives its flags to peers that reach it on any local address', () => {
    const any = serviceOrThrow('0.0.0.0:8500', 8333);
    const w = makeWorld({ binds: [{ service: LOCAL }, { service: any, permissions: F.NoBan }] });
    w.cm.start();
    // The accepted socket's local address is the one the peer dialled, not 0.0.0.0.
    expect(inboundFrom(w, serviceOrThrow('1.2.3.4:8500', 8333), '55.1.1.1')).toBe(F.NoBan);
    // Another port, or IPv6 on an IPv4 bind-any socket, is not that socket.
    expect(inboundFrom(w, LOCAL, '55.1.1.2')).toBe(0);
    expect(inboundFrom(w, serviceOrThrow('[2001:db8::1]:8500', 8333), '55.1.1.3')).toBe(0);
  });

  it('-whitelist ranges add their flags to matching inbound peers (implicit ones expanded)', () => {
    const w = makeWorld({
      whitelistedRangeIncoming: [implicitRange('50.1.0.0/16'), { subnet: lookupSubNet('52.0.0.0/8'), flags: F.Addr }],
    });
    w.cm.start();
    expect(inboundFrom(w, LOCAL, '50.1.9.9:5000')).toBe(F.Relay | F.Mempool | F.NoBan);
    expect(inboundFrom(w, LOCAL, '50.2.9.9:5000')).toBe(0);
    expect(inboundFrom(w, LOCAL, '52.3.3.3:5000')).toBe(F.Addr);
    // Both sources combine.
    expect(inboundFrom(w, WHITE, '52.4.4.4:5000')).toBe(F.Addr | F.NoBan | F.BloomFilter);
  });

  it('-whitelistforcerelay / -whitelistrelay=0 change the implicit expansion', () => {
    const w = makeWorld({ whitelistedRangeIncoming: [implicitRange('50.0.0.0/8')], whitelistForceRelay: true, whitelistRelay: false });
    w.cm.start();
    expect(inboundFrom(w, LOCAL, '50.1.1.1:5000')).toBe(F.ForceRelay | F.Mempool | F.NoBan);
  });

  it('ranges are not applied to inbound onion peers (their address is the proxy)', () => {
    const w = makeWorld({ whitelistedRangeIncoming: [implicitRange('127.0.0.0/8')] });
    w.cm.start();
    expect(inboundFrom(w, ONION, '127.0.0.1:40000')).toBe(0);
    expect(inboundFrom(w, LOCAL, '127.0.0.1:40001')).toBe(F.Relay | F.Mempool | F.NoBan);
    const onion = w.cm.getNodes().find((n) => n.addrName === '127.0.0.1:40000')!;
    expect(onion.inboundOnion).toBe(true);
    // getpeerinfo's network: an inbound onion peer counts as onion, whatever its socket address.
    const net = new Map(w.cm.getNodeStats().map((st) => [st.addr, st.network]));
    expect(net.get('127.0.0.1:40000')).toBe(NET_ONION);
    expect(net.get('127.0.0.1:40001')).toBe(NET_UNROUTABLE);
  });

  it('outbound: "out" ranges apply to MANUAL connections only', () => {
    const w = makeWorld({ whitelistedRangeOutgoing: [{ subnet: lookupSubNet('90.0.0.0/8'), flags: F.NoBan }], addedNodes: ['90.1.1.1'] });
    w.cm.start();
    expect(w.cm.addConnection('90.2.2.2', ConnectionType.OUTBOUND_FULL_RELAY)).toBe(true);
    w.sched.runFor(2 * S);
    const byName = new Map(w.cm.getNodes().map((n) => [n.addrName, n]));
    expect(byName.get('90.1.1.1')?.connType).toBe(ConnectionType.MANUAL);
    expect(byName.get('90.1.1.1')?.permissions).toBe(F.NoBan);
    expect(byName.get('90.2.2.2')?.permissions).toBe(0);
  });
});

describe('banned and discouraged inbound peers (§9 steps 4-5)', () => {
  it('banned peers are dropped unless noban', () => {
    const w = makeWorld();
    w.ban.banned.add('50.1.1.1');
    w.cm.start();
    expect(inboundFrom(w, LOCAL, '50.1.1.1:5000')).toBe(-1);
    expect(w.log.ofKind('inbound-dropped')).toEqual([{ kind: 'inbound-dropped', addr: '50.1.1.1:5000', reason: 'banned' }]);
    expect(inboundFrom(w, WHITE, '50.1.1.1:5001')).toBe(F.NoBan | F.BloomFilter);
  });

  it('discouraged peers are accepted while nInbound + 1 < maxInbound, marked prefer_evict; dropped from then on', () => {
    // -maxconnections=14: 3 inbound slots.
    const w = makeWorld({ maxConnections: 14 });
    expect(w.cm.slots.maxInbound).toBe(3);
    w.ban.discouraged.add('60.1.1.1');
    w.ban.discouraged.add('60.1.1.2');
    w.cm.start();
    // nInbound = 0: 0 + 1 < 3, accepted.
    expect(inboundFrom(w, LOCAL, '60.1.1.1:5000')).toBe(0);
    expect(w.cm.getNodes()[0]!.preferEvict).toBe(true);
    inboundFrom(w, LOCAL, '50.1.1.1:5000');
    // nInbound = 2: 2 + 1 >= 3, dropped although one slot is free.
    expect(inboundFrom(w, LOCAL, '60.1.1.2:5000')).toBe(-1);
    expect(w.log.ofKind('inbound-dropped').map((e) => e.reason)).toEqual(['discouraged']);
    // A clean peer still gets the free slot; noban discouraged peers too, even at the limit.
    expect(inboundFrom(w, LOCAL, '51.1.1.1:5000')).toBe(0);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(3);
    const before = w.log.ofKind('inbound-dropped').length;
    inboundFrom(w, WHITE, '60.1.1.2:5001');
    // At the limit: not dropped as discouraged; eviction finds no victim among 3 protected candidates.
    expect(w.log.ofKind('inbound-dropped').slice(before).map((e) => e.reason)).toEqual(['full']);
    expect(w.cm.getNodes().every((n) => n.addrName !== '60.1.1.2:5000')).toBe(true);
  });

  it('outbound connections to banned or discouraged addresses are refused before connecting', () => {
    const w = makeWorld();
    w.ban.discouraged.add('70.1.1.1');
    w.cm.start();
    const target = new Address(serviceOrThrow('70.1.1.1:8333', 8333), NODE_NETWORK | NODE_WITNESS, 0);
    const ok = w.cm.openNetworkConnection(target, false, 'none', null, ConnectionType.OUTBOUND_FULL_RELAY);
    expect(ok).toBe(false);
    expect(w.log.ofKind('connect-failed')).toEqual([
      { kind: 'connect-failed', addr: '70.1.1.1:8333', connType: ConnectionType.OUTBOUND_FULL_RELAY, reason: 'discouraged' },
    ]);
    expect(w.transport.connectLog).toEqual([]);
  });
});

describe('noban peers are never evicted', () => {
  it('with every inbound slot held by noban peers, a newcomer finds no victim and is dropped', () => {
    const w = makeWorld({ maxConnections: 11 + 30 });
    w.cm.start();
    for (let i = 0; i < 30; i++) w.transport.accept(WHITE, serviceOrThrow(`${50 + i}.1.1.1:5000`, 8333));
    w.sched.runFor(S);
    expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(30);
    w.transport.accept(LOCAL, serviceOrThrow('99.1.1.1:5000', 8333));
    w.sched.runFor(S);
    expect(w.log.ofKind('eviction')).toEqual([]);
    expect(w.log.ofKind('inbound-dropped')).toEqual([{ kind: 'inbound-dropped', addr: '99.1.1.1:5000', reason: 'full' }]);
  });

  it('with 29 noban peers and one plain one, the plain one is the only possible victim', () => {
    const w = makeWorld({ maxConnections: 11 + 30 });
    w.cm.start();
    for (let i = 0; i < 29; i++) w.transport.accept(WHITE, serviceOrThrow(`${50 + i}.1.1.1:5000`, 8333));
    w.transport.accept(LOCAL, serviceOrThrow('98.1.1.1:5000', 8333));
    w.sched.runFor(S);
    w.transport.accept(LOCAL, serviceOrThrow('99.1.1.1:5000', 8333));
    w.sched.runFor(S);
    // noban peers are not even candidates; the one plain candidate is protected (by netgroup), so
    // nobody can be evicted and the newcomer is dropped.
    expect(w.log.ofKind('eviction')).toEqual([]);
    expect(w.log.ofKind('inbound-dropped').map((e) => [e.addr, e.reason])).toEqual([['99.1.1.1:5000', 'full']]);
  });
});
