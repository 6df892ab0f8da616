// Core's test/functional/p2p_addrfetch.py on the port: an addr-fetch connection gets our getaddr and
// no getheaders, survives a one-address answer, ends on a larger one, and ends after 300 s without.
import { describe, expect, it } from 'vitest';
import { assertEqual, cAddress, msgAddr, P2PInterface, TestFramework } from '../index.ts';

describe('p2p_addrfetch.py', () => {
  it('getaddr without getheaders, completion on a multi-address answer, the 300 s timeout', () => {
    const test = new TestFramework({ setupCleanChain: true });
    const node = test.nodes[0]!;
    const ADDR = cAddress({ time: test.time(), ip: '192.0.0.8', port: 18444 });
    const assertGetpeerinfo = (peerIds: number[]): void => {
      const info = node.rpc.getpeerinfo();
      assertEqual(info.length, peerIds.length);
      peerIds.forEach((id, n) => {
        assertEqual(info[n]!.id, id);
        assertEqual(info[n]!.connection_type, 'addr-fetch');
      });
    };

    // Connect to an addr-fetch peer.
    let peer = node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: 0, connectionType: 'addr-fetch' });
    assertGetpeerinfo([0]); // A1-A3
    // We send getaddr but do not try to sync headers with the addr-fetch peer.
    peer.syncWithPing();
    expect(peer.messageCount['getaddr']).toBe(1); // A4
    expect(peer.messageCount['getheaders']).toBe(0); // A5
    // Answering the getaddr with a single address does not lead to disconnect.
    peer.sendAndPing(msgAddr([ADDR]));
    assertGetpeerinfo([0]); // A6-A8
    // Answering with larger addr messages leads to disconnect.
    peer.sendWithoutPing(msgAddr([ADDR, ADDR]));
    peer.waitForDisconnect(5); // A9

    // Timeout for an addr-fetch peer that does not send addrs.
    peer = node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: 1, connectionType: 'addr-fetch' });
    const timeNow = test.time();
    assertGetpeerinfo([1]); // A10-A12
    node.setmocktime(timeNow + 295);
    assertGetpeerinfo([1]); // A13-A15
    node.setmocktime(timeNow + 301);
    peer.waitForDisconnect(5); // A16
    assertGetpeerinfo([]); // A17
  });
});
