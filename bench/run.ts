// Benchmark dispatcher: `npm run bench` runs every case in bench/cases.ts; `npm run bench -- kernel
// rng` runs the named ones (heavy cases such as scale-10k run only when named). Options are
// `--name=value` (e.g. `--events=1000000`) or bare flags (`--big`). Each measurement is one JSON line
// on stdout. Run with `node --expose-gc` (through tsx) for steadier memory figures.

import { CASES } from './cases.ts';
import type { BenchContext } from './harness.ts';

const names: string[] = [];
const options = new Map<string, string>();
for (const arg of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(arg);
  const bare = /^--([^=]+)$/.exec(arg);
  if (m) options.set(m[1]!, m[2]!);
  else if (bare) options.set(bare[1]!, '1');
  else names.push(arg);
}

const known = new Map(CASES.map((c) => [c.name, c]));
for (const n of names) {
  if (!known.has(n)) {
    console.error(`bench: unknown case '${n}'; known: ${CASES.map((c) => c.name).join(', ')}`);
    process.exit(2);
  }
}

const ctx: BenchContext = {
  intArg(name, fallback) {
    const v = options.get(name);
    if (v === undefined) return fallback;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) {
      console.error(`bench: --${name} must be a positive integer, got '${v}'`);
      process.exit(2);
    }
    return n;
  },
  numArg(name, fallback) {
    const v = options.get(name);
    if (v === undefined) return fallback;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`bench: --${name} must be a positive number, got '${v}'`);
      process.exit(2);
    }
    return n;
  },
  flag(name, fallback = false) {
    const v = options.get(name);
    if (v === undefined) return fallback;
    return v !== '0' && v !== 'false';
  },
  report(record) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
  },
  rssMB() {
    return Math.round(process.memoryUsage().rss / 1048576);
  },
};

for (const c of names.length > 0 ? names.map((n) => known.get(n)!) : CASES.filter((x) => x.onlyWhenNamed !== true)) {
  c.run(ctx);
}
