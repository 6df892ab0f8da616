// World settings: defaults, a scenario's own defaults, --set overrides (routed apart from the
// profile's), canonical texts for summary.json, and one-line errors; and what they do to a run:
// blocks mined at pools' gateways (never a victim), transactions relayed, links that differ.
import { describe, expect, it } from 'vitest';

import { findScenario } from '../builtin/registry.ts';
import { runScenario, startRun } from '../dsl/runner.ts';
import { ScenarioError } from '../dsl/scenario.ts';
import { resolveSettings } from './settings.ts';
import { WorldSettingError, resolveWorldSettings } from './world-settings.ts';

describe('resolveWorldSettings', () => {
  it('defaults, then the scenario, then --set; canonical texts', () => {
    const d = resolveWorldSettings([]);
    expect(d.texts).toEqual({ blocks: 'true', blockInterval: 'exponential(10m)', txArrivals: 'poisson(1/10m)', linkLatencyFactor: 'lognormal(1,0.5)', jitter: 'off', natShare: '0.76', reachableShare: '0.19', outsideAnnouncements: 'off', sessionLength: 'off', downtime: 'weibull(0.7,2h)', warmup: 'off', joins: 'off', warmupRestart: 'off', preset: 'default' });
    expect(() => resolveWorldSettings(['natShare=1.5'])).toThrow(/expected a share in \[0, 1\]/);
    expect(d.settings.blocks).toBe(true);
    expect(d.settings.jitter).toBeNull();
    const s = resolveWorldSettings(['txArrivals=off', 'jitter=erlang(3,2ms)'], { blocks: 'false' });
    expect(s.texts).toMatchObject({ blocks: 'false', txArrivals: 'off', jitter: 'erlang(3,2ms)' });
    expect(s.settings.jitter).toEqual({ type: 'erlang', shape: 3, scale: 2000 });
  });

  it('refuses unknown keys, bad values, off where it cannot be, and a key given twice', () => {
    expect(() => resolveWorldSettings(['blocks=maybe'])).toThrow(/bad value for blocks: "maybe"/);
    expect(() => resolveWorldSettings(['blockInterval=off'])).toThrow(/blockInterval cannot be off/);
    expect(() => resolveWorldSettings(['jitter=pareto(1,2)'])).toThrow(WorldSettingError);
    expect(() => resolveWorldSettings(['jitter=off', 'jitter=off'])).toThrow(/given more than once/);
    expect(() => resolveWorldSettings(['lightspeed=1'])).toThrow(/unknown world setting "lightspeed"/);
  });

  it('--set is split between the profile and the world', () => {
    const r = resolveSettings('core-master', ['feelers=false', 'blocks=false', 'maxConnections=125']);
    expect(r.profile.settings.feelers).toBe(false);
    expect(r.profile.connman.maxConnections).toBe(125);
    expect(r.world.settings.blocks).toBe(false);
    expect(() => resolveSettings('core-master', ['frobnicate=1'])).toThrow(/unknown setting "frobnicate"/);
  });
});

describe('a default world', () => {
  it('mines blocks at pool gateways (never the victim), relays transactions, and its links differ', () => {
    const driver = startRun({ scenario: findScenario('inbound-flood')!, seed: '5', nodes: 30, duration: '3h', params: ['sybils=10', 'victims=1', 'attackAt=2h'] });
    while (!driver.advance(1_000_000));
    const out = driver.finish();
    expect(out.summary.world).toMatchObject({ blocks: 'true' });
    const victim = out.summary.victims[0]!;
    const tips = out.world.nodes.map((n) => n.context?.blocks?.bestHeight() ?? -1);
    // About 18 blocks in 3 h; every running node has followed the chain.
    expect(Math.max(...tips)).toBeGreaterThan(8);
    expect(tips.filter((t) => t === Math.max(...tips)).length).toBeGreaterThan(25);
    const stats = out.world.nodes[victim]!.connman!.getNodeStats();
    expect(stats.some((s) => s.lastBlockSeconds > 0)).toBe(true);
    expect(stats.some((s) => s.lastTxSeconds > 0)).toBe(true);
    // Distinct links: the victim's peers' minimum pings are (almost) all different.
    const pings = stats.map((s) => s.minPingMicros).filter((p) => p > 0 && Number.isFinite(p));
    expect(new Set(pings).size).toBeGreaterThanOrEqual(pings.length - 1);
  });

  it('a bad world setting is a ScenarioError before anything is built', () => {
    expect(() => runScenario({ scenario: findScenario('baseline')!, seed: '1', set: ['txArrivals=poisson(7)'] })).toThrow(ScenarioError);
  });
});
