// The RPC-shaped views of a node: a hand-made NodeStats against Core's getpeerinfo rules, and a
// small World's node after ten simulated minutes for the cross-checks between the views.
import { describe, expect, it } from 'vitest';

import type { NodeStats } from '../../connman/net/connman.ts';
import { Network } from '../../connman/protocol/netaddress.ts';
import { NetPermissionFlags } from '../../connman/protocol/net-permissions.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import { minutes } from '../../sim/index.ts';
import { CONNECTION_TYPE_STRINGS, inspectConnman, peerInfoJson } from './inspect.ts';
import { World } from '../world/world.ts';

function stats(over: Partial<NodeStats> = {}): NodeStats {
  return {
    nodeid: 7,
    addr: '1.2.3.4:8333',
    addrBind: '5.6.7.8:8333',
    addrLocal: '',
    connType: 'outbound-full-relay',
    network: Network.NET_IPV4,
    inbound: false,
    services: NODE_NETWORK | NODE_WITNESS,
    relayTxs: true,
    version: 70016,
    subver: '/Satoshi:27.0.0/',
    startingHeight: 0,
    conntimeSeconds: 1700000000,
    lastSendSeconds: 1700000010,
    lastRecvSeconds: 1700000011,
    lastBlockSeconds: 0,
    lastTxSeconds: 0,
    pingTimeMicros: 0,
    minPingMicros: Number.POSITIVE_INFINITY,
    pingWaitMicros: null,
    bytesSent: 100,
    bytesRecv: 200,
    bytesSentPerMsg: new Map([
      ['version', 126],
      ['verack', 24],
      ['addr', 0],
    ]),
    bytesRecvPerMsg: new Map([['version', 126]]),
    keyedNetGroup: 0n,
    mappedAs: 0,
    permissions: 0,
    successfullyConnected: true,
    addrRelayEnabled: true,
    addrProcessed: 3,
    addrRateLimited: 1,
    ...over,
  };
}

describe('peerInfoJson (Core rpc/net.cpp getpeerinfo)', () => {
  it("keeps Core's key order and leaves out unset optional fields", () => {
    const j = peerInfoJson(stats());
    expect(Object.keys(j)).toEqual([
      'id', 'addr', 'addrbind', 'network', 'services', 'servicesnames', 'relaytxes', 'lastsend', 'lastrecv',
      'last_transaction', 'last_block', 'bytessent', 'bytesrecv', 'conntime', 'version', 'subver', 'inbound',
      'addr_relay_enabled', 'addr_processed', 'addr_rate_limited', 'permissions', 'bytessent_per_msg',
      'bytesrecv_per_msg', 'connection_type', 'transport_protocol_type', 'session_id',
    ]);
    expect(j.services).toBe('0000000000000009');
    expect(j.servicesnames).toEqual(['NETWORK', 'WITNESS']);
    expect(j.network).toBe('ipv4');
    // Zero counts are dropped and the keys come in std::map order.
    expect(Object.keys(j.bytessent_per_msg)).toEqual(['verack', 'version']);
    expect(j.transport_protocol_type).toBe('v1');
  });

  it('prints pings in seconds, mapped_as, addrlocal and permissions only when set', () => {
    const j = peerInfoJson(
      stats({ pingTimeMicros: 120_000, minPingMicros: 80_000, pingWaitMicros: 2_500_000, mappedAs: 13335, addrLocal: '9.9.9.9:8333', permissions: NetPermissionFlags.NoBan, inbound: true, connType: 'inbound' }),
    );
    expect(j.pingtime).toBe(0.12);
    expect(j.minping).toBe(0.08);
    expect(j.pingwait).toBe(2.5);
    expect(j.mapped_as).toBe(13335);
    expect(j.addrlocal).toBe('9.9.9.9:8333');
    expect(j.permissions).toEqual(['noban', 'download']);
    expect(Object.keys(j).indexOf('mapped_as')).toBe(Object.keys(j).indexOf('network') + 1);
    expect(peerInfoJson(stats({ pingWaitMicros: 0 })).pingwait).toBeUndefined();
  });
});

describe('inspectConnman on a running world', () => {
  it('the three views agree with each other and with the Connman', () => {
    const world = new World({ seed: 'inspect', nodes: 6, listeningShare: 0.6 });
    world.runUntil(minutes(2));
    const node = world.nodes.find((n) => n.connman !== undefined && n.connman.getNodeCount() > 0)!;
    const cm = node.connman!;
    const out = inspectConnman(cm, { rawAddrman: true });
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
    expect(inspectConnman(cm).rawaddrman).toBeUndefined();
  });
});
