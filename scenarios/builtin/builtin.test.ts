// Every built-in scenario, run small: twice with one seed (identical summaries and digests), once
// with another seed (a different digest), and with its checks passing. The parameters shrink each
// scenario's timeline to fit a few simulated hours on a few dozen nodes; the full-size behaviour
// is exercised by `connsim run` and the benchmarks, not here.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, findScenario } from '../registry.ts';
import { runScenario, type RunRequest } from '../runner.ts';

type Small = Omit<RunRequest, 'scenario' | 'seed'>;

const SMALL: Record<string, Small> = {
  baseline: { nodes: 40, duration: '1h' },
  'eclipse-botnet': { nodes: 40, duration: '2h', params: ['attackerAddresses=300', 'trashAddresses=2000', 'victims=2', 'attackAt=20m', 'attackFor=40m', 'connectionsPerSecond=5', 'expectOutcome=any'] },
  'eclipse-infrastructure': { nodes: 40, duration: '2h', params: ['attackerAddresses=320', 'groups=8', 'trashAddresses=2000', 'victims=2', 'attackAt=20m', 'attackFor=40m', 'connectionsPerSecond=5', 'expectOutcome=any'] },
  erebus: { nodes: 40, duration: '2h', params: ['attackerAddresses=200', 'asns=2', 'slash16sPerAsn=10', 'victims=2', 'attackAt=20m', 'attackFor=40m'], set: ['asmap=true'] },
  'inbound-flood': { nodes: 40, duration: '90m', params: ['sybils=60', 'victims=1', 'attackAt=30m'] },
  'addr-flood': { nodes: 40, duration: '1h', params: ['flooders=3', 'advertised=3000', 'victims=1', 'attackAt=10m'] },
  slowloris: { nodes: 40, duration: '1h', params: ['silent=4', 'slow=4', 'victims=1', 'attackAt=10m'] },
  churn: { nodes: 40, duration: '3h', params: ['sessionScale=1h', 'downtimeScale=20m', 'minOutbound=4'] },
  'restart-anchors': { nodes: 40, duration: '2h', params: ['attackerAddresses=300', 'relayers=5', 'victims=1', 'attackAt=20m', 'restartAt=80m'] },
  'dns-poison': { nodes: 40, duration: '90m', params: ['attackerAddresses=100', 'newcomers=2', 'joinAt=30m'] },
  partition: { nodes: 40, duration: '3h', params: ['splitAt=20m', 'splitFor=80m'] },
};

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
