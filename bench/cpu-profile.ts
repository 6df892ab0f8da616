// CPU profiling for benchmarks: starts and stops V8's sampling profiler through node:inspector in
// this thread, and folds a profile into shares of time per simulator subsystem (kernel, addrman,
// connman, message handling, network, rng, scenarios, gc, other) plus the hottest functions. It
// does not run anything itself; bench cases wrap their measured work with it.

import { Session } from 'node:inspector';

/** One node of a V8 .cpuprofile (only the fields used here). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A running profiler; stop() returns the profile. */
export interface CpuProfiler {
  stop(): CpuProfile;
}

/** Starts the V8 sampling profiler with the given interval (µs). Inspector callbacks run synchronously. */
export function startCpuProfiler(intervalMicros: number): CpuProfiler {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: Record<string, unknown>): unknown => {
    let out: unknown;
    let failure: Error | null = null;
    session.post(method, params ?? {}, (err, res) => {
      failure = err;
      out = res;
    });
    if (failure !== null) throw failure;
    return out;
  };
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: intervalMicros });
  post('Profiler.start');
  return {
    stop() {
      const res = post('Profiler.stop') as { profile: CpuProfile } | undefined;
      post('Profiler.disable');
      session.disconnect();
      if (res === undefined) throw new Error('cpu-profile: the inspector answered asynchronously');
      return res.profile;
    },
  };
}

/** The subsystem a source URL belongs to, or undefined for frames without our source (natives, node internals). */
export function subsystemOf(url: string): string | undefined {
  const m = /\/(sim|connman|scenarios|reports|bench|cli)\/((?:[a-z_]+\/)*)([^/?#]+)\.ts/.exec(url);
  if (m === null) return undefined;
  const [, dir, sub, file] = m as unknown as [string, string, string, string];
  const folder = sub.split('/')[0] ?? '';
  if (dir === 'sim') {
    if (file === 'kernel') return 'kernel';
    if (file === 'network' || file === 'latency') return 'network';
    if (file === 'rng' || file === 'distributions') return 'rng';
    return 'other';
  }
  if (dir === 'cli' && file === 'addr-placement') return 'addrman';
  if (dir === 'connman') {
    if (folder === 'addrman' || file.startsWith('addrman')) return 'addrman';
    if (folder === 'net_processing' || file === 'messages' || file === 'rolling-bloom' || file === 'serialize' || file === 'protocol') return 'messages';
    if (file === 'random' || file === 'chacha20' || file === 'shuffle') return 'rng';
    return 'connman';
  }
  if (dir === 'scenarios') return 'scenarios';
  return 'other';
}

export interface ProfileBreakdown {
  /** Share of sampled time per subsystem, 0..1, rounded to 3 places. */
  shares: Record<string, number>;
  /** The hottest functions by self time: "share name file:line". */
  top: string[];
  samples: number;
}

/**
 * Folds a profile into subsystem shares. A sample's self time goes to its frame's subsystem; frames
 * without our source (built-ins such as Map.get, node internals) inherit the nearest ancestor's, so
 * a Map lookup inside AddrMan counts as AddrMan. Garbage collection is its own share.
 */
export function breakdown(profile: CpuProfile, topN: number): ProfileBreakdown {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const category = new Map<number, string>();
  const categoryOf = (id: number): string => {
    const known = category.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    let c: string;
    const fn = n.callFrame.functionName;
    if (fn === '(garbage collector)') c = 'gc';
    else if (fn === '(idle)' || fn === '(program)' || fn === '(root)') c = 'other';
    else {
      const own = subsystemOf(n.callFrame.url);
      const p = parent.get(id);
      c = own ?? (p !== undefined ? categoryOf(p) : 'other');
    }
    category.set(id, c);
    return c;
  };
  const time = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    total += dt;
    const c = categoryOf(id);
    time.set(c, (time.get(c) ?? 0) + dt);
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const order = ['kernel', 'addrman', 'connman', 'messages', 'network', 'rng', 'scenarios', 'gc', 'other'];
  const shares: Record<string, number> = {};
  for (const k of order) shares[k] = total > 0 ? Math.round((1000 * (time.get(k) ?? 0)) / total) / 1000 : 0;
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, topN)
    .map(([k, t]) => `${((100 * t) / Math.max(1, total)).toFixed(1)}% ${k}`);
  return { shares, top, samples: profile.samples.length };
}
