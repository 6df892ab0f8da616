// eclipse-botnet under core-master, run small (see builtin-suite.test-helper.ts): the longest
// built-in case, in a file of its own so that vitest runs it beside the other attack cases.

import { describe } from 'vitest';
import { ECLIPSE_SUITE, builtinCase } from './builtin-suite.test-helper.ts';

describe('built-in eclipse-botnet scenario', () => {
  for (const name of ECLIPSE_SUITE) builtinCase(name);
});
