// The AS model: the synthetic table's shape, its asmap read back by connman's interpreter, and a
// real asmap file decoded into allocatable prefixes (skipped when ../shared/data is absent).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { checkStandardAsmap, interpret } from '../../connman/netgroup/asmap.ts';
import { NetAddr } from '../../connman/protocol/netaddress.ts';
import { NetGroupManager } from '../../connman/netgroup/netgroup.ts';
import { Rng } from '../../sim/index.ts';
import { AsModel, AsModelError } from './as-model.ts';
import { SHARED_DATA_DIR } from '../../connman/testing/shared-data.test-helper.ts';

const DATA = SHARED_DATA_DIR;
const IP_ASN = join(DATA, 'ip_asn.dat');
const haveIpAsn = existsSync(IP_ASN);
if (!haveIpAsn) console.warn(`skipping the real asmap tests: ${IP_ASN} is absent`);

function ip16(a: NetAddr): Uint8Array {
  if (!a.isIPv4()) return a.addr;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(a.addr, 12);
  return out;
}

describe('AsModel.synthetic', () => {
  const model = AsModel.synthetic(new Rng('as-model-test'), { asns: 120, hostingAsns: 4, hostingSlash16s: 20 });

  it('is a valid asmap and deterministic for a seed', () => {
    expect(checkStandardAsmap(model.asmap)).toBe(true);
    const again = AsModel.synthetic(new Rng('as-model-test'), { asns: 120, hostingAsns: 4, hostingSlash16s: 20 });
    expect(Buffer.from(again.asmap).equals(Buffer.from(model.asmap))).toBe(true);
    const other = AsModel.synthetic(new Rng('another seed'), { asns: 120, hostingAsns: 4, hostingSlash16s: 20 });
    expect(Buffer.from(other.asmap).equals(Buffer.from(model.asmap))).toBe(false);
  });

  it('has Zipf-like shares, a few hosting ASNs with many /16s and small ASNs sharing /16s', () => {
    expect(model.asns.length).toBe(120);
    const total = model.asns.reduce((s, a) => s + a.share, 0);
    expect(total).toBeCloseTo(1, 12);
    // Zipf s=1: share(rank 1) / share(rank 2) = 2.
    expect(model.asns[0]!.share / model.asns[1]!.share).toBeCloseTo(2, 10);
    const hosting = model.asns.filter((a) => a.kind === 'hosting');
    expect(hosting.length).toBe(4);
    for (const h of hosting) expect(h.slash16s.length).toBe(20);
    expect(model.bigAsns(4).map((a) => a.asn).sort()).toEqual(hosting.map((a) => a.asn).sort());
    const small = model.asns.filter((a) => a.kind === 'small');
    expect(small.length).toBe(60);
    for (const a of small) expect(a.v4Blocks).toEqual([expect.objectContaining({ bits: 20 })]);
    // 16 small ASNs per shared /16.
    const perS16 = new Map<number, number>();
    for (const a of small) perS16.set(a.slash16s[0]!, (perS16.get(a.slash16s[0]!) ?? 0) + 1);
    expect(Math.max(...perS16.values())).toBe(16);
  });

  it('maps every block to its ASN through connman\'s interpreter and NetGroupManager', () => {
    const ng = NetGroupManager.withAsmap(model.asmap);
    const rng = new Rng('probe');
    for (const as of model.asns) {
      for (const b of as.v4Blocks) {
        const a = model.addressInV4Block(b, rng)!;
        expect(interpret(model.asmap, ip16(a))).toBe(as.asn);
        expect(ng.getMappedAS(a)).toBe(as.asn);
        expect(model.asnOf(a)).toBe(as.asn);
      }
      for (const b of as.v6Blocks) {
        const a = model.addressInV6Block(b, rng)!;
        expect(a.isRoutable()).toBe(true);
        expect(ng.getMappedAS(a)).toBe(as.asn);
      }
    }
    // Outside the model: unmapped.
    let s16 = 0x0b00; // 11.0/16 upward: the first /16 the model does not cover maps to no ASN
    while (model.coversSlash16(s16)) s16++;
    expect(model.asnOf(NetAddr.fromIPv4(((s16 << 16) | 0x0101) >>> 0))).toBe(0);
  });

  it('draws addresses whose ASNs follow the shares', () => {
    const rng = new Rng('draws');
    const used = new Set<string>();
    const counts = new Map<number, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const a = model.drawAddress('ipv4', rng, (x) => !used.has(x.addrKey), (x) => (used.has(x.addrKey) ? false : (used.add(x.addrKey), true)));
      const asn = model.asnOf(a);
      counts.set(asn, (counts.get(asn) ?? 0) + 1);
    }
    expect(counts.has(0)).toBe(false);
    const top = model.asns[0]!;
    // Binomial sd for p≈0.18, n=4000 is ~0.006; allow 4 sd.
    expect(Math.abs((counts.get(top.asn) ?? 0) / n - top.share)).toBeLessThan(0.025);
  });
});

describe('AsModel.fromAsmap', () => {
  it('rejects a corrupt asmap with AsModelError', () => {
    expect(() => AsModel.fromAsmap(new Uint8Array(0))).toThrow(AsModelError);
    expect(() => AsModel.fromAsmap(Uint8Array.of(0xff, 0xff, 0xff, 0x01))).toThrow(/sanity check/);
  });

  it('round-trips a synthetic model\'s asmap into the same ASNs and /16s', () => {
    const model = AsModel.synthetic(new Rng('round-trip'), { asns: 40, hostingAsns: 2, hostingSlash16s: 8 });
    const back = AsModel.fromAsmap(model.asmap);
    expect(back.asns.map((a) => a.asn).sort((x, y) => x - y)).toEqual(model.asns.map((a) => a.asn).sort((x, y) => x - y));
    for (const as of model.asns) expect(back.info(as.asn)!.slash16s).toEqual(as.slash16s);
    const weights = new Map(model.asns.map((a) => [a.asn, a.share] as [number, number]));
    const weighted = AsModel.fromAsmap(model.asmap, { weights });
    expect(weighted.asns[0]!.asn).toBe(model.asns[0]!.asn);
  });

  it.skipIf(!haveIpAsn)('decodes Core\'s ip_asn.dat into prefixes whose addresses map back to their ASN', () => {
    const bytes = new Uint8Array(readFileSync(IP_ASN));
    const model = AsModel.fromAsmap(bytes, { weights: new Map([[24940, 10], [16509, 5], [3320, 1]]) });
    expect(model.asns.length).toBeGreaterThan(10_000);
    const rng = new Rng('real');
    for (const asn of [24940, 16509, 3320]) {
      const info = model.info(asn)!;
      expect(info.v4Blocks.length).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) {
        const a = model.addressInV4Block(rng.pick(info.v4Blocks), rng);
        if (a !== null) expect(model.asnOf(a)).toBe(asn);
      }
    }
    const used = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const a = model.drawAddress('ipv4', rng, (x) => !used.has(x.addrKey), (x) => (used.add(x.addrKey), true));
      expect([24940, 16509, 3320]).toContain(model.asnOf(a));
    }
  }, 60_000);
});

describe("Core's test asmap (src/test/data/asmap.raw)", () => {
  const TEST_ASMAP = join(DATA, 'asmap-test.raw');
  const have = existsSync(TEST_ASMAP);
  if (!have) console.warn(`skipping the test-asmap world tests: ${TEST_ASMAP} is absent`);

  it.skipIf(!have)('maps no IPv6 with a node share: a world with IPv6 nodes places them outside it (unmapped), as Core would see them', async () => {
    const bytes = new Uint8Array(readFileSync(TEST_ASMAP));
    const model = AsModel.fromAsmap(bytes);
    expect(model.hasFamily('ipv4')).toBe(true);
    expect(model.hasFamily('ipv6')).toBe(false);
    const { runScenario } = await import('../dsl/runner.ts');
    const { findScenario } = await import('../builtin/registry.ts');
    // This crashed with "AS model: no ASN with a node share has ipv6 prefixes" before any event ran.
    const { summary } = runScenario({ scenario: findScenario('baseline')!, seed: '1', nodes: 40, duration: '10m', asmap: { bytes, file: { path: TEST_ASMAP, sha256: 'x' } } });
    expect(summary.healthy).toBe(true);
  });

  it.skipIf(!have)('an attacker spread its largest ASes cannot host is refused before the attack, naming the parameters', async () => {
    const bytes = new Uint8Array(readFileSync(TEST_ASMAP));
    const { runScenario } = await import('../dsl/runner.ts');
    const { findScenario } = await import('../builtin/registry.ts');
    expect(() => runScenario({ scenario: findScenario('erebus')!, seed: '1', nodes: 40, asmap: { bytes, file: { path: TEST_ASMAP, sha256: 'x' } } })).toThrow(
      /3 ASes of 40 \/16s each \(--param asns, slash16sPerAsn\): AS\d+ owns \d+ \/16s, cannot spread over 40/,
    );
  });
});
