// Test support for the built-in scenario suites (builtin-*.test.ts): one vitest case per scenario
// that runs its small configuration twice with one seed (identical summaries and results) and
// checks that its checks pass, and that another seed gives another digest over the first 10
// simulated minutes (the same horizon for both seeds, which keeps the suite short). The scenarios
// are split over two test files only so that vitest runs them on both cores.

import { expect, it } from 'vitest';
import { findScenario } from '../registry.ts';
import { runScenario } from '../runner.ts';
import { SMALL } from './small-configs.ts';

export function builtinCase(name: string): void {
  it(`${name}: same seed twice gives the same run, another seed another digest, and its checks pass`, () => {
    const def = findScenario(name)!;
    const small = SMALL[name]!;
    const a = runScenario({ ...small, scenario: def, seed: '7' });
    const b = runScenario({ ...small, scenario: def, seed: '7' });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    const early = (seed: string) => runScenario({ ...small, scenario: def, seed, stopAtMicros: 10 * 60_000_000 }).summary.digest;
    expect(early('8')).not.toBe(early('7'));
    expect(a.summary.checks.filter((x) => !x.passed)).toEqual([]);
    expect(a.summary.checks.length).toBeGreaterThan(5);
  }, 300_000);
}

/** The scenarios each suite file covers; together exactly the built-in list (checked there). */
export const ATTACK_SUITE = ['eclipse-botnet', 'eclipse-infrastructure', 'erebus', 'restart-anchors', 'dns-poison'];
export const NETWORK_SUITE = ['baseline', 'inbound-flood', 'addr-flood', 'slowloris', 'churn', 'partition'];
