// The population generator through World: the unchanged default world, address families and
// their routing, the AS model and asmap nodes, seed lists, allocations for other actors, nodes
// added mid-run, churn, and worldOptionsFor's defaults.
import { describe, expect, it } from 'vitest';

import { interpret } from '../../connman/netgroup/asmap.ts';
import { NetAddr, Network, serviceOrThrow } from '../../connman/protocol/netaddress.ts';
import { Rng, minutes, seconds } from '../../sim/index.ts';
import { ipv4Value, simAddressOf } from './address-plan.ts';
import { AsModel } from './as-model.ts';
import { DEFAULT_LISTENING_SHARE, POPULATION_LATENCY_MS, populationLatency, worldOptionsFor, MIN_LISTENERS, defaultListeningShare } from './population.ts';
import { World } from './world.ts';
import { addScriptedPeer } from '../actors/scripted-peer.ts';

function ip16(a: NetAddr): Uint8Array {
  if (!a.isIPv4()) return a.addr;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(a.addr, 12);
  return out;
}

describe('World without the new options', () => {
  it('gives the same digest and addresses as before issue 6 (golden values taken from the previous world.ts)', () => {
    const w = new World({ seed: 'h1-baseline', nodes: 12, listeningShare: 0.5, regions: 3, staleAddresses: 4, fixedSeeds: 2, startWindowMicros: seconds(5) });
    w.runUntil(minutes(3));
    addScriptedPeer(w, {});
    w.runFor(seconds(30));
    expect(w.nodes.slice(0, 3).map((n) => n.address.toStringAddr())).toEqual(['173.1.101.52', '122.149.152.90', '158.185.192.32']);
    // Re-pinned when pings moved to their own nonce stream and the analytic path became the
    // default (b2adba338c5a7f84 before; see scenarios/host/analytic-ping.test.ts for the equivalence).
    // Re-pinned (2927a5439cef8780 before) when GetLocalAddrForPeer was ported: a listener whose
    // peer reports a routable address for it draws one random bit per self-announcement.
    expect(w.digest()).toBe('dd7c2ede3bd6233f');
    expect(w.asModel).toBeUndefined();
    expect(w.asnOf(w.nodes[0]!.address)).toBe(0);
  });
});

describe('address families', () => {
  const families = { ipv4: 0.4, ipv6: 0.2, onion: 0.2, i2p: 0.1, cjdns: 0.1 };

  it('honours the shares exactly and gives each family its networks', () => {
    const w = new World({ seed: 'fam', nodes: 20, listeningShare: 0.5, families, autoStart: false, dnsSeeds: 0 });
    const count = (f: string): number => w.nodes.filter((n) => n.family === f).length;
    expect([count('ipv4'), count('ipv6'), count('onion'), count('i2p'), count('cjdns')]).toEqual([8, 4, 4, 2, 2]);
    for (const n of w.nodes) {
      expect(n.address.isRoutable()).toBe(true);
      const o = w.connmanOptionsFor(n.index);
      if (n.family === 'onion') {
        expect([...o.reachableNets!].sort()).toEqual([Network.NET_UNROUTABLE, Network.NET_IPV4, Network.NET_IPV6, Network.NET_ONION, Network.NET_INTERNAL].sort());
        if (n.listening) expect(o.binds).toEqual([{ service: n.service, onion: true }]);
      } else if (n.family === 'i2p') {
        expect(n.service.port).toBe(0);
        expect(o.reachableNets!.has(Network.NET_I2P)).toBe(true);
      } else if (n.family === 'cjdns') {
        expect(n.address.net).toBe(Network.NET_CJDNS);
        expect(o.reachableNets!.has(Network.NET_CJDNS)).toBe(true);
      } else {
        expect(o.reachableNets).toBeUndefined(); // Core's defaults
      }
      expect(o.localAddresses).toEqual([n.service]);
      expect(w.network.hostOf(simAddressOf(n.address))).toBe(n.host);
    }
    // IPv6 nodes sit in distinct /32s.
    const v6 = w.nodes.filter((n) => n.family === 'ipv6').map((n) => n.address.addr.slice(0, 4).join('.'));
    expect(new Set(v6).size).toBe(v6.length);
  });

  it('routes every family: privacy nodes connect among themselves and out to clearnet', () => {
    const w = new World({ seed: 'fam-run', nodes: 20, listeningShare: 1, families, fixedSeeds: 20, dnsSeeds: 0 });
    // Everybody knows every listener through the fixed seeds (used at once without DNS seeds).
    w.runUntil(minutes(2));
    const outboundNets = new Map<string, Set<Network>>();
    let inboundOnion = 0;
    for (const n of w.nodes) {
      const stats = n.connman!.getNodeStats();
      for (const s of stats) {
        if (!s.inbound) {
          const set = outboundNets.get(n.family) ?? new Set<Network>();
          set.add(s.network);
          outboundNets.set(n.family, set);
        } else {
          if (n.family === 'onion') inboundOnion++;
          // A CJDNS node sees its CJDNS peers as CJDNS (Core flips fc00::/8 when CJDNS is reachable).
          if (n.family === 'cjdns' && s.addr.startsWith('[fc')) expect(s.network).toBe(Network.NET_CJDNS);
        }
      }
    }
    expect(outboundNets.get('onion')?.has(Network.NET_ONION)).toBe(true);
    expect(outboundNets.get('onion')?.has(Network.NET_IPV4)).toBe(true);
    expect(outboundNets.get('cjdns')?.has(Network.NET_CJDNS)).toBe(true);
    expect(outboundNets.get('i2p')?.has(Network.NET_I2P)).toBe(true);
    expect(outboundNets.get('ipv4')?.has(Network.NET_IPV6)).toBe(true);
    // Clearnet nodes never reach privacy networks.
    for (const net of outboundNets.get('ipv4') ?? []) expect([Network.NET_IPV4, Network.NET_IPV6]).toContain(net);
    expect(inboundOnion).toBeGreaterThan(0);
  }, 60_000);
});

describe('AS model in the world', () => {
  const model = AsModel.synthetic(new Rng('world-as'), { asns: 60, hostingAsns: 3, hostingSlash16s: 12 });

  it('draws honest addresses inside the model\'s ASNs and gives asmap to the chosen nodes', () => {
    const w = new World({ seed: 'as-world', nodes: 40, asModel: model, families: { ipv4: 3, ipv6: 1 }, useAsmap: (i) => i % 2 === 0, autoStart: false });
    for (const n of w.nodes) {
      const asn = w.asnOf(n.address);
      expect(asn).toBeGreaterThan(0);
      expect(interpret(model.asmap, ip16(n.address))).toBe(asn);
      expect(model.info(asn)).toBeDefined();
    }
    w.startNode(0);
    w.startNode(1);
    expect(w.nodes[0]!.connman!.netgroupman.usingASMap()).toBe(true);
    expect(w.nodes[0]!.connman!.netgroupman.getMappedAS(w.nodes[5]!.address)).toBe(w.asnOf(w.nodes[5]!.address));
    expect(w.nodes[1]!.connman!.netgroupman.usingASMap()).toBe(false);
  });

  it('allocates fresh addresses: per /16, over k /16s, and inside k big ASNs', () => {
    const w = new World({ seed: 'alloc', nodes: 30, asModel: model, autoStart: false });
    const honest = new Set(w.nodes.map((n) => n.address.addrKey));
    const s16 = (a: NetAddr): number => ipv4Value(a) >>> 16;
    const honestS16 = new Set(w.nodes.map((n) => s16(n.address)));

    const one = w.allocateAddresses(10);
    expect(new Set(one.map(s16)).size).toBe(10);
    const spread = w.allocateAddresses(12, { slash16s: 4 });
    expect(new Set(spread.map(s16)).size).toBe(4);
    for (const a of [...one, ...spread]) {
      expect(honestS16.has(s16(a))).toBe(false);
      expect(w.asnOf(a)).toBe(0);
      expect(a.isRoutable()).toBe(true);
    }
    const inAs = w.allocateAddresses(40, { asns: 2, slash16sPerAsn: 5 });
    const big = model.bigAsns(2).map((a) => a.asn);
    expect(new Set(inAs.map((a) => w.asnOf(a)))).toEqual(new Set(big));
    expect(new Set(inAs.map(s16)).size).toBe(10);
    const all = [...one, ...spread, ...inAs];
    expect(new Set(all.map((a) => a.addrKey)).size).toBe(all.length);
    for (const a of all) expect(honest.has(a.addrKey)).toBe(false);
    expect(() => w.allocateAddresses(1, { asns: 1, slash16sPerAsn: 999 })).toThrow(RangeError);

    const host = w.addExternalHost(inAs.slice(0, 3));
    expect(w.network.hostOf(simAddressOf(inAs[1]!))).toBe(host);
    // Later honest and test-peer addresses never collide with allocated ones.
    const peer = addScriptedPeer(w, {});
    expect(all.some((a) => a.addrKey === peer.service!.addrKey)).toBe(false);
  });
});

describe('seed list, added nodes, churn', () => {
  const seeds = ['1.2.3.4:8333', '[2001:4860:4860::8888]:8333', 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333'].map((s) => serviceOrThrow(s, 8333));

  it('gives the seed list to the first nodes, which listen and are the fixed seeds', () => {
    const w = new World({ seed: 'seeds', nodes: 5, listeningShare: 0.01, seedList: seeds, autoStart: false });
    expect(w.nodes.slice(0, 3).map((n) => n.service.toStringAddrPort())).toEqual(seeds.map((s) => s.toStringAddrPort()));
    expect(w.nodes.slice(0, 3).every((n) => n.listening)).toBe(true);
    expect(w.nodes[2]!.family).toBe('onion');
    expect(w.fixedSeedList.map((s) => s.toStringAddrPort())).toEqual(seeds.map((s) => s.toStringAddrPort()));
    const few = new World({ seed: 'seeds', nodes: 2, seedList: seeds, autoStart: false });
    expect(few.nodes.map((n) => n.service.toStringAddrPort())).toEqual(seeds.slice(0, 2).map((s) => s.toStringAddrPort()));
  });

  it('adds a node mid-run that starts at once', () => {
    const w = new World({ seed: 'add', nodes: 6, listeningShare: 0.5, fixedSeeds: 3, dnsSeeds: 0 });
    w.runUntil(minutes(1));
    const i = w.addNode({ listening: true });
    expect(i).toBe(6);
    const n = w.nodes[i]!;
    expect(n.connman).toBeDefined();
    expect(n.listening).toBe(true);
    expect(new Set(w.nodes.map((x) => x.address.addrKey)).size).toBe(7);
    w.runFor(minutes(1));
    expect(n.connman!.getNodeStats().filter((s) => !s.inbound).length).toBeGreaterThan(0);
  }, 60_000);

  it('churns honest nodes deterministically and leaves exempt ones alone', () => {
    const make = (): World =>
      new World({
        seed: 'churn-world',
        nodes: 8,
        listeningShare: 0.5,
        fixedSeeds: 4,
        dnsSeeds: 0,
        churn: { sessionShape: 1, sessionScaleMicros: minutes(2), downtimeShape: 1, downtimeScaleMicros: minutes(1), crashShare: 0.5 },
        churnExempt: (i) => i === 0,
      });
    const a = make();
    a.runUntil(minutes(6));
    expect(a.nodes[0]!.starts).toBe(1);
    expect(a.nodes.slice(1).some((n) => n.starts > 1)).toBe(true);
    const c = a.lifetimes!.counters;
    expect(c.crashes).toBeGreaterThan(0);
    expect(c.stops).toBeGreaterThan(0);
    const b = make();
    b.runUntil(minutes(6));
    expect(b.digest()).toBe(a.digest());
  }, 60_000);
});

describe('worldOptionsFor and populationLatency', () => {
  it('fills documented defaults and builds the same synthetic model for a seed', () => {
    const o = worldOptionsFor({ nodes: 100 }, 7);
    // 100 nodes at 15% would be 15 listeners: the default raises it to MIN_LISTENERS (24).
    expect(o.listeningShare).toBe(MIN_LISTENERS / 100);
    expect(defaultListeningShare(1000)).toBe(DEFAULT_LISTENING_SHARE);
    expect(Math.round(defaultListeningShare(40) * 40)).toBe(MIN_LISTENERS);
    expect(o.regions).toBe(5);
    expect(o.regionWeights?.length).toBe(5);
    expect(o.staleAddresses).toBe(25);
    expect(o.asModel).toBeDefined();
    expect(Buffer.from(worldOptionsFor({ nodes: 100 }, 7).asModel!.asmap).equals(Buffer.from(o.asModel!.asmap))).toBe(true);
    expect(worldOptionsFor({ nodes: 10, asModel: 'none', families: 'ipv4' }, 7).asModel).toBeUndefined();
    expect(worldOptionsFor({ nodes: 10, families: 'ipv4' }, 7).families).toBeUndefined();
    expect(worldOptionsFor({ nodes: 10, churn: 'default' }, 7).churn?.crashShare).toBeGreaterThan(0);
  });

  it('gives symmetric region latencies in µs', () => {
    const m = populationLatency(6);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      expect(m.oneWayMicros(0, 1, i, j)).toBe(POPULATION_LATENCY_MS[i]![j]! * 1000);
      expect(POPULATION_LATENCY_MS[i]![j]).toBe(POPULATION_LATENCY_MS[j]![i]);
    }
    expect(() => populationLatency(7)).toThrow(RangeError);
  });

  it('a small population world runs', () => {
    const w = new World({ ...worldOptionsFor({ nodes: 20, asModelOptions: { asns: 40, hostingAsns: 2, hostingSlash16s: 6 } }, 'pop'), fixedSeeds: 5 });
    w.runUntil(minutes(1));
    expect(w.nodes.every((n) => n.connman !== undefined)).toBe(true);
    expect(w.nodes.some((n) => n.connman!.getNodeCount() > 0)).toBe(true);
  }, 60_000);
});
