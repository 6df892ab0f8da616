// The switches that select older Core behaviour in the Connman: outbound slot counts, inbound
// eviction (before PR #6374 a full node refused newcomers), v0.10's VERSION handling (an inbound
// peer's self-announced address goes into tried), test-before-evict, and the v0.10 AddrMan.
import { describe, expect, it } from 'vitest';
import { LegacyAddrMan } from '../profiles/addrman-legacy.ts';
import { Connman, ConnectionDirection, PEERS_DAT } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { MSG_VERSION, versionMessage, type VersionMessage } from '../protocol/messages.ts';
import { NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

function makeWorld(opts: Partial<ConnmanOptions> = {}, nAddrs = 40) {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const files = new FakeFileStore();
  const seedBytes = new Uint8Array(32);
  seedBytes[0] = 1;
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(seedBytes), transport, events: log, files, dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }).connman;
  const source = NetAddr.fromIPv4(0x05060708);
  const now = Math.floor(sched.nowMicros() / S);
  for (let i = 0; i < nAddrs; i++) {
    cm.addrman.add([new Address(serviceOrThrow(`${20 + i}.${i}.1.1`, 8333), NODE_NETWORK | NODE_WITNESS, now - 3600)], source);
  }
  return { sched, transport, log, files, cm };
}

function countByType(cm: Connman): Map<ConnectionType, number> {
  const m = new Map<ConnectionType, number>();
  for (const n of cm.getNodes()) m.set(n.connType, (m.get(n.connType) ?? 0) + 1);
  return m;
}

describe('Connman profile switches: outbound slots', () => {
  it('maxBlockRelayOnly = 0 opens no block-relay-only connection (Core before PR #15759)', () => {
    const w = makeWorld({ maxBlockRelayOnly: 0, feelers: false });
    w.cm.start();
    w.sched.runFor(60 * S);
    const m = countByType(w.cm);
    expect(m.get(ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
    expect(m.get(ConnectionType.BLOCK_RELAY) ?? 0).toBe(0);
  });

  it('maxOutboundFullRelay = 4 opens four full-relay connections and keeps two block-relay', () => {
    const w = makeWorld({ maxOutboundFullRelay: 4, feelers: false });
    w.cm.start();
    w.sched.runFor(60 * S);
    const m = countByType(w.cm);
    expect(m.get(ConnectionType.OUTBOUND_FULL_RELAY)).toBe(4);
    expect(m.get(ConnectionType.BLOCK_RELAY)).toBe(2);
  });

  it('rejects out-of-range slot counts', () => {
    expect(() => makeWorld({ maxBlockRelayOnly: 3 }, 0)).toThrow(/maxBlockRelayOnly/);
    expect(() => makeWorld({ maxOutboundFullRelay: 9 }, 0)).toThrow(/maxOutboundFullRelay/);
  });
});

describe('Connman profile switches: inbound eviction', () => {
  it('inboundEviction = false refuses a new inbound connection when full, where master evicts', () => {
    for (const inboundEviction of [true, false]) {
      const w = makeWorld({ feelers: false, maxConnections: 11 + 30, inboundEviction }, 0);
      w.cm.start();
      for (let i = 0; i < 30; i++) w.transport.accept(LOCAL, serviceOrThrow(`${50 + i}.1.1.1:5000`, 8333));
      w.sched.runFor(S);
      expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(30);
      w.transport.accept(LOCAL, serviceOrThrow('99.1.1.1:5000', 8333));
      w.sched.runFor(S);
      const newcomerIn = w.cm.getNodes().some((n) => n.addr.toStringAddrPort() === '99.1.1.1:5000');
      expect(w.cm.getNodeCount(ConnectionDirection.In)).toBe(30);
      if (inboundEviction) {
        expect(w.log.ofKind('eviction').length).toBe(1);
        expect(newcomerIn).toBe(true);
      } else {
        expect(w.log.ofKind('eviction').length).toBe(0);
        expect(newcomerIn).toBe(false);
        expect(w.log.ofKind('inbound-dropped')).toEqual([{ kind: 'inbound-dropped', addr: '99.1.1.1:5000', reason: 'full' }]);
      }
    }
  });
});

describe('Connman profile switches: v0.10 VERSION handling', () => {
  function inboundWithAddrFrom(inboundVersionGood: boolean, addrFrom: string) {
    const w = makeWorld({ feelers: false, inboundVersionGood }, 0);
    w.cm.start();
    const c = w.transport.accept(LOCAL, serviceOrThrow('50.1.1.1:40000', 8333), { polite: false });
    w.sched.runFor(1);
    w.transport.deliver(
      c,
      versionMessage({ services: 9, timeSeconds: 1, nonce: 5n, relay: true, addrFrom: serviceOrThrow(addrFrom, 8333), addrFromServices: 9 }),
      0,
    );
    w.sched.runFor(S);
    return { w, c };
  }

  it('inboundVersionGood puts an inbound peer announcing its own IP straight into tried', () => {
    const { w } = inboundWithAddrFrom(true, '50.1.1.1:8333');
    const info = w.cm.addrman.getInfo(serviceOrThrow('50.1.1.1:8333', 8333));
    expect(info?.inTried).toBe(true);
    expect(w.cm.addrman.size(null, false)).toBe(1);
  });

  it('ignores an addrFrom of another IP, and master ignores addrFrom entirely', () => {
    expect(inboundWithAddrFrom(true, '60.1.1.1:8333').w.cm.addrman.size()).toBe(0);
    expect(inboundWithAddrFrom(false, '50.1.1.1:8333').w.cm.addrman.size()).toBe(0);
  });

  it('announces our local address as addrFrom in our VERSION only under the switch', () => {
    for (const on of [true, false]) {
      const { w, c } = inboundWithAddrFrom(on, '50.1.1.1:8333');
      const v = w.transport.conns.get(c)!.sent.find((m) => m.type === MSG_VERSION) as VersionMessage;
      expect(v.addrFrom.toStringAddrPort()).toBe(on ? '1.2.3.4:8333' : '[::]:0');
    }
  });
});

describe('Connman profile switches: AddrMan implementation', () => {
  it('testBeforeEvict = false builds an AddrMan with immediate tried eviction', () => {
    expect(makeWorld({}, 0).cm.addrman.testBeforeEvict).toBe(true);
    expect(makeWorld({ testBeforeEvict: false }, 0).cm.addrman.testBeforeEvict).toBe(false);
  });

  it("addrmanLegacy = 'v0.10' runs the v0.10 AddrMan: outbound peers reach tried, peers.dat keeps the tables", () => {
    const w = makeWorld({ addrmanLegacy: 'v0.10', maxBlockRelayOnly: 0, feelers: false, anchors: false });
    expect(w.cm.addrman).toBeInstanceOf(LegacyAddrMan);
    w.cm.start();
    w.sched.runFor(60 * S);
    const full = w.cm.getNodes().filter((n) => n.connType === ConnectionType.OUTBOUND_FULL_RELAY);
    expect(full.length).toBe(8);
    for (const n of full) expect(w.cm.addrman.getInfo(n.addr)?.inTried).toBe(true);
    expect(w.cm.addrman.checkAddrman()).toBe(0);
    w.cm.dumpAddresses();
    const file = w.files.read(PEERS_DAT)!;
    expect(file).toBeDefined();
    // The v0.10 format: magic, then version 0 and nKey's CompactSize length 0x20.
    expect([...file.subarray(4, 6)]).toEqual([0, 0x20]);
    // A new Connman on the same files loads the table: same entries in the same tables and buckets.
    const before = w.cm.addrman as LegacyAddrMan;
    const seedBytes = new Uint8Array(32);
    seedBytes[0] = 2;
    const cm2 = buildNode({ clock: w.sched, scheduler: w.sched, rng: new FastRandomContext(seedBytes), transport: new FakeTransport(w.sched, LOCAL), events: new EventLog(), files: w.files, dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], addrmanLegacy: 'v0.10' }).connman;
    const after = cm2.addrman as LegacyAddrMan;
    expect(after).toBeInstanceOf(LegacyAddrMan);
    expect(after.nTried).toBe(before.nTried);
    expect(after.nNew).toBe(before.nNew);
    const names = (am: LegacyAddrMan, t: number[][]): string[][] => t.map((b) => b.map((nid) => am.addressOf(nid).toStringAddrPort()).sort());
    expect(names(after, after.legacyTried)).toEqual(names(before, before.legacyTried));
    expect(names(after, after.legacyNew)).toEqual(names(before, before.legacyNew));
    expect(after.checkAddrman()).toBe(0);
  });
});
