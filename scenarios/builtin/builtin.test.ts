// Every built-in scenario, run small: twice with one seed (identical summaries and results), with its
// checks passing, and with another seed giving another digest (over the first 10 simulated
// minutes). The configurations (small-configs.ts) shrink each scenario to a few dozen nodes and
// under two simulated hours; full-size behaviour is what `connsim run` and the benchmarks measure.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, findScenario } from '../registry.ts';
import { runScenario } from '../runner.ts';
import { SMALL } from './small-configs.ts';


describe('built-in scenarios', () => {
  it('every built-in scenario has a small configuration here', () => {
    expect(BUILTIN_SCENARIOS.map((s) => s.name).sort()).toEqual(Object.keys(SMALL).sort());
  });

  for (const def of BUILTIN_SCENARIOS) {
    it(`${def.name}: same seed twice gives the same run, another seed another digest, and its checks pass`, () => {
      const small = SMALL[def.name]!;
      const a = runScenario({ ...small, scenario: findScenario(def.name)!, seed: '7' });
      const b = runScenario({ ...small, scenario: def, seed: '7' });
      expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
      expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
      // Another seed, another run: compared over the first 10 simulated minutes (the same horizon for
      // both seeds), which keeps the suite short.
      const early = (seed: string) => runScenario({ ...small, scenario: def, seed, stopAtMicros: 10 * 60_000_000 }).summary.digest;
      expect(early('8')).not.toBe(early('7'));
      const failed = a.summary.checks.filter((x) => !x.passed);
      expect(failed).toEqual([]);
      expect(a.summary.checks.length).toBeGreaterThan(5);
    }, 300_000);
  }
});
