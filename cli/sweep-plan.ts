// Planning a sweep, without running anything: parsing --seeds, --vary and --shard, checking every
// varied value against the scenario and the profiles, and laying out the ordered list of runs
// (sweep.json's plan) with a deterministic, file-safe id per run. Also the per-run request
// arguments and reproduce command derived from the plan, and the shard slice of the run list.
//
// Pure: no file system, no clock, no worker threads (sweep-command.ts does those). Every problem
// with the user's input is a CliError (exit 2).
//
// Run order (documented in README "Sweeps"): profiles in the order given, then the cartesian
// product of the --vary axes (first axis outermost, values in the order given), then seeds in the
// order given, innermost. A run's index is its position in that list.

import { createHash } from 'node:crypto';

import { DEFAULT_PROFILE, ProfileError } from '../scenarios/world/profiles.ts';
import { resolveSettings } from '../scenarios/world/settings.ts';
import { WorldSettingError } from '../scenarios/world/world-settings.ts';
import { shellWord } from '../scenarios/dsl/run-summary.ts';
import { ScenarioError, checkTimeline, parseAssignments, parseDurationOrThrow, resolveParams, type ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { checkSeed } from './run-inputs.ts';
import { CliError } from './user-error.ts';

/** Bumped when sweep.json changes meaning; merge refuses plans of another format. */
export const SWEEP_PLAN_FORMAT_VERSION = 1;

/** Most runs one sweep may plan (a typo such as --seeds 1..1e9 fails fast instead of planning forever). */
export const MAX_SWEEP_RUNS = 1_000_000;

/** The axis key that varies the honest node count. */
export const NODES_AXIS = 'nodes';
/** Prefix of axis keys that vary one profile setting, e.g. set.maxConnections. */
export const SET_AXIS_PREFIX = 'set.';

/** One swept dimension: a key and its values as typed (the x axis of the sweep report). */
export interface SweepAxis {
  key: string;
  values: string[];
}

/** An input file given to every run, identified by content (like RunSummary's inputs). */
export interface SweepInputFile {
  path: string;
  sha256: string;
}

/** The options every run shares (only what was given on the command line; defaults stay the scenario's). */
export interface SweepBase {
  nodes: number | null;
  duration: string | null;
  sampleInterval: string | null;
  /** --param k=v, in the order given. */
  params: string[];
  /** --set k=v, in the order given. */
  set: string[];
  asmap: SweepInputFile | null;
  seedList: SweepInputFile | null;
  population: SweepInputFile | null;
}

/** One planned run: its place in the order and its point in the swept space. */
export interface PlannedRun {
  index: number;
  /** File-safe and unique: runs/<id>.json. */
  id: string;
  profile: string;
  /** Axis key → value as typed, in axis order. */
  point: Record<string, string>;
  seed: string;
}

/** sweep.json: everything that identifies a sweep; two shards merge only when these are equal. */
export interface SweepPlan {
  format: number;
  scenario: string;
  /** The scenario file as given (null for a built-in). */
  scenarioFile: string | null;
  base: SweepBase;
  profiles: string[];
  axes: SweepAxis[];
  seeds: string[];
  /** The `connsim sweep` command that plans this sweep (without --workers, --shard, --out). */
  command: string;
  runs: PlannedRun[];
}

/** A shard: this process runs the plan's runs whose index % count === index - 1. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * --seeds: comma-separated items, each a seed word or an integer range a..b (inclusive, a <= b),
 * e.g. "1..20", "1,2,5", "1..3,10". Duplicates are an error (they would be the same run twice).
 */
export function parseSeeds(text: unknown): string[] {
  if (text === undefined || text === null) throw new CliError('--seeds is required, e.g. --seeds 1..20 or --seeds 1,2,5');
  if (Array.isArray(text)) throw new CliError('--seeds given more than once (use one list, e.g. --seeds 1..5,9)');
  const s = String(text).trim();
  if (s === '') throw new CliError('--seeds must not be empty');
  const out: string[] = [];
  for (const raw of s.split(',')) {
    const item = raw.trim();
    if (item === '') throw new CliError(`--seeds "${s}" has an empty item`);
    if (item.includes('..')) {
      const m = /^(-?\d+)\.\.(-?\d+)$/.exec(item);
      if (m === null) throw new CliError(`--seeds: "${item}" is not a range of integers a..b`);
      const a = Number(m[1]);
      const b = Number(m[2]);
      if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) throw new CliError(`--seeds: "${item}" is out of the integer range`);
      if (a > b) throw new CliError(`--seeds: range "${item}" runs backwards (write ${b}..${a})`);
      if (b - a + 1 + out.length > MAX_SWEEP_RUNS) throw new CliError(`--seeds: more than ${MAX_SWEEP_RUNS} seeds`);
      for (let v = a; v <= b; v++) out.push(String(v));
    } else {
      out.push(checkSeed(item));
    }
  }
  const seen = new Set<string>();
  for (const seed of out) {
    if (seen.has(seed)) throw new CliError(`--seeds lists seed ${seed} twice`);
    seen.add(seed);
  }
  return out;
}

/** --shard i/n with 1 <= i <= n. */
export function parseShard(text: unknown): Shard | null {
  if (text === undefined || text === null) return null;
  if (Array.isArray(text)) throw new CliError('--shard given more than once');
  const s = String(text).trim();
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (m === null) throw new CliError(`--shard "${s}" must look like i/n, e.g. 1/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new CliError(`--shard ${s}: i must be in 1..n (shard ${index} of ${count} does not exist)`);
  return { index, count };
}

/** --profile P,Q: profile names in order, no duplicates; default the scenario's profile. */
export function parseProfiles(v: unknown, def: ScenarioDefinition): string[] {
  if (Array.isArray(v)) throw new CliError('--profile given more than once (list them comma-separated: --profile P,Q)');
  if (v === undefined || v === null) return [def.defaults.profile ?? DEFAULT_PROFILE];
  const names = String(v)
    .split(',')
    .map((p) => p.trim());
  if (names.some((n) => n === '')) throw new CliError(`--profile "${String(v)}" has an empty name`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new CliError(`--profile lists ${n} twice`);
    seen.add(n);
  }
  return names;
}

/**
 * Splits a --vary list at its top-level commas: a comma inside parentheses belongs to the value, so
 * two-argument distributions such as uniform(1ms,2ms) can be varied. Unbalanced parentheses are an error.
 */
function splitTopLevel(text: string, what: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw new CliError(`${what}: unbalanced ")" in "${text}"`);
    } else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new CliError(`${what}: unbalanced "(" in "${text}"`);
  out.push(text.slice(start));
  return out;
}

/** --vary key=v1,v2 (repeatable) into axes, in the order given; keys are checked by planSweep. Commas inside parentheses stay in their value. */
export function parseVary(items: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`--vary "${item}" must look like key=v1,v2,…`);
    const key = item.slice(0, eq).trim();
    const values = splitTopLevel(item.slice(eq + 1), `--vary ${key}`).map((v) => v.trim());
    if (values.length === 0 || values.some((v) => v === '')) throw new CliError(`--vary ${key}: empty value in "${item}"`);
    if (axes.some((a) => a.key === key)) throw new CliError(`--vary ${key} given twice (list all values in one --vary)`);
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) throw new CliError(`--vary ${key} lists ${v} twice`);
      seen.add(v);
    }
    axes.push({ key, values });
  }
  return axes;
}

/** What planSweep needs from the command line, already split into lists. */
export interface SweepSpec {
  definition: ScenarioDefinition;
  scenarioFile: string | null;
  seeds: string[];
  profiles: string[];
  axes: SweepAxis[];
  base: SweepBase;
}

function asCliError(e: unknown): never {
  if (e instanceof ScenarioError || e instanceof ProfileError || e instanceof WorldSettingError) throw new CliError(e.message);
  throw e;
}

function checkAxisValue(spec: SweepSpec, axis: SweepAxis, value: string, baseParams: Record<string, string>): void {
  const { definition, profiles, base } = spec;
  if (axis.key === NODES_AXIS) {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 2) throw new CliError(`--vary nodes: "${value}" is not a whole number >= 2`);
    return;
  }
  if (axis.key.startsWith(SET_AXIS_PREFIX)) {
    const setting = axis.key.slice(SET_AXIS_PREFIX.length);
    try {
      for (const p of profiles) resolveSettings(p, [...base.set, `${setting}=${value}`], definition.world);
    } catch (e) {
      asCliError(e);
    }
    return;
  }
  try {
    resolveParams(definition, { ...baseParams, [axis.key]: value });
  } catch (e) {
    asCliError(e);
  }
}

/** Checks each axis key: a scenario parameter, set.<profile setting> or nodes, not also given as a fixed option. */
function checkAxes(spec: SweepSpec): void {
  const { definition, base, axes } = spec;
  const baseParams = parseAssignmentsOrCli(base.params, '--param');
  const baseSets = parseAssignmentsOrCli(base.set, '--set');
  for (const axis of axes) {
    if (axis.key === 'profile') throw new CliError('--vary profile: list profiles with --profile P,Q instead');
    if (axis.key === NODES_AXIS) {
      if (base.nodes !== null) throw new CliError('--vary nodes and --nodes both given: drop one');
    } else if (axis.key.startsWith(SET_AXIS_PREFIX)) {
      const setting = axis.key.slice(SET_AXIS_PREFIX.length);
      if (Object.prototype.hasOwnProperty.call(baseSets, setting)) throw new CliError(`--vary ${axis.key} and --set ${setting}=… both given: drop one`);
      // An unknown setting name is reported by resolveProfile with the list of valid keys.
    } else {
      if (!Object.prototype.hasOwnProperty.call(definition.params, axis.key)) {
        const known = Object.keys(definition.params).sort();
        throw new CliError(
          `--vary ${axis.key}: scenario ${definition.name} has no parameter "${axis.key}" (vary one of: ${[...known, 'nodes', 'set.<profile setting>'].join(', ')})`,
        );
      }
      if (Object.prototype.hasOwnProperty.call(baseParams, axis.key)) throw new CliError(`--vary ${axis.key} and --param ${axis.key}=… both given: drop one`);
    }
    for (const v of axis.values) checkAxisValue(spec, axis, v, baseParams);
  }
}

function parseAssignmentsOrCli(items: readonly string[], what: string): Record<string, string> {
  try {
    return parseAssignments(items, what);
  } catch (e) {
    return asCliError(e);
  }
}

/** Characters kept in a run id (letters, digits, . _ + = -); anything else becomes '-'. */
function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._+=-]/g, '-');
}

/** Longest id before it is shortened with a hash (file names stay well under 255 bytes). */
const MAX_ID_LENGTH = 160;

/** The run id of a point: p=<profile>_<key>=<value>…_seed=<seed>, file-safe. */
export function runId(profile: string, point: Readonly<Record<string, string>>, axes: readonly SweepAxis[], seed: string): string {
  const parts = [`p=${profile}`, ...axes.map((a) => `${a.key}=${point[a.key]!}`), `seed=${seed}`];
  const full = parts.join('_');
  const safe = fileSafe(full);
  if (safe.length <= MAX_ID_LENGTH && safe === full) return safe;
  // Changed or long: add a hash of the exact text, so two points that differ only in dropped characters stay apart.
  const h = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${safe.slice(0, MAX_ID_LENGTH)}_h=${h}`;
}

/** Every point of the axes' cartesian product, first axis outermost. */
function points(axes: readonly SweepAxis[]): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const axis of axes) {
    const next: Record<string, string>[] = [];
    for (const p of acc) for (const v of axis.values) next.push({ ...p, [axis.key]: v });
    acc = next;
  }
  return acc;
}

/** Seeds as --seeds text: runs of three or more consecutive integers as a..b (parseSeeds reads it back). */
export function formatSeeds(seeds: readonly string[]): string {
  const parts: string[] = [];
  let i = 0;
  const int = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) && String(Number(s)) === s ? Number(s) : null);
  while (i < seeds.length) {
    let j = i;
    const start = int(seeds[i]);
    if (start !== null) while (int(seeds[j + 1]) === start + (j + 1 - i)) j++;
    if (start !== null && j - i >= 2) {
      parts.push(`${seeds[i]}..${seeds[j]}`);
      i = j + 1;
    } else {
      parts.push(seeds[i]!);
      i += 1;
    }
  }
  return parts.join(',');
}

/** The sweep command a plan stands for. */
export function sweepCommand(plan: Pick<SweepPlan, 'scenario' | 'scenarioFile' | 'base' | 'profiles' | 'axes' | 'seeds'>): string {
  const w = ['connsim', 'sweep', plan.scenarioFile ?? plan.scenario, '--seeds', formatSeeds(plan.seeds), '--profile', plan.profiles.join(',')];
  for (const a of plan.axes) w.push('--vary', `${a.key}=${a.values.join(',')}`);
  const b = plan.base;
  if (b.nodes !== null) w.push('--nodes', String(b.nodes));
  if (b.duration !== null) w.push('--duration', b.duration);
  if (b.sampleInterval !== null) w.push('--sample-interval', b.sampleInterval);
  for (const kv of b.params) w.push('--param', kv);
  for (const kv of b.set) w.push('--set', kv);
  if (b.asmap !== null) w.push('--asmap', b.asmap.path);
  if (b.seedList !== null) w.push('--seed-list', b.seedList.path);
  if (b.population !== null) w.push('--population', b.population.path);
  return w.map(shellWord).join(' ');
}

/** Checks the spec against the scenario and profiles and lays out the ordered runs. */
export function planSweep(spec: SweepSpec): SweepPlan {
  const { definition, profiles, seeds, axes, base } = spec;
  for (const p of profiles) {
    try {
      resolveSettings(p, base.set, definition.world);
    } catch (e) {
      asCliError(e);
    }
  }
  try {
    resolveParams(definition, parseAssignments(base.params, '--param'));
  } catch (e) {
    asCliError(e);
  }
  checkAxes(spec);
  const pts = points(axes);
  // Every point's timeline must fit in the run, checked before anything runs.
  try {
    const duration = parseDurationOrThrow(base.duration ?? definition.defaults.duration, '--duration');
    for (const point of pts) {
      const params = [...base.params, ...axes.filter((a) => a.key !== NODES_AXIS && !a.key.startsWith(SET_AXIS_PREFIX)).map((a) => `${a.key}=${point[a.key]!}`)];
      checkTimeline(definition, resolveParams(definition, parseAssignments(params, '--param')), duration);
    }
  } catch (e) {
    asCliError(e);
  }
  const total = profiles.length * pts.length * seeds.length;
  if (total > MAX_SWEEP_RUNS) throw new CliError(`the sweep has ${total} runs, more than ${MAX_SWEEP_RUNS}`);
  const runs: PlannedRun[] = [];
  const ids = new Set<string>();
  for (const profile of profiles) {
    for (const point of pts) {
      for (const seed of seeds) {
        const id = runId(profile, point, axes, seed);
        if (ids.has(id)) throw new CliError(`two runs of the sweep would share the id ${id}`);
        ids.add(id);
        runs.push({ index: runs.length, id, profile, point, seed });
      }
    }
  }
  const head = { scenario: definition.name, scenarioFile: spec.scenarioFile, base, profiles: [...profiles], axes: axes.map((a) => ({ key: a.key, values: [...a.values] })), seeds: [...seeds] };
  return { format: SWEEP_PLAN_FORMAT_VERSION, ...head, command: sweepCommand(head), runs };
}

/** The runs a shard owns: index % count === index - 1 (round robin, so every shard gets a share of each profile and value). */
export function shardRuns(plan: SweepPlan, shard: Shard | null): PlannedRun[] {
  if (shard === null) return plan.runs;
  return plan.runs.filter((r) => r.index % shard.count === shard.index - 1);
}

/** The options one run is started with (RunRequest fields the plan decides). */
export interface RunArgsOfPlan {
  seed: string;
  profile: string;
  nodes: number | null;
  duration: string | null;
  sampleInterval: string | null;
  params: string[];
  set: string[];
}

/** A run's arguments: the base options, then the point's values (params and sets after the fixed ones). */
export function runArgs(plan: SweepPlan, run: PlannedRun): RunArgsOfPlan {
  const params = [...plan.base.params];
  const set = [...plan.base.set];
  let nodes = plan.base.nodes;
  for (const axis of plan.axes) {
    const v = run.point[axis.key]!;
    if (axis.key === NODES_AXIS) nodes = Number(v);
    else if (axis.key.startsWith(SET_AXIS_PREFIX)) set.push(`${axis.key.slice(SET_AXIS_PREFIX.length)}=${v}`);
    else params.push(`${axis.key}=${v}`);
  }
  return { seed: run.seed, profile: run.profile, nodes, duration: plan.base.duration, sampleInterval: plan.base.sampleInterval, params, set };
}

/** `connsim run …` for one run of the plan (what a failed run records as its reproduce command). */
export function runReproduceCommand(plan: SweepPlan, run: PlannedRun): string {
  const a = runArgs(plan, run);
  const w = ['connsim', 'run', plan.scenarioFile ?? plan.scenario, '--seed', a.seed, '--profile', a.profile];
  if (a.nodes !== null) w.push('--nodes', String(a.nodes));
  if (a.duration !== null) w.push('--duration', a.duration);
  if (a.sampleInterval !== null) w.push('--sample-interval', a.sampleInterval);
  for (const kv of a.set) w.push('--set', kv);
  for (const kv of a.params) w.push('--param', kv);
  if (plan.base.asmap !== null) w.push('--asmap', plan.base.asmap.path);
  if (plan.base.seedList !== null) w.push('--seed-list', plan.base.seedList.path);
  if (plan.base.population !== null) w.push('--population', plan.base.population.path);
  return w.map(shellWord).join(' ');
}
