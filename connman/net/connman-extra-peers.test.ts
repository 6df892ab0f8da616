// The extra outbound peers of ThreadOpenConnections (spec §5.3 rules 4, 5, 7 and §20) driven end
// to end through a Connman over the fake ports: the stale-tip extra full-relay peer
// (setTryNewOutboundPeer), extra block-relay peers (startExtraBlockRelayPeers, every ~5 min) and the
// network-specific extra peer on a reachable network we have no peer on. The PeerManager logic that
// evicts the extra peers again (EvictExtraOutboundPeers) is tested in net_processing/blocks.test.ts.

import { describe, expect, it } from 'vitest';
import { Connman, EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL } from './connman.ts';
import type { ConnmanOptions } from './options.ts';
import { ConnectionType } from '../protocol/connection-types.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { NET_IPV6, NetAddr, serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { FastRandomContext } from '../util/random.ts';
import { buildNode } from '../init.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const T0 = 1_700_000_000_000_000;

interface World {
  sched: FakeScheduler;
  transport: FakeTransport;
  log: EventLog;
  cm: Connman;
}

function makeWorld(opts: Partial<ConnmanOptions> = {}, seed = 1): World {
  const sched = new FakeScheduler(T0);
  const transport = new FakeTransport(sched, LOCAL);
  const log = new EventLog();
  const bytes = new Uint8Array(32);
  bytes[0] = seed;
  const cm = buildNode({ clock: sched, scheduler: sched, rng: new FastRandomContext(bytes), transport, events: log, files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG }, { dnsSeed: false, fixedSeeds: false, feelers: false, localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...opts }).connman;
  addAddrs(cm, Array.from({ length: 40 }, (_, i) => `${20 + i}.${i}.1.1:8333`));
  return { sched, transport, log, cm };
}

function addAddrs(cm: Connman, texts: string[]): void {
  const now = Math.floor(T0 / S);
  for (const t of texts) cm.addrman.add([new Address(serviceOrThrow(t, 8333), NODE_NETWORK | NODE_WITNESS, now - 3600)], NetAddr.fromIPv4(0x05060708));
}

function count(cm: Connman, t: ConnectionType): number {
  return cm.getNodes().filter((n) => n.connType === t).length;
}

describe('stale-tip extra full-relay peer (rule 4)', () => {
  it('setTryNewOutboundPeer(true) opens a 9th full-relay peer at once; false stops further ones', () => {
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(30 * S);
    expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
    expect(w.cm.getExtraFullOutboundCount()).toBe(0);
    w.cm.setTryNewOutboundPeer(true);
    expect(w.cm.getTryNewOutboundPeer()).toBe(true);
    w.sched.runFor(2 * S);
    expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(9);
    expect(w.cm.getExtraFullOutboundCount()).toBe(1);
    // The flag stays set, but the outbound semaphore (8 + 2 + 1 = 11) is now full: nothing more.
    w.sched.runFor(60 * S);
    expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(9);
    expect(w.cm.getGrantsInUse().outbound).toBe(11);
    // PeerManager (not ported) would evict one and clear the flag; emulate that.
    w.cm.setTryNewOutboundPeer(false);
    const extra = w.cm.getNodes().filter((n) => n.connType === ConnectionType.OUTBOUND_FULL_RELAY).at(-1)!;
    w.cm.disconnectNode(extra.id);
    w.sched.runFor(60 * S);
    expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
    expect(w.cm.getExtraFullOutboundCount()).toBe(0);
  });

  it('while the stale-tip flag is set, the timed rules (extra block-relay, feeler) wait', () => {
    const w = makeWorld({ feelers: true });
    w.cm.start();
    w.sched.runFor(30 * S);
    // Every extra slot taken by the stale-tip peer, feelers can no longer get a grant either.
    w.cm.setTryNewOutboundPeer(true);
    w.cm.startExtraBlockRelayPeers();
    w.sched.runFor(30 * 60 * S);
    const opened = w.log.ofKind('connection-opened').map((e) => e.connType);
    expect(opened.filter((t) => t === ConnectionType.OUTBOUND_FULL_RELAY).length).toBe(9);
    expect(opened.filter((t) => t === ConnectionType.BLOCK_RELAY).length).toBe(2);
  });
});

describe('extra block-relay peers (rule 5)', () => {
  it('nothing before startExtraBlockRelayPeers; afterwards one extra BLOCK_RELAY once the ~5 min timer passes', () => {
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(60 * 60 * S);
    expect(count(w.cm, ConnectionType.BLOCK_RELAY)).toBe(2);
    expect(w.cm.getExtraBlockRelayCount()).toBe(0);
    w.cm.startExtraBlockRelayPeers();
    // The timer was armed at start and has long passed: the next loop iteration connects.
    w.sched.runFor(2 * S);
    expect(count(w.cm, ConnectionType.BLOCK_RELAY)).toBe(3);
    expect(w.cm.getExtraBlockRelayCount()).toBe(1);
    expect(w.cm.getCurrentBlockRelayOnlyConns().length).toBe(3);
  });

  it('after an extra block-relay peer is dropped, the next comes only after the re-armed timer', () => {
    // Measure the gaps between extra block-relay connections when each is dropped right away
    // (as PeerManager's EvictExtraOutboundPeers would): their mean is about the 5 min interval.
    const w = makeWorld();
    w.cm.start();
    w.sched.runFor(30 * S);
    w.cm.startExtraBlockRelayPeers();
    const times: number[] = [];
    for (let step = 0; step < 6 * 3600; step++) {
      w.sched.runFor(S);
      const blocks = w.cm.getNodes().filter((n) => n.connType === ConnectionType.BLOCK_RELAY);
      if (blocks.length > 2) {
        times.push(w.sched.nowMicros());
        w.cm.disconnectNode(blocks.at(-1)!.id);
      }
    }
    expect(times.length).toBeGreaterThan(30);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(0.6 * EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL);
    expect(mean).toBeLessThan(1.5 * EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL);
    // Never two within the 500 ms loop pacing.
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(S);
  });
});

describe('network-specific extra peer (rule 7)', () => {
  it.each([
    ['feelers on (their timer keeps the loop ticking)', true],
    ['feelers off (the idle loop is woken by threadOpenConnections)', false],
  ])('with 8 full-relay IPv4 peers and IPv6 addresses in addrman, one extra full-relay peer goes to IPv6: %s', (_name, feelers) => {
    const w = makeWorld({ feelers });
    w.cm.start();
    w.sched.runFor(30 * S);
    expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
    expect(w.cm.getNetworkConnCount(NET_IPV6)).toBe(0);
    // Now learn some IPv6 addresses (reachable by default), behind the Connman's back as an RPC
    // addpeeraddress would: Core's loop polls every 500 ms; the idle-skipping loop must be woken.
    addAddrs(w.cm, Array.from({ length: 6 }, (_, i) => `[2a01:${i + 1}::1]:8333`));
    if (!feelers) w.cm.threadOpenConnections();
    w.sched.runFor(2 * 3600 * S);
    const full = w.cm.getNodes().filter((n) => n.connType === ConnectionType.OUTBOUND_FULL_RELAY);
    expect(full.length).toBe(9);
    expect(full.filter((n) => n.addr.getNetwork() === NET_IPV6).length).toBe(1);
    expect(w.cm.getNetworkConnCount(NET_IPV6)).toBe(1);
    expect(w.cm.multipleManualOrFullOutboundConns(NET_IPV6)).toBe(false);
    // IPv6 now has a peer: no network qualifies any more.
    expect(w.cm.maybePickPreferredNetwork()).toBeNull();
  });

  it('is not made when the network is unreachable, or with networkSpecificExtraPeers off (Core before #27213)', () => {
    for (const opts of [
      { reachableNets: new Set([0, 1, 5]) }, // UNROUTABLE, IPV4, INTERNAL: no IPv6
      { networkSpecificExtraPeers: false },
    ] as Partial<ConnmanOptions>[]) {
      const w = makeWorld(opts);
      w.cm.start();
      w.sched.runFor(30 * S);
      addAddrs(w.cm, Array.from({ length: 6 }, (_, i) => `[2a01:${i + 1}::1]:8333`));
      expect(w.cm.addrman.size(NET_IPV6)).toBe(6);
      w.cm.threadOpenConnections();
      w.sched.runFor(2 * 3600 * S);
      expect(count(w.cm, ConnectionType.OUTBOUND_FULL_RELAY)).toBe(8);
      expect(w.cm.getNetworkConnCount(NET_IPV6)).toBe(0);
    }
  });
});
