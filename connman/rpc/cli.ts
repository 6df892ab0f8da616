// What bitcoin-cli does around one RPC call (bitcoin-cli.cpp, rpc/client.cpp, univalue's writer),
// for `connsim inspect … --rpc METHOD [ARG…]`: the command-line words turned into parameters (only
// the parameters rpc/client.cpp's table lists are read as JSON; every other word is a string), the
// result printed as UniValue::write(2) prints it, and an RPC error printed and turned into an exit
// status as bitcoin-cli's ParseError does. Pure: it runs no RPC and writes nothing.

/** Core: rpc/client.cpp vRPCConvertParams, the rows of the network RPCs: (method, position) read as JSON. */
const JSON_PARAMS: Readonly<Record<string, readonly number[]>> = {
  setban: [2, 3],
  setnetworkactive: [0],
  disconnectnode: [1],
  getnodeaddresses: [0],
  addpeeraddress: [1, 2],
  sendmsgtopeer: [0],
  addnode: [2],
  addconnection: [2],
};

/**
 * The result fields Core builds with ValueFromAmount (a fixed-point string with eight decimals,
 * "0.00000100"): rpc/net.cpp getnetworkinfo's relayfee and incrementalfee, getpeerinfo's minfeefilter.
 */
const AMOUNT_KEYS: ReadonlySet<string> = new Set(['relayfee', 'incrementalfee', 'minfeefilter']);

/** bitcoin-cli refused its own command line (before any call): printed as `error: <message>`, exit 1. */
export class CliParseError extends Error {}

/** Reads a command-line word as JSON the way UniValue::read does (any JSON value, whole word). */
function readJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new CliParseError(`Error parsing JSON: ${raw}`);
  }
}

/** The parameters of `method` from its command-line words. */
// Core: rpc/client.cpp RPCConvertValues, ParseParam, Parse
export function convertCliArgs(method: string, words: readonly string[]): unknown[] {
  const json = JSON_PARAMS[method] ?? [];
  return words.map((w, i) => (json.includes(i) ? readJson(w) : w));
}

/** C's `%.16g` (std::setprecision(16) on an ostream): how UniValue::setFloat prints a double. */
// Core: univalue/lib/univalue.cpp UniValue::setFloat
export function formatG16(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential(15).split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  const strip = (intPart: string, frac: string): string => {
    const f = frac.replace(/0+$/, '');
    return f === '' ? intPart : `${intPart}.${f}`;
  };
  if (exp < -4 || exp >= 16) {
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${strip(digits[0]!, digits.slice(1))}e${e}`;
  }
  if (exp >= 0) return `${sign}${strip(digits.slice(0, exp + 1), digits.slice(exp + 1))}`;
  return `${sign}${strip('0', '0'.repeat(-exp - 1) + digits)}`;
}

/** Core's ValueFromAmount text of an amount given in BTC (a whole number of satoshis). */
// Core: core_io.cpp ValueFromAmount
function amountText(btc: number): string {
  const sats = Math.round(btc * 1e8);
  const abs = Math.abs(sats);
  return `${sats < 0 ? '-' : ''}${Math.floor(abs / 1e8)}.${String(abs % 1e8).padStart(8, '0')}`;
}

/** A JSON string as UniValue escapes it: quote, backslash, control characters and DEL. */
// Core: univalue/lib/univalue_write.cpp json_escape (univalue_escapes.h)
function jsonEscape(s: string): string {
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  // eslint-disable-next-line no-control-regex
  return s.replace(/["\\\x00-\x1f\x7f]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number as UniValue holds it: integers as such, doubles as `%.16g`, amounts as ValueFromAmount. */
function numberText(v: number | bigint, amount: boolean): string {
  if (typeof v === 'bigint') return v.toString();
  if (amount) return amountText(v);
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : formatG16(v);
}

/** UniValue::write(prettyIndent, indentLevel) of a JSON result. */
// Core: univalue/lib/univalue_write.cpp UniValue::write, writeArray, writeObject
export function writeUniValue(v: unknown, prettyIndent = 2, indentLevel = 0, amount = false): string {
  const level = indentLevel === 0 ? 1 : indentLevel;
  const pad = (n: number): string => ' '.repeat(prettyIndent * n);
  const nl = prettyIndent > 0 ? '\n' : '';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return numberText(v, amount);
  if (typeof v === 'string') return `"${jsonEscape(v)}"`;
  if (Array.isArray(v)) {
    const items = v.map((x, i) => `${prettyIndent > 0 ? pad(level) : ''}${writeUniValue(x, prettyIndent, level + 1)}${i < v.length - 1 ? ',' : ''}${nl}`);
    return `[${nl}${items.join('')}${prettyIndent > 0 ? pad(level - 1) : ''}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  const items = entries.map(([k, x], i) => `${prettyIndent > 0 ? pad(level) : ''}"${jsonEscape(k)}":${prettyIndent > 0 ? ' ' : ''}${writeUniValue(x, prettyIndent, level + 1, AMOUNT_KEYS.has(k))}${i < entries.length - 1 ? ',' : ''}${nl}`);
  return `{${nl}${items.join('')}${prettyIndent > 0 ? pad(level - 1) : ''}}`;
}

/** What bitcoin-cli prints on stdout for a result (without the final newline): nothing for null, a string bare. */
// Core: bitcoin-cli.cpp ParseResult
export function formatCliResult(result: unknown): string | null {
  if (result === null || result === undefined) return null;
  return typeof result === 'string' ? result : writeUniValue(result, 2);
}

/** What bitcoin-cli prints on stderr for an RPC error (without the final newline). */
// Core: bitcoin-cli.cpp ParseError
export function formatCliError(code: number, message: string): string {
  return `error code: ${code}\nerror message:\n${message}`;
}

/** bitcoin-cli's exit status for an RPC error: abs(code), of which the OS keeps the low 8 bits (-32601 → 89). */
// Core: bitcoin-cli.cpp ParseError (nRet = abs(code)), returned from main
export function cliErrorExitStatus(code: number): number {
  return Math.abs(code) & 0xff;
}
