// A run's --debug-log (RunRequest.debugLog): one honest node's debug.log with -debug=net, every line
// in Core's format (a whole-second ISO 8601 timestamp from the simulated clock, "[net] " before a
// LogDebug line, nothing before a LogInfo line), running on across a restart, and changing nothing
// in the run (the same digest, metrics and checks as without it).
import { describe, expect, it } from 'vitest';

import { formatIso8601 } from '../../connman/util/logging.ts';
import { runScenario } from '../dsl/runner.ts';
import { ScenarioError, defineScenario } from '../dsl/scenario.ts';
import { DEFAULT_EPOCH_MICROS } from './sim-clock.ts';

const def = defineScenario({
  name: 'debug-log-test',
  summary: 'debug log test',
  threatModel: 'None.',
  defaults: { nodes: 5, duration: '12m', sampleInterval: '4m' },
  params: {},
  *script(s) {
    yield s.at('5m');
    s.restart(1, '30s');
    yield s.at('8m');
    s.rpc(1).setban('10.0.0.0/8', 'add');
  },
});

describe('a run writes one node its debug log', () => {
  const lines: string[] = [];
  const logged = runScenario({ scenario: def, seed: '7', debugLog: { node: 1, sink: (l) => lines.push(l) } });
  const plain = runScenario({ scenario: def, seed: '7' });

  it('changes nothing in the run', () => {
    expect(logged.summary).toEqual(plain.summary);
  });

  it("writes Core's lines in Core's format, stamped with the simulated clock, across a restart", () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\[net\] )?[^\n]*\n$/);
    const text = lines.join('');
    expect(text).toMatch(/ \[net\] Added connection peer=\d+\n/);
    // The restart at 5m: the node stops (disconnecting its peers) and starts again in the same log.
    const stamp = formatIso8601(DEFAULT_EPOCH_MICROS + 5 * 60_000_000, false);
    expect(text).toContain(`${stamp} [net] Stopping node, disconnecting peer=`);
    expect(text).toContain(`${formatIso8601(DEFAULT_EPOCH_MICROS + 8 * 60_000_000, false)} [net] Flushed 1 banned node addresses/subnets to disk 0ms\n`);
    // Times never go backwards.
    const times = lines.map((l) => l.slice(0, 20));
    expect([...times].sort()).toEqual(times);
  });

  it('refuses a node the run does not have', () => {
    expect(() => runScenario({ scenario: def, seed: '7', debugLog: { node: 5, sink: () => {} } })).toThrow(ScenarioError);
    expect(() => runScenario({ scenario: def, seed: '7', debugLog: { node: 5, sink: () => {} } })).toThrow('--debug-log 5: give an honest node id 0..4 (the run has 5 honest nodes at its start)');
  });
});
