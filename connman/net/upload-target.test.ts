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
