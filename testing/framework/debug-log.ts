// A node's debug.log in a functional test: every line the port prints (DebugLog port), formatted
// as Core formats it with the framework's flags (-logtimemicros, mocktime shown, category prefix
// "[net] " for LogDebug lines, none for LogInfo), kept as text so that assertDebugLog can look for
// substrings in what was written since a mark, as Core's TestNode.assert_debug_log does. It survives
// restarts (the same file, appended to), like Core's.

import { formatIso8601, formatLogLine, type DebugLog, type LogCategory } from '../../connman/index.ts';

export { formatIso8601 };

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

  // Core: logging.cpp BCLog::Logger::Format (the framework runs nodes with -logtimemicros)
  print(category: LogCategory | null, message: string): void {
    this.text += formatLogLine(message, category, this.realMicros(), { timeMicros: true, mockSeconds: this.mockSeconds() });
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
