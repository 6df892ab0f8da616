// Churn: Weibull sessions and down times over a bare kernel, one pending timer per node.
import { describe, expect, it } from 'vitest';

import { Kernel, Rng, hours, minutes } from '../../sim/index.ts';
import { Lifetimes, type ChurnOptions, type LifetimeHost } from './lifetimes.ts';

const CHURN: ChurnOptions = { sessionShape: 0.8, sessionScaleMicros: minutes(30), downtimeShape: 1.2, downtimeScaleMicros: minutes(10), crashShare: 0.4 };

/** A host that records what the model does, with nodes that start and stop instantly. */
function fakeHost(nodes: number): { host: LifetimeHost; log: string[]; running: boolean[]; lifetimes?: Lifetimes; kernel: Kernel } {
  const kernel = new Kernel();
  const running = new Array<boolean>(nodes).fill(false);
  const log: string[] = [];
  const out: { host: LifetimeHost; log: string[]; running: boolean[]; lifetimes?: Lifetimes; kernel: Kernel } = {
    kernel,
    log,
    running,
    host: {
      kernel,
      startNode: (i) => {
        running[i] = true;
        log.push(`${kernel.now()} start ${i}`);
        out.lifetimes!.nodeStarted(i);
      },
      stopNode: (i) => {
        running[i] = false;
        log.push(`${kernel.now()} stop ${i}`);
        out.lifetimes!.nodeRetired(i);
      },
      crashNode: (i) => {
        running[i] = false;
        log.push(`${kernel.now()} crash ${i}`);
        out.lifetimes!.nodeRetired(i);
      },
      isRunning: (i) => running[i]!,
    },
  };
  return out;
}

function run(seed: string, nodes: number, exempt: number[] = []): { log: string[]; lifetimes: Lifetimes; kernel: Kernel; maxPending: number } {
  const f = fakeHost(nodes);
  const lifetimes = new Lifetimes(f.host, new Rng(seed).fork('churn'), CHURN);
  f.lifetimes = lifetimes;
  for (const i of exempt) lifetimes.exempt(i);
  for (let i = 0; i < nodes; i++) f.host.startNode(i);
  let maxPending = 0;
  // Step event by event: the queue never holds more than one churn timer per node.
  while (f.kernel.peekTime() !== undefined && f.kernel.peekTime()! <= hours(24)) {
    maxPending = Math.max(maxPending, f.kernel.pending);
    f.kernel.step();
  }
  return { log: f.log, lifetimes, kernel: f.kernel, maxPending };
}

describe('Lifetimes', () => {
  it('alternates up and down for every node, deterministically, with one timer per node', () => {
    const a = run('churn-a', 5);
    const b = run('churn-a', 5);
    expect(a.log).toEqual(b.log);
    expect(run('churn-b', 5).log).not.toEqual(a.log);
    expect(a.maxPending).toBeLessThanOrEqual(5);
    for (let i = 0; i < 5; i++) {
      const mine = a.log.filter((l) => l.endsWith(` ${i}`)).map((l) => l.split(' ')[1]);
      expect(mine.length).toBeGreaterThan(4);
      // start, (stop|crash), start, (stop|crash), ...
      mine.forEach((what, k) => expect(k % 2 === 0 ? what === 'start' : what === 'stop' || what === 'crash').toBe(true));
    }
    const c = a.lifetimes.counters;
    expect(c.crashes + c.stops).toBeGreaterThan(20);
    expect(c.crashes).toBeGreaterThan(0);
    expect(c.stops).toBeGreaterThan(0);
  });

  it('does not churn exempt nodes, and other nodes keep their own lifetimes', () => {
    const base = run('churn-x', 3);
    const ex = run('churn-x', 3, [1]);
    expect(ex.log.filter((l) => l.endsWith(' 1'))).toEqual(['0 start 1']);
    // Per-node streams: nodes 0 and 2 do exactly what they did without the exemption.
    for (const i of [0, 2]) expect(ex.log.filter((l) => l.endsWith(` ${i}`))).toEqual(base.log.filter((l) => l.endsWith(` ${i}`)));
  });

  it('a stop by someone else ends the node\'s churn until it is started again', () => {
    const f = fakeHost(1);
    const lifetimes = new Lifetimes(f.host, new Rng('ext'), CHURN);
    f.lifetimes = lifetimes;
    f.host.startNode(0);
    expect(lifetimes.pending(0)?.phase).toBe('up');
    f.host.stopNode(0);
    expect(lifetimes.pending(0)).toBeNull();
    expect(f.kernel.pending).toBe(0);
    f.kernel.run({ until: hours(10) });
    expect(f.running[0]).toBe(false);
  });

  it('rejects bad parameters', () => {
    const f = fakeHost(1);
    expect(() => new Lifetimes(f.host, new Rng(1), { ...CHURN, crashShare: 1.5 })).toThrow(RangeError);
    expect(() => new Lifetimes(f.host, new Rng(1), { ...CHURN, sessionShape: 0 })).toThrow();
  });
});
