// Core's test/functional/p2p_outbound_eviction.py on the port: an outbound peer whose best known
// block stays behind our tip gets CHAIN_SYNC_TIMEOUT, one getheaders (its locator starting at the
// parent of the tip the timer was set against) and HEADERS_RESPONSE_TIME more, then is dropped;
// catching up with the tip of the timer's start re-arms it; up to four full-relay peers that share
// our tip are protected; block-relay-only peers never are. Block hashes are the model's heights.
import { describe, it } from 'vitest';
import { msgHeaders, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const CHAIN_SYNC_TIMEOUT = 20 * 60;
const HEADERS_RESPONSE_TIME = 2 * 60;

describe('p2p_outbound_eviction.py', () => {
  it('unprotected, protected, mixed and block-relay-only outbound peers', () => {
    const test = new TestFramework();
    const node = test.nodes[0]!;
    node.setmocktime(test.time());
    const header = (n: TestNode, h: number = n.getbestblockhash()) => n.getblockheader(h);
    const generateblock = (n: TestNode): number => n.generate(1)[0]!;
    const outbound = (p2pIdx: number, connectionType = 'outbound-full-relay'): P2PInterface => node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx, connectionType });
    /** CHAIN_SYNC_TIMEOUT passes: the peer gets the getheaders starting at `locatorStart`; then HEADERS_RESPONSE_TIME passes. */
    const bothTimeouts = (peer: P2PInterface, locatorStart: number): void => {
      node.bumpmocktime(CHAIN_SYNC_TIMEOUT + 1);
      peer.syncWithPing();
      peer.waitForGetheaders(locatorStart);
      node.bumpmocktime(HEADERS_RESPONSE_TIME + 1);
    };
    /** A peer of this type that shares our tip, then a new block: returns the peer and the old tip. */
    const peerBehindNewBlock = (connectionType: string) => {
      const tip = header(node);
      const peer = outbound(0, connectionType);
      peer.sendAndPing(msgHeaders([tip]));
      generateblock(node);
      peer.syncWithPing();
      return { peer, tip };
    };

    // test_outbound_eviction_unprotected
    {
      const tip = header(node);
      const prev = header(node, tip.height - 1);
      // An outbound connection that sends no headers.
      let peer = outbound(0);
      bothTimeouts(peer, tip.height - 1); // A1
      peer.waitForDisconnect(); // A2
      // One that sends a header but never catches up.
      peer = outbound(0);
      peer.sendAndPing(msgHeaders([prev]));
      bothTimeouts(peer, tip.height - 1); // A3
      peer.waitForDisconnect(); // A4
      // One that keeps lagging behind, but not too much.
      peer = outbound(0);
      let prevPrevHash = tip.height - 1;
      let best = generateblock(node);
      peer.syncWithPing();
      for (let i = 0; i < 10; i++) {
        const prevHeader = header(node, best);
        best = generateblock(node);
        const tipHeader = header(node, best);
        peer.syncWithPing();
        node.bumpmocktime(CHAIN_SYNC_TIMEOUT + 1);
        peer.syncWithPing();
        peer.waitForGetheaders(prevPrevHash); // A5 (ten times)
        peer.sendAndPing(msgHeaders([prevHeader])); // A6 (ten times: still connected)
        prevPrevHash = tipHeader.height - 1;
      }
      // It takes some time to catch up, but does it in time.
      peer.sendAndPing(msgHeaders([header(node, best)]));
      node.bumpmocktime(CHAIN_SYNC_TIMEOUT + 1);
      peer.syncWithPing();
      node.bumpmocktime(HEADERS_RESPONSE_TIME + 1);
      peer.syncWithPing(); // A7: not evicted
      node.disconnectP2Ps();
    }

    // test_outbound_eviction_protected
    {
      const { peer, tip } = peerBehindNewBlock('outbound-full-relay');
      bothTimeouts(peer, tip.height - 1); // A8 (the initial getheaders: a protected peer gets no other)
      peer.syncWithPing(); // A9: not evicted
      node.disconnectP2Ps();
    }

    // test_outbound_eviction_mixed
    {
      const tip = header(node);
      const protectedPeers: P2PInterface[] = [];
      for (let i = 0; i < 4; i++) {
        const p = outbound(i);
        p.sendAndPing(msgHeaders([tip]));
        protectedPeers.push(p);
      }
      const prev = header(node, tip.height - 1);
      const honest: P2PInterface[] = [];
      for (let i = 0; i < 2; i++) {
        const p = outbound(4 + i);
        p.sendAndPing(msgHeaders([prev]));
        honest.push(p);
      }
      const misbehaving: P2PInterface[] = [];
      for (let i = 0; i < 2; i++) {
        const p = outbound(6 + i);
        if (i % 2 === 0) p.sendAndPing(msgHeaders([prev]));
        misbehaving.push(p);
      }
      const targetHash = prev.height;
      const newTip = header(node, generateblock(node));
      node.bumpmocktime(CHAIN_SYNC_TIMEOUT + 1);
      for (const p of [...protectedPeers, ...misbehaving]) {
        p.syncWithPing();
        p.waitForGetheaders(targetHash); // A10 (six peers)
      }
      for (const p of honest) {
        p.sendAndPing(msgHeaders([newTip]));
        p.waitForGetheaders(targetHash); // A11 (two peers)
      }
      node.bumpmocktime(HEADERS_RESPONSE_TIME + 1);
      for (const p of [...protectedPeers, ...honest]) p.syncWithPing(); // A12 (six peers kept)
      for (const p of misbehaving) p.waitForDisconnect(); // A13 (two peers evicted)
      node.disconnectP2Ps();
    }

    // test_outbound_eviction_blocks_relay_only
    {
      const { peer, tip } = peerBehindNewBlock('block-relay-only');
      bothTimeouts(peer, tip.height); // A14
      peer.waitForDisconnect(); // A15
      node.disconnectP2Ps();
    }
  });
});
