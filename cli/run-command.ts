// `connsim run <scenario|path.ts>`: checks the options, runs the scenario (scenarios/dsl/runner.ts)
// with a progress bar on a terminal, publishes the run directory atomically (reports, result.json,
// summary.json and timing.json in one swap), then prints the summary table or summary.json.
// A run whose checks fail prints them with the seed and the reproduce command and exits 1.
// Option errors are CliErrors (exit 2) raised before anything is written.

import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { CONNECTION_LOG_FILE, stableStringify, type RunResult } from '../reports/index.ts';
import { ConnectionLogFile } from './connection-log.ts';
import { StreamedFile } from './streamed-file.ts';
import { DEFAULT_PROFILE } from '../scenarios/world/profiles.ts';
import { resolveSettings } from '../scenarios/world/settings.ts';
import { RUN_SUMMARY_FILE_NAME, type RunSummary } from '../scenarios/dsl/run-summary.ts';
import { checkDebugLogNode, startRun, type RunOutcome, type RunRequest } from '../scenarios/dsl/runner.ts';
import { parseAssignments, parseDurationOrThrow, resolveParams, type ScenarioDefinition } from '../scenarios/dsl/scenario.ts';
import { checkRunFits } from './memory-check.ts';
import { codeVersion, provenance, type Provenance } from './provenance.ts';
import { formatDuration } from '../sim/index.ts';
import { paramText } from './report-html.ts';
import { StagedRunDir, checkOutputDir, fsError } from './out-dir.ts';
import { determinismGuard } from './determinism-guard.ts';
import { Interrupted, interruptible, pendingSignal, yieldToEventLoop } from './interrupt.ts';
import { PlainProgress, ProgressReporter, formatWallSeconds } from './progress.ts';
import { TraceFile, checkDuration, checkNodes, checkSeed, list, readRunInputs, single } from './run-inputs.ts';
import { loadScenario } from './scenario-loader.ts';
import { CliError } from './user-error.ts';
import { RealTimePacer } from '../bridge/realtime.ts';

export const TIMING_FILE_NAME = 'timing.json';

/** The run options as yargs hands them over (validated here). */
export interface RunArgs {
  scenario: string;
  seed?: unknown;
  nodes?: unknown;
  duration?: unknown;
  profile?: unknown;
  set?: unknown;
  param?: unknown;
  sampleInterval?: unknown;
  asmap?: unknown;
  seedList?: unknown;
  population?: unknown;
  pingPath?: unknown;
  out?: unknown;
  trace?: unknown;
  /** --debug-log NODE: write that honest node's net-category debug log into the run directory. */
  debugLog?: unknown;
  json?: boolean;
  quiet?: boolean;
  /** --max-wall: a wall-clock limit, e.g. 2h. */
  maxWall?: unknown;
  /** --realtime: pace simulated time to the wall clock (bridge/realtime.ts). */
  realtime?: boolean;
}

/** The --max-wall option as ExecuteOptions (a CliError for a bad duration). */
export function maxWallOf(args: { maxWall?: unknown }): { maxWallMs?: number } {
  const us = checkDuration(args.maxWall, 'max-wall');
  return us === undefined ? {} : { maxWallMs: us / 1000 };
}

/** Where the CLI writes and what it knows about the terminal. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal (the progress bar is drawn only then). */
  stderrIsTty: boolean;
  /** Wall clock in milliseconds (monotonic). */
  nowMs: () => number;
  /** Peak resident set size so far, bytes. */
  peakRssBytes: () => number;
  /** The scenario runner (tests hand in a fake; default scenarios/dsl/runner.ts runScenario). */
  runScenario?: (req: RunRequest) => RunOutcome;
}

/** Wall-clock facts of a run: the one file of a run directory that differs between reruns. */
export interface RunTiming {
  wallSeconds: number;
  eventsPerSecond: number;
  peakRssBytes: number;
}

/** The default run directory of a scenario and seed: runs/<scenario>-<seed>. */
export function defaultOutDir(scenario: string, seed: string): string {
  return join('runs', `${scenario}-${seed}`);
}

/** Validates the options shared by `run` and `inspect` into a RunRequest (no file is written). */
export async function prepareRequest(args: RunArgs): Promise<{ request: RunRequest; definition: ScenarioDefinition }> {
  const seed = checkSeed(args.seed ?? '1');
  const { definition, file } = await loadScenario(args.scenario);
  const nodes = checkNodes(args.nodes);
  const duration = checkDuration(args.duration, 'duration');
  const sampleInterval = checkDuration(args.sampleInterval, 'sample-interval');
  const profile = single(args.profile as string | undefined, 'profile');
  const set = list(args.set);
  const params = list(args.param);
  // The runner checks these again; doing it here first keeps a bad --param from costing a build.
  resolveParams(definition, parseAssignments(params, '--param'));
  const { world } = resolveSettings(profile !== undefined ? String(profile) : (definition.defaults.profile ?? DEFAULT_PROFILE), set, definition.world);
  // A warm-up is simulated time too (the world runs it before the scenario's clock starts).
  const hours = ((duration ?? parseDurationOrThrow(definition.defaults.duration, 'duration')) + world.settings.warmup) / 3_600_000_000;
  checkRunFits(`${definition.name} with ${(nodes ?? definition.defaults.nodes).toLocaleString('en-US')} nodes over ${formatDuration(hours * 3_600_000_000)}`, nodes ?? definition.defaults.nodes, hours);
  const inputs = readRunInputs({ asmap: single(args.asmap as string | undefined, 'asmap'), seedList: single(args.seedList as string | undefined, 'seed-list'), population: single(args.population as string | undefined, 'population') });
  const pingPath = single(args.pingPath as string | undefined, 'ping-path');
  if (pingPath !== undefined && pingPath !== 'analytic' && pingPath !== 'messages') {
    throw new CliError(`--ping-path must be analytic or messages, got '${String(pingPath)}'`);
  }
  const request: RunRequest = {
    codeVersion: codeVersion(),
    scenario: definition,
    scenarioFile: file,
    seed,
    set,
    params,
    ...(nodes !== undefined ? { nodes } : {}),
    ...(duration !== undefined ? { duration } : {}),
    ...(sampleInterval !== undefined ? { sampleInterval } : {}),
    ...(profile !== undefined ? { profile: String(profile) } : {}),
    ...inputs,
    ...(pingPath !== undefined ? { pingPath: pingPath as 'analytic' | 'messages' } : {}),
  };
  return { request, definition };
}

/**
 * The --trace file: not the run directory itself; a path inside the run directory is written into
 * the staged directory and published with the run (so a failed run leaves no trace file either).
 */
export function checkTracePath(trace: string, outDir: string | undefined): string {
  if (trace.trim() === '') throw new CliError('--trace is empty: name a file');
  const abs = resolve(trace);
  if (outDir !== undefined && abs === outDir) throw new CliError(`--trace '${trace}' is the run directory; name a file (e.g. ${join(trace, 'trace.jsonl')})`);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return abs;
  }
  if (st.isDirectory()) throw new CliError(`--trace '${trace}' is a directory`);
  return abs;
}

/**
 * Checks --out (out-dir.ts) and takes the run directory before the simulation starts: a location
 * that cannot be written, or that another process is writing, fails here, not after the run.
 */
export function stageRunDir(outGiven: string, scenario: string): StagedRunDir {
  const { path } = checkOutputDir(outGiven, 'run', { scenario });
  return StagedRunDir.acquire(path, outGiven);
}

/** Where a trace is written while the run lasts: inside the staged directory when it belongs to the run directory. */
function stagedTracePath(trace: string, staged: StagedRunDir | undefined): string {
  const inside = staged?.stagedPathOf(trace);
  if (inside === undefined) return trace;
  try {
    mkdirSync(dirname(inside), { recursive: true });
  } catch (e) {
    throw fsError('cannot write --trace', trace, e);
  }
  return inside;
}

/** Where the staged run directory's per-connection log is written while the run lasts. */
export function stagedConnectionLog(staged: StagedRunDir): string {
  return join(staged.dir, 'data', CONNECTION_LOG_FILE); // 'data': run-dir.ts DATA_DIR (not imported: it loads vega)
}

/** Events simulated between two looks at the event loop (signals, the wall-clock limit, progress). */
const SLICE_EVENTS = 200_000;

export interface ExecuteOptions {
  quiet: boolean;
  trace?: string;
  /** Where to stream the per-connection log (data/connections.csv of the staged run directory). */
  connectionLog?: string;
  /** --debug-log: the node and where to stream its debug log (debug-NODE.log of the staged run directory). */
  debugLog?: { node: number; path: string };
  /** Stop (Interrupted, exit 124) once this much wall time has passed, in ms. */
  maxWallMs?: number;
  /**
   * Real-time mode (--realtime): simulated time paced to the wall clock, never ahead of it; a line
   * on stderr when the run falls behind and when it caught up. The run is the same event for event.
   */
  realtime?: boolean;
  /**
   * Called after each slice, outside the simulation (and outside the determinism guard), so a
   * caller can write what it collected at the run's pauses (RunRequest.onPause).
   */
  afterSlice?: () => void;
}

/**
 * Runs a request: the trace file, progress (a bar on a terminal, a plain line every few percent
 * off one), the simulation in slices with the event loop let through between them (a signal or
 * the wall-clock limit stops it with Interrupted), and the scenario's own code behind the
 * determinism guard. Returns the outcome and timing.
 */
export async function executeRun(request: RunRequest, io: CliIo, opts: ExecuteOptions): Promise<{ outcome: RunOutcome; timing: RunTiming }> {
  return interruptible(() => executeSlices(request, io, opts));
}

async function executeSlices(request: RunRequest, io: CliIo, opts: ExecuteOptions): Promise<{ outcome: RunOutcome; timing: RunTiming }> {
  const trace = opts.trace !== undefined ? new TraceFile(opts.trace) : undefined;
  let connLog: ConnectionLogFile | undefined;
  let debugLog: StreamedFile | undefined;
  try {
    connLog = opts.connectionLog !== undefined ? new ConnectionLogFile(opts.connectionLog) : undefined;
    debugLog = opts.debugLog !== undefined ? new StreamedFile(opts.debugLog.path, 'the debug log') : undefined;
  } catch (e) {
    trace?.abort();
    connLog?.abort();
    throw e;
  }
  const progress = opts.quiet ? undefined : io.stderrIsTty ? new ProgressReporter(io.stderr, io.nowMs) : new PlainProgress(io.stderr, io.nowMs, `${request.scenario.name} seed ${request.seed}`);
  const started = io.nowMs();
  let outcome: RunOutcome;
  try {
    const req: RunRequest = {
      ...request,
      ...(trace !== undefined ? { traceSink: trace.sink } : {}),
      ...(connLog !== undefined ? { connectionLog: connLog.sink } : {}),
      ...(debugLog !== undefined && opts.debugLog !== undefined ? { debugLog: { node: opts.debugLog.node, sink: (line: string) => debugLog.append(line) } } : {}),
    };
    if (io.runScenario !== undefined) {
      // A test's stand-in for the runner: one synchronous call.
      outcome = io.runScenario({ ...req, ...(progress !== undefined ? { onProgress: (p) => progress.update(p) } : {}) });
    } else {
      const driver = determinismGuard.run(() => startRun(req));
      const pacer = opts.realtime === true ? realTimePacer(driver, io) : undefined;
      // A warm-up (world setting `warmup`) runs at full speed: pacing starts with the scenario's clock.
      let paced = false;
      for (;;) {
        if (pacer !== undefined && !paced && driver.nowMicros() >= driver.originMicros) {
          pacer.begin();
          paced = true;
        }
        // The wall clock is read here, outside the guard (scenario code may not read it).
        const limit = paced ? pacer!.wallTarget() : pacer !== undefined ? driver.originMicros : undefined;
        const done = determinismGuard.run(() => driver.advance(SLICE_EVENTS, limit));
        progress?.update(driver.progress());
        opts.afterSlice?.();
        if (done) break;
        const sleepMicros = paced ? pacer!.settle() : 0;
        if (sleepMicros > 0) await new Promise((r) => setTimeout(r, Math.ceil(sleepMicros / 1000)));
        else await yieldToEventLoop();
        const signal = pendingSignal();
        const stoppedAt = `simulated ${formatDuration(Math.floor(driver.nowMicros() / 1e6) * 1e6)} of ${formatDuration(driver.endMicros)}`;
        if (signal !== null) throw new Interrupted(signal, `interrupted by ${signal} (${stoppedAt})`);
        if (opts.maxWallMs !== undefined && io.nowMs() - started > opts.maxWallMs) throw new Interrupted('max-wall', `stopped by --max-wall after ${formatWallSeconds(opts.maxWallMs / 1000)} (${stoppedAt})`);
      }
      pacer?.stop();
      outcome = determinismGuard.run(() => driver.finish());
    }
  } catch (e) {
    progress?.finish();
    trace?.abort();
    connLog?.abort();
    debugLog?.abort();
    throw e;
  }
  progress?.finish();
  trace?.commit();
  connLog?.close();
  debugLog?.close();
  const wallSeconds = (io.nowMs() - started) / 1000;
  const events = outcome.summary.eventsProcessed;
  return {
    outcome,
    timing: {
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      eventsPerSecond: wallSeconds > 0 ? Math.round(events / wallSeconds) : 0,
      peakRssBytes: io.peakRssBytes(),
    },
  };
}

/** The pacer of a --realtime run: it drives nothing itself (the slice loop does) and reports lag on stderr. */
function realTimePacer(driver: ReturnType<typeof startRun>, io: CliIo): RealTimePacer {
  return new RealTimePacer(
    {
      now: () => driver.nowMicros(),
      runUntil: () => 0,
      nextEventAt: () => driver.nextEventMicros(),
    },
    {
      endMicros: driver.endMicros,
      wallMicros: () => Math.round(io.nowMs() * 1000),
      onBehind: (e) =>
        io.stderr(
          e.phase === 'start'
            ? `connsim: real time: behind the wall clock by ${(e.lagMicros / 1000).toFixed(0)} ms at simulated ${formatDuration(Math.floor(e.atMicros / 1e6) * 1e6)}\n`
            : `connsim: real time: caught up after ${(e.forMicros / 1000).toFixed(0)} ms behind (worst lag ${(e.maxLagMicros / 1000).toFixed(0)} ms)\n`,
        ),
    },
  );
}

/** summary.json as the CLI writes it: the run's summary with where it came from (provenance.ts). */
export function withProvenance(summary: RunSummary, p: Provenance = provenance()): RunSummary {
  return { ...summary, provenance: p };
}

/** Publishes the run directory: reports, result.json, summary.json and timing.json in one atomic swap. */
export async function publishRun(staged: StagedRunDir, summary: RunSummary, result: RunResult, timing: RunTiming): Promise<string> {
  if (summary.provenance !== undefined) result = { ...result, identity: { ...result.identity, nodeVersion: summary.provenance.node, command: summary.provenance.command } };
  // Loaded on use: the renderer (vega) is slow to load, and a failed option check never needs it.
  const { publishStaged } = await import('./run-dir.ts');
  const report = await publishStaged(staged, result, {
    writeResult: true,
    extraFiles: [
      { name: RUN_SUMMARY_FILE_NAME, content: stableStringify(summary) },
      { name: TIMING_FILE_NAME, content: stableStringify(timing) },
    ],
  });
  return report.runDir;
}

/** A path for display: relative to the working directory when below it. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') ? rel : abs;
}

/** What a warm-up reached, on one line (summary.json's `warmup`). */
export function warmupText(w: NonNullable<RunSummary['warmup']>): string {
  return `${w.running} nodes running, ${w.restarts} restarted; medians: AddrMan new ${w.medianNew} / tried ${w.medianTried}, GETADDR cache ${w.medianGetaddrCache} addresses, ${w.medianFullOutbound} full-relay outbound peers aged ${w.medianOutboundAgeMinutes} min`;
}

function formatMetric(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e4) / 1e4);
}

/**
 * The human summary of a finished run (aligned label column). `paramTypes` (the scenario's
 * declared parameter types) lets durations read as durations instead of microseconds.
 */
export function formatSummaryTable(s: RunSummary, runDir: string | null, timing?: RunTiming, paramTypes: Readonly<Record<string, { type: string }>> = {}, outputs: readonly { label: string; file: string }[] = []): string {
  const rows: [string, string][] = [
    ['scenario', s.scenarioFile !== null ? `${s.scenario} (${s.scenarioFile})` : s.scenario],
    ['seed', s.seed],
    ['profile', s.set.length > 0 ? `${s.profile} (${s.set.join(', ')})` : s.profile],
    ['nodes', `${s.honestNodes} honest, ${s.attackerNodes} attacker`],
    ['simulated', s.warmup !== undefined ? `${formatDuration(s.durationMicros)} after a ${s.warmup.duration} warm-up` : formatDuration(s.durationMicros)],
    ...(s.warmup !== undefined ? ([['warm-up', warmupText(s.warmup)]] as [string, string][]) : []),
    ['events', String(s.eventsProcessed)],
    ['digest', s.digest],
  ];
  if (timing !== undefined) rows.push(['wall time', `${timing.wallSeconds.toFixed(1)} s (${timing.eventsPerSecond} events/s)`]);
  const paramNames = Object.keys(s.params).sort();
  for (const name of paramNames) rows.push([name === paramNames[0] ? 'params' : '', `${name} = ${paramText(s.params[name]!, paramTypes[name]?.type)}`]);
  const metricNames = Object.keys(s.metrics).sort();
  for (const name of metricNames) rows.push([name === metricNames[0] ? 'metrics' : '', `${name} = ${formatMetric(s.metrics[name]!)}`]);
  if (s.checks.length === 0) rows.push(['checks', '(none)']);
  // Health checks first (is the run sound?), then the outcome checks (the scenario's answer).
  const ordered = [...s.checks.filter((c) => c.kind !== 'outcome'), ...s.checks.filter((c) => c.kind === 'outcome')];
  ordered.forEach((c, i) => rows.push([i === 0 ? 'checks' : '', `${c.passed ? '✓' : '✗'} ${c.kind === 'outcome' ? 'outcome: ' : ''}${c.name}: ${c.detail}`]));
  if (runDir !== null) {
    rows.push(['run dir', displayPath(runDir)]);
    rows.push(['report', displayPath(join(runDir, 'report.html'))]);
    for (const o of outputs) rows.push([o.label, displayPath(join(runDir, o.file))]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}

/** What a failed run prints after its summary: the failed checks, the seed and the command to reproduce it. */
export function formatFailure(s: RunSummary): string {
  const failed = s.checks.filter((c) => !c.passed);
  const outcomes = failed.filter((c) => c.kind === 'outcome').length;
  const what = outcomes === failed.length ? ' (outcomes that differ from the expectation; the run itself is sound)' : outcomes > 0 ? ` (${outcomes} of them outcomes that differ from the expectation)` : '';
  const lines = [`FAILED: ${failed.length} of ${s.checks.length} checks${what}`];
  for (const c of failed) lines.push(`  ✗ ${c.kind === 'outcome' ? 'outcome: ' : ''}${c.name}: ${c.detail}`);
  lines.push(`seed: ${s.seed}`);
  lines.push(`reproduce: ${s.reproduce}`);
  return `${lines.join('\n')}\n`;
}

/** The run directory's file for --debug-log NODE. */
export function debugLogFileName(node: number): string {
  return `debug-${node}.log`;
}

/** --debug-log NODE: an honest node id of the run (checked before anything is written). */
export function checkDebugLogArg(v: unknown, nodes: number): number | undefined {
  const text = single(v as string | undefined, 'debug-log');
  if (text === undefined) return undefined;
  const t = String(text);
  if (!/^\d+$/.test(t)) throw new CliError(`--debug-log ${t}: give an honest node id 0..${nodes - 1} (role names such as victim are chosen by the script once the run has started)`);
  try {
    checkDebugLogNode(Number(t), nodes);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  return Number(t);
}

/** `connsim run`: returns the exit code (0 passed, 1 a check failed). */
export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  const { request, definition } = await prepareRequest(args);
  const outArg = single(args.out as string | undefined, 'out');
  const outGiven = outArg !== undefined ? String(outArg) : defaultOutDir(definition.name, request.seed);
  const traceArg = single(args.trace as string | undefined, 'trace');
  const trace = traceArg !== undefined ? checkTracePath(String(traceArg), resolve(outGiven)) : undefined;
  const debugLogNode = checkDebugLogArg(args.debugLog, request.nodes ?? definition.defaults.nodes);
  const staged = stageRunDir(outGiven, definition.name);
  const outputs = debugLogNode !== undefined ? [{ label: 'debug log', file: debugLogFileName(debugLogNode) }] : [];
  let runDir: string;
  let outcome: RunOutcome;
  let timing: RunTiming;
  let summary: RunSummary;
  try {
    ({ outcome, timing } = await executeRun(request, io, {
      quiet: args.quiet === true,
      ...maxWallOf(args),
      ...(args.realtime === true ? { realtime: true } : {}),
      ...(trace !== undefined ? { trace: stagedTracePath(trace, staged) } : {}),
      connectionLog: stagedConnectionLog(staged),
      ...(debugLogNode !== undefined ? { debugLog: { node: debugLogNode, path: join(staged.dir, debugLogFileName(debugLogNode)) } } : {}),
    }));
    summary = withProvenance(outcome.summary);
    runDir = await publishRun(staged, summary, outcome.result, timing);
  } catch (e) {
    staged.discard();
    throw e;
  }
  if (args.json === true) io.stdout(stableStringify(summary));
  else io.stdout(formatSummaryTable(summary, runDir, timing, definition.params, outputs));
  if (!summary.passed) {
    io.stderr(formatFailure(summary));
    return 1;
  }
  return 0;
}
