// `connsim addr`'s placement: Core's rpc_net.py getrawaddrman table and addrman_tests' bucket vectors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { addrPlacement, PlacementError } from './addr-placement.ts';
import { AsmapLookup } from '../connman/netgroup/asmap.ts';
import { NetGroupManager } from '../connman/netgroup/netgroup.ts';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
const TEST_ASMAP = join(DATA, 'asmap-test.raw');
const haveTestAsmap = existsSync(TEST_ASMAP);
if (!haveTestAsmap) console.warn(`skipping asmap placement vectors: ${TEST_ASMAP} is absent`);

const NKEY1 = '41f758f2e5cc078d3795b4fc0cb60c2d735fa92cc020572bdc982dd2d564d11b';
const plain = NetGroupManager.noAsmap();

describe('addrPlacement: rpc_net.py getrawaddrman positions (deterministic key, source = address)', () => {
  const table: [string, 'new' | 'tried', number, number, string, string][] = [
    ['2.0.0.0:8333', 'new', 82, 8, 'ipv4', '010200'],
    ['[fc00:1:2:3:4:5:6:7]:8333', 'new', 336, 24, 'cjdns', '05fc0f'],
    ['c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p:8333', 'new', 963, 46, 'i2p', '041f'],
    ['[2803:0:1234:abcd::1]:45324', 'new', 613, 6, 'ipv6', '0228030000'],
    ['1.2.3.4:8333', 'tried', 6, 33, 'ipv4', '010102'],
    ['[1233:3432:2434:2343:3234:2345:6546:4534]:8333', 'tried', 197, 34, 'ipv6', '0212333432'],
    ['pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333', 'tried', 72, 61, 'onion', '037f'],
    ['nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion:45324', 'tried', 139, 46, 'onion', '036f'],
  ];
  for (const [addr, table_, bucket, position, network, group] of table) {
    it(`${addr} → ${table_} ${bucket}/${position}`, () => {
      const p = addrPlacement({ addr }, plain);
      expect(p.network).toBe(network);
      expect(p.netgroup).toBe(group);
      expect(p.mapped_as).toBe(0);
      if (table_ === 'new') expect([p.new_bucket, p.new_position]).toEqual([bucket, position]);
      else expect([p.tried_bucket, p.tried_position]).toEqual([bucket, position]);
    });
  }

  it('1.2.5.45:8333 collides with 1.2.3.4:8333 in tried 6/33 (test_addpeeraddress)', () => {
    const p = addrPlacement({ addr: '1.2.5.45:8333' }, plain);
    expect([p.tried_bucket, p.tried_position]).toEqual([6, 33]);
  });

  it('the default port is 8333', () => {
    expect(addrPlacement({ addr: '2.0.0.0' }, plain)).toEqual(addrPlacement({ addr: '2.0.0.0:8333' }, plain));
  });
});

describe('addrPlacement: addrman_tests bucket vectors (nKey1)', () => {
  it('caddrinfo_get_tried_bucket_legacy: 250.1.1.1:8333 → tried bucket 40, position 28', () => {
    const p = addrPlacement({ addr: '250.1.1.1:8333', key: NKEY1 }, plain);
    expect([p.tried_bucket, p.tried_position]).toEqual([40, 28]);
  });
  it('caddrinfo_get_new_bucket_legacy: 250.1.2.1:8333 → new bucket 786, position 55; the port does not matter', () => {
    const p = addrPlacement({ addr: '250.1.2.1:8333', key: NKEY1 }, plain);
    expect([p.new_bucket, p.new_position]).toEqual([786, 55]);
    expect(addrPlacement({ addr: '250.1.2.1:9999', key: NKEY1 }, plain).new_bucket).toBe(786);
  });
  it.skipIf(!haveTestAsmap)('with the test asmap: tried 236, new 795, AS1000 group', () => {
    const m = NetGroupManager.withAsmap(new AsmapLookup(new Uint8Array(readFileSync(TEST_ASMAP))));
    const t = addrPlacement({ addr: '250.1.1.1:8333', key: NKEY1 }, m);
    expect(t.tried_bucket).toBe(236);
    expect(t.mapped_as).toBe(1000);
    expect(t.netgroup).toBe('02e8030000');
    expect(addrPlacement({ addr: '250.1.2.1:8333', key: NKEY1 }, m).new_bucket).toBe(795);
  });
  it('the source picks the new bucket, not the tried one', () => {
    const a = addrPlacement({ addr: '250.1.1.1:8333', source: '250.1.1.1', key: NKEY1 }, plain);
    const b = addrPlacement({ addr: '250.1.1.1:8333', source: '101.2.1.1:8333', key: NKEY1 }, plain);
    expect(a.new_bucket).not.toBe(b.new_bucket);
    expect([a.tried_bucket, a.tried_position]).toEqual([b.tried_bucket, b.tried_position]);
  });
});

describe('addrPlacement: bad input', () => {
  it('rejects an unparsable address, source or key with a PlacementError', () => {
    expect(() => addrPlacement({ addr: '257.0.0.1' }, plain)).toThrow(PlacementError);
    expect(() => addrPlacement({ addr: '1.2.3.4', source: 'nonsense' }, plain)).toThrow(PlacementError);
    expect(() => addrPlacement({ addr: '1.2.3.4', key: '01' }, plain)).toThrow(/64 hex digits/);
  });
});
