// What `run`, `inspect` and `replay` share before a scenario starts: checking the seed, the node
// count and the durations typed on the command line, reading the --asmap and --seed-list files with
// their SHA-256 identity, and the trace file writer. Every problem is a CliError (exit 2). It does
// not run scenarios or write run directories.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { checkStandardAsmap } from '../connman/netgroup/asmap.ts';
import type { RunInputFile } from '../scenarios/dsl/run-summary.ts';
import { parseSeedList } from '../scenarios/world/seed-list.ts';
import { PopulationFileError, parsePopulationCsv } from '../scenarios/world/population-file.ts';
import { DurationParseError, parseDuration, type Micros } from '../sim/index.ts';
import { CliError } from './user-error.ts';

/** Longest seed accepted (it becomes part of the default run directory's name). */
export const MAX_SEED_LENGTH = 128;

/** A seed is an integer or any word: no whitespace, control characters or path separators. */
export function checkSeed(seed: unknown): string {
  if (Array.isArray(seed)) throw new CliError('--seed given more than once');
  const s = String(seed);
  if (s === '') throw new CliError('--seed must not be empty');
  if (s.length > MAX_SEED_LENGTH) throw new CliError(`--seed is longer than ${MAX_SEED_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\s/\\\x00-\x1f\x7f]/.test(s)) throw new CliError(`--seed "${s}" must not contain whitespace, control characters or slashes`);
  return s;
}

/** A single-valued option given twice arrives as an array; that is a user error. */
export function single<T>(v: T | T[] | undefined, name: string): T | undefined {
  if (Array.isArray(v)) throw new CliError(`--${name} given more than once`);
  return v;
}

/** A repeatable option as a list of strings. */
export function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

export function checkNodes(v: unknown): number | undefined {
  const n = single(v as number | undefined, 'nodes');
  if (n === undefined) return undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new CliError(`--nodes must be a positive integer (got ${String(n)})`);
  return n;
}

export function checkDuration(v: unknown, option: string, allowZero = false): Micros | undefined {
  const text = single(v as string | undefined, option);
  if (text === undefined) return undefined;
  let us: Micros;
  try {
    us = parseDuration(String(text));
  } catch (e) {
    if (e instanceof DurationParseError) throw new CliError(`--${option}: ${e.message}`);
    throw e;
  }
  if (!allowZero && us <= 0) throw new CliError(`--${option} must be longer than zero (got ${String(text)})`);
  return us;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads an input file; a missing path, a directory or an unreadable file is a CliError. */
export function readInput(path: string, what: string): { bytes: Uint8Array; file: RunInputFile } {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`${what} '${path}' does not exist`);
  }
  if (!st.isFile()) throw new CliError(`${what} '${path}' is not a file`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${what} '${path}' cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { bytes, file: { path, sha256: sha256Hex(bytes) } };
}

export interface RunInputs {
  asmap?: { bytes: Uint8Array; file: RunInputFile };
  seedList?: { text: string; file: RunInputFile };
  population?: { text: string; file: RunInputFile };
}

/** The paths of the input files a run may be given. */
export interface RunInputPaths {
  asmap?: string | undefined;
  seedList?: string | undefined;
  population?: string | undefined;
}

/** A text input file, read, identified and decoded (a CliError when it is not UTF-8). */
function readTextInput(path: string, what: string): { text: string; file: RunInputFile } {
  const { bytes, file } = readInput(path, what);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), file };
  } catch {
    throw new CliError(`${what} '${path}' is not UTF-8 text`);
  }
}

/** The --asmap, --seed-list and --population files, read and identified. */
export function readRunInputs(paths: RunInputPaths): RunInputs {
  const { asmap: asmapPath, seedList: seedListPath, population: populationPath } = paths;
  if (seedListPath !== undefined && populationPath !== undefined) throw new CliError('--population and --seed-list both place the reachable nodes: give one');
  const out: RunInputs = {};
  if (asmapPath !== undefined) {
    out.asmap = readInput(asmapPath, 'asmap file');
    // Core's own load-time check (CheckStandardAsmap), so a corrupt file fails before the run starts.
    if (!checkStandardAsmap(out.asmap.bytes)) throw new CliError(`asmap file '${asmapPath}' is not a valid asmap (${out.asmap.bytes.length} bytes fail Core's sanity check)`);
  }
  if (seedListPath !== undefined) {
    const { text, file } = readTextInput(seedListPath, 'seed list');
    try {
      if (parseSeedList(text).length === 0) throw new CliError(`seed list '${seedListPath}' holds no addresses`);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`seed list '${seedListPath}': ${e instanceof Error ? e.message : String(e)}`);
    }
    out.seedList = { text, file };
  }
  if (populationPath !== undefined) {
    const read = readTextInput(populationPath, 'population file');
    try {
      parsePopulationCsv(read.text);
    } catch (e) {
      if (e instanceof PopulationFileError) throw new CliError(`population file '${populationPath}': ${e.message}`);
      throw e;
    }
    out.population = read;
  }
  return out;
}

/** A recorded input file must still have the bytes it had (replay). */
export function checkRecordedInput(recorded: RunInputFile, what: string): Uint8Array {
  const { bytes, file } = readInput(recorded.path, what);
  if (file.sha256 !== recorded.sha256) {
    throw new CliError(`${what} '${recorded.path}' has changed since the run (sha256 ${file.sha256}, recorded ${recorded.sha256})`);
  }
  return bytes;
}

/**
 * The --trace writer: JSON lines buffered and written to a temp sibling, renamed into place by
 * `commit`, removed by `abort`, so a failed run leaves no half-written trace.
 */
export class TraceFile {
  private readonly fd: number;
  private readonly tmp: string;
  private buf: string[] = [];
  private bufChars = 0;

  constructor(private readonly path: string) {
    try {
      if (statSync(path).isDirectory()) throw new CliError(`--trace '${path}' is a directory`);
    } catch (e) {
      if (e instanceof CliError) throw e;
    }
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new CliError(`--trace '${path}' cannot be written: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  readonly sink = (line: string): void => {
    this.buf.push(line);
    this.bufChars += line.length + 1;
    if (this.bufChars >= 1 << 20) this.flush();
  };

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
    this.bufChars = 0;
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
    rmSync(this.tmp, { force: true });
  }
}
