#!/usr/bin/env node
// Entry point of the `connsim` command (and of `npm start`): runs cli.ts under tsx's hooks and
// connsim's own (bin/loader.mjs: this checkout's files compiled without keepNames; no build step)
// in one child Node process whose heap limit is sized to this machine (three quarters of its
// memory: Node's default of a few GB would end a large world in a heap dump), forwards SIGINT,
// SIGTERM and SIGHUP to it, so that `kill` of this process, a cluster scheduler or Python's
// terminate() stops the simulation cleanly instead of orphaning it, and exits as the child did.
import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const heapMiB = Math.max(2048, Math.floor((0.75 * totalmem()) / (1024 * 1024)));
// The loader by absolute URL (it imports tsx from connsim's own node_modules): a bare '--import tsx'
// would be resolved from the working directory, so connsim run from a study's folder would not find it.
const loader = pathToFileURL(join(here, 'loader.mjs')).href;
const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, '--import', loader, join(here, '..', 'cli.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CONNSIM_HEAP_MIB: String(heapMiB) },
});
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const sig of signals) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (signal !== null) {
    // Die of the same signal, so the caller sees what the child saw.
    for (const sig of signals) process.removeAllListeners(sig);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
