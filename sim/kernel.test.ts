import { describe, expect, it } from 'vitest';
import { Kernel, ScheduleError } from './kernel.ts';
import { Trace } from './trace.ts';

describe('Kernel ordering', () => {
  it('runs events in time order and ties in scheduling order (FIFO)', () => {
    const k = new Kernel();
    const log: string[] = [];
    const kind = k.register((arg) => log.push(`${k.now()}:${arg}`));
    k.at(20, kind, 1);
    k.at(10, kind, 2);
    k.at(20, kind, 3);
    k.at(10, kind, 4);
    k.at(0, kind, 5);
    k.at(20, kind, 6);
    expect(k.run()).toBe(6);
    expect(log).toEqual(['0:5', '10:2', '10:4', '20:1', '20:3', '20:6']);
    expect(k.processed).toBe(6);
    expect(k.pending).toBe(0);
  });

  it('keeps FIFO for events scheduled at the current time from inside a handler', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => {
      log.push(arg);
      if (arg < 3) k.after(0, kind, arg + 10);
    });
    k.at(5, kind, 1);
    k.at(5, kind, 2);
    k.run();
    expect(log).toEqual([1, 2, 11, 12]);
  });

  it('orders many random events exactly as a sort by (time, seq) would', () => {
    const k = new Kernel();
    const seen: number[] = [];
    const kind = k.register((arg) => seen.push(arg));
    const expected: { t: number; i: number }[] = [];
    let x = 12345;
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const t = x % 97; // many ties
      k.at(t, kind, i);
      expected.push({ t, i });
    }
    expected.sort((a, b) => a.t - b.t || a.i - b.i);
    k.run();
    expect(seen).toEqual(expected.map((e) => e.i));
  });

  it('closure events interleave with registered kinds in (time, seq) order', () => {
    const k = new Kernel();
    const log: string[] = [];
    const kind = k.register((arg) => log.push(`k${arg}`));
    k.schedule(5, () => log.push('c1'));
    k.at(5, kind, 1);
    k.scheduleAfter(5, () => log.push('c2'));
    k.at(1, kind, 0);
    k.run();
    expect(log).toEqual(['k0', 'c1', 'k1', 'c2']);
  });
});

describe('Kernel cancellation', () => {
  it('cancels pending events and ignores stale handles', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => log.push(arg));
    const a = k.at(10, kind, 1);
    const b = k.at(20, kind, 2);
    expect(k.pending).toBe(2);
    expect(k.cancel(a)).toBe(true);
    expect(k.cancel(a)).toBe(false); // already cancelled
    expect(k.isPending(a)).toBe(false);
    expect(k.pending).toBe(1);
    k.run();
    expect(log).toEqual([2]);
    expect(k.cancel(b)).toBe(false); // already ran
    // A stale handle must not cancel a new event that reuses its slot.
    const c = k.at(30, kind, 3);
    expect(k.cancel(a)).toBe(false);
    expect(k.cancel(b)).toBe(false);
    expect(k.isPending(c)).toBe(true);
    k.run();
    expect(log).toEqual([2, 3]);
    expect(k.cancel(-1)).toBe(false);
    expect(k.cancel(2 ** 40 + 7)).toBe(false);
  });

  it('cancels from inside a handler, including its own handle and same-time events', () => {
    const k = new Kernel();
    const log: number[] = [];
    let later = -1;
    let sameTime = -1;
    let self = -1;
    const kind = k.register((arg) => {
      log.push(arg);
      if (arg === 1) {
        expect(k.cancel(self)).toBe(false); // the running event is no longer pending
        expect(k.cancel(sameTime)).toBe(true);
        expect(k.cancel(later)).toBe(true);
      }
    });
    self = k.at(10, kind, 1);
    sameTime = k.at(10, kind, 2);
    later = k.at(50, kind, 3);
    k.at(60, kind, 4);
    k.run();
    expect(log).toEqual([1, 4]);
    expect(k.processed).toBe(2);
  });

  it('compacts the heap when cancelled events pile up, without losing live ones', () => {
    const k = new Kernel();
    let fired = 0;
    const kind = k.register(() => fired++);
    const keep: number[] = [];
    for (let round = 0; round < 20_000; round++) {
      const h = k.at(1_000 + round, kind, round);
      if (round % 10 === 0) keep.push(h);
      else k.cancel(h);
    }
    expect(k.pending).toBe(keep.length);
    k.run();
    expect(fired).toBe(keep.length);
  });
});

describe('Kernel run control', () => {
  it('run({until}) stops at the horizon and leaves the clock there', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => log.push(arg));
    k.at(10, kind, 1);
    k.at(100, kind, 2);
    k.at(101, kind, 3);
    expect(k.run({ until: 100 })).toBe(2); // inclusive of events at `until`
    expect(k.now()).toBe(100);
    expect(k.run({ until: 500 })).toBe(1);
    expect(k.now()).toBe(500); // queue ran dry at 101: the clock still moves to the horizon
    expect(k.run({ until: 500 })).toBe(0);
    expect(() => k.run({ until: 400 })).toThrow(ScheduleError);
  });

  it('stop() ends run() after the current event and leaves the clock at that event', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => {
      log.push(arg);
      if (arg === 2) k.stop();
    });
    for (let i = 1; i <= 4; i++) k.at(i * 10, kind, i);
    expect(k.run({ until: 1_000 })).toBe(2);
    expect(k.now()).toBe(20);
    expect(k.pending).toBe(2);
    expect(k.run()).toBe(2);
    expect(log).toEqual([1, 2, 3, 4]);
  });

  it('step() processes one event at a time; maxEvents bounds a run', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => log.push(arg));
    for (let i = 0; i < 5; i++) k.at(i, kind, i);
    expect(k.step()).toBe(true);
    expect(log).toEqual([0]);
    expect(k.peekTime()).toBe(1);
    expect(k.run({ maxEvents: 2 })).toBe(2);
    expect(log).toEqual([0, 1, 2]);
    expect(k.now()).toBe(2);
    k.run();
    expect(k.step()).toBe(false);
    expect(k.peekTime()).toBeUndefined();
  });

  it('rejects scheduling in the past, fractional times and unknown kinds', () => {
    const k = new Kernel();
    const kind = k.register(() => {});
    k.at(100, kind);
    k.run();
    expect(() => k.at(99, kind)).toThrow(/in the past/);
    expect(() => k.after(-1, kind)).toThrow(ScheduleError);
    expect(() => k.at(100.5, kind)).toThrow(/integer/);
    expect(() => k.at(Number.NaN, kind)).toThrow(ScheduleError);
    expect(() => k.at(200, kind + 5)).toThrow(/unknown handler/);
    expect(() => k.schedule(50, () => {})).toThrow(/in the past/);
    expect(k.at(100, kind)).toBeGreaterThanOrEqual(0); // now itself is allowed
  });

  it('refuses a nested run() from a handler', () => {
    const k = new Kernel();
    let err: unknown;
    const kind = k.register(() => {
      try {
        k.run();
      } catch (e) {
        err = e;
      }
    });
    k.at(1, kind);
    k.run();
    expect(err).toBeInstanceOf(ScheduleError);
  });

  it('grows past its initial capacity and reuses slots', () => {
    const k = new Kernel();
    let sum = 0;
    const kind = k.register((arg) => {
      sum += arg;
      if (arg < 3) k.after(7, kind, arg + 1);
    });
    for (let i = 0; i < 10_000; i++) k.at(i, kind, 0);
    k.run();
    expect(k.processed).toBe(40_000);
    expect(sum).toBe(10_000 * (0 + 1 + 2 + 3));
  });
});

describe('Kernel observer', () => {
  it('feeds every processed event to an attached trace digest', () => {
    const build = (extra: boolean) => {
      const k = new Kernel();
      const t = new Trace();
      k.observe(t);
      const kind = k.register(() => {});
      k.at(1, kind, 1);
      k.at(2, kind, 2);
      if (extra) k.at(3, kind, 3);
      k.run();
      return t;
    };
    expect(build(false).digest()).toBe(build(false).digest());
    expect(build(false).digest()).not.toBe(build(true).digest());
    expect(build(true).events).toBe(3);
  });
});

describe('Kernel heap against a sorted model', () => {
  // A small deterministic generator (no Math.random in tests that compare orders).
  const lcg = (seed: number) => {
    let x = seed >>> 0;
    return (n: number) => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x % n;
    };
  };

  it('runs exactly the uncancelled events in (time, seq) order through schedule, cancel, partial runs and growth', () => {
    const rand = lcg(99);
    const k = new Kernel();
    const seen: number[] = [];
    const kind = k.register((arg) => seen.push(arg));
    // Model: every scheduled event as (time, seq); cancelled ones are removed from it.
    const model = new Map<number, { time: number; seq: number }>();
    const handles: number[] = [];
    let seq = 0;
    for (let round = 0; round < 30_000; round++) {
      const op = rand(10);
      if (op < 6 || handles.length === 0) {
        const time = k.now() + rand(500); // few distinct times: many ties
        const id = seq++;
        handles[id] = k.at(time, kind, id);
        model.set(id, { time, seq: id });
      } else if (op < 9) {
        // Cancel a random earlier event; it may have run or been cancelled already.
        const id = rand(seq);
        const wasPending = model.has(id) && !seen.includes(id);
        expect(k.isPending(handles[id]!)).toBe(wasPending);
        expect(k.cancel(handles[id]!)).toBe(wasPending);
        model.delete(id);
      } else {
        k.run({ maxEvents: 1 + rand(20) });
      }
      expect(k.pending).toBe(model.size - seen.filter((id) => model.has(id)).length);
    }
    k.run();
    const expected = [...model.values()].sort((a, b) => a.time - b.time || a.seq - b.seq).map((e) => e.seq);
    // Events run during the loop were already in order; the whole run must be the model's order.
    expect(seen).toEqual(expected);
    expect(k.pending).toBe(0);
  }, 30_000);

  it('keeps order and handles valid when cancellations trigger compaction from inside handlers', () => {
    const k = new Kernel();
    const seen: number[] = [];
    const victims: number[] = [];
    const kind = k.register((arg) => {
      seen.push(arg);
      // The first event cancels 9 in every 10 of the others (enough to compact several times).
      if (arg === -1) for (let i = 0; i < victims.length; i++) if (i % 10 !== 0) expect(k.cancel(victims[i]!)).toBe(true);
    });
    k.at(0, kind, -1);
    for (let i = 0; i < 50_000; i++) victims.push(k.at(1 + (i % 777), kind, i));
    expect(k.peekTime()).toBe(0);
    k.run();
    const expected: number[] = [];
    for (let i = 0; i < 50_000; i += 10) expected.push(i);
    expected.sort((a, b) => (a % 777) - (b % 777) || a - b);
    expect(seen).toEqual([-1, ...expected]);
    for (let i = 0; i < victims.length; i++) expect(k.isPending(victims[i]!)).toBe(false);
  });

  it('peekTime and step skip cancelled events at the top', () => {
    const k = new Kernel();
    const log: number[] = [];
    const kind = k.register((arg) => log.push(arg));
    const a = k.at(5, kind, 1);
    const b = k.at(5, kind, 2);
    k.at(9, kind, 3);
    k.cancel(a);
    k.cancel(b);
    expect(k.peekTime()).toBe(9);
    expect(k.step()).toBe(true);
    expect(log).toEqual([3]);
    expect(k.now()).toBe(9);
    expect(k.peekTime()).toBeUndefined();
  });

  it('hands out the same handles as before the inline-key heap (slot reuse order and generations)', () => {
    // Handles are opaque, but scenarios shift them and may log them: their values must not change.
    const k = new Kernel();
    const kind = k.register(() => {});
    const h0 = k.at(10, kind);
    const h1 = k.at(20, kind);
    expect([h0, h1]).toEqual([0, 1]);
    k.cancel(h0); // slot 0 stays in the heap until its entry surfaces
    const h2 = k.at(30, kind);
    expect(h2).toBe(2);
    k.run({ until: 10 }); // the dead entry surfaces: slot 0 is freed with generation 1
    expect(k.at(40, kind)).toBe(2 ** 25);
    k.run();
  });
});
