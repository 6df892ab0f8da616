// Runs a scenario in four steps: resolve (parameters, profile, durations, input files), build the
// world (the population's World, the script session, the metrics recorder and the invariant
// checks), drive (the script generator over the kernel: each yielded wait becomes one kernel
// event), and summarise (checks evaluated, RunSummary and RunResult). Pure and deterministic: no
// I/O, no wall clock (progress goes to a callback; the CLI times it). It does not write files
// (cli/ does), holds no scenario of its own, and implements no script verb (script-session.ts).

import type { ConnmanOptions } from '../../connman/net/options.ts';
import type { DebugLog } from '../../connman/ports.ts';
import { RunDebugLog } from '../host/run-debug-log.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import type { ConnectionLogRow, RunCheck, RunResult } from '../../reports/index.ts';
import { Rng as SimRng, formatDuration, perLinkLatency, samplerFor, type Micros, type TraceSink } from '../../sim/index.ts';
import { AsModel, AsModelError } from '../world/as-model.ts';
import { InvariantMonitor } from '../observe/invariants.ts';
import { MetricsRecorder } from '../observe/metrics-recorder.ts';
import { DEFAULT_CHURN, crawlReachableCount, worldOptionsFor, type PopulationOptions } from '../world/population.ts';
import { ProfileError, type ResolvedProfile } from '../world/profiles.ts';
import { RUN_SUMMARY_FORMAT_VERSION, reproduceCommand, type RunInputFile, type RunSummary } from './run-summary.ts';
import { ScenarioError, checkTimeline, parseAssignments, parseDurationOrThrow, resolveParams, type MetricKind, type ParamValues, type ScenarioDefinition, type ScriptIterator } from './scenario.ts';
import { ScriptSession, type RoleTarget } from './script-session.ts';
import { SeedListError, parseSeedList } from '../world/seed-list.ts';
import { PopulationFileError, parsePopulationCsv, type CrawledPopulation } from '../world/population-file.ts';
import { OutsideNetwork, REAL_ANNOUNCING_NODES } from '../world/outside-network.ts';
import { World, type WorldOptions } from '../world/world.ts';
import { BlockSource, POOL_HASH_SHARES } from '../world/block-source.ts';
import { TxSource } from '../world/tx-source.ts';
import { scheduleWarmupRestarts, warmupState, type WarmupState } from '../world/warmup.ts';
import { WorldSettingError, type ResolvedWorldSettings, type WorldSettingKey, type WorldSettings } from '../world/world-settings.ts';
import { resolveSettings } from '../world/settings.ts';

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
  /** A crawl of the reachable network (--population, population-file.ts) and its identity. */
  population?: { text: string; file: RunInputFile };
  traceSink?: TraceSink;
  /**
   * Receives the per-connection log (data/connections.csv): a row per connection of an honest node
   * as it ends, then one per connection still open at the end. Only observes; absent: none is built.
   */
  connectionLog?: (row: ConnectionLogRow) => void;
  /**
   * Honest node `node`'s debug.log with -debug=net (scenarios/host/run-debug-log.ts): each line, in
   * Core's format stamped with the simulated clock, goes to `sink` as it is printed, across the
   * node's restarts. Only observes: the run is the same with or without it.
   */
  debugLog?: { node: number; sink: (line: string) => void };
  /**
   * How keep-alive pings between honest nodes are simulated: 'analytic' (default; no per-ping
   * events while a connection's timing is fixed, see scenarios/host/analytic-ping.ts) or 'messages'
   * (every ping and pong a message; the reference, slower).
   */
  pingPath?: 'analytic' | 'messages';
  /**
   * World options laid over the population's. Benchmarks pin their workload with them, so that a
   * later change of a default does not change what they measure. Seed and node count stay the
   * request's; `connman` is laid over the profile's Connman options (a pinned Core option wins).
   * The world settings below are applied after them (blocks, natShare and the links' latency are
   * settings).
   */
  world?: Partial<Omit<WorldOptions, 'seed' | 'nodes' | 'connman'>> & { connman?: Partial<ConnmanOptions> };
  /**
   * World settings (world-settings.ts) laid over the scenario's own defaults, as `key=value` texts;
   * `set` still has the last word. Unlike `set` they are not part of the run's identity string
   * mixed into the digest, so a benchmark that pins every setting to what an older default gave
   * keeps that default's digest.
   */
  worldSettings?: Readonly<Partial<Record<WorldSettingKey, string>>>;
  /** Called about every 1% of simulated time (and at the end). */
  onProgress?: (p: RunProgress) => void;
  /** Stop at this simulated time instead of the end (inspect): checks are not evaluated. */
  stopAtMicros?: Micros;
  /**
   * Simulated times at which the run pauses (after every event at that time) and calls onPause
   * before going on (inspect --every). Pausing only splits the event loop: nothing is scheduled,
   * so the run is the same event for event.
   */
  pauseAtMicros?: readonly Micros[];
  /** Called at each of pauseAtMicros (within the run's end), in time order, with the run as it stands. */
  onPause?: (tMicros: Micros, view: RunView) => void;
  /** connsim's version string for result.json (the CLI resolves it); default "unknown". */
  codeVersion?: string;
  /** Events at one instant after which the run is declared stuck (default STUCK_EVENTS; tests lower it). */
  stuckEventLimit?: number;
}

export type { RoleTarget } from './script-session.ts';

/** A run's world and roles as they stand (at a pause, or at the end). */
export interface RunView {
  world: World;
  /** Resolves "victim", "victim-1", "attacker-0", or a node id; undefined when unknown. */
  resolveNode(name: string): RoleTarget | undefined;
  /** Role names the scenario defined (for error messages). */
  roleNames(): string[];
  /** The attacker actor's state by role name (for inspect). */
  attackerState(name: string): Record<string, unknown> | undefined;
}

export interface RunOutcome extends RunView {
  summary: RunSummary;
  result: RunResult;
  profile: ResolvedProfile;
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
  crawl: CrawledPopulation | undefined;
  world: ResolvedWorldSettings;
}

/** Step 1: parameters, sizes, durations, profile and input files, checked. Throws ScenarioError on bad input. */
function resolveRun(req: RunRequest): ResolvedRun {
  const def = req.scenario;
  if (typeof req.seed !== 'string' || req.seed.length === 0) throw new ScenarioError('the seed must be a non-empty string or number');
  const paramArgs = [...(req.params ?? [])];
  const params = resolveParams(def, parseAssignments(paramArgs, '--param'));
  const nodes = req.nodes ?? def.defaults.nodes;
  if (!Number.isSafeInteger(nodes) || nodes < 2) throw new ScenarioError(`--nodes must be a whole number >= 2, got ${String(nodes)}`);
  if (req.debugLog !== undefined) checkDebugLogNode(req.debugLog.node, nodes);
  const durationMicros = parseDurationOrThrow(req.duration ?? def.defaults.duration, '--duration');
  if (durationMicros <= 0) throw new ScenarioError('--duration must be longer than 0s');
  const sampleIntervalMicros = parseDurationOrThrow(req.sampleInterval ?? def.defaults.sampleInterval, '--sample-interval');
  if (sampleIntervalMicros <= 0) throw new ScenarioError('--sample-interval must be longer than 0s');
  // Every moment the scenario's measurements depend on must come before the end of the run
  // (inspect stops early on purpose and is exempt).
  if (req.stopAtMicros === undefined) checkTimeline(def, params, durationMicros);
  const set = [...(req.set ?? [])];
  // --set takes both kinds of setting: the world's (world-settings.ts) and the release profile's.
  let profile: ResolvedProfile;
  let world: ResolvedWorldSettings;
  try {
    ({ profile, world } = resolveSettings(req.profile ?? def.defaults.profile ?? 'core-master', set, { ...def.world, ...req.worldSettings }));
  } catch (e) {
    if (e instanceof ProfileError || e instanceof WorldSettingError) throw new ScenarioError(e.message);
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
  let crawl: CrawledPopulation | undefined;
  if (req.population !== undefined) {
    if (req.seedList !== undefined) throw new ScenarioError('--population and --seed-list both place the reachable nodes: give one');
    try {
      crawl = parsePopulationCsv(req.population.text);
    } catch (e) {
      if (e instanceof PopulationFileError) throw new ScenarioError(`population ${req.population.file.path}: ${e.message}`);
      throw e;
    }
  }
  return { def, params, paramArgs, set, nodes, durationMicros, sampleIntervalMicros, profile, asModel, seedList, crawl, world };
}

/**
 * The world settings' part of WorldOptions: blocks, and links that differ (the population's region
 * matrix times a factor per pair of hosts, drawn from a stream of the pair's own, so it does not
 * depend on the order links are first used), with optional per-message jitter.
 */
function withWorldSettings(opts: WorldOptions, s: WorldSettings, seed: string): WorldOptions {
  const out: WorldOptions = { ...opts, blocks: s.blocks, natShare: s.natShare, ...(s.joins !== null ? { joins: s.joins } : {}) };
  if (s.linkLatencyFactor === null && s.jitter === null) return out;
  const base = opts.latency;
  if (base === undefined) return out;
  const links = new SimRng(seed).fork('world/links');
  const factorSpec = s.linkLatencyFactor;
  const factorOf = factorSpec === null ? () => 1 : (a: number, b: number) => samplerFor(links.fork(`${a}-${b}`), factorSpec)();
  const jitter = s.jitter !== null ? samplerFor(new SimRng(seed).fork('world/jitter'), s.jitter) : undefined;
  out.latency = perLinkLatency(base, factorOf, jitter);
  return out;
}

/**
 * The world's own processes from the settings: the block source (mining pools' gateways, never a
 * victim) and the transaction source. Each holds one pending kernel event at most.
 */
function startWorldProcesses(world: World, s: WorldSettings, isVictim: (i: number) => boolean): void {
  if (s.blocks) new BlockSource(world, { interval: s.blockInterval, pools: POOL_HASH_SHARES, gatewayExempt: isVictim }).start();
  if (s.txArrivals !== null) new TxSource(world, { ratePerSecond: 1, interval: s.txArrivals });
  if (s.outsideAnnouncements !== null) {
    // The announcing nodes of the real network that the population does not hold.
    const simulated = world.nodes.filter((n) => n.listening || n.behindNat).length;
    new OutsideNetwork(world, { gap: s.outsideAnnouncements, pool: Math.max(1, REAL_ANNOUNCING_NODES - simulated) }).start();
  }
}

/** What step 2 builds: the world and what observes it. */
interface BuiltRun {
  world: World;
  session: ScriptSession;
  recorder: MetricsRecorder;
  invariants: InvariantMonitor;
  /** Kernel time at which the scenario's clock starts (the end of the warm-up; 0 without one). */
  originMicros: Micros;
  /** What the warm-up reached, once its end has passed (null without a warm-up, or before). */
  warmup: () => WarmupState | null;
}

/** Step 2: the population's World, the script session over it, the recorder and the invariant checks. */
function buildRun(run: ResolvedRun, req: RunRequest): BuiltRun {
  const { def, params, nodes, profile } = run;
  const population: PopulationOptions = {
    ...(def.population?.(params, nodes) ?? {}),
    nodes,
    ...(run.asModel !== undefined ? { asModel: run.asModel } : {}),
    ...(run.seedList !== undefined ? { seedList: run.seedList } : {}),
    ...(run.crawl !== undefined ? { crawl: { nodes: run.crawl.nodes, reachableShare: run.world.settings.reachableShare } } : {}),
  };
  // Sessions and downtimes for every honest node (the scenario's victims are exempted by the script).
  const ws = run.world.settings;
  if (ws.sessionLength !== null) {
    const base = population.churn === undefined || population.churn === 'default' ? DEFAULT_CHURN : population.churn;
    population.churn = { ...base, session: ws.sessionLength, downtime: ws.downtime };
  }
  // The mainnet preset decides who listens by reachableShare even without a crawl.
  if (run.crawl === undefined && run.world.settings.preset === 'mainnet') population.listeningShare = crawlReachableCount(nodes, nodes, run.world.settings.reachableShare) / nodes;
  const world = new World(
    withWorldSettings(
      {
        ...worldOptionsFor(population, req.seed),
        ...req.world,
        seed: req.seed,
        connman: req.world?.connman !== undefined ? { ...profile.connman, ...req.world.connman } : profile.connman,
        useAsmap: profile.useAsmap,
        ...(req.traceSink !== undefined ? { traceSink: req.traceSink } : {}),
        ...(req.debugLog !== undefined ? { debugLog: debugLogFor(req.debugLog) } : {}),
        analyticPings: (req.pingPath ?? 'analytic') === 'analytic',
      },
      run.world.settings,
      req.seed,
    ),
  );
  // The run's identity goes into the digest: a different parameter gives a different digest even
  // when it changes nothing else.
  world.trace.mixString(`scenario=${def.name} profile=${profile.name} set=${run.set.join(',')} params=${JSON.stringify(params)} duration=${run.durationMicros}`);
  // The warm-up (warmup.ts): the honest network runs for ws.warmup before the scenario's clock starts.
  const originMicros = ws.warmup;
  const session = new ScriptSession(world, def.name, def.metrics, nodes, run.durationMicros, profile, originMicros);
  startWorldProcesses(world, run.world.settings, (i) => session.isVictim(i));
  const restarts = ws.warmupRestart !== null ? scheduleWarmupRestarts(world, ws.warmupRestart, req.seed, originMicros, session.isChurnExempt) : { done: 0 };
  const recorder = new MetricsRecorder(world, {
    sampleIntervalMicros: run.sampleIntervalMicros,
    roleOf: (i) => (session.isVictim(i) ? 'victim' : 'honest'),
    isAttackerAddress: session.isAttackerAddress,
    anyAttackerAddress: () => session.attackerEpoch() > 0,
    // The set only grows (attackers may be spawned mid-run), so its size marks every change.
    attackerEpoch: () => session.attackerEpoch(),
    asnOf: (a) => world.asnOf(a),
    asModel: world.asModel !== undefined,
    honestNodeAt: (a) => session.honestNodeAt(a),
    ...(req.connectionLog !== undefined ? { connectionLog: req.connectionLog } : {}),
    originMicros,
  });
  session.observeWith(recorder);
  const invariants = new InvariantMonitor(world);
  recorder.onTick(() => invariants.checkNow());
  let warmup: WarmupState | null = null;
  if (originMicros === 0) recorder.start();
  else {
    // At the warm-up's end: its state is taken, then the recorder starts (the script's first step
    // follows in the same instant: ScriptDrive), as both do at time 0 without a warm-up.
    world.kernel.schedule(originMicros, () => {
      warmup = warmupState(world, run.world.texts.warmup, restarts.done);
      recorder.start();
    });
  }
  return { world, session, recorder, invariants, originMicros, warmup: () => warmup };
}

/** --debug-log names an honest node that exists when the run starts (a node id, 0 .. nodes-1). */
export function checkDebugLogNode(node: number, nodes: number): void {
  if (!Number.isSafeInteger(node) || node < 0 || node >= nodes) throw new ScenarioError(`--debug-log ${String(node)}: give an honest node id 0..${nodes - 1} (the run has ${nodes} honest nodes at its start)`);
}

/** The World's debugLog option for a request's --debug-log: one log for that node, kept across its starts. */
function debugLogFor(req: { node: number; sink: (line: string) => void }): (node: number, nowMicros: () => Micros) => DebugLog | undefined {
  let log: RunDebugLog | undefined;
  return (node, nowMicros) => {
    if (node !== req.node) return undefined;
    log ??= new RunDebugLog(nowMicros, req.sink);
    return log;
  };
}

/**
 * Events at one instant after which a run is declared stuck: simulated time no longer advances, as
 * when a script yields `s.wait(0)` in a loop or an actor reschedules itself without delay. A
 * legitimate burst (every node of a large world starting at once) is orders of magnitude smaller.
 */
export const STUCK_EVENTS = 50_000_000;

/**
 * Step 3, in slices: the script runs to its first yield when the driver is made, then one kernel
 * event per yielded step, and the world runs to the end (or `stopAtMicros`), with a progress report
 * about every 1% of simulated time. `advance` processes at most a given number of events, so a
 * caller can keep its own event loop alive between slices (signals, a wall-clock limit); slicing
 * changes nothing in what happens or in what order.
 */
class ScriptDrive {
  /** Kernel time of the run's end (the warm-up, then the scenario's duration or stopAtMicros). */
  readonly endMicros: Micros;
  /** The scenario's clock at the end (endMicros less the warm-up). */
  readonly scenarioEndMicros: Micros;
  private readonly stepMicros: Micros;
  /** The next 1% step (progress reports). */
  private gridTarget: Micros;
  /** Pause times still ahead, ascending (RunRequest.pauseAtMicros within the end). */
  private readonly pauses: Micros[];
  private script: ScriptIterator | undefined;
  private scriptError: unknown;
  private scriptDone = false;
  /** When the script asked to resume (its pending wait), or null while it runs or when done. */
  private scriptWakeMicros: Micros | null = null;
  private lastNow: Micros;
  private eventsAtLastNow = 0;

  constructor(
    private readonly run: ResolvedRun,
    private readonly built: BuiltRun,
    private readonly req: RunRequest,
    private readonly view: RunView,
  ) {
    const kernel = built.world.kernel;
    const origin = built.originMicros;
    this.script = run.def.script(built.session, run.params);
    // The script's first step runs when the scenario's clock starts: at once, or at the warm-up's end.
    if (origin === 0) this.resume();
    else kernel.schedule(origin, this.resume);
    this.scenarioEndMicros = Math.min(run.durationMicros, req.stopAtMicros ?? run.durationMicros);
    this.endMicros = origin + this.scenarioEndMicros;
    this.stepMicros = Math.max(1, Math.floor(this.endMicros / 100));
    this.gridTarget = Math.min(this.stepMicros, this.endMicros);
    this.pauses = [...new Set(req.pauseAtMicros ?? [])]
      .map((t) => origin + t)
      .filter((t) => t >= kernel.now() && t <= this.endMicros)
      .sort((a, b) => a - b);
    this.lastNow = kernel.now();
  }

  /** Runs the script to its next yield and schedules its resumption. */
  private readonly resume = (): void => {
    const kernel = this.built.world.kernel;
    this.scriptWakeMicros = null;
    let r: IteratorResult<{ untilMicros: Micros }, void>;
    try {
      r = this.script!.next();
    } catch (e) {
      this.scriptError = e;
      return;
    }
    if (r.done === true) {
      this.scriptDone = true;
      return;
    }
    const step = r.value as unknown;
    if (step === null || typeof step !== 'object' || typeof (step as { untilMicros?: unknown }).untilMicros !== 'number' || !Number.isFinite((step as { untilMicros: number }).untilMicros)) {
      this.scriptError = new ScenarioError(`the script yielded ${describeValue(step)}; a script yields s.wait(…) or s.at(…)`);
      return;
    }
    const at = Math.max(kernel.now(), r.value.untilMicros);
    this.scriptWakeMicros = at;
    kernel.schedule(at, this.resume);
  };

  /** The scenario time the script was still waiting for after the run's end (null when it finished in time). */
  pendingWakeAfterEnd(): Micros | null {
    return !this.scriptDone && this.scriptWakeMicros !== null && this.scriptWakeMicros > this.endMicros ? this.scriptWakeMicros - this.built.originMicros : null;
  }

  /**
   * Processes at most `maxEvents` events, and none after `limitMicros` (real-time pacing: the
   * clock is left at the limit); true once the run has reached its end. Throws ScenarioError when
   * the script failed or time stopped advancing. Where the slices end changes nothing in the run.
   */
  advance(maxEvents: number, limitMicros: Micros = Infinity): boolean {
    const kernel = this.built.world.kernel;
    let budget = maxEvents;
    for (;;) {
      const grid = this.pauses.length > 0 ? Math.min(this.pauses[0]!, this.gridTarget) : this.gridTarget;
      const target = Math.min(grid, limitMicros);
      if (target < kernel.now()) return false;
      const n = kernel.run({ until: target, maxEvents: budget });
      budget -= n;
      this.fail();
      const now = kernel.now();
      if (now === this.lastNow) {
        this.eventsAtLastNow += n;
        const limit = this.req.stuckEventLimit ?? STUCK_EVENTS;
        if (this.eventsAtLastNow >= limit) {
          throw new ScenarioError(
            `${this.run.def.name}: simulated time stopped at ${formatDuration(now)}: ${limit.toLocaleString('en-US')} events ran at that instant (a script that yields s.wait(0) in a loop, or an actor that reschedules itself without delay?)`,
          );
        }
      } else {
        this.lastNow = now;
        this.eventsAtLastNow = 0;
      }
      if (now < target) return false;
      // The caller's limit came first: the grid and pause points ahead are not reached yet.
      if (target < grid) return false;
      if (this.pauses.length > 0 && this.pauses[0] === target) {
        this.pauses.shift();
        this.req.onPause?.(target - this.built.originMicros, this.view);
      }
      if (target === this.gridTarget) {
        this.req.onProgress?.({ simMicros: target, durationMicros: this.endMicros, events: kernel.processed });
        if (target >= this.endMicros) return true;
        this.gridTarget = Math.min(target + this.stepMicros, this.endMicros);
      }
      if (budget <= 0) return false;
    }
  }

  private fail(): void {
    if (this.scriptError === undefined) return;
    const e = this.scriptError;
    const msg = e instanceof Error ? e.message : String(e);
    throw new ScenarioError(`${this.run.def.name}: the script failed at ${formatDuration(this.built.world.kernel.now() - this.built.originMicros)}: ${msg}`);
  }

  /** Simulated time reached so far (kernel time: the warm-up counts). */
  nowMicros(): Micros {
    return this.built.world.kernel.now();
  }

  /** The time of the next pending event (kernel time; undefined when none is pending). */
  nextEventMicros(): Micros | undefined {
    return this.built.world.kernel.peekTime();
  }

  /** Where the run is now (what onProgress reports at each 1% step; the warm-up counts), for a caller polling between slices. */
  progress(): RunProgress {
    const kernel = this.built.world.kernel;
    return { simMicros: Math.min(kernel.now(), this.endMicros), durationMicros: this.endMicros, events: kernel.processed };
  }
}

/** A value as a script author would recognise it in an error message. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return 'an object that is not a step';
}

/** Step 4: the last sample and invariant check, the checks evaluated, and the RunSummary and RunResult. */
function summarise(run: ResolvedRun, built: BuiltRun, req: RunRequest, endMicros: Micros, scriptWaitingFor: Micros | null): { summary: RunSummary; result: RunResult } {
  const { def, params, profile, durationMicros, sampleIntervalMicros } = run;
  const { world, session, recorder, invariants } = built;
  const kernel = world.kernel;
  recorder.sampleNow();
  invariants.checkNow();
  const stoppedEarly = endMicros < durationMicros;
  const checks: RunCheck[] = [...session.immediateChecks];
  if (!stoppedEarly) {
    for (const e of session.expectations) {
      let o;
      try {
        o = e.evaluate();
      } catch (err) {
        throw new ScenarioError(`${def.name}: check "${e.name}" threw when it was evaluated at the end: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (o === null || typeof o !== 'object' || typeof o.passed !== 'boolean' || typeof o.detail !== 'string') {
        throw new ScenarioError(`${def.name}: check "${e.name}" returned ${describeValue(o)}; a check returns { passed: boolean, detail: string }`);
      }
      checks.push({ name: e.name, passed: o.passed, detail: o.detail, kind: e.kind });
    }
  }
  // A script still waiting for a later time when the run ended never ran its remaining steps (nor
  // registered the checks they hold): that is a failure, never a silent pass.
  if (!stoppedEarly && scriptWaitingFor !== null) {
    checks.push({
      name: 'script timeline',
      kind: 'health',
      passed: false,
      detail: `the script was still waiting for ${formatDuration(scriptWaitingFor)} when the run ended at ${formatDuration(durationMicros)}: its later steps and the checks they register never ran (give a longer --duration or an earlier timeline)`,
    });
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
    inputs: { asmap: req.asmap?.file ?? null, seedList: req.seedList?.file ?? null, population: req.population?.file ?? null },
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
      params: Object.keys(params).sort().map((name) => ({ name, value: params[name]!, ...(def.params[name] !== undefined ? { type: def.params[name]!.type } : {}) })),
      durationMicros: endMicros,
      sampleIntervalMicros,
      attackStartMicros: session.attackStartMicros,
      honestNodes: world.nodes.length,
      attackerNodes,
      asModel: world.asModel !== undefined,
      victimIds,
      world: { ...run.world.texts },
      metrics: [...session.metrics.keys()].sort().map((name) => ({
        name,
        value: session.metrics.get(name)!,
        kind: def.metrics?.[name]?.kind ?? 'number',
        description: def.metrics?.[name]?.description ?? '',
      })),
      inputs: (
        [
          ['asmap', req.asmap?.file],
          ['seed list', req.seedList?.file],
          ['population', req.population?.file],
        ] as const
      ).flatMap(([kind, f]) => (f === undefined ? [] : [{ kind, path: f.path, sha256: f.sha256 }])),
      eventsProcessed: kernel.processed,
      traceDigest: digest,
      codeVersion: req.codeVersion ?? 'unknown',
      reproduce,
    },
    session.marks,
    checks,
  );
  const metricRecord: Record<string, number> = {};
  const metricKinds: Record<string, MetricKind> = {};
  for (const k of [...session.metrics.keys()].sort()) {
    metricRecord[k] = session.metrics.get(k)!;
    metricKinds[k] = def.metrics?.[k]?.kind ?? 'number';
  }
  const summary: RunSummary = {
    format: RUN_SUMMARY_FORMAT_VERSION,
    ...partial,
    params: Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]!])),
    world: { ...run.world.texts },
    durationMicros,
    eventsProcessed: kernel.processed,
    digest,
    honestNodes: world.nodes.length,
    attackerNodes,
    victims: victimIds,
    metrics: metricRecord,
    metricKinds,
    checks: checks.map((c) => ({ name: c.name, kind: c.kind ?? 'health', passed: c.passed, detail: c.detail })),
    healthy: checks.every((c) => c.passed || c.kind === 'outcome'),
    passed: checks.every((c) => c.passed),
    reproduce,
    ...(built.warmup() !== null ? { warmup: built.warmup()! } : {}),
  };
  return { summary, result };
}

/** A run in progress, driven in slices (cli/ keeps its event loop alive between them). */
export interface RunDriver {
  /**
   * Processes at most `maxEvents` events, none after `limitMicros` if given (real-time pacing);
   * true once the run has reached its end. Slicing changes nothing in the run.
   */
  advance(maxEvents: number, limitMicros?: Micros): boolean;
  /** Simulated time reached so far, and where the run ends. */
  nowMicros(): Micros;
  /** The time of the next pending event (undefined when none is pending). */
  nextEventMicros(): Micros | undefined;
  readonly endMicros: Micros;
  /** Kernel time at which the scenario's clock starts (the end of the warm-up; 0 without one). */
  readonly originMicros: Micros;
  /** Where the run is now. */
  progress(): RunProgress;
  /** The outcome, once advance returned true. */
  finish(): RunOutcome;
}

/** Resolves and builds a run and starts its script; drive it with advance, then finish. Throws ScenarioError on bad input. */
export function startRun(req: RunRequest): RunDriver {
  const run = resolveRun(req);
  const built = buildRun(run, req);
  const { world, session } = built;
  const view: RunView = {
    world,
    resolveNode: (name) => session.resolveNode(name),
    roleNames: () => session.roleNames(),
    attackerState: (name) => session.attackerState(name),
  };
  const drive = new ScriptDrive(run, built, req, view);
  let finished = false;
  return {
    endMicros: drive.endMicros,
    originMicros: built.originMicros,
    advance: (maxEvents, limitMicros) => {
      if (finished) return true;
      finished = drive.advance(maxEvents, limitMicros);
      return finished;
    },
    nowMicros: () => drive.nowMicros(),
    nextEventMicros: () => drive.nextEventMicros(),
    progress: () => drive.progress(),
    finish: () => {
      if (!finished) throw new Error('startRun: finish() before the run reached its end');
      const { summary, result } = summarise(run, built, req, drive.scenarioEndMicros, drive.pendingWakeAfterEnd());
      return { ...view, summary, result, profile: run.profile, isAttackerAddress: session.isAttackerAddress };
    },
  };
}

/** Events per slice when a run is driven to its end in one call. */
const SLICE_EVENTS = 1 << 20;

/** Runs a scenario to its end (or `stopAtMicros`): resolve, build, drive, summarise. Throws ScenarioError on bad input. */
export function runScenario(req: RunRequest): RunOutcome {
  const driver = startRun(req);
  while (!driver.advance(SLICE_EVENTS)) {
    // Slices only bound the time-stopped check; nothing happens between them.
  }
  return driver.finish();
}
