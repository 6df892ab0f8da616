// `npm run eclipse-table -- [--size tiny|full] [--out DIR] [--workers N] [--seeds 1,2] [--part all|heilman|modern] [--no-run]`
//
// Regenerates the eclipse-resistance table of SCENARIOS.md ("What it takes to eclipse Bitcoin
// Core today") with one command: it runs `connsim sweep` on the eclipse-table study scenario
// (scenarios/studies/eclipse-table.ts) for every part of the table (Heilman et al.'s worst and live
// cases under core-v0.10, 50 restarts per configuration; the modern grid of six profiles × asmap
// off/on × botnet and infrastructure attackers, four kinds of victim), then reads every run file
// and writes into DIR:
//   eclipse-table.md   the tables (probability with 95% Wilson intervals, crossings of 10/50/90%,
//                      the urn model, Heilman's model) and the commands and sizes behind them
//   eclipse-table.csv  one row per configuration and victim kind
//   charts/*.vl.json + .svg   P(eclipsed) vs attacker resources, one line per profile, asmap facets
//   timing.json        wall seconds per sweep (the only file that is not a function of the plan)
//   <sweep>/           each sweep's own directory and report (connsim sweep's report.html, charts)
// A rerun with the same options resumes: finished runs are kept (connsim sweep's resume).
// Sizes: `full` is what SCENARIOS.md reports (46 runs, about 1.5 h of wall time on the loaded 2-core
// machine, well under an hour of CPU); `tiny` runs the
// same pipeline on a 30-node world, ten runs of 25 simulated minutes (the test, tools/eclipse-table.test.ts).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderSvg } from '../cli/render.ts';
import { buildTable, crossingMarkdown, tableChartSpec, tableCsv, tableMarkdown, type TableRow, type TableRun } from '../reports/eclipse-table.ts';
import { parseCrawlCsv } from '../reports/urn-model.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = 'scenarios/studies/eclipse-table.ts';
const SHARED = resolve(ROOT, '..', 'shared', 'data');

export const TABLE_PROFILES = ['core-v0.10', 'core-v0.10.1', 'core-v0.14', 'core-v0.21', 'core-v26', 'core-master'];

/** One sweep of the table: its directory name, the part of the table and its `connsim sweep` arguments. */
export interface TableSweep {
  name: string;
  part: string;
  args: string[];
}

interface Size {
  heilman: { nodes: number; duration: string; restarts: number; restartEvery: string; attackFor: string | null; botnet: number[]; infra: { groups: number; perGroup: number }; worst: string[]; live: string[] };
  modern: { profiles: string[]; asmapProfiles: string[]; nodes: number; duration: string; attackFor: string; restarts: number; restartEvery: string; victims: string[]; botnet: number[]; infra: { groups: number[]; perGroup: number }; preset: string[] };
}

export const SIZES: Record<'tiny' | 'full', Size> = {
  full: {
    heilman: {
      nodes: 100,
      duration: '6h45m',
      restarts: 50,
      restartEvery: '5m',
      // The scenario's default, 2 h (not passed, so the sweep's plan names only what differs).
      attackFor: null,
      botnet: [400, 1000, 2000, 4600],
      // 32 /24 blocks: 32 × 256 addresses, each block in its own /16 (v0.10 buckets by /16).
      infra: { groups: 32, perGroup: 256 },
      // Worst case: tried (64 × 64) and new (256 × 64) full of legitimate addresses seen within the hour, every tried one online.
      worst: ['historyTried=4096', 'historyLiveShare=1', 'historyNew=16384', 'historyTriedAge=1h', 'historyNewAge=1h'],
      // Live case: about 650 tried entries, 5-28% of them online (the midpoint, 17%).
      live: ['historyTried=650', 'historyLiveShare=0.17'],
    },
    modern: {
      // Ordered so that an interrupted sweep has the two ends of the history first. asmap is swept
      // (off, on) only for the profiles of Core versions that have -asmap (0.20 and later).
      profiles: ['core-v0.10', 'core-v0.14', 'core-v0.10.1'],
      asmapProfiles: ['core-master', 'core-v0.21', 'core-v26'],
      nodes: 60,
      duration: '1h35m',
      attackFor: '40m',
      restarts: 2,
      restartEvery: '10m',
      victims: ['victims=2', 'steadyVictims=1', 'unreachableVictims=2', 'steadyUnreachableVictims=1'],
      // One address per /16: the world's IPv4 plan holds 54,784 /16s, of which trash, history and honest nodes take about 15,000.
      botnet: [1000, 10000, 30000],
      infra: { groups: [32], perGroup: 256 },
      // The mainnet preset did not fit the machine's time (see SCENARIOS.md); the table's worlds are the default world.
      preset: [],
    },
  },
  tiny: {
    heilman: {
      nodes: 30,
      duration: '25m',
      restarts: 1,
      restartEvery: '5m',
      attackFor: '5m',
      botnet: [20],
      infra: { groups: 4, perGroup: 5 },
      worst: ['historyTried=50', 'historyLiveShare=1', 'historyNew=50', 'historyTriedAge=1h', 'historyNewAge=1h'],
      live: ['historyTried=20', 'historyLiveShare=0.17', 'historyNew=20'],
    },
    modern: {
      profiles: ['core-v0.10'],
      asmapProfiles: ['core-master'],
      nodes: 30,
      duration: '25m',
      attackFor: '5m',
      restarts: 1,
      restartEvery: '5m',
      victims: ['victims=1', 'steadyVictims=1', 'unreachableVictims=1', 'steadyUnreachableVictims=1'],
      botnet: [20],
      infra: { groups: [4], perGroup: 5 },
      preset: [],
    },
  },
};

const TINY_EXTRA = ['attackAt=5m', 'trashAddresses=50', 'connectionsPerSecond=2'];

function params(list: readonly string[]): string[] {
  return list.flatMap((p) => ['--param', p]);
}

/** The sweeps of the table at one size, seeds and asmap file (modern sweeps: one per seed, so a seed finishes before the next starts). */
// asmap "on" is Core's -asmap over the world's own AS model (scenarios/world/as-model.ts, encoded as a
// real asmap), not ../shared/data/ip_asn.dat: with that file every routable /16 belongs to some AS
// of the honest world's plan, and the attacker's and history's addresses, each placed in a /16
// outside those, cannot be allocated ("address plan: no fresh /16 left outside the reserved ones").
export function tableSweeps(sizeName: 'tiny' | 'full', seeds: readonly string[], part: 'all' | 'heilman' | 'modern'): TableSweep[] {
  const size = SIZES[sizeName];
  const extra = sizeName === 'tiny' ? TINY_EXTRA : [];
  const out: TableSweep[] = [];
  if (part !== 'modern') {
    const h = size.heilman;
    const common = ['--profile', 'core-v0.10', '--seeds', seeds[0]!, '--nodes', String(h.nodes), '--duration', h.duration];
    const victims = ['victims=1', 'steadyVictims=0', 'unreachableVictims=0', 'steadyUnreachableVictims=0', `restarts=${h.restarts}`, `restartEvery=${h.restartEvery}`, ...(h.attackFor === null ? [] : [`attackFor=${h.attackFor}`]), ...extra];
    for (const c of ['worst', 'live'] as const) {
      const hist = c === 'worst' ? h.worst : h.live;
      out.push({ name: `heilman-${c}-botnet`, part: `heilman-${c}`, args: [...common, ...params([...victims, ...hist]), '--vary', `attackerAddresses=${h.botnet.join(',')}`] });
      out.push({ name: `heilman-${c}-infra`, part: `heilman-${c}`, args: [...common, ...params([...victims, ...hist, 'attacker=infrastructure', `groups=${h.infra.groups}`, `perGroup=${h.infra.perGroup}`])] });
    }
  }
  if (part !== 'heilman') {
    const m = size.modern;
    for (const seed of seeds) {
      const common = [
        '--seeds', seed, '--nodes', String(m.nodes), '--duration', m.duration, ...m.preset.flatMap((s) => ['--set', s]),
        ...params([...m.victims, `restarts=${m.restarts}`, `restartEvery=${m.restartEvery}`, `attackFor=${m.attackFor}`, ...extra]),
      ];
      const infra = [...params(['attacker=infrastructure', `perGroup=${m.infra.perGroup}`]), '--vary', `groups=${m.infra.groups.join(',')}`];
      const botnet = ['--vary', `attackerAddresses=${m.botnet.join(',')}`];
      const withAsmap = ['--profile', m.asmapProfiles.join(','), ...common];
      const without = ['--profile', m.profiles.join(','), ...common];
      out.push({ name: `modern-botnet-asmap-seed-${seed}`, part: 'modern', args: [...withAsmap, ...botnet, '--vary', 'set.asmap=false,true'] });
      out.push({ name: `modern-botnet-seed-${seed}`, part: 'modern', args: [...without, ...botnet] });
      out.push({ name: `modern-infra-asmap-seed-${seed}`, part: 'modern', args: [...withAsmap, ...infra, '--vary', 'set.asmap=false,true'] });
      out.push({ name: `modern-infra-seed-${seed}`, part: 'modern', args: [...without, ...infra] });
    }
  }
  return out;
}

/** The RunSummary fields the table reads. */
interface RunFile {
  profile?: string;
  seed?: string | number;
  params?: Record<string, unknown>;
  set?: string[];
  metrics?: Record<string, number>;
  error?: string;
}

/** Reads a sweep directory's finished runs (runs that threw are counted, not tabled). */
export function readSweepRuns(dir: string, part: string): { runs: TableRun[]; errored: number } {
  const runsDir = join(dir, 'runs');
  const runs: TableRun[] = [];
  let errored = 0;
  if (!existsSync(runsDir)) return { runs, errored };
  for (const f of readdirSync(runsDir).filter((n) => n.endsWith('.json')).sort()) {
    const r = JSON.parse(readFileSync(join(runsDir, f), 'utf8')) as RunFile;
    if (r.error !== undefined || r.metrics === undefined || r.params === undefined || r.profile === undefined) {
      errored++;
      continue;
    }
    const p = r.params;
    const attacker = p.attacker === 'infrastructure' ? 'infrastructure' : 'botnet';
    const perGroup = Number(p.perGroup ?? 0);
    const groups = attacker === 'botnet' ? Number(p.attackerAddresses) : Number(p.groups);
    const addresses = attacker === 'infrastructure' && perGroup > 0 ? groups * perGroup : Number(p.attackerAddresses);
    const asmap = (r.set ?? []).includes('asmap=true');
    runs.push({ part, attacker, profile: r.profile, asmap, addresses, groups: Math.min(groups, addresses), seed: String(r.seed), params: p, metrics: r.metrics });
  }
  return { runs, errored };
}

/** What issue 19 quotes of the paper (the paper's own per-configuration table was not available to this tool's author). */
function paperValue(row: TableRow): string | null {
  if (row.part === 'heilman-worst' && row.attacker === 'botnet' && row.addresses === 4600) return '≥ 85% (abstract, as issue 19 quotes it)';
  if (row.part === 'heilman-worst' && row.attacker === 'infrastructure' && row.groups === 32) return '≥ 85% (abstract, as issue 19 quotes it)';
  if (row.part === 'heilman-live' && row.attacker === 'botnet' && row.addresses === 400) return '400 bots sufficed against the live node (as issue 19 quotes it)';
  return null;
}

interface Options {
  size: 'tiny' | 'full';
  out: string;
  workers: string;
  seeds: string[];
  part: 'all' | 'heilman' | 'modern';
  run: boolean;
  crawl: string;
}

function fail(message: string): never {
  process.stderr.write(`eclipse-table: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { size: 'full', out: 'runs/eclipse-table', workers: '1', seeds: ['1'], part: 'all', run: true, crawl: join(SHARED, 'reachable-nodes-2024-01-25.csv') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) fail(`${a} needs a value`);
      return x;
    };
    if (a === '--size') {
      const s = v();
      if (s !== 'tiny' && s !== 'full') fail(`--size must be tiny or full (got "${s}")`);
      o.size = s;
    } else if (a === '--out') o.out = v();
    else if (a === '--workers') o.workers = v();
    else if (a === '--seeds') o.seeds = v().split(',').filter((s) => s !== '');
    else if (a === '--part') {
      const s = v();
      if (s !== 'all' && s !== 'heilman' && s !== 'modern') fail(`--part must be all, heilman or modern (got "${s}")`);
      o.part = s;
    } else if (a === '--no-run') o.run = false;
    else if (a === '--crawl') o.crawl = v();
    else fail(`unknown option ${a} (options: --size tiny|full, --out DIR, --workers N, --seeds 1,2, --part all|heilman|modern, --no-run, --crawl FILE)`);
  }
  if (o.seeds.length === 0 || o.seeds.some((s) => !/^\d+$/.test(s))) fail('--seeds must be a comma-separated list of whole numbers');
  if (!existsSync(o.crawl)) fail(`the crawl ${o.crawl} is missing (the urn model needs it; --crawl FILE)`);
  return o;
}

export async function main(argv: readonly string[]): Promise<number> {
  const o = parseOptions(argv);
  const out = resolve(o.out);
  mkdirSync(join(out, 'charts'), { recursive: true });
  const sweeps = tableSweeps(o.size, o.seeds, o.part);
  const timing: Record<string, number> = {};
  let failed = 0;
  if (o.run) {
    for (const s of sweeps) {
      const args = ['bin/connsim.js', 'sweep', SCENARIO, ...s.args, '--workers', o.workers, '--out', join(out, s.name), '--quiet'];
      process.stderr.write(`eclipse-table: connsim ${args.slice(1).join(' ')}\n`);
      const t0 = Date.now();
      const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      timing[s.name] = (Date.now() - t0) / 1000;
      if (r.status !== 0) {
        failed++;
        process.stderr.write(`eclipse-table: sweep ${s.name} exited ${r.status ?? r.signal}\n`);
      }
    }
    writeFileSync(join(out, 'timing.json'), `${JSON.stringify({ wallSeconds: timing }, null, 2)}\n`);
  }
  const runs: TableRun[] = [];
  let errored = 0;
  for (const s of sweeps) {
    const r = readSweepRuns(join(out, s.name), s.part);
    runs.push(...r.runs);
    errored += r.errored;
  }
  const crawl = parseCrawlCsv(readFileSync(o.crawl, 'utf8'));
  const rows = buildTable(runs, TABLE_PROFILES, crawl.length);
  const commands = sweeps.map((s) => `    connsim sweep ${SCENARIO} ${s.args.join(' ')} --out ${s.name}`).join('\n');
  const md = [
    `# The eclipse table (size ${o.size}, seeds ${o.seeds.join(',')})`,
    '',
    `Generated by \`npm run eclipse-table -- --size ${o.size} --seeds ${o.seeds.join(',')}\` from ${runs.length} runs (${errored} runs that threw are left out). The sweeps:`,
    '',
    commands,
    '',
    `P eclipsed: the share of victim samples (one per victim, taken just before each next restart) at which every long-lived outbound peer (full-relay, block-relay-only) was the attacker's, pooled over victims, restarts and seeds, with its 95% Wilson interval (samples of one run share one world and one attacker, so the interval is narrower than over independent worlds). Urn model: virtu/p2p-network-research's Wallenius model (reports/urn-model.ts) on the ${crawl.length.toLocaleString('en-US')} reachable nodes of the 2024-01-25 crawl, with the attacker's /16s as its buckets.`,
    '',
    tableMarkdown(rows, { paper: paperValue }),
    '## Crossings (reachable restarting victims)',
    '',
    crossingMarkdown(rows, crawl.length),
    '',
  ].join('\n');
  writeFileSync(join(out, 'eclipse-table.md'), md);
  writeFileSync(join(out, 'eclipse-table.csv'), tableCsv(rows));
  const chartKeys = new Set(rows.map((r) => `${r.part}|${r.attacker}`));
  for (const key of [...chartKeys].sort()) {
    const [part, attacker] = key.split('|') as [string, 'botnet' | 'infrastructure'];
    const spec = tableChartSpec(rows, part, attacker, TABLE_PROFILES);
    const name = `eclipse-${part}-${attacker}`;
    writeFileSync(join(out, 'charts', `${name}.vl.json`), `${JSON.stringify(spec, null, 2)}\n`);
    const svg = await renderSvg(spec as never);
    writeFileSync(join(out, 'charts', `${name}.svg`), svg.svg);
  }
  process.stdout.write(`eclipse-table: ${rows.length} configurations from ${runs.length} runs; ${join(out, 'eclipse-table.md')}\n`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => fail(e instanceof Error ? e.message : String(e)),
  );
}
