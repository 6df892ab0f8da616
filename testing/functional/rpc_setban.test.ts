// Core's test/functional/rpc_setban.py on the port (the v1 run): a banned address is dropped at
// accept time (and stays banned across a restart), a -whitelist peer (noban) is let in regardless,
// a Tor address can be banned and unbanned, and -bantime sets the default ban length.
import { describe, expect, it } from 'vitest';
import { assertEqual, p2pPort, TestFramework, type TestNode } from '../index.ts';

function isConnectedTo(a: TestNode, b: TestNode): boolean {
  const subver = b.rpc.getnetworkinfo().subversion;
  return a.rpc.getpeerinfo().some((p) => p.subver === subver);
}

describe('rpc_setban.py', () => {
  it('bans, noban whitelisting, non-IP bans, -bantime', () => {
    const test = new TestFramework({ numNodes: 2, setupCleanChain: true, extraArgs: [[], []] });
    const [n0, n1] = [test.nodes[0]!, test.nodes[1]!];
    const isBanned = (node: TestNode, addr: string): boolean => node.rpc.listbanned().some((e) => e.address === addr);

    test.connectNodes(0, 1);
    expect(n1.rpc.getpeerinfo()[0]!.permissions).not.toContain('noban'); // A1
    n1.rpc.setban('127.0.0.1', 'add');
    test.waitUntil(() => !isConnectedTo(n0, n1)); // A2
    test.restartNode(1, []);
    n1.assertDebugLog(['dropped (banned)\n'], () =>
      n0.assertDebugLog(['Cleared nodestate for peer=2'], () => n0.rpc.addnode(`127.0.0.1:${p2pPort(1)}`, 'onetry'), { timeout: 8 }),
    ); // A3, A4
    expect(isConnectedTo(n0, n1)).toBe(false); // A5
    test.restartNode(1, ['-whitelist=127.0.0.1']);
    test.connectNodes(0, 1);
    expect(n1.rpc.getpeerinfo()[0]!.permissions).toContain('noban'); // A6
    n1.rpc.setban('127.0.0.1', 'remove');
    test.restartNode(1, []);
    test.connectNodes(0, 1);
    expect(n1.rpc.getpeerinfo()[0]!.permissions).not.toContain('noban'); // A7

    // A non-IP address can be banned and unbanned.
    const torAddr = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
    const ipAddr = '1.2.3.4';
    expect(isBanned(n1, torAddr)).toBe(false); // A8
    expect(isBanned(n1, ipAddr)).toBe(false); // A9
    n1.rpc.setban(torAddr, 'add');
    expect(isBanned(n1, torAddr)).toBe(true); // A10
    expect(isBanned(n1, ipAddr)).toBe(false); // A11
    n1.rpc.setban(torAddr, 'remove');
    expect(isBanned(n1, torAddr)).toBe(false); // A12
    expect(isBanned(n1, ipAddr)).toBe(false); // A13

    // -bantime.
    test.restartNode(1, ['-bantime=1234']);
    n1.rpc.setban('127.0.0.1', 'add');
    assertEqual(n1.rpc.listbanned()[0]!.ban_duration, 1234); // A14
  });
});
