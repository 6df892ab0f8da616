// Where a run's outputs came from: connsim's version, the git commit of the checkout (when it is
// one, and whether it had uncommitted changes), the Node version and the exact command line. The
// code version goes into result.json and a sweep's plan (it is part of a run's identity); the
// rest goes into summary.json's `provenance` and report.html. Read once per process.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shellWord } from '../scenarios/dsl/run-summary.ts';

export interface Provenance {
  /** connsim's package version. */
  connsim: string;
  /** The checkout's commit, or null outside a git checkout. */
  commit: string | null;
  /** The checkout had uncommitted changes to tracked files. */
  dirty: boolean;
  /** process.version. */
  node: string;
  /** The command as typed (connsim and its arguments, shell-quoted). */
  command: string;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
let cached: Omit<Provenance, 'command'> | undefined;

function git(args: string[]): string | null {
  const r = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The provenance of this process (the command from its arguments). */
export function provenance(argv: readonly string[] = process.argv.slice(2)): Provenance {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const commit = git(['rev-parse', 'HEAD']);
    const dirty = commit !== null && (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
    cached = { connsim: pkg.version, commit, dirty, node: process.version };
  }
  return { ...cached, command: ['connsim', ...argv].map(shellWord).join(' ') };
}

/** The code version as one string: "0.1.0 (git 1a2b3c4d5e6f, with uncommitted changes)". */
export function codeVersion(p: Provenance = provenance()): string {
  if (p.commit === null) return `${p.connsim} (not a git checkout)`;
  return `${p.connsim} (git ${p.commit.slice(0, 12)}${p.dirty ? ', with uncommitted changes' : ''})`;
}
