// Where connsim may write, and how it takes a directory over. connsim writes three kinds of output
// directory: a run directory (`run`, `replay --out`, the default command, `report`), a sweep
// directory (`sweep`, `merge`) and a comparison directory (`compare`, marked by compare.json). This module decides, before anything is simulated, whether a
// path may be used, and publishes a run directory without touching anything connsim did not write.
//
// The rules (each refusal is a CliError, exit 2, raised before the simulation starts):
// - never an empty path, the current directory or any directory above it, the home directory or a
//   file-system root: connsim would otherwise mix its files with a user's, or worse;
// - an existing path must be a directory, and either empty or a connsim output directory of the
//   same kind (recognised by its summary.json / result.json, or its sweep.json); a run directory
//   of another scenario is refused, as a sweep directory of another plan already was;
// - the location must be writable, which is proved by creating the staging directory there;
// - only one process writes a run directory at a time (the staging directory is the lock).
//
// Publishing (StagedRunDir): the new files are built in a hidden staging directory beside the
// target. A new target is then created by one rename of the whole tree. An existing run directory
// is updated entry by entry: each top-level entry connsim is publishing (summary.json, charts/, …)
// is renamed into place and the entry it replaces is removed; every other entry, such as a user's
// notes or an earlier trace, is left where it is, untouched. Nothing is hard-linked or copied.
//
// It does not render reports (run-dir.ts) or decide what a run writes (run-command.ts).

import { lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

import { CliError } from './user-error.ts';

export type OutputKind = 'run' | 'sweep' | 'compare';

/** The file whose presence (and shape) marks a connsim run directory. */
const RUN_MARKERS = ['summary.json', 'result.json'] as const;
/** The file that marks a connsim sweep directory. */
const SWEEP_MARKER = 'sweep.json';

/** The file that marks a connsim comparison directory. */
export const COMPARE_MARKER = 'compare.json';

/** What an existing output directory turned out to be. */
export type OutputState =
  | { kind: 'absent' }
  | { kind: 'empty' }
  | { kind: 'run'; scenario: string | null }
  | { kind: 'sweep'; scenario: string | null }
  | { kind: 'compare'; scenario: null };

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string') {
    const why: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'read-only file system',
      ENOTDIR: 'a part of the path is not a directory',
      ENOSPC: 'no space left on the device',
      EEXIST: 'already exists',
      ENOENT: 'does not exist',
    };
    return why[err.code] ?? err.code;
  }
  return e instanceof Error ? e.message : String(e);
}

/** A file-system failure on a path the user named, as a one-line user error. */
export function fsError(what: string, path: string, e: unknown): CliError {
  return new CliError(`${what} '${path}': ${errText(e)}`);
}

function readJsonObject(path: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The scenario a run directory holds, from its summary.json or result.json; undefined when it is not one. */
function runDirScenario(dir: string): string | null | undefined {
  const summary = readJsonObject(join(dir, RUN_MARKERS[0]));
  if (summary !== undefined && typeof summary.scenario === 'string' && typeof summary.digest === 'string' && typeof summary.seed === 'string') return summary.scenario;
  const result = readJsonObject(join(dir, RUN_MARKERS[1]));
  const identity = result?.identity as Record<string, unknown> | undefined;
  if (identity !== undefined && identity !== null && typeof identity === 'object' && typeof identity.scenario === 'string') return identity.scenario;
  return undefined;
}

function sweepDirScenario(dir: string): string | null | undefined {
  const plan = readJsonObject(join(dir, SWEEP_MARKER));
  if (plan !== undefined && Array.isArray(plan.runs)) return typeof plan.scenario === 'string' ? plan.scenario : null;
  return undefined;
}

/** What stands at `abs` now: nothing, an empty directory, or a connsim output directory. Throws for anything else. */
export function inspectOutput(abs: string, shown: string): OutputState {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw fsError('cannot use', shown, e);
  }
  if (!st.isDirectory()) throw new CliError(`'${shown}' exists and is not a directory`);
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch (e) {
    throw fsError('cannot read', shown, e);
  }
  if (names.length === 0) return { kind: 'empty' };
  const run = runDirScenario(abs);
  if (run !== undefined) return { kind: 'run', scenario: run };
  const sweep = sweepDirScenario(abs);
  if (sweep !== undefined) return { kind: 'sweep', scenario: sweep };
  const compare = readJsonObject(join(abs, COMPARE_MARKER));
  if (compare !== undefined && typeof compare.format === 'number' && (compare.kind === 'runs' || compare.kind === 'sweeps')) return { kind: 'compare', scenario: null };
  throw new CliError(`'${shown}' is a directory that holds other files and is not a connsim output directory; connsim never writes into it (use a new or empty directory)`);
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** True when `a` is `b` or a directory above it. */
function isSameOrAncestor(a: string, b: string): boolean {
  if (a === b) return true;
  const rel = relative(a, b);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

export interface OutputCheckOptions {
  /** The option's name in messages (default "--out"). */
  option?: string;
  /** For a run directory: the scenario about to be written; a run directory of another one is refused. */
  scenario?: string;
  /** The directory must already be a connsim output directory of this kind (`connsim report`). */
  mustExist?: boolean;
  /** For tests: the working and home directories (default: the process's). */
  cwd?: string;
  home?: string;
}

/**
 * Checks an output directory before anything is simulated and returns its absolute path and what
 * is there now. Every refusal is a CliError naming the path and the reason.
 */
export function checkOutputDir(given: string, kind: OutputKind, opts: OutputCheckOptions = {}): { path: string; state: OutputState } {
  const option = opts.option ?? '--out';
  if (given.trim() === '') throw new CliError(`${option} is empty: name a directory for the output`);
  const abs = resolve(given);
  const real = realOrSelf(abs);
  const cwd = realOrSelf(opts.cwd ?? process.cwd());
  const home = realOrSelf(opts.home ?? homedir());
  // A directory that must already be connsim's (`connsim report DIR`) is only ever updated entry by
  // entry, so it may be the current directory; a new output location may not.
  const existing = opts.mustExist === true;
  if (dirname(real) === real) throw new CliError(`${option} '${given}' is a file-system root; connsim writes only into a directory of its own`);
  if (real === home) throw new CliError(`${option} '${given}' is the home directory; connsim writes only into a directory of its own`);
  if (!existing && isSameOrAncestor(real, cwd)) {
    throw new CliError(`${option} '${given}' is the current directory or one above it; connsim writes only into a directory of its own (e.g. ${kind === 'run' ? 'runs/my-run' : kind === 'sweep' ? 'sweeps/my-sweep' : 'compare/a-vs-b'})`);
  }
  // Every existing ancestor must be a directory (a path below a file can never be created).
  for (let p = dirname(abs); ; p = dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        if (dirname(p) === p) break;
        continue;
      }
      if (code === 'ENOTDIR') continue;
      throw fsError(`cannot use ${option}`, given, e);
    }
    if (!st.isDirectory()) throw new CliError(`${option} '${given}' lies below '${p}', which is a file, not a directory`);
    break;
  }
  const state = inspectOutput(abs, given);
  if (opts.mustExist === true && state.kind !== kind) {
    if (state.kind === 'absent') throw new CliError(`${kind} directory '${given}' does not exist`);
    throw new CliError(`'${given}' is not a connsim ${kind} directory`);
  }
  if (state.kind === 'run' || state.kind === 'sweep' || state.kind === 'compare') {
    if (state.kind !== kind) throw new CliError(`${option} '${given}' is a connsim ${state.kind} directory, not a ${kind} directory; use another ${option}`);
    if (kind === 'run' && opts.scenario !== undefined && state.scenario !== null && state.scenario !== opts.scenario) {
      throw new CliError(`${option} '${given}' holds a run of scenario '${state.scenario}', not '${opts.scenario}'; use another ${option} (or remove that directory)`);
    }
  }
  return { path: abs, state };
}

/** Whether a process id is alive (a staging directory whose owner died is stale). */
function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The staging directory's name for a target: hidden, beside it, one per target (it is also the lock). */
export function stagingName(target: string): string {
  return `.${basename(target)}.connsim-staging`;
}

const OWNER_FILE = 'owner';
const NEW_DIR = 'new';
const OLD_DIR = 'old';

/**
 * A run directory being written: files are built under `dir` (the staging tree) and published by
 * `publish`, or thrown away by `discard`. Created before the simulation starts, so that an
 * unwritable location or a concurrent writer is found before any work is done.
 */
export class StagedRunDir {
  /** Where the new run directory's files are built. */
  readonly dir: string;
  private readonly staging: string;
  private readonly createdParents: string[];
  private done = false;

  private constructor(readonly target: string, staging: string, createdParents: string[]) {
    this.staging = staging;
    this.dir = join(staging, NEW_DIR);
    this.createdParents = createdParents;
  }

  /**
   * Takes the target (checked by checkOutputDir): creates missing parents, removes a staging
   * directory left by a process that died, and creates this process's staging directory.
   * `shown` is the path as the user gave it, for messages.
   */
  static acquire(target: string, shown: string): StagedRunDir {
    const parent = dirname(target);
    const created: string[] = [];
    for (let p = parent; ; p = dirname(p)) {
      try {
        statSync(p);
        break;
      } catch {
        created.unshift(p);
        if (dirname(p) === p) break;
      }
    }
    const cleanup = () => {
      for (const p of [...created].reverse()) {
        try {
          rmdirSync(p);
        } catch {
          break;
        }
      }
    };
    try {
      for (const p of created) mkdirSync(p);
    } catch (e) {
      cleanup();
      throw fsError('cannot create the directory for', shown, e);
    }
    const staging = join(parent, stagingName(target));
    for (let attempt = 0; ; attempt++) {
      try {
        mkdirSync(staging);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          cleanup();
          throw fsError('cannot write beside', shown, e);
        }
        let owner = NaN;
        try {
          owner = Number(readFileSync(join(staging, OWNER_FILE), 'utf8').trim());
        } catch {
          // No owner file: a staging directory whose owner died before writing it.
        }
        if (processAlive(owner)) {
          cleanup();
          throw new CliError(`another connsim process (pid ${owner}) is writing '${shown}'; wait for it to finish or use another --out (its staging directory is ${staging})`);
        }
        rmSync(staging, { recursive: true, force: true });
      }
    }
    try {
      writeFileSync(join(staging, OWNER_FILE), `${process.pid}\n`);
      mkdirSync(join(staging, NEW_DIR));
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      cleanup();
      throw fsError('cannot write beside', shown, e);
    }
    removeLegacyTemps(target);
    return new StagedRunDir(target, staging, created);
  }

  /** The place inside the staging tree of a path inside the target, or undefined if it is not inside. */
  stagedPathOf(path: string): string | undefined {
    const rel = relative(this.target, resolve(path));
    if (rel === '' || rel.startsWith('..') || rel.startsWith(sep)) return undefined;
    return join(this.dir, rel);
  }

  /**
   * Moves the staged files into place. A new (or empty) target gets the whole tree; an existing run
   * directory gets each staged top-level entry renamed over its old one, and keeps every other entry.
   */
  publish(): string {
    if (this.done) throw new Error('staged run directory already published or discarded');
    let exists = true;
    try {
      lstatSync(this.target);
    } catch {
      exists = false;
    }
    if (!exists) {
      renameSync(this.dir, this.target);
    } else {
      const old = join(this.staging, OLD_DIR);
      mkdirSync(old);
      for (const name of readdirSync(this.dir).sort()) {
        const to = join(this.target, name);
        let had = true;
        try {
          lstatSync(to);
        } catch {
          had = false;
        }
        if (had) renameSync(to, join(old, name));
        renameSync(join(this.dir, name), to);
      }
    }
    this.done = true;
    rmSync(this.staging, { recursive: true, force: true });
    return this.target;
  }

  /** Throws the staged files away (a failed or interrupted run): the target is as it was. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.staging, { recursive: true, force: true });
    for (const p of [...this.createdParents].reverse()) {
      try {
        rmdirSync(p);
      } catch {
        break;
      }
    }
  }
}

/**
 * Earlier versions built a run directory in `.<name>.tmp-XXXXXX` beside it (and `…-old` during
 * the swap), which a killed process left behind; they held only connsim's own files.
 */
function removeLegacyTemps(target: string): void {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !/^[A-Za-z0-9]{6}(-old)?$/.test(n.slice(prefix.length))) continue;
    try {
      if (lstatSync(join(parent, n)).isDirectory()) rmSync(join(parent, n), { recursive: true, force: true });
    } catch {
      // Gone already.
    }
  }
}
