// The assertion helpers of Core's test_framework/util.py that the p2p tests use, throwing plain
// Errors so they read the same in vitest and in a script: assertEqual, assertRaisesRpcError (code
// exact, message a substring), assertApprox.

import { RPCError } from '../../connman/index.ts';

/** A value's JSON with bigints as strings and object keys sorted (Python's dict equality ignores key order). */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return x.toString();
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return x;
  });
}

/** Core: test_framework/util.py assert_equal (==: lists in order, dicts by their entries). */
export function assertEqual<T>(actual: T, expected: T, what = ''): void {
  const a = canonicalJson(actual);
  const e = canonicalJson(expected);
  if (a !== e) throw new Error(`not(${a} == ${e})${what !== '' ? ` (${what})` : ''}`);
}

/**
 * Core: test_framework/util.py assert_raises_rpc_error — `fn` must throw an RPC error whose code
 * equals `code` (null: any) and whose message contains `message` (null: any).
 */
export function assertRaisesRpcError(code: number | null, message: string | null, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RPCError)) throw new Error(`Unexpected exception raised: ${(e as Error).name}: ${(e as Error).message}`);
    if (code !== null && e.code !== code) throw new Error(`Unexpected JSONRPC error code ${e.code} (expected ${code}): ${e.message}`);
    if (message !== null && !e.message.includes(message)) throw new Error(`Expected substring not found in error message:\nsubstring: '${message}'\nerror message: '${e.message}'.`);
    return;
  }
  throw new Error('No exception raised');
}

/** Core: test_framework/util.py assert_approx */
export function assertApprox(v: number, vexp: number, vspan: number): void {
  if (v < vexp - vspan) throw new Error(`${v} < [${vexp - vspan}..${vexp + vspan}]`);
  if (v > vexp + vspan) throw new Error(`${v} > [${vexp - vspan}..${vexp + vspan}]`);
}

/**
 * The mock_forward idiom of Core's tests (p2p_ping.py, p2p_timeouts.py): the node's mock time
 * starts at `start` (default: the wall clock's int(time.time())) and each call moves it `delta`
 * seconds on. The first call is usually mockForward(0).
 */
export function mockForwarder(node: { setmocktime(t: number): void; framework: { time(): number } }, start?: number): (delta: number) => void {
  let t = start ?? node.framework.time();
  return (delta: number) => {
    t += delta;
    node.setmocktime(t);
  };
}

/** Core: test_framework/util.py check_node_connections (getnetworkinfo's connections_in / connections_out). */
export function checkNodeConnections(node: { rpc: { getnetworkinfo(): { connections_in: number; connections_out: number } } }, numIn: number, numOut: number): void {
  const info = node.rpc.getnetworkinfo();
  assertEqual(info.connections_in, numIn, 'connections_in');
  assertEqual(info.connections_out, numOut, 'connections_out');
}
