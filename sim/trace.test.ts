import { describe, expect, it } from 'vitest';
import { Trace } from './trace.ts';

describe('Trace', () => {
  it('digest is a pure function of the recorded events, sensitive to every field and to order', () => {
    const build = (events: [number, number, number, number][]) => {
      const t = new Trace();
      t.define('a');
      t.define('b');
      for (const [time, code, x, y] of events) t.record(time, code, x, y);
      return t.digest();
    };
    const base: [number, number, number, number][] = [
      [1, 0, 5, 6],
      [2, 1, 7, 8],
    ];
    expect(build(base)).toBe(build(base));
    expect(build(base)).toMatch(/^[0-9a-f]{16}$/);
    const variants = [
      [[1, 0, 5, 6], [3, 1, 7, 8]],
      [[1, 1, 5, 6], [2, 1, 7, 8]],
      [[1, 0, 5, 6], [2, 1, 7, 9]],
      [[1, 0, 5.5, 6], [2, 1, 7, 8]],
      [[2, 1, 7, 8], [1, 0, 5, 6]],
      [[1, 0, 5, 6]],
      [[1, 0, 5, 6], [2, 1, 7, 8], [2, 1, 7, 8]],
      [[1, 0, 2 ** 40 + 5, 6], [2, 1, 7, 8]],
    ] as [number, number, number, number][][];
    const digests = new Set([build(base), ...variants.map(build)]);
    expect(digests.size).toBe(variants.length + 1);
    expect(new Trace().digest()).toBe(new Trace().digest());
  });

  it('reading the digest does not change it; mixString and numbers both count', () => {
    const t = new Trace();
    t.mix(1);
    const d = t.digest();
    expect(t.digest()).toBe(d);
    t.mixString('x');
    expect(t.digest()).not.toBe(d);
  });

  it('writes one deterministic JSON line per event to the sink, with declared names', () => {
    const lines: string[] = [];
    const t = new Trace((l) => lines.push(l));
    const deliver = t.define('net.deliver', 'socket', 'bytes');
    t.record(1500, deliver, 3, 250);
    t.nameKinds((k) => (k === 0 ? 'tick' : 'other'));
    t.onEvent(2000, 0, 7);
    expect(lines).toEqual(['{"t":1500,"ev":"net.deliver","socket":3,"bytes":250}', '{"t":2000,"ev":"tick","arg":7}']);
    expect(t.events).toBe(2);
  });

  it('a sink does not change the digest', () => {
    const a = new Trace();
    const b = new Trace(() => {});
    for (const t of [a, b]) {
      const c = t.define('x');
      t.record(10, c, 1, 2);
      t.onEvent(11, 3, 4);
    }
    expect(a.digest()).toBe(b.digest());
  });
});
