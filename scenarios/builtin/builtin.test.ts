// The network scenarios of the built-in list, run small (see builtin-suite.test-helper.ts), and the check that
// the three suite files together cover every built-in scenario exactly once.

import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from './registry.ts';
import { ATTACK_SUITE, ECLIPSE_SUITE, NETWORK_SUITE, builtinCase } from './builtin-suite.test-helper.ts';
import { SMALL } from './small-configs.ts';

describe('built-in scenarios', () => {
  it('every built-in scenario has a small configuration and is in exactly one suite', () => {
    const names = BUILTIN_SCENARIOS.map((s) => s.name).sort();
    expect(Object.keys(SMALL).sort()).toEqual(names);
    expect([...ECLIPSE_SUITE, ...ATTACK_SUITE, ...NETWORK_SUITE].filter((n) => !n.includes('@')).sort()).toEqual(names);
  });
  for (const name of NETWORK_SUITE) builtinCase(name);
});
