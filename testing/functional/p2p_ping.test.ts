// Core's test/functional/p2p_ping.py on the port: ping on connect, pingwait, the pong problems
// (short payload, unsolicited, nonce mismatch, nonce zero), pingtime / minping, and the ping timeout.
// Numbers in comments (A1, A2, …) are the rows of README.md's table for this file.
import { describe, expect, it } from 'vitest';
import { assertEqual, mockForwarder, msgGeneric, msgPong, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const PING_INTERVAL = 2 * 60;
const TIMEOUT_INTERVAL = 20 * 60;

class NodeNoPong extends P2PInterface {
  override onPing(): void {}
}

function checkPeerInfo(node: TestNode, want: { pingtime: number | null; minping: number | null; pingwait: number | null }): void {
  const stats = node.rpc.getpeerinfo()[0]!;
  assertEqual(stats.pingtime ?? null, want.pingtime, 'pingtime');
  assertEqual(stats.minping ?? null, want.minping, 'minping');
  assertEqual(stats.pingwait ?? null, want.pingwait, 'pingwait');
}

describe('p2p_ping.py', () => {
  it('pings, pong problems, ping statistics and the ping timeout', () => {
    const test = new TestFramework({ setupCleanChain: true, extraArgs: [['-peertimeout=1']] });
    const node = test.nodes[0]!;
    const mockForward = mockForwarder(node);
    mockForward(0);

    // Check that ping is sent after connection is established.
    const noPong = node.addP2PConnection(new NodeNoPong());
    mockForward(3);
    const ping = noPong.lastMessage['ping'] as { nonce: bigint };
    delete noPong.lastMessage['ping'];
    expect(ping.nonce).not.toBe(0n); // A1
    checkPeerInfo(node, { pingtime: null, minping: null, pingwait: 3 }); // A2-A4

    // Reply without nonce cancels ping.
    node.assertDebugLog(['pong peer=0: Short payload'], () => noPong.sendAndPing(msgGeneric('pong', 0))); // A5
    checkPeerInfo(node, { pingtime: null, minping: null, pingwait: null }); // A6-A8

    // Reply without ping.
    node.assertDebugLog(['pong peer=0: Unsolicited pong without ping, 0 expected, 0 received, 8 bytes'], () => noPong.sendAndPing(msgPong())); // A9
    checkPeerInfo(node, { pingtime: null, minping: null, pingwait: null }); // A10-A12

    // Reply with wrong nonce does not cancel ping.
    expect('ping' in noPong.lastMessage).toBe(false); // A13
    node.assertDebugLog(['pong peer=0: Nonce mismatch'], () => {
      mockForward(PING_INTERVAL + 1);
      noPong.waitUntil(() => 'ping' in noPong.lastMessage);
      mockForward(9);
      const n = (noPong.lastMessage['ping'] as { nonce: bigint }).nonce;
      delete noPong.lastMessage['ping'];
      noPong.sendAndPing(msgPong(BigInt.asUintN(64, n - 1n)));
    }); // A14
    checkPeerInfo(node, { pingtime: null, minping: null, pingwait: 9 }); // A15-A17

    // Reply with zero nonce does cancel ping.
    node.assertDebugLog(['pong peer=0: Nonce zero'], () => noPong.sendAndPing(msgPong(0n))); // A18
    checkPeerInfo(node, { pingtime: null, minping: null, pingwait: null }); // A19-A21

    // Check that ping is properly reported on RPC.
    expect('ping' in noPong.lastMessage).toBe(false); // A22
    const pongWithDelay = (delay: number): void => {
      mockForward(PING_INTERVAL + 1);
      noPong.waitUntil(() => 'ping' in noPong.lastMessage);
      mockForward(delay);
      noPong.waitUntil(() => 'ping' in noPong.lastMessage);
      const n = (noPong.lastMessage['ping'] as { nonce: bigint }).nonce;
      delete noPong.lastMessage['ping'];
      noPong.sendAndPing(msgPong(n));
    };
    pongWithDelay(29);
    checkPeerInfo(node, { pingtime: 29, minping: 29, pingwait: null }); // A23-A25

    // Check that minping is decreased after a fast roundtrip.
    pongWithDelay(9);
    checkPeerInfo(node, { pingtime: 9, minping: 9, pingwait: null }); // A26-A28

    // Check that peer is disconnected after ping timeout.
    expect('ping' in noPong.lastMessage).toBe(false); // A29
    node.rpc.ping();
    noPong.waitUntil(() => 'ping' in noPong.lastMessage);
    node.assertDebugLog(['ping timeout: 1201.000000s'], () => {
      mockForward(TIMEOUT_INTERVAL / 2);
      // Sending a ping does not prevent the disconnect.
      noPong.syncWithPing();
      mockForward(TIMEOUT_INTERVAL / 2 + 1);
      noPong.waitForDisconnect();
    }); // A30
  });
});
