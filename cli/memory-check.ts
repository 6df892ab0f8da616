// Before a long command starts: will the world fit in memory? A size far beyond this machine used
// to end, after seconds or minutes of work, in a V8 heap dump (exit 134). The estimate comes from
// measured runs (README, Performance): about 0.9 MB per honest node once the network has formed,
// growing by about 13 kB per node per simulated hour as every AddrMan fills (10,000 nodes x 24 h
// peaked at 11.3 GiB; 1,000 x 24 h at 1.2 GB), plus a fixed ~300 MB for Node and the code.

import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

import { CliError } from './user-error.ts';

const BASE_BYTES = 300e6;
const PER_NODE_BYTES = 0.9e6;
const PER_NODE_HOUR_BYTES = 13e3;

/** Bytes a world of `nodes` honest nodes needs over `hours` simulated hours (a rough upper estimate). */
export function estimateRunBytes(nodes: number, hours: number): number {
  return BASE_BYTES + nodes * (PER_NODE_BYTES + PER_NODE_HOUR_BYTES * Math.max(0, hours));
}

function gb(bytes: number): string {
  const v = bytes / 1e9;
  return v >= 100 ? `${Math.round(v).toLocaleString('en-US')} GB` : `${v.toFixed(1)} GB`;
}

/** What this process may use: its heap limit, and the machine's memory. */
export function memoryBudget(): { heapBytes: number; machineBytes: number } {
  return { heapBytes: getHeapStatistics().heap_size_limit, machineBytes: totalmem() };
}

/**
 * Refuses a run (or `parallel` runs at once, for a sweep's workers) that would not fit: a
 * CliError that says how much it needs and how much there is, before anything is simulated.
 */
export function checkRunFits(what: string, nodes: number, hours: number, parallel = 1, budget = memoryBudget()): void {
  const need = estimateRunBytes(nodes, hours);
  const needAll = need * parallel;
  const sized = process.env.CONNSIM_HEAP_MIB !== undefined;
  if (parallel === 1 && need > budget.heapBytes) {
    const hint = sized ? 'use fewer nodes or a shorter run' : 'run it through the connsim command, which sizes the heap to the machine, or use fewer nodes';
    throw new CliError(`${what} needs about ${gb(need)} of memory; this process may use ${gb(budget.heapBytes)}: ${hint}`);
  }
  if (needAll > 0.9 * budget.machineBytes) {
    const oneFits = need <= 0.9 * budget.machineBytes;
    const each = parallel > 1 ? ` (${parallel} runs at once, about ${gb(need)} each${oneFits ? ': lower --workers' : ''})` : '';
    throw new CliError(`${what} needs about ${gb(needAll)} of memory${each}; this machine has ${gb(budget.machineBytes)}`);
  }
}
