// Benchmark case "rng": the seedrandom algorithms compared on speed (32-bit draws per second),
// the cost of constructing one forked stream, and a small statistical battery. Every statistic is
// reported as a z-score (|z| < 4 is a pass at these sample sizes):
//   bytesZ   chi-square of the 4 bytes of each 32-bit output over 256 bins
//   bitsZ    worst of the 32 bit positions' balance
//   pairsZ   chi-square of consecutive (top nibble, top nibble) pairs over 256 bins
//   serialZ  lag-1 correlation of consecutive outputs as doubles
//   forkZ    byte chi-square of the first output of 65 536 streams seeded like Rng.fork ("x/n")
//   forkXorZ worst bit balance of (first output of stream n) xor (first output of stream n+1)
// This is a smoke test of the seeding and output path, not TestU01: the BigCrush results quoted in
// sim/rng.ts come from the algorithms' authors and seedrandom's documentation.

import seedrandom from 'seedrandom';
import { hashString128 } from '../sim/index.ts';
import type { BenchContext } from './harness.ts';

type Factory = (seed: string) => { int32(): number };
const ALGORITHMS: [string, Factory][] = [
  ['arc4', (s) => seedrandom(s)],
  ['alea', (s) => seedrandom.alea(s)],
  ['xor128', (s) => seedrandom.xor128(s)],
  ['xorwow', (s) => seedrandom.xorwow(s)],
  ['xorshift7', (s) => seedrandom.xorshift7(s)],
  ['xor4096', (s) => seedrandom.xor4096(s)],
  ['tychei', (s) => seedrandom.tychei(s)],
];

function chiZ(counts: Float64Array, total: number): number {
  const k = counts.length - 1;
  const e = total / counts.length;
  let chi = 0;
  for (let i = 0; i < counts.length; i++) chi += (counts[i]! - e) ** 2 / e;
  // Wilson–Hilferty: chi-square with k degrees of freedom to an approximate standard normal.
  return ((chi / k) ** (1 / 3) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
}

function quality(factory: Factory, draws: number): Record<string, number> {
  const g = factory(hashString128('quality'));
  const bytes = new Float64Array(256);
  const pairs = new Float64Array(256);
  const bits = new Float64Array(32);
  let prevNibble = -1;
  let sx = 0, sxx = 0, sxy = 0, prev = 0;
  for (let i = 0; i < draws; i++) {
    const w = g.int32() >>> 0;
    bytes[w & 255]!++;
    bytes[(w >>> 8) & 255]!++;
    bytes[(w >>> 16) & 255]!++;
    bytes[w >>> 24]!++;
    for (let b = 0; b < 32; b++) bits[b]! += (w >>> b) & 1;
    const nib = w >>> 28;
    if (prevNibble >= 0 && (i & 1) === 1) pairs[prevNibble * 16 + nib]!++;
    prevNibble = nib;
    const x = w / 4294967296;
    sx += x;
    sxx += x * x;
    if (i > 0) sxy += prev * x;
    prev = x;
  }
  let worstBit = 0;
  for (let b = 0; b < 32; b++) worstBit = Math.max(worstBit, Math.abs((bits[b]! - draws / 2) / Math.sqrt(draws / 4)));
  const mean = sx / draws;
  const r = (sxy / (draws - 1) - mean * mean) / (sxx / draws - mean * mean);
  // Streams seeded as Rng.fork seeds them: the 128-bit hash of an identity string.
  const streams = 65536;
  const firstBytes = new Float64Array(256);
  const xorBits = new Float64Array(32);
  let prevFirst = 0;
  for (let n = 0; n < streams; n++) {
    const w = factory(hashString128(`x/${String(n).length}:${n}`)).int32() >>> 0;
    firstBytes[w & 255]!++;
    firstBytes[(w >>> 8) & 255]!++;
    firstBytes[(w >>> 16) & 255]!++;
    firstBytes[w >>> 24]!++;
    if (n > 0) {
      const x = (w ^ prevFirst) >>> 0;
      for (let b = 0; b < 32; b++) xorBits[b]! += (x >>> b) & 1;
    }
    prevFirst = w;
  }
  let worstXor = 0;
  for (let b = 0; b < 32; b++) worstXor = Math.max(worstXor, Math.abs((xorBits[b]! - (streams - 1) / 2) / Math.sqrt((streams - 1) / 4)));
  const round = (z: number) => Number(z.toFixed(2));
  return {
    bytesZ: round(chiZ(bytes, draws * 4)),
    bitsZ: round(worstBit),
    pairsZ: round(chiZ(pairs, Math.floor(draws / 2))),
    serialZ: round(r * Math.sqrt(draws)),
    forkZ: round(chiZ(firstBytes, streams * 4)),
    forkXorZ: round(worstXor),
  };
}

export function rngBench(ctx: BenchContext): void {
  const draws = ctx.intArg('draws', 20_000_000);
  const qualityDraws = ctx.intArg('qualityDraws', 4_000_000);
  const forks = ctx.intArg('forks', 20_000);
  for (const [name, factory] of ALGORITHMS) {
    const g = factory(hashString128('speed'));
    let x = 0;
    for (let i = 0; i < 1_000_000; i++) x ^= g.int32();
    let t0 = performance.now();
    for (let i = 0; i < draws; i++) x ^= g.int32();
    const drawSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    for (let i = 0; i < forks; i++) x ^= factory(hashString128(`root/9:node/${i}`)).int32();
    const forkMicros = ((performance.now() - t0) * 1000) / forks;
    ctx.report({
      bench: 'rng',
      algorithm: name,
      int32PerSec: Math.round(draws / drawSeconds),
      forkMicros: Number(forkMicros.toFixed(2)),
      ...quality(factory, qualityDraws),
      checksum: x & 1,
    });
  }
}
