// Every built-in scenario, run small: twice with one seed (identical summaries and digests), once
// with another seed (a different digest), and with its checks passing. The parameters shrink each
// scenario's timeline to fit a few simulated hours on a few dozen nodes; the full-size behaviour
// is exercised by `connsim run` and the benchmarks, not here.

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
      const c = runScenario({ ...small, scenario: def, seed: '8' });
      expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
      expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
      expect(c.summary.digest).not.toBe(a.summary.digest);
      const failed = a.summary.checks.filter((x) => !x.passed);
      expect(failed).toEqual([]);
      expect(a.summary.checks.length).toBeGreaterThan(5);
    }, 300_000);
  }
});
