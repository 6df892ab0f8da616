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
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
