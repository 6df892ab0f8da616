// The run progress bar: its line format and the redraw throttle, with a fake clock and stream.
import { describe, expect, it } from 'vitest';

import { hours, minutes } from '../sim/index.ts';
import { PROGRESS_REDRAW_MS, ProgressReporter, formatProgressLine, formatWallSeconds } from './progress.ts';

describe('formatProgressLine', () => {
  it('shows the bar, simulated time against the duration, the event rate and the time left', () => {
    const line = formatProgressLine({ simMicros: hours(6), durationMicros: hours(24), events: 50_000 }, 10);
    expect(line).toMatch(/^\[#{6}\.{18}\]  25% 6h \/ 1d  5000 events\/s  ETA 30s$/);
  });

  it('at the end the bar is full and nothing is left; at the start the ETA is unknown', () => {
    expect(formatProgressLine({ simMicros: minutes(5), durationMicros: minutes(5), events: 2_000_000 }, 100)).toMatch(/100% .* 20k events\/s  ETA 0s$/);
    expect(formatProgressLine({ simMicros: 0, durationMicros: minutes(5), events: 0 }, 0)).toMatch(/ETA \?$/);
  });

  it('formats wall seconds compactly', () => {
    expect(formatWallSeconds(42)).toBe('42s');
    expect(formatWallSeconds(65)).toBe('1m05s');
    expect(formatWallSeconds(3 * 3600 + 120)).toBe('3h02m');
  });
});

describe('ProgressReporter', () => {
  it('redraws at most once per PROGRESS_REDRAW_MS and clears its line when done', () => {
    let now = 0;
    const out: string[] = [];
    const r = new ProgressReporter((t) => out.push(t), () => now);
    const p = { simMicros: minutes(1), durationMicros: minutes(10), events: 10 };
    r.update(p);
    now += PROGRESS_REDRAW_MS / 2;
    r.update(p);
    expect(out).toHaveLength(1);
    now += PROGRESS_REDRAW_MS;
    r.update(p);
    expect(out).toHaveLength(2);
    expect(out[0]!.startsWith('\r\x1b[2K[')).toBe(true);
    r.finish();
    expect(out[2]).toBe('\r\x1b[2K');
  });

  it('writes nothing on finish when it never drew', () => {
    const out: string[] = [];
    new ProgressReporter((t) => out.push(t), () => 0).finish();
    expect(out).toEqual([]);
  });
});
