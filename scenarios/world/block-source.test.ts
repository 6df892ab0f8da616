// A small simulated network with blocks (scenarios/world/block-source.ts over connman/net_processing/blocks.ts):
// blocks spread from the one fed node to all; a stalled chain makes nodes detect a stale tip and
// open an extra full-relay outbound peer, which EvictExtraOutboundPeers takes away again; the
// same world twice gives the same digest.
import { describe, expect, it } from 'vitest';
import { ConnectionType } from '../../connman/protocol/connection-types.ts';
import { hours, minutes } from '../../sim/index.ts';
import { BlockSource } from './block-source.ts';
import { World } from './world.ts';

function build(seed: number, nodes = 30): { world: World; source: BlockSource } {
  const world = new World({ seed, nodes, listeningShare: 0.6, blocks: true, keepEventLog: true });
  const source = new BlockSource(world);
  return { world, source };
}

function fullOutbound(world: World, i: number): number {
  return world.nodes[i]!.connman!.getNodes().filter((n) => n.connType === ConnectionType.OUTBOUND_FULL_RELAY && !n.disconnect).length;
}

describe('blocks over a simulated network', () => {
  it('a stalled tip brings an extra outbound peer; after blocks resume the extra peers are evicted', () => {
    const { world, source } = build(5);
    // Live full-relay outbound count per node, and its maximum while the chain is stalled.
    const live = new Map<number, number>();
    const maxInStall = new Map<number, number>();
    let stalled = false;
    world.events.listen((node, e) => {
      if (e.kind === 'handshake-complete' && e.connType === ConnectionType.OUTBOUND_FULL_RELAY) live.set(node, (live.get(node) ?? 0) + 1);
      else if (e.kind === 'connection-closed' && e.connType === ConnectionType.OUTBOUND_FULL_RELAY && e.reason !== 'version-handshake-timeout') {
        // Closes of connections that never completed the handshake are not counted (see below).
        live.set(node, (live.get(node) ?? 0) - 1);
      }
      if (stalled) maxInStall.set(node, Math.max(maxInStall.get(node) ?? 0, live.get(node) ?? 0));
    });
    source.start();
    world.runUntil(hours(1));
    const h1 = source.tip().height;
    expect(h1).toBeGreaterThan(0);
    // Every node follows the fed node's chain.
    world.runFor(minutes(1));
    for (const n of world.nodes) expect(n.context!.blocks!.bestHeight()).toBe(source.tip().height);

    const stallAt = world.kernel.now();
    source.stall();
    stalled = true;
    world.runFor(hours(1));
    stalled = false;
    const stale = world.events.find((r) => r.event.kind === 'stale-tip' && r.time > stallAt);
    const staleNodes = new Set(stale.map((r) => r.node));
    expect(staleNodes.size).toBe(world.nodes.length);
    const extraEvictions = world.events.find((r) => r.event.kind === 'connection-closed' && r.event.reason === 'extra-outbound-evicted' && r.time > stallAt);
    expect(extraEvictions.length).toBeGreaterThan(0);
    // An extra (9th) full-relay peer was actually opened during the stall, on every node that had
    // somewhere to open it: in a world this small a listener ends up connected (in or out) to
    // nearly every other listener, and Core refuses an address it is already connected to
    // (AlreadyConnectedToAddress) or whose netgroup an outbound peer holds.
    expect(Math.max(...maxInStall.values())).toBe(9);
    for (const n of world.nodes) {
      if (maxInStall.get(n.index) === 9) continue;
      const cm = n.connman!;
      const connectedIps = new Set(cm.getNodes().map((p) => p.addr.toStringAddr()));
      const outboundGroups = new Set(cm.getNodes().filter((p) => !p.isInbound()).map((p) => cm.netgroupman.getGroup(p.addr).join(',')));
      const open = cm.addrman
        .getAddr(0, 0, null, false)
        .filter((a) => a.toStringAddr() !== n.service.toStringAddr() && !connectedIps.has(a.toStringAddr()) && !outboundGroups.has(cm.netgroupman.getGroup(a).join(',')));
      expect(open.map((a) => a.toStringAddr())).toEqual([]);
    }

    const resumeAt = world.kernel.now();
    source.start();
    world.runFor(hours(1));
    // Blocks flow again: no node sees a stale tip once it has caught up (blocks at 10-min mean,
    // a 30-min gap may still happen by chance, so only the last 20 minutes are checked against the flag).
    world.runFor(minutes(20));
    for (const n of world.nodes) {
      expect(n.context!.blocks!.bestHeight()).toBe(source.tip().height);
      expect(fullOutbound(world, n.index)).toBeLessThanOrEqual(8);
      expect(n.connman!.getTryNewOutboundPeer()).toBe(false);
    }
    // No stale tip was reported in the last 20 minutes.
    expect(world.events.find((r) => r.event.kind === 'stale-tip' && r.time > resumeAt + hours(1)).length).toBe(0);
    // Nobody was dropped for a lagging chain: every peer relays the one chain.
    expect(world.events.find((r) => r.event.kind === 'connection-closed' && r.event.reason === 'outbound-eviction-chain-sync').length).toBe(0);
  });

  it('determinism: the same world twice gives the same digest, another seed another', () => {
    const run = (seed: number): string => {
      const { world, source } = build(seed);
      source.start();
      world.runUntil(hours(1));
      source.stall();
      world.runFor(minutes(45));
      source.start();
      world.runFor(minutes(30));
      return world.digest();
    };
    const a = run(7);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });
});
