// Core's logging macros (util/log.h, logging.h) over the DebugLog port: LogDebug(BCLog::NET, ...) and
// LogInfo(...). The message text is Core's, format directives rendered as Core's tinyformat renders
// them (see formatSecondsDouble, hex64). A Logger asks its sink once which categories are on, so a
// component checks a boolean before it builds a line; with NO_DEBUG_LOG nothing is built.
// formatLogLine is Core's line format (Logger::Format: timestamp, mocktime, category prefix,
// escaping) for the sinks that write a debug.log; it prints no thread names or source locations
// (Core's defaults leave them off).

import type { DebugLog, LogCategory } from '../ports.ts';

/** A debug log that accepts nothing (simulations nobody reads the log of). */
export const NO_DEBUG_LOG: DebugLog = Object.freeze({
  accepts: (): boolean => false,
  print: (): void => {},
});

/** One component's view of the node's debug log. */
export class Logger {
  /** LogAcceptCategory(BCLog::NET, Debug): build `net` lines only when true. */
  readonly net: boolean;
  /** LogAcceptCategory(BCLog::ADDRMAN, Debug). */
  readonly addrman: boolean;
  /** Whether LogInfo lines are kept at all (false for NO_DEBUG_LOG). */
  readonly info: boolean;

  constructor(private readonly sink: DebugLog) {
    this.net = sink.accepts('net');
    this.addrman = sink.accepts('addrman');
    this.info = sink.accepts(null);
  }

  /** Core: LogDebug(BCLog::NET, ...). Callers test `net` first when the text costs anything to build. */
  debug(message: string, category: LogCategory = 'net'): void {
    if (category === 'net' ? this.net : this.addrman) this.sink.print(category, message);
  }

  /** Core: LogInfo(...) (and LogWarning, which Core prints with a "[warning] " prefix). */
  logInfo(message: string): void {
    if (this.info) this.sink.print(null, message);
  }

  /** Core: LogWarning(...): LogInfo with Core's level prefix. */
  warning(message: string): void {
    if (this.info) this.sink.print(null, `[warning] ${message}`);
  }
}

/** A Logger over NO_DEBUG_LOG, shared by components built without a log. */
export const NO_LOGGER = new Logger(NO_DEBUG_LOG);

/** Core's `peer=%d` (CNode::LogPeer without -logips). */
export function logPeer(id: number): string {
  return `peer=${id}`;
}

/** Core's `disconnecting peer=%d` (CNode::DisconnectMsg without -logips). */
export function disconnectMsg(id: number): string {
  return `disconnecting ${logPeer(id)}`;
}

/** tinyformat's `%f` of a double: six decimals (Core prints Ticks<SecondsDouble> this way). */
export function formatFixed6(x: number): string {
  return x.toFixed(6);
}

/** tinyformat's `%x` of a uint64_t: lower-case hex, no padding. */
export function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** tinyformat's `%08x` of a ServiceFlags (uint64): at least 8 lower-case hex digits. */
export function hex08(v: number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(8, '0');
}

/** Days since 1970-01-01 to a civil date (Howard Hinnant's civil_from_days). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Core's FormatISO8601DateTime (seconds); with `withMicros`, the -logtimemicros form with six decimals. */
// Core: util/time.cpp FormatISO8601DateTime, logging.cpp BCLog::Logger::LogTimestampStr
export function formatIso8601(micros: number, withMicros: boolean): string {
  const secs = Math.floor(micros / 1_000_000);
  const [y, mo, d] = civil(Math.floor(secs / 86400));
  const sod = secs - Math.floor(secs / 86400) * 86400;
  const base = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(Math.floor(sod / 3600))}:${pad(Math.floor((sod % 3600) / 60))}:${pad(sod % 60)}`;
  return withMicros ? `${base}.${pad(micros - secs * 1_000_000, 6)}Z` : `${base}Z`;
}

/**
 * One debug.log line as Core writes it, newline included: the timestamp (seconds, or microseconds
 * with -logtimemicros), " (mocktime: …)" under mock time, "[net] " / "[addrman] " for a LogDebug
 * line (nothing for LogInfo), the message with control characters other than newline escaped.
 */
// Core: logging.cpp BCLog::Logger::Format, LogTimestampStr, GetLogPrefix, LogEscapeMessage
export function formatLogLine(message: string, category: LogCategory | null, nowMicros: number, opts: { timeMicros: boolean; mockSeconds?: number | null }): string {
  let line = formatIso8601(nowMicros, opts.timeMicros);
  const mock = opts.mockSeconds ?? null;
  if (mock !== null && mock > 0) line += ` (mocktime: ${formatIso8601(mock * 1_000_000, false)})`;
  line += category !== null ? ` [${category}] ` : ' ';
  // eslint-disable-next-line no-control-regex
  line += message.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (!line.endsWith('\n')) line += '\n';
  return line;
}
