// The harness's own semantics: the order of what a node sends after VERACK (Core's SendMessages:
// ping, address, then getheaders), mocktime freezing a node's clock, a jump seen by the next loop
// pass rather than at each timer's due time, the wall clock moving only in waits, a sleep in a peer
// callback blocking the peers' thread, determinism.
import { describe, expect, it } from 'vitest';
import { msgPong, P2PInterface, TestFramework } from '../index.ts';

describe('the harness', () => {
  it('after VERACK a node sends ping, then its self-announcement, then getheaders (Core SendMessages order)', () => {
    const test = new TestFramework({ extraArgs: [['-externalip=42.42.42.42']] });
    const node = test.nodes[0]!;
    // Outbound: address relay is set up at VERSION, so the first SendMessages has all three.
    const out = node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: 0 });
    expect(out.received.map((m) => m.type).slice(0, 9)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack', 'getaddr', 'sendcmpct', 'ping', 'addr', 'getheaders']);
    // Inbound: relay starts with the peer's getaddr, processed after VERACK's SendMessages.
    const inb = node.addP2PConnection(new P2PInterface());
    expect(inb.received.map((m) => m.type).slice(0, 8)).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack', 'sendcmpct', 'ping', 'getheaders', 'addr']);
  });

  it('mocktime freezes the node clock; the wall clock moves only while the test waits', () => {
    const test = new TestFramework();
    const node = test.nodes[0]!;
    const t0 = test.time();
    expect(node.nowSeconds()).toBe(t0);
    node.setmocktime(t0 + 1000);
    expect(node.nowSeconds()).toBe(t0 + 1000);
    test.sleep(5);
    expect(test.time()).toBe(t0 + 5);
    expect(node.nowSeconds()).toBe(t0 + 1000);
    node.bumpmocktime(10);
    expect(node.nowSeconds()).toBe(t0 + 1010);
    node.setmocktime(0);
    expect(node.nowSeconds()).toBe(t0 + 5);
  });

  it('a jump runs every timer that fell due at the new time (a ping due at +120 s goes out with start = the jump)', () => {
    const test = new TestFramework({ extraArgs: [['-peertimeout=1']] });
    const node = test.nodes[0]!;
    const t0 = test.time();
    node.setmocktime(t0);
    class NoPong extends P2PInterface {
      override onPing(): void {}
    }
    const peer = node.addP2PConnection(new NoPong());
    delete peer.lastMessage['ping'];
    node.rpc.getpeerinfo(); // (the first ping is outstanding)
    peer.sendAndPing({ type: 'pong', sizeBytes: 24 } as never); // short payload cancels it
    node.setmocktime(t0 + 500);
    expect('ping' in peer.lastMessage).toBe(true);
    expect(node.rpc.getpeerinfo()[0]!.pingwait).toBeUndefined(); // sent at the jump: no wait yet
    node.setmocktime(t0 + 507);
    expect(node.rpc.getpeerinfo()[0]!.pingwait).toBe(7);
  });

  it('a sleep in a peer callback blocks the peers\' thread: the pong and the test\'s own sends wait for it', () => {
    const test = new TestFramework();
    const node = test.nodes[0]!;
    class Slow extends P2PInterface {
      override onPing(m: { nonce: bigint }): void {
        this.sleepInCallback(0.25);
        this.sendWithoutPing(msgPong(m.nonce));
      }
    }
    const t0 = test.realMicros();
    const slow = node.addP2PConnection(new Slow());
    // add_p2p_connection's sync_with_ping had to wait for the sleep to end.
    expect(test.realMicros() - t0).toBe(250_000);
    expect(node.rpc.getpeerinfo()[0]!.minping).toBe(0.25);
    // Meanwhile the node ran on: a second peer that does not sleep sees no delay.
    const t1 = test.realMicros();
    node.addP2PConnection(new P2PInterface());
    expect(test.realMicros()).toBe(t1);
    expect(slow.isConnected).toBe(true);
  });

  it('is deterministic: the same seed gives the same debug.log, another seed other nonces', () => {
    const run = (seed: number): { log: string; nonce: bigint } => {
      const test = new TestFramework({ seed, numNodes: 2 });
      const p = test.nodes[0]!.addP2PConnection(new P2PInterface());
      return { log: test.nodes[0]!.debugLog.contents() + test.nodes[1]!.debugLog.contents(), nonce: (p.lastMessage['ping'] as unknown as { nonce: bigint }).nonce };
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3).nonce).not.toBe(run(4).nonce);
  });
});
