// The RPC-shaped views of a node: a small World's node after two simulated minutes for the
// cross-checks between the views (getpeerinfo's own rules are tested in connman/rpc/net.test.ts).
import { describe, expect, it } from 'vitest';

import { minutes } from '../../sim/index.ts';
import { CONNECTION_TYPE_STRINGS, inspectNode } from './inspect.ts';
import { World } from '../world/world.ts';

describe('inspectNode on a running world', () => {
  it('the three views agree with each other and with the Connman', () => {
    const world = new World({ seed: 'inspect', nodes: 6, listeningShare: 0.6 });
    world.runUntil(minutes(2));
    const node = world.nodes.find((n) => n.connman !== undefined && n.connman.getNodeCount() > 0)!;
    const cm = node.connman!;
    const out = inspectNode(node.context!, { rawAddrman: true });
    expect(Object.keys(out)).toEqual(['peers', 'addrman', 'netinfo', 'rawaddrman']);
    expect(out.peers.length).toBe(cm.getNodeCount());
    expect(out.peers.length).toBeGreaterThan(0);
    for (const p of out.peers) expect(CONNECTION_TYPE_STRINGS).toContain(p.connection_type);
    expect(out.peers.map((p) => p.id)).toEqual([...out.peers.map((p) => p.id)].sort((a, b) => a - b));
    const n = out.netinfo;
    expect(n.connections).toBe(out.peers.length);
    expect(n.connections_in).toBe(out.peers.filter((p) => p.inbound).length);
    expect(n.connections_in + n.connections_out).toBe(n.connections);
    expect(Object.values(n.connections_by_type).reduce((a, b) => a + b, 0)).toBe(n.connections);
    expect(Object.values(n.connections_by_network).reduce((a, b) => a + b.total, 0)).toBe(n.connections);
    expect(n.networkactive).toBe(true);
    expect(n.totalbytessent).toBe(cm.getTotalBytesSent());
    expect(n.totalbytesrecv).toBeGreaterThan(0);
    expect(out.addrman.all_networks!.total).toBe(cm.addrman.size());
    const raw = out.rawaddrman!;
    // A new-table entry may sit in several buckets (up to ADDRMAN_NEW_BUCKETS_PER_ADDRESS), and the dump lists each position.
    expect(Object.keys(raw.new).length).toBeGreaterThanOrEqual(out.addrman.all_networks!.new);
    expect(Object.keys(raw.tried).length).toBe(out.addrman.all_networks!.tried);
    expect(Object.keys(raw.new).every((k) => /^\d+\/\d+$/.test(k))).toBe(true);
    // Without the flag there is no raw dump.
    expect(inspectNode(node.context!).rawaddrman).toBeUndefined();
  });
});
