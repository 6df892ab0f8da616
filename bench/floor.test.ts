// Tests for bench/floor.ts: how profile samples are charged to subsystems (helpers and built-ins
// charge their caller, an anonymous callback under the event loop charges its own file), the floor
// arithmetic, and the op counters' snapshot difference.
import { describe, expect, it } from 'vitest';
import { OP_COUNTS, Op, snapshotOpCounts } from '../connman/util/op-counts.ts';
import type { CpuProfile } from './cpu-profile.ts';
import { floorRecord, floorSeconds, opCountsSince, subsystemShares, type RunTotals } from './floor.ts';
import type { PrimitiveCosts } from './floor-primitives.ts';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
const F = 'file:///repo/';

describe('subsystemShares', () => {
  it('charges helpers to their caller, closures under the loop to their file, and keeps GC apart', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 9] },
        { id: 2, callFrame: frame('run', `${F}sim/kernel.ts`), children: [3, 6, 8] },
        { id: 3, callFrame: frame('relayAddress', `${F}connman/net_processing/peerman.ts`), children: [4] },
        { id: 4, callFrame: frame('finalizeWithU64Into', `${F}connman/util/hash.ts`), children: [5] },
        { id: 5, callFrame: frame('get', ''), children: [] },
        { id: 6, callFrame: frame('', `${F}connman/net/connman.ts`), children: [7] },
        { id: 7, callFrame: frame('randbits', `${F}connman/util/random.ts`), children: [] },
        { id: 8, callFrame: frame('addrManToBytes', `${F}connman/addrman/serialize.ts`), children: [] },
        { id: 9, callFrame: frame('(garbage collector)', ''), children: [] },
      ],
      samples: [2, 3, 4, 5, 7, 8, 9, 9],
      timeDeltas: [1, 1, 1, 1, 1, 1, 1, 1],
    };
    const s = subsystemShares(profile);
    expect(s.kernel).toBe(1 / 8);
    expect(s.relay).toBe(3 / 8);
    expect(s.connman).toBe(1 / 8);
    expect(s.dump).toBe(1 / 8);
    expect(s.gc).toBe(2 / 8);
    expect(Object.values(s).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('splits connman.ts by function: the open-connections path, messages and the rest', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
        { id: 2, callFrame: frame('ocGrantPhase', `${F}connman/net/connman.ts`), children: [] },
        { id: 3, callFrame: frame('pushMessage', `${F}connman/net/connman.ts`), children: [] },
        { id: 4, callFrame: frame('acceptConnection', `${F}connman/net/connman.ts`), children: [] },
      ],
      samples: [2, 3, 4, 4],
      timeDeltas: [1, 1, 1, 1],
    };
    const s = subsystemShares(profile);
    expect(s.connect).toBe(0.25);
    expect(s.messages).toBe(0.25);
    expect(s.connman).toBe(0.5);
  });
});

describe('floor arithmetic', () => {
  const costs = Object.fromEntries(
    ['event', 'message', 'connection', 'addrEntry', 'sipKey', 'bloomOp', 'amAdd', 'amGood', 'amAttempt', 'amConnected', 'amSelect', 'amGetAddr', 'amSetServices', 'amSelectCollision', 'amResolve', 'selectTry', 'connAttempt', 'dumpRow', 'nodeSample', 'invariantNode', 'eventRecorded', 'dispatch'].map((k) => [k, 10]),
  ) as unknown as PrimitiveCosts;
  const run: RunTotals = { cpuS: 2, events: 1e6, pending: 1000, messagesSent: 1e5, messagesDelivered: 1e5, connectsAttempted: 1e4, connectsSucceeded: 5e3, addrmanEntries: 300 };

  it('is count times cost, per subsystem', () => {
    const ops = snapshotOpCounts();
    for (const k of Object.keys(ops) as (keyof typeof ops)[]) ops[k] = 0;
    ops.relayScan = 1e6;
    ops.relayCall = 1e4;
    ops.dumpRow = 5e5;
    const f = floorSeconds(run, ops, costs);
    expect(f.kernel).toBeCloseTo(0.01, 12);
    expect(f.relay).toBeCloseTo((1e6 + 2e4) * 10e-9, 12);
    expect(f.dump).toBeCloseTo(0.005, 12);
    expect(f.observe).toBeCloseTo(1e6 * 10e-9, 12);
    expect(f.gc).toBe(0);
    const rec = floorRecord('t', run, ops, costs, { kernel: 0.5, network: 0, messages: 0, connman: 0, connect: 0, relay: 0.5, addrman: 0, dump: 0, observe: 0, gc: 0, other: 0 }) as {
      subsystems: Record<string, { measuredS: number; ratio: number | null }>;
    };
    expect(rec.subsystems.kernel!.measuredS).toBe(1);
    expect(rec.subsystems.kernel!.ratio).toBe(100);
    expect(rec.subsystems.gc!.ratio).toBeNull();
  });

  it('counts only what happened since the snapshot', () => {
    const before = snapshotOpCounts();
    OP_COUNTS[Op.sipKey] += 3;
    OP_COUNTS[Op.dumpRow] += 7;
    const d = opCountsSince(before);
    expect(d.sipKey).toBe(3);
    expect(d.dumpRow).toBe(7);
    expect(d.bloomOp).toBe(0);
  });
});
