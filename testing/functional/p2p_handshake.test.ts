// Core's test/functional/p2p_handshake.py on the port (the v1 run): a redundant verack is ignored;
// outbound full-relay, block-relay-only and addr-fetch peers lacking the desirable services are
// dropped after their VERSION (NODE_NETWORK_LIMITED is enough only while our tip is under 24 h
// old); feelers end after the handshake; a node that connects to itself notices by the nonce.
import { describe, expect, it } from 'vitest';
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_NONE, NODE_WITNESS, hex08 } from '../../connman/index.ts';
import { msgVerack, p2pPort, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const DESIRABLE_SERVICE_FLAGS_FULL = NODE_NETWORK | NODE_WITNESS;
const DESIRABLE_SERVICE_FLAGS_PRUNED = NODE_NETWORK_LIMITED | NODE_WITNESS;
const CONNECTION_TYPES = ['outbound-full-relay', 'block-relay-only', 'addr-fetch'];

describe('p2p_handshake.py', () => {
  it('redundant verack, desirable service flags by tip age, feelers, connecting to ourself', () => {
    const test = new TestFramework();
    const node = test.nodes[0]!;
    let checks = 0;

    const addOutboundConnection = (n: TestNode, connectionType: string, services: number, waitForDisconnect: boolean): void => {
      const peer = n.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: 0, waitForDisconnect, connectionType, services });
      if (!waitForDisconnect) {
        peer.syncWithPing();
        peer.peerDisconnect();
        peer.waitForDisconnect();
      }
      test.waitUntil(() => n.rpc.getpeerinfo().length === 0);
    };
    const testDesirableServiceFlags = (n: TestNode, serviceFlagTests: number[], desirable: number, expectDisconnect: boolean): void => {
      for (const connType of CONNECTION_TYPES) {
        for (const services of serviceFlagTests) {
          if (expectDisconnect) {
            expect(services & desirable).not.toBe(desirable);
            n.assertDebugLog([`does not offer the expected services (${hex08(services)} offered, ${hex08(desirable)} expected)`], () => addOutboundConnection(n, connType, services, true));
          } else {
            expect(services & desirable).toBe(desirable);
            addOutboundConnection(n, connType, services, false);
          }
          checks++;
        }
      }
    };
    const generateAtMocktime = (t: number): void => {
      node.setmocktime(t);
      node.generate(1);
      node.setmocktime(0);
    };

    // Check that redundant verack message is ignored.
    const verackConn = node.addP2PConnection(new P2PInterface());
    node.assertDebugLog(['ignoring redundant verack message'], () => verackConn.sendAndPing(msgVerack())); // A1
    node.disconnectP2Ps();

    // Lacking desired service flags leads to disconnect (non-pruned peers): A2 (9 cases).
    testDesirableServiceFlags(node, [NODE_NONE, NODE_NETWORK, NODE_WITNESS], DESIRABLE_SERVICE_FLAGS_FULL, true);
    // A3 (3 cases).
    testDesirableServiceFlags(node, [NODE_NETWORK | NODE_WITNESS], DESIRABLE_SERVICE_FLAGS_FULL, false);
    // Limited peers are only desired if the local chain is close to the tip (<24h): A4, A5 (3 cases each).
    generateAtMocktime(test.time() - 25 * 3600);
    testDesirableServiceFlags(node, [NODE_NETWORK_LIMITED | NODE_WITNESS], DESIRABLE_SERVICE_FLAGS_FULL, true);
    generateAtMocktime(test.time() - 23 * 3600);
    testDesirableServiceFlags(node, [NODE_NETWORK_LIMITED | NODE_WITNESS], DESIRABLE_SERVICE_FLAGS_PRUNED, false);
    expect(checks).toBe(18);

    // Feeler connections get disconnected immediately.
    node.assertDebugLog(['feeler connection completed'], () => addOutboundConnection(node, 'feeler', NODE_NONE, true)); // A6

    // Connecting to ourself leads to immediate disconnect.
    node.assertDebugLog(['connected to self', 'disconnecting'], () => {
      node.rpc.addconnection(`127.0.0.1:${p2pPort(0)}`, 'outbound-full-relay', false);
      test.waitUntil(() => node.rpc.getpeerinfo().length === 0);
    }); // A7
  });
});
