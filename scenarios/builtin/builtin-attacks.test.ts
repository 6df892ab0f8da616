// The attack scenarios of the built-in list, run small (see builtin-suite.test-helper.ts).

import { describe } from 'vitest';
import { ATTACK_SUITE, builtinCase } from './builtin-suite.test-helper.ts';

describe('built-in attack scenarios', () => {
  for (const name of ATTACK_SUITE) builtinCase(name);
});
