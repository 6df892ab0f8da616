// Core's test/functional/feature_maxuploadtarget.py on the port: past -maxuploadtarget's
// historical limit a getdata for a block more than a week older than the best header disconnects
// the peer while recent blocks are served without end; the counters reset with the next 24 h
// cycle; the download permission exempts a peer from the historical limit but not a mempool
// request past the total limit; an unparsable -maxuploadtarget is an init error. The model's
// blocks all have one size, so the "large" blocks are ordinary ones (the Core test reads the size).
import { describe, it } from 'vitest';
import type { BlockDataMessage } from '../../connman/index.ts';
import { assertEqual, msgGetdataBlock, msgMempool, P2PInterface, TestFramework, type TestNode } from '../index.ts';

const UPLOAD_TARGET_MB = 800;

class TestP2PConn extends P2PInterface {
  readonly blockReceiveMap = new Map<number, number>();
  override onInv(): void {}
  override onBlock(m: BlockDataMessage): void {
    this.blockReceiveMap.set(m.block.height, (this.blockReceiveMap.get(m.block.height) ?? 0) + 1);
  }
  receivedCount(hash: number): number {
    return this.blockReceiveMap.get(hash) ?? 0;
  }
}

function assertUploadtargetState(node: TestNode, targetReached: boolean, serveHistoricalBlocks: boolean): void {
  const u = node.rpc.getnettotals().uploadtarget;
  assertEqual(u.target_reached, targetReached);
  assertEqual(u.serve_historical_blocks, serveHistoricalBlocks);
}

describe('feature_maxuploadtarget.py', () => {
  it('the historical limit, recent blocks past the target, the cycle reset, the download permission, mempool', () => {
    const test = new TestFramework({ setupCleanChain: true, extraArgs: [[`-maxuploadtarget=${UPLOAD_TARGET_MB}M`]] });
    const node = test.nodes[0]!;
    assertUploadtargetState(node, false, true); // A1, A2

    // Before anything connects the node's time goes two weeks back (its counters cannot go backwards).
    node.setmocktime(test.time() - 2 * 60 * 60 * 24 * 7);
    node.generate(130);
    const conns = [0, 1, 2].map(() => node.addP2PConnection(new TestP2PConn()));
    // mine_large_block
    node.generate(1);
    const bigOldBlock = node.getbestblockhash();
    const oldBlockSize = node.getblock(bigOldBlock).size;
    // Two days ago: one more block, so that the one before looks old.
    node.setmocktime(test.time() - 2 * 60 * 60 * 24);
    node.generate(1);
    const bigNewBlock = node.getbestblockhash();

    const maxBytesPerDay = UPLOAD_TARGET_MB * 1024 * 1024;
    const dailyBuffer = 144 * 4000000;
    const successCount = Math.floor((maxBytesPerDay - dailyBuffer) / oldBlockSize);
    for (let i = 0; i < successCount; i++) {
      conns[0]!.sendAndPing(msgGetdataBlock(bigOldBlock));
      assertEqual(conns[0]!.receivedCount(bigOldBlock), i + 1); // A3 (successCount times)
    }
    assertEqual(node.rpc.getpeerinfo().length, 3); // A4
    node.assertDebugLog(['historical block serving limit reached, disconnecting peer=0'], () => {
      for (let i = 0; i < 3; i++) conns[0]!.sendWithoutPing(msgGetdataBlock(bigOldBlock));
      conns[0]!.waitForDisconnect();
    }); // A5
    assertEqual(node.rpc.getpeerinfo().length, 2); // A6
    assertUploadtargetState(node, false, false); // A7, A8

    // The current block is served without end, even past the target.
    for (let i = 0; i < 800; i++) {
      conns[1]!.sendAndPing(msgGetdataBlock(bigNewBlock));
      assertEqual(conns[1]!.receivedCount(bigNewBlock), i + 1); // A9 (800 times)
    }
    assertUploadtargetState(node, true, false); // A10, A11
    node.assertDebugLog(['historical block serving limit reached, disconnecting peer=1'], () => {
      conns[1]!.sendWithoutPing(msgGetdataBlock(bigOldBlock));
      conns[1]!.waitForDisconnect();
    }); // A12
    assertEqual(node.rpc.getpeerinfo().length, 1); // A13

    // A day later the counters are reset and the old block is served again.
    node.setmocktime(test.time());
    conns[2]!.syncWithPing();
    conns[2]!.sendAndPing(msgGetdataBlock(bigOldBlock));
    assertEqual(conns[2]!.receivedCount(bigOldBlock), 1); // A14
    assertUploadtargetState(node, false, true); // A15, A16
    node.disconnectP2Ps();

    // The download permission, bloom filters and a 1 MB target.
    test.restartNode(0, ['-whitelist=download@127.0.0.1', '-peerbloomfilters', '-maxuploadtarget=1']);
    assertUploadtargetState(node, false, false); // A17, A18
    const peer = node.addP2PConnection(new TestP2PConn());
    peer.sendAndPing(msgMempool()); // not yet past the total limit: still connected
    for (let i = 0; i < 20; i++) {
      peer.sendAndPing(msgGetdataBlock(bigNewBlock));
      assertEqual(peer.receivedCount(bigNewBlock), i + 1); // A19 (20 times)
    }
    assertUploadtargetState(node, true, false); // A20, A21
    peer.sendAndPing(msgGetdataBlock(bigOldBlock));
    const peerInfo = node.rpc.getpeerinfo();
    assertEqual(peerInfo.length, 1); // A22
    assertEqual(peerInfo[0]!.permissions, ['download']); // A23
    node.assertDebugLog(['mempool request with bandwidth limit reached, disconnecting peer=0'], () => {
      peer.sendWithoutPing(msgMempool());
      peer.waitForDisconnect();
    }); // A24

    test.stopNode(0);
    node.assertStartRaisesInitError(['-maxuploadtarget=abc'], "Error: Unable to parse -maxuploadtarget: 'abc'"); // A25
  });
});
