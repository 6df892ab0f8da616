// Core's test/functional/p2p_dns_seeds.py on the port: -connect turns DNS seeding off unless
// -dnsseed=1; -forcednsseed with seeding off is an init error; with two outbound full-relay peers
// after the wait the seeds are skipped, block-relay-only peers do not count; -forcednsseed queries at
// once; the wait is 11 s below 1000 known addresses and 300 s from there. The proxy (-proxy) turns
// each seed into an addr-fetch, as in Core (HaveNameProxy).
import { describe, it } from 'vitest';
import { P2PInterface, TestFramework } from '../index.ts';

const UNREACHABLE_PROXY_ARG = '-proxy=127.0.0.1:1';

describe('p2p_dns_seeds.py', () => {
  it('init arguments, existing connections, -forcednsseed, the wait before querying', () => {
    const test = new TestFramework({ setupCleanChain: true, extraArgs: [['-dnsseed=1', UNREACHABLE_PROXY_ARG]] });
    const node = test.nodes[0]!;
    const fakeaddr = 'fakenodeaddr.fakedomain.invalid.';

    // init_arg_tests: -connect disables -dnsseed by default.
    node.stop();
    node.assertDebugLog(['DNS seeding disabled'], () => node.start([`-connect=${fakeaddr}`, UNREACHABLE_PROXY_ARG]), { timeout: 2 }); // A1
    // -connect and -dnsseed: the DNS logic runs.
    node.assertDebugLog(['Loading addresses from DNS seed'], () => test.restartNode(0, [`-connect=${fakeaddr}`, '-dnsseed=1', UNREACHABLE_PROXY_ARG]), { timeout: 12 }); // A2
    // -forcednsseed with -dnsseed=0, and with -connect: an init error.
    node.stop();
    node.assertStartRaisesInitError(['-forcednsseed=1', '-dnsseed=0'], 'Error: Cannot set -forcednsseed to true when setting -dnsseed to false.'); // A3
    node.stop();
    node.assertStartRaisesInitError(['-forcednsseed=1', `-connect=${fakeaddr}`], 'Error: Cannot set -forcednsseed to true when setting -dnsseed to false.'); // A4
    test.restartNode(0);

    // existing_outbound_connections_test: two outbound full-relay peers, no DNS seeding.
    node.rpc.addpeeraddress('192.0.0.8', 8333);
    test.restartNode(0);
    node.assertDebugLog(
      ['P2P peers available. Skipped DNS seeding.'],
      () => {
        for (let i = 0; i < 2; i++) node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i, connectionType: 'outbound-full-relay' });
      },
      { timeout: 12 },
    ); // A5

    // existing_block_relay_connections_test: block-relay-only peers do not count.
    node.rpc.addpeeraddress('192.0.0.8', 8333);
    test.restartNode(0);
    node.assertDebugLog(
      ['Loading addresses from DNS seed'],
      () => {
        for (let i = 0; i < 2; i++) node.addOutboundP2PConnection(new P2PInterface(), { p2pIdx: i, connectionType: 'block-relay-only' });
      },
      { timeout: 12 },
    ); // A6

    // force_dns_test.
    node.assertDebugLog(['Loading addresses from DNS seed'], () => test.restartNode(0, ['-forcednsseed', '-dnsseed=1', UNREACHABLE_PROXY_ARG]), { timeout: 12 }); // A7
    test.restartNode(0);

    // wait_time_tests.
    for (let i = 0; i < 5; i++) node.rpc.addpeeraddress(`192.0.0.${i}`, 8333);
    node.assertDebugLog(['Waiting 11 seconds before querying DNS seeds.\n'], () => test.restartNode(0), { timeout: 2 }); // A8
    for (let i = 0; ; i++) {
      node.rpc.addpeeraddress(`${(i % 2) + 1}.${i % 256}.${i % 100}.1`, 8333);
      if (i > 1000 && i % 100 === 0 && node.rpc.getnodeaddresses(0).length > 1000) break;
    }
    node.assertDebugLog(['Waiting 300 seconds before querying DNS seeds.\n'], () => test.restartNode(0), { timeout: 2 }); // A9
  });
});
