// Core's test/functional/p2p_getaddr_caching.py on the port: GETADDR answers come from a cache per
// local socket (the 127.0.0.1 listener and two onion binds): within its lifetime every request on
// one bind gets the same 1000 addresses, different binds get different ones, and after three days
// a new answer is drawn.
import { describe, expect, it } from 'vitest';
import type { AddrMessage } from '../../connman/index.ts';
import { assertEqual, p2pPort, P2PInterface, TestFramework } from '../index.ts';

const MAX_ADDR_TO_SEND = 1000;
const MAX_PCT_ADDR_TO_SEND = 23;

class AddrReceiver extends P2PInterface {
  receivedAddrs: string[] | null = null;
  override onAddr(m: AddrMessage): void {
    this.receivedAddrs = m.addresses.map((a) => a.toStringAddr());
  }
  addrReceived(): boolean {
    return this.receivedAddrs !== null;
  }
}

describe('p2p_getaddr_caching.py', () => {
  it('one cached answer per bind, renewed after its lifetime', () => {
    const numNodes = 1;
    const onionPort1 = p2pPort(numNodes);
    const onionPort2 = p2pPort(numNodes + 1);
    const test = new TestFramework({ extraArgs: [[`-bind=127.0.0.1:${onionPort1}=onion`, `-bind=127.0.0.1:${onionPort2}=onion`]] });
    const node = test.nodes[0]!;

    for (let i = 0; i < 10000; i++) node.rpc.addpeeraddress(`${i >> 8}.${i % 256}.1.1`, 8333);
    // Enough addresses that the cache (a fraction of all) holds MAX_ADDR_TO_SEND.
    expect(node.rpc.getnodeaddresses(0).length).toBeGreaterThan(Math.trunc(MAX_ADDR_TO_SEND / (MAX_PCT_ADDR_TO_SEND / 100))); // A1

    /** Three receivers (the local bind, onion bind 1, onion bind 2), each answered after 5 minutes. */
    let curMockTime = test.time();
    const requestAll = (): [string[], string[], string[]] => {
      const receivers = [
        node.addP2PConnection(new AddrReceiver()),
        node.addP2PConnection(new AddrReceiver(), { dstport: onionPort1 }),
        node.addP2PConnection(new AddrReceiver(), { dstport: onionPort2 }),
      ];
      curMockTime += 5 * 60;
      node.setmocktime(curMockTime);
      for (const r of receivers) r.waitUntil(() => r.addrReceived());
      return receivers.map((r) => r.receivedAddrs!) as [string[], string[], string[]];
    };

    let last: [string[], string[], string[]] | null = null;
    const N = 5;
    for (let i = 0; i < N; i++) {
      const [local, onion1, onion2] = requestAll();
      if (last !== null) {
        // Responses from different binds are unique.
        expect(onion1).not.toEqual(last[0]); // A2 (four times)
        expect(onion2).not.toEqual(last[0]); // A3 (four times)
        expect(onion2).not.toEqual(last[1]); // A4 (four times)
        // Responses from the same bind are the same.
        assertEqual(local, last[0]); // A5 (four times)
        assertEqual(onion1, last[1]); // A6 (four times)
        assertEqual(onion2, last[2]); // A7 (four times)
      }
      last = [local, onion1, onion2];
      for (const response of last) assertEqual(response.length, MAX_ADDR_TO_SEND); // A8 (fifteen times)
    }

    curMockTime += 3 * 24 * 60 * 60;
    node.setmocktime(curMockTime);
    // After the cache's lifetime a new answer is drawn.
    const fresh = requestAll();
    for (let k = 0; k < 3; k++) expect(new Set(fresh[k])).not.toEqual(new Set(last![k])); // A9-A11
  });
});
