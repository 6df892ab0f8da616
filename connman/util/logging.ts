// Core's logging macros (util/log.h, logging.h) over the DebugLog port: LogDebug(BCLog::NET, ...) and
// LogInfo(...). The message text is Core's, format directives rendered as Core's tinyformat renders
// them (see formatSecondsDouble, hex64). A Logger asks its sink once which categories are on, so a
// component checks a boolean before it builds a line; with NO_DEBUG_LOG nothing is built.
// It does not format timestamps or thread names (the sink does, if it wants them).

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
