import { describe, expect, it } from 'vitest';
import { Kernel } from '../sim/index.ts';
import { RealTimePacer, pacedKernel } from './realtime.ts';

/** A kernel with an event every 100 ms of virtual time for 10 s; each event may cost wall time. */
function setup(costMicros: number) {
  const kernel = new Kernel();
  let wall = 1_000_000_000;
  const ran: number[] = [];
  const kind = kernel.register((i) => {
    ran.push(i);
    wall += costMicros;
  }, 'tick');
  for (let i = 0; i < 100; i++) kernel.at(i * 100_000, kind, i);
  return { kernel, ran, advanceWall: (d: number) => (wall += d), wallMicros: () => wall };
}

describe('RealTimePacer', () => {
  it('never runs the virtual clock ahead of the wall clock', () => {
    const t = setup(0);
    const pacer = new RealTimePacer(pacedKernel(t.kernel), { wallMicros: t.wallMicros });
    pacer.start();
    // At start only the event at time 0 is due.
    expect(t.ran).toEqual([0]);
    t.advanceWall(1_550_000);
    pacer.catchUp();
    expect(t.kernel.now()).toBe(1_550_000);
    expect(t.ran.length).toBe(16);
    expect(pacer.stats().behindEpisodes).toBe(0);
    pacer.stop();
  });

  it('reports a behind episode when events cost more wall time than they cover, and its end', async () => {
    // Each 100 ms of virtual time costs 250 ms of wall time: the pacer falls behind.
    const t = setup(250_000);
    const episodes: string[] = [];
    let pacer!: RealTimePacer;
    await new Promise<void>((resolve) => {
      pacer = new RealTimePacer(pacedKernel(t.kernel), {
        wallMicros: t.wallMicros,
        sliceEvents: 1,
        endMicros: 2_000_000,
        onBehind: (e) => episodes.push(e.phase),
        onEnd: resolve,
      });
      pacer.start();
    });
    // The episode that was open when the run ended is closed and reported.
    expect(episodes).toEqual(['start', 'end']);
    const s = pacer.stats();
    expect(s.behindEpisodes).toBeGreaterThanOrEqual(1);
    expect(s.maxLagMicros).toBeGreaterThan(100_000);
    // It never ran past the end, and it ran everything due before it.
    expect(t.kernel.now()).toBe(2_000_000);
    expect(t.ran).toEqual([...Array(21).keys()]);
  });
});
