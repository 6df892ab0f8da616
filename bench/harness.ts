// What a benchmark case receives: its command-line options and a way to print one JSON line per
// measurement. bench/ sits outside the determinism boundary: it may read the clock and `process`.

export interface BenchContext {
  /** `--name=value` from the command line, as an integer, or the default. */
  intArg(name: string, fallback: number): number;
  /** `--name=value` as a positive number (fractions allowed), or the default. */
  numArg(name: string, fallback: number): number;
  /** Whether `--name` (or `--name=1`) was given; `--name=0` or `--name=false` is false; absent gives the default. */
  flag(name: string, fallback?: boolean): boolean;
  /** Prints one measurement as a JSON line on stdout. */
  report(record: Record<string, unknown>): void;
  /** Resident set size now, in MB. */
  rssMB(): number;
}

export interface BenchCase {
  name: string;
  description: string;
  /** Heavy cases run only when named (`npm run bench` alone skips them). */
  onlyWhenNamed?: boolean;
  run(ctx: BenchContext): void;
}
