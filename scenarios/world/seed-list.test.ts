// parseSeedList on Core's real nodes_main.txt (when present) and on hand-made text.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { Network } from '../../connman/protocol/netaddress.ts';
import { SeedListError, asCountsFromSeedList, parseSeedList } from './seed-list.ts';
import { SHARED_DATA_DIR } from '../../connman/testing/shared-data.test-helper.ts';

const DATA = SHARED_DATA_DIR;
const NODES_MAIN = join(DATA, 'nodes_main.txt');
const haveNodesMain = existsSync(NODES_MAIN);
if (!haveNodesMain) console.warn(`skipping the real seed list tests: ${NODES_MAIN} is absent`);

describe('parseSeedList', () => {
  it('parses every family, comments and blank lines, in file order', () => {
    const text = [
      '# a comment line',
      '',
      '1.2.3.4:8333 # AS3320',
      '   [2001:4860:4860::8888]:8333   ',
      '[fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa]:8333',
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333',
      'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0',
      '5.6.7.8',
      '\t',
    ].join('\n');
    const list = parseSeedList(text);
    expect(list.map((s) => s.toStringAddrPort())).toEqual([
      '1.2.3.4:8333',
      '[2001:4860:4860::8888]:8333',
      '[fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa]:8333',
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333',
      'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0',
      '5.6.7.8:0',
    ]);
    expect(list.map((s) => s.net)).toEqual([Network.NET_IPV4, Network.NET_IPV6, Network.NET_CJDNS, Network.NET_ONION, Network.NET_I2P, Network.NET_IPV4]);
  });

  it('names the line number of a bad line', () => {
    const bad = (text: string, line: number): void => {
      let err: unknown;
      try {
        parseSeedList(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SeedListError);
      expect((err as SeedListError).line).toBe(line);
      expect((err as SeedListError).message).toContain(`line ${line}`);
    };
    bad('1.2.3.4:8333\n\n# x\nnot-an-address:8333\n', 4);
    bad('1.2.3.4:99999', 1);
    bad('1.2.3.4:83a3', 1);
    bad('1.2.3.4:8333\n10.0.0.1:8333', 2); // private, not routable
    bad('abc.onion:8333', 1); // not a v3 onion
    bad('[2001:db8::1]:8333', 1); // documentation prefix
  });

  it('counts "# AS<n>" comments', () => {
    const counts = asCountsFromSeedList('1.2.3.4:8333 # AS3320\n5.6.7.8:8333 # AS7018\n9.9.9.9:8333 # AS3320\n[2001:4860::1]:8333\n');
    expect([...counts.entries()]).toEqual([
      [3320, 2],
      [7018, 1],
    ]);
  });

  it.skipIf(!haveNodesMain)('parses Core\'s nodes_main.txt: every line, every family', () => {
    const text = readFileSync(NODES_MAIN, 'utf8');
    const lines = text.split('\n').filter((l) => l.replace(/#.*/, '').trim() !== '').length;
    const list = parseSeedList(text);
    expect(list.length).toBe(lines);
    const byNet = new Map<Network, number>();
    for (const s of list) byNet.set(s.net, (byNet.get(s.net) ?? 0) + 1);
    for (const net of [Network.NET_IPV4, Network.NET_IPV6, Network.NET_ONION, Network.NET_I2P, Network.NET_CJDNS]) expect(byNet.get(net) ?? 0).toBeGreaterThan(0);
    for (const s of list) expect(s.isRoutable()).toBe(true);
    for (const s of list) if (s.isI2P()) expect(s.port).toBe(0);
    expect(new Set(list.map((s) => s.key)).size).toBe(list.length);
    const asns = asCountsFromSeedList(text);
    expect(asns.size).toBeGreaterThan(50);
  });
});
