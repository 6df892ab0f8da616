// Core's test/functional/feature_anchors.py on the port: block-relay-only peers (and only they) are
// written to anchors.dat at shutdown; a corrupt anchors.dat is read as empty and deleted at start;
// an onion block-relay-only peer is written in addrv2 with the services it was added with (none),
// and a restart tries an anchor connection to it. The SOCKS5 proxy is a listener that accepts and
// never answers, as Core's Socks5Server with keep_alive and no destination.
import { describe, expect, it } from 'vitest';
import { serviceOrThrow, sha256d } from '../../connman/index.ts';
import { assertEqual, checkNodeConnections, P2P_SERVICES, P2PInterface, TestFramework } from '../index.ts';

const INBOUND_CONNECTIONS = 5;
const BLOCK_RELAY_CONNECTIONS = 2;
const ONION_ADDR = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333';
const ONION_PROXY = '127.0.0.1:11900';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('feature_anchors.py', () => {
  it('anchors.dat holds the block-relay-only peers, survives corruption, keeps addrv2 addresses', () => {
    const test = new TestFramework({ disableAutoconnect: false });
    const node = test.nodes[0]!;

    expect(node.datadir.exists('anchors.dat')).toBe(false); // A1
    for (let i = 0; i < BLOCK_RELAY_CONNECTIONS; i++) node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i, connectionType: 'block-relay-only' });
    for (let i = 0; i < INBOUND_CONNECTIONS; i++) node.addP2PConnection(new P2PInterface());
    checkNodeConnections(node, 5, 2); // A2, A3

    // 127.0.0.1; the peers differ by port only.
    const ip = '7f000001';
    const blockRelayPorts: string[] = [];
    const inboundPorts: string[] = [];
    for (const p of node.rpc.getpeerinfo()) {
      const port = Number(p.addr.split(':')[1]).toString(16);
      (p.connection_type === 'block-relay-only' ? blockRelayPorts : inboundPorts).push(port);
    }
    test.stopNode(0);

    // anchors.dat holds only the block-relay-only addresses.
    const anchors = node.datadir.read('anchors.dat')!;
    for (const port of blockRelayPorts) expect(hex(anchors)).toContain(ip + port); // A4 (two peers)
    for (const port of inboundPorts) expect(hex(anchors)).not.toContain(ip + port); // A5 (five peers)

    // A perturbed anchors.dat does not stop initialization.
    node.assertDebugLog(['0 block-relay-only anchors will be tried for connections.'], () => {
      const tweaked = new Uint8Array(anchors.length + 1);
      tweaked.set(anchors.subarray(0, 20), 0);
      tweaked[20] = '1'.charCodeAt(0);
      tweaked.set(anchors.subarray(20), 21);
      node.datadir.write('anchors.dat', tweaked);
      test.startNode(0);
    }); // A6
    expect(node.datadir.exists('anchors.dat')).toBe(false); // A7

    // addrv2: a 256-bit onion address through the -onion proxy.
    test.network.listenSink(serviceOrThrow(ONION_PROXY, 0));
    test.restartNode(0, [`-onion=${ONION_PROXY}`]);
    node.rpc.addconnection(ONION_ADDR, 'block-relay-only', false);
    node.assertDebugLog(['DumpAnchors: Flush 1 outbound block-relay-only peer addresses to anchors.dat'], () => test.stopNode(0)); // A8

    // TorV3 in addrv2: time(4) | services(1) | networkID(1) | address length(1) | address(32).
    const expectedPubkey = hex(serviceOrThrow(ONION_ADDR, 8333).getAddrBytes());
    const servicesIndex = 4 + 1 + 4 + 4; // network magic, vector length, version, nTime
    const data = node.datadir.read('anchors.dat')!;
    assertEqual(data[servicesIndex], 0x00); // A9: services == NONE
    expect(hex(data)).toContain(expectedPubkey); // A10

    // Give the address our required services (a node makes no anchor connection without them) and reseal.
    const body = data.slice(0, data.length - 32);
    body[servicesIndex] = P2P_SERVICES;
    const resealed = new Uint8Array(body.length + 32);
    resealed.set(body, 0);
    resealed.set(sha256d(body), body.length);
    node.datadir.write('anchors.dat', resealed);

    node.assertDebugLog([`Trying to make an anchor connection to ${ONION_ADDR}`], () => test.startNode(0, [`-onion=${ONION_PROXY}`]), { timeout: 2 }); // A11
  });
});
