// The attack scenarios of the built-in list, run small (see builtin-check.ts).

import { describe } from 'vitest';
import { ATTACK_SUITE, builtinCase } from './builtin-check.ts';

describe('built-in attack scenarios', () => {
  for (const name of ATTACK_SUITE) builtinCase(name);
});
