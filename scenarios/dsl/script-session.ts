// The script API (ScriptContext) over one World: what a scenario's generator calls between its
// waits. It keeps the run's roles (victims, protected nodes, attackers and background actors,
// every attacker address), the marks, checks and metrics the script records, and answers the
// script's measurements from the nodes' own state. Scripts reach the world only through it.
//
// It does not drive time (runner.ts runs the kernel and resumes the script) and does not build
// the world or the run's outputs (runner.ts).

import { ConnectionType, connectionTypeAsString } from '../../connman/protocol/connection-types.ts';
import type { NodeStats } from '../../connman/net/connman.ts';
import { NodeRpc } from '../../connman/rpc/net.ts';
import type { NetAddr, Service } from '../../connman/protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../../connman/protocol/protocol.ts';
import type { RunCheck, RunMark } from '../../reports/index.ts';
import { formatDuration, type FaultHandle, type FaultRule, type Micros, type Rng as SimRng } from '../../sim/index.ts';
import type { Attacker } from '../actors/attacker-env.ts';
import { createAttacker, type AttackerSpec } from '../actors/create-attacker.ts';
import { attackerEnvFromWorld } from '../actors/world-env.ts';
import type { MetricsRecorder } from '../observe/metrics-recorder.ts';
import type { ResolvedProfile } from '../world/profiles.ts';
import { DEFAULT_P2P_PORT, type AllocationSpread, type World } from '../world/world.ts';
import { ScenarioError, metricFits, parseDurationOrThrow, type AttackerHandle, type CheckKind, type CheckOutcome, type MetricSpec, type PeerView, type ScriptContext, type ScriptStep } from './scenario.ts';

/** The connection types that count as a node's long-lived outbound peers (eclipse measures). */
const LONG_LIVED = new Set<ConnectionType>([ConnectionType.OUTBOUND_FULL_RELAY, ConnectionType.BLOCK_RELAY, ConnectionType.MANUAL]);

/** What a role name resolves to (inspect --node victim / attacker-0 / 12). */
export type RoleTarget = { kind: 'honest'; index: number } | { kind: 'attacker'; name: string };

function addrKey(a: NetAddr): string {
  return a.toStringAddr();
}

export class ScriptSession implements ScriptContext {
  readonly rng: SimRng;
  readonly profileName: string;
  readonly profileSettings: ResolvedProfile['settings'];
  readonly useAsmap: boolean;

  /** Victims in the order the script named them. */
  readonly victims: number[] = [];
  private readonly victimSet = new Set<number>();
  private readonly protectedNodes = new Set<number>();
  private readonly attackers: AttackerHandle[] = [];
  private readonly backgrounds: AttackerHandle[] = [];
  private readonly attackerKeys = new Set<string>();
  /** Every attacker address, in the order the attackers were spawned. */
  readonly attackerAddrs: NetAddr[] = [];
  readonly marks: RunMark[] = [];
  /** Checks recorded at once (`check`), in order. */
  readonly immediateChecks: RunCheck[] = [];
  /** Checks evaluated when the run ends (`expect`), in order. */
  readonly expectations: { name: string; evaluate: () => CheckOutcome; kind: CheckKind }[] = [];
  readonly metrics = new Map<string, number>();
  /** When the attack started (`attackStarts`); 0 if it never did. */
  attackStartMicros: Micros = 0;
  private readonly honestByAddr = new Map<string, number>();
  private recorder: MetricsRecorder | undefined;

  constructor(
    private readonly world: World,
    private readonly scenarioName: string,
    private readonly metricSpecs: Readonly<Record<string, MetricSpec>> | undefined,
    readonly nodes: number,
    readonly durationMicros: Micros,
    profile: ResolvedProfile,
    /** Kernel time at which the scenario's clock starts (the end of the world's warm-up; 0 without one). */
    readonly originMicros: Micros = 0,
  ) {
    this.rng = world.rng.fork('scenario');
    this.profileName = profile.name;
    this.profileSettings = profile.settings;
    this.useAsmap = profile.useAsmap;
  }

  /** The recorder whose snapshots answer addrmanAttackerShare (set once the world is observed). */
  observeWith(recorder: MetricsRecorder): void {
    this.recorder = recorder;
  }

  // --- roles the runner and the recorder read ------------------------------------------------

  readonly isAttackerAddress = (a: NetAddr): boolean => this.attackerKeys.size > 0 && this.attackerKeys.has(addrKey(a));
  readonly isVictim = (i: number): boolean => this.victimSet.has(i);
  /** Exempt from the population's churn: victims and protected nodes. */
  readonly isChurnExempt = (i: number): boolean => this.protectedNodes.has(i) || this.victimSet.has(i);
  /** Grows with every attacker address added (the recorder drops its cached answers when it changes). */
  attackerEpoch(): number {
    return this.attackerKeys.size;
  }

  /** Role names the scenario defined (for error messages). */
  roleNames(): string[] {
    return [...this.victims.map((_, i) => (i === 0 ? 'victim' : `victim-${i}`)), ...this.attackers.map((a) => a.name)];
  }

  /** Resolves "victim", "victim-1", "attacker-0", or a node id; undefined when unknown. */
  resolveNode(name: string): RoleTarget | undefined {
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      return i < this.world.nodes.length ? { kind: 'honest', index: i } : undefined;
    }
    if (name === 'victim' && this.victims.length > 0) return { kind: 'honest', index: this.victims[0]! };
    const vm = /^victim-(\d+)$/.exec(name);
    if (vm !== null && Number(vm[1]) < this.victims.length) return { kind: 'honest', index: this.victims[Number(vm[1])]! };
    if (this.attackers.some((a) => a.name === name)) return { kind: 'attacker', name };
    return undefined;
  }

  /** The attacker actor's state by role name (for inspect). */
  attackerState(name: string): Record<string, unknown> | undefined {
    const a = this.attackers.find((x) => x.name === name);
    if (a === undefined) return undefined;
    return { name: a.name, addresses: a.attacker.addresses().map((x) => x.toStringAddr()), stats: a.attacker.stats() };
  }

  // --- time -----------------------------------------------------------------------------------

  private toMicros(d: Micros | string, what: string): Micros {
    return parseDurationOrThrow(d, `${this.scenarioName}: ${what}`);
  }

  private honest(index: number, what: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.world.nodes.length) throw new ScenarioError(`${this.scenarioName}: ${what}: no honest node ${index}`);
  }

  /** The scenario's clock: kernel time less the warm-up (a step's untilMicros stays kernel time). */
  now(): Micros {
    return this.world.kernel.now() - this.originMicros;
  }

  wait(d: Micros | string): ScriptStep {
    return { untilMicros: this.world.kernel.now() + this.toMicros(d, 'wait') };
  }

  at(t: Micros | string): ScriptStep {
    return { untilMicros: Math.max(this.world.kernel.now(), this.originMicros + this.toMicros(t, 'at')) };
  }

  every(d: Micros | string, fn: (tick: number) => boolean | void): void {
    const period = this.toMicros(d, 'every');
    if (period <= 0) throw new ScenarioError(`${this.scenarioName}: every needs a period longer than 0s`);
    const kernel = this.world.kernel;
    let tick = 0;
    const run = (): void => {
      if (this.callback(`the every(${formatDuration(period)}) callback`, () => fn(tick++)) === false) return;
      kernel.scheduleAfter(period, run);
    };
    kernel.scheduleAfter(period, run);
  }

  after(d: Micros | string, fn: () => void): void {
    const delay = this.toMicros(d, 'after');
    this.world.kernel.scheduleAfter(delay, () => this.callback(`the after(${formatDuration(delay)}) callback`, fn));
  }

  /** Runs a script callback; what it throws becomes a ScenarioError naming the callback and the time. */
  private callback<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ScenarioError && e.message.startsWith(`${this.scenarioName}: `)) throw e;
      throw new ScenarioError(`${this.scenarioName}: ${what} failed at ${formatDuration(this.now())}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // --- the population -------------------------------------------------------------------------

  honestNodes(): number[] {
    return this.world.nodes.map((n) => n.index);
  }

  serviceOf(index: number): Service {
    this.honest(index, 'serviceOf');
    return this.world.nodes[index]!.service;
  }

  isRunning(index: number): boolean {
    this.honest(index, 'isRunning');
    return this.world.nodes[index]!.connman !== undefined;
  }

  dnsSeeds(): readonly string[] {
    return this.world.dnsSeedNames;
  }

  requireSpread(spread: AllocationSpread, what: string): void {
    const problem = this.world.spreadProblem(spread);
    if (problem !== null) throw new ScenarioError(`${this.scenarioName}: ${what}: ${problem}`);
  }

  asnOf(addr: NetAddr): number {
    return this.world.asnOf(addr);
  }

  churnCounters(): { crashes: number; stops: number; restarts: number } {
    const c = this.world.lifetimes?.counters;
    return { crashes: c?.crashes ?? 0, stops: c?.stops ?? 0, restarts: c?.restarts ?? 0 };
  }

  victim(index?: number): number {
    let v = index;
    if (v === undefined) {
      const candidates = this.world.nodes.filter((n) => n.listening && !this.victimSet.has(n.index)).map((n) => n.index);
      if (candidates.length === 0) throw new ScenarioError(`${this.scenarioName}: no listening node left to be a victim`);
      v = candidates[this.rng.randrange(candidates.length)]!;
    }
    this.honest(v, 'victim');
    if (!this.victimSet.has(v)) {
      this.victimSet.add(v);
      this.victims.push(v);
      this.world.exemptFromChurn(v);
    }
    return v;
  }

  pickNodes(count: number, filter?: { listening?: boolean; exclude?: readonly number[] }): number[] {
    const exclude = new Set(filter?.exclude ?? []);
    const pool = this.world.nodes.filter((n) => !exclude.has(n.index) && (filter?.listening === undefined || n.listening === filter.listening)).map((n) => n.index);
    if (count > pool.length) throw new ScenarioError(`${this.scenarioName}: asked for ${count} nodes, only ${pool.length} match`);
    return this.rng.shuffle(pool).slice(0, count).sort((a, b) => a - b);
  }

  spawnHonest(count: number, opts?: { listening?: boolean }): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.world.addNode(opts));
    return out;
  }

  private spawnActor(name: string, spec: AttackerSpec): Attacker {
    try {
      return createAttacker(attackerEnvFromWorld(this.world, name), { ...spec, name });
    } catch (e) {
      throw new ScenarioError(`${this.scenarioName}: ${name}: ${(e as Error).message}`);
    }
  }

  spawnAttacker(spec: AttackerSpec): AttackerHandle {
    const name = `attacker-${this.attackers.length}`;
    const attacker = this.spawnActor(name, spec);
    for (const a of attacker.addresses()) {
      const k = addrKey(a);
      if (!this.attackerKeys.has(k)) {
        this.attackerKeys.add(k);
        this.attackerAddrs.push(a);
      }
    }
    const handle = { name, attacker };
    this.attackers.push(handle);
    return handle;
  }

  spawnBackground(spec: AttackerSpec): AttackerHandle {
    const name = `background-${this.backgrounds.length}`;
    const handle = { name, attacker: this.spawnActor(name, spec) };
    this.backgrounds.push(handle);
    return handle;
  }

  allocateAddresses(count: number, spread?: { slash16s: number } | { asns: number; slash16sPerAsn?: number }): NetAddr[] {
    return this.world.allocateAddresses(count, spread);
  }

  seedAddrman(index: number, addrs: readonly NetAddr[], opts: { tried: boolean; source?: NetAddr; ageSeconds?: number }): void {
    this.honest(index, 'seedAddrman');
    const c = this.world.nodes[index]!.connman;
    if (c === undefined) throw new ScenarioError(`${this.scenarioName}: seedAddrman: node ${index} is not running`);
    const nowS = Math.floor(this.world.clock.nowMicros() / 1e6);
    const time = nowS - (opts.ageSeconds ?? 3600);
    const source = opts.source ?? this.world.nodes[index]!.address;
    for (const a of addrs) {
      const entry = new Address(a.withPort(DEFAULT_P2P_PORT), NODE_NETWORK | NODE_WITNESS, time);
      c.addrman.add([entry], source);
      if (opts.tried) c.addrman.good(entry, nowS);
    }
  }

  attackerAddresses(): readonly NetAddr[] {
    return this.attackerAddrs;
  }

  restart(index: number, downtime?: Micros | string): void {
    this.honest(index, 'restart');
    this.world.restartNode(index, downtime === undefined ? undefined : this.toMicros(downtime, 'restart downtime'));
  }

  crash(index: number): void {
    this.honest(index, 'crash');
    this.world.crashNode(index);
  }

  takeOffline(index: number, how?: 'graceful' | 'crash'): void {
    this.honest(index, 'takeOffline');
    this.world.takeOffline(index, how);
  }

  start(index: number): void {
    this.honest(index, 'start');
    if (this.world.nodes[index]!.connman === undefined) this.world.startNode(index);
  }

  protect(index: number): void {
    this.honest(index, 'protect');
    this.protectedNodes.add(index);
    this.world.exemptFromChurn(index);
  }

  // --- the network ----------------------------------------------------------------------------

  fault(rule: FaultRule): FaultHandle {
    return this.world.addFault(rule);
  }

  partition(a: readonly number[], b?: readonly number[]): FaultHandle {
    for (const i of a) this.honest(i, 'partition');
    for (const i of b ?? []) this.honest(i, 'partition');
    const hosts = (xs: readonly number[]) => xs.map((i) => this.world.nodes[i]!.host);
    return this.world.addFault({ type: 'partition', a: hosts(a), ...(b !== undefined ? { b: hosts(b) } : {}) });
  }

  removeFault(handle: FaultHandle): void {
    this.world.removeFault(handle);
  }

  poisonDns(addresses: readonly NetAddr[], seeds?: readonly string[]): void {
    for (const name of seeds ?? this.world.dnsSeedNames) this.world.dns.poison(name, addresses);
  }

  // --- what the run records -------------------------------------------------------------------

  mark(label: string): void {
    this.marks.push({ tMicros: this.now(), label });
  }

  attackStarts(label?: string): void {
    this.attackStartMicros = this.now();
    this.marks.push({ tMicros: this.now(), label: label ?? 'attack starts' });
  }

  expect(name: string, evaluate: () => CheckOutcome, kind: CheckKind = 'health'): void {
    this.expectations.push({ name, evaluate, kind });
  }

  check(name: string, outcome: CheckOutcome, kind: CheckKind = 'health'): void {
    this.immediateChecks.push({ name, passed: outcome.passed, detail: outcome.detail, kind });
  }

  metric(name: string, value: number): void {
    const spec = this.metricSpecs?.[name];
    if (this.metricSpecs !== undefined && spec === undefined) {
      throw new ScenarioError(`${this.scenarioName}: metric "${name}" is not among the scenario's declared metrics (${Object.keys(this.metricSpecs).sort().join(', ')})`);
    }
    if (typeof value !== 'number' || !metricFits(spec?.kind ?? 'number', value)) {
      throw new ScenarioError(`${this.scenarioName}: metric "${name}" = ${String(value)} is not a${spec?.kind === 'indicator' ? 'n' : ''} ${spec?.kind ?? 'finite number'}${spec !== undefined ? ` (${spec.description})` : ''}`);
    }
    this.metrics.set(name, value);
  }

  // --- measurements ---------------------------------------------------------------------------

  honestNodeAt(addr: NetAddr): number | undefined {
    if (this.honestByAddr.size !== this.world.nodes.length) for (const n of this.world.nodes) this.honestByAddr.set(addrKey(n.address), n.index);
    return this.honestByAddr.get(addrKey(addr));
  }

  peers(index: number, direction: 'outbound' | 'inbound'): PeerView[] {
    this.honest(index, 'peers');
    const c = this.world.nodes[index]!.connman;
    const out: PeerView[] = [];
    if (c === undefined) return out;
    for (const n of c.getNodes()) {
      if (n.disconnect || !n.successfullyConnected) continue;
      if ((n.connType === ConnectionType.INBOUND) !== (direction === 'inbound')) continue;
      out.push({ addr: n.addr, connType: connectionTypeAsString(n.connType), honestIndex: this.honestNodeAt(n.addr), attacker: this.isAttackerAddress(n.addr) });
    }
    return out;
  }

  outboundCounts(index: number): { total: number; attacker: number } {
    this.honest(index, 'outboundCounts');
    const c = this.world.nodes[index]!.connman;
    let total = 0;
    let attacker = 0;
    if (c !== undefined) {
      for (const n of c.getNodes()) {
        if (n.disconnect || !n.successfullyConnected || !LONG_LIVED.has(n.connType)) continue;
        total++;
        if (this.isAttackerAddress(n.addr)) attacker++;
      }
    }
    return { total, attacker };
  }

  isEclipsed(index: number): boolean {
    const { total, attacker } = this.outboundCounts(index);
    return total > 0 && attacker === total;
  }

  inboundCounts(index: number): { total: number; attacker: number } {
    this.honest(index, 'inboundCounts');
    const c = this.world.nodes[index]!.connman;
    let total = 0;
    let attacker = 0;
    if (c !== undefined) {
      for (const n of c.getNodes()) {
        if (n.disconnect || n.connType !== ConnectionType.INBOUND) continue;
        total++;
        if (this.isAttackerAddress(n.addr)) attacker++;
      }
    }
    return { total, attacker };
  }

  addrmanAttackerShare(index: number): { new: number; tried: number } {
    this.honest(index, 'addrmanAttackerShare');
    const snap = this.recorder?.snapshotOf(index);
    if (snap === undefined) return { new: 0, tried: 0 };
    return { new: snap.addrmanNew === 0 ? 0 : snap.addrmanNewAttacker / snap.addrmanNew, tried: snap.addrmanTried === 0 ? 0 : snap.addrmanTriedAttacker / snap.addrmanTried };
  }

  fullOutboundCount(index: number): number {
    this.honest(index, 'fullOutboundCount');
    return this.world.nodes[index]!.connman?.getFullOutboundConnCount() ?? 0;
  }

  peerInfo(index: number): NodeStats[] {
    this.honest(index, 'peerInfo');
    return this.world.nodes[index]!.connman?.getNodeStats() ?? [];
  }

  isListening(index: number): boolean {
    this.honest(index, 'isListening');
    return this.world.nodes[index]!.listening;
  }

  clockSeconds(): number {
    return Math.floor(this.world.clock.nowMicros() / 1_000_000);
  }

  addrmanSizes(index: number): { new: number; tried: number } {
    this.honest(index, 'addrmanSizes');
    const am = this.world.nodes[index]!.connman?.addrman;
    return am === undefined ? { new: 0, tried: 0 } : { new: am.size(null, true), tried: am.size(null, false) };
  }

  rpc(index: number): NodeRpc {
    this.honest(index, 'rpc');
    return new NodeRpc(() => {
      const context = this.world.nodes[index]!.context;
      if (context === undefined) throw new ScenarioError(`${this.scenarioName}: rpc: node ${index} is not running at ${formatDuration(this.now())}`);
      return context;
    });
  }
}
