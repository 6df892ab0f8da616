// run / replay / inspect in-process, with a fake scenario runner handed in through CliIo: the run
// directory's files (summary.json byte for byte, timing.json, the reports), the summary table and
// --json output, exit codes of failing checks and mismatching replays, changed input files, the
// trace file, the progress bar on a terminal, and inspect's JSON for honest and attacker roles.
// cli.test.ts drives the same commands as a process with the real runner.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { RUN_RESULT_FILE_NAME, stableStringify } from '../reports/index.ts';
import { emptyFixture } from '../scenarios/observe/run-result-fixtures.test-helper.ts';
import { RUN_SUMMARY_FORMAT_VERSION, reproduceCommand, type RunSummary } from '../scenarios/dsl/run-summary.ts';
import { resolveProfile } from '../scenarios/world/profiles.ts';
import type { RoleTarget, RunOutcome, RunRequest } from '../scenarios/dsl/runner.ts';
import { ScenarioError, parseDurationOrThrow, resolveParams, parseAssignments } from '../scenarios/dsl/scenario.ts';
import { World } from '../scenarios/world/world.ts';
import { formatDuration } from '../sim/index.ts';
import { inspectCommand } from './inspect-command.ts';
import { replayCommand } from './replay-command.ts';
import { TIMING_FILE_NAME, defaultOutDir, runCommand, type CliIo } from './run-command.ts';
import { CliError } from './user-error.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'tiny-scenario.ts');
const root = mkdtempSync(join(tmpdir(), 'connsim-commands-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for scenarios/dsl/runner.ts: the summary follows from the request; no simulation. */
function fakeRunner(opts: { world?: boolean; digestSalt?: string } = {}) {
  const calls: RunRequest[] = [];
  const run = (req: RunRequest): RunOutcome => {
    calls.push(req);
    const def = req.scenario;
    const durationMicros = parseDurationOrThrow(req.duration ?? def.defaults.duration, 'duration');
    const sampleIntervalMicros = parseDurationOrThrow(req.sampleInterval ?? def.defaults.sampleInterval, 'sample interval');
    const params = resolveParams(def, parseAssignments(req.params ?? [], '--param'));
    const nodes = req.nodes ?? def.defaults.nodes;
    const failing = params.failCheck === true;
    const identity = JSON.stringify([def.name, req.seed, nodes, durationMicros, req.profile ?? 'core-master', req.set ?? [], params, req.asmap?.file.sha256 ?? null, opts.digestSalt ?? '']);
    const digest = createHash('sha256').update(identity).digest('hex').slice(0, 16);
    req.traceSink?.('{"t":0,"e":"start"}');
    req.onProgress?.({ simMicros: durationMicros / 2, durationMicros, events: 10 });
    req.onProgress?.({ simMicros: durationMicros, durationMicros, events: 20 });
    const base = {
      scenario: def.name,
      scenarioFile: req.scenarioFile ?? null,
      seed: req.seed,
      profile: req.profile ?? 'core-master',
      set: [...(req.set ?? [])],
      paramArgs: [...(req.params ?? [])],
      nodes,
      duration: formatDuration(durationMicros),
      sampleIntervalMicros,
      inputs: { asmap: req.asmap?.file ?? null, seedList: req.seedList?.file ?? null, population: req.population?.file ?? null },
      pingPath: req.pingPath ?? 'analytic',
    };
    const summary: RunSummary = {
      format: RUN_SUMMARY_FORMAT_VERSION,
      ...base,
      world: { blocks: 'false' },
      params: { ...params },
      durationMicros,
      eventsProcessed: 20,
      digest,
      honestNodes: nodes,
      attackerNodes: 1,
      victims: [0],
      metrics: { 'fixture.nodes': nodes, share: 0.123456 },
      metricKinds: { 'fixture.nodes': 'count', share: 'share' },
      checks: [{ name: 'fixture-check', kind: 'health', passed: !failing, detail: `failCheck is ${String(failing)}` }],
      healthy: !failing,
      passed: !failing,
      reproduce: reproduceCommand(base),
    };
    const world = opts.world === true ? new World({ seed: req.seed, nodes: 5, listeningShare: 0.6 }) : undefined;
    if (world !== undefined) world.runUntil(req.stopAtMicros ?? durationMicros);
    const roles = ['victim', 'attacker-0'];
    return {
      summary,
      result: emptyFixture(),
      get world(): World {
        if (world === undefined) throw new Error('fake runner: no world');
        return world;
      },
      resolveNode(name: string): RoleTarget | undefined {
        if (name === 'victim') return { kind: 'honest', index: 0 };
        if (name === 'attacker-0') return { kind: 'attacker', name };
        if (/^\d+$/.test(name) && Number(name) < 5) return { kind: 'honest', index: Number(name) };
        return undefined;
      },
      profile: resolveProfile(req.profile ?? 'core-master', req.set ?? []),
      isAttackerAddress: () => false,
      roleNames: () => roles,
      attackerState: (name: string) => (name === 'attacker-0' ? { addresses: 3, sent: 42n, peers: new Map([['a', 1]]) } : undefined),
    };
  };
  return { run, calls };
}

function makeIo(runner: (req: RunRequest) => RunOutcome, tty = false): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  let t = 0;
  return {
    out,
    err,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    stderrIsTty: tty,
    nowMs: () => (t += 500),
    peakRssBytes: () => 123_456_789,
    runScenario: runner,
  };
}

describe('connsim run (fake runner)', () => {
  it('publishes the run directory with summary.json and timing.json and prints the table', async () => {
    const { run, calls } = fakeRunner();
    const io = makeIo(run);
    const out = join(root, 'pass');
    const code = await runCommand({ scenario: FIXTURE, seed: '7', nodes: 3, param: ['pause=10s'], out, quiet: true }, io);
    expect(code).toBe(0);
    expect(calls[0]!.seed).toBe('7');
    expect(calls[0]!.nodes).toBe(3);
    expect(calls[0]!.params).toEqual(['pause=10s']);
    const files = readdirSync(out).sort();
    for (const f of ['charts', 'data', 'report.html', RUN_RESULT_FILE_NAME, 'summary.json', TIMING_FILE_NAME]) expect(files).toContain(f);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(stableStringify(summary));
    expect(summary.seed).toBe('7');
    expect(summary.params.pause).toBe(10_000_000);
    const timing = JSON.parse(readFileSync(join(out, TIMING_FILE_NAME), 'utf8')) as Record<string, number>;
    expect(Object.keys(timing).sort()).toEqual(['eventsPerSecond', 'peakRssBytes', 'wallSeconds']);
    expect(timing.peakRssBytes).toBe(123_456_789);
    expect(timing.wallSeconds).toBe(0.5);
    expect(timing.eventsPerSecond).toBe(40);
    const table = io.out.join('');
    expect(table).toMatch(/^scenario +tiny-fixture \(.*tiny-scenario\.ts\)$/m);
    expect(table).toMatch(/^seed +7$/m);
    expect(table).toMatch(/^digest +[0-9a-f]{16}$/m);
    expect(table).toMatch(/^metrics +fixture\.nodes = 3$/m);
    expect(table).toMatch(/^ +share = 0\.1235$/m);
    expect(table).toMatch(/^checks +✓ fixture-check: failCheck is false$/m);
    expect(table).toMatch(/^report +.*pass\/report\.html$/m);
    expect(io.err.join('')).toBe('');
    // A duration parameter reads as a duration (as --param takes it), never as raw microseconds.
    expect(table).toMatch(/^params +failCheck = false$/m);
    expect(table).toMatch(/^ +pause = 10s$/m);
    expect(table).not.toContain('10000000');
  });

  it('--json prints summary.json exactly; the default run directory is runs/<scenario>-<seed>', async () => {
    const { run } = fakeRunner();
    const io = makeIo(run);
    const out = join(root, 'json');
    expect(await runCommand({ scenario: FIXTURE, out, json: true, quiet: true }, io)).toBe(0);
    expect(io.out.join('')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(defaultOutDir('eclipse', '42')).toBe(join('runs', 'eclipse-42'));
  });

  it('a failing check prints the failed checks, the seed and the reproduce command, and returns 1', async () => {
    const { run } = fakeRunner();
    const io = makeIo(run);
    const out = join(root, 'fail');
    expect(await runCommand({ scenario: FIXTURE, seed: 'abc', param: ['failCheck=true'], out, quiet: true }, io)).toBe(1);
    const err = io.err.join('');
    expect(err).toMatch(/^FAILED: 1 of 1 checks$/m);
    expect(err).toMatch(/^ {2}✗ fixture-check: failCheck is true$/m);
    expect(err).toMatch(/^seed: abc$/m);
    expect(err).toMatch(/^reproduce: connsim run .*tiny-scenario\.ts --seed abc .*--param failCheck=true$/m);
    expect(io.out.join('')).toMatch(/✗ fixture-check/);
    // The run directory is still written, so the failure can be studied.
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('a runner error leaves neither a run directory nor a trace file', async () => {
    const io = makeIo(() => {
      throw new ScenarioError('the runner rejects this');
    });
    const out = join(root, 'runner-error');
    const trace = join(root, 'runner-error.jsonl');
    await expect(runCommand({ scenario: FIXTURE, out, trace, quiet: true }, io)).rejects.toThrow(ScenarioError);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('runner-error'))).toEqual([]);
  });

  it('--trace writes the JSON lines; --asmap / --seed-list are passed with their sha256', async () => {
    const { run, calls } = fakeRunner();
    const io = makeIo(run);
    const trace = join(root, 'trace.jsonl');
    const seeds = join(root, 'seeds.txt');
    writeFileSync(seeds, '# test\n1.2.3.4:8333\n');
    const ipAsn = join(import.meta.dirname, '..', '..', 'shared', 'data', 'asmap-test.raw');
    const withAsmap = existsSync(ipAsn);
    if (!withAsmap) console.warn(`not testing --asmap: ${ipAsn} absent`);
    expect(await runCommand({ scenario: FIXTURE, out: join(root, 'traced'), trace, seedList: seeds, ...(withAsmap ? { asmap: ipAsn } : {}), quiet: true }, io)).toBe(0);
    expect(readFileSync(trace, 'utf8')).toBe('{"t":0,"e":"start"}\n');
    const req = calls[0]!;
    expect(req.seedList!.text).toBe('# test\n1.2.3.4:8333\n');
    expect(req.seedList!.file).toEqual({ path: seeds, sha256: createHash('sha256').update('# test\n1.2.3.4:8333\n').digest('hex') });
    if (withAsmap) expect(req.asmap!.file.sha256).toBe(createHash('sha256').update(readFileSync(ipAsn)).digest('hex'));
  });

  it('draws the progress bar on a terminal only, and clears it', async () => {
    const { run } = fakeRunner();
    const tty = makeIo(run, true);
    await runCommand({ scenario: FIXTURE, out: join(root, 'tty'), quiet: false }, tty);
    const err = tty.err.join('');
    expect(err).toMatch(/\[#+\.*\] +\d+% /);
    expect(tty.err[tty.err.length - 1]).toBe('\r\x1b[2K');
    const quiet = makeIo(run, true);
    await runCommand({ scenario: FIXTURE, out: join(root, 'tty-quiet'), quiet: true }, quiet);
    expect(quiet.err).toEqual([]);
  });
});

describe('connsim replay (fake runner)', () => {
  it('re-runs with the recorded identity: OK on the same digest, 1 on another, 2 on a changed input', async () => {
    const { run } = fakeRunner();
    const dir = join(root, 'to-replay');
    const seeds = join(root, 'replay-seeds.txt');
    writeFileSync(seeds, '1.2.3.4:8333\n');
    await runCommand({ scenario: FIXTURE, out: dir, seed: 'r1', nodes: 2, duration: '90s', param: ['pause=5s'], set: ['feelers=false'], seedList: seeds, quiet: true }, makeIo(run));

    const again = fakeRunner();
    const io = makeIo(again.run);
    expect(await replayCommand({ runDir: dir, quiet: true }, io)).toBe(0);
    const recorded = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(io.out.join('').split('\n')[0]).toBe(`replay OK: the whole summary.json matches (digest ${recorded.digest}, 20 events, 1 checks, 2 metrics)`);
    const req = again.calls[0]!;
    expect([req.seed, req.nodes, req.duration, req.params, req.set, req.scenarioFile]).toEqual(['r1', 2, 90_000_000, ['pause=5s'], ['feelers=false'], recorded.scenarioFile]);
    // Replay writes nothing by default.
    expect(readdirSync(root).filter((f) => f.startsWith('to-replay'))).toEqual(['to-replay']);

    const other = makeIo(fakeRunner({ digestSalt: 'changed code' }).run);
    expect(await replayCommand({ runDir: dir, quiet: true }, other)).toBe(1);
    expect(other.out.join('')).toMatch(/replay MISMATCH: 1 field of summary\.json differ\n {2}digest: recorded "[0-9a-f]+", replayed "[0-9a-f]+"\n/);

    writeFileSync(seeds, '5.6.7.8:8333\n');
    await expect(replayCommand({ runDir: dir, quiet: true }, makeIo(fakeRunner().run))).rejects.toThrow(/seed list .* has changed since the run/);
  });

  it('--out writes the replay as a run directory', async () => {
    const { run } = fakeRunner();
    const dir = join(root, 'replay-src');
    await runCommand({ scenario: FIXTURE, out: dir, quiet: true }, makeIo(run));
    const out = join(root, 'replay-out');
    expect(await replayCommand({ runDir: dir, out, quiet: true }, makeIo(run))).toBe(0);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'summary.json'), 'utf8'));
  });
});

describe('connsim inspect (fake runner, real World)', () => {
  it("prints the node header, getpeerinfo, getaddrmaninfo and netinfo, and getrawaddrman with --addrman", async () => {
    const { run, calls } = fakeRunner({ world: true });
    const io = makeIo(run);
    expect(await inspectCommand({ scenario: FIXTURE, at: '1m', node: 'victim', addrman: true, quiet: true }, io)).toBe(0);
    expect(calls[0]!.stopAtMicros).toBe(60_000_000);
    const j = JSON.parse(io.out.join('')) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['node', 'peers', 'addrman', 'netinfo', 'rawaddrman']);
    const node = j.node as Record<string, unknown>;
    expect([node.id, node.role, node.kind, node.at]).toEqual([0, 'victim', 'honest', '1m']);
    expect(Array.isArray(j.peers)).toBe(true);
    expect(Object.keys(j.addrman as object)).toContain('all_networks');
  });

  it('an attacker role prints its state; an unknown node lists the roles', async () => {
    const { run } = fakeRunner({ world: true });
    const io = makeIo(run);
    expect(await inspectCommand({ scenario: FIXTURE, at: '30s', node: 'attacker-0', quiet: true }, io)).toBe(0);
    const j = JSON.parse(io.out.join('')) as { node: { kind: string }; attacker: Record<string, unknown> };
    expect(j.node.kind).toBe('attacker');
    expect(j.attacker).toEqual({ addresses: 3, sent: '42', peers: { a: 1 } });
    const bad = inspectCommand({ scenario: FIXTURE, at: '30s', node: 'villain', quiet: true }, makeIo(run));
    await expect(bad).rejects.toThrow(CliError);
    await expect(inspectCommand({ scenario: FIXTURE, at: '30s', node: 'villain', quiet: true }, makeIo(run))).rejects.toThrow(/unknown node "villain".*\(victim, attacker-0\)/);
  });
});

