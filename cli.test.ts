// The command line as a user meets it: each test runs `connsim` as a separate process.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(fileURLToPath(import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data');
// What the launcher (bin/connsim.js) runs as its child: node with connsim's loader (tsx's hooks and
// connsim's own files compiled without keepNames). One process per call; tsx's own CLI would start
// two and compile every file afresh with keepNames (about 0.3 CPU-s more per call).
const LOADER = pathToFileURL(join(ROOT, 'bin', 'loader.mjs')).href;

function connsim(args: string[], input?: string, opts: { cwd?: string; uid?: number; gid?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', LOADER, join(ROOT, 'cli.ts'), ...args], { input, encoding: 'utf8', cwd: opts.cwd ?? ROOT, ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const peers = join(DATA, 'peers-regtest.dat');
const peersAsmap = join(DATA, 'peers-regtest-asmap.dat');
const ipAsn = join(DATA, 'ip_asn.dat');
const testAsmap = join(DATA, 'asmap-test.raw');
for (const f of [peers, peersAsmap, ipAsn, testAsmap]) if (!existsSync(f)) console.warn(`skipping CLI tests that need ${f}: file absent`);

describe('connsim addr', () => {
  it('prints the placement of one address in Core RPC vocabulary', () => {
    const r = connsim(['addr', '1.2.3.4:8333']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      network: 'ipv4',
      netgroup: '010102',
      mapped_as: 0,
      new_bucket: 774,
      new_position: 4,
      tried_bucket: 6,
      tried_position: 33,
    });
  });

  it.skipIf(!existsSync(ipAsn))('--batch answers every line in order, errors as {"error"} lines', () => {
    const input = [
      JSON.stringify({ addr: '2.0.0.0:8333' }),
      'not json',
      JSON.stringify({ addr: '8.8.8.8', asmap: ipAsn }),
      JSON.stringify({ addr: 'nonsense' }),
      JSON.stringify({ addr: '1.1.1.1', asmap: ipAsn, key: null, source: null }),
    ].join('\n');
    const r = connsim(['addr', '--batch'], `${input}\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect([lines[0]!.new_bucket, lines[0]!.new_position]).toEqual([82, 8]);
    expect(lines[1]!.error).toMatch(/JSON/);
    expect(lines[2]!.mapped_as).toBe(15169);
    expect(lines[3]!.error).toMatch(/nonsense/);
    expect(lines[4]!.mapped_as).toBe(13335);
  });

  it.skipIf(!existsSync(ipAsn))('--batch --asmap FILE applies the asmap to every line that gives none (a line may still name its own)', () => {
    const input = [JSON.stringify({ addr: '8.8.8.8' }), JSON.stringify({ addr: '1.1.1.1' }), JSON.stringify({ addr: '8.8.8.8', asmap: testAsmap })].join('\n');
    const r = connsim(['addr', '--batch', '--asmap', ipAsn], `${input}\n`);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 2).map((l) => l.mapped_as)).toEqual([15169, 13335]);
    // The same as asking one at a time with the flag; the third line's own asmap wins.
    expect(lines[0]).toEqual(JSON.parse(connsim(['addr', '8.8.8.8', '--asmap', ipAsn]).stdout));
    if (existsSync(testAsmap)) expect(lines[2]).toEqual(JSON.parse(connsim(['addr', '8.8.8.8', '--asmap', testAsmap]).stdout));
    // A bad --asmap is one error before stdin is read, not one per line.
    const bad = connsim(['addr', '--batch', '--asmap', '/nonexistent'], `${input}\n`);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });

  it('bad input: one line on stderr, exit code 2', () => {
    for (const args of [['addr', '999.1.1.1'], ['addr', '1.2.3.4', '--key', 'zz'], ['addr', '1.2.3.4', '--asmap', '/nonexistent'], ['addr'], ['frobnicate']]) {
      const r = connsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^connsim: /);
    }
  });
});

describe('connsim peers', () => {
  it.skipIf(!existsSync(peers))("prints getaddrmaninfo for Core's own peers.dat", () => {
    const r = connsim(['peers', peers]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, { new: number; tried: number; total: number }>;
    expect(Object.keys(info)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'all_networks']);
    expect(info.all_networks).toEqual({ new: 2037, tried: 885, total: 2922 });
  });

  it.skipIf(!existsSync(peersAsmap) || !existsSync(ipAsn))('--raw --asmap gives getrawaddrman entries with mapped_as', () => {
    const r = connsim(['peers', peersAsmap, '--asmap', ipAsn, '--raw']);
    expect(r.code).toBe(0);
    const raw = JSON.parse(r.stdout) as { new: Record<string, Record<string, unknown>>; tried: Record<string, Record<string, unknown>> };
    const first = Object.values(raw.new)[0]!;
    expect(Object.keys(first).slice(0, 3)).toEqual(['address', 'mapped_as', 'port']);
    expect(Object.keys(raw.new).every((k) => /^\d+\/\d+$/.test(k))).toBe(true);
    expect(Object.keys(raw.tried).length).toBe(671);
  });

  it('a file that is not a peers.dat, or a missing one, is a one-line error with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'connsim-cli-'));
    const junk = join(dir, 'junk.dat');
    writeFileSync(junk, 'hello world, not a peers file');
    for (const args of [['peers', junk], ['peers', join(dir, 'missing.dat')], ['peers', dir]]) {
      const r = connsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Scenario commands: run, list, describe, profiles, inspect, replay. The fixture scenario
// (cli/fixtures/tiny-scenario.ts) keeps each run to a few nodes and minutes of simulated time.

const FIXTURE = 'cli/fixtures/tiny-scenario.ts';
const NO_SCENARIO = 'cli/fixtures/no-scenario.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'connsim-cli-run-'));
}

/** One-line error, exit code 2. */
function expectUsageError(r: { code: number; stderr: string }, what: string, pattern?: RegExp): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'));
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toMatch(/^connsim: /);
  if (pattern !== undefined) expect(lines[0], what).toMatch(pattern);
}

describe('connsim list / describe / profiles', () => {
  it('list prints one line per built-in scenario (name then summary)', () => {
    const r = connsim(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
  });

  it('describe shows threat model, defaults and every parameter with type, default and range', () => {
    const r = connsim(['describe', FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tiny-fixture \(cli\/fixtures\/tiny-scenario\.ts\)$/m);
    expect(r.stdout).toMatch(/Threat model:\n {2}None: a fixture/);
    expect(r.stdout).toMatch(/--nodes +4$/m);
    expect(r.stdout).toMatch(/--duration +2m$/m);
    expect(r.stdout).toMatch(/^ {2}failCheck +boolean +false +make the check fail$/m);
    expect(r.stdout).toMatch(/^ {2}pause +duration +30s +>= 0s +wait before/m);
  });

  it('profiles lists each profile with its settings and explains every setting', () => {
    const r = connsim(['profiles']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^core-master \(default\): /m);
    expect(r.stdout).toMatch(/^core-v0\.10: /m);
    expect(r.stdout).toMatch(/maxConnections=200/);
    expect(r.stdout).toMatch(/^Settings:$/m);
    expect(r.stdout).toMatch(/^ {2}testBeforeEvict \(boolean\)$/m);
  });
});

describe('connsim run: bad input is one line, exit 2, and leaves no run directory', () => {
  it('every kind of bad input', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const corruptAsmap = join(dir, 'corrupt.asmap');
    writeFileSync(corruptAsmap, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]));
    const badSeeds = join(dir, 'seeds.txt');
    writeFileSync(badSeeds, '1.2.3.4:8333\nthis is not an address\n');
    const badPopulation = join(dir, 'crawl.csv');
    writeFileSync(badPopulation, 'address,network,netgroup,asn\n12.34.98.148,ipv4,12.34.0.0/16,AS7018\n2.15.0.253,ipv6,2.15.0.0/16,AS3215\n');
    const throwing = join(dir, 'throws.ts');
    writeFileSync(throwing, "throw new Error('boom at import');\n");
    const syntax = join(dir, 'syntax.ts');
    writeFileSync(syntax, "export default {\n  name: 'x',,\n};\n");
    const cases: [string[], RegExp][] = [
      [['run', 'no-such-scenario'], /unknown scenario "no-such-scenario" \(available: /],
      [['run', FIXTURE, '--duration', '5 parsecs'], /--duration/],
      [['run', FIXTURE, '--duration', '0s'], /--duration must be longer than zero/],
      [['run', FIXTURE, '--sample-interval', 'soon'], /--sample-interval/],
      [['run', FIXTURE, '--ping-path', 'telepathy'], /--ping-path must be analytic or messages/],
      [['run', FIXTURE, '--param', 'bogus=1'], /no parameter "bogus" \(known: failCheck, pause\)/],
      [['run', FIXTURE, '--param', 'failCheck=maybe'], /failCheck/],
      [['run', FIXTURE, '--param', 'nonsense'], /key=value/],
      [['run', FIXTURE, '--profile', 'core-v99'], /unknown profile "core-v99"/],
      [['run', FIXTURE, '--set', 'frobnicate=1'], /unknown setting "frobnicate"/],
      [['run', FIXTURE, '--set', 'maxConnections=many'], /maxConnections/],
      [['run', FIXTURE, '--seed', ''], /--seed must not be empty/],
      [['run', FIXTURE, '--seed', 'a/b'], /--seed/],
      [['run', FIXTURE, '--nodes', '0'], /--nodes must be a positive integer/],
      [['run', FIXTURE, '--nodes', 'lots'], /--nodes/],
      // Refused by the runner itself (a network needs two nodes), after the CLI's own checks passed.
      [['run', FIXTURE, '--nodes', '1'], /--nodes must be a whole number >= 2/],
      [['run', NO_SCENARIO], /cannot load scenario file .*no-scenario\.ts: it exports no scenario/],
      [['run', throwing], /cannot load scenario file .*throws\.ts: boom at import/],
      // A syntax error says where (1-based line and column), not esbuild's bare "Transform failed with 1 error:".
      [['run', syntax], /cannot load scenario file .*syntax\.ts: syntax error at line 2, column 13: Expected identifier but found ","$/],
      [['run', join(dir, 'missing.ts')], /cannot load scenario file .*missing\.ts: no such file/],
      [['run', FIXTURE, '--asmap', join(dir, 'missing.asmap')], /asmap file .* does not exist/],
      [['run', FIXTURE, '--asmap', corruptAsmap], /is not a valid asmap/],
      [['run', FIXTURE, '--seed-list', badSeeds], /seed list .*line 2/],
      [['run', FIXTURE, '--population', badPopulation], /population file .*crawl\.csv': line 3: network "ipv6" but 2\.15\.0\.253 is ipv4$/],
      [['run', FIXTURE, '--population', join(dir, 'no-crawl.csv')], /population file .* does not exist/],
      [['run', FIXTURE, '--population', badPopulation, '--seed-list', badSeeds], /--population and --seed-list both place the reachable nodes: give one/],
      [['run', FIXTURE, '--frobnicate'], /frobnicate/],
    ];
    for (const [args, pattern] of cases) {
      const r = connsim([...args, '--out', out, '--quiet']);
      expectUsageError(r, args.join(' '), pattern);
      expect(existsSync(out), `${args.join(' ')} left a run directory`).toBe(false);
    }
    // --out naming an existing file: refused, the file untouched.
    expectUsageError(connsim(['run', FIXTURE, '--out', file, '--quiet']), '--out file', /exists and is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
    // Nothing but the inputs in the parent: no temp directories either.
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'corrupt.asmap', 'crawl.csv', 'seeds.txt', 'syntax.ts', 'throws.ts']);
    // Some 30 processes: past two minutes of wall time on a loaded 2-core machine.
  }, 300_000);

  it('an attack that cannot start before the run ends is refused before anything runs (run and sweep)', () => {
    const dir = tmp();
    expectUsageError(connsim(['run', 'eclipse-botnet', '--profile', 'core-v0.10', '--duration', '20m', '--out', join(dir, 'a'), '--quiet']), 'botnet 20m', /the attack starts at 30m, but the run ends at 20m/);
    expectUsageError(connsim(['run', 'slowloris', '--param', 'attackAt=5h', '--duration', '10m', '--out', join(dir, 'b'), '--quiet']), 'slowloris 5h', /the attack starts at 5h, but the run ends at 10m/);
    expectUsageError(connsim(['sweep', 'slowloris', '--seeds', '1', '--duration', '10m', '--vary', 'attackAt=5m,5h', '--out', join(dir, 'c'), '--quiet']), 'sweep', /the attack starts at 5h, but the run ends at 10m/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('describe and inspect reject unknown scenarios the same way', () => {
    expectUsageError(connsim(['describe', 'no-such-scenario']), 'describe', /unknown scenario/);
    expectUsageError(connsim(['describe', NO_SCENARIO]), 'describe file', /exports no scenario/);
    expectUsageError(connsim(['inspect', 'no-such-scenario', '--at', '1m', '--node', '0']), 'inspect', /unknown scenario/);
    expectUsageError(connsim(['inspect', FIXTURE, '--at', 'later', '--node', '0']), 'inspect --at', /--at/);
    expectUsageError(connsim(['inspect', FIXTURE, '--at', '1h', '--node', '0']), 'inspect past the end', /past the run's duration/);
  });

  it('replay of a directory without summary.json is a usage error', () => {
    const dir = tmp();
    expectUsageError(connsim(['replay', dir]), 'empty dir', /summary\.json' is missing/);
    expectUsageError(connsim(['replay', join(dir, 'nope')]), 'missing dir', /does not exist/);
    writeFileSync(join(dir, 'summary.json'), '{"format": 99}');
    expectUsageError(connsim(['replay', dir]), 'bad format', /not a connsim run summary/);
  });
});

describe('output safety: connsim writes only into a directory of its own, and checks it before simulating', () => {
  const fixture = join(ROOT, FIXTURE);
  const quick = ['--nodes', '3', '--duration', '2m', '--quiet'];

  it('refuses an empty --out, the current directory, a directory above it, and leaves the working tree as it was', () => {
    const project = tmp();
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'main.ts'), 'precious');
    const before = readdirSync(project).sort();
    for (const out of ['', '.', '..', join(project, 'src', '..')]) {
      expectUsageError(connsim(['run', fixture, ...quick, '--out', out], undefined, { cwd: join(project, 'src') }), `--out '${out}'`, /--out (is empty|.*current directory or one above it)/);
      // The default command (npm start) takes --out too, and refuses the same way.
      expectUsageError(connsim(['--out', out, '--quiet'], undefined, { cwd: join(project, 'src') }), `default --out '${out}'`);
    }
    expectUsageError(connsim(['sweep', fixture, '--seeds', '1', '--out', '', '--quiet']), 'sweep --out ""', /--out is empty/);
    expectUsageError(connsim(['sweep', fixture, '--seeds', '1', '--out', '.', '--quiet'], undefined, { cwd: project }), 'sweep --out .', /current directory/);
    expect(readdirSync(project).sort()).toEqual(before);
    expect(readFileSync(join(project, 'src', 'main.ts'), 'utf8')).toBe('precious');
  });

  it("refuses a directory of a user's files, another scenario's run directory, a sweep directory, and a path below a file", () => {
    const dir = tmp();
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'data.csv'), 'a,b\n');
    expectUsageError(connsim(['run', fixture, ...quick, '--out', mine]), 'foreign dir', /not a connsim output directory/);
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'summary.json'), JSON.stringify({ format: 1, scenario: 'baseline', seed: '1', digest: 'x', reproduce: 'connsim run baseline' }));
    expectUsageError(connsim(['run', fixture, ...quick, '--out', other]), 'other scenario', /holds a run of scenario 'baseline', not 'tiny-fixture'/);
    expectUsageError(connsim(['sweep', fixture, '--seeds', '1', '--out', other, '--quiet']), 'sweep into a run dir', /is a connsim run directory, not a sweep directory/);
    writeFileSync(join(dir, 'f'), 'x');
    expectUsageError(connsim(['run', fixture, ...quick, '--out', join(dir, 'f', 'run')]), 'below a file', /lies below .* which is a file/);
    expect(readdirSync(mine)).toEqual(['data.csv']);
    expect(readdirSync(dir).sort()).toEqual(['f', 'mine', 'other']);
  });

  it('--trace: the run directory itself is refused; a path inside it is published with the run', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    expectUsageError(connsim(['run', fixture, ...quick, '--out', out, '--trace', out]), '--trace = --out', /--trace .* is the run directory/);
    expect(readdirSync(dir)).toEqual([]);
    const r = connsim(['run', fixture, ...quick, '--out', out, '--trace', join(out, 'trace.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'trace.jsonl'), 'utf8').length).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['run']);
  });

  it('a second process writing the same run directory is refused before it simulates', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    // The staging directory of a live process (this test runner) is the lock.
    mkdirSync(join(dir, '.run.connsim-staging'));
    writeFileSync(join(dir, '.run.connsim-staging', 'owner'), `${process.pid}\n`);
    expectUsageError(connsim(['run', fixture, ...quick, '--out', out]), 'locked', new RegExp(`another connsim process \\(pid ${process.pid}\\) is writing`));
    expect(existsSync(out)).toBe(false);
  });

  const uid = process.getuid?.() ?? -1;
  if (uid === 0) console.log('output safety: the read-only test runs connsim as uid 65534 (root may write anywhere)');
  it('a location it cannot write is refused before the simulation, with the reason', () => {
    const dir = tmp();
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(dir, 0o755);
    const as = uid === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = connsim(['run', fixture, ...quick, '--out', join(ro, 'run')], undefined, { ...as, cwd: ROOT });
    expectUsageError(r, 'read-only', /cannot write beside .*permission denied/);
    expect(r.stdout).toBe('');
    expect(readdirSync(ro)).toEqual([]);
  });
});

describe("a scenario file outside the checkout imports connsim by name", () => {
  /** A study folder of the "type": "commonjs" kind, with a helper module beside the scenario. */
  function study(): string {
    const dir = tmp();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-study', type: 'commonjs' }));
    writeFileSync(join(dir, 'helper.ts'), "export const PAUSE = '20s';\n");
    writeFileSync(
      join(dir, 'study.ts'),
      [
        "import { defineScenario, ScenarioError } from 'connsim';",
        "import { PAUSE } from './helper.ts';",
        'export default defineScenario({',
        "  name: 'outside-study',",
        "  summary: 'a study outside the checkout',",
        "  threatModel: 'None.',",
        "  defaults: { nodes: 3, duration: '2m', sampleInterval: '1m' },",
        "  params: { pause: { type: 'duration', default: PAUSE, description: 'wait' } },",
        '  *script(s, p) {',
        '    yield s.wait(p.pause);',
        '    let same = false;',
        '    try {',
        '      s.victim(9999);',
        '    } catch (e) {',
        '      same = e instanceof ScenarioError;',
        '    }',
        "    s.check('one copy of connsim', { passed: same, detail: `the runner's ScenarioError is the one the file imported: ${same}` });",
        '  },',
        '});',
        '',
      ].join('\n'),
    );
    return dir;
  }

  it('runs it, sharing the CLI\'s module instances (instanceof holds across the two)', () => {
    const dir = study();
    const r = connsim(['run', join(dir, 'study.ts'), '--out', join(dir, 'run'), '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { checks: { name: string; passed: boolean }[] };
    expect(summary.checks.find((c) => c.name === 'one copy of connsim')?.passed).toBe(true);
  });

  it('sweeps it on worker threads', () => {
    const dir = study();
    const r = connsim(['sweep', join(dir, 'study.ts'), '--seeds', '1..2', '--workers', '2', '--out', join(dir, 'sweep'), '--quiet']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/2 runs: 2 sound\n/);
  });
});

describe('limits, signals and the determinism guard', () => {
  const LAUNCHER = join(ROOT, 'bin', 'connsim.js');

  it('sizes beyond the machine are refused up front with how much they need (run, sweep, replay, demo)', () => {
    const dir = tmp();
    expectUsageError(connsim(['run', 'baseline', '--nodes', '1000000000', '--out', join(dir, 'a'), '--quiet']), 'run 1e9', /needs about [\d,]+ GB of memory/);
    expectUsageError(connsim(['sweep', 'baseline', '--seeds', '1..2', '--nodes', '50000000', '--out', join(dir, 'b'), '--quiet']), 'sweep', /needs about [\d,]+ GB of memory/);
    expectUsageError(connsim(['demo', '--hosts', '1000000000']), 'demo', /more than the demo's 100,000 hosts/);
    // A summary.json edited to a huge world is refused before the replay starts.
    const run = join(dir, 'small');
    expect(connsim(['run', FIXTURE, '--nodes', '3', '--duration', '2m', '--out', run, '--quiet']).code).toBe(0);
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(run, 'summary.json'), JSON.stringify({ ...summary, nodes: 1_000_000_000 }));
    expectUsageError(connsim(['replay', run, '--quiet']), 'replay', /needs about [\d,]+ GB of memory/);
    expect(readdirSync(dir).sort()).toEqual(['small']);
  });

  it('the launcher works from any working directory (it finds its own tsx, not one beside the caller)', () => {
    const elsewhere = tmp();
    const r = spawnSync(process.execPath, [LAUNCHER, 'list'], { encoding: 'utf8', cwd: elsewhere });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/eclipse-botnet/);
  });

  it('a --param or --set given twice is refused, not silently the last one', () => {
    const out = join(tmp(), 'run');
    expectUsageError(connsim(['run', FIXTURE, '--param', 'pause=10s', '--param', 'pause=20s', '--out', out]), 'param twice', /--param pause is given more than once/);
    expectUsageError(connsim(['run', FIXTURE, '--set', 'maxConnections=100', '--set', 'maxConnections=120', '--out', out]), 'set twice', /setting "maxConnections" is given more than once/);
  });

  it('--max-wall stops a run with exit 124 and leaves nothing; off a terminal progress is one line every 5%', () => {
    const dir = tmp();
    const r = spawnSync(process.execPath, [LAUNCHER, 'run', 'baseline', '--nodes', '300', '--duration', '24h', '--max-wall', '4s', '--out', join(dir, 'run')], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr).toBe(124);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines[lines.length - 1]).toMatch(/^connsim: stopped by --max-wall after 4s \(simulated .* of 1d\); nothing half-written was left$/);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^connsim: baseline seed 1: \d+% \(.* simulated, .* events\/s, ETA .*\)$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('SIGTERM to the connsim command stops the run cleanly: exit 143, a message, no directory, no process left', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, [LAUNCHER, 'run', 'baseline', '--nodes', '300', '--duration', '24h', '--out', join(dir, 'run')], { cwd: ROOT });
    let stderr = '';
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await new Promise<void>((res) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Once the run is under way (its first progress line), terminate the launcher only.
        if (/\d+% \(/.test(stderr)) res();
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/connsim: interrupted by SIGTERM \(simulated .* of 1d\); nothing half-written was left\n$/);
    expect(readdirSync(dir)).toEqual([]);
    expect(spawnSync('pgrep', ['-f', join(dir, 'run')]).status).toBe(1);
  });

  it('scenario code cannot reach Math.random, Date, timers or Promises; script mistakes name what went wrong', () => {
    const dir = tmp();
    const file = (name: string, body: string, top = ''): string => {
      const p = join(dir, `${name}.ts`);
      writeFileSync(
        p,
        `import { defineScenario } from '${join(ROOT, 'scenarios', 'dsl', 'scenario.ts')}';\n${top}\nexport default defineScenario({ name: '${name}', summary: 's', threatModel: 't', defaults: { nodes: 3, duration: '5m', sampleInterval: '1m' }, params: {}, *script(s) { yield s.wait('1m'); ${body} } });\n`,
      );
      return p;
    };
    const cases: [string, RegExp][] = [
      [file('rand', 's.metric("x", Math.random());'), /the script failed at 1m: Math\.random\(\) is not available to scenario code .*draw from s\.rng/],
      [file('now', 's.metric("x", Date.now());'), /Date\.now\(\) is not available to scenario code .*s\.now\(\)/],
      [file('timer', 'setTimeout(() => {}, 10);'), /setTimeout\(\) is not available to scenario code/],
      [file('promise', 'void Promise.resolve(1);'), /Promise\.resolve\(\) is not available to scenario code/],
      [file('top', '', 'const seedOfTheDay = Date.now();\nvoid seedOfTheDay;'), /cannot load scenario file .*top\.ts: Date\.now\(\) is not available to scenario code/],
      [file('yield42', 'yield 42 as never;'), /the script failed at 1m: the script yielded 42; a script yields s\.wait\(…\) or s\.at\(…\)/],
      [file('throwing', 's.expect("victims eclipsed", () => { throw new Error("oops"); });'), /check "victims eclipsed" threw when it was evaluated at the end: oops/],
      [file('every', 's.every("30s", () => { throw new Error("tick broke"); });'), /the every\(30s\) callback failed at 1m30s: tick broke/],
    ];
    for (const [f, pattern] of cases) expectUsageError(connsim(['run', f, '--out', join(dir, 'out'), '--quiet']), f, pattern);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('connsim run / replay / inspect with the real runner', () => {
  it('--ping-path messages is recorded in summary.json and its reproduce command, and replays to the same digest', () => {
    const out = join(tmp(), 'run');
    const r = connsim(['run', FIXTURE, '--seed', '2', '--nodes', '3', '--duration', '2m', '--ping-path', 'messages', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { pingPath: string; reproduce: string };
    expect(summary.pingPath).toBe('messages');
    expect(summary.reproduce).toMatch(/--ping-path messages$/);
    const again = connsim(['replay', out, '--quiet']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/replay OK/);
  });

  it('runs a scenario file, publishes the run directory, and replays it to the same digest', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    const r = connsim(['run', FIXTURE, '--seed', '5', '--nodes', '3', '--duration', '2m', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['summary.json', 'timing.json', 'result.json', 'report.html', 'charts', 'data']) expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { seed: string; digest: string; passed: boolean; scenarioFile: string };
    expect([summary.seed, summary.passed, summary.scenarioFile]).toEqual(['5', true, FIXTURE]);
    expect(r.stdout).toMatch(/^seed +5$/m);
    expect(r.stdout).toContain(`digest`);
    expect(r.stdout).toContain(summary.digest);
    expect(r.stdout).toMatch(/✓ fixture-check/);
    expect(r.stdout).toMatch(/report +.*report\.html$/m);
    // The per-connection log streamed during the run is published with it: the documented header,
    // then a row per connection; here the three honest nodes' connections to each other, each
    // naming its peer's node.
    const log = readFileSync(join(out, 'data', 'connections.csv'), 'utf8').split('\r\n');
    expect(log[0]).toBe('openMicros,closeMicros,node,peer,peerNode,connType,network,netgroup,asn,attacker,handshake,closeReason,evictionRule');
    const rows = log.slice(1, -1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect([row.length, Number(row[4]) < 3, row[9]]).toEqual([13, true, 'false']);
    // No progress bar without a terminal.
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'))).toEqual([]);
    const again = connsim(['replay', out, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`replay OK: the whole summary.json matches (digest ${summary.digest}`);
    // A tampered digest is reported with both values and exit code 1.
    const tampered = join(dir, 'tampered');
    const copy = connsim(['run', FIXTURE, '--seed', '5', '--nodes', '3', '--duration', '2m', '--out', tampered, '--json', '--quiet']);
    expect(copy.code).toBe(0);
    expect(JSON.parse(copy.stdout).digest).toBe(summary.digest);
    writeFileSync(join(tampered, 'summary.json'), readFileSync(join(tampered, 'summary.json'), 'utf8').replace(summary.digest, 'deadbeef'));
    const mismatch = connsim(['replay', tampered, '--quiet']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/digest: recorded "deadbeef", replayed "[0-9a-f]{16}"/);
    // Every field is compared, not only the digest: a tampered metric, check or parameter is caught and named.
    const original = readFileSync(join(out, 'summary.json'), 'utf8');
    const edits: [(s: Record<string, unknown>) => void, RegExp][] = [
      [(s) => ((s.metrics as Record<string, number>)['fixture.nodes'] = 99), /metrics\.fixture\.nodes: recorded 99, replayed 3/],
      [(s) => ((s.checks as { passed: boolean }[])[0]!.passed = false), /checks\.0\.passed: recorded false, replayed true/],
      [(s) => ((s.params as Record<string, number>).pause = 1), /params\.pause: recorded 1, replayed 30000000/],
    ];
    for (const [edit, pattern] of edits) {
      const s = JSON.parse(original) as Record<string, unknown>;
      edit(s);
      writeFileSync(join(tampered, 'summary.json'), JSON.stringify(s));
      const r2 = connsim(['replay', tampered, '--quiet']);
      expect(r2.code, String(pattern)).toBe(1);
      expect(r2.stdout).toMatch(/replay MISMATCH: 1 field of summary\.json differ/);
      expect(r2.stdout).toMatch(pattern);
    }
    // summary.json says where it came from.
    const prov = (JSON.parse(original) as { provenance: { connsim: string; node: string; command: string } }).provenance;
    expect(prov.connsim).toBe('0.1.0');
    expect(prov.node).toBe(process.version);
    expect(prov.command).toMatch(/^connsim run .*tiny-scenario\.ts --seed 5/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`<tr><th>node</th><td>${process.version}</td></tr>`);
  });

  it('with no command (npm start) runs the default scenario, taking --seed, --out and --json', () => {
    const out = join(tmp(), 'default');
    const r = connsim(['--seed', '2', '--out', out, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { scenario: string; seed: string; profile: string; digest: string };
    expect([summary.scenario, summary.seed, summary.profile]).toEqual(['eclipse-botnet', '2', 'core-v0.10']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).digest).toBe(summary.digest);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    // Options of `run` that would change what the default run is are refused, not ignored.
    const bad = connsim(['--nodes', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nodes/);
    // The whole default run (about a million events): minutes of wall time when the machine is shared.
  }, 300_000);

  it('--seed-list is recorded by sha256; replay refuses a seed list that changed since', () => {
    const dir = tmp();
    const seeds = join(dir, 'nodes.txt');
    writeFileSync(seeds, '# three seeds\n1.2.3.4:8333 # AS1\n5.6.7.8:8333 # AS2\n9.10.11.12:8333 # AS3\n');
    const out = join(dir, 'run');
    const r = connsim(['run', FIXTURE, '--nodes', '3', '--seed-list', seeds, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { inputs: { seedList: { path: string; sha256: string } } };
    expect(s.inputs.seedList.path).toBe(seeds);
    expect(s.inputs.seedList.sha256).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(seeds, '1.2.3.4:8333\n');
    expectUsageError(connsim(['replay', out, '--quiet']), 'changed seed list', /seed list .* has changed since the run/);
  });

  it('--population is recorded by sha256, replays byte for byte, and replay refuses a file that changed since', () => {
    const dir = tmp();
    const crawl = join(dir, 'crawl.csv');
    const lines = Array.from({ length: 6 }, (_, i) => `${i + 20}.1.1.1,ipv4,${i + 20}.1.0.0/16,AS${i + 1}`);
    writeFileSync(crawl, ['address,network,netgroup,asn', ...lines, '2a01:4f9::1,ipv6,2a01:4f9::/32,AS24940'].join('\n'));
    const out = join(dir, 'run');
    const r = connsim(['run', FIXTURE, '--nodes', '3', '--population', crawl, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { inputs: { population: { path: string; sha256: string } }; reproduce: string };
    expect(s.inputs.population.path).toBe(crawl);
    expect(s.reproduce).toContain(`--population ${crawl}`);
    expect(connsim(['replay', out, '--quiet']).code).toBe(0);
    writeFileSync(crawl, 'address,network,netgroup,asn\n20.1.1.1,ipv4,20.1.0.0/16,AS1\n');
    expectUsageError(connsim(['replay', out, '--quiet']), 'changed population', /population file .* has changed since the run/);
  });

  it('a failing check exits 1 with the seed and the reproduce command', () => {
    const out = join(tmp(), 'run');
    const r = connsim(['run', FIXTURE, '--seed', 'x9', '--nodes', '3', '--param', 'failCheck=true', '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✗ fixture-check/);
    expect(r.stderr).toMatch(/^seed: x9$/m);
    expect(r.stderr).toMatch(/^reproduce: connsim run cli\/fixtures\/tiny-scenario\.ts --seed x9 /m);
  });

  it('inspect prints a node in getpeerinfo / getaddrmaninfo vocabulary, and rejects an unknown node', () => {
    const r = connsim(['inspect', FIXTURE, '--nodes', '3', '--at', '1m', '--node', '0', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { node: { id: number }; peers: { connection_type: string }[]; addrman: Record<string, unknown>; netinfo: { connections: number } };
    expect(j.node.id).toBe(0);
    expect(j.netinfo.connections).toBe(j.peers.length);
    expect(Object.keys(j.addrman)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'all_networks']);
    expectUsageError(connsim(['inspect', FIXTURE, '--nodes', '3', '--at', '1m', '--node', 'nobody', '--quiet']), 'unknown node', /unknown node "nobody"/);
  });

  it('inspect --rpc prints what bitcoin-cli prints: the result, or the RPC error with exit status abs(code)', () => {
    const base = ['inspect', FIXTURE, '--nodes', '3', '--at', '1m', '--node', '0', '--quiet', '--rpc'];
    const info = connsim([...base, 'getnetworkinfo']);
    expect(info.code, info.stderr).toBe(0);
    // UniValue's pretty print: two-space indent, amounts with eight decimals, an empty array over two lines.
    expect(info.stdout).toMatch(/^{\n {2}"version": 319900,\n {2}"subversion": "/);
    expect(info.stdout).toContain('\n  "relayfee": 0.00000100,\n  "incrementalfee": 0.00000100,\n');
    expect(info.stdout).toContain('\n  "warnings": [\n  ]\n}\n');
    const j = JSON.parse(info.stdout) as { connections: number; networkactive: boolean };
    expect(j.networkactive).toBe(true);
    // An RPC error: bitcoin-cli's three lines on stderr, exit abs(code). The count is read as JSON, as bitcoin-cli reads it.
    const neg = connsim([...base, 'getnodeaddresses', '-1']);
    expect([neg.code, neg.stdout, neg.stderr]).toEqual([8, '', 'error code: -8\nerror message:\nAddress count out of range\n']);
    const unknown = connsim([...base, 'getblockchaininfo']);
    expect([unknown.code, unknown.stderr]).toEqual([32601 & 0xff, 'error code: -32601\nerror message:\nMethod not found\n']);
    // Bad usage: one line, exit 2, before the run.
    expectUsageError(connsim(base), '--rpc without a method', /--rpc needs a method/);
  }, 120_000);

  it('run --debug-log NODE writes that node its debug log in the run directory; a bad NODE is refused before anything is written', () => {
    const dir = tmp();
    const out = join(dir, 'run');
    const r = connsim(['run', FIXTURE, '--nodes', '3', '--debug-log', '2', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^debug log +.*debug-2\.log$/m);
    const log = readFileSync(join(out, 'debug-2.log'), 'utf8');
    expect(log).toMatch(/^2023-11-14T22:13:20Z /);
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[net\] Added connection peer=0$/m);
    const bad = join(dir, 'bad');
    expectUsageError(connsim(['run', FIXTURE, '--nodes', '3', '--debug-log', '3', '--out', bad, '--quiet']), '--debug-log 3', /--debug-log 3: give an honest node id 0\.\.2/);
    expect(existsSync(bad)).toBe(false);
  }, 120_000);

  it('inspect --every prints a series of JSON lines for several nodes from one run, each line what --at prints for that time', () => {
    const r = connsim(['inspect', 'baseline', '--nodes', '12', '--duration', '30m', '--every', '10m', '--node', '0,5', '--node', '3', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { node: { at: string; id: number }; peers: unknown[] });
    expect(lines.map((l) => `${l.node.at} ${l.node.id}`)).toEqual(['10m 0', '10m 5', '10m 3', '20m 0', '20m 5', '20m 3', '30m 0', '30m 5', '30m 3']);
    expect(lines.every((l) => Array.isArray(l.peers))).toBe(true);
    // Pausing changes nothing: the 20m line for node 3 is what `inspect --at 20m` prints, on one line.
    const at = connsim(['inspect', 'baseline', '--nodes', '12', '--duration', '30m', '--at', '20m', '--node', '3', '--quiet']);
    expect(at.code, at.stderr).toBe(0);
    expect(JSON.stringify(lines[5])).toBe(JSON.stringify(JSON.parse(at.stdout)));
    for (const [args, pattern] of [
      [['--every', '1h'], /--every 1h is longer than the time inspected \(30m\)/],
      [['--every', '100ms'], /18,000 samples per node \(at most 10,000\)/],
      [['--at', '10m', '--node', '1'], /several --node need --every/],
      [['--every', '10m', '--node', '0'], /--node 0 is given more than once/],
    ] as const) {
      expectUsageError(connsim(['inspect', 'baseline', '--nodes', '12', '--duration', '30m', '--node', '0', ...args, '--quiet']), args.join(' '), pattern);
    }
  });
});

describe('connsim compare', () => {
  it('puts two runs side by side (table on stdout) and writes compare.html, compare.json, overlaid charts and a long CSV', () => {
    const dir = tmp();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect(connsim(['run', FIXTURE, '--nodes', '3', '--seed', '1', '--out', a, '--quiet']).code).toBe(0);
    expect(connsim(['run', FIXTURE, '--nodes', '3', '--seed', '2', '--out', b, '--quiet']).code).toBe(0);
    const out = join(dir, 'cmp');
    const r = connsim(['compare', a, b, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^A {2}.*seed 1/m);
    expect(r.stdout).toMatch(/^seed +1 +2 +differs$/m);
    expect(readdirSync(out).sort()).toEqual(['charts', 'compare.html', 'compare.json', 'data']);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { kind: string; identity: { field: string; same: boolean }[] };
    expect(c.kind).toBe('runs');
    expect(c.identity.find((x) => x.field === 'digest')?.same).toBe(false);
    expect(readFileSync(join(out, 'data', 'compare.csv'), 'utf8').split('\r\n')[0]).toBe('run,metric,kind,value');
    expect(readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg'))).toHaveLength(6);
    // Again into the same comparison directory: it is connsim's, so it is replaced; a run directory is refused.
    expect(connsim(['compare', a, b, '--out', out]).code).toBe(0);
    expectUsageError(connsim(['compare', a, b, '--out', a]), 'out onto a run', /is a connsim run directory, not a compare directory/);
    expectUsageError(connsim(['compare', a, a]), 'same twice', /two different directories/);
    expectUsageError(connsim(['compare', a, dir]), 'not a run', /neither a connsim run directory/);
  });
});
