// Runs a scenario in four steps: resolve (parameters, profile, durations, input files), build the
// world (the population's World, the script session, the metrics recorder and the invariant
// checks), drive (the script generator over the kernel: each yielded wait becomes one kernel
// event), and summarise (checks evaluated, RunSummary and RunResult). Pure and deterministic: no
// I/O, no wall clock (progress goes to a callback; the CLI times it). It does not write files
// (cli/ does), holds no scenario of its own, and implements no script verb (script-session.ts).

import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import type { RunCheck, RunResult } from '../../reports/index.ts';
import { formatDuration, type Micros, type TraceSink } from '../../sim/index.ts';
import { AsModel, AsModelError } from '../world/as-model.ts';
import { InvariantMonitor } from '../observe/invariants.ts';
import { MetricsRecorder } from '../observe/metrics-recorder.ts';
import { worldOptionsFor, type PopulationOptions } from '../world/population.ts';
import { ProfileError, resolveProfile, type ResolvedProfile } from '../world/profiles.ts';
import { RUN_SUMMARY_FORMAT_VERSION, reproduceCommand, type RunInputFile, type RunSummary } from './run-summary.ts';
import { ScenarioError, parseAssignments, parseDurationOrThrow, resolveParams, type ParamValues, type ScenarioDefinition, type ScriptIterator } from './scenario.ts';
import { ScriptSession, type RoleTarget } from './script-session.ts';
import { SeedListError, parseSeedList } from '../world/seed-list.ts';
import { World } from '../world/world.ts';

export interface RunProgress {
  simMicros: Micros;
  durationMicros: Micros;
  events: number;
}

export interface RunRequest {
  scenario: ScenarioDefinition;
  /** Path of a scenario loaded from a file (recorded in the summary), null for built-ins. */
  scenarioFile?: string | null;
  seed: string;
  /** Honest nodes (default: the scenario's). */
  nodes?: number;
  /** Simulated duration, text or µs (default: the scenario's). */
  duration?: string | Micros;
  /** Sampling interval of the series (default: the scenario's). */
  sampleInterval?: string | Micros;
  profile?: string;
  /** --set key=value overrides of the profile. */
  set?: readonly string[];
  /** --param key=value. */
  params?: readonly string[];
  /** A real asmap's bytes (--asmap) and its identity. */
  asmap?: { bytes: Uint8Array; file: RunInputFile };
  /** A seed list's text (--seed-list, nodes_main.txt format) and its identity. */
  seedList?: { text: string; file: RunInputFile };
  traceSink?: TraceSink;
  /**
   * How keep-alive pings between honest nodes are simulated: 'analytic' (default; no per-ping
   * events while a connection's timing is fixed, see connman/net/analytic-ping.ts) or 'messages'
   * (every ping and pong a message; the reference, slower).
   */
  pingPath?: 'analytic' | 'messages';
  /** Called about every 1% of simulated time (and at the end). */
  onProgress?: (p: RunProgress) => void;
  /** Stop at this simulated time instead of the end (inspect): checks are not evaluated. */
  stopAtMicros?: Micros;
  /** connsim's version string for result.json (the CLI resolves it); default "unknown". */
  codeVersion?: string;
}

export type { RoleTarget } from './script-session.ts';

export interface RunOutcome {
  summary: RunSummary;
  result: RunResult;
  world: World;
  profile: ResolvedProfile;
  /** Resolves "victim", "victim-1", "attacker-0", or a node id; undefined when unknown. */
  resolveNode(name: string): RoleTarget | undefined;
  /** Role names the scenario defined (for error messages). */
  roleNames(): string[];
  /** The attacker actor's state by role name (for inspect). */
  attackerState(name: string): Record<string, unknown> | undefined;
  /** Whether an address belongs to an attacker. */
  isAttackerAddress(addr: NetAddr): boolean;
}

/** A request resolved and checked: everything a run is, before anything is built. */
interface ResolvedRun {
  def: ScenarioDefinition;
  params: ParamValues;
  paramArgs: string[];
  set: string[];
  nodes: number;
  durationMicros: Micros;
  sampleIntervalMicros: Micros;
  profile: ResolvedProfile;
  asModel: AsModel | undefined;
  seedList: Service[] | undefined;
}

/** Step 1: parameters, sizes, durations, profile and input files, checked. Throws ScenarioError on bad input. */
function resolveRun(req: RunRequest): ResolvedRun {
  const def = req.scenario;
  if (typeof req.seed !== 'string' || req.seed.length === 0) throw new ScenarioError('the seed must be a non-empty string or number');
  const paramArgs = [...(req.params ?? [])];
  const params = resolveParams(def, parseAssignments(paramArgs, '--param'));
  const nodes = req.nodes ?? def.defaults.nodes;
  if (!Number.isSafeInteger(nodes) || nodes < 2) throw new ScenarioError(`--nodes must be a whole number >= 2, got ${String(nodes)}`);
  const durationMicros = parseDurationOrThrow(req.duration ?? def.defaults.duration, '--duration');
  if (durationMicros <= 0) throw new ScenarioError('--duration must be longer than 0s');
  const sampleIntervalMicros = parseDurationOrThrow(req.sampleInterval ?? def.defaults.sampleInterval, '--sample-interval');
  if (sampleIntervalMicros <= 0) throw new ScenarioError('--sample-interval must be longer than 0s');
  const set = [...(req.set ?? [])];
  let profile: ResolvedProfile;
  try {
    profile = resolveProfile(req.profile ?? def.defaults.profile ?? 'core-master', set);
  } catch (e) {
    if (e instanceof ProfileError) throw new ScenarioError(e.message);
    throw e;
  }
  let asModel: AsModel | undefined;
  if (req.asmap !== undefined) {
    try {
      asModel = AsModel.fromAsmap(req.asmap.bytes);
    } catch (e) {
      if (e instanceof AsModelError) throw new ScenarioError(`asmap ${req.asmap.file.path}: ${e.message}`);
      throw e;
    }
  }
  let seedList: Service[] | undefined;
  if (req.seedList !== undefined) {
    try {
      seedList = parseSeedList(req.seedList.text);
    } catch (e) {
      if (e instanceof SeedListError) throw new ScenarioError(`seed list ${req.seedList.file.path}: ${e.message}`);
      throw e;
    }
  }
  return { def, params, paramArgs, set, nodes, durationMicros, sampleIntervalMicros, profile, asModel, seedList };
}

/** What step 2 builds: the world and what observes it. */
interface BuiltRun {
  world: World;
  session: ScriptSession;
  recorder: MetricsRecorder;
  invariants: InvariantMonitor;
}

/** Step 2: the population's World, the script session over it, the recorder and the invariant checks. */
function buildRun(run: ResolvedRun, req: RunRequest): BuiltRun {
  const { def, params, nodes, profile } = run;
  const population: PopulationOptions = {
    ...(def.population?.(params, nodes) ?? {}),
    nodes,
    ...(run.asModel !== undefined ? { asModel: run.asModel } : {}),
    ...(run.seedList !== undefined ? { seedList: run.seedList } : {}),
  };
  const world = new World({
    ...worldOptionsFor(population, req.seed),
    seed: req.seed,
    connman: profile.connman,
    useAsmap: profile.useAsmap,
    ...(req.traceSink !== undefined ? { traceSink: req.traceSink } : {}),
    analyticPings: (req.pingPath ?? 'analytic') === 'analytic',
  });
  // The run's identity goes into the digest: a different parameter gives a different digest even
  // when it changes nothing else.
  world.trace.mixString(`scenario=${def.name} profile=${profile.name} set=${run.set.join(',')} params=${JSON.stringify(params)} duration=${run.durationMicros}`);
  const session = new ScriptSession(world, def.name, nodes, run.durationMicros, profile);
  const recorder = new MetricsRecorder(world, {
    sampleIntervalMicros: run.sampleIntervalMicros,
    roleOf: (i) => (session.isVictim(i) ? 'victim' : 'honest'),
    isAttackerAddress: session.isAttackerAddress,
    anyAttackerAddress: () => session.attackerEpoch() > 0,
    // The set only grows (attackers may be spawned mid-run), so its size marks every change.
    attackerEpoch: () => session.attackerEpoch(),
    asnOf: (a) => world.asnOf(a),
  });
  session.observeWith(recorder);
  const invariants = new InvariantMonitor(world);
  recorder.onTick(() => invariants.checkNow());
  recorder.start();
  return { world, session, recorder, invariants };
}

/**
 * Step 3: runs the script to its first yield now, then one kernel event per yielded step, and the
 * world until the end (or `stopAtMicros`), reporting progress about every 1% of simulated time.
 * Returns the end time.
 */
function drive(run: ResolvedRun, built: BuiltRun, req: RunRequest): Micros {
  const { world, session } = built;
  const kernel = world.kernel;
  let script: ScriptIterator;
  let scriptError: unknown;
  const advance = (): void => {
    let r: IteratorResult<{ untilMicros: Micros }, void>;
    try {
      r = script.next();
    } catch (e) {
      scriptError = e;
      return;
    }
    if (r.done === true) return;
    kernel.schedule(Math.max(kernel.now(), r.value.untilMicros), advance);
  };
  script = run.def.script(session, run.params);
  advance();

  const endMicros = Math.min(run.durationMicros, req.stopAtMicros ?? run.durationMicros);
  const step = Math.max(1, Math.floor(endMicros / 100));
  for (let t = Math.min(step, endMicros); ; t = Math.min(t + step, endMicros)) {
    world.runUntil(t);
    if (scriptError !== undefined) break;
    req.onProgress?.({ simMicros: t, durationMicros: endMicros, events: kernel.processed });
    if (t >= endMicros) break;
  }
  if (scriptError !== undefined) {
    const msg = scriptError instanceof Error ? scriptError.message : String(scriptError);
    throw new ScenarioError(`${run.def.name}: the script failed at ${formatDuration(kernel.now())}: ${msg}`);
  }
  return endMicros;
}

/** Step 4: the last sample and invariant check, the checks evaluated, and the RunSummary and RunResult. */
function summarise(run: ResolvedRun, built: BuiltRun, req: RunRequest, endMicros: Micros): { summary: RunSummary; result: RunResult } {
  const { def, params, profile, durationMicros, sampleIntervalMicros } = run;
  const { world, session, recorder, invariants } = built;
  const kernel = world.kernel;
  recorder.sampleNow();
  invariants.checkNow();
  const stoppedEarly = endMicros < durationMicros;
  const checks: RunCheck[] = [...session.immediateChecks];
  if (!stoppedEarly) {
    for (const e of session.expectations) {
      const o = e.evaluate();
      checks.push({ name: e.name, passed: o.passed, detail: o.detail });
    }
  }
  checks.push(...invariants.violations());

  const victimIds = [...session.victims].sort((a, b) => a - b);
  const partial = {
    scenario: def.name,
    scenarioFile: req.scenarioFile ?? null,
    seed: req.seed,
    profile: profile.name,
    set: run.set,
    paramArgs: run.paramArgs,
    nodes: run.nodes,
    duration: formatDuration(durationMicros),
    sampleIntervalMicros,
    inputs: { asmap: req.asmap?.file ?? null, seedList: req.seedList?.file ?? null },
    pingPath: req.pingPath ?? 'analytic',
  };
  const reproduce = reproduceCommand(partial, parseDurationOrThrow(def.defaults.sampleInterval, 'sampleInterval'));
  const digest = world.digest();
  const attackerNodes = session.attackerAddrs.length;
  const result = recorder.finish(
    {
      scenario: def.name,
      seed: req.seed,
      profile: profile.name,
      params: Object.keys(params).sort().map((name) => ({ name, value: params[name]! })),
      durationMicros: endMicros,
      sampleIntervalMicros,
      attackStartMicros: session.attackStartMicros,
      honestNodes: world.nodes.length,
      attackerNodes,
      victimIds,
      eventsProcessed: kernel.processed,
      traceDigest: digest,
      codeVersion: req.codeVersion ?? 'unknown',
      reproduce,
    },
    session.marks,
    checks,
  );
  const metricRecord: Record<string, number> = {};
  for (const k of [...session.metrics.keys()].sort()) metricRecord[k] = session.metrics.get(k)!;
  const summary: RunSummary = {
    format: RUN_SUMMARY_FORMAT_VERSION,
    ...partial,
    params: Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]!])),
    durationMicros,
    eventsProcessed: kernel.processed,
    digest,
    honestNodes: world.nodes.length,
    attackerNodes,
    victims: victimIds,
    metrics: metricRecord,
    checks: checks.map((c) => ({ name: c.name, passed: c.passed, detail: c.detail })),
    passed: checks.every((c) => c.passed),
    reproduce,
  };
  return { summary, result };
}

/** Runs a scenario to its end (or `stopAtMicros`): resolve, build, drive, summarise. Throws ScenarioError on bad input. */
export function runScenario(req: RunRequest): RunOutcome {
  const run = resolveRun(req);
  const built = buildRun(run, req);
  const endMicros = drive(run, built, req);
  const { summary, result } = summarise(run, built, req, endMicros);
  const { world, session } = built;
  return {
    summary,
    result,
    world,
    profile: run.profile,
    isAttackerAddress: session.isAttackerAddress,
    roleNames: () => session.roleNames(),
    resolveNode: (name) => session.resolveNode(name),
    attackerState: (name) => session.attackerState(name),
  };
}
