// A node's debug.log in a functional test: every line the port prints (DebugLog port), formatted
// as Core formats it with the framework's flags (-logtimemicros, mocktime shown, category prefix
// "[net] " for LogDebug lines, none for LogInfo), kept as text so that assertDebugLog can look for
// substrings in what was written since a mark, as Core's TestNode.assert_debug_log does. It survives
// restarts (the same file, appended to), like Core's.

import type { DebugLog, LogCategory } from '../../connman/index.ts';

/** Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil inverse). */
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

/** Core's FormatISO8601DateTime (seconds); with `micros`, the -logtimemicros form with six decimals. */
// Core: util/time.cpp FormatISO8601DateTime, logging.cpp LogTimestampStr
export function formatIso8601(micros: number, withMicros: boolean): string {
  const secs = Math.floor(micros / 1_000_000);
  const [y, mo, d] = civil(Math.floor(secs / 86400));
  const sod = secs - Math.floor(secs / 86400) * 86400;
  const base = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(Math.floor(sod / 3600))}:${pad(Math.floor((sod % 3600) / 60))}:${pad(sod % 60)}`;
  return withMicros ? `${base}.${pad(micros - secs * 1_000_000, 6)}Z` : `${base}Z`;
}

/** debug.log of one node. */
export class TestDebugLog implements DebugLog {
  private text = '';
  /** Which LogDebug categories are on (-debug / -debugexclude); LogInfo lines are always written. */
  private categories: ReadonlySet<LogCategory> = new Set<LogCategory>(['net', 'addrman']);

  constructor(
    /** The wall clock, µs (Core stamps lines with the system time). */
    private readonly realMicros: () => number,
    /** The node's mock time, seconds, or null (then no "(mocktime: …)" part). */
    private readonly mockSeconds: () => number | null,
  ) {}

  /** -debug / -debugexclude: '1' or 'all' (or an empty -debug) turn every category on. */
  configure(debug: readonly string[], exclude: readonly string[]): void {
    const all: LogCategory[] = ['net', 'addrman'];
    const on = new Set<LogCategory>();
    for (const d of debug) {
      if (d === '' || d === '1' || d === 'all') all.forEach((c) => on.add(c));
      else if (d === 'net' || d === 'addrman') on.add(d);
    }
    for (const e of exclude) if (e === 'net' || e === 'addrman') on.delete(e);
    this.categories = on;
  }

  accepts(category: LogCategory | null): boolean {
    return category === null || this.categories.has(category);
  }

  // Core: logging.cpp BCLog::Logger::Format (timestamp, mocktime, category prefix, trailing newline)
  print(category: LogCategory | null, message: string): void {
    const mock = this.mockSeconds();
    let line = formatIso8601(this.realMicros(), true);
    if (mock !== null) line += ` (mocktime: ${formatIso8601(mock * 1_000_000, false)})`;
    line += category !== null ? ` [${category}] ` : ' ';
    // Core escapes control characters other than the newline.
    line += message.replace(/[\x00-\x09\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    if (!line.endsWith('\n')) line += '\n';
    this.text += line;
  }

  /** A mark: the log's length now (assertDebugLog looks only at what follows it). */
  mark(): number {
    return this.text.length;
  }

  /** The log text written since a mark. */
  since(mark: number): string {
    return this.text.slice(mark);
  }

  /** The whole log. */
  contents(): string {
    return this.text;
  }
}
