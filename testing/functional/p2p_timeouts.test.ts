// Core's test/functional/p2p_timeouts.py on the port (the v1 run; BIP324 is not modelled): with
// -peertimeout=3, a peer that never sends verack, one that never sends version, and one that sends
// nothing are disconnected after the grace period with Core's three different log lines; messages
// before the handshake are refused with Core's wording; -peertimeout=0 is an init error.
import { describe, expect, it } from 'vitest';
import { mockForwarder, msgPing, P2PInterface, TestFramework } from '../index.ts';

class TestP2PConn extends P2PInterface {
  override onVersion(): void {}
}

describe('p2p_timeouts.py', () => {
  it('inactivity disconnects before the handshake, and -peertimeout=0', () => {
    const test = new TestFramework({ setupCleanChain: true, extraArgs: [['-peertimeout=3']] });
    const node = test.nodes[0]!;
    const mockForward = mockForwarder(node);
    mockForward(0);
    const noVerack = node.assertDebugLog(['Added connection peer=0'], () => node.addP2PConnection(new TestP2PConn(), { waitForVerack: false }), { timeout: 2 }); // A1
    const noVersion = node.assertDebugLog(['Added connection peer=1'], () => node.addP2PConnection(new TestP2PConn(), { sendVersion: false, waitForVerack: false }), { timeout: 2 }); // A2
    const noSend = node.assertDebugLog(['Added connection peer=2'], () => node.addP2PConnection(new TestP2PConn(), { sendVersion: false, waitForVerack: false }), { timeout: 2 }); // A3
    noVerack.waitForVerack(); // A4
    mockForward(1);
    expect(noVerack.isConnected).toBe(true); // A5
    expect(noVersion.isConnected).toBe(true); // A6
    expect(noSend.isConnected).toBe(true); // A7
    node.assertDebugLog(['Unsupported message "ping" prior to verack from peer=0'], () => noVerack.sendWithoutPing(msgPing()), { timeout: 2 }); // A8
    node.assertDebugLog(['non-version message before version handshake. Message "ping" from peer=1'], () => noVersion.sendWithoutPing(msgPing()), { timeout: 2 }); // A9
    mockForward(1);
    expect('version' in noVerack.lastMessage).toBe(true); // A10
    expect(noVerack.isConnected).toBe(true); // A11
    expect(noVersion.isConnected).toBe(true); // A12
    expect(noSend.isConnected).toBe(true); // A13
    noVerack.sendWithoutPing(msgPing());
    noVersion.sendWithoutPing(msgPing());
    node.assertDebugLog(
      [
        'version handshake timeout, disconnecting peer=0',
        'socket no message in first 3 seconds, never sent to peer, disconnecting peer=1',
        'socket no message in first 3 seconds, never received from peer, never sent to peer, disconnecting peer=2',
      ],
      () => {
        mockForward(2);
        noVerack.waitForDisconnect(1);
        noVersion.waitForDisconnect(1);
        noSend.waitForDisconnect(1);
      },
    ); // A14-A16 (and the three disconnects, A17-A19)
    node.stop();
    node.assertStartRaisesInitError(['-peertimeout=0'], 'Error: peertimeout must be a positive integer.'); // A20
  });
});
