import { describe, expect, it } from 'vitest';
import { DurationParseError, days, formatDuration, hours, millis, minutes, parseDuration, seconds } from './time.ts';

describe('time units', () => {
  it('converts to integer microseconds', () => {
    expect(seconds(1)).toBe(1_000_000);
    expect(seconds(0.1)).toBe(100_000);
    expect(millis(1.5)).toBe(1_500);
    expect(minutes(20)).toBe(1_200_000_000);
    expect(hours(6)).toBe(21_600_000_000);
    expect(days(7)).toBe(604_800_000_000);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', seconds(90)],
    ['20m', minutes(20)],
    ['6h', hours(6)],
    ['7d', days(7)],
    ['500ms', millis(500)],
    ['250us', 250],
    ['1.5h', hours(1.5)],
    ['1h30m', hours(1) + minutes(30)],
    ['2d12h', days(2) + hours(12)],
    ['1m500ms', minutes(1) + millis(500)],
    ['0s', 0],
    ['0.001s', 1_000],
  ])('parses %s', (text, micros) => {
    expect(parseDuration(text)).toBe(micros);
  });

  it.each(['', '90', 's', '-5s', '5 s', '5x', '1.5', '0.5us', '1m1h', '1h1h', '1e3s', 'h', '1.0000001s', '10s5'])(
    'rejects %j with a typed error naming the string and the accepted forms',
    (text) => {
      let err: unknown;
      try {
        parseDuration(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DurationParseError);
      const e = err as DurationParseError;
      expect(e.input).toBe(text);
      expect(e.message).toContain(JSON.stringify(text));
      expect(e.message).toContain('us|ms|s|m|h|d');
    },
  );
});

describe('formatDuration', () => {
  it('prints largest units first and round-trips through parseDuration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(hours(1) + minutes(30))).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1ms500us');
    expect(formatDuration(days(7))).toBe('7d');
    expect(formatDuration(-seconds(2))).toBe('-2s');
    for (const t of [1, 999, 1_000_001, days(3) + hours(4) + minutes(5) + seconds(6) + millis(7) + 8]) {
      expect(parseDuration(formatDuration(t))).toBe(t);
    }
  });
});
