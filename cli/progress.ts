// Progress while a run is under way, on stderr: on a terminal a bar (simulated time against the
// run's duration, events per wall second, an estimate of the time left) redrawn at most about ten
// times a second on one line; off a terminal (a cluster job's log) one plain line every few
// percent. The formatting is pure; the reporters are handed their output stream and wall clock, so
// they are testable without a terminal. Whether to show any (no --quiet) is the caller's decision.

import { formatDuration } from '../sim/index.ts';
import type { RunProgress } from '../scenarios/dsl/runner.ts';

/** Shortest gap between two redraws, in wall milliseconds. */
export const PROGRESS_REDRAW_MS = 100;
const BAR_WIDTH = 24;

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return n.toFixed(0);
}

/** Wall seconds as "1m05s" / "42s". */
export function formatWallSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** One progress line (no newline): bar, simulated time / duration, events/s and ETA. */
export function formatProgressLine(p: RunProgress, wallSeconds: number): string {
  const frac = p.durationMicros > 0 ? Math.min(1, Math.max(0, p.simMicros / p.durationMicros)) : 1;
  const filled = Math.round(frac * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  const rate = wallSeconds > 0 ? p.events / wallSeconds : 0;
  const eta = frac > 0 && frac < 1 && wallSeconds > 0 ? formatWallSeconds((wallSeconds * (1 - frac)) / frac) : frac >= 1 ? '0s' : '?';
  const pct = `${(frac * 100).toFixed(0).padStart(3)}%`;
  return `[${bar}] ${pct} ${formatDuration(Math.floor(p.simMicros / 1_000_000) * 1_000_000)} / ${formatDuration(p.durationMicros)}  ${compact(rate)} events/s  ETA ${eta}`;
}

/** Draws progress lines on a terminal stream, throttled; `finish` clears the line. */
export class ProgressReporter {
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly startMs: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly nowMs: () => number,
  ) {
    this.startMs = nowMs();
  }

  /** Called by the runner; redraws when PROGRESS_REDRAW_MS have passed since the last draw. */
  update(p: RunProgress): void {
    const now = this.nowMs();
    if (now - this.lastDrawMs < PROGRESS_REDRAW_MS) return;
    this.lastDrawMs = now;
    this.write(`\r\x1b[2K${formatProgressLine(p, (now - this.startMs) / 1000)}`);
    this.drawn = true;
  }

  /** Erases the bar so what follows starts on a clean line. */
  finish(): void {
    if (this.drawn) this.write('\r\x1b[2K');
    this.drawn = false;
  }
}

/** Percent of the run between two plain progress lines. */
export const PLAIN_PROGRESS_STEP = 5;

/** One plain line per PLAIN_PROGRESS_STEP percent, for logs: "connsim: <what>: 35% (…)". */
export class PlainProgress {
  private nextPct = PLAIN_PROGRESS_STEP;
  private readonly startMs: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly nowMs: () => number,
    private readonly what: string,
  ) {
    this.startMs = nowMs();
  }

  update(p: RunProgress): void {
    const pct = p.durationMicros > 0 ? (100 * p.simMicros) / p.durationMicros : 100;
    if (pct < this.nextPct || pct >= 100) return;
    const wall = (this.nowMs() - this.startMs) / 1000;
    const frac = pct / 100;
    const eta = wall > 0 ? formatWallSeconds((wall * (1 - frac)) / frac) : '?';
    this.write(`connsim: ${this.what}: ${Math.floor(pct)}% (${formatDuration(Math.floor(p.simMicros / 1_000_000) * 1_000_000)} of ${formatDuration(p.durationMicros)} simulated, ${compact(wall > 0 ? p.events / wall : 0)} events/s, ETA ${eta})\n`);
    while (this.nextPct <= pct) this.nextPct += PLAIN_PROGRESS_STEP;
  }

  finish(): void {}
}
