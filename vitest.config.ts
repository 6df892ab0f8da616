import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'runs/**'],
    reporters: ['default'],
    // One test file per core. vitest's own default is one fewer worker than cores, which on the
    // project's 2-core machine ran the whole suite in a single worker, one file after another.
    maxWorkers: availableParallelism(),
    // A worker runs its files one after another in one process, loading the simulator once rather
    // than once per file (the project's modules keep no state a test depends on: only caches of
    // pure functions and scratch buffers). Measured on scenarios/world + connman/net (38 files):
    // 120.5 -> 77.7 CPU-s, every test passing both ways.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
