// Where the tests find the real data files of `../shared/data` beside the checkout (Core's asmap,
// seed list and peers.dat files; never copied into the repository). Tests that need one skip with a
// printed reason when it is absent.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: the nearest directory above this file that holds package.json. */
function checkoutRoot(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error('shared-data: no package.json above this file');
  }
}

/** `../shared/data` next to the checkout. */
export const SHARED_DATA_DIR = resolve(checkoutRoot(), '..', 'shared', 'data');

/** The absolute path of one file of `../shared/data` (which may be absent). */
export function sharedDataFile(name: string): string {
  return join(SHARED_DATA_DIR, name);
}
