// The scenario DSL: what a scenario module declares (`defineScenario({...})`) and the script API
// its generator uses. A script reads top to bottom; it yields `s.wait('30m')` or `s.at('6h')` to let
// simulated time pass (generators, not Promises: the simulation stays synchronous and
// deterministic), and between waits it spawns attackers, restarts nodes, installs faults, marks
// moments and registers named checks. Parameters are typed from their declaration: a `duration`
// or `integer` parameter arrives as a number, a `string` with choices as the union of its choices.
//
// This file holds the declarations and the parameter resolution only. The script API is
// implemented by ScriptSession (script-session.ts); runner.ts drives a script over a World; the
// built-in scenarios are in scenarios/builtin/.

import type { NodeStats } from '../../connman/net/connman.ts';
import type { NodeRpc } from '../../connman/rpc/net.ts';
import type { CheckKind } from '../../reports/run-result.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import { DistributionError, DurationParseError, formatDuration, parseDistribution, parseDuration, type DistributionSpec, type FaultHandle, type FaultRule, type Micros, type Rng as SimRng } from '../../sim/index.ts';
import type { Attacker } from '../actors/attacker-env.ts';
import type { AttackerSpec } from '../actors/create-attacker.ts';
import type { PopulationOptions } from '../world/population.ts';
import type { AllocationSpread } from '../world/world.ts';
import type { ProfileSettings } from '../world/profiles.ts';
import { WorldSettingError, resolveWorldSettings, type WorldSettingKey } from '../world/world-settings.ts';

/** A bad scenario, parameter or option: the CLI prints the message on one line and exits 2. */
export class ScenarioError extends Error {}

/**
 * 'distribution': a distribution of times written as `connsim profiles` lists them (e.g.
 * `exponential(30s)`, `constant(200ms)`); the script receives its canonical text and reads it with
 * distributionParam (summary.json records the text, `connsim describe` shows it).
 */
export type ParamType = 'integer' | 'number' | 'boolean' | 'string' | 'duration' | 'distribution';
export type ParamValue = number | string | boolean;

/** One scenario parameter. Durations are given as text ("6h") and resolved to µs. */
export interface ParamSpec {
  type: ParamType;
  default: ParamValue;
  description: string;
  /** Inclusive bounds (numbers; durations in µs after parsing). */
  min?: number;
  max?: number;
  /** Allowed values of a string parameter. */
  choices?: readonly string[];
}

/**
 * Declares one parameter outside a scenario literal (e.g. in a table shared by scenarios) keeping
 * its literal type, so that the script still receives it typed.
 */
export function param<const S extends ParamSpec>(spec: S): S {
  return spec;
}

/** Resolved parameters: numbers, booleans, strings; durations as µs. */
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** The value a declared parameter resolves to: integers, numbers and durations (µs) are numbers. */
export type ParamValueOf<S extends ParamSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'distribution'
    ? string
  : S['type'] extends 'string'
    ? S extends { choices: readonly (infer C)[] }
      ? C
      : string
    : number;

/** The resolved parameters of a declaration, each typed from its spec. */
export type ParamValuesOf<Specs extends Readonly<Record<string, ParamSpec>>> = { readonly [K in keyof Specs]: ParamValueOf<Specs[K]> };

export interface ScenarioDefaults {
  /** Honest nodes. */
  nodes: number;
  /** Simulated duration, e.g. "6h". */
  duration: string;
  /** Sampling interval of the charts' series, e.g. "10m". */
  sampleInterval: string;
  /** Profile when --profile is not given (default core-master). */
  profile?: string;
}

/** A step a script yields: run the world until this kernel time, then resume the script. */
export interface ScriptStep {
  readonly untilMicros: Micros;
}

export type ScriptIterator = Generator<ScriptStep, void, void>;

import { METRIC_KINDS, metricFits, type MetricKind } from '../../reports/metric-kind.ts';

export { METRIC_KINDS, metricFits, type MetricKind };

/** A metric a scenario records with `s.metric`. */
export interface MetricSpec {
  kind: MetricKind;
  description: string;
}

export type { CheckKind } from '../../reports/run-result.ts';

/** The outcome of a named check, computed when the run ends (or at once with `s.check`). */
export interface CheckOutcome {
  passed: boolean;
  /** One sentence: what was measured against what. */
  detail: string;
}

/** A scenario as a module declares it, its script and population typed by its parameters. */
export interface ScenarioSpec<Specs extends Readonly<Record<string, ParamSpec>>> {
  /** kebab-case, as typed on the command line. */
  name: string;
  /** One line for `connsim list`. */
  summary: string;
  /** Who attacks, with what, and what success means (for `describe` and SCENARIOS.md). */
  threatModel: string;
  /** The published result it reproduces, if any. */
  reproduces?: string;
  defaults: ScenarioDefaults;
  params: Specs;
  /** The metrics the script records, with their kinds (an undeclared metric is a 'number'). */
  metrics?: Readonly<Record<string, MetricSpec>>;
  /**
   * The scenario's own defaults for world settings (world-settings.ts: blocks, txArrivals, …), e.g.
   * { blocks: 'false' } for a study of a world without blocks; the threat model should say why.
   * `--set` still overrides them.
   */
  world?: Readonly<Partial<Record<WorldSettingKey, string>>>;
  /** Population settings beyond the defaults, from the resolved parameters. */
  population?: (p: ParamValuesOf<Specs>, nodes: number) => Partial<PopulationOptions>;
  /**
   * The moments the script's measurements depend on (the attack starting, the victims restarting),
   * from the resolved parameters: a run that would end before one of them is refused before it
   * starts, so an attack that cannot happen never passes silently.
   */
  timeline?: (p: ParamValuesOf<Specs>) => readonly TimelineStep[];
  script: (s: ScriptContext, p: ParamValuesOf<Specs>) => ScriptIterator;
}

/** One moment of a scenario's timeline. */
export interface TimelineStep {
  /** What happens then, as a sentence fragment: "the attack starts". */
  what: string;
  /** When, after the run's start (µs). */
  atMicros: Micros;
}

/** A scenario as the runner and the CLI hold it (its parameters resolved at run time). */
export interface ScenarioDefinition {
  /** kebab-case, as typed on the command line. */
  name: string;
  /** One line for `connsim list`. */
  summary: string;
  /** Who attacks, with what, and what success means (for `describe` and SCENARIOS.md). */
  threatModel: string;
  /** The published result it reproduces, if any. */
  reproduces?: string;
  defaults: ScenarioDefaults;
  params: Readonly<Record<string, ParamSpec>>;
  /** The metrics the script records, with their kinds (see ScenarioSpec.metrics). */
  metrics?: Readonly<Record<string, MetricSpec>>;
  /**
   * The scenario's own defaults for world settings (world-settings.ts: blocks, txArrivals, …), e.g.
   * { blocks: 'false' } for a study of a world without blocks; the threat model should say why.
   * `--set` still overrides them.
   */
  world?: Readonly<Partial<Record<WorldSettingKey, string>>>;
  /** Population settings beyond the defaults, from the resolved parameters. */
  population?: (p: ParamValues, nodes: number) => Partial<PopulationOptions>;
  /** The moments the script's measurements depend on (see ScenarioSpec.timeline). */
  timeline?: (p: ParamValues) => readonly TimelineStep[];
  script: (s: ScriptContext, p: ParamValues) => ScriptIterator;
}

/** What an attacker spawned by a script looks like to the script. */
export interface AttackerHandle {
  /** Role name, "attacker-0", "attacker-1", … in spawn order. */
  readonly name: string;
  readonly attacker: Attacker;
}

/** One connection of an honest node, as a script sees it. */
export interface PeerView {
  addr: NetAddr;
  /** Core's connection type name ("outbound-full-relay", "block-relay-only", "inbound", …). */
  connType: string;
  /** The honest node at the other end, when it is one. */
  honestIndex: number | undefined;
  attacker: boolean;
}

/** The API a script calls. Times are µs or duration text ("90s", "6h"). */
export interface ScriptContext {
  /** Honest nodes at the start. */
  readonly nodes: number;
  readonly durationMicros: Micros;
  /** The scenario's own random stream (forked from the run's seed, label "scenario"). */
  readonly rng: SimRng;
  /** The profile in force, and whether its nodes use the AS model's asmap. */
  readonly profileName: string;
  /** Every setting of the profile in force (after --set). */
  readonly profileSettings: Readonly<ProfileSettings>;
  readonly useAsmap: boolean;

  /** Time since the scenario's start: after the world's warm-up (the `warmup` world setting), if any. */
  now(): Micros;
  /** Let `d` pass. */
  wait(d: Micros | string): ScriptStep;
  /** Let time pass until `t` after the scenario's start, the end of any warm-up (no-op when already past). */
  at(t: Micros | string): ScriptStep;
  /** Call `fn` every `d` (first after `d`) until the run ends or `fn` returns false. */
  every(d: Micros | string, fn: (tick: number) => boolean | void): void;
  /** Call `fn` once after `d`. */
  after(d: Micros | string, fn: () => void): void;

  /** Every honest node's index, including nodes spawned since the start (running or not). */
  honestNodes(): number[];
  /** Honest node `index`'s P2P address and port (what attackers target). */
  serviceOf(index: number): Service;
  /** Whether honest node `index` is running now (started, not stopped or crashed). */
  isRunning(index: number): boolean;
  /** The names of the world's DNS seeds. */
  dnsSeeds(): readonly string[];
  /** The AS number the world's AS model gives an address (0 when it has none). */
  asnOf(addr: NetAddr): number;
  /**
   * Refuses (a ScenarioError naming `what`) a spread of attacker addresses this world's AS model
   * cannot host, e.g. more /16s per AS than the asmap's largest ASes own. Call it at the start of a
   * script so an unsuitable --asmap fails at 0s rather than when the attack starts.
   */
  requireSpread(spread: AllocationSpread, what: string): void;
  /** Crashes, clean stops and restarts of the population's churn so far (zeros without churn). */
  churnCounters(): { crashes: number; stops: number; restarts: number };

  /** Marks honest node `index` (default: a listening node drawn from `rng`) as a victim; returns it. */
  victim(index?: number): number;
  /** `count` distinct honest node indices drawn from `rng`, optionally only listening ones, ascending. */
  pickNodes(count: number, filter?: { listening?: boolean; exclude?: readonly number[] }): number[];
  /** Adds honest nodes now; returns their indices. */
  spawnHonest(count: number, opts?: { listening?: boolean }): number[];
  /** Spawns and starts an attacker actor (addresses come from the world's address space as the spec asks). */
  spawnAttacker(spec: AttackerSpec): AttackerHandle;
  /** Fresh addresses nobody owns (e.g. "trash" to advertise), spread as asked (see World.allocateAddresses). */
  allocateAddresses(count: number, spread?: { slash16s: number } | { asns: number; slash16sPerAsn?: number }): NetAddr[];
  /**
   * Spawns an actor that stands for honest nodes outside the simulated population (the rest of a
   * large network): its addresses are not the attacker's. Typically `listeners`, so that addresses
   * seeded into a victim's tables (`seedAddrman`) answer like live honest peers.
   */
  spawnBackground(spec: AttackerSpec): AttackerHandle;
  /**
   * Puts addresses into honest node `index`'s AddrMan as if it had learned them earlier (from
   * `source`, timestamped `ageSeconds` ago), and with `tried` also marks them good (a past
   * successful connection). Models a long-running node's history in a network larger than the
   * simulated one.
   */
  seedAddrman(index: number, addrs: readonly NetAddr[], opts: { tried: boolean; source?: NetAddr; ageSeconds?: number }): void;
  /** Every attacker address so far (what the charts count as attacker-owned). */
  attackerAddresses(): readonly NetAddr[];

  restart(index: number, downtime?: Micros | string): void;
  crash(index: number): void;
  takeOffline(index: number, how?: 'graceful' | 'crash'): void;
  start(index: number): void;
  /** Exempts a node from the population's churn (victims usually are). */
  protect(index: number): void;

  /** Installs a network fault on honest nodes' hosts (see sim/network.ts FaultRule). */
  fault(rule: FaultRule): FaultHandle;
  /** Partitions honest nodes `a` from `b` (default: everyone else). */
  partition(a: readonly number[], b?: readonly number[]): FaultHandle;
  removeFault(handle: FaultHandle): void;
  /** Makes every DNS seed (or the named ones) answer with these addresses. */
  poisonDns(addresses: readonly NetAddr[], seeds?: readonly string[]): void;

  /** A labelled vertical rule on every time chart. */
  mark(label: string): void;
  /** Marks the start of the attack (time-to-eclipse counts from here). */
  attackStarts(label?: string): void;
  /**
   * Registers a named check evaluated when the run ends: a 'health' check (default: the run is
   * sound) or an 'outcome' check (the scenario's answer against its expectation).
   */
  expect(name: string, evaluate: () => CheckOutcome, kind?: CheckKind): void;
  /** Records a named check now. */
  check(name: string, outcome: CheckOutcome, kind?: CheckKind): void;
  /** A scalar for summary.json's metrics (last write wins); a declared metric must fit its kind. */
  metric(name: string, value: number): void;

  // Measurements for checks (honest node `index`, right now).
  /** The node's fully connected peers (handshake done, not disconnecting), outbound or inbound. */
  peers(index: number, direction: 'outbound' | 'inbound'): PeerView[];
  /** The honest node owning this address, if any. */
  honestNodeAt(addr: NetAddr): number | undefined;
  /** Long-lived outbound peers (full-relay, block-relay-only, manual) and how many are attacker-owned. */
  outboundCounts(index: number): { total: number; attacker: number };
  /** All long-lived outbound peers are the attacker's (and there is at least one). */
  isEclipsed(index: number): boolean;
  /** Share of the node's AddrMan new and tried entries that are attacker addresses. */
  addrmanAttackerShare(index: number): { new: number; tried: number };
  /** Inbound peers and how many are attacker-owned. */
  inboundCounts(index: number): { total: number; attacker: number };
  /** Full-relay outbound connections (Core's GetFullOutboundConnCount); 0 while the node is down. */
  fullOutboundCount(index: number): number;
  /** The node's connections as getpeerinfo reports them (Core's CNodeStats); empty while it is down. */
  peerInfo(index: number): NodeStats[];
  /** Whether honest node `index` listens publicly (is reachable). */
  isListening(index: number): boolean;
  /** The nodes' clock (Core's GetTime) in seconds: what getpeerinfo's conntime and last_block compare with. */
  clockSeconds(): number;
  /** getaddrmaninfo's all_networks new and tried counts; zeros while the node is down. */
  addrmanSizes(index: number): { new: number; tried: number };
  /**
   * Honest node `index`'s network RPCs (connman/rpc/net.ts, the same functions as the testing API's
   * `node.rpc`): Core's names and arguments, its JSON results, and its errors as an RPCError whose
   * `code` and `message` are Core's (e.g. `setban` of a bad subnet: -30 "Error: Invalid IP/Subnet").
   * The handle finds the node at each call, so it outlives restarts; a call while the node is
   * down is a ScenarioError (Core's bitcoin-cli could not connect).
   */
  rpc(index: number): NodeRpc;
}

/**
 * Checks a scenario's shape and returns it (the module's default export). Its script and
 * population receive the parameters typed from their declaration.
 */
export function defineScenario<const Specs extends Readonly<Record<string, ParamSpec>>>(spec: ScenarioSpec<Specs>): ScenarioDefinition {
  // The runner resolves the parameters against `params` (resolveParams), so the script receives
  // exactly the shape its declaration promises.
  const def = spec as unknown as ScenarioDefinition;
  if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new ScenarioError(`scenario name "${def.name}" must be kebab-case`);
  if (!Number.isInteger(def.defaults.nodes) || def.defaults.nodes < 1) throw new ScenarioError(`scenario ${def.name}: defaults.nodes must be a positive integer`);
  parseDurationOrThrow(def.defaults.duration, `scenario ${def.name}: defaults.duration`);
  parseDurationOrThrow(def.defaults.sampleInterval, `scenario ${def.name}: defaults.sampleInterval`);
  for (const [name, spec] of Object.entries(def.params)) {
    if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) throw new ScenarioError(`scenario ${def.name}: parameter "${name}" must be camelCase`);
    coerceParam(def.name, name, spec, spec.default);
  }
  if (def.world !== undefined) {
    try {
      resolveWorldSettings([], def.world);
    } catch (e) {
      if (e instanceof WorldSettingError) throw new ScenarioError(`scenario ${def.name}: ${e.message}`);
      throw e;
    }
  }
  for (const [name, m] of Object.entries(def.metrics ?? {})) {
    if (!METRIC_KINDS.includes(m.kind)) throw new ScenarioError(`scenario ${def.name}: metric "${name}" has kind "${String(m.kind)}" (one of ${METRIC_KINDS.join(', ')})`);
  }
  return def;
}

/** A 'distribution' parameter's value (its canonical text) as the spec attackers take. */
export function distributionParam(text: string): DistributionSpec {
  return parseDistribution(text, 'duration').spec;
}

/**
 * Refuses a run whose declared timeline (ScenarioSpec.timeline) does not fit in `durationMicros`:
 * every step must come before the end.
 */
export function checkTimeline(def: ScenarioDefinition, params: ParamValues, durationMicros: Micros): void {
  for (const step of def.timeline?.(params) ?? []) {
    if (step.atMicros >= durationMicros) {
      throw new ScenarioError(
        `${def.name}: ${step.what} at ${formatDuration(step.atMicros)}, but the run ends at ${formatDuration(durationMicros)}: give a --duration longer than ${formatDuration(step.atMicros)}, or move the step earlier with --param`,
      );
    }
  }
}

/** Parses duration text (or passes µs through), naming `what` in the error. */
export function parseDurationOrThrow(d: Micros | string, what: string): Micros {
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d) || d < 0) throw new ScenarioError(`${what}: ${d} is not a non-negative whole number of µs`);
    return d;
  }
  try {
    return parseDuration(d);
  } catch (e) {
    if (e instanceof DurationParseError) throw new ScenarioError(`${what}: ${e.message}`);
    throw e;
  }
}

function coerceParam(scenario: string, name: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const where = `scenario ${scenario}: parameter ${name}`;
  const bounded = (v: number, shown: string): number => {
    if (spec.min !== undefined && v < spec.min) throw new ScenarioError(`${where}: ${shown} is below the minimum ${spec.min}`);
    if (spec.max !== undefined && v > spec.max) throw new ScenarioError(`${where}: ${shown} is above the maximum ${spec.max}`);
    return v;
  };
  switch (spec.type) {
    case 'integer': {
      const v = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'boolean' || !Number.isSafeInteger(v) || String(raw).trim() === '') throw new ScenarioError(`${where}: "${String(raw)}" is not an integer`);
      return bounded(v, String(raw));
    }
    case 'number': {
      const v = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'boolean' || !Number.isFinite(v) || String(raw).trim() === '') throw new ScenarioError(`${where}: "${String(raw)}" is not a number`);
      return bounded(v, String(raw));
    }
    case 'boolean': {
      if (raw === true || raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === false || raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new ScenarioError(`${where}: "${String(raw)}" is not a boolean (true/false)`);
    }
    case 'duration': {
      if (typeof raw === 'boolean') throw new ScenarioError(`${where}: a duration is expected`);
      return bounded(parseDurationOrThrow(raw, where), String(raw));
    }
    case 'distribution': {
      if (typeof raw !== 'string') throw new ScenarioError(`${where}: a distribution such as exponential(30s) is expected`);
      try {
        return parseDistribution(raw, 'duration').text;
      } catch (e) {
        if (e instanceof DistributionError) throw new ScenarioError(`${where}: ${e.message}`);
        throw e;
      }
    }
    case 'string': {
      const v = String(raw);
      if (spec.choices !== undefined && !spec.choices.includes(v)) throw new ScenarioError(`${where}: "${v}" is not one of ${spec.choices.join(', ')}`);
      return v;
    }
  }
}

/**
 * The scenario's parameters: defaults overridden by `given` (name → text). Unknown names are an
 * error listing the known ones.
 */
export function resolveParams(def: ScenarioDefinition, given: Readonly<Record<string, string>>): ParamValues {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(given).sort()) {
    if (!Object.prototype.hasOwnProperty.call(def.params, name)) {
      const known = Object.keys(def.params).sort();
      throw new ScenarioError(`scenario ${def.name} has no parameter "${name}"${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (it takes none)'}`);
    }
  }
  for (const name of Object.keys(def.params).sort()) {
    const spec = def.params[name]!;
    const raw = Object.prototype.hasOwnProperty.call(given, name) ? given[name]! : spec.default;
    out[name] = coerceParam(def.name, name, spec, raw);
  }
  return out;
}

/**
 * Parses "k=v" strings into a record; a string without "=", with an empty key, or a key given
 * twice (which value was meant?) is an error.
 */
export function parseAssignments(items: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ScenarioError(`${what} "${item}" must look like key=value`);
    const key = item.slice(0, eq).trim();
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new ScenarioError(`${what} ${key} is given more than once`);
    out[key] = item.slice(eq + 1).trim();
  }
  return out;
}
