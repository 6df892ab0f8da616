// Core's test/functional/p2p_connection_limits.py on the port: -maxconnections=13 leaves 2 inbound
// slots, one of which may relay transactions (-inboundrelaypercent=50); a tx-relaying newcomer
// evicts a tx-relaying peer or is dropped, a full node drops the newcomer when nobody is evictable,
// filterload turns a block-relay peer into a tx-relaying one (and may drop it), and
// EvictTxPeerIfFull evicts only tx-relaying peers. A1… are the rows of README.md's table.
import { describe, expect, it } from 'vitest';
import { filterLoadMessage, NODE_WITNESS, NODE_NETWORK } from '../../connman/index.ts';
import { msgVersion, P2P_SUBVERSION, P2P_VERSION, P2PInterface, TestFramework } from '../index.ts';

const P2P_SERVICES = NODE_NETWORK | NODE_WITNESS;

describe('p2p_connection_limits.py', () => {
  it('inbound slots, the tx-relay cap, filterload and EvictTxPeerIfFull', () => {
    const test = new TestFramework({ extraArgs: [['-maxconnections=13']] });
    let node = test.nodes[0]!;
    const blocksOnlyVersion = () => msgVersion({ version: P2P_VERSION, userAgent: P2P_SUBVERSION, services: P2P_SERVICES, relay: false, timeSeconds: test.time(), nonce: test.nonce() });
    const noServicesBlocksOnlyVersion = () => msgVersion({ version: P2P_VERSION, userAgent: P2P_SUBVERSION, services: 0, relay: false, timeSeconds: test.time(), nonce: test.nonce() });
    const peerCount = () => node.rpc.getpeerinfo().length;

    // Test with 2 inbound slots, one of which allows tx-relay.
    node.addP2PConnection(new P2PInterface());
    // Connect a full-relay inbound peer - test that eviction is triggered.
    node.assertDebugLog(['failed to find a tx-relaying eviction candidate - connection dropped'], () => node.addP2PConnection(new P2PInterface(), { expectSuccess: false, waitForVerack: false }), { timeout: 2 }); // A1
    test.waitUntil(() => peerCount() === 1); // A2
    node.disconnectP2Ps();

    // Connect a block-relay inbound peer - test that second full relay peer is accepted.
    let peer1 = node.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false });
    peer1.sendWithoutPing(blocksOnlyVersion());
    peer1.waitForVerack();
    node.addP2PConnection(new P2PInterface());
    test.waitUntil(() => peerCount() === 2); // A3

    // Connecting another full-relay peer triggers non-specific eviction.
    node.assertDebugLog(['failed to find an eviction candidate - connection dropped (full)'], () => node.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false, expectSuccess: false }), { timeout: 2 }); // A4
    test.waitUntil(() => peerCount() === 2); // A5

    // Run with bloom filter support and check that a switch to tx relay during runtime can trigger eviction.
    test.restartNode(0, ['-maxconnections=13', '-peerbloomfilters']);
    node = test.nodes[0]!;
    peer1 = node.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false });
    peer1.sendWithoutPing(blocksOnlyVersion());
    peer1.waitForVerack();
    node.addP2PConnection(new P2PInterface());
    test.waitUntil(() => peerCount() === 2); // A6
    node.assertDebugLog(['connection dropped after filterload message'], () => peer1.sendWithoutPing(filterLoadMessage(100)), { timeout: 2 }); // A7
    test.waitUntil(() => peerCount() === 1); // A8

    // Test different values of inboundrelaypercent.
    test.restartNode(0, ['-maxconnections=13', '-inboundrelaypercent=0']);
    node.assertDebugLog(['failed to find a tx-relaying eviction candidate - connection dropped'], () => node.addP2PConnection(new P2PInterface(), { expectSuccess: false, waitForVerack: false }), { timeout: 2 }); // A9
    test.restartNode(0, ['-maxconnections=13', '-inboundrelaypercent=100']);
    node.addP2PConnection(new P2PInterface());
    node.addP2PConnection(new P2PInterface());
    test.waitUntil(() => peerCount() === 2); // A10

    // Test that EvictTxPeerIfFull only evicts tx-relaying peers.
    const NUM_BLOCK_RELAY_PEERS = 21;
    test.restartNode(0, ['-maxconnections=33', '-inboundrelaypercent=0']);
    for (let i = 0; i < NUM_BLOCK_RELAY_PEERS; i++) {
      const p = node.addP2PConnection(new P2PInterface(), { sendVersion: false, waitForVerack: false });
      p.sendWithoutPing(noServicesBlocksOnlyVersion());
      p.waitForVerack();
    }
    test.waitUntil(() => peerCount() === NUM_BLOCK_RELAY_PEERS); // A11
    node.assertDebugLog(['failed to find a tx-relaying eviction candidate - connection dropped'], () => node.addP2PConnection(new P2PInterface(), { expectSuccess: false, waitForVerack: false }), { timeout: 5 }); // A12
    test.waitUntil(() => peerCount() === NUM_BLOCK_RELAY_PEERS); // A13
    expect(peerCount()).toBe(NUM_BLOCK_RELAY_PEERS);
  });
});
