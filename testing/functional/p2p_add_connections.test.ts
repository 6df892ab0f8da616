// Core's test/functional/p2p_add_connections.py on the port: addconnection fills 8 full-relay and 2
// block-relay-only slots (alongside inbound peers), reconnects after the peers go and after a
// restart, a feeler sends version with relay=0 and ends, and a peer that sends its version before
// ours still completes the handshake.
import { describe, expect, it } from 'vitest';
import { checkNodeConnections, P2PInterface, TestFramework } from '../index.ts';

class VersionSender extends P2PInterface {
  override onOpenHook(): void {
    expect(this.onConnectionSendMsg).not.toBeNull();
    this.sendVersion();
    expect(this.onConnectionSendMsg).toBeNull();
  }
}

class P2PFeelerReceiver extends P2PInterface {
  override onVersion(): void {
    this.sendVersion();
  }
}

describe('p2p_add_connections.py', () => {
  it('outbound slots by type, feelers, an early version', () => {
    const test = new TestFramework({ numNodes: 2, setupNetwork: false });
    const n0 = test.nodes[0]!;
    const n1 = test.nodes[1]!;
    for (let i = 0; i < 8; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i, connectionType: 'outbound-full-relay' });
    for (let i = 0; i < 2; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i + 8, connectionType: 'block-relay-only' });
    for (let i = 0; i < 2; i++) n1.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i, connectionType: 'block-relay-only' });
    for (let i = 0; i < 5; i++) n1.addP2PConnection(new P2PInterface());
    for (let i = 0; i < 8; i++) n1.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i + 2 });
    checkNodeConnections(n0, 0, 10); // A1
    checkNodeConnections(n1, 5, 10); // A2

    // Disconnect p2p connections & try to re-open.
    n0.disconnectP2Ps();
    checkNodeConnections(n0, 0, 0); // A3
    for (let i = 0; i < 8; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i });
    checkNodeConnections(n0, 0, 8); // A4
    for (let i = 0; i < 2; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i + 8, connectionType: 'block-relay-only' });
    checkNodeConnections(n0, 0, 10); // A5

    // Restart node 0 and try to reconnect to p2ps.
    test.restartNode(0);
    for (let i = 0; i < 4; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i });
    checkNodeConnections(n0, 0, 4); // A6
    for (let i = 0; i < 2; i++) n0.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i + 4, connectionType: 'block-relay-only' });
    checkNodeConnections(n0, 0, 6); // A7
    checkNodeConnections(n1, 5, 10); // A8

    // Add 1 feeler connection to node 0.
    const feeler = n0.addOutboundP2PConnection(new P2PFeelerReceiver(), { p2pIdx: 6, connectionType: 'feeler' });
    expect(feeler.isConnected).toBe(false); // A9
    expect(feeler.messageCount['version']).toBe(1); // A10
    expect((feeler.lastMessage['version'] as unknown as { relay: boolean }).relay).toBe(false); // A11

    // Send version message early to node.
    const ver = n0.addOutboundP2PConnection(new VersionSender(), { p2pIdx: 6, connectionType: 'outbound-full-relay' });
    ver.syncWithPing(); // A12
  });
});
