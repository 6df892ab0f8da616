// `connsim inspect <scenario> --at 6h --node ID`: runs the scenario up to the given simulated time
// and prints one node's state as JSON in Core's RPC vocabulary (scenarios/observe/inspect.ts builds it):
// `peers` (getpeerinfo), `addrman` (getaddrmaninfo), `netinfo` and, with --addrman, `rawaddrman`
// (getrawaddrman). An attacker role prints the attacker's own state instead. It writes no run
// directory; a bad option, unknown node or stopped node is a CliError (exit 2).

import { inspectConnman } from '../scenarios/observe/inspect.ts';
import { formatDuration } from '../sim/index.ts';
import { executeRun, maxWallOf, prepareRequest, type CliIo, type RunArgs } from './run-command.ts';
import { checkDuration, single } from './run-inputs.ts';
import { CliError } from './user-error.ts';

export interface InspectArgs extends RunArgs {
  at?: unknown;
  node?: unknown;
  addrman?: boolean;
}

/** Attacker state may hold bigints, Maps and Sets; print them as JSON can. */
function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  return v;
}

/** `connsim inspect`: prints the JSON and returns the exit code (0). */
export async function inspectCommand(args: InspectArgs, io: CliIo): Promise<number> {
  const at = checkDuration(args.at, 'at', true);
  if (at === undefined) throw new CliError('--at is required (e.g. --at 6h)');
  const nodeArg = single(args.node as string | undefined, 'node');
  if (nodeArg === undefined) throw new CliError('--node is required (a node id or a role name such as victim or attacker-0)');
  const nodeName = String(nodeArg);
  const { request, definition } = await prepareRequest(args);
  const duration = request.duration ?? definition.defaults.duration;
  const durationMicros = typeof duration === 'number' ? duration : (checkDuration(duration, 'duration') ?? 0);
  if (at > durationMicros) throw new CliError(`--at ${formatDuration(at)} is past the run's duration ${formatDuration(durationMicros)} (raise --duration)`);
  const { outcome } = await executeRun({ ...request, stopAtMicros: at }, io, { quiet: args.quiet === true, ...maxWallOf(args) });
  const target = outcome.resolveNode(nodeName);
  if (target === undefined) {
    const roles = outcome.roleNames();
    throw new CliError(
      `unknown node "${nodeName}": give a node id 0..${outcome.world.nodes.length - 1}${roles.length > 0 ? ` or a role (${roles.join(', ')})` : ''}`,
    );
  }
  const header = { scenario: outcome.summary.scenario, seed: outcome.summary.seed, profile: outcome.summary.profile, at: formatDuration(at), atMicros: at };
  if (target.kind === 'attacker') {
    const state = outcome.attackerState(target.name);
    if (state === undefined) throw new CliError(`attacker "${target.name}" has no state to show at ${formatDuration(at)}`);
    io.stdout(`${JSON.stringify({ node: { ...header, role: target.name, kind: 'attacker' }, attacker: state }, jsonReplacer, 2)}\n`);
    return 0;
  }
  const wn = outcome.world.nodes[target.index];
  if (wn === undefined) throw new CliError(`node ${target.index} does not exist (the run has ${outcome.world.nodes.length} honest nodes)`);
  const cm = wn.connman;
  if (cm === undefined) throw new CliError(`node ${target.index} is not running at ${formatDuration(at)} (stopped, crashed or not yet started)`);
  const role = nodeName === String(target.index) ? null : nodeName;
  const view = inspectConnman(cm, { rawAddrman: args.addrman === true });
  const out = {
    node: { ...header, id: target.index, role, kind: 'honest', address: wn.service.toStringAddrPort(), listening: wn.listening, starts: wn.starts },
    ...view,
  };
  io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
