// Profiles: every profile resolves to Connman options a Connman accepts, the order and steps between
// versions are as documented, overrides parse and validate, and errors list what is valid.
import { describe, expect, it } from 'vitest';
import { LegacyAddrMan } from '../../connman/profiles/addrman-legacy.ts';
import { defaultConnmanOptions } from '../../connman/net/options.ts';
import { hours, seconds } from '../../sim/time.ts';
import {
  DEFAULT_PROFILE,
  ProfileError,
  SETTINGS,
  describeProfilesTable,
  describeSettingsTable,
  listProfiles,
  resolveProfile,
  type ProfileSettings,
} from './profiles.ts';
import { World } from './world.ts';

describe('profiles', () => {
  it('lists profiles oldest first with master last, and every profile resolves', () => {
    const names = listProfiles().map((p) => p.name);
    expect(names).toEqual([
      'core-v0.10',
      'core-v0.10.1',
      'core-v0.12',
      'core-v0.14',
      'core-v0.17',
      'core-v0.19',
      'core-v0.21',
      'core-v22',
      'core-v26',
      'core-v28',
      'core-master',
    ]);
    expect(DEFAULT_PROFILE).toBe('core-master');
    for (const p of listProfiles()) {
      const r = resolveProfile(p.name, []);
      expect(r.settings).toEqual(p.settings);
      expect(Object.keys(r.settings).sort()).toEqual(SETTINGS.map((s) => s.key).sort());
      expect(r.describe()).toContain(p.name);
      expect(r.overrides).toEqual([]);
    }
  });

  it("core-master's Connman options equal Connman's defaults", () => {
    const r = resolveProfile('core-master', []);
    const d = defaultConnmanOptions() as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(r.connman)) expect([k, v]).toEqual([k, d[k]]);
    expect(r.useAsmap).toBe(false);
  });

  it('core-v0.10 is the pre-Heilman node', () => {
    const r = resolveProfile('core-v0.10', []);
    expect(r.connman).toMatchObject({
      maxConnections: 125,
      maxOutboundFullRelay: 8,
      maxBlockRelayOnly: 0,
      feelers: false,
      testBeforeEvict: false,
      anchors: false,
      addrmanLegacy: 'v0.10',
      inboundVersionGood: true,
      protocolVersion: 70002,
      addrRateLimit: false,
      inboundEviction: false,
      evictionProtectRecentActivity: false,
      evictionProtectBlockRelay: false,
      staleTipExtraPeers: false,
      chainSyncEviction: false,
      extraBlockRelayPeers: false,
      inboundRelayCap: false,
      networkSpecificExtraPeers: false,
      seednodeBehaviour: 'all-at-start',
    });
  });

  it('each step switches on exactly the countermeasures of its release', () => {
    const ps = listProfiles();
    const diff = (a: ProfileSettings, b: ProfileSettings): string[] =>
      SETTINGS.map((s) => s.key).filter((k) => a[k] !== b[k]);
    const steps = ps.slice(1).map((p, i) => [p.name, diff(ps[i]!.settings, p.settings)]);
    expect(steps).toEqual([
      ['core-v0.10.1', ['addrmanLegacy']],
      ['core-v0.12', ['protocolVersion', 'inboundEviction']],
      ['core-v0.14', ['feelers', 'inboundVersionGood', 'protocolVersion', 'evictionProtectRecentActivity']],
      ['core-v0.17', ['testBeforeEvict', 'staleTipExtraPeers', 'chainSyncEviction']],
      ['core-v0.19', ['maxBlockRelayOnly']],
      ['core-v0.21', ['anchors', 'protocolVersion', 'evictionProtectBlockRelay']],
      ['core-v22', ['addrRateLimit', 'extraBlockRelayPeers']],
      ['core-v26', ['networkSpecificExtraPeers']],
      ['core-v28', ['seednodeBehaviour']],
      ['core-master', ['maxConnections', 'protocolVersion', 'inboundRelayCap']],
    ]);
  });

  it('applies overrides in order and reports them; a setting given twice is refused, not silently the last', () => {
    expect(() => resolveProfile('core-master', ['feelers=false', 'asmap=on', 'feelers=1'])).toThrow(/setting "feelers" is given more than once \(--set\)/);
    const r = resolveProfile('core-master', ['feelers=false', 'asmap=on', 'maxConnections=125', 'addrmanLegacy=v0.10']);
    expect(r.settings.feelers).toBe(false);
    expect(r.useAsmap).toBe(true);
    expect(r.connman.maxConnections).toBe(125);
    expect(r.connman.addrmanLegacy).toBe('v0.10');
    expect(r.overrides).toEqual([
      { key: 'feelers', value: 'false' },
      { key: 'asmap', value: 'true' },
      { key: 'maxConnections', value: '125' },
      { key: 'addrmanLegacy', value: 'v0.10' },
    ]);
    expect(r.describe()).toMatch(/maxConnections\s+= 125 {2}\(overridden; profile: 200\)/);
    expect(resolveProfile('core-v0.10', ['addrmanLegacy=none']).connman.addrmanLegacy).toBeNull();
  });

  it('rejects unknown profiles, unknown keys and bad values with a helpful message', () => {
    expect(() => resolveProfile('core-v0.9', [])).toThrow(ProfileError);
    expect(() => resolveProfile('core-v0.9', [])).toThrow(/valid profiles: core-v0.10, .*core-master/);
    expect(() => resolveProfile('core-master', ['feeler=true'])).toThrow(/unknown setting "feeler"; valid keys: maxConnections, /);
    expect(() => resolveProfile('core-master', ['feelers'])).toThrow(/expected key=value/);
    expect(() => resolveProfile('core-master', ['feelers=maybe'])).toThrow(/expected a boolean/);
    expect(() => resolveProfile('core-master', ['maxBlockRelayOnly=3'])).toThrow(/out of range \(expected an integer in 0..2\)/);
    expect(() => resolveProfile('core-master', ['maxConnections=1.5'])).toThrow(/expected an integer/);
    expect(() => resolveProfile('core-master', ['addrmanLegacy=v0.9'])).toThrow(/expected one of none, v0.10/);
  });

  it('documents every setting with its Core origin', () => {
    const t = describeSettingsTable();
    for (const s of SETTINGS) {
      expect(t).toContain(s.key);
      expect(s.introduced.length).toBeGreaterThan(0);
    }
    expect(t).toContain('PR #9037');
    expect(describeProfilesTable()).toContain('core-v0.10.1');
  });
});

describe('core-v0.10 in a World', () => {
  it('a v0.10 node keeps its address tables across a graceful restart (v0.10 peers.dat)', () => {
    const world = new World({ seed: 10, nodes: 30, listeningShare: 0.6, staleAddresses: 40, connman: resolveProfile('core-v0.10').connman });
    world.runUntil(hours(1));
    const k = world.nodes.find((n) => !n.listening && n.connman!.addrman.nTried > 0)!.index;
    const before = world.nodes[k]!.connman!.addrman;
    expect(before).toBeInstanceOf(LegacyAddrMan);
    const names = (am: LegacyAddrMan, t: number[][]): string[][] => t.map((b) => b.map((nid) => am.addressOf(nid).toStringAddrPort()).sort());
    const legacyBefore = before as LegacyAddrMan;
    const tried = names(legacyBefore, legacyBefore.legacyTried);
    const fresh = names(legacyBefore, legacyBefore.legacyNew);
    expect(legacyBefore.nTried).toBeGreaterThan(0);
    expect(legacyBefore.nNew).toBeGreaterThan(0);
    // Downtime 0: the node starts again at once, so its tables are compared before it does anything.
    world.restartNode(k, 0);
    const after = world.nodes[k]!.connman!.addrman as LegacyAddrMan;
    expect(after).not.toBe(before);
    expect(after).toBeInstanceOf(LegacyAddrMan);
    expect(after.nTried).toBe(legacyBefore.nTried);
    expect(after.nNew).toBe(legacyBefore.nNew);
    expect(names(after, after.legacyTried)).toEqual(tried);
    expect(names(after, after.legacyNew)).toEqual(fresh);
    expect(after.checkAddrman()).toBe(0);
    world.runFor(seconds(60));
    expect(world.nodes[k]!.connman!.getNodeCount()).toBeGreaterThan(0);
  });
});
