// The ten-line p2p test of TESTING.md: a peer that never answers our pings is dropped when the
// ping times out (Core: MaybeSendPing, TIMEOUT_INTERVAL), checked on Core's log line. The second
// test runs it over many seeds (CONNSIM_SEEDS, default 20; TESTING.md runs 1,000).
import { describe, it } from 'vitest';
import { mockForwarder, P2PInterface, TestFramework } from '../index.ts';

class NoPong extends P2PInterface {
  override onPing(): void {}
}

function pingTimeout(seed = 0): void {
  const test = new TestFramework({ seed, extraArgs: [['-peertimeout=1']] });
  const node = test.nodes[0]!;
  const forward = mockForwarder(node);
  forward(0);
  const peer = node.addP2PConnection(new NoPong());
  node.assertDebugLog(['ping timeout: 1201.000000s'], () => {
    forward(20 * 60 + 1);
    peer.waitForDisconnect();
  });
}

describe('a test written against connsim/testing', () => {
  it('drops a peer that never answers pings after 20 minutes', () => pingTimeout());

  const seeds = Number(process.env['CONNSIM_SEEDS'] ?? 20);
  it(`holds for ${seeds} seeds`, () => {
    for (let seed = 0; seed < seeds; seed++) pingTimeout(seed);
  });
});
