// Scenario code runs with the sources of nondeterminism unavailable: while a scenario file is
// loaded and while its script and callbacks run, Math.random, Date, performance.now, the timers,
// queueMicrotask, Promise, crypto's random functions and process.hrtime / process.uptime throw a
// NondeterminismError naming the call and what to use instead. A run that used them would differ
// between reruns and still replay "OK"; now it fails at once, with the line that did it. The
// simulator's own code never uses them (tools/lint.ts checks that); the CLI restores them between
// slices of simulation, where it does its own I/O and timing.

import { ScenarioError } from '../scenarios/dsl/scenario.ts';

/** A scenario called something whose result is not a function of the seed. */
export class NondeterminismError extends ScenarioError {}

function refuse(call: string, instead: string): never {
  throw new NondeterminismError(`${call} is not available to scenario code (its result would differ between reruns of the same seed): ${instead}`);
}

interface Saved {
  target: object;
  key: string;
  /** The property as it was (undefined: absent), restored exactly. */
  descriptor: PropertyDescriptor | undefined;
}

const RNG = 'draw from s.rng, the run\'s own seeded stream';
const CLOCK = 'read simulated time with s.now()';
const TIMER = 'schedule on simulated time with s.after(), s.every() or yield s.wait()';

/** What a guard replaces: every source, or only the sources of values (a module loader needs timers and Promises). */
export type GuardScope = 'all' | 'values';

/** The replacements, by target and property. */
function replacements(scope: GuardScope): [object, string, unknown][] {
  const g = globalThis as Record<string, unknown>;
  const out: [object, string, unknown][] = [
    [Math, 'random', () => refuse('Math.random()', RNG)],
    [g, 'Date', new Proxy(Date, { construct: () => refuse('new Date()', CLOCK), apply: () => refuse('Date()', CLOCK), get: (t, k) => (k === 'now' ? () => refuse('Date.now()', CLOCK) : Reflect.get(t, k)) })],
    [g, 'setTimeout', () => refuse('setTimeout()', TIMER)],
    [g, 'setInterval', () => refuse('setInterval()', TIMER)],
    [g, 'setImmediate', () => refuse('setImmediate()', TIMER)],
    [g, 'queueMicrotask', () => refuse('queueMicrotask()', TIMER)],
    [g, 'Promise', new Proxy(Promise, { construct: () => refuse('new Promise()', 'a scenario is synchronous: use yield s.wait() between steps'), get: (t, k) => (typeof k === 'string' && ['resolve', 'reject', 'all', 'race', 'any', 'allSettled'].includes(k) ? () => refuse(`Promise.${k}()`, 'a scenario is synchronous: use yield s.wait() between steps') : Reflect.get(t, k)) })],
    [process, 'hrtime', Object.assign(() => refuse('process.hrtime()', CLOCK), { bigint: () => refuse('process.hrtime.bigint()', CLOCK) })],
    [process, 'uptime', () => refuse('process.uptime()', CLOCK)],
  ];
  if (scope === 'values') return [...out.filter(([t, k]) => t === Math || (t === g && k === 'Date') || t === process), ...cryptoAndPerformance(g)];
  out.push(...cryptoAndPerformance(g));
  return out;
}

function cryptoAndPerformance(g: Record<string, unknown>): [object, string, unknown][] {
  const out: [object, string, unknown][] = [];
  if (typeof g.performance === 'object' && g.performance !== null) out.push([g.performance as object, 'now', () => refuse('performance.now()', CLOCK)]);
  const crypto = g.crypto as Record<string, unknown> | undefined;
  if (crypto !== undefined) {
    out.push([crypto, 'getRandomValues', () => refuse('crypto.getRandomValues()', RNG)]);
    out.push([crypto, 'randomUUID', () => refuse('crypto.randomUUID()', RNG)]);
  }
  return out;
}

/** Makes the sources of nondeterminism unavailable while entered; nests (the outermost scope holds). */
export class DeterminismGuard {
  private depth = 0;
  private saved: Saved[] = [];

  enter(scope: GuardScope = 'all'): void {
    if (this.depth++ > 0) return;
    for (const [target, key, value] of replacements(scope)) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor !== undefined && descriptor.configurable !== true) continue;
      this.saved.push({ target, key, descriptor });
      Object.defineProperty(target, key, { value, configurable: true, writable: true, enumerable: descriptor?.enumerable ?? false });
    }
  }

  leave(): void {
    if (this.depth === 0 || --this.depth > 0) return;
    for (const s of this.saved.reverse()) {
      if (s.descriptor !== undefined) Object.defineProperty(s.target, s.key, s.descriptor);
      else delete (s.target as Record<string, unknown>)[s.key];
    }
    this.saved = [];
  }

  /** Runs `fn` with the guard entered. */
  run<T>(fn: () => T): T {
    this.enter();
    try {
      return fn();
    } finally {
      this.leave();
    }
  }
}

/** The process's guard (the CLI and the sweep workers share this one per thread). */
export const determinismGuard = new DeterminismGuard();
