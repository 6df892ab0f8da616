// Test support for the built-in scenario suites (builtin-*.test.ts): one vitest case per scenario
// that runs its small configuration with seeds 7 (twice: identical summaries and results) and 8,
// compares both summaries byte for byte with the committed golden files (golden/<name>.seed-<s>.json),
// checks that the two seeds differ and that seed 7's checks pass. A change of behaviour therefore
// shows up as a reviewed diff of the golden files: regenerate them with `npm run golden` and commit
// them with the change, saying why. The scenarios are split over three test files only so that
// vitest runs them on both cores.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';
import { stableStringify } from '../../reports/index.ts';
import { findScenario } from './registry.ts';
import { runScenario } from '../dsl/runner.ts';
import { SMALL } from './small-configs.ts';

/** The seeds of the golden summaries. */
export const GOLDEN_SEEDS = ['7', '8'] as const;
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
/** `CONNSIM_UPDATE_GOLDEN=1 vitest run scenarios/builtin` (npm run golden) rewrites the files instead of comparing. */
const UPDATE = process.env.CONNSIM_UPDATE_GOLDEN === '1';

export function goldenPath(name: string, seed: string): string {
  return join(GOLDEN_DIR, `${name}.seed-${seed}.json`);
}

/**
 * One case: a scenario's name, or "name@profile" for the same small configuration under another
 * release profile (the default run uses core-v0.10, so its behaviour is pinned too).
 */
export function builtinCase(name: string): void {
  it(`${name}: same seed twice gives the same run, its summaries match the golden files, and its checks pass`, () => {
    const [scenario, profile] = name.split('@') as [string, string | undefined];
    const def = findScenario(scenario)!;
    const small = profile === undefined ? SMALL[scenario]! : { ...SMALL[scenario]!, profile };
    const a = runScenario({ ...small, scenario: def, seed: GOLDEN_SEEDS[0] });
    const b = runScenario({ ...small, scenario: def, seed: GOLDEN_SEEDS[0] });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    const c = runScenario({ ...small, scenario: def, seed: GOLDEN_SEEDS[1] });
    expect(c.summary.digest).not.toBe(a.summary.digest);
    for (const [seed, run] of [[GOLDEN_SEEDS[0], a], [GOLDEN_SEEDS[1], c]] as const) {
      const text = stableStringify(run.summary);
      if (UPDATE) writeFileSync(goldenPath(name, seed), text);
      else expect(text, `${name} seed ${seed} differs from ${goldenPath(name, seed)}: if the behaviour change is intended, run npm run golden and commit the files with the reason`).toBe(readFileSync(goldenPath(name, seed), 'utf8'));
    }
    expect(a.summary.checks.filter((x) => !x.passed)).toEqual([]);
    expect(a.summary.checks.length).toBeGreaterThan(5);
    // Every metric a built-in records is declared with its kind (sweeps aggregate by it).
    expect(Object.entries(a.summary.metricKinds).filter(([, k]) => k === 'number')).toEqual([]);
  }, 300_000);
}

/**
 * The scenarios each suite file covers; together exactly the built-in list (checked there).
 * eclipse-botnet under core-master, the longest case (about 40 % of all attack cases' time), has a
 * file of its own so that the two workers share the attack cases.
 */
export const ECLIPSE_SUITE = ['eclipse-botnet'];
export const ATTACK_SUITE = ['eclipse-botnet@core-v0.10', 'eclipse-infrastructure', 'erebus', 'restart-anchors', 'dns-poison'];
export const NETWORK_SUITE = ['baseline', 'inbound-flood', 'addr-flood', 'slowloris', 'churn', 'partition', 'calibration'];
