// Warm worlds (the `warmup`, `joins` and `warmupRestart` world settings): the honest network runs
// before the scenario's clock starts, and the scenario (script, metrics, marks, checks) sees only
// what follows; a node that restarted once its table had filled answers GETADDR from it, where a
// node of a cold world answers from the near-empty table of its first minutes for a day.
import { describe, expect, it } from 'vitest';

import { addScriptedPeer, type ScriptedPeer } from '../actors/scripted-peer.ts';
import { findScenario } from '../builtin/registry.ts';
import { runScenario, type RunView } from '../dsl/runner.ts';
import { defineScenario } from '../dsl/scenario.ts';
import { DEFAULT_EPOCH_MICROS } from '../host/sim-clock.ts';
import { simAddressOf } from './address-plan.ts';
import { resolveWorldSettings } from './world-settings.ts';

const MINUTE = 60_000_000;

describe('warm-up settings', () => {
  it('parse as a duration and two distributions of times, off by default, and refuse bad values in one line', () => {
    const d = resolveWorldSettings([]);
    expect(d.texts).toMatchObject({ warmup: 'off', joins: 'off', warmupRestart: 'off' });
    expect(d.settings.warmup).toBe(0);
    const s = resolveWorldSettings(['warmup=90m', 'joins=uniform(0s,20m)', 'warmupRestart=exponential(1h)']);
    expect(s.texts).toMatchObject({ warmup: '1h30m', joins: 'uniform(0s,20m)', warmupRestart: 'exponential(1h)' });
    expect(s.settings.warmup).toBe(90 * MINUTE);
    expect(() => resolveWorldSettings(['warmup=soon'])).toThrow(/^--set: bad value for warmup: "soon" \(expected a duration such as 6h, or off\)$/);
    expect(() => resolveWorldSettings(['joins=uniform(1h)'])).toThrow(/bad value for joins: .*uniform takes 2 arguments/);
    // The mainnet preset warms its world; an explicit --set still wins.
    expect(resolveWorldSettings(['preset=mainnet']).texts).toMatchObject({ warmup: '6h', joins: 'uniform(0s,1h)', warmupRestart: 'uniform(3h,5h)' });
    expect(resolveWorldSettings(['preset=mainnet', 'warmup=off']).settings.warmup).toBe(0);
  });
});

describe('the scenario clock starts after the warm-up', () => {
  it('script, marks, samples and duration count from the end of the warm-up; summary.json says what it reached', () => {
    const seen: { nowAtStart: number; clockAtStart: number } = { nowAtStart: -1, clockAtStart: -1 };
    const def = defineScenario({
      name: 'warm-clock',
      summary: 'test',
      threatModel: 'None.',
      defaults: { nodes: 12, duration: '20m', sampleInterval: '10m' },
      params: {},
      *script(s) {
        seen.nowAtStart = s.now();
        seen.clockAtStart = s.clockSeconds();
        yield s.at('5m');
        s.mark('five minutes in');
      },
    });
    const out = runScenario({ scenario: def, seed: '3', set: ['warmup=40m', 'joins=uniform(0s,10m)', 'warmupRestart=uniform(15m,25m)'] });
    // The script's first step ran 40 minutes of simulated time into the world, at its clock's 0.
    expect(seen.nowAtStart).toBe(0);
    expect(seen.clockAtStart).toBe(Math.floor(DEFAULT_EPOCH_MICROS / 1e6) + 40 * 60);
    expect(out.world.kernel.now()).toBe(60 * MINUTE);
    expect(out.summary.durationMicros).toBe(20 * MINUTE);
    expect(out.result.marks).toEqual([{ tMicros: 5 * MINUTE, label: 'five minutes in' }]);
    expect(out.result.series.network.map((p) => p.tMicros)).toEqual([0, 10 * MINUTE, 20 * MINUTE]);
    const w = out.summary.warmup!;
    expect(w.duration).toBe('40m');
    // Every node joined within 10 minutes and restarted 15-25 minutes later: all 12 within the warm-up.
    expect(w.restarts).toBe(12);
    expect(w.running).toBe(12);
    expect(w.medianFullOutbound).toBeGreaterThan(0);
    expect(w.medianNew).toBeGreaterThan(0);
    // A cold run records no warm-up.
    expect(runScenario({ scenario: def, seed: '3', duration: '10m' }).summary.warmup).toBeUndefined();
  });
});

describe('a warmed world answers GETADDR from a full table', () => {
  // A fresh inbound peer asks a listening node for addresses a few minutes into the scenario. In
  // the cold world the node's GETADDR cache was built in its first minutes, when its table held
  // little, and lives 21-27 h; in the warmed world the node restarted after its table filled.
  function answerSize(warm: boolean): { biggest: number; cache: number | undefined } {
    let peer: ScriptedPeer | undefined;
    let target = -1;
    const warmSets = ['warmup=2h', 'joins=uniform(0s,20m)', 'warmupRestart=uniform(1h,1h30m)'];
    const out = runScenario({
      scenario: findScenario('baseline')!,
      seed: '2',
      nodes: 24,
      duration: '20m',
      set: ['preset=mainnet', 'outsideAnnouncements=poisson(1404/h)', ...(warm ? warmSets : ['warmup=off', 'joins=off', 'warmupRestart=off'])],
      pauseAtMicros: [2 * MINUTE],
      onPause: (_t, view: RunView) => {
        const n = view.world.nodes.find((x) => x.listening && x.connman !== undefined)!;
        target = n.index;
        peer = addScriptedPeer(view.world, { sendGetAddr: true });
        peer.connect(simAddressOf(n.address), n.service.port);
      },
    });
    expect(target).toBeGreaterThanOrEqual(0);
    const conn = [...peer!.connections.values()][0]!;
    return { biggest: Math.max(0, ...conn.addrCounts), cache: out.summary.warmup?.medianGetaddrCache };
  }

  it('far more addresses than the cold world\'s answer', () => {
    const cold = answerSize(false);
    const warm = answerSize(true);
    // Measured at seed 2: cold 7 addresses, warm 416 (median cached answer over listening nodes 385;
    // Core answers with up to 23 % of the table, at most 1,000).
    expect(cold.biggest).toBeLessThan(60);
    expect(warm.biggest).toBeGreaterThan(200);
    expect(warm.biggest).toBeGreaterThan(5 * Math.max(1, cold.biggest));
    expect(warm.cache).toBeGreaterThan(200);
  });
});
