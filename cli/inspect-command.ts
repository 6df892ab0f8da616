// `connsim inspect <scenario> --at 6h --node ID`: runs the scenario up to the given simulated time
// and prints one node's state as JSON in Core's RPC vocabulary (scenarios/observe/inspect.ts builds it):
// `peers` (getpeerinfo), `addrman` (getaddrmaninfo), `netinfo` and, with --addrman, `rawaddrman`
// (getrawaddrman). An attacker role prints the attacker's own state instead. It writes no run
// directory; a bad option, unknown node or stopped node is a CliError (exit 2).
//
// With `--every 10m` it prints a series instead: one JSON line per node (one or more --node) at
// every multiple of the interval up to --at (default: the run's end), from one run. The run pauses
// at those times without scheduling anything, so it is the same run event for event, and the line
// for a node at 6h equals what `inspect --at 6h` prints for it (on one line). A node that is not
// running at a sample time gets {"running": false}.
//
// With `--rpc METHOD [ARG…]` (last on the command line) it calls one of the node's network RPCs at
// --at instead and prints what bitcoin-cli would (connman/rpc/cli.ts): the result as UniValue
// pretty-prints it (nothing for null) and exit 0, or an RPC error as `error code: N` /
// `error message:` / the message on stderr with bitcoin-cli's exit status abs(N) (the OS keeps its
// low 8 bits), or `error: Error parsing JSON: …` and exit 1 for an argument bitcoin-cli reads as
// JSON that is not.

import { callRpc } from '../connman/rpc/net.ts';
import { CliParseError, cliErrorExitStatus, convertCliArgs, formatCliError, formatCliResult } from '../connman/rpc/cli.ts';
import { RPCError } from '../connman/rpc/protocol.ts';
import type { RunView } from '../scenarios/dsl/runner.ts';
import { inspectNode } from '../scenarios/observe/inspect.ts';
import { formatDuration, type Micros } from '../sim/index.ts';
import { executeRun, maxWallOf, prepareRequest, type CliIo, type RunArgs } from './run-command.ts';
import { checkDuration } from './run-inputs.ts';
import { CliError } from './user-error.ts';

export interface InspectArgs extends RunArgs {
  at?: unknown;
  every?: unknown;
  node?: unknown;
  addrman?: boolean;
  /** --rpc: the method and its arguments as bitcoin-cli takes them (the words after --rpc). */
  rpc?: readonly string[];
}

/** Most samples one inspect --every prints per node (a typo such as --every 1s over a day is refused). */
export const MAX_INSPECT_SAMPLES = 10_000;

/** Attacker state may hold bigints, Maps and Sets; print them as JSON can. */
function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  return v;
}

/** The node names given with --node (repeated, or comma-separated). */
function nodeNames(arg: unknown): string[] {
  const raw = arg === undefined ? [] : Array.isArray(arg) ? arg.map(String) : [String(arg)];
  const names = raw.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (names.length === 0) throw new CliError('--node is required (a node id or a role name such as victim or attacker-0)');
  if (names.some((n) => n === '')) throw new CliError('--node has an empty name');
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new CliError(`--node ${dup} is given more than once`);
  return names;
}

type Target = { kind: 'attacker'; name: string } | { kind: 'honest'; index: number; name: string };

/** A node name resolved in the run, or a CliError listing what exists. */
function resolveTarget(view: RunView, name: string): Target {
  const t = view.resolveNode(name);
  if (t === undefined) {
    const roles = view.roleNames();
    throw new CliError(`unknown node "${name}": give a node id 0..${view.world.nodes.length - 1}${roles.length > 0 ? ` or a role (${roles.join(', ')})` : ''}`);
  }
  if (t.kind === 'attacker') return { kind: 'attacker', name: t.name };
  if (view.world.nodes[t.index] === undefined) throw new CliError(`node ${t.index} does not exist (the run has ${view.world.nodes.length} honest nodes)`);
  return { kind: 'honest', index: t.index, name };
}

interface Header {
  scenario: string;
  seed: string;
  profile: string;
  at: string;
  atMicros: Micros;
}

/** One node's state as inspect prints it; null for an honest node that is not running (the caller decides). */
function nodeState(view: RunView, target: Target, header: Header, rawAddrman: boolean): Record<string, unknown> | null {
  if (target.kind === 'attacker') {
    const state = view.attackerState(target.name);
    if (state === undefined) return null;
    return { node: { ...header, role: target.name, kind: 'attacker' }, attacker: state };
  }
  const wn = view.world.nodes[target.index]!;
  const role = target.name === String(target.index) ? null : target.name;
  const node = { ...header, id: target.index, role, kind: 'honest', address: wn.service.toStringAddrPort(), listening: wn.listening, starts: wn.starts };
  if (wn.connman === undefined) return null;
  return { node, ...inspectNode(wn.context!, { rawAddrman }) };
}

/** `connsim inspect`: prints the JSON (or JSON lines with --every) and returns the exit code (0). */
export async function inspectCommand(args: InspectArgs, io: CliIo): Promise<number> {
  const every = checkDuration(args.every, 'every', true);
  const atArg = checkDuration(args.at, 'at', true);
  if (atArg === undefined && every === undefined) throw new CliError('--at is required (e.g. --at 6h), or --every for a series');
  const names = nodeNames(args.node);
  if (every === undefined && names.length > 1) throw new CliError('several --node need --every (a series of JSON lines); without it inspect prints one node');
  const { request, definition } = await prepareRequest(args);
  const duration = request.duration ?? definition.defaults.duration;
  const durationMicros = typeof duration === 'number' ? duration : (checkDuration(duration, 'duration') ?? 0);
  const at = atArg ?? durationMicros;
  if (at > durationMicros) throw new CliError(`--at ${formatDuration(at)} is past the run's duration ${formatDuration(durationMicros)} (raise --duration)`);
  const header = (t: Micros): Header => ({ scenario: definition.name, seed: request.seed, profile: request.profile ?? definition.defaults.profile ?? 'core-master', at: formatDuration(t), atMicros: t });
  const rawAddrman = args.addrman === true;
  const rpc = args.rpc;
  if (rpc !== undefined) {
    if (rpc.length === 0 || rpc[0] === '') throw new CliError('--rpc needs a method, e.g. --rpc getnetworkinfo (it comes last: the words after it are the method and its arguments)');
    if (every !== undefined) throw new CliError('--rpc calls one node at one time: give --at, not --every');
    if (rawAddrman) throw new CliError('--addrman adds to the state inspect prints; with --rpc only the RPC result is printed (use --rpc getrawaddrman)');
  }

  if (every !== undefined) {
    if (every > at) throw new CliError(`--every ${formatDuration(every)} is longer than the time inspected (${formatDuration(at)})`);
    const times: Micros[] = [];
    for (let t = every; t <= at; t += every) times.push(t);
    if (times.length > MAX_INSPECT_SAMPLES) throw new CliError(`--every ${formatDuration(every)} up to ${formatDuration(at)} is ${times.length.toLocaleString('en-US')} samples per node (at most ${MAX_INSPECT_SAMPLES.toLocaleString('en-US')}); give a longer --every`);
    let targets: Target[] | undefined;
    const pending: string[] = [];
    await executeRun(
      {
        ...request,
        stopAtMicros: at,
        pauseAtMicros: times,
        onPause: (t, view) => {
          targets ??= names.map((n) => resolveTarget(view, n));
          for (const target of targets) {
            const h = header(t);
            const state = nodeState(view, target, h, rawAddrman);
            const line =
              state ??
              (target.kind === 'attacker' ? { node: { ...h, role: target.name, kind: 'attacker' }, attacker: null } : { node: { ...h, id: target.index, role: target.name === String(target.index) ? null : target.name, kind: 'honest' }, running: false });
            pending.push(JSON.stringify(line, jsonReplacer));
          }
        },
      },
      io,
      {
        quiet: args.quiet === true,
        ...maxWallOf(args),
        afterSlice: () => {
          if (pending.length === 0) return;
          io.stdout(`${pending.join('\n')}\n`);
          pending.length = 0;
        },
      },
    );
    return 0;
  }

  const { outcome } = await executeRun({ ...request, stopAtMicros: at }, io, { quiet: args.quiet === true, ...maxWallOf(args) });
  const target = resolveTarget(outcome, names[0]!);
  if (rpc !== undefined) return callNodeRpc(outcome, target, at, rpc, io);
  const state = nodeState(outcome, target, { ...header(at), scenario: outcome.summary.scenario, profile: outcome.summary.profile }, rawAddrman);
  if (state === null) {
    if (target.kind === 'attacker') throw new CliError(`attacker "${target.name}" has no state to show at ${formatDuration(at)}`);
    throw new CliError(`node ${target.index} is not running at ${formatDuration(at)} (stopped, crashed or not yet started)`);
  }
  io.stdout(`${JSON.stringify(state, jsonReplacer, 2)}\n`);
  return 0;
}

/** `inspect --rpc`: one RPC on an honest node at the stop time, printed as bitcoin-cli prints it; returns the exit status. */
// Core: bitcoin-cli.cpp CommandLineRPC (ParseResult / ParseError; a client-side error is "error: …", EXIT_FAILURE)
function callNodeRpc(view: RunView, target: Target, at: Micros, words: readonly string[], io: CliIo): number {
  if (target.kind === 'attacker') throw new CliError(`--rpc needs an honest node: ${target.name} is an attacker, which runs no Core RPCs`);
  const context = view.world.nodes[target.index]!.context;
  if (context === undefined) throw new CliError(`node ${target.index} is not running at ${formatDuration(at)} (stopped, crashed or not yet started)`);
  const [method, ...rest] = words as [string, ...string[]];
  let result: unknown;
  try {
    result = callRpc(context, method, convertCliArgs(method, rest));
  } catch (e) {
    if (e instanceof CliParseError) {
      io.stderr(`error: ${e.message}\n`);
      return 1;
    }
    if (!(e instanceof RPCError)) throw e;
    io.stderr(`${formatCliError(e.code, e.message)}\n`);
    return cliErrorExitStatus(e.code);
  }
  const text = formatCliResult(result);
  if (text !== null) io.stdout(`${text}\n`);
  return 0;
}
