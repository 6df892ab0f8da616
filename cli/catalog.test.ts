// The text of `connsim list`, `describe` and `profiles`, from hand-made definitions and the real
// profile table.
import { describe, expect, it } from 'vitest';

import { DEFAULT_PROFILE, SETTINGS, listProfiles } from '../scenarios/world/profiles.ts';
import { defineScenario, type ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { formatDescribe, formatList, formatParamRange, formatProfiles, wrap } from './catalog.ts';

function scenario(name: string, over: Partial<ScenarioDefinition> = {}): ScenarioDefinition {
  return defineScenario({
    name,
    summary: `summary of ${name}`,
    threatModel: 'An attacker with many addresses floods the victim. '.repeat(4),
    defaults: { nodes: 50, duration: '6h', sampleInterval: '10m' },
    params: {},
    *script(s) {
      yield s.wait('1m');
    },
    ...over,
  });
}

describe('formatList', () => {
  it('aligns the summaries after the longest name', () => {
    expect(formatList([scenario('a'), scenario('much-longer')])).toBe('a            summary of a\nmuch-longer  summary of much-longer\n');
  });
});

describe('formatDescribe', () => {
  it('shows the threat model wrapped, what it reproduces, defaults and a parameter table', () => {
    const def = scenario('flood', {
      reproduces: 'Heilman et al., USENIX Security 2015, Figure 5',
      defaults: { nodes: 50, duration: '6h', sampleInterval: '10m', profile: 'core-v0.10' },
      params: {
        attackers: { type: 'integer', default: 100, min: 1, max: 5000, description: 'attacker addresses' },
        mode: { type: 'string', default: 'fast', choices: ['fast', 'slow'], description: 'how it floods' },
        start: { type: 'duration', default: '1h', min: 0, description: 'when the attack starts' },
      },
    });
    const text = formatDescribe(def, null);
    expect(text).toMatch(/^Reproduces:\n {2}Heilman et al\./m);
    expect(text).toMatch(/^ {2}--profile +core-v0\.10$/m);
    expect(text).toMatch(/^ {2}attackers +integer +100 +1\.\.5000 +attacker addresses$/m);
    expect(text).toMatch(/^ {2}mode +string +fast +fast \| slow +how it floods$/m);
    expect(text).toMatch(/^ {2}start +duration +1h +>= 0s +when the attack starts$/m);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(formatDescribe(scenario('bare'), null)).toMatch(/^Parameters: none$/m);
  });

  it('prints duration bounds as durations', () => {
    expect(formatParamRange({ type: 'duration', default: '1h', min: 60_000_000, max: 7_200_000_000, description: '' })).toBe('1m..2h');
    expect(formatParamRange({ type: 'number', default: 0.5, description: '' })).toBe('');
  });
});

describe('formatProfiles', () => {
  it('names every profile, marks the default, and documents every setting', () => {
    const text = formatProfiles(listProfiles(), SETTINGS, DEFAULT_PROFILE);
    for (const p of listProfiles()) expect(text).toContain(`${p.name}${p.name === DEFAULT_PROFILE ? ' (default)' : ''}: ${p.title}`);
    for (const s of SETTINGS) expect(text).toMatch(new RegExp(`^ {2}${s.key} \\(`, 'm'));
    expect(text.split('\n').every((l) => l.length <= 100)).toBe(true);
    // No stored measurement gives privacy-network shares: the listing says so.
    expect(text).toMatch(/Privacy networks \(Tor, I2P, CJDNS\): no stored measurement supports a share/);
    expect(text).toMatch(/^ {2}warmup \(duration or off; default off\)$/m);
  });
});

describe('wrap', () => {
  it('breaks at spaces within the width, keeping the indent', () => {
    expect(wrap('aaa bbb ccc ddd', '  ', 10)).toEqual(['  aaa bbb', '  ccc ddd']);
  });
});
