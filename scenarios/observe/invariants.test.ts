// The run invariants: each rule on crafted connection views (limits with Core's extra peers,
// duplicates, netgroups with Core's exemptions), and the monitor on a live world, where a
// duplicate connection and a corrupted AddrMan planted by hand are caught and reported once each.
import { beforeAll, describe, expect, it } from 'vitest';
import { computeSlots } from '../../connman/net/options.ts';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { Node } from '../../connman/net/node.ts';
import { minutes, seconds } from '../../sim/index.ts';
import {
  connectionBreaches,
  duplicateBreaches,
  inboundLimitBreaches,
  INVARIANT_NAMES,
  InvariantMonitor,
  netgroupBreaches,
  outboundLimitBreaches,
  type ConnView,
} from './invariants.ts';
import { World } from '../world/world.ts';

const CT = ConnectionType;
const SLOTS = computeSlots(200);

let nextId = 0;
/** A view of a connection to 10.<g>.0.<h>:8333 (netgroup 010a<g>). */
function view(connType: ConnectionType, g: number, h: number, extra: Partial<ConnView> = {}): ConnView {
  const ip = `10.${g}.0.${h}`;
  return {
    id: nextId++,
    connType,
    ip,
    ipPort: `${ip}:${connType === CT.INBOUND ? 50000 + h : 8333}`,
    netgroupHex: `010a${g.toString(16).padStart(2, '0')}`,
    privacyNet: false,
    disconnect: false,
    ...extra,
  };
}

/** A node's usual outbound set: 8 full-relay and 2 block-relay-only peers in 10 netgroups. */
function fullSet(): ConnView[] {
  const out: ConnView[] = [];
  for (let i = 0; i < 8; i++) out.push(view(CT.OUTBOUND_FULL_RELAY, i, 1));
  for (let i = 8; i < 10; i++) out.push(view(CT.BLOCK_RELAY, i, 1));
  return out;
}

describe('outbound and inbound limits', () => {
  it("accept Core's full set plus one extra full-relay, one extra block-relay and one feeler", () => {
    const conns = [...fullSet(), view(CT.OUTBOUND_FULL_RELAY, 20, 1), view(CT.BLOCK_RELAY, 21, 1), view(CT.FEELER, 22, 1)];
    expect(connectionBreaches(conns, SLOTS)).toEqual([]);
  });

  it('catch a second extra full-relay peer, a third extra block-relay peer and a second feeler', () => {
    const conns = [
      ...fullSet(),
      view(CT.OUTBOUND_FULL_RELAY, 20, 1),
      view(CT.OUTBOUND_FULL_RELAY, 21, 1),
      view(CT.BLOCK_RELAY, 22, 1),
      view(CT.BLOCK_RELAY, 23, 1),
      view(CT.FEELER, 24, 1),
      view(CT.FEELER, 25, 1),
    ];
    expect(outboundLimitBreaches(conns, SLOTS).map((b) => b.detail)).toEqual([
      '10 full-relay outbound peers > 8 + 1 extra',
      '4 block-relay-only peers > 2 + 1 extra',
      '2 feelers > 1',
    ]);
  });

  it('leave connections marked for disconnection out of the counts', () => {
    const conns = [...fullSet(), view(CT.OUTBOUND_FULL_RELAY, 20, 1), view(CT.OUTBOUND_FULL_RELAY, 21, 1, { disconnect: true })];
    expect(outboundLimitBreaches(conns, SLOTS)).toEqual([]);
  });

  it("read the node's own slots (a profile with -maxconnections=10 has no inbound slots)", () => {
    const small = computeSlots(10);
    expect(small.maxInbound).toBe(0);
    expect(inboundLimitBreaches([view(CT.INBOUND, 1, 1)], small).map((b) => b.detail)).toEqual(['1 inbound peers > 0 inbound slots']);
    const inbound = Array.from({ length: SLOTS.maxInbound }, (_, i) => view(CT.INBOUND, i % 200, i));
    expect(inboundLimitBreaches(inbound, SLOTS)).toEqual([]);
    expect(inboundLimitBreaches([...inbound, view(CT.INBOUND, 201, 1)], SLOTS)).toHaveLength(1);
    expect(inboundLimitBreaches([...inbound, view(CT.INBOUND, 201, 1, { disconnect: true })], SLOTS)).toEqual([]);
  });
});

describe('duplicate connections', () => {
  it('catch two outbound connections to one IP and two connections to one address and port', () => {
    const a = view(CT.OUTBOUND_FULL_RELAY, 1, 1);
    const b = { ...view(CT.FEELER, 1, 1), ipPort: '10.1.0.1:18333' };
    expect(duplicateBreaches([a, b]).map((x) => x.detail)).toEqual([`outbound peers ${a.id} and ${b.id} share IP 10.1.0.1`]);
    const c = view(CT.MANUAL, 1, 1);
    expect(duplicateBreaches([a, c]).map((x) => x.detail)).toEqual([`peers ${a.id} and ${c.id} are both 10.1.0.1:8333`]);
  });

  it('allow an inbound peer from an IP we also reach outbound, and by-name connections on another port', () => {
    const a = view(CT.OUTBOUND_FULL_RELAY, 1, 1);
    const inbound = view(CT.INBOUND, 1, 1);
    const inbound2 = { ...view(CT.INBOUND, 1, 1), ipPort: '10.1.0.1:50999' };
    const manual = { ...view(CT.MANUAL, 1, 1), ipPort: '10.1.0.1:18444' };
    expect(duplicateBreaches([a, inbound, inbound2, manual])).toEqual([]);
  });
});

describe('distinct outbound netgroups', () => {
  it('catch two automatic outbound peers in one netgroup, full-relay or block-relay', () => {
    const a = view(CT.OUTBOUND_FULL_RELAY, 7, 1);
    const b = view(CT.BLOCK_RELAY, 7, 2);
    expect(netgroupBreaches([a, b]).map((x) => x.detail)).toEqual([`outbound peers ${a.id} (10.7.0.1:8333) and ${b.id} (10.7.0.2:8333) share netgroup 010a07`]);
  });

  it("exempt feelers, manual and inbound peers, and Tor / I2P / CJDNS peers, as Core does", () => {
    const conns = [
      view(CT.OUTBOUND_FULL_RELAY, 7, 1),
      view(CT.FEELER, 7, 2),
      view(CT.MANUAL, 7, 3),
      view(CT.INBOUND, 7, 4),
      view(CT.ADDR_FETCH, 7, 5),
      { ...view(CT.OUTBOUND_FULL_RELAY, 9, 1), netgroupHex: '03', privacyNet: true },
      { ...view(CT.BLOCK_RELAY, 9, 2), netgroupHex: '03', privacyNet: true },
    ];
    expect(netgroupBreaches(conns)).toEqual([]);
  });
});

describe('the monitor on a live world', () => {
  let world: World;
  beforeAll(() => {
    world = new World({ seed: 5, nodes: 30, listeningShare: 0.5, startWindowMicros: seconds(10) });
    world.runUntil(minutes(30));
  });

  it('finds every invariant held on an honest run, checking AddrMan on a rotating subset', () => {
    const monitor = new InvariantMonitor(world, { addrmanChecksPerTick: 2 });
    monitor.checkNow();
    monitor.checkNow();
    const checks = monitor.violations();
    expect(checks.map((c) => c.name)).toEqual(INVARIANT_NAMES.map((n) => `invariant: ${n}`));
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(checks[0]!.detail).toBe('held in 60 node checks over 2 ticks');
    expect(checks[4]!.detail).toBe('held in 4 AddrMan consistency checks');
  });

  it('catches a duplicate connection planted in a node and reports the first breach once', () => {
    // A node with a full-relay peer; plant a second CNode to the same address (what a broken
    // AlreadyConnectedToAddress would let through), check, then take it out again.
    const wn = world.nodes.find((n) => n.connman?.getNodes().some((p) => p.connType === CT.OUTBOUND_FULL_RELAY && p.successfullyConnected))!;
    const c = wn.connman!;
    const orig = c.getNodes().find((p) => p.connType === CT.OUTBOUND_FULL_RELAY && p.successfullyConnected)!;
    const dup = new Node({
      id: 1_000_000,
      conn: -1,
      addr: orig.addr,
      addrBind: orig.addrBind,
      addrName: orig.addrName,
      connType: CT.OUTBOUND_FULL_RELAY,
      inboundOnion: false,
      keyedNetGroup: orig.keyedNetGroup,
      networkKey: orig.networkKey,
      localNonce: 0n,
      permissions: 0,
      preferEvict: false,
      connectedMicros: world.kernel.now(),
      grant: 'none',
    });
    const nodes = c.getNodes() as Node[];
    const monitor = new InvariantMonitor(world, { addrmanChecksPerTick: 0 });
    nodes.push(dup);
    try {
      monitor.checkNow();
      monitor.checkNow();
    } finally {
      nodes.splice(nodes.indexOf(dup), 1);
    }
    monitor.checkNow();
    const byName = new Map(monitor.violations().map((v) => [v.name, v]));
    const dupCheck = byName.get('invariant: no duplicate connections')!;
    expect(dupCheck.passed).toBe(false);
    expect(dupCheck.detail).toBe(
      `first broken at 30m (t=${minutes(30)} µs) on node ${wn.index}: peers ${orig.id} and 1000000 are both ${orig.addr.toStringAddrPort()}; 2 breaches in 90 checks`,
    );
    expect(byName.get('invariant: distinct outbound netgroups')!.passed).toBe(false);
    expect(byName.get('invariant: inbound limit')!.passed).toBe(true);
    expect(monitor.allHeld()).toBe(false);
  });

  it("catches a corrupted AddrMan (CheckAddrman's error code) on the node it reaches", () => {
    const c = world.nodes[4]!.connman!;
    const monitor = new InvariantMonitor(world);
    // Core's first test: vRandom holds nNew + nTried entries (-7 otherwise).
    c.addrman.nNew++;
    let before: boolean;
    try {
      // One AddrMan per tick, in index order: nodes 0-3 first, node 4 on the fifth tick.
      for (let i = 0; i < 4; i++) monitor.checkNow();
      before = monitor.violations()[4]!.passed;
      monitor.checkNow();
    } finally {
      c.addrman.nNew--;
    }
    expect(before).toBe(true);
    const check = monitor.violations().find((v) => v.name === 'invariant: addrman consistency')!;
    expect(check.passed).toBe(false);
    expect(check.detail).toBe(`first broken at 30m (t=${minutes(30)} µs) on node 4: CheckAddrman returned -7; 1 breach in 5 checks`);
    expect(c.addrman.checkAddrman()).toBe(0);
  });
});
