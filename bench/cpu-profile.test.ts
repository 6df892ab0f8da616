// Tests for bench/cpu-profile.ts: the subsystem of a source file, and the folding of a profile into
// shares (built-in frames inherit their caller's subsystem; GC is its own share).
import { describe, expect, it } from 'vitest';
import { breakdown, subsystemOf, type CpuProfile } from './cpu-profile.ts';

describe('subsystemOf', () => {
  it('maps source files to subsystems', () => {
    expect(subsystemOf('file:///work/main/sim/kernel.ts')).toBe('kernel');
    expect(subsystemOf('file:///work/main/sim/network.ts')).toBe('network');
    expect(subsystemOf('file:///work/main/connman/addrman/buckets.ts')).toBe('addrman');
    expect(subsystemOf('file:///work/main/connman/net_processing/tx.ts')).toBe('messages');
    expect(subsystemOf('file:///work/main/connman/net/open-connections.ts')).toBe('connman');
    expect(subsystemOf('file:///work/main/connman/util/random.ts')).toBe('rng');
    expect(subsystemOf('file:///work/main/scenarios/metrics-recorder.ts')).toBe('scenarios');
    expect(subsystemOf('node:internal/timers')).toBeUndefined();
    expect(subsystemOf('')).toBeUndefined();
  });
});

describe('breakdown', () => {
  it('charges built-ins to their caller and keeps GC apart', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
        { id: 2, callFrame: frame('run', 'file:///x/sim/kernel.ts'), children: [3] },
        { id: 3, callFrame: frame('add', 'file:///x/connman/addrman/addrman.ts'), children: [4] },
        { id: 4, callFrame: frame('get', ''), children: [] },
        { id: 5, callFrame: frame('(garbage collector)', ''), children: [] },
      ],
      samples: [2, 3, 4, 4, 5],
      timeDeltas: [10, 10, 10, 10, 10],
    };
    const b = breakdown(profile, 2);
    expect(b.shares.kernel).toBe(0.2);
    expect(b.shares.addrman).toBe(0.6);
    expect(b.shares.gc).toBe(0.2);
    expect(b.samples).toBe(5);
    expect(b.top[0]).toMatch(/^40\.0% get /);
  });
});
