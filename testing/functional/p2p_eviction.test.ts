// Core's test/functional/p2p_eviction.py on the port: with -maxconnections=53 the node keeps at
// most 21 tx-relaying inbound peers; the 22nd makes it evict one, and the one it evicts is none of
// the peers that sent a block, sent a transaction, or have one of the 8 lowest min pings.
// Differences of means, not of what is asserted: blocks are the model's (a header and a block named
// by height), the transactions are opaque ids (MiniWallet's are valid; so is every one here), and a
// slow peer's 0.1 s sleep in on_ping blocks the peers' thread as it blocks Python's network thread.
import { describe, expect, it } from 'vitest';
import type { P2PMessage } from '../../connman/index.ts';
import { assertEqual, msgPong, msgTx, P2PDataStore, P2PInterface, TestFramework } from '../index.ts';

class SlowP2PInterface extends P2PInterface {
  override onPing(m: P2PMessage & { nonce: bigint }): void {
    this.sleepInCallback(0.1);
    this.sendWithoutPing(msgPong(m.nonce));
  }
}

class SlowP2PDataStore extends P2PDataStore {
  override onPing(m: P2PMessage & { nonce: bigint }): void {
    this.sleepInCallback(0.1);
    this.sendWithoutPing(msgPong(m.nonce));
  }
}

describe('p2p_eviction.py', () => {
  it('the eviction at the tx-relay inbound limit spares the protected peers', () => {
    const test = new TestFramework({ extraArgs: [['-maxconnections=53']] });
    const node = test.nodes[0]!;
    const protectedPeers = new Set<number>();
    let currentPeer = -1;

    // Four peers protected by sending us a block.
    for (let i = 0; i < 4; i++) {
      const blockPeer = node.addP2PConnection(new SlowP2PDataStore());
      currentPeer++;
      blockPeer.syncWithPing();
      const best = node.getblockheader();
      blockPeer.sendBlocksAndTest([{ height: node.getblockcount() + 1, timeSeconds: best.timeSeconds + 1 }], node, { success: true });
      protectedPeers.add(currentPeer);
    }
    // Five slow-pinging peers, eviction candidates.
    for (let i = 0; i < 5; i++) {
      node.addP2PConnection(new SlowP2PInterface());
      currentPeer++;
    }
    // Four peers protected by sending us a transaction.
    for (let i = 0; i < 4; i++) {
      const txPeer = node.addP2PConnection(new SlowP2PInterface());
      currentPeer++;
      txPeer.syncWithPing();
      txPeer.sendWithoutPing(msgTx(1000 + i));
      protectedPeers.add(currentPeer);
    }
    // Eight peers protected by faster pings.
    for (let i = 0; i < 8; i++) {
      const fast = node.addP2PConnection(new P2PInterface());
      currentPeer++;
      test.waitUntil(() => 'ping' in fast.lastMessage, 10);
    }
    // The node's own view of the min pings; the 8 lowest are protected (a peer with none counts as 1000000).
    const peerinfo = node.rpc.getpeerinfo();
    const pings = peerinfo.map((p, i) => [i, p.minping ?? 1000000] as const);
    const sorted = [...pings].sort((a, b) => a[1] - b[1]);
    for (let i = 0; i < 8; i++) protectedPeers.add(sorted[i]![0]);

    // The peer that triggers the eviction.
    node.addP2PConnection(new SlowP2PInterface());
    const evicted: number[] = [];
    node.p2ps.forEach((p, i) => {
      if (!p.isConnected) evicted.push(i);
    });
    assertEqual(evicted.length, 1); // A1
    expect(protectedPeers.has(evicted[0]!)).toBe(false); // A2
  });
});
