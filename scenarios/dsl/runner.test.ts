// The runner's steps as a user meets them: a timeline that cannot fit in the run is refused
// before anything runs; a script still waiting when the run ends fails a check instead of
// passing silently; a run whose simulated time stops advancing is stopped with a reason; and
// driving a run in slices changes nothing.
import { describe, expect, it } from 'vitest';

import { findScenario } from '../builtin/registry.ts';
import { SMALL } from '../builtin/small-configs.ts';
import { runScenario, startRun } from './runner.ts';
import { ScenarioError, defineScenario } from './scenario.ts';

const tiny = {
  summary: 'runner test',
  threatModel: 'None.',
  defaults: { nodes: 3, duration: '10m', sampleInterval: '5m' },
} as const;

describe('the timeline', () => {
  it('a declared step after the end is refused before the run starts, naming the step and the fix', () => {
    const def = defineScenario({
      ...tiny,
      name: 'late-attack',
      params: { attackAt: { type: 'duration', default: '1h', description: 'when' } },
      timeline: (p) => [{ what: 'the attack starts', atMicros: p.attackAt }],
      *script(s, p) {
        yield s.at(p.attackAt);
      },
    });
    expect(() => runScenario({ scenario: def, seed: '1' })).toThrow(/late-attack: the attack starts at 1h, but the run ends at 10m: give a --duration longer than 1h/);
    // Within the run it is fine.
    expect(runScenario({ scenario: def, seed: '1', duration: '2h' }).summary.passed).toBe(true);
  });

  it("the built-in attacks declare theirs: eclipse-botnet's attack cannot start after a 20-minute run", () => {
    const botnet = findScenario('eclipse-botnet')!;
    expect(() => startRun({ scenario: botnet, seed: '1', profile: 'core-v0.10', duration: '20m' })).toThrow(ScenarioError);
    expect(() => startRun({ scenario: botnet, seed: '1', profile: 'core-v0.10', duration: '20m' })).toThrow(/the attack starts at 30m, but the run ends at 20m/);
    const slowloris = findScenario('slowloris')!;
    expect(() => startRun({ scenario: slowloris, seed: '1', duration: '10m', params: ['attackAt=5h'] })).toThrow(/the attack starts at 5h/);
  });

  it('a script still waiting when the run ends fails the "script timeline" check', () => {
    const def = defineScenario({
      ...tiny,
      name: 'undeclared-late',
      params: {},
      *script(s) {
        yield s.at('3h');
        s.check('never reached', { passed: true, detail: 'after the wait' });
      },
    });
    const { summary } = runScenario({ scenario: def, seed: '1' });
    expect(summary.passed).toBe(false);
    const check = summary.checks.find((c) => c.name === 'script timeline');
    expect(check?.passed).toBe(false);
    expect(check?.detail).toMatch(/still waiting for 3h when the run ended at 10m/);
    expect(summary.checks.some((c) => c.name === 'never reached')).toBe(false);
  });
});

describe('world options', () => {
  it("a request's world options are laid over the population's defaults and its Connman options over the profile's (benchmarks pin theirs)", () => {
    const def = defineScenario({
      ...tiny,
      name: 'pinned',
      params: {},
      defaults: { nodes: 20, duration: '1m', sampleInterval: '1m' },
      *script(s) {
        yield s.at(s.durationMicros);
      },
    });
    const listeners = (o: ReturnType<typeof runScenario>) => o.world.nodes.filter((n) => n.listening).length;
    // 20 nodes: the default share gives 24 listeners' worth, i.e. every node; a pinned share of 0.5 gives half.
    expect(listeners(runScenario({ scenario: def, seed: '1' }))).toBe(20);
    const pinned = runScenario({ scenario: def, seed: '1', world: { listeningShare: 0.5, connman: { discover: false } } });
    expect(listeners(pinned)).toBe(10);
    expect(pinned.world.nodes.length).toBe(20);
    // Its Connman options are laid over the profile's: the pinned one wins, the profile's others stay.
    expect(pinned.world.connmanOptionsFor(0).discover).toBe(false);
    expect(pinned.profile.connman.protocolVersion).toBe(70017);
    expect(pinned.world.connmanOptionsFor(0).protocolVersion).toBe(70017);
  });

  it("a request's world settings are laid over the scenario's; --set still wins, and only --set is in the run's identity", () => {
    const def = defineScenario({
      ...tiny,
      name: 'pinned-settings',
      params: {},
      world: { natShare: '1' },
      defaults: { nodes: 16, duration: '1m', sampleInterval: '1m' },
      *script(s) {
        yield s.at(s.durationMicros);
      },
    });
    const natted = (o: ReturnType<typeof runScenario>) => o.world.nodes.filter((n) => n.behindNat).length;
    const base = { scenario: def, seed: '1', world: { listeningShare: 0.5 } };
    const scenarios = runScenario(base);
    expect(natted(scenarios)).toBeGreaterThan(0);
    const pinned = runScenario({ ...base, worldSettings: { natShare: '0' } });
    expect(natted(pinned)).toBe(0);
    expect(pinned.summary.world.natShare).toBe('0');
    expect(natted(runScenario({ ...base, worldSettings: { natShare: '0' }, set: ['natShare=1'] }))).toBe(natted(scenarios));
    // The same world reached through worldSettings and through --set: --set is part of the digest's identity string.
    const viaSet = runScenario({ ...base, world: { listeningShare: 0.5 }, set: ['natShare=0'] });
    expect(natted(viaSet)).toBe(0);
    expect(viaSet.summary.digest).not.toBe(pinned.summary.digest);
  });
});

describe('driving a run', () => {
  it('stops a run whose simulated time no longer advances, saying where and why', () => {
    const def = defineScenario({
      ...tiny,
      name: 'zero-waits',
      params: {},
      *script(s) {
        yield s.wait('1m');
        for (;;) yield s.wait(0);
      },
    });
    expect(() => runScenario({ scenario: def, seed: '1', stuckEventLimit: 10_000 })).toThrow(/zero-waits: simulated time stopped at 1m: 10,000 events ran at that instant/);
  });

  it('in slices of a few events gives the same summary and result as in one go', () => {
    const def = findScenario('baseline')!;
    const req = { ...SMALL.baseline!, scenario: def, seed: '3', duration: '10m' };
    const whole = runScenario(req);
    const driver = startRun(req);
    let slices = 0;
    while (!driver.advance(997)) slices++;
    const sliced = driver.finish();
    expect(slices).toBeGreaterThan(10);
    expect(JSON.stringify(sliced.summary)).toBe(JSON.stringify(whole.summary));
    expect(JSON.stringify(sliced.result)).toBe(JSON.stringify(whole.result));
  });
});

describe('pauses', () => {
  it('pausing at chosen times calls onPause in order and leaves the run identical, event for event', () => {
    const def = findScenario('baseline')!;
    const plain = runScenario({ scenario: def, seed: '4', ...SMALL.baseline });
    const seen: string[] = [];
    const paused = runScenario({
      scenario: def,
      seed: '4',
      ...SMALL.baseline,
      // Unsorted, duplicated and one past the end: sorted, deduplicated, the late one dropped.
      pauseAtMicros: [600_000_000, 60_000_000, 600_000_000, 7_777_777, 99 * 3_600_000_000],
      onPause: (t, view) => seen.push(`${t}:${view.world.kernel.now()}:${view.world.nodes.length}`),
    });
    expect(seen).toEqual(['7777777:7777777:20', '60000000:60000000:20', '600000000:600000000:20']);
    expect(JSON.stringify(paused.summary)).toBe(JSON.stringify(plain.summary));
    expect(JSON.stringify(paused.result)).toBe(JSON.stringify(plain.result));
  });
});

describe('checks and metrics', () => {
  const withMetrics = (record: (s: { metric(name: string, v: number): void }) => void) =>
    defineScenario({
      ...tiny,
      name: 'metric-kinds',
      params: {},
      metrics: {
        eclipsed: { kind: 'indicator', description: 'victim eclipsed' },
        share: { kind: 'share', description: 'attacker share' },
        count: { kind: 'count', description: 'connections' },
      },
      *script(s) {
        yield s.wait('1m');
        record(s);
      },
    });

  it('a metric must fit its declared kind and be declared; the summary carries each kind', () => {
    expect(() => runScenario({ scenario: withMetrics((s) => s.metric('eclipsed', 0.5)), seed: '1' })).toThrow(/metric "eclipsed" = 0.5 is not an indicator \(victim eclipsed\)/);
    expect(() => runScenario({ scenario: withMetrics((s) => s.metric('share', 1.2)), seed: '1' })).toThrow(/metric "share" = 1.2 is not a share/);
    expect(() => runScenario({ scenario: withMetrics((s) => s.metric('count', -1)), seed: '1' })).toThrow(/metric "count" = -1 is not a count/);
    expect(() => runScenario({ scenario: withMetrics((s) => s.metric('typo', 1)), seed: '1' })).toThrow(/metric "typo" is not among the scenario's declared metrics \(count, eclipsed, share\)/);
    const { summary } = runScenario({ scenario: withMetrics((s) => (s.metric('eclipsed', 1), s.metric('share', 0.25), s.metric('count', 3))), seed: '1' });
    expect(summary.metricKinds).toMatchObject({ count: 'count', eclipsed: 'indicator', share: 'share' });
  });

  it('a failed outcome check leaves the run healthy; a failed health check does not', () => {
    const def = (kind: 'health' | 'outcome') =>
      defineScenario({
        ...tiny,
        name: 'check-kinds',
        params: {},
        *script(s) {
          yield s.wait('1m');
          s.check('attack outcome', { passed: false, detail: 'the victim kept honest peers' }, kind);
        },
      });
    const outcome = runScenario({ scenario: def('outcome'), seed: '1' }).summary;
    expect(outcome).toMatchObject({ healthy: true, passed: false });
    expect(outcome.checks.find((c) => c.name === 'attack outcome')?.kind).toBe('outcome');
    expect(outcome.checks.find((c) => c.name === 'invariants')?.kind ?? 'health').toBe('health');
    expect(runScenario({ scenario: def('health'), seed: '1' }).summary).toMatchObject({ healthy: false, passed: false });
  });

  it('a metric kind that is not one of the five is refused when the scenario is defined', () => {
    expect(() =>
      defineScenario({ ...tiny, name: 'bad-kind', params: {}, metrics: { x: { kind: 'ratio' as never, description: '' } }, *script() {} }),
    ).toThrow(/metric "x" has kind "ratio"/);
  });
});

describe('world settings the runner applies', () => {
  it('sessionLength churns every honest node but the victims: nodes stop and restart, by the distribution given', () => {
    let counters = { crashes: 0, stops: 0, restarts: 0 };
    let victimRan = true;
    const def = defineScenario({
      ...tiny,
      name: 'sessions',
      defaults: { nodes: 20, duration: '2h', sampleInterval: '30m' },
      params: {},
      *script(s) {
        const v = s.victim();
        s.every('5m', () => {
          if (!s.isRunning(v)) victimRan = false;
        });
        yield s.at('2h');
        counters = s.churnCounters();
      },
    });
    const { summary } = runScenario({ scenario: def, seed: '1', set: ['sessionLength=exponential(1h)', 'downtime=constant(10m)'] });
    expect(summary.world.sessionLength).toBe('exponential(1h)');
    // 19 churning nodes, mean session 1 h, 10 min down: about 30 session ends in 2 h.
    expect(counters.crashes + counters.stops).toBeGreaterThan(20);
    expect(counters.restarts).toBeGreaterThan(12);
    expect(victimRan).toBe(true);
    const off = runScenario({ scenario: def, seed: '1' });
    expect(off.summary.world.sessionLength).toBe('off');
    // (the off run overwrote the counters) without it, this scenario churns nobody.
    expect(counters).toEqual({ crashes: 0, stops: 0, restarts: 0 });
  });
});

describe('distribution parameters', () => {
  it('are validated in one line, canonicalised, handed to the script as text and recorded in summary.json', () => {
    let seen = '';
    const def = defineScenario({
      ...tiny,
      name: 'timed',
      params: { gap: { type: 'distribution', default: 'exponential(200ms)', description: 'a gap' } },
      *script(s, p) {
        seen = p.gap;
        yield s.wait('1m');
      },
    });
    expect(runScenario({ scenario: def, seed: '1' }).summary.params).toMatchObject({ gap: 'exponential(200ms)' });
    expect(seen).toBe('exponential(200ms)');
    expect(runScenario({ scenario: def, seed: '1', params: ['gap=uniform(1s, 2s)'] }).summary.params).toMatchObject({ gap: 'uniform(1s,2s)' });
    expect(() => runScenario({ scenario: def, seed: '1', params: ['gap=pareto(1)'] })).toThrow(/^scenario timed: parameter gap: "pareto\(1\)": unknown distribution "pareto"/);
    // A bad default is refused when the scenario is defined.
    expect(() => defineScenario({ ...tiny, name: 'bad-default', params: { gap: { type: 'distribution', default: 'soon', description: 'x' } }, *script() {} })).toThrow(ScenarioError);
  });

  it("the built-in attacks take their attackers' connection timing as distributions (describe lists them)", () => {
    const flood = findScenario('inbound-flood')!;
    expect(flood.params.connectGap).toMatchObject({ type: 'distribution', default: 'constant(200ms)' });
    expect(flood.params.reconnectDelay).toMatchObject({ type: 'distribution', default: 'constant(30s)' });
    expect(findScenario('slowloris')!.params.reconnectDelay).toMatchObject({ type: 'distribution', default: 'constant(10s)' });
    expect(findScenario('eclipse-botnet')!.params.reconnectDelay).toMatchObject({ type: 'distribution', default: 'constant(30s)' });
    expect(() => startRun({ scenario: flood, seed: '1', params: ['connectGap=exponential(-1s)'] })).toThrow(ScenarioError);
  });
});
