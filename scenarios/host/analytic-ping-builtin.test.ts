// The analytic ping path (scenarios/host/analytic-ping.ts) against the reference path that sends every
// ping and pong as a message, on the built-in scenarios: each one's small configuration run both ways
// must give the same metrics, checks and result, with fewer events on the analytic path (only the
// trace digest, the event count and the reproduce command differ, by design). The worlds with faults,
// crashes and restarts are in analytic-ping.test.ts; the two files are split so vitest runs them on
// both cores.
import { describe, expect, it } from 'vitest';
import { findScenario } from '../builtin/registry.ts';
import { runScenario } from '../dsl/runner.ts';
import { SMALL } from '../builtin/small-configs.ts';
import { firstDifference, jsonOf } from './analytic-ping.test-helper.ts';

describe('built-in scenarios give the same metrics and checks on both ping paths', () => {
  for (const name of ['baseline', 'eclipse-botnet', 'inbound-flood', 'slowloris', 'churn', 'restart-anchors', 'partition']) {
    it(name, () => {
      const small = SMALL[name]!;
      const run = (pingPath: 'analytic' | 'messages') => {
        const out = runScenario({ scenario: findScenario(name)!, seed: '5', ...small, pingPath });
        const result = JSON.parse(jsonOf(out.result)) as { identity: Record<string, unknown> };
        const summary = JSON.parse(jsonOf(out.summary)) as Record<string, unknown>;
        const events = out.summary.eventsProcessed;
        for (const o of [result.identity, summary]) {
          delete o['traceDigest'];
          delete o['digest'];
          delete o['eventsProcessed'];
          delete o['pingPath'];
          delete o['reproduce']; // names --ping-path messages on the reference path
        }
        return { result, summary, events };
      };
      const a = run('messages');
      const b = run('analytic');
      expect(firstDifference(jsonOf(b.summary), jsonOf(a.summary))).toBe('');
      expect(firstDifference(jsonOf(b.result), jsonOf(a.result))).toBe('');
      expect(b.events).toBeLessThan(a.events);
    });
  }
});
