// Virtual time: the `Micros` unit, unit helpers, a parser for written durations ("90s", "1h30m")
// and a formatter for display. It holds no clock: the current time lives in the kernel
// (kernel.ts), and nothing here reads wall-clock time.

/** Virtual time or a duration in integer microseconds, exact up to 2^53 µs (about 285 years). */
export type Micros = number;

export const MICROS_PER_MILLISECOND = 1_000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

/** Rounds to the nearest microsecond, so `seconds(0.1)` is exactly 100000 and not 100000.00000000001. */
function toMicros(value: number, unit: number): Micros {
  if (!Number.isFinite(value)) throw new RangeError(`duration must be a finite number, got ${value}`);
  return Math.round(value * unit);
}

export const millis = (n: number): Micros => toMicros(n, MICROS_PER_MILLISECOND);
export const seconds = (n: number): Micros => toMicros(n, MICROS_PER_SECOND);
export const minutes = (n: number): Micros => toMicros(n, MICROS_PER_MINUTE);
export const hours = (n: number): Micros => toMicros(n, MICROS_PER_HOUR);
export const days = (n: number): Micros => toMicros(n, MICROS_PER_DAY);

/** Converts microseconds to (fractional) seconds, for display and charts only. */
export const toSeconds = (t: Micros): number => t / MICROS_PER_SECOND;

const UNITS: ReadonlyMap<string, number> = new Map([
  ['us', 1],
  ['µs', 1],
  ['ms', MICROS_PER_MILLISECOND],
  ['s', MICROS_PER_SECOND],
  ['m', MICROS_PER_MINUTE],
  ['h', MICROS_PER_HOUR],
  ['d', MICROS_PER_DAY],
]);

const ACCEPTED_FORMS =
  'a non-negative number followed by a unit us|ms|s|m|h|d (e.g. "500ms", "90s", "20m", "1.5h", "7d"), ' +
  'or several such parts in decreasing unit order (e.g. "1h30m", "2d12h"); the total must be a whole number of microseconds';

/** Thrown by `parseDuration` for a string that is not a duration; the message names the string and the accepted forms. */
export class DurationParseError extends Error {
  readonly input: string;
  constructor(input: string, detail: string) {
    super(`invalid duration ${JSON.stringify(input)}: ${detail}; expected ${ACCEPTED_FORMS}`);
    this.name = 'DurationParseError';
    this.input = input;
  }
}

const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h|d)/y;

/**
 * Parses "90s", "20m", "6h", "7d", "500ms", "1.5h", "1h30m" into microseconds. Each unit may
 * appear once, larger units first. Fractions are accepted only when the total is a whole number of
 * microseconds ("0.5us" is an error). A bare number, a negative sign, spaces or unknown units are
 * errors: durations in scenario files must say their unit.
 */
export function parseDuration(text: string): Micros {
  if (typeof text !== 'string' || text.length === 0) throw new DurationParseError(String(text), 'empty');
  PART.lastIndex = 0;
  let total = 0;
  let lastUnit = Infinity;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (m === null) throw new DurationParseError(text, `unexpected text at position ${pos}`);
    const unit = UNITS.get(m[2]!)!;
    if (unit >= lastUnit) throw new DurationParseError(text, `unit "${m[2]}" repeated or out of order`);
    lastUnit = unit;
    // Work on the decimal digits, not on a float product, so "1.1h" is judged exact or not exactly.
    const [whole, frac = ''] = m[1]!.split('.');
    const scale = 10 ** frac.length;
    const numerator = Number(whole) * scale + (frac.length > 0 ? Number(frac) : 0);
    const micros = (numerator * unit) / scale;
    if (!Number.isSafeInteger(numerator * unit) || !Number.isInteger(micros)) {
      throw new DurationParseError(text, `"${m[0]}" is not a whole number of microseconds`);
    }
    total += micros;
    pos = PART.lastIndex;
  }
  if (!Number.isSafeInteger(total)) throw new DurationParseError(text, 'too large');
  return total;
}

/**
 * Formats a duration for people: the largest units first, zero parts omitted, e.g. 5400000000 →
 * "1h30m", 1500 → "1ms500us", 0 → "0s". The output parses back to the same value with
 * `parseDuration` (negative values are prefixed with "-" and do not parse back).
 */
export function formatDuration(t: Micros): string {
  if (!Number.isFinite(t)) return String(t);
  if (t === 0) return '0s';
  let rest = Math.abs(Math.round(t));
  let out = t < 0 ? '-' : '';
  for (const [suffix, unit] of [
    ['d', MICROS_PER_DAY],
    ['h', MICROS_PER_HOUR],
    ['m', MICROS_PER_MINUTE],
    ['s', MICROS_PER_SECOND],
    ['ms', MICROS_PER_MILLISECOND],
    ['us', 1],
  ] as const) {
    if (rest >= unit) {
      const n = Math.floor(rest / unit);
      out += `${n}${suffix}`;
      rest -= n * unit;
    }
  }
  return out;
}
