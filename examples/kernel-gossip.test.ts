import { describe, expect, it } from 'vitest';
import { minutes } from '../sim/index.ts';
import { runDemo } from './kernel-gossip.ts';

describe('demo', () => {
  const options = { hosts: 40, durationMicros: minutes(30) };

  it('same seed twice gives the same summary and digest; another seed another digest', () => {
    const a = runDemo({ seed: 7, ...options });
    const b = runDemo({ seed: 7, ...options });
    const c = runDemo({ seed: 8, ...options });
    expect(b).toEqual(a);
    expect(a.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(c.digest).not.toBe(a.digest);
    expect(runDemo({ seed: '7', ...options }).digest).toBe(a.digest); // 7 and "7" are one seed
  });

  it('does real work: connections, pings, rumours reaching most hosts, churn', () => {
    const s = runDemo({ seed: 'busy', ...options });
    expect(s.simulatedMicros).toBe(minutes(30));
    expect(s.simulated).toBe('30m');
    expect(s.connectionsOpened).toBeGreaterThan(options.hosts * 2);
    expect(s.messagesDelivered).toBeGreaterThan(10_000);
    expect(s.bytesDelivered).toBeGreaterThan(s.messagesDelivered * 32);
    expect(s.rumoursStarted).toBeGreaterThan(0);
    expect(Number.parseFloat(s.rumourCoverage)).toBeGreaterThan(50);
    expect(s.hostCrashes).toBeGreaterThan(0);
    expect(s.eventsProcessed).toBeGreaterThan(s.messagesDelivered);
  });

  it('a trace sink receives one JSON line per event, deterministically', () => {
    const lines: string[] = [];
    const s = runDemo({ seed: 1, hosts: 5, durationMicros: minutes(2), traceSink: (l) => lines.push(l) });
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines.slice(0, 50)) expect(() => JSON.parse(l)).not.toThrow();
    expect(JSON.parse(lines[0]!)).toHaveProperty('t');
    const again: string[] = [];
    const s2 = runDemo({ seed: 1, hosts: 5, durationMicros: minutes(2), traceSink: (l) => again.push(l) });
    expect(again).toEqual(lines);
    expect(s2.digest).toBe(s.digest);
  });

  it('rejects bad options', () => {
    expect(() => runDemo({ seed: 1, hosts: 1, durationMicros: 10 })).toThrow(RangeError);
    expect(() => runDemo({ seed: 1, hosts: 3, durationMicros: -1 })).toThrow(RangeError);
  });
});
