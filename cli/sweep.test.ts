// `connsim sweep` and `connsim merge` end to end on a tiny scenario (cli/fixtures/sweep-scenario.ts:
// 4 nodes, 2 simulated minutes) with real worker threads: the plan's order, ids and shards; outputs
// byte-identical with 1 and 2 workers and with shards 1/2 + 2/2 merged; runs that throw or fail a
// check recorded with their reproduce command while the others finish (exit 1); resume after a
// deleted run file and after the process was killed mid-sweep; the sweep report's specs validate,
// compile and render with their axis titles, and report.html draws in Chromium; bad input is one
// line on stderr and exit 2.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SweepAggregate } from '../reports/sweep.ts';
import { hasChromium, openInChromium, pageOutcome } from './chromium.ts';
import { mergeCommand } from './merge-command.ts';
import { compileVegaLite } from './render.ts';
import { SWEEP_PLAN_FILE, SWEEP_SUMMARY_FILE, SweepProgress, readRunOutcome, sweepCommand, type SweepArgs, type SweepIo } from './sweep-command.ts';
import { formatSeeds, parseSeeds, parseShard, parseVary, planSweep, runArgs, runId, shardRuns, type SweepBase } from './sweep-plan.ts';
import { CliError } from './user-error.ts';
import { vegaLiteValidator } from '../reports/vega-check.test-helper.ts';
import { loadScenario } from './scenario-loader.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'cli', 'fixtures', 'sweep-scenario.ts');
const LOADER = pathToFileURL(join(ROOT, 'bin', 'loader.mjs')).href;
const scratch = mkdtempSync(join(tmpdir(), 'connsim-sweep-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** 2 profiles × level 1,10 × boom false,true × seeds 1..3 = 24 runs: 6 sound, 6 fail a health check (level 10), 12 throw (boom). */
const SWEEP = ['--seeds', '1..3', '--vary', 'level=1,10', '--vary', 'boom=false,true', '--profile', 'core-v0.10,core-master'];

function sweepArgs(out: string, extra: Partial<SweepArgs> = {}): SweepArgs {
  return { scenario: FIXTURE, seeds: '1..3', vary: ['level=1,10', 'boom=false,true'], profile: 'core-v0.10,core-master', quiet: true, out, ...extra };
}

function testIo(): SweepIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stderrIsTty: false,
    nowMs: () => performance.now(),
    peakRssBytes: () => 0,
    availableParallelism: () => 2,
  };
}

/** Every file under dir (relative path → text), without timing files and hidden temp files. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name.startsWith('timing')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function expectSameTree(actual: string, expected: string): void {
  const a = snapshot(actual);
  const e = snapshot(expected);
  expect([...a.keys()]).toEqual([...e.keys()]);
  for (const [k, v] of e) expect(a.get(k), k).toBe(v);
}

/** connsim as its own process (one process: node with connsim's loader, as the launcher's child). */
function connsimArgs(args: string[]): string[] {
  return ['--import', LOADER, join(ROOT, 'cli.ts'), ...args];
}

function connsim(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, connsimArgs(args), { encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function timing(dir: string, name = 'timing.json'): { runsExecuted: number; runsSkipped: number; runs: { id: string }[] } {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as { runsExecuted: number; runsSkipped: number; runs: { id: string }[] };
}

const base: SweepBase = { nodes: null, duration: null, sampleInterval: null, params: [], set: [], asmap: null, seedList: null, population: null };

describe('sweep plan', () => {
  it('--seeds takes ranges, lists and both; rejects backwards ranges, junk and duplicates', () => {
    expect(parseSeeds('1..4')).toEqual(['1', '2', '3', '4']);
    expect(parseSeeds('1,2,5')).toEqual(['1', '2', '5']);
    expect(parseSeeds('1..3,9,alpha')).toEqual(['1', '2', '3', '9', 'alpha']);
    for (const bad of ['3..1', '1..x', '', '1,,2', '1,1', '1..3,2', 'a b']) expect(() => parseSeeds(bad), bad).toThrow(CliError);
    expect(() => parseSeeds(undefined)).toThrow(/--seeds is required/);
    // The plan's command writes them back compactly, and that text reads back to the same list.
    for (const seeds of [['1', '2', '3', '4'], ['1', '2', '5'], ['1', '2', '3', '9', 'alpha', '10', '11', '12'], ['007', '8', '9'], ['-1', '0', '1']]) {
      expect(parseSeeds(formatSeeds(seeds))).toEqual(seeds);
    }
    expect(formatSeeds(['1', '2', '3', '4', '9'])).toBe('1..4,9');
  });

  it('--shard i/n needs 1 <= i <= n', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard(undefined)).toBeNull();
    for (const bad of ['3/2', '0/2', '1/0', '1', 'a/b', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(CliError);
  });

  it('--vary needs key=v1,v2 with distinct values and distinct keys', () => {
    expect(parseVary(['a=1,2', 'set.feelers=true,false'])).toEqual([
      { key: 'a', values: ['1', '2'] },
      { key: 'set.feelers', values: ['true', 'false'] },
    ]);
    for (const bad of [['a'], ['=1'], ['a=1,,2'], ['a=1,1'], ['a=1', 'a=2']]) expect(() => parseVary(bad), bad.join(' ')).toThrow(CliError);
  });

  it('--vary keeps commas inside parentheses in their value, so two-argument distributions can be varied', async () => {
    expect(parseVary(['set.jitter=uniform(1ms,2ms),erlang(3,2ms),off'])).toEqual([{ key: 'set.jitter', values: ['uniform(1ms,2ms)', 'erlang(3,2ms)', 'off'] }]);
    for (const bad of [['set.jitter=uniform(1ms,2ms'], ['set.jitter=uniform1ms,2ms)'], ['set.jitter=erlang(3,2ms)),off']]) {
      expect(() => parseVary(bad), bad.join(' ')).toThrow(/unbalanced/);
    }
    // The values reach the runs whole, are validated as the world setting, and the plan's command quotes them.
    const { definition } = await loadScenario(FIXTURE);
    const plan = planSweep({ definition, scenarioFile: 'x.ts', seeds: ['1'], profiles: ['core-master'], axes: parseVary(['set.jitter=uniform(1ms,2ms),erlang(3,2ms)']), base });
    expect(plan.runs.map((r) => runArgs(plan, r).set)).toEqual([['jitter=uniform(1ms,2ms)'], ['jitter=erlang(3,2ms)']]);
    expect(plan.command).toContain("--vary 'set.jitter=uniform(1ms,2ms),erlang(3,2ms)'");
    expect(() => planSweep({ definition, scenarioFile: 'x.ts', seeds: ['1'], profiles: ['core-master'], axes: parseVary(['set.jitter=uniform(2ms,1ms),off']), base })).toThrow(CliError);
  });

  it('runs in the documented order (profiles, then axes first-outermost, then seeds) with readable unique ids', async () => {
    const { definition } = await loadScenario(FIXTURE);
    const plan = planSweep({ definition, scenarioFile: 'x.ts', seeds: ['1', '2'], profiles: ['core-v0.10', 'core-master'], axes: parseVary(['level=1,2', 'set.feelers=true,false']), base });
    expect(plan.runs).toHaveLength(16);
    expect(plan.runs.slice(0, 5).map((r) => r.id)).toEqual([
      'p=core-v0.10_level=1_set.feelers=true_seed=1',
      'p=core-v0.10_level=1_set.feelers=true_seed=2',
      'p=core-v0.10_level=1_set.feelers=false_seed=1',
      'p=core-v0.10_level=1_set.feelers=false_seed=2',
      'p=core-v0.10_level=2_set.feelers=true_seed=1',
    ]);
    expect(plan.runs[8]!.profile).toBe('core-master');
    expect(plan.runs.map((r) => r.index)).toEqual([...Array(16).keys()]);
    expect(runArgs(plan, plan.runs[2]!)).toEqual({ seed: '1', profile: 'core-v0.10', nodes: null, duration: null, sampleInterval: null, params: ['level=1'], set: ['feelers=false'] });
    expect(plan.command).toBe("connsim sweep x.ts --seeds 1,2 --profile core-v0.10,core-master --vary level=1,2 --vary set.feelers=true,false");
    // Shards are round robin and partition the runs.
    const s1 = shardRuns(plan, { index: 1, count: 3 }).map((r) => r.index);
    const s2 = shardRuns(plan, { index: 2, count: 3 }).map((r) => r.index);
    const s3 = shardRuns(plan, { index: 3, count: 3 }).map((r) => r.index);
    expect(s1).toEqual([0, 3, 6, 9, 12, 15]);
    expect([...s1, ...s2, ...s3].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    // Characters a file name cannot hold are replaced, with a hash so ids stay distinct.
    const odd = runId('p', { k: 'a/b' }, [{ key: 'k', values: ['a/b'] }], '1');
    expect(odd).toMatch(/^p=p_k=a-b_seed=1_h=[0-9a-f]{10}$/);
    expect(odd).not.toBe(runId('p', { k: 'a-b' }, [{ key: 'k', values: ['a-b'] }], '1'));
  });

  it('checks every varied key and value against the scenario and profiles', async () => {
    const { definition } = await loadScenario(FIXTURE);
    const plan = (axes: string[], b: Partial<SweepBase> = {}) => planSweep({ definition, scenarioFile: null, seeds: ['1'], profiles: ['core-master'], axes: parseVary(axes), base: { ...base, ...b } });
    expect(() => plan(['nope=1,2'])).toThrow(/has no parameter "nope"/);
    expect(() => plan(['level=-1'])).toThrow(/below the minimum/);
    expect(() => plan(['set.noSuchSetting=1'])).toThrow(/unknown setting/);
    expect(() => plan(['set.feelers=maybe'])).toThrow(/bad value for feelers/);
    expect(() => plan(['nodes=1'])).toThrow(/nodes/);
    expect(() => plan(['nodes=5'], { nodes: 4 })).toThrow(/--nodes both given/);
    expect(() => plan(['level=1,2'], { params: ['level=3'] })).toThrow(/both given/);
    expect(() => plan(['profile=a'])).toThrow(/--profile/);
    expect(plan(['nodes=5,6']).runs.map((r) => r.id)).toEqual(['p=core-master_nodes=5_seed=1', 'p=core-master_nodes=6_seed=1']);
  });
});

describe('connsim sweep', () => {
  const one = join(scratch, 'workers-1');
  const two = join(scratch, 'workers-2');
  let codeOne = -1;
  let codeTwo = -1;
  const ioOne = testIo();

  beforeAll(async () => {
    codeOne = await sweepCommand(sweepArgs(one, { workers: 1 }), ioOne);
    codeTwo = await sweepCommand(sweepArgs(two, { workers: 2 }), testIo());
  });

  it('writes the plan, one file per run, the summary and the report; identical bytes with 1 and 2 workers', () => {
    expect(codeOne).toBe(1);
    expect(codeTwo).toBe(1);
    const files = readdirSync(one).sort();
    expect(files).toEqual(['charts', 'data', 'report.html', 'runs', 'sweep-summary.json', 'sweep.json', 'timing.json']);
    expect(readdirSync(join(one, 'runs'))).toHaveLength(24);
    expect(readdirSync(join(one, 'charts')).sort()).toEqual([
      'sweep-health-rate.svg',
      'sweep-health-rate.vl.json',
      'sweep-metric-draw.svg',
      'sweep-metric-draw.vl.json',
      'sweep-metric-hit.svg',
      'sweep-metric-hit.vl.json',
      'sweep-outcome-hit.svg',
      'sweep-outcome-hit.vl.json',
    ]);
    expect(readdirSync(join(one, 'data')).sort()).toEqual(['aggregate.csv', 'runs.csv']);
    expectSameTree(two, one);
    expect(timing(one).runsExecuted).toBe(24);
    expect(ioOne.out.join('')).toMatch(/sweep sweep-fixture: 24 runs: 6 sound, 6 failed a health check, 12 threw; every outcome check held in \d+/);
    expect(ioOne.out.join('')).toContain('health check failed: level-at-most-5');
  });

  it('records a run that throws (error + reproduce) and one that fails a check (its RunSummary); the others finish', () => {
    const thrown = JSON.parse(readFileSync(join(one, 'runs', 'p=core-master_level=1_boom=true_seed=2.json'), 'utf8')) as Record<string, unknown>;
    expect(thrown).toMatchObject({ passed: false, run: 'p=core-master_level=1_boom=true_seed=2', seed: '2', profile: 'core-master' });
    expect(thrown.error).toMatch(/sweep fixture: boom at level 1/);
    expect(thrown.reproduce).toBe(`connsim run ${FIXTURE} --seed 2 --profile core-master --param level=1 --param boom=true`);
    const failed = JSON.parse(readFileSync(join(one, 'runs', 'p=core-master_level=10_boom=false_seed=2.json'), 'utf8')) as Record<string, unknown>;
    expect(failed).toMatchObject({ passed: false, seed: '2', profile: 'core-master', scenario: 'sweep-fixture' });
    expect(failed.reproduce).toMatch(/--param level=10 --param boom=false$/);
    const ok = JSON.parse(readFileSync(join(one, 'runs', 'p=core-master_level=1_boom=false_seed=2.json'), 'utf8')) as { passed: boolean; metrics: Record<string, number>; digest: string };
    expect(typeof ok.passed).toBe('boolean');
    expect(Object.keys(ok.metrics)).toEqual(['draw', 'hit']);
    const summary = JSON.parse(readFileSync(join(one, SWEEP_SUMMARY_FILE), 'utf8')) as SweepAggregate;
    expect(summary.totals).toMatchObject({ runs: 24, healthy: 6, unhealthy: 6, errored: 12 });
    expect(summary.failures).toHaveLength(18);
    expect(summary.failures.filter((f) => f.error === null).every((f) => f.failedChecks.join() === 'level-at-most-5')).toBe(true);
    expect(summary.outcomeChecks).toEqual(['hit']);
    expect(summary.metricKinds).toEqual({ draw: 'number', hit: 'indicator' });
    // Level 1 draws hit with probability 0.1: whatever the seeds gave, an outcome that did not hold is no failure.
    const soundRuns = JSON.parse(readFileSync(join(one, 'runs', 'p=core-master_level=1_boom=false_seed=2.json'), 'utf8')) as { healthy: boolean; codeVersion: string };
    expect(soundRuns.healthy).toBe(true);
    expect(soundRuns.codeVersion).toMatch(/^\d+\.\d+\.\d+ /);
    expect((summary as SweepAggregate & { codeVersions: string[] }).codeVersions).toEqual([soundRuns.codeVersion]);
    expect(summary.groups).toHaveLength(8);
    // The same seed under the two profiles draws the same scenario stream: level 1, seed 2.
    expect(summary.groups[0]!.metrics.draw!.n).toBe(3);
  });

  it('shards 1/2 and 2/2, merged, give the unsharded bytes; a shard writes only its runs and the plan', async () => {
    const s1 = join(scratch, 'shard-1');
    const s2 = join(scratch, 'shard-2');
    await sweepCommand(sweepArgs(s1, { workers: 1, shard: '1/2' }), testIo());
    await sweepCommand(sweepArgs(s2, { workers: 1, shard: '2/2' }), testIo());
    expect(readdirSync(s1).sort()).toEqual(['runs', 'sweep.json', 'timing-shard-1-of-2.json']);
    expect(readdirSync(join(s1, 'runs'))).toHaveLength(12);
    expect(readdirSync(join(s2, 'runs'))).toHaveLength(12);
    // One shard alone cannot be merged: half the runs are missing.
    await expect(mergeCommand({ dirs: [s1], out: join(scratch, 'half') }, testIo())).rejects.toThrow(/12 of 24 runs are in none/);
    const merged = join(scratch, 'merged');
    const io = testIo();
    expect(await mergeCommand({ dirs: [s1, s2], out: merged }, io)).toBe(1);
    expectSameTree(merged, one);
    expect(existsSync(join(merged, 'timing.json'))).toBe(false);
    expect(io.out.join('')).toMatch(/24 runs: 6 sound, 6 failed a health check, 12 threw/);
  });

  it('connsim report SWEEP_DIR re-renders the sweep report from its run files, the same bytes as the sweep wrote', () => {
    const copy = join(scratch, 'report-copy');
    cpSync(one, copy, { recursive: true });
    rmSync(join(copy, 'charts'), { recursive: true });
    rmSync(join(copy, 'report.html'));
    writeFileSync(join(copy, SWEEP_SUMMARY_FILE), '{"stale": true}');
    const r = connsim(['report', copy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep sweep-fixture: 24 runs: 6 sound/);
    expectSameTree(copy, one);
  });

  it('connsim compare of two sweeps draws both in every sweep chart and writes their aggregates in one long CSV', () => {
    const out = join(scratch, 'compare-sweeps');
    const r = connsim(['compare', one, two, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(join(out, 'charts', 'sweep-metric-draw.vl.json'), 'utf8')) as { data: { values: { series: string }[] } };
    const series = [...new Set(spec.data.values.map((v) => v.series))];
    expect(series.filter((x) => x.startsWith('A · ')).length).toBe(series.filter((x) => x.startsWith('B · ')).length);
    expect(spec.data.values.some((v) => v.series.startsWith('B · '))).toBe(true);
    expect(readFileSync(join(out, 'data', 'compare.csv'), 'utf8').split('\r\n')[0]).toBe('sweep,profile,point,metric,n,mean,ci95Low,ci95High');
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'))).toMatchObject({ kind: 'sweeps' });
  });

  it('resumes: after a run file is deleted only that run is run again, and the outputs are the same', async () => {
    const dir = join(scratch, 'resume');
    cpSync(two, dir, { recursive: true });
    const victim = 'p=core-v0.10_level=10_boom=false_seed=3';
    rmSync(join(dir, 'runs', `${victim}.json`));
    rmSync(join(dir, SWEEP_SUMMARY_FILE));
    rmSync(join(dir, 'charts'), { recursive: true });
    expect(await sweepCommand(sweepArgs(dir, { workers: 2 }), testIo())).toBe(1);
    const t = timing(dir);
    expect(t.runsExecuted).toBe(1);
    expect(t.runsSkipped).toBe(23);
    expect(t.runs.map((r) => r.id)).toEqual([victim]);
    expectSameTree(dir, one);
  });

  it('a sweep with one seed per point writes its summary and report, its charts drawn without intervals or warnings', async () => {
    const out = join(scratch, 'one-seed');
    const io = testIo();
    expect(await sweepCommand({ ...sweepArgs(out), seeds: '1', vary: ['level=1,2'], profile: 'core-master' }, io)).toBe(0);
    expect(existsSync(join(out, SWEEP_SUMMARY_FILE))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const spec = JSON.parse(readFileSync(join(out, 'charts', 'sweep-metric-draw.vl.json'), 'utf8')) as { title: { subtitle: string[] }; layer: unknown[] };
    expect(spec.title.subtitle[1]).toBe('one seed per point: no confidence interval to draw');
    expect(spec.layer).toHaveLength(1);
    const { renderSvg } = await import('./render.ts');
    expect((await renderSvg(spec as never)).warnings).toEqual([]);
  });

  it('refuses an --out directory that holds another sweep', async () => {
    await expect(sweepCommand(sweepArgs(one, { seeds: '1..2' }), testIo())).rejects.toThrow(/holds another sweep/);
  });

  it('report specs validate against the Vega-Lite schema, compile, and the SVGs carry the axis titles', () => {
    const validate = vegaLiteValidator();
    const charts = readdirSync(join(one, 'charts')).filter((f) => f.endsWith('.vl.json'));
    for (const f of charts) {
      const spec = JSON.parse(readFileSync(join(one, 'charts', f), 'utf8')) as Record<string, unknown>;
      expect(validate(spec), f).toEqual([]);
      expect(compileVegaLite(spec).warnings, f).toEqual([]);
      const svg = readFileSync(join(one, 'charts', f.replace('.vl.json', '.svg')), 'utf8');
      expect(svg).toContain('<svg');
      const x = (spec.encoding as { x: { title: string } }).x.title;
      expect(svg, f).toContain(x);
    }
    const draw = readFileSync(join(one, 'charts', 'sweep-metric-draw.svg'), 'utf8');
    expect(draw).toContain('Scenario parameter level (value)');
    expect(draw).toContain('draw (mean over seeds)');
    expect(draw).toContain('sweep-fixture · seeds 1..3 (3 per point) · profiles core-v0.10, core-master');
    expect(readFileSync(join(one, 'data', 'aggregate.csv'), 'utf8').split('\r\n')[0]).toBe('profile,level,boom,metric,kind,n,mean,sd,ci95Low,ci95High,ciMethod');
  });

  it('reads a run file written before checks had a kind (format 1): every check is a health check, every metric a number', () => {
    const path = join(scratch, 'format-1-run.json');
    const v1 = { format: 1, passed: false, reproduce: 'connsim run x', metrics: { victimsEclipsed: 0 }, checks: [{ name: 'invariants', passed: true, detail: '' }, { name: 'attack outcome', passed: false, detail: '' }] };
    writeFileSync(path, JSON.stringify(v1));
    expect(readRunOutcome(path)).toEqual({
      healthy: false,
      passed: false,
      checks: [
        { name: 'invariants', kind: 'health', passed: true },
        { name: 'attack outcome', kind: 'health', passed: false },
      ],
      metrics: { victimsEclipsed: 0 },
      metricKinds: {},
      error: null,
      reproduce: 'connsim run x',
      codeVersion: null,
    });
  });

  it('the progress line counts runs done of all, failures and the time left', () => {
    let now = 0;
    const out: string[] = [];
    const p = new SweepProgress((t) => void out.push(t), () => now, 10, 2);
    expect(p.line(0)).toBe('sweep [........................] 2/10 runs  ETA ?');
    p.progress(2, 0.2);
    expect(p.line(1)).toBe('sweep [#.......................] 2/10 runs  ETA ?');
    now = 4000;
    p.finished(2, true);
    p.finished(3, false);
    p.progress(4, 0.5);
    // 2.5 of 8 runs of work in 4 s: 5.5 left take 8.8 s.
    expect(p.line(4)).toBe('sweep [########................] 4/10 runs  1 failed  ETA 9s');
    p.finish();
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });

  it.skipIf(!hasChromium)('report.html draws every chart in headless Chromium with no console error', () => {
    const page = pageOutcome(openInChromium(join(one, 'report.html'), scratch));
    expect(page.body).toContain('data-status="done"');
    expect(page.body).toContain('data-errors="0"');
    expect(page.drawn).toBe(4);
    expect(page.renderError).toBe(false);
    expect(page.consoleLines).toEqual([]);
  });
  if (!hasChromium) console.warn('skipping the sweep report.html browser test: /usr/bin/chromium is absent');
});

describe('connsim sweep / merge as a process', () => {
  it('an interrupted sweep (killed mid-way) resumes to the same outputs, with a stale temp file cleaned up', async () => {
    const dir = join(scratch, 'killed');
    const args = connsimArgs(['sweep', FIXTURE, ...SWEEP, '--workers', '1', '--out', dir, '--quiet']);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    const runsDir = join(dir, 'runs');
    const killedEarly = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        const n = existsSync(runsDir) ? readdirSync(runsDir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).length : 0;
        if (n >= 3) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve(true);
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve(false);
      });
    });
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
    expect(killedEarly).toBe(true);
    const done = readdirSync(runsDir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).length;
    expect(done).toBeLessThan(24);
    expect(existsSync(join(dir, SWEEP_SUMMARY_FILE))).toBe(false);
    // What a kill during a write leaves behind: a temp file next to the run files.
    const stale = join(runsDir, '.p=core-master_level=10_boom=true_seed=3.json.tmp-99999-abc');
    writeFileSync(stale, '{"half');
    const r = connsim(['sweep', FIXTURE, ...SWEEP, '--workers', '2', '--out', dir, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/24 runs: 6 sound, 6 failed a health check, 12 threw/);
    expect(timing(dir).runsSkipped).toBe(done);
    expect(existsSync(stale)).toBe(false);
    expectSameTree(dir, join(scratch, 'workers-1'));
  });

  it('bad input is one line on stderr and exit code 2', () => {
    const planA = join(scratch, 'workers-1');
    const other = join(scratch, 'other-plan');
    mkdirSync(join(other, 'runs'), { recursive: true });
    const plan = JSON.parse(readFileSync(join(planA, SWEEP_PLAN_FILE), 'utf8')) as { seeds: string[] };
    plan.seeds = ['1', '2'];
    writeFileSync(join(other, SWEEP_PLAN_FILE), JSON.stringify(plan));
    const cases: [string[], RegExp][] = [
      [['sweep', FIXTURE, '--seeds', '3..1'], /runs backwards/],
      [['sweep', FIXTURE, '--seeds', '1..x'], /not a range/],
      [['sweep', FIXTURE, '--seeds', '1..2', '--vary', 'nope=1,2'], /has no parameter "nope"/],
      [['sweep', FIXTURE, '--seeds', '1..2', '--shard', '3/2'], /shard 3 of 2 does not exist/],
      [['sweep', FIXTURE, '--seeds', '1..2', '--workers', '0'], /--workers/],
      [['sweep', 'no-such-scenario', '--seeds', '1'], /unknown scenario/],
      [['merge', planA, other, '--out', join(scratch, 'nowhere')], /hold different sweep plans/],
      [['merge', join(scratch, 'no-such-dir')], /is not a directory/],
    ];
    for (const [args, message] of cases) {
      const r = connsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.startsWith('connsim: ')).toBe(true);
    }
  });
});
