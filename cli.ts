#!/usr/bin/env node
// connsim's command line. This is the only module that touches the file system, `process`,
// standard input/output and wall-clock time; everything it calls is deterministic and pure.
//
// Commands:
//   (none)               the default run, eclipse-botnet under core-v0.10 (what `npm start` runs)
//   demo                 a small gossip network over the simulation kernel (examples/kernel-gossip.ts)
//   peers <peers.dat>    load a real node's peers.dat as Core would; print getaddrmaninfo / getrawaddrman
//   addr <address>       where an address lands in AddrMan's tables (Core's bucket maths)
//   report <run-dir>     re-render a run directory's charts and report.html from its result.json
//   run <scenario|file>  run a scenario; write runs/<scenario>-<seed>/ (reports, summary.json, timing.json)
//   list                 the built-in scenarios
//   describe <scenario>  a scenario's threat model, defaults and parameters
//   profiles             the Core version profiles and what each setting means
//   inspect <scenario>   one node's state at a simulated time, as Core's RPCs print it
//   replay <run-dir>     re-run a recorded run and compare its trace digest
//   sweep <scenario>     run a scenario over profiles × swept values × seeds; write sweeps/<scenario>/
//   merge <dirs..>       join a sharded sweep's directories and build its report
//   bridge               a real regtest bitcoind in a small simulated world, in real time (bridge/)
//
// Every user error prints one line `connsim: <problem>` on stderr and exits with code 2. A run
// whose checks fail, or a replay whose digest differs, exits with code 1. A fault in connsim
// itself prints `connsim: internal error: …` and exits with code 3.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { register } from 'node:module';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { runDemo } from './examples/kernel-gossip.ts';
import { parseDuration } from './sim/time.ts';
import { reportCommand, ReportCommandError } from './cli/report-command.ts';
import { addrPlacement, PlacementError, type PlacementRequest } from './cli/addr-placement.ts';
import { AsmapLookup } from './connman/netgroup/asmap.ts';
import { NetGroupManager } from './connman/netgroup/netgroup.ts';
import { peersReport, PeersReportError } from './cli/peers-report.ts';
import { AsmapError } from './connman/netgroup/asmap.ts';
import { formatDescribe, formatList, formatProfiles } from './cli/catalog.ts';
import { inspectCommand } from './cli/inspect-command.ts';
import { replayCommand } from './cli/replay-command.ts';
import { runCommand, type CliIo } from './cli/run-command.ts';
import { mergeCommand } from './cli/merge-command.ts';
import { bridgeCommand } from './cli/bridge-command.ts';
import { compareCommand } from './cli/compare-command.ts';
import { SWEEP_PLAN_FILE, formatSweepDone, readPlanFile, sweepCommand, writeSweepReport } from './cli/sweep-command.ts';
import { loadScenario } from './cli/scenario-loader.ts';
import { CliError, firstLine } from './cli/user-error.ts';
import { Interrupted, watchSignals } from './cli/interrupt.ts';
import { DEFAULT_PROFILE, ProfileError, SETTINGS, listProfiles } from './scenarios/world/profiles.ts';
import { BUILTIN_SCENARIOS } from './scenarios/builtin/registry.ts';
import { ScenarioError } from './scenarios/dsl/scenario.ts';
import { SeedListError } from './scenarios/world/seed-list.ts';
import { WorldSettingError } from './scenarios/world/world-settings.ts';
import { DurationParseError } from './sim/time.ts';

// A scenario file anywhere may import this checkout as 'connsim' (cli/package-resolve-hook.mjs).
register('./cli/package-resolve-hook.mjs', import.meta.url);

function fail(message: string, code = 2): never {
  process.stderr.write(`connsim: ${message}\n`);
  process.exit(code);
}

/** Errors that are the user's input, not a fault in connsim: one line, exit code 2. */
function isUserError(e: unknown): boolean {
  return (
    e instanceof CliError ||
    e instanceof PeersReportError ||
    e instanceof PlacementError ||
    e instanceof ReportCommandError ||
    e instanceof ScenarioError ||
    e instanceof ProfileError ||
    e instanceof AsmapError ||
    e instanceof SeedListError ||
    e instanceof WorldSettingError ||
    e instanceof DurationParseError
  );
}

/**
 * What `connsim` with no command (and so `npm start`) runs: a Heilman-style eclipse attempt on a
 * few hundred nodes under the pre-countermeasure profile, which finishes in under a minute and
 * writes a full report.
 */
export const DEFAULT_RUN = ['run', 'eclipse-botnet', '--profile', 'core-v0.10'];

/** The most hosts `connsim demo` takes. */
const DEMO_MAX_HOSTS = 100_000;

function defaultRunArgs() {
  return { scenario: DEFAULT_RUN[1]!, profile: DEFAULT_RUN[3]!, seed: '1', quiet: false, json: false };
}

/** Where the run commands write, and their wall clock: the process's own. */
const io: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stderrIsTty: process.stderr.isTTY === true,
  nowMs: () => Number(process.hrtime.bigint()) / 1e6,
  peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
};

/** The options `run` and `inspect` share. */
function runOptions<T>(y: import('yargs').Argv<T>) {
  return y
    .option('seed', { type: 'string', default: '1', describe: 'seed (integer or any word)' })
    .option('nodes', { type: 'number', describe: "honest nodes (default: the scenario's)" })
    .option('duration', { type: 'string', describe: "simulated duration, e.g. 90m, 24h, 7d (default: the scenario's)" })
    .option('profile', { type: 'string', describe: 'Core version profile (see `connsim profiles`; default core-master)' })
    .option('set', { type: 'string', describe: 'override one profile or world setting, key=value (repeatable; see `connsim profiles`)' })
    .option('param', { type: 'string', describe: 'set a scenario parameter, name=value (repeatable; see `connsim describe`)' })
    .option('sample-interval', { type: 'string', describe: "time between chart samples, e.g. 10m (default: the scenario's)" })
    .option('asmap', { type: 'string', describe: 'asmap file (Core binary format, e.g. ip_asn.dat) for the AS model' })
    .option('seed-list', { type: 'string', describe: "seed list in Core's nodes_main.txt format, to place nodes at real addresses" })
    .option('population', { type: 'string', describe: 'crawl of the reachable network (CSV address,network,netgroup,asn): reachable nodes take its addresses (share: --set reachableShare)' })
    .option('ping-path', { type: 'string', describe: 'analytic (default: keep-alive pings computed, not sent, while a link is fixed) or messages (every ping a message)' })
    .option('max-wall', { type: 'string', describe: 'stop after this much wall-clock time (exit 124, nothing written), e.g. 2h' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress (a bar on a terminal, a line every 5% otherwise)' });
}

/** Read and validate an asmap file (Core's binary format); a bad file is a user error. */
function loadAsmap(path: string): AsmapLookup {
  const bytes = readInputFile(path, 'asmap file');
  try {
    return new AsmapLookup(bytes);
  } catch (e) {
    throw new CliError(`asmap file '${path}' is not a valid asmap: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readInputFile(path: string, what: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`${what} '${path}' does not exist`);
  }
  if (!st.isFile()) throw new CliError(`${what} '${path}' is not a file`);
  return new Uint8Array(readFileSync(path));
}

/**
 * `inspect … --rpc METHOD [ARG…]`: the words after --rpc are the RPC's, as on bitcoin-cli's command
 * line (an argument may be `-1` or contain `=`), so they are taken off before yargs parses options.
 */
function splitRpcWords(args: readonly string[]): { args: string[]; rpc: string[] | undefined } {
  const i = args.indexOf('--rpc');
  if (args[0] !== 'inspect' || i < 0) return { args: [...args], rpc: undefined };
  return { args: args.slice(0, i), rpc: args.slice(i + 1) };
}

async function main(): Promise<void> {
  const { args, rpc } = splitRpcWords(hideBin(process.argv));
  await yargs(args)
    .scriptName('connsim')
    .usage('$0 <command> [options]')
    .command(
      '$0',
      `with no command: run the default scenario (${DEFAULT_RUN.join(' ')}) and print where its report is`,
      (y) =>
        y
          .option('seed', { type: 'string', default: '1', describe: 'seed (integer or any word)' })
          .option('out', { type: 'string', describe: 'run directory (default runs/eclipse-botnet-<seed>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print summary.json instead of the table' })
          .option('max-wall', { type: 'string', describe: 'stop after this much wall-clock time (exit 124, nothing written), e.g. 2h' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress (a bar on a terminal, a line every 5% otherwise)' }),
      async (argv) => {
        process.exitCode = await runCommand({ ...defaultRunArgs(), seed: argv.seed, out: argv.out, json: argv.json, quiet: argv.quiet, maxWall: argv.maxWall }, io);
      },
    )
    .command(
      'demo',
      'run a small gossip network over the simulation kernel and print its summary',
      (y) =>
        y
          .option('seed', { type: 'string', default: '1', describe: 'seed (integer or any string)' })
          .option('hosts', { type: 'number', default: 200, describe: 'number of simulated hosts' })
          .option('duration', { type: 'string', default: '1h', describe: 'simulated duration (e.g. 90s, 20m, 6h, 7d)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' }),
      (argv) => {
        const durationMicros = parseDuration(argv.duration);
        if (!Number.isInteger(argv.hosts) || argv.hosts < 2) throw new CliError(`--hosts must be an integer >= 2 (got ${argv.hosts})`);
        // The example keeps a few objects per host and per connection: a million hosts is already tens of GB.
        if (argv.hosts > DEMO_MAX_HOSTS) throw new CliError(`--hosts ${argv.hosts} is more than the demo's ${DEMO_MAX_HOSTS.toLocaleString('en-US')} hosts (it is an example to read, not a benchmark)`);
        const started = process.hrtime.bigint();
        const summary = runDemo({ seed: argv.seed, hosts: argv.hosts, durationMicros });
        const wallS = Number(process.hrtime.bigint() - started) / 1e9;
        if (argv.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        } else {
          for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(22)} ${String(v)}\n`);
          process.stdout.write(`${'wall time'.padEnd(22)} ${wallS.toFixed(2)} s\n`);
          process.stdout.write(`reproduce: connsim demo --seed ${JSON.stringify(argv.seed)} --hosts ${argv.hosts} --duration ${argv.duration}\n`);
        }
      },
    )
    .command(
      'peers <file>',
      "load a node's peers.dat as Bitcoin Core does and print getaddrmaninfo (or getrawaddrman with --raw)",
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'path to a peers.dat written by Core or connsim' })
          .option('asmap', { type: 'string', describe: 'asmap file (Core binary format) to load with, e.g. ip_asn.dat' })
          .option('raw', { type: 'boolean', default: false, describe: "print getrawaddrman's JSON (every entry by bucket/position)" })
          .option('chain', {
            choices: ['main', 'test', 'testnet4', 'signet', 'regtest'] as const,
            describe: "the chain whose network magic the file must carry (default: detected from the file)",
          }),
      (argv) => {
        const file = readInputFile(argv.file, 'peers file');
        const asmap = argv.asmap === undefined ? undefined : loadAsmap(argv.asmap);
        const out = peersReport(file, { asmap, raw: argv.raw, chain: argv.chain });
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      },
    )
    .command(
      'addr [address]',
      "where an address lands in AddrMan: network, netgroup, mapped AS, new and tried bucket/position",
      (y) =>
        y
          .positional('address', { type: 'string', describe: 'address with optional port (default port 8333), e.g. 1.2.3.4:8333, [2001:db8::1]:8333, x.onion' })
          .option('source', { type: 'string', describe: 'the address that told us about it (default: the address itself)' })
          .option('key', { type: 'string', describe: "AddrMan key, 64 hex digits in peers.dat byte order (default: Core's deterministic key uint256{1})" })
          .option('asmap', { type: 'string', describe: 'asmap file (Core binary format)' })
          .option('batch', {
            type: 'boolean',
            default: false,
            describe: 'read JSON lines {"addr","source","key","asmap"} from stdin, write one JSON line each; --asmap and --key apply to lines that do not give their own',
          }),
      (argv) => {
        // One netgroup manager per asmap file: compiling a large asmap (ip_asn.dat) takes about a second.
        const managers = new Map<string, NetGroupManager>();
        const noAsmap = NetGroupManager.noAsmap();
        const manager = (path: string | undefined): NetGroupManager => {
          if (path === undefined) return noAsmap;
          let m = managers.get(path);
          if (m === undefined) {
            m = NetGroupManager.withAsmap(loadAsmap(path));
            managers.set(path, m);
          }
          return m;
        };
        if (argv.batch) {
          if (argv.address !== undefined) throw new CliError('--batch reads addresses from stdin: give no address argument');
          if (argv.source !== undefined) throw new CliError('--source with --batch: give "source" on each line (it differs per address)');
          // Load the --asmap file before reading stdin: a bad file is one error, not one per line.
          if (argv.asmap !== undefined) manager(argv.asmap);
          runBatch(manager, { asmap: argv.asmap, key: argv.key });
          return;
        }
        if (argv.address === undefined) throw new CliError('an address is required (or --batch)');
        const req: PlacementRequest = { addr: argv.address, source: argv.source, key: argv.key };
        const out = addrPlacement(req, manager(argv.asmap));
        process.stdout.write(`${JSON.stringify(out)}\n`);
      },
    )
    .command(
      'report <dir>',
      "re-render a run directory's charts, CSV data and report.html from its result.json, or a sweep directory's from its run files",
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a run directory (holding result.json) or a sweep directory (holding sweep.json)' }),
      async (argv) => {
        const dir = argv.dir;
        if (existsSync(join(dir, SWEEP_PLAN_FILE))) {
          // A sweep: the aggregate, charts, CSV and report.html from runs/ (the same as the sweep wrote).
          const { plan } = readPlanFile(dir);
          const report = await writeSweepReport(resolve(dir), plan);
          process.stdout.write(formatSweepDone(resolve(dir), report.aggregate, report.codeVersions));
          return;
        }
        const summary = await reportCommand(dir);
        process.stdout.write(`wrote ${summary.charts.length} charts to ${summary.runDir}\n`);
        process.stdout.write(`open ${summary.runDir}/report.html\n`);
      },
    )
    .command(
      'compare <a> <b>',
      'two run directories (or two sweep directories) side by side: metrics and checks in a table, their series overlaid in one page',
      (y) =>
        y
          .positional('a', { type: 'string', demandOption: true, describe: 'a run directory (or a sweep directory)' })
          .positional('b', { type: 'string', demandOption: true, describe: 'another run directory (or sweep directory)' })
          .option('out', { type: 'string', describe: 'comparison directory (default compare/<a>-vs-<b>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print compare.json instead of the table' }),
      async (argv) => {
        process.exitCode = await compareCommand({ a: argv.a, b: argv.b, out: argv.out, json: argv.json }, io);
      },
    )
    .command(
      'run <scenario>',
      'run a scenario (built-in name or path to a .ts file) and write its run directory',
      (y) =>
        runOptions(y.positional('scenario', { type: 'string', demandOption: true, describe: 'built-in scenario name (see `connsim list`) or path to a scenario file' }))
          .option('out', { type: 'string', describe: 'run directory (default runs/<scenario>-<seed>)' })
          .option('trace', { type: 'string', describe: 'write every traced event as JSON lines to this file' })
          .option('debug-log', { type: 'string', describe: "write honest node NODE's debug log (-debug=net, Core's format, the simulated clock) to debug-NODE.log in the run directory" })
          .option('json', { type: 'boolean', default: false, describe: "print summary.json instead of the table" })
          .option('realtime', { type: 'boolean', default: false, describe: 'pace simulated time to the wall clock, never ahead (says when it falls behind); the run is the same event for event' }),
      async (argv) => {
        process.exitCode = await runCommand({ ...argv, scenario: argv.scenario }, io);
      },
    )
    .command(
      'list',
      'list the built-in scenarios',
      (y) => y,
      () => {
        process.stdout.write(formatList(BUILTIN_SCENARIOS));
      },
    )
    .command(
      'describe <scenario>',
      "a scenario's summary, threat model, defaults and parameters",
      (y) => y.positional('scenario', { type: 'string', demandOption: true, describe: 'built-in scenario name or path to a scenario file' }),
      async (argv) => {
        const { definition, file } = await loadScenario(argv.scenario);
        process.stdout.write(formatDescribe(definition, file));
      },
    )
    .command(
      'profiles',
      'the Core version profiles, their settings, and what each setting means',
      (y) => y,
      () => {
        process.stdout.write(formatProfiles(listProfiles(), SETTINGS, DEFAULT_PROFILE));
      },
    )
    .command(
      'inspect <scenario>',
      "run a scenario up to --at and print one node's peers, addrman and netinfo as Core's RPCs would (--every: a series as JSON lines)",
      (y) =>
        runOptions(y.positional('scenario', { type: 'string', demandOption: true, describe: 'built-in scenario name or path to a scenario file' }))
          .option('at', { type: 'string', describe: 'simulated time to stop at, e.g. 6h (with --every: the last sample; default the run\'s end)' })
          .option('every', { type: 'string', describe: 'print a series: one JSON line per node at every multiple of this interval, e.g. 10m' })
          .option('node', { type: 'string', demandOption: true, describe: 'node id, or a role name such as victim or attacker-0; with --every, several (repeat it, or 0,victim)' })
          .option('addrman', { type: 'boolean', default: false, describe: "add getrawaddrman's dump (every entry by bucket/position)" })
          .option('rpc', {
            type: 'string',
            describe: "METHOD [ARG...], last on the line: call one of the node's network RPCs at --at and print what bitcoin-cli would (result, or `error code:` and exit abs(code))",
          }),
      async (argv) => {
        process.exitCode = await inspectCommand({ ...argv, scenario: argv.scenario, rpc }, io);
      },
    )
    .command(
      'replay <run-dir>',
      "re-run a recorded run from its summary.json and compare trace digests",
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true, describe: 'a run directory written by connsim run' })
          .option('out', { type: 'string', describe: 'also write the replay as a run directory here' })
          .option('max-wall', { type: 'string', describe: 'stop after this much wall-clock time (exit 124), e.g. 2h' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress (a bar on a terminal, a line every 5% otherwise)' }),
      async (argv) => {
        process.exitCode = await replayCommand({ runDir: argv['run-dir'], out: argv.out, quiet: argv.quiet, maxWall: argv.maxWall }, io);
      },
    )
    .command(
      'bridge',
      'put a locally built regtest bitcoind into a small simulated world, paced in real time; report it next to a simulated node',
      (y) =>
        y
          .option('bitcoind', { type: 'string', describe: 'bitcoind binary (default: the cache of tools/build-bitcoind.sh)' })
          .option('seed', { type: 'string', default: 'bridge', describe: "the world's seed" })
          .option('nodes', { type: 'number', default: 60, describe: 'honest simulated nodes' })
          .option('warmup', { type: 'string', default: '10m', describe: 'simulated time run in fast-forward before the node joins' })
          .option('duration', { type: 'string', default: '60s', describe: 'wall-clock time the node spends in the world' })
          .option('seed-addresses', { type: 'number', default: 16, describe: "simulated addresses put into the node's AddrMan at its start (addpeeraddress)" })
          .option('honest-inbound', { type: 'number', default: 4, describe: 'honest simulated nodes that connect in (addnode)' })
          .option('inbound-sybils', { type: 'number', default: 0, describe: "an inbound flood: this many Sybils (inbound-flood's attacker) connect in" })
          .option('flood-at', { type: 'string', default: '15s', describe: 'wall time after the node starts at which the flood begins' })
          .option('max-connections', { type: 'number', describe: 'bitcoind -maxconnections (inbound slots = this - 11)' })
          .option('inbound-source', { type: 'string', default: 'loopback', describe: "loopback, or simulated: inbound peers bind their simulated IPv4 (needs a namespace where every address is local; README)" })
          .option('bitcoind-arg', { type: 'array', describe: 'extra bitcoind argument (repeatable); refused if it could reach beyond loopback' })
          .option('poll', { type: 'string', default: '5s', describe: "interval of the node's RPC reads" })
          .option('out', { type: 'string', describe: 'output directory (default runs/bridge-<seed>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print bridge.json instead of the report' })
          .option('quiet', { type: 'boolean', default: false, describe: "no progress lines on stderr" }),
      async (argv) => {
        process.exitCode = await bridgeCommand({ ...argv, bitcoindArg: argv.bitcoindArg as (string | number)[] | undefined });
      },
    )
    .command(
      'sweep <scenario>',
      'run a scenario over (profiles × --vary values) × seeds on worker threads; write runs/, sweep-summary.json and a sweep report',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'built-in scenario name or path to a scenario file' })
          .option('seeds', { type: 'string', demandOption: true, describe: 'seeds: a..b (inclusive), a list 1,2,5, or both (1..3,9)' })
          .option('vary', { type: 'string', describe: 'swept axis key=v1,v2,… (repeatable); key: a scenario parameter, set.<profile setting> or nodes' })
          .option('profile', { type: 'string', describe: "profiles to compare, comma-separated (default: the scenario's)" })
          .option('nodes', { type: 'number', describe: "honest nodes of every run (default: the scenario's)" })
          .option('duration', { type: 'string', describe: "simulated duration of every run, e.g. 6h (default: the scenario's)" })
          .option('sample-interval', { type: 'string', describe: "time between chart samples (default: the scenario's)" })
          .option('param', { type: 'string', describe: 'fix a scenario parameter for every run, name=value (repeatable)' })
          .option('set', { type: 'string', describe: 'override a profile setting for every run, key=value (repeatable)' })
          .option('asmap', { type: 'string', describe: 'asmap file (Core binary format) for every run' })
          .option('seed-list', { type: 'string', describe: "seed list (Core's nodes_main.txt format) for every run" })
          .option('population', { type: 'string', describe: 'crawl of the reachable network (CSV address,network,netgroup,asn) for every run' })
          .option('workers', { type: 'number', describe: 'worker threads (default: os.availableParallelism())' })
          .option('shard', { type: 'string', describe: 'run only shard i of n (runs whose index % n == i-1); merge shards with `connsim merge`' })
          .option('out', { type: 'string', describe: 'sweep directory (default sweeps/<scenario>)' })
          .option('max-wall', { type: 'string', describe: 'stop the whole sweep after this much wall-clock time (exit 124; finished runs are kept and the same command resumes)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress (a line on a terminal, a line every 5% of the runs otherwise)' }),
      async (argv) => {
        process.exitCode = await sweepCommand({ ...argv, scenario: argv.scenario }, io);
      },
    )
    .command(
      'merge <dirs..>',
      "join the directories of a sharded sweep (same sweep.json) and build the sweep's summary and report",
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'sweep directories written by `connsim sweep --shard i/n`' })
          .option('out', { type: 'string', describe: 'merged sweep directory (default: the input, when there is only one)' }),
      async (argv) => {
        process.exitCode = await mergeCommand({ dirs: argv.dirs.map(String), out: argv.out }, io);
      },
    )
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .fail((msg, err) => {
      if (err) handleError(err);
      fail(msg);
    })
    .help()
    .parseAsync();
}

/** `addr --batch`: one JSON object per input line, in order; a bad line yields {"error": …}. */
function runBatch(manager: (asmapPath: string | undefined) => NetGroupManager, defaults: { asmap: string | undefined; key: string | undefined }): void {
  const input = readFileSync(0, 'utf8');
  const lines = input.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      out.push(JSON.stringify({ error: 'empty line' }));
      continue;
    }
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new CliError('not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError('a line must be a JSON object');
      const o = parsed as Record<string, unknown>;
      const str = (k: string): string | undefined => {
        const v = o[k];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== 'string') throw new CliError(`"${k}" must be a string or null`);
        return v;
      };
      const addr = str('addr');
      if (addr === undefined) throw new CliError('"addr" is required');
      const asmapPath = str('asmap') ?? defaults.asmap;
      const res = addrPlacement({ addr, source: str('source'), key: str('key') ?? defaults.key }, manager(asmapPath));
      out.push(JSON.stringify(res));
    } catch (e) {
      out.push(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
    if (out.length >= 1024) {
      process.stdout.write(`${out.join('\n')}\n`);
      out.length = 0;
    }
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * A user error is one line and exit 2; a command stopped by a signal or --max-wall says so and
 * exits 128 + the signal's number or 124; anything else is connsim's fault: exit 3, stack with
 * CONNSIM_DEBUG=1.
 */
function handleError(e: unknown): never {
  if (e instanceof Interrupted) fail(`${e.message}; nothing half-written was left`, e.exitCode);
  if (isUserError(e)) fail(firstLine(e));
  if (process.env.CONNSIM_DEBUG === '1' && e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
  fail(`internal error: ${firstLine(e)} (set CONNSIM_DEBUG=1 for the stack)`, 3);
}

// A signal stops a run or a sweep between two slices of simulation (cli/interrupt.ts); before a
// long command starts, or after it, the default behaviour is what a user expects.
watchSignals();
main().catch(handleError);
