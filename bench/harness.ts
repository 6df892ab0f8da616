// What a benchmark case receives: its command-line options and a way to print one JSON line per
// measurement. bench/ sits outside the determinism boundary: it may read the clock and `process`.

export interface BenchContext {
  /** `--name=value` from the command line, as an integer, or the default. */
  intArg(name: string, fallback: number): number;
  /** Prints one measurement as a JSON line on stdout. */
  report(record: Record<string, unknown>): void;
  /** Resident set size now, in MB. */
  rssMB(): number;
}

export interface BenchCase {
  name: string;
  description: string;
  run(ctx: BenchContext): void;
}
