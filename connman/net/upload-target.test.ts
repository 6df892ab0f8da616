import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_TIMEFRAME, parseByteUnits, UploadTarget } from './upload-target.ts';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;

describe('upload target (spec §17)', () => {
  it('unlimited: nothing is ever reached and nothing is left', () => {
    const u = new UploadTarget(0);
    u.recordBytesSent(10_000_000, T0);
    expect(u.totalBytesSent).toBe(10_000_000);
    expect(u.outboundTargetReached(false, T0)).toBe(false);
    expect(u.outboundTargetReached(true, T0)).toBe(false);
    expect(u.getOutboundTargetBytesLeft()).toBe(0);
    expect(u.getMaxOutboundTimeLeftInCycle(T0)).toBe(0);
  });

  it('a cycle starts at the first send and lasts 24 h', () => {
    const u = new UploadTarget(100_000_000);
    expect(u.getMaxOutboundTimeLeftInCycle(T0)).toBe(MAX_UPLOAD_TIMEFRAME);
    u.recordBytesSent(1000, T0 + 500_000);
    // Cycle times are whole seconds.
    expect(u.cycleStartMicros).toBe(T0);
    expect(u.getMaxOutboundTimeLeftInCycle(T0 + 3600 * S)).toBe(MAX_UPLOAD_TIMEFRAME - 3600 * S);
    expect(u.getMaxOutboundTimeLeftInCycle(T0 + 25 * 3600 * S)).toBe(0);
    expect(u.getOutboundTargetBytesLeft()).toBe(100_000_000 - 1000);
    // Strictly after the cycle end a new cycle begins.
    u.recordBytesSent(5, T0 + MAX_UPLOAD_TIMEFRAME);
    expect(u.sentInCycle).toBe(1005);
    u.recordBytesSent(7, T0 + MAX_UPLOAD_TIMEFRAME + S);
    expect(u.sentInCycle).toBe(7);
    expect(u.totalBytesSent).toBe(1012);
  });

  it('normal and historical limits', () => {
    const limit = 200_000_000;
    const u = new UploadTarget(limit);
    u.recordBytesSent(1, T0);
    // 24 h left: buffer = 144 × 4 MB = 576 MB >= limit, so historical serving is already off.
    expect(u.outboundTargetReached(true, T0)).toBe(true);
    expect(u.outboundTargetReached(false, T0)).toBe(false);
    // 1 h left: buffer = 6 × 4 MB = 24 MB; reached once sent >= 176 MB.
    const late = T0 + 23 * 3600 * S;
    u.recordBytesSent(176_000_000 - 2, late);
    expect(u.outboundTargetReached(true, late)).toBe(false);
    u.recordBytesSent(1, late);
    expect(u.outboundTargetReached(true, late)).toBe(true);
    u.recordBytesSent(limit, late);
    expect(u.outboundTargetReached(false, late)).toBe(true);
    expect(u.getOutboundTargetBytesLeft()).toBe(0);
  });

  it('parses -maxuploadtarget units', () => {
    expect(parseByteUnits('5')).toBe(5 * 1048576);
    expect(parseByteUnits('5k')).toBe(5000);
    expect(parseByteUnits('5K')).toBe(5120);
    expect(parseByteUnits('1g')).toBe(1e9);
    expect(parseByteUnits('1T')).toBe(2 ** 40);
    expect(() => parseByteUnits('5x')).toThrow();
  });
});

describe('sends recorded late (the analytic ping path) land in the cycle Core would charge them to', () => {
  const S = 1_000_000;
  const H = 3600 * S;
  const t0 = 1_700_000_000 * S;
  /** Two computed series (a ping every 2 min + 1 µs, pongs to a peer's pings) and messages now and then, over 60 h. */
  const pings = { first: t0 + 17 * S + 3, count: 1800, periodMicros: 120 * S + 1, bytes: 32 };
  const pongs = { first: t0 + 45 * S + 999_999, count: 1800, periodMicros: 120 * S + 1, bytes: 32 };
  const messages: [number, number][] = [[t0, 150]];
  for (let t = t0 + 7 * S; t < t0 + 60 * H; t += 7 * H + 333 * S + 5) messages.push([t, 61]);

  /** Core: every send through RecordBytesSent in time order. */
  function inOrder(until: number): UploadTarget {
    const u = new UploadTarget();
    const all: [number, number][] = [...messages];
    for (const s of [pings, pongs]) for (let k = 0; k < s.count; k++) all.push([s.first + k * s.periodMicros, s.bytes]);
    all.sort((a, b) => a[0] - b[0]);
    for (const [t, b] of all) if (t <= until) u.recordBytesSent(b, t);
    return u;
  }

  /** The port: messages in order, the series settled in batches at `settles` (and before a message that starts a cycle). */
  function late(until: number, settles: readonly number[]): UploadTarget {
    const u = new UploadTarget();
    const done = [0, 0];
    const settle = (t: number): void => {
      [pings, pongs].forEach((s, i) => {
        const n = Math.min(s.count, t < s.first ? 0 : Math.floor((t - s.first) / s.periodMicros) + 1);
        if (n > done[i]!) u.recordLateBytesSent({ ...s, first: s.first + done[i]! * s.periodMicros, count: n - done[i]! });
        done[i] = Math.max(done[i]!, n);
      });
      u.placeLateSends();
    };
    const events: [number, 'msg' | 'settle', number][] = [...messages.map(([t, b]) => [t, 'msg', b] as [number, 'msg', number]), ...settles.map((t) => [t, 'settle', 0] as [number, 'settle', number])];
    events.sort((a, b) => a[0] - b[0] || (a[1] === 'settle' ? -1 : 1));
    for (const [t, kind, b] of events) {
      if (t > until) break;
      if (kind === 'settle') settle(t);
      else {
        if (u.startsNewCycle(t)) settle(t);
        u.recordBytesSent(b, t);
      }
    }
    settle(until);
    return u;
  }

  it('at every hour of 60 h, whether settled rarely or often', () => {
    for (let h = 1; h <= 60; h++) {
      const at = t0 + h * H + 123 * S;
      const ref = inOrder(at);
      for (const settles of [[], [t0 + 23 * H, t0 + 50 * H], Array.from({ length: 300 }, (_, i) => t0 + i * 12 * 60 * S + 7)]) {
        const got = late(at, settles);
        expect([got.cycleStartMicros, got.sentInCycle, got.totalBytesSent], `${h} h`).toEqual([ref.cycleStartMicros, ref.sentInCycle, ref.totalBytesSent]);
      }
    }
    // The cycles did roll over: the third starts after 48 h.
    expect(inOrder(t0 + 60 * H).cycleStartMicros).toBeGreaterThan(t0 + 48 * H);
  });
});
