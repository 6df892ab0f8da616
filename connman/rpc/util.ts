// The RPC plumbing Core's RPCMethod gives every method (rpc/util.cpp, rpc/server.cpp): named
// arguments mapped to positions, the argument-count check that answers with the help text, the
// per-argument JSON type check ("Wrong type passed"), and UniValue's integer conversion
// ("JSON integer out of range"). A method is a record of its arguments and a function over
// positional arguments; callMethod runs one. It holds no method (net.ts does).

import { RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RPC_TYPE_ERROR, RPCError, uvTypeName } from './protocol.ts';

/** Core: rpc/util.h RPCArg::Type (the subset the net RPCs use). */
export type RpcArgType = 'str' | 'num' | 'bool' | 'str_hex';

export interface RpcArg {
  readonly name: string;
  readonly type: RpcArgType;
  /** Optional arguments have a default (RPCArg::Default / DefaultHint); required ones do not. */
  readonly optional: boolean;
}

/** One RPC: Core's RPCMethod reduced to what the port needs. */
export interface RpcMethod<C> {
  readonly name: string;
  /** "network" for those `help` lists, "hidden" for test-only RPCs (addconnection, addpeeraddress, ...). */
  readonly category: 'network' | 'hidden';
  readonly description: string;
  readonly args: readonly RpcArg[];
  /** `params` has one entry per declared argument (undefined where not given). */
  run(ctx: C, params: readonly unknown[], method: RpcMethod<C>): unknown;
}

/** The first line of the help text: `name "str" num ( optional )`. */
// Core: rpc/util.cpp RPCMethod::ToString (its first line)
export function usageLine<C>(m: RpcMethod<C>): string {
  let s = m.name;
  let inOptional = false;
  for (const a of m.args) {
    const shown = a.type === 'str' || a.type === 'str_hex' ? `"${a.name}"` : a.name;
    if (a.optional && !inOptional) {
      s += ' (';
      inOptional = true;
    }
    s += ` ${shown}`;
  }
  if (inOptional) s += ' )';
  return s;
}

/** The help text Core throws for a bad command or argument count: usage line, blank line, description. */
// Core: rpc/util.cpp RPCMethod::ToString
export function helpText<C>(m: RpcMethod<C>): string {
  return `${usageLine(m)}\n\n${m.description}`;
}

/** `params` as positions: an array as given, or an object of named arguments mapped by name. */
// Core: rpc/server.cpp transformNamedArguments
function positional<C>(m: RpcMethod<C>, params: readonly unknown[] | Readonly<Record<string, unknown>>): unknown[] {
  if (Array.isArray(params)) return params.slice();
  const named = params as Readonly<Record<string, unknown>>;
  const out: unknown[] = [];
  const used = new Set<string>();
  m.args.forEach((a, i) => {
    if (Object.prototype.hasOwnProperty.call(named, a.name)) {
      out[i] = named[a.name];
      used.add(a.name);
    }
  });
  for (const k of Object.keys(named)) {
    if (!used.has(k)) throw new RPCError(RPC_INVALID_PARAMETER, `Unknown named parameter ${k}`);
  }
  // Trailing unset positions are dropped, as Core trims trailing nulls.
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
}

/** Runs a method with Core's checks around it: argument count, then every argument's JSON type. */
// Core: rpc/util.cpp RPCMethod::HandleRequest
export function callMethod<C>(m: RpcMethod<C>, ctx: C, params: readonly unknown[] | Readonly<Record<string, unknown>> = []): unknown {
  const p = positional(m, params);
  const required = m.args.filter((a) => !a.optional).length;
  if (p.length > m.args.length || p.length < required) {
    throw new RPCError(RPC_MISC_ERROR, helpText(m));
  }
  const mismatch: Record<string, string> = {};
  m.args.forEach((a, i) => {
    const v = p[i];
    if (a.optional && (v === undefined || v === null)) return;
    const expected = a.type === 'num' ? 'number' : a.type === 'bool' ? 'bool' : 'string';
    if (uvTypeName(v) !== expected) mismatch[`Position ${i + 1} (${a.name})`] = `JSON value of type ${uvTypeName(v)} is not of expected type ${expected}`;
  });
  if (Object.keys(mismatch).length > 0) throw new RPCError(RPC_TYPE_ERROR, `Wrong type passed:\n${JSON.stringify(mismatch, null, 4)}`);
  const full: unknown[] = m.args.map((_, i) => (p[i] === null ? undefined : p[i]));
  return m.run(ctx, full, m);
}

/** UniValue::getInt<T>: an integral JSON number within T's range, else "JSON integer out of range" (-1). */
// Core: univalue/include/univalue.h UniValue::getInt
export function getInt(v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RPCError(RPC_MISC_ERROR, 'JSON integer out of range');
  return v;
}

/** Core's TrimStringView (ASCII whitespace " \f\n\r\t\v" at both ends). */
// Core: util/string.h TrimStringView
export function trimString(s: string): string {
  return s.replace(/^[ \f\n\r\t\v]+|[ \f\n\r\t\v]+$/g, '');
}
