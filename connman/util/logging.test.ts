// The logging helpers: Core's tinyformat renderings and the category gate. Whole log lines in
// Core's wording are asserted by the conformance suite (../../testing/functional/).
import { describe, expect, it } from 'vitest';
import type { DebugLog, LogCategory } from '../ports.ts';
import { disconnectMsg, formatFixed6, hex08, hex64, Logger, NO_DEBUG_LOG } from './logging.ts';

class Collect implements DebugLog {
  readonly lines: string[] = [];
  constructor(private readonly on: ReadonlySet<LogCategory | null>) {}
  accepts(c: LogCategory | null): boolean {
    return this.on.has(c);
  }
  print(c: LogCategory | null, m: string): void {
    this.lines.push(`${c ?? '-'} ${m}`);
  }
}

describe('Logger', () => {
  it('prints LogDebug lines only for accepted categories, LogInfo whenever info is on', () => {
    const sink = new Collect(new Set<LogCategory | null>([null, 'net']));
    const log = new Logger(sink);
    expect([log.net, log.addrman, log.info]).toEqual([true, false, true]);
    log.debug('a');
    log.debug('b', 'addrman');
    log.logInfo('c');
    log.warning('d');
    expect(sink.lines).toEqual(['net a', '- c', '- [warning] d']);
  });

  it('NO_DEBUG_LOG accepts nothing', () => {
    const log = new Logger(NO_DEBUG_LOG);
    expect([log.net, log.addrman, log.info]).toEqual([false, false, false]);
  });

  it("renders Core's format directives", () => {
    expect(disconnectMsg(5)).toBe('disconnecting peer=5');
    expect(formatFixed6(1201)).toBe('1201.000000');
    expect(hex64(0n)).toBe('0');
    expect(hex64(-1n)).toBe('ffffffffffffffff');
    expect(hex08(9)).toBe('00000009');
    expect(hex08(0x408)).toBe('00000408');
  });
});
