// The list of benchmark cases that `npm run bench -- <case>` knows. To add one, write
// bench/<case>.ts exporting a function that takes a BenchContext, and add one line here.

import type { BenchCase } from './harness.ts';
import { addrmanBench } from './addrman.ts';
import { connmanBench } from './connman.ts';
import { kernelBench } from './kernel.ts';
import { rngBench } from './rng.ts';
import { mainnet10kBench, mainnet1kBench, scale10kBench, scale1kBench, scale4kBench, scale50kBench } from './scale.ts';

export const CASES: readonly BenchCase[] = [
  { name: 'kernel', description: 'event queue throughput vs a plain typed-array heap (10 M events, 100 k pending)', run: kernelBench },
  { name: 'addrman', description: 'AddrMan add/select/good/getAddr throughput and bytes per node at 20k addresses', run: addrmanBench },
  { name: 'connman', description: '1000 honest Core nodes from a cold start for 1 simulated hour: events/s, wall time, peak RSS', run: connmanBench },
  { name: 'scale-1k', description: 'baseline scenario on the pinned world (bench/workload.ts), 1000 nodes x 24 simulated hours (--simHours): events/s, wall, peak RSS, digest, CPU profile by subsystem; --floor: the floor meter', onlyWhenNamed: true, run: scale1kBench },
  { name: 'scale-4k', description: 'the same at 4000 nodes x 24 simulated hours', onlyWhenNamed: true, run: scale4kBench },
  { name: 'scale-10k', description: 'the same at 10000 nodes x 24 simulated hours', onlyWhenNamed: true, run: scale10kBench },
  { name: 'mainnet-1k', description: 'baseline scenario on the realistic world (--set preset=mainnet: blocks, transactions, NATs, the outside network), 1000 nodes x 24 simulated hours (--simHours); same records as scale-1k, --floor too', onlyWhenNamed: true, run: mainnet1kBench },
  { name: 'mainnet-10k', description: 'the same at 10000 nodes (a day does not fit this machine: pass --simHours)', onlyWhenNamed: true, run: mainnet10kBench },
  { name: 'scale-50k', description: 'baseline scenario via runScenario, 50000 nodes x 24 simulated hours; needs --big', onlyWhenNamed: true, run: scale50kBench },
  { name: 'rng', description: "seedrandom algorithms: speed, stream construction cost and a quality battery", run: rngBench },
];
