import { describe, expect, it } from 'vitest';
import { AddedNodes, type AddedNodeConn } from './added-nodes.ts';
import { NET_CJDNS, NET_IPV4, NET_IPV6, NET_ONION, serviceOrThrow } from '../protocol/netaddress.ts';

// Core: src/test/net_peer_connection_tests.cpp test_addnode_getaddednodeinfo_and_connection_detection
describe('added nodes (test vectors §9)', () => {
  const reachable = new Set([NET_IPV4, NET_IPV6, NET_ONION, NET_CJDNS]);
  const peers: AddedNodeConn[] = [
    { addr: serviceOrThrow('127.0.0.1:8333', 8333), addrName: '127.0.0.1:8333', inbound: false },
    { addr: serviceOrThrow('93.184.216.34:8333', 8333), addrName: '93.184.216.34:8333', inbound: false },
    {
      addr: serviceOrThrow('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333', 8333),
      addrName: 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333',
      inbound: false,
    },
    { addr: serviceOrThrow('5.6.7.8:40000', 8333), addrName: '5.6.7.8:40000', inbound: true },
    {
      addr: serviceOrThrow('[fc00:3344:5566:7788:9900:aabb:ccdd:eeff]:1234', 8333),
      addrName: '[fc00:3344:5566:7788:9900:aabb:ccdd:eeff]:1234',
      inbound: true,
    },
  ];

  it('adds every peer by ip:port, rejects strings resolving to an existing entry', () => {
    const a = new AddedNodes(8333, reachable);
    for (const p of peers) expect(a.addNode({ addedNode: p.addr.toStringAddrPort(), useV2Transport: false })).toBe(true);
    expect(a.addNode({ addedNode: '127.0.0.1', useV2Transport: false })).toBe(false);
    expect(a.addNode({ addedNode: '127.1', useV2Transport: false })).toBe(false);
    expect(a.addNode({ addedNode: '127.0.0.1:8333', useV2Transport: true })).toBe(false);
    // CJDNS entries are flipped before matching, so they count as connected.
    const flipped = peers.map((p) => ({ ...p, addr: p.addr.isIPv6() && p.addr.addr[0] === 0xfc ? flipToCjdns(p.addr) : p.addr }));
    expect(a.getAddedNodeInfo(true, flipped).length).toBe(5);
    expect(a.getAddedNodeInfo(true, flipped).every((i) => i.connected)).toBe(true);
    expect(a.getAddedNodeInfo(false, flipped)).toEqual([]);
    for (const p of peers) expect(a.addedNodesContain(p.addr)).toBe(true);
    expect(a.addedNodesContain(serviceOrThrow('8.8.8.8:8333', 8333))).toBe(false);
    expect(a.getAddedNodeInfo(true, flipped).filter((i) => i.inbound).length).toBe(2);
  });

  it('AddedNodesContain matches "ip" or "ip:port" and stops answering at 24 entries', () => {
    const a = new AddedNodes(8333, reachable);
    a.addNode({ addedNode: '1.2.3.4', useV2Transport: false });
    expect(a.addedNodesContain(serviceOrThrow('1.2.3.4:9999', 8333))).toBe(true);
    for (let i = 0; i < 23; i++) a.addNode({ addedNode: `9.9.9.${i}`, useV2Transport: false });
    expect(a.list.length).toBe(24);
    expect(a.addedNodesContain(serviceOrThrow('1.2.3.4:9999', 8333))).toBe(false);
  });

  it('startup -addnode values keep duplicates; removal is by exact string', () => {
    const a = new AddedNodes(8333, reachable);
    a.initFrom(['1.2.3.4', '1.2.3.4', '', '1.2.3.4:8333'], false);
    expect(a.list.map((p) => p.addedNode)).toEqual(['1.2.3.4', '1.2.3.4', '1.2.3.4:8333']);
    expect(a.removeAddedNode('1.2.3.4:8333')).toBe(true);
    expect(a.removeAddedNode('1.2.3.5')).toBe(false);
    expect(a.getAddedNodeInfo(true, []).map((i) => i.connected)).toEqual([false, false]);
  });
});

import { maybeFlipServiceToCJDNS } from '../protocol/netbase.ts';
import type { Service } from '../protocol/netaddress.ts';
function flipToCjdns(s: Service): Service {
  return maybeFlipServiceToCJDNS(s, new Set([NET_CJDNS]));
}
