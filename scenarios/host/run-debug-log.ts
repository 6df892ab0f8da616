// One honest node's debug.log in a scenario run (`connsim run --debug-log NODE`): the port's lines
// of the net category and its unconditional LogInfo / LogWarning lines, as Core writes them with
// -debug=net (connman/util/logging.ts formatLogLine: default flags, so timestamps in whole seconds,
// no thread names), stamped with the simulation's clock, which is the node's system clock. Each line
// goes to a sink as it is printed (the CLI streams it into the run directory). The same object is
// plugged into every start of the node, so the log runs on across restarts as Core's file does.
// It does not decide which node logs (the runner does) nor touch files (the CLI does).

import type { DebugLog, LogCategory } from '../../connman/ports.ts';
import { formatLogLine } from '../../connman/util/logging.ts';

export class RunDebugLog implements DebugLog {
  constructor(
    /** The node's clock, µs since the Unix epoch. */
    private readonly nowMicros: () => number,
    /** Receives each line, newline included. */
    private readonly sink: (line: string) => void,
  ) {}

  // Core: logging.cpp BCLog::Logger::WillLogCategoryLevel with -debug=net (LogInfo always)
  accepts(category: LogCategory | null): boolean {
    return category === null || category === 'net';
  }

  // Core: logging.cpp BCLog::Logger::Format
  print(category: LogCategory | null, message: string): void {
    this.sink(formatLogLine(message, category, this.nowMicros(), { timeMicros: false }));
  }
}
