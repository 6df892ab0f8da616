// Core's test/functional/p2p_seednode.py on the port: without -seednode nothing waits; with an empty
// AddrMan the seednode becomes an addr-fetch at once; with addresses, AddrMan is tried first and
// the seednode is added only after ADD_NEXT_SEEDNODE (10 s) without two outbound full-relay peers.
import { describe, it } from 'vitest';
import { TestFramework } from '../index.ts';

const UNREACHABLE_PROXY_ARG = '-proxy=127.0.0.1:1';
const ADD_NEXT_SEEDNODE = 10;

describe('p2p_seednode.py', () => {
  it('no seednode, an empty AddrMan, a non-empty AddrMan', () => {
    const test = new TestFramework({ extraArgs: [[UNREACHABLE_PROXY_ARG]], disableAutoconnect: false });
    const node = test.nodes[0]!;

    // test_no_seednode
    node.assertDebugLog([], () => test.restartNode(0, node.extraArgs), {
      unexpected: ['Empty addrman, adding seednode', `Couldn't connect to peers from addrman after ${ADD_NEXT_SEEDNODE} seconds. Adding seednode`],
      timeout: ADD_NEXT_SEEDNODE,
    }); // A1

    // test_seednode_empty_addrman
    node.assertDebugLog(['Empty addrman, adding seednode (25.0.0.1) to addrfetch'], () => test.restartNode(0, [...node.extraArgs, '-seednode=25.0.0.1']), { timeout: ADD_NEXT_SEEDNODE }); // A2

    // test_seednode_non_empty_addrman
    for (let i = 0; i < 10; i++) {
      const ip = `${128 + test.randrange(41)}.${1 + test.randrange(254)}.${1 + test.randrange(254)}.${1 + test.randrange(254)}`;
      node.rpc.addpeeraddress(ip, 8333 + i);
    }
    node.assertDebugLog(['trying v1 connection'], () => test.restartNode(0, [...node.extraArgs, '-seednode=25.0.0.2']), { timeout: ADD_NEXT_SEEDNODE }); // A3
    node.assertDebugLog(
      [`Couldn't connect to peers from addrman after ${ADD_NEXT_SEEDNODE} seconds. Adding seednode (25.0.0.2) to addrfetch`],
      () => node.setmocktime(test.time() + ADD_NEXT_SEEDNODE + 1),
      { unexpected: ['Empty addrman, adding seednode'], timeout: ADD_NEXT_SEEDNODE * 1.5 },
    ); // A4
  });
});
