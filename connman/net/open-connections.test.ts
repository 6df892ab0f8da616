import { describe, expect, it } from 'vitest';
import { ALL_CONNECTION_TYPES, ConnectionType } from '../protocol/connection-types.ts';
import { NET_IPV4, NET_IPV6, NET_ONION, NetAddr, serviceOrThrow, type Network } from '../protocol/netaddress.ts';
import { NetGroupManager } from '../netgroup/netgroup.ts';
import {
  chooseConnectionType,
  countFailures,
  groupKey,
  maybePickPreferredNetwork,
  outboundCensus,
  OutboundCensusTracker,
  selectAddress,
  type Candidate,
  type OutboundCensus,
  type SelectionEnv,
  type TypeChoiceInput,
} from './open-connections.ts';
import { Address, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from '../protocol/protocol.ts';

const ng = NetGroupManager.noAsmap();
const GOOD = NODE_NETWORK | NODE_WITNESS;
const NOW = 1_700_000_000;
const a = (text: string, services = GOOD): Address => new Address(serviceOrThrow(text, 8333), services, NOW - 3600);
const gk = (x: NetAddr | null): string => groupKey(ng.getGroup(x ?? NetAddr.unspecified()));

function census(full = 0, block = 0, groups: string[] = [], privacy = 0): OutboundCensus {
  return {
    outboundFullRelay: full,
    outboundBlockRelay: block,
    outboundPrivacyNetworkPeers: privacy,
    outboundIpv46PeerNetgroups: new Set(groups),
    outboundIpv46NetgroupCount: new Set(groups).size,
  };
}

function choice(over: Partial<TypeChoiceInput>) {
  const base: TypeChoiceInput = {
    anchorsLeft: 0,
    census: census(8, 2),
    maxOutboundFullRelay: 8,
    maxOutboundBlockRelay: 2,
    tryNewOutboundPeer: false,
    nowMicros: 1000,
    nextExtraBlockRelayMicros: 5000,
    startExtraBlockRelayPeers: false,
    nextFeelerMicros: 5000,
    feelers: true,
    networkSpecificExtraPeers: true,
    nextExtraNetworkPeerMicros: 5000,
    pickPreferredNetwork: () => null,
  };
  return chooseConnectionType({ ...base, ...over });
}

describe('census (§5.3 step 6)', () => {
  it('counts every full / block node and groups MANUAL, full and block-relay peers', () => {
    const nodes = [
      { connType: ConnectionType.OUTBOUND_FULL_RELAY, addr: serviceOrThrow('1.2.3.4', 8333) },
      { connType: ConnectionType.OUTBOUND_FULL_RELAY, addr: serviceOrThrow('1.2.9.9', 8333) },
      { connType: ConnectionType.BLOCK_RELAY, addr: serviceOrThrow('5.6.7.8', 8333) },
      { connType: ConnectionType.MANUAL, addr: serviceOrThrow('9.9.9.9', 8333) },
      {
        connType: ConnectionType.MANUAL,
        addr: serviceOrThrow('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', 8333),
      },
      { connType: ConnectionType.INBOUND, addr: serviceOrThrow('10.1.1.1', 8333) },
      { connType: ConnectionType.FEELER, addr: serviceOrThrow('11.1.1.1', 8333) },
      { connType: ConnectionType.ADDR_FETCH, addr: serviceOrThrow('12.1.1.1', 8333) },
    ];
    const c = outboundCensus(nodes, (x) => ng.getGroup(x));
    expect(c.outboundFullRelay).toBe(2);
    expect(c.outboundBlockRelay).toBe(1);
    expect(c.outboundPrivacyNetworkPeers).toBe(1);
    expect([...c.outboundIpv46PeerNetgroups.keys()].sort()).toEqual([gk(NetAddr.fromIPv4(0x01020000)), gk(NetAddr.fromIPv4(0x05060000)), gk(NetAddr.fromIPv4(0x09090000))].sort());
  });
});

describe('OutboundCensusTracker (the census kept incrementally)', () => {
  it('equals a recount after every add and remove of a random sequence', () => {
    const types = ALL_CONNECTION_TYPES;
    const onion = serviceOrThrow('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', 8333);
    const keys = new Map<object, string>();
    const keyOf = (n: { addr: NetAddr }): string => {
      let k = keys.get(n);
      if (k === undefined) keys.set(n, (k = gk(n.addr)));
      return k;
    };
    const tracker = new OutboundCensusTracker(keyOf);
    let live: { connType: ConnectionType; addr: NetAddr }[] = [];
    let x = 12345;
    const rand = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    for (let step = 0; step < 2000; step++) {
      if (live.length === 0 || rand(3) !== 0) {
        // Few /16s, so several peers share a netgroup and removals must keep the others' count.
        const addr = rand(10) === 0 ? onion : serviceOrThrow(`${1 + rand(4)}.${rand(3)}.${rand(200)}.1`, 8333);
        const n = { connType: types[rand(types.length)]!, addr };
        live.push(n);
        tracker.add(n);
      } else {
        const i = rand(live.length);
        tracker.remove(live[i]!);
        live = live.filter((_, j) => j !== i);
      }
      const got = tracker.census();
      const want = outboundCensus(live, (a) => ng.getGroup(a));
      expect({ ...got, outboundIpv46PeerNetgroups: [...got.outboundIpv46PeerNetgroups.keys()].sort() }).toEqual({
        ...want,
        outboundIpv46PeerNetgroups: [...want.outboundIpv46PeerNetgroups.keys()].sort(),
      });
    }
  });
});

describe('connection-type choice (§5.3 step 8, first match wins)', () => {
  it('rule 1: anchors while block-relay slots are free', () => {
    expect(choice({ anchorsLeft: 1, census: census(0, 0) })?.rule).toBe('anchor');
    expect(choice({ anchorsLeft: 1, census: census(0, 2) })?.rule).toBe('full-relay');
  });
  it('rule 2 before rule 3', () => {
    expect(choice({ census: census(7, 0) })).toMatchObject({ rule: 'full-relay', connType: ConnectionType.OUTBOUND_FULL_RELAY });
    expect(choice({ census: census(8, 1) })).toMatchObject({ rule: 'block-relay', connType: ConnectionType.BLOCK_RELAY });
  });
  it('rule 4: a stale tip asks for an extra full-relay peer, blocking the timed rules', () => {
    expect(choice({ tryNewOutboundPeer: true, nowMicros: 9999 })?.rule).toBe('stale-tip-extra');
  });
  it('rule 5: extra block-relay only once started and due (strict)', () => {
    expect(choice({ startExtraBlockRelayPeers: true, nowMicros: 5000 })).toBeNull();
    expect(choice({ startExtraBlockRelayPeers: true, nowMicros: 5001, nextFeelerMicros: 0 })?.rule).toBe('extra-block-relay');
    expect(choice({ startExtraBlockRelayPeers: false, nowMicros: 5001, nextFeelerMicros: 0 })?.rule).toBe('feeler');
  });
  it('rule 6: feeler when due (strict), unless feelers are switched off', () => {
    expect(choice({ nextFeelerMicros: 1000 })).toBeNull();
    expect(choice({ nextFeelerMicros: 999 })).toMatchObject({ rule: 'feeler', feeler: true, connType: ConnectionType.FEELER });
    expect(choice({ nextFeelerMicros: 999, feelers: false })).toBeNull();
  });
  it('rule 7: network-specific extra peer needs 8 full peers, a due timer and a pickable network', () => {
    let calls = 0;
    const pick = (): Network | null => {
      calls++;
      return NET_IPV6;
    };
    expect(choice({ nextExtraNetworkPeerMicros: 999, pickPreferredNetwork: pick })).toMatchObject({
      rule: 'network-specific',
      preferredNet: NET_IPV6,
    });
    expect(choice({ nextExtraNetworkPeerMicros: 1000, pickPreferredNetwork: pick })).toBeNull();
    expect(choice({ nextExtraNetworkPeerMicros: 999, maxOutboundFullRelay: 4, census: census(4, 0), maxOutboundBlockRelay: 0, pickPreferredNetwork: pick })).toBeNull();
    expect(choice({ nextExtraNetworkPeerMicros: 999, pickPreferredNetwork: () => null })).toBeNull();
    expect(choice({ nextExtraNetworkPeerMicros: 999, networkSpecificExtraPeers: false, pickPreferredNetwork: pick })).toBeNull();
    expect(calls).toBe(1);
  });
});

describe('MaybePickPreferredNetwork and count_failures', () => {
  it('returns the first shuffled network that is reachable, unconnected and known', () => {
    const reachable = new Set<Network>([NET_IPV4, NET_IPV6, NET_ONION]);
    const counts = (n: Network) => (n === NET_IPV4 ? 8 : 0);
    const sizes = (n: Network) => (n === NET_ONION ? 0 : 10);
    expect(maybePickPreferredNetwork(reachable, counts, sizes, () => {})).toBe(NET_IPV6);
    expect(maybePickPreferredNetwork(reachable, counts, sizes, (xs) => xs.reverse())).toBe(NET_IPV6);
    expect(maybePickPreferredNetwork(new Set([NET_IPV4]), counts, sizes, () => {})).toBeNull();
  });
  it('counts failures only with at least min(M - 1, 2) diverse outbound peers', () => {
    expect(countFailures(census(0, 0, ['a']), 200)).toBe(false);
    expect(countFailures(census(0, 0, ['a', 'b']), 200)).toBe(true);
    expect(countFailures(census(0, 0, ['a'], 1), 200)).toBe(true);
    expect(countFailures(census(0, 0, ['a']), 2)).toBe(true);
    expect(countFailures(census(0, 0, []), 1)).toBe(true);
  });
});

describe('address selection loop (§5.3 step 10, rules a-k)', () => {
  function env(draws: Candidate[], over: Partial<SelectionEnv> = {}): SelectionEnv & { calls: number } {
    let i = 0;
    const e = {
      calls: 0,
      anchors: [] as Address[],
      anchor: false,
      feeler: false,
      preferredNet: null,
      nowSeconds: NOW,
      reachable: new Set<Network>([NET_IPV4, NET_IPV6]),
      netgroups: new Set<string>(),
      groupOf: gk,
      isLocal: (x: NetAddr) => x.toStringAddr() === '1.1.1.1',
      hasAllDesirableServiceFlags: (s: number) => (s & GOOD) === GOOD,
      select: () => {
        e.calls++;
        return draws[Math.min(i++, draws.length - 1)]!;
      },
      selectTriedCollision: () => ({ address: null, lastTry: 0 }),
      alreadyConnectedToAddress: () => false,
      good: () => {},
      addedNodesContain: () => false,
      ...over,
    };
    return e;
  }
  const ok = (x: Address, lastTry = 0): Candidate => ({ address: x, lastTry });

  it('(k) accepts the first acceptable draw', () => {
    const r = selectAddress(env([ok(a('20.1.1.1'))]));
    expect(r.end).toBe('accepted');
    expect(r.address?.toStringAddr()).toBe('20.1.1.1');
    expect(r.tries).toBe(1);
  });
  it('(a) anchors: last first, rejected ones cost no try and are gone', () => {
    const anchors = [a('30.1.1.1'), a('31.1.1.1', NODE_WITNESS)];
    const e = env([ok(a('20.1.1.1'))], { anchor: true, anchors });
    const r = selectAddress(e);
    expect(r.end).toBe('anchor');
    expect(r.address?.toStringAddr()).toBe('30.1.1.1');
    expect(r.tries).toBe(0);
    expect(anchors).toEqual([]);
    expect(r.skips.get('a')).toBe(1);
  });
  it('(a) then (b)-(k) when every anchor is rejected', () => {
    const anchors = [a('30.1.1.1')];
    const r = selectAddress(env([ok(a('20.1.1.1'))], { anchor: true, anchors, netgroups: new Set([gk(a('30.1.0.0'))]) }));
    expect(r.end).toBe('accepted');
    expect(r.address?.toStringAddr()).toBe('20.1.1.1');
  });
  it('(d) skips used netgroups, but not for feelers', () => {
    const used = new Set([gk(a('20.1.0.0'))]);
    const r = selectAddress(env([ok(a('20.1.9.9')), ok(a('21.1.1.1'))], { netgroups: used }));
    expect(r.address?.toStringAddr()).toBe('21.1.1.1');
    expect(r.skips.get('d')).toBe(1);
    const f = selectAddress(env([ok(a('20.1.9.9'))], { netgroups: used, feeler: true }));
    expect(f.address?.toStringAddr()).toBe('20.1.9.9');
  });
  it('(e) an empty addrman or our own address ends the loop at once', () => {
    expect(selectAddress(env([{ address: null, lastTry: 0 }])).end).toBe('invalid-or-local');
    const r = selectAddress(env([ok(a('1.1.1.1')), ok(a('20.1.1.1'))]));
    expect(r.end).toBe('invalid-or-local');
    expect(r.tries).toBe(1);
  });
  it('(d) before (e): an invalid draw hits a used [0] group and burns tries up to 100', () => {
    const e = env([{ address: null, lastTry: 0 }], { netgroups: new Set([gk(null)]) });
    const r = selectAddress(e);
    expect(r.end).toBe('tries');
    expect(e.calls).toBe(100);
  });
  it('(f) unreachable networks are skipped', () => {
    const r = selectAddress(env([ok(a('[2a01:4f8::1]:8333')), ok(a('20.1.1.1'))], { reachable: new Set([NET_IPV4]) }));
    expect(r.skips.get('f')).toBe(1);
    expect(r.address?.toStringAddr()).toBe('20.1.1.1');
  });
  it('(g) recently tried addresses wait until try 30', () => {
    const recent = ok(a('20.1.1.1'), NOW - 60);
    const r = selectAddress(env([recent]));
    expect(r.tries).toBe(30);
    expect(r.skips.get('g')).toBe(29);
  });
  it('(h) desirable services for automatic peers, a useful address db for feelers', () => {
    const limitedOnly = a('20.1.1.1', NODE_NETWORK_LIMITED);
    const r = selectAddress(env([ok(limitedOnly), ok(a('21.1.1.1'))]));
    expect(r.address?.toStringAddr()).toBe('21.1.1.1');
    const f = selectAddress(env([ok(limitedOnly)], { feeler: true }));
    expect(f.address?.toStringAddr()).toBe('20.1.1.1');
    const g = selectAddress(env([ok(a('20.1.1.1', NODE_WITNESS)), ok(a('21.1.1.1'))], { feeler: true }));
    expect(g.address?.toStringAddr()).toBe('21.1.1.1');
  });
  it('(i) bad ports wait until try 50 (IPv4/IPv6 only)', () => {
    const r = selectAddress(env([ok(a('20.1.1.1:25'))]));
    expect(r.tries).toBe(50);
    expect(r.skips.get('i')).toBe(49);
  });
  it('(j) added nodes are left to the added-node thread', () => {
    const r = selectAddress(env([ok(a('20.1.1.1')), ok(a('21.1.1.1'))], { addedNodesContain: (x) => x.toStringAddr() === '20.1.1.1' }));
    expect(r.address?.toStringAddr()).toBe('21.1.1.1');
    expect(r.skips.get('j')).toBe(1);
  });
  it('(b) gives up after 100 tries', () => {
    const e = env([ok(a('20.1.1.1', NODE_WITNESS))]);
    const r = selectAddress(e);
    expect(r.end).toBe('tries');
    expect(r.tries).toBe(101);
    expect(e.calls).toBe(100);
  });
  it('(c) feelers test tried collisions first; an already-connected one is marked Good', () => {
    const good: string[] = [];
    const r = selectAddress(
      env([ok(a('40.1.1.1'))], {
        feeler: true,
        selectTriedCollision: () => ok(a('41.1.1.1')),
        alreadyConnectedToAddress: (x) => x.toStringAddr() === '41.1.1.1',
        good: (x) => good.push(x.toStringAddr()),
      }),
    );
    expect(good).toEqual(['41.1.1.1']);
    expect(r.address?.toStringAddr()).toBe('40.1.1.1');
    const s = selectAddress(env([ok(a('40.1.1.1'))], { feeler: true, selectTriedCollision: () => ok(a('41.1.1.1')) }));
    expect(s.address?.toStringAddr()).toBe('41.1.1.1');
  });
  it('(c) a preferred network restricts Select to it', () => {
    let seen: Network[] = [];
    selectAddress(
      env([ok(a('20.1.1.1'))], {
        preferredNet: NET_IPV6,
        select: (_n, nets) => {
          seen = [...nets];
          return ok(a('[2001:db8::1]:8333'));
        },
      }),
    );
    expect(seen).toEqual([NET_IPV6]);
  });
});
