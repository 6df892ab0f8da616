// Interruption of a long command: SIGINT, SIGTERM and SIGHUP (what a terminal, Kubernetes, Slurm,
// supervisord or Python's terminate() send) are caught; while a run or a sweep is under way
// (interruptible) it notices between slices of simulation, stops, discards what it had staged
// and exits with 128 + the signal number. Outside one, and at a second signal, the process exits
// at once with that code (a staging directory it leaves is removed by the next run). The
// wall-clock limit (--max-wall) stops a command the same way with exit code 124, as timeout(1) does.

import { constants } from 'node:os';

/** A command stopped before its end (a signal, or --max-wall): nothing half-written was left. */
export class Interrupted extends Error {
  constructor(
    readonly why: NodeJS.Signals | 'max-wall',
    message: string,
  ) {
    super(message);
  }

  /** The exit code: 128 + the signal's number, or 124 for the wall-clock limit. */
  get exitCode(): number {
    return this.why === 'max-wall' ? 124 : 128 + (constants.signals[this.why] ?? 15);
  }
}

const WATCHED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let pending: NodeJS.Signals | null = null;
/** When the first signal arrived (process.hrtime, ms): a repeat within DUPLICATE_MS is the same one. */
let pendingAtMs = 0;
let installed = false;
/**
 * A terminal's Ctrl-C reaches every process of the foreground group, and the launcher
 * (bin/connsim.js) forwards what it gets: the same signal twice within this window is one.
 */
const DUPLICATE_MS = 1000;
/** Runs and sweeps under way that will notice a signal between their slices. */
let consumers = 0;

/** Catches the signals from now on (idempotent). */
export function watchSignals(): void {
  if (installed) return;
  installed = true;
  for (const sig of WATCHED) {
    process.on(sig, () => {
      const nowMs = Number(process.hrtime.bigint() / 1_000_000n);
      if (pending === sig && nowMs - pendingAtMs < DUPLICATE_MS) return;
      if (consumers === 0 || pending !== null) {
        process.stderr.write(`connsim: stopped by ${sig}\n`);
        process.exit(128 + (constants.signals[sig] ?? 15));
      }
      pending = sig;
      pendingAtMs = nowMs;
    });
  }
}

/** Runs `fn`, during which a signal is left for fn to notice (pendingSignal) instead of exiting at once. */
export async function interruptible<T>(fn: () => Promise<T>): Promise<T> {
  consumers++;
  try {
    return await fn();
  } finally {
    consumers--;
  }
}

/** The first signal received, or null. */
export function pendingSignal(): NodeJS.Signals | null {
  return pending;
}

/** For tests: forget a caught signal. */
export function clearPendingSignal(): void {
  pending = null;
}

/** Lets the event loop run (signal handlers, I/O) between two slices of synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
