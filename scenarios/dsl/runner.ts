// Runs a scenario: resolves its parameters and profile, builds the population's World, drives the
// script generator over the kernel (each yielded wait becomes one kernel event), samples the
// metrics, checks the invariants, evaluates the scenario's checks and returns the RunSummary and
// the RunResult. Pure and deterministic: no I/O, no wall clock (progress goes to a callback; the
// CLI times it). It does not write files (cli/ does) and holds no scenario of its own.

import { ConnectionType, connectionTypeAsString } from '../../connman/protocol/connection-types.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import type { RunCheck, RunMark, RunResult } from '../../reports/index.ts';
import { formatDuration, type FaultHandle, type FaultRule, type Micros, type TraceSink } from '../../sim/index.ts';
import type { Attacker } from '../actors/attacker-env.ts';
import { createAttacker, type AttackerSpec } from '../actors/create-attacker.ts';
import { attackerEnvFromWorld } from '../actors/world-env.ts';
import { AsModel, AsModelError } from '../world/as-model.ts';
import { InvariantMonitor } from '../observe/invariants.ts';
import { MetricsRecorder } from '../observe/metrics-recorder.ts';
import { worldOptionsFor, type PopulationOptions } from '../world/population.ts';
import { ProfileError, resolveProfile, type ResolvedProfile } from '../world/profiles.ts';
import { RUN_SUMMARY_FORMAT_VERSION, reproduceCommand, type RunInputFile, type RunSummary } from './run-summary.ts';
import {
  ScenarioError,
  parseAssignments,
  parseDurationOrThrow,
  resolveParams,
  type AttackerHandle,
  type CheckOutcome,
  type PeerView,
  type ScenarioDefinition,
  type ScriptContext,
  type ScriptIterator,
} from './scenario.ts';
import { SeedListError, parseSeedList } from '../world/seed-list.ts';
import { DEFAULT_P2P_PORT, World } from '../world/world.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';

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

/** What a role name resolves to (inspect --node victim / attacker-0 / 12). */
export type RoleTarget = { kind: 'honest'; index: number } | { kind: 'attacker'; name: string };

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

const LONG_LIVED = new Set<ConnectionType>([ConnectionType.OUTBOUND_FULL_RELAY, ConnectionType.BLOCK_RELAY, ConnectionType.MANUAL]);

function addrKey(a: NetAddr): string {
  return a.toStringAddr();
}

/** Runs a scenario to its end (or `stopAtMicros`). Throws ScenarioError on bad input. */
export function runScenario(req: RunRequest): RunOutcome {
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

  // Roles and attacker addresses, filled by the script.
  const victims: number[] = [];
  const victimSet = new Set<number>();
  const protectedNodes = new Set<number>();
  const attackers: AttackerHandle[] = [];
  const backgrounds: AttackerHandle[] = [];
  const attackerKeys = new Set<string>();
  const attackerAddrs: NetAddr[] = [];
  const isAttackerAddress = (a: NetAddr): boolean => attackerKeys.size > 0 && attackerKeys.has(addrKey(a));

  const population: PopulationOptions = {
    ...(def.population?.(params, nodes) ?? {}),
    nodes,
    ...(asModel !== undefined ? { asModel } : {}),
    ...(seedList !== undefined ? { seedList } : {}),
  };
  const worldOptions = worldOptionsFor(population, req.seed);
  const world = new World({
    ...worldOptions,
    seed: req.seed,
    connman: profile.connman,
    useAsmap: profile.useAsmap,
    churnExempt: (i: number) => protectedNodes.has(i) || victimSet.has(i),
    ...(req.traceSink !== undefined ? { traceSink: req.traceSink } : {}),
    analyticPings: (req.pingPath ?? 'analytic') === 'analytic',
  });
  // The run's identity goes into the digest: a different parameter gives a different digest even
  // when it changes nothing else.
  world.trace.mixString(`scenario=${def.name} profile=${profile.name} set=${set.join(',')} params=${JSON.stringify(params)} duration=${durationMicros}`);

  const recorder = new MetricsRecorder(world, {
    sampleIntervalMicros,
    roleOf: (i) => (victimSet.has(i) ? 'victim' : 'honest'),
    isAttackerAddress,
    anyAttackerAddress: () => attackerKeys.size > 0,
    // The set only grows (attackers may be spawned mid-run), so its size marks every change.
    attackerEpoch: () => attackerKeys.size,
    asnOf: (a) => world.asnOf(a),
  });
  const invariants = new InvariantMonitor(world);
  recorder.onTick(() => invariants.checkNow());
  recorder.start();

  const marks: RunMark[] = [];
  const immediateChecks: RunCheck[] = [];
  const expectations: { name: string; evaluate: () => CheckOutcome }[] = [];
  const metrics = new Map<string, number>();
  let attackStartMicros = 0;
  const kernel = world.kernel;
  const scriptRng = world.rng.fork('scenario');
  const toMicros = (d: Micros | string, what: string): Micros => parseDurationOrThrow(d, `${def.name}: ${what}`);
  const honest = (index: number, what: string): void => {
    if (!Number.isInteger(index) || index < 0 || index >= world.nodes.length) throw new ScenarioError(`${def.name}: ${what}: no honest node ${index}`);
  };

  const honestByAddr = new Map<string, number>();
  const honestAt = (a: NetAddr): number | undefined => {
    if (honestByAddr.size !== world.nodes.length) for (const n of world.nodes) honestByAddr.set(addrKey(n.address), n.index);
    return honestByAddr.get(addrKey(a));
  };

  const ctx: ScriptContext = {
    nodes,
    durationMicros,
    rng: scriptRng,
    profileName: profile.name,
    profileSettings: profile.settings,
    useAsmap: profile.useAsmap,
    world,
    now: () => kernel.now(),
    wait: (d) => ({ untilMicros: kernel.now() + toMicros(d, 'wait') }),
    at: (t) => ({ untilMicros: Math.max(kernel.now(), toMicros(t, 'at')) }),
    every: (d, fn) => {
      const period = toMicros(d, 'every');
      if (period <= 0) throw new ScenarioError(`${def.name}: every needs a period longer than 0s`);
      let tick = 0;
      const run = (): void => {
        if (fn(tick++) === false) return;
        kernel.scheduleAfter(period, run);
      };
      kernel.scheduleAfter(period, run);
    },
    after: (d, fn) => {
      kernel.scheduleAfter(toMicros(d, 'after'), fn);
    },
    victim: (index) => {
      let v = index;
      if (v === undefined) {
        const candidates = world.nodes.filter((n) => n.listening && !victimSet.has(n.index)).map((n) => n.index);
        if (candidates.length === 0) throw new ScenarioError(`${def.name}: no listening node left to be a victim`);
        v = candidates[scriptRng.randrange(candidates.length)]!;
      }
      honest(v, 'victim');
      if (!victimSet.has(v)) {
        victimSet.add(v);
        victims.push(v);
        world.exemptFromChurn(v);
      }
      return v;
    },
    pickNodes: (count, filter) => {
      const exclude = new Set(filter?.exclude ?? []);
      const pool = world.nodes.filter((n) => !exclude.has(n.index) && (filter?.listening === undefined || n.listening === filter.listening)).map((n) => n.index);
      if (count > pool.length) throw new ScenarioError(`${def.name}: asked for ${count} nodes, only ${pool.length} match`);
      return scriptRng.shuffle(pool).slice(0, count).sort((a, b) => a - b);
    },
    spawnHonest: (count, opts) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(world.addNode(opts));
      return out;
    },
    spawnAttacker: (spec: AttackerSpec) => {
      const name = `attacker-${attackers.length}`;
      let attacker: Attacker;
      try {
        attacker = createAttacker(attackerEnvFromWorld(world, name), { ...spec, name });
      } catch (e) {
        throw new ScenarioError(`${def.name}: ${name}: ${(e as Error).message}`);
      }
      for (const a of attacker.addresses()) {
        const k = addrKey(a);
        if (!attackerKeys.has(k)) {
          attackerKeys.add(k);
          attackerAddrs.push(a);
        }
      }
      const handle = { name, attacker };
      attackers.push(handle);
      return handle;
    },
    spawnBackground: (spec: AttackerSpec) => {
      const name = `background-${backgrounds.length}`;
      let actor: Attacker;
      try {
        actor = createAttacker(attackerEnvFromWorld(world, name), { ...spec, name });
      } catch (e) {
        throw new ScenarioError(`${def.name}: ${name}: ${(e as Error).message}`);
      }
      const handle = { name, attacker: actor };
      backgrounds.push(handle);
      return handle;
    },
    seedAddrman: (i, addrs, opts) => {
      honest(i, 'seedAddrman');
      const c = world.nodes[i]!.connman;
      if (c === undefined) throw new ScenarioError(`${def.name}: seedAddrman: node ${i} is not running`);
      const nowS = Math.floor(world.clock.nowMicros() / 1e6);
      const time = nowS - (opts.ageSeconds ?? 3600);
      const source = opts.source ?? world.nodes[i]!.address;
      for (const a of addrs) {
        const entry = new Address(a.withPort(DEFAULT_P2P_PORT), NODE_NETWORK | NODE_WITNESS, time);
        c.addrman.add([entry], source);
        if (opts.tried) c.addrman.good(entry, nowS);
      }
    },
    attackerAddresses: () => attackerAddrs,
    allocateAddresses: (count, spread) => world.allocateAddresses(count, spread),
    restart: (i, downtime) => {
      honest(i, 'restart');
      world.restartNode(i, downtime === undefined ? undefined : toMicros(downtime, 'restart downtime'));
    },
    crash: (i) => {
      honest(i, 'crash');
      world.crashNode(i);
    },
    takeOffline: (i, how) => {
      honest(i, 'takeOffline');
      world.takeOffline(i, how);
    },
    start: (i) => {
      honest(i, 'start');
      if (world.nodes[i]!.connman === undefined) world.startNode(i);
    },
    protect: (i) => {
      honest(i, 'protect');
      protectedNodes.add(i);
      world.exemptFromChurn(i);
    },
    fault: (rule: FaultRule) => world.addFault(rule),
    partition: (a, b) => {
      for (const i of a) honest(i, 'partition');
      for (const i of b ?? []) honest(i, 'partition');
      const hosts = (xs: readonly number[]) => xs.map((i) => world.nodes[i]!.host);
      return world.addFault({ type: 'partition', a: hosts(a), ...(b !== undefined ? { b: hosts(b) } : {}) });
    },
    removeFault: (h: FaultHandle) => {
      world.removeFault(h);
    },
    poisonDns: (addresses, seeds) => {
      for (const name of seeds ?? world.dnsSeedNames) world.dns.poison(name, addresses);
    },
    mark: (label) => {
      marks.push({ tMicros: kernel.now(), label });
    },
    attackStarts: (label) => {
      attackStartMicros = kernel.now();
      marks.push({ tMicros: kernel.now(), label: label ?? 'attack starts' });
    },
    expect: (name, evaluate) => {
      expectations.push({ name, evaluate });
    },
    check: (name, outcome) => {
      immediateChecks.push({ name, passed: outcome.passed, detail: outcome.detail });
    },
    metric: (name, value) => {
      metrics.set(name, value);
    },
    peers: (i, direction) => {
      honest(i, 'peers');
      const c = world.nodes[i]!.connman;
      const out: PeerView[] = [];
      if (c === undefined) return out;
      for (const n of c.getNodes()) {
        if (n.disconnect || !n.successfullyConnected) continue;
        if ((n.connType === ConnectionType.INBOUND) !== (direction === 'inbound')) continue;
        out.push({ addr: n.addr, connType: connectionTypeAsString(n.connType), honestIndex: honestAt(n.addr), attacker: isAttackerAddress(n.addr) });
      }
      return out;
    },
    honestNodeAt: (a) => honestAt(a),
    outboundCounts: (i) => {
      honest(i, 'outboundCounts');
      const c = world.nodes[i]!.connman;
      let total = 0;
      let attacker = 0;
      if (c !== undefined) {
        for (const n of c.getNodes()) {
          if (n.disconnect || !n.successfullyConnected || !LONG_LIVED.has(n.connType)) continue;
          total++;
          if (isAttackerAddress(n.addr)) attacker++;
        }
      }
      return { total, attacker };
    },
    isEclipsed: (i) => {
      const { total, attacker } = ctx.outboundCounts(i);
      return total > 0 && attacker === total;
    },
    inboundCounts: (i) => {
      honest(i, 'inboundCounts');
      const c = world.nodes[i]!.connman;
      let total = 0;
      let attacker = 0;
      if (c !== undefined) {
        for (const n of c.getNodes()) {
          if (n.disconnect || n.connType !== ConnectionType.INBOUND) continue;
          total++;
          if (isAttackerAddress(n.addr)) attacker++;
        }
      }
      return { total, attacker };
    },
    addrmanAttackerShare: (i) => {
      honest(i, 'addrmanAttackerShare');
      const snap = recorder.snapshotOf(i);
      if (snap === undefined) return { new: 0, tried: 0 };
      return { new: snap.addrmanNew === 0 ? 0 : snap.addrmanNewAttacker / snap.addrmanNew, tried: snap.addrmanTried === 0 ? 0 : snap.addrmanTriedAttacker / snap.addrmanTried };
    },
  };

  // Drive the script: run it to its first yield now, then one kernel event per yielded step.
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
  script = def.script(ctx, params);
  advance();

  const endMicros = Math.min(durationMicros, req.stopAtMicros ?? durationMicros);
  const step = Math.max(1, Math.floor(endMicros / 100));
  for (let t = Math.min(step, endMicros); ; t = Math.min(t + step, endMicros)) {
    world.runUntil(t);
    if (scriptError !== undefined) break;
    req.onProgress?.({ simMicros: t, durationMicros: endMicros, events: kernel.processed });
    if (t >= endMicros) break;
  }
  if (scriptError !== undefined) {
    const msg = scriptError instanceof Error ? scriptError.message : String(scriptError);
    throw new ScenarioError(`${def.name}: the script failed at ${formatDuration(kernel.now())}: ${msg}`);
  }

  recorder.sampleNow();
  invariants.checkNow();
  const stoppedEarly = endMicros < durationMicros;
  const checks: RunCheck[] = [...immediateChecks];
  if (!stoppedEarly) for (const e of expectations) {
    const o = e.evaluate();
    checks.push({ name: e.name, passed: o.passed, detail: o.detail });
  }
  checks.push(...invariants.violations());

  const victimIds = [...victims].sort((a, b) => a - b);
  const partial = {
    scenario: def.name,
    scenarioFile: req.scenarioFile ?? null,
    seed: req.seed,
    profile: profile.name,
    set,
    paramArgs,
    nodes,
    duration: formatDuration(durationMicros),
    sampleIntervalMicros,
    inputs: { asmap: req.asmap?.file ?? null, seedList: req.seedList?.file ?? null },
    pingPath: req.pingPath ?? 'analytic',
  };
  const reproduce = reproduceCommand(partial, parseDurationOrThrow(def.defaults.sampleInterval, 'sampleInterval'));
  const digest = world.digest();
  const result = recorder.finish(
    {
      scenario: def.name,
      seed: req.seed,
      profile: profile.name,
      params: Object.keys(params).sort().map((name) => ({ name, value: params[name]! })),
      durationMicros: endMicros,
      sampleIntervalMicros,
      attackStartMicros,
      honestNodes: world.nodes.length,
      attackerNodes: attackerAddrs.length,
      victimIds,
      eventsProcessed: kernel.processed,
      traceDigest: digest,
      codeVersion: req.codeVersion ?? 'unknown',
      reproduce,
    },
    marks,
    checks,
  );

  const metricRecord: Record<string, number> = {};
  for (const k of [...metrics.keys()].sort()) metricRecord[k] = metrics.get(k)!;
  const summary: RunSummary = {
    format: RUN_SUMMARY_FORMAT_VERSION,
    ...partial,
    params: Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]!])),
    durationMicros,
    eventsProcessed: kernel.processed,
    digest,
    honestNodes: world.nodes.length,
    attackerNodes: attackerAddrs.length,
    victims: victimIds,
    metrics: metricRecord,
    checks: checks.map((c) => ({ name: c.name, passed: c.passed, detail: c.detail })),
    passed: checks.every((c) => c.passed),
    reproduce,
  };

  const roleNames = (): string[] => [...victims.map((_, i) => (i === 0 ? 'victim' : `victim-${i}`)), ...attackers.map((a) => a.name)];
  return {
    summary,
    result,
    world,
    profile,
    isAttackerAddress,
    roleNames,
    resolveNode: (name) => {
      if (/^\d+$/.test(name)) {
        const i = Number(name);
        return i < world.nodes.length ? { kind: 'honest', index: i } : undefined;
      }
      if (name === 'victim' && victims.length > 0) return { kind: 'honest', index: victims[0]! };
      const vm = /^victim-(\d+)$/.exec(name);
      if (vm !== null && Number(vm[1]) < victims.length) return { kind: 'honest', index: victims[Number(vm[1])]! };
      if (attackers.some((a) => a.name === name)) return { kind: 'attacker', name };
      return undefined;
    },
    attackerState: (name) => {
      const a = attackers.find((x) => x.name === name);
      if (a === undefined) return undefined;
      return { name: a.name, addresses: a.attacker.addresses().map((x) => x.toStringAddr()), stats: a.attacker.stats() };
    },
  };
}
