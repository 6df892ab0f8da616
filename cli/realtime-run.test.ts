// `connsim run --realtime`: simulated time paced to the wall clock changes when events run, never
// what runs: the summary (digest included) is the one of the same run at full speed, and the run
// takes at least its simulated duration of wall time (the clock is never ahead of the wall).
import { describe, expect, it } from 'vitest';
import { executeRun, prepareRequest, type CliIo } from './run-command.ts';

describe('run --realtime', () => {
  it('gives the full-speed run\'s summary and never runs ahead of the wall clock', async () => {
    const { request } = await prepareRequest({ scenario: 'baseline', seed: '3', nodes: 20, duration: '2s' });
    const lines: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (t) => lines.push(t), stderrIsTty: false, nowMs: () => performance.now(), peakRssBytes: () => 0 };
    const t0 = performance.now();
    const paced = await executeRun(request, io, { quiet: true, realtime: true });
    const wallMs = performance.now() - t0;
    const full = await executeRun(request, io, { quiet: true });
    const { provenance: _a, ...a } = paced.outcome.summary as unknown as Record<string, unknown>;
    const { provenance: _b, ...b } = full.outcome.summary as unknown as Record<string, unknown>;
    expect(a).toEqual(b);
    expect(wallMs).toBeGreaterThanOrEqual(2000);
    // Whatever it printed is about pacing, one line each.
    for (const l of lines) expect(l).toMatch(/^connsim: real time: (behind the wall clock by \d+ ms at simulated .*|caught up after \d+ ms behind \(worst lag \d+ ms\))\n$/);
  });

  it('runs a warm-up at full speed and paces only the scenario\'s clock', async () => {
    // A 10-minute warm-up paced to the wall clock would take 10 minutes; the scenario's 1 s must still take 1 s.
    const { request } = await prepareRequest({ scenario: 'baseline', seed: '3', nodes: 20, duration: '1s', set: ['warmup=10m'] });
    const io: CliIo = { stdout: () => {}, stderr: () => {}, stderrIsTty: false, nowMs: () => performance.now(), peakRssBytes: () => 0 };
    const t0 = performance.now();
    const paced = await executeRun(request, io, { quiet: true, realtime: true });
    const wallMs = performance.now() - t0;
    const full = await executeRun(request, io, { quiet: true });
    expect(paced.outcome.summary.digest).toBe(full.outcome.summary.digest);
    expect(paced.outcome.summary.warmup).toBeDefined();
    expect(wallMs).toBeGreaterThanOrEqual(1000);
    expect(wallMs).toBeLessThan(600_000);
  });
});
