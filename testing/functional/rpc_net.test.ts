// Core's test/functional/rpc_net.py on the port, its net and addrman parts: getconnectioncount,
// getpeerinfo (last block / transaction, addr and addrbind of both ends, services names,
// connection types, the object of a peer that sent no version), getnettotals, getnetworkinfo and
// setnetworkactive, addnode / getaddednodeinfo and their errors, service flags, getnodeaddresses,
// addpeeraddress on a deterministic AddrMan (a grinded tried collision), sendmsgtopeer,
// getaddrmaninfo and getrawaddrman's bucket positions. Not ported (testing/functional/README.md):
// minfeefilter (no fee filter), help's Result sections, a services field with bit 63 and a low bit.
import { describe, expect, it } from 'vitest';
import { NODE_NETWORK, NODE_WITNESS, NODE_NETWORK_LIMITED, NODE_BLOOM, NODE_COMPACT_FILTERS, NODE_P2P_V2, type PeerInfo } from '../../connman/index.ts';
import { assertApprox, assertEqual, assertRaisesRpcError, p2pPort, P2P_SERVICES, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const SERVICE_BITS: Readonly<Record<string, number>> = { NETWORK: NODE_NETWORK, BLOOM: NODE_BLOOM, WITNESS: NODE_WITNESS, COMPACT_FILTERS: NODE_COMPACT_FILTERS, NETWORK_LIMITED: NODE_NETWORK_LIMITED, P2P_V2: NODE_P2P_V2 };

/** Core's assert_net_servicesnames: the names decode to exactly the flags. */
function assertNetServicesnames(flags: number, names: readonly string[]): void {
  let generated = 0;
  for (const n of names) generated |= SERVICE_BITS[n]!;
  assertEqual(generated, flags);
}

/** Core's seed_addrman: 2 IPv4, 2 IPv6, 1 CJDNS, 2 onion and 1 I2P address (no collisions under -test=addrman). */
function seedAddrman(node: TestNode): void {
  const ok = { success: true };
  assertEqual(node.rpc.call('addpeeraddress', { address: '1.2.3.4', tried: true, port: 8333 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: '2.0.0.0', port: 8333 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: '1233:3432:2434:2343:3234:2345:6546:4534', tried: true, port: 8333 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: '2803:0:1234:abcd::1', port: 45324 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: 'fc00:1:2:3:4:5:6:7', port: 8333 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', tried: true, port: 8333 }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: 'nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion', port: 45324, tried: true }), ok);
  assertEqual(node.rpc.call('addpeeraddress', { address: 'c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p', port: 8333 }), ok);
}

describe('rpc_net.py (net and addrman parts)', () => {
  it('the network RPCs over two connected nodes', () => {
    const test = new TestFramework({
      numNodes: 2,
      // A proxy that does not work, so that nothing connects to a public address.
      extraArgs: [
        ['-minrelaytxfee=0.00001000', '-proxy=127.0.0.1:1'],
        ['-minrelaytxfee=0.00000500', '-proxy=127.0.0.1:1'],
      ],
    });
    const [n0, n1] = [test.nodes[0]!, test.nodes[1]!];
    // Setup connected node1 -> node0; now node0 -> node1 too.
    test.connectNodes(0, 1);

    // test_connection_count
    assertEqual(n0.rpc.getconnectioncount(), 2); // A1

    // test_getpeerinfo
    n0.ctx.peerman.tx.submitTx(1); // MiniWallet's send_self_transfer: a transaction in node0's mempool
    n1.generate(1);
    test.sleep(1); // let the transaction's trickle and the block reach the other node
    const timeNow = test.time();
    const peerInfo: PeerInfo[][] = test.nodes.map((n) => n.rpc.getpeerinfo());
    for (const node of [0, 1]) {
      for (const peer of [0, 1]) {
        for (const field of ['last_block', 'last_transaction'] as const) {
          expect(field in peerInfo[node]![peer]!).toBe(true); // A2 (eight times)
          if (peerInfo[node]![peer]![field] !== 0) assertApprox(peerInfo[node]![peer]![field], timeNow, 60); // A3
        }
      }
    }
    assertEqual(peerInfo[0]![0]!.addrbind, peerInfo[1]![0]!.addr); // A4
    assertEqual(peerInfo[1]![0]!.addrbind, peerInfo[0]![0]!.addr); // A5
    // A6, A7 (minfeefilter 0.00000500 / 0.00001000): not applicable, the port has no fee filter.
    for (const info of peerInfo) assertNetServicesnames(parseInt(info[0]!.services, 16), info[0]!.servicesnames); // A8
    assertEqual(peerInfo[0]![0]!.connection_type, 'inbound'); // A9
    assertEqual(peerInfo[0]![1]!.connection_type, 'manual'); // A10
    assertEqual(peerInfo[1]![0]!.connection_type, 'manual'); // A11
    assertEqual(peerInfo[1]![1]!.connection_type, 'inbound'); // A12
    // A13 (the networks list in getpeerinfo's help): not applicable, help has no Result section.

    // getpeerinfo of a peer that has not sent its version.
    const noVersionPeerId = 2;
    const noVersionPeerConntime = test.time();
    n0.setmocktime(noVersionPeerConntime);
    const before = n0.rpc.getpeerinfo().length;
    const noVersionPeer = n0.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false });
    test.waitUntil(() => n0.rpc.getpeerinfo().length === before + 1);
    n0.setmocktime(0);
    const pi = { ...n0.rpc.getpeerinfo()[noVersionPeerId]! } as Partial<PeerInfo>;
    delete pi.addr;
    delete pi.addrbind;
    delete pi.bytesrecv;
    delete pi.bytessent;
    expect(pi).toStrictEqual({
      addr_processed: 0,
      addr_rate_limited: 0,
      addr_relay_enabled: false,
      bip152_hb_from: false,
      bip152_hb_to: false,
      bytesrecv_per_msg: {},
      bytessent_per_msg: {},
      connection_type: 'inbound',
      conntime: noVersionPeerConntime,
      id: noVersionPeerId,
      inbound: true,
      inflight: [],
      last_block: 0,
      last_transaction: 0,
      lastrecv: 0,
      lastsend: 0,
      minfeefilter: 0,
      network: 'not_publicly_routable',
      permissions: [],
      presynced_headers: -1,
      relaytxes: false,
      inv_to_send: 0,
      last_inv_sequence: 0,
      services: '0000000000000000',
      servicesnames: [],
      session_id: '',
      subver: '',
      synced_blocks: -1,
      synced_headers: -1,
      timeoffset: 0,
      transport_protocol_type: 'v1',
      version: 0,
    }); // A14
    noVersionPeer.peerDisconnect();
    test.waitUntil(() => n0.rpc.getpeerinfo().length === 2);

    // test_getnettotals: a ping and its pong add at least 32 bytes each way per peer.
    const pingSize = 32;
    const totalsBefore = n0.rpc.getnettotals();
    const peersBefore = n0.rpc.getpeerinfo();
    n0.rpc.ping();
    test.waitUntil(() => n0.rpc.getnettotals().totalbytessent >= totalsBefore.totalbytessent + pingSize * 2, 1); // A15
    test.waitUntil(() => n0.rpc.getnettotals().totalbytesrecv >= totalsBefore.totalbytesrecv + pingSize * 2, 1); // A16
    for (const pb of peersBefore) {
      const after = (): PeerInfo => n0.rpc.getpeerinfo().find((p) => p.id === pb.id)!;
      test.waitUntil(() => (after().bytesrecv_per_msg['pong'] ?? 0) >= (pb.bytesrecv_per_msg['pong'] ?? 0) + pingSize, 1); // A17 (per peer)
      test.waitUntil(() => (after().bytessent_per_msg['ping'] ?? 0) >= (pb.bytessent_per_msg['ping'] ?? 0) + pingSize, 1); // A18 (per peer)
    }

    // test_getnetworkinfo
    let info = n0.rpc.getnetworkinfo();
    assertEqual(info.networkactive, true); // A19
    assertEqual(info.connections, 2); // A20
    assertEqual(info.connections_in, 1); // A21
    assertEqual(info.connections_out, 1); // A22
    n0.assertDebugLog(['SetNetworkActive: false\n'], () => n0.rpc.setnetworkactive(false)); // A23
    assertEqual(n0.rpc.getnetworkinfo().networkactive, false); // A24
    for (const n of test.nodes) test.waitUntil(() => n.rpc.getnetworkinfo().connections === 0, 3); // A25 (both nodes)
    n0.assertDebugLog(['SetNetworkActive: true\n'], () => n0.rpc.setnetworkactive(true)); // A26
    test.connectNodes(0, 1);
    test.connectNodes(1, 0);
    info = n0.rpc.getnetworkinfo();
    assertEqual(info.networkactive, true); // A27
    assertEqual(info.connections, 2); // A28
    assertEqual(info.connections_in, 1); // A29
    assertEqual(info.connections_out, 1); // A30
    for (const ni of test.nodes.map((n) => n.rpc.getnetworkinfo())) assertNetServicesnames(parseInt(ni.localservices, 16), ni.localservicesnames); // A31
    // A32 (the networks list in getnetworkinfo's help): not applicable, help has no Result section.

    // test_addnode_getaddednodeinfo
    assertEqual(n0.rpc.getaddednodeinfo(), []); // A33
    const ipPort = `127.0.0.1:${p2pPort(2)}`;
    n0.rpc.addnode(ipPort, 'add');
    assertRaisesRpcError(-23, 'Node already added', () => n0.rpc.call('addnode', { node: `127.1:${p2pPort(2)}`, command: 'add' })); // A34
    let addedNodes = n0.rpc.getaddednodeinfo();
    assertEqual(addedNodes.length, 1); // A35
    assertEqual(addedNodes[0]!.addednode, ipPort); // A36
    n0.rpc.addnode('11.22.33.44', 'add');
    assertEqual(n0.rpc.getaddednodeinfo(ipPort), addedNodes); // A37
    assertEqual(n0.rpc.getaddednodeinfo().length, 2); // A38
    assertRaisesRpcError(-23, 'Node already added', () => n0.rpc.call('addnode', { node: ipPort, command: 'add' })); // A39
    n0.rpc.addnode(ipPort, 'remove');
    addedNodes = n0.rpc.getaddednodeinfo();
    assertEqual(addedNodes.length, 1); // A40
    assertEqual(addedNodes[0]!.addednode, '11.22.33.44'); // A41
    assertRaisesRpcError(-1, 'addnode "node" "command"', () => n0.rpc.call('addnode', { node: ipPort, command: 'abc' })); // A42
    for (const command of ['add', 'remove', 'onetry']) {
      assertRaisesRpcError(-8, 'Node address cannot be empty', () => n0.rpc.call('addnode', { node: '', command })); // A43 (three commands)
      assertRaisesRpcError(-8, 'Node address cannot be empty', () => n0.rpc.call('addnode', { node: ' ', command })); // A44 (three commands)
    }
    assertEqual(n0.rpc.getaddednodeinfo().length, 1); // A45
    assertRaisesRpcError(-24, 'Node could not be removed', () => n0.rpc.call('addnode', { node: ipPort, command: 'remove' })); // A46
    assertRaisesRpcError(-24, 'Node has not been added', () => n0.rpc.getaddednodeinfo('1.1.1.1')); // A47

    // test_service_flags (A48, ['UNKNOWN[2^4]', 'UNKNOWN[2^63]']): not applicable, service flags are
    // JS numbers here and 2^63 + 2^4 is not one (connman/PORTING.md); the low flag alone is shown.
    n0.addP2PConnection(new P2PInterface(), { services: 1 << 4 });
    assertEqual(n0.rpc.getpeerinfo().at(-1)!.servicesnames, ['UNKNOWN[2^4]']);
    n0.disconnectP2Ps();

    // test_getnodeaddresses
    n0.addP2PConnection(new P2PInterface());
    const ipv6Addr = '1233:3432:2434:2343:3234:2345:6546:4534';
    n0.rpc.call('addpeeraddress', { address: ipv6Addr, port: 8333 });
    const imported = new Set<string>();
    for (let i = 0; i < 10000; i++) {
      const a = `${i >> 8}.${i % 256}.1.1`;
      imported.add(a);
      n0.rpc.addpeeraddress(a, 8333);
    }
    assertEqual(n0.rpc.getnodeaddresses().length, 1); // A49
    assertEqual(n0.rpc.getnodeaddresses(2).length, 2); // A50
    assertEqual(n0.rpc.getnodeaddresses(8, 'ipv4').length, 8); // A51
    const nodeAddresses = n0.rpc.getnodeaddresses(0, 'ipv4');
    expect(nodeAddresses.length).toBeGreaterThan(5000); // A52
    expect(10000).toBeGreaterThan(nodeAddresses.length); // A53
    for (const a of nodeAddresses) {
      expect(a.time).toBeGreaterThan(1527811200); // A54
      assertEqual(a.services, P2P_SERVICES); // A55
      expect(imported.has(a.address)).toBe(true); // A56
      assertEqual(a.port, 8333); // A57
      assertEqual(a.network, 'ipv4'); // A58
    }
    const res = n0.rpc.getnodeaddresses(0, 'ipv6');
    assertEqual(res.length, 1); // A59
    assertEqual(res[0]!.address, ipv6Addr); // A60
    assertEqual(res[0]!.network, 'ipv6'); // A61
    assertEqual(res[0]!.port, 8333); // A62
    assertEqual(res[0]!.services, P2P_SERVICES); // A63
    for (const network of ['onion', 'i2p', 'cjdns']) assertEqual(n0.rpc.getnodeaddresses(0, network), []); // A64 (three networks)
    assertRaisesRpcError(-8, 'Address count out of range', () => n0.rpc.getnodeaddresses(-1)); // A65
    assertRaisesRpcError(-8, 'Network not recognized: Foo', () => n0.rpc.getnodeaddresses(1, 'Foo')); // A66

    // test_addpeeraddress: a deterministic AddrMan (-test=addrman), checked after every change.
    test.restartNode(1, ['-checkaddrman=1', '-test=addrman'], { clearAddrman: true });
    expect(n1.rpc.help()).not.toContain('addpeeraddress'); // A67: a hidden RPC
    expect(n1.rpc.help('addpeeraddress')).not.toContain('unknown command: addpeeraddress'); // A68
    assertRaisesRpcError(-30, 'Invalid IP address', () => n1.rpc.call('addpeeraddress', { address: '', port: 8333 })); // A69
    assertEqual(n1.rpc.getnodeaddresses(0), []); // A70
    assertRaisesRpcError(-30, 'Invalid IP address', () => n1.rpc.call('addpeeraddress', { address: 'not_an_ip', port: 8333 })); // A71
    assertRaisesRpcError(-3, 'JSON value of type string is not of expected type bool', () => n0.rpc.call('addpeeraddress', { address: '1.2.3.4', tried: 'True', port: 1234 })); // A72
    assertRaisesRpcError(-1, 'JSON integer out of range', () => n0.rpc.call('addpeeraddress', { address: '1.2.3.4', port: -1 })); // A73
    assertRaisesRpcError(-1, 'JSON integer out of range', () => n0.rpc.call('addpeeraddress', { address: '1.2.3.4', port: 65536 })); // A74
    assertEqual(n1.rpc.call('addpeeraddress', { address: '1.0.0.0', tried: false, port: 8333 }), { success: true }); // A75
    let addrman = n1.rpc.getrawaddrman();
    assertEqual(Object.keys(addrman.tried).length, 0); // A76
    const newTable = Object.values(addrman.new);
    assertEqual(newTable.length, 1); // A77
    assertEqual(newTable[0]!.address, '1.0.0.0'); // A78
    assertEqual(newTable[0]!.port, 8333); // A79
    for (const tried of [true, false]) assertEqual(n1.rpc.call('addpeeraddress', { address: '1.0.0.0', tried, port: 8333 }), { success: false, error: 'failed-adding-to-new' }); // A80 (twice)
    assertEqual(n1.rpc.getnodeaddresses(0).length, 1); // A81
    assertEqual(n1.rpc.call('addpeeraddress', { address: '1.2.3.4', tried: true, port: 8333 }), { success: true }); // A82
    addrman = n1.rpc.getrawaddrman();
    assertEqual(Object.keys(addrman.new).length, 1); // A83
    const triedTable = Object.values(addrman.tried);
    assertEqual(triedTable.length, 1); // A84
    assertEqual(triedTable[0]!.address, '1.2.3.4'); // A85
    assertEqual(triedTable[0]!.port, 8333); // A86
    n1.rpc.getnodeaddresses(0); // re-runs the AddrMan checks
    for (const tried of [true, false]) assertEqual(n1.rpc.call('addpeeraddress', { address: '1.2.3.4', tried, port: 8333 }), { success: false, error: 'failed-adding-to-new' }); // A87 (twice)
    assertEqual(n1.rpc.getnodeaddresses(0).length, 2); // A88
    // A grinded address whose tried slot collides: it stays in the new table.
    assertEqual(n1.rpc.call('addpeeraddress', { address: '1.2.5.45', tried: true, port: 8333 }), { success: false, error: 'failed-adding-to-tried' }); // A89
    let addrmanInfo = n1.rpc.getaddrmaninfo();
    assertEqual(addrmanInfo['all_networks']!.tried, 1); // A90
    assertEqual(addrmanInfo['all_networks']!.new, 2); // A91
    assertEqual(n1.rpc.call('addpeeraddress', { address: '2.0.0.0', port: 8333 }), { success: true }); // A92
    addrmanInfo = n1.rpc.getaddrmaninfo();
    assertEqual(addrmanInfo['all_networks']!.tried, 1); // A93
    assertEqual(addrmanInfo['all_networks']!.new, 3); // A94
    n1.rpc.getnodeaddresses(0);

    // test_sendmsgtopeer
    test.restartNode(0);
    test.connectNodes(0, 1);
    const pongBefore = n0.rpc.getpeerinfo()[0]!.bytesrecv_per_msg['pong']!;
    n1.assertDebugLog(['received: addr'], () => {
      n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'addr', msg: 'FFFFFF' });
      n0.rpc.ping();
      test.waitUntil(() => n0.rpc.getpeerinfo()[0]!.bytesrecv_per_msg['pong']! > pongBefore);
    }); // A95
    assertRaisesRpcError(-1, 'Error: Could not send message to peer', () => n0.rpc.call('sendmsgtopeer', { peer_id: 100, msg_type: 'addr', msg: 'FF' })); // A96
    n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'addr', msg: '' }); // A97: a zero-length type is allowed
    assertRaisesRpcError(-8, 'Error: msg_type too long, max length is 12', () => n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'long_msg_type', msg: 'FF' })); // A98
    n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'unknown', msg: 'FF' }); // A99
    n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'addr', msg: 'FF' }); // A100
    // An oversized message is sent, and costs us the connection.
    n0.rpc.call('sendmsgtopeer', { peer_id: 0, msg_type: 'addr', msg: '00'.repeat(4000001) });
    test.waitUntil(() => n0.rpc.getpeerinfo().length === 0, 10); // A101

    // test_getaddrmaninfo
    test.restartNode(1, ['-cjdnsreachable', '-test=addrman'], { clearAddrman: true });
    seedAddrman(n1); // A102 (eight additions)
    const expectedNetworkCount: Record<string, { new: number; tried: number; total: number }> = {
      all_networks: { new: 4, tried: 4, total: 8 },
      ipv4: { new: 1, tried: 1, total: 2 },
      ipv6: { new: 1, tried: 1, total: 2 },
      onion: { new: 0, tried: 2, total: 2 },
      i2p: { new: 1, tried: 0, total: 1 },
      cjdns: { new: 1, tried: 0, total: 1 },
    };
    const got = n1.rpc.getaddrmaninfo();
    for (const [network, count] of Object.entries(expectedNetworkCount)) {
      assertEqual(got[network]!.new, count.new); // A103 (six networks)
      assertEqual(got[network]!.tried, count.tried); // A104
      assertEqual(got[network]!.total, count.total); // A105
    }

    // test_getrawaddrman
    test.restartNode(1, ['-cjdnsreachable', '-test=addrman'], { clearAddrman: true });
    const addrTime = test.time();
    n1.setmocktime(addrTime);
    seedAddrman(n1);
    expect(n1.rpc.help()).not.toContain('getrawaddrman'); // A106: a hidden RPC
    expect(n1.rpc.help('getrawaddrman')).not.toContain('unknown command: getrawaddrman'); // A107
    type Expected = { bucket_position: string; address: string; port: number; services: number; network: string; source: string; source_network: string };
    const same = (a: string, port: number, network: string, bucketPosition: string): Expected => ({ bucket_position: bucketPosition, address: a, port, services: 9, network, source: a, source_network: network });
    const expected: Record<'new' | 'tried', Expected[]> = {
      new: [
        same('2.0.0.0', 8333, 'ipv4', '82/8'),
        same('fc00:1:2:3:4:5:6:7', 8333, 'cjdns', '336/24'),
        same('c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p', 8333, 'i2p', '963/46'),
        same('2803:0:1234:abcd::1', 45324, 'ipv6', '613/6'),
      ],
      tried: [
        same('1.2.3.4', 8333, 'ipv4', '6/33'),
        same('1233:3432:2434:2343:3234:2345:6546:4534', 8333, 'ipv6', '197/34'),
        same('pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion', 8333, 'onion', '72/61'),
        same('nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion', 45324, 'onion', '139/46'),
      ],
    };
    const raw = n1.rpc.getrawaddrman();
    const ami = n1.rpc.getaddrmaninfo();
    for (const table of ['new', 'tried'] as const) {
      assertEqual(Object.keys(raw[table]).length, expected[table].length); // A108 (two tables)
      assertEqual(Object.keys(raw[table]).length, ami['all_networks']![table]); // A109 (two tables)
      for (const [bucketPosition, entry] of Object.entries(raw[table])) {
        const e = expected[table].find((x) => x.address === entry.address)!;
        assertEqual(bucketPosition, e.bucket_position); // A110 (eight entries)
        assertEqual(entry.address, e.address); // A111
        assertEqual(entry.port, e.port); // A112
        assertEqual(entry.services, e.services); // A113
        assertEqual(entry.network, e.network); // A114
        assertEqual(entry.source, e.source); // A115
        assertEqual(entry.source_network, e.source_network); // A116
        assertEqual(entry.time, addrTime); // A117
      }
    }
  });
});
