// Latency models for the simulated network: how long one packet takes from one host to another.
// The network (network.ts) asks the model once per packet (connection handshakes and each
// message), so a model may be fixed per link or draw fresh jitter each time; ordering on a
// connection is kept by the network, not here. Bandwidth is a host property, not a latency model.

import type { Micros } from './time.ts';

/** One-way latency of a packet from host `from` to host `to`; hosts' regions are passed for region-based models. */
export interface LatencyModel {
  oneWayMicros(from: number, to: number, fromRegion: number, toRegion: number): Micros;
  /**
   * True when every packet between the same two hosts takes the same time and asking draws
   * nothing, so a path's latency can be computed ahead (Network.fixedLatency).
   */
  readonly fixed?: boolean;
}

function toMicros(x: number): Micros {
  // Latencies are integer microseconds and never negative (a normal jitter may dip below zero).
  return x > 0 ? Math.round(x) : 0;
}

/** Every packet takes exactly `micros`. */
export function constantLatency(micros: Micros): LatencyModel {
  if (!(micros >= 0) || !Number.isFinite(micros)) throw new RangeError(`constantLatency: micros must be finite and >= 0, got ${micros}`);
  const m = Math.round(micros);
  return { oneWayMicros: () => m, fixed: true };
}

/** Each packet draws its latency (µs) from `draw` (e.g. a sampler from distributions.ts); rounded, clamped at 0. */
export function sampledLatency(draw: () => number): LatencyModel {
  return { oneWayMicros: () => toMicros(draw()) };
}

/**
 * A region matrix: `matrixMicros[fromRegion][toRegion]` is the base one-way latency, plus an
 * optional per-packet jitter draw (µs). Every host's region must index the matrix.
 */
export function regionLatency(matrixMicros: readonly (readonly number[])[], jitter?: () => number): LatencyModel {
  const n = matrixMicros.length;
  const flat = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = matrixMicros[i]!;
    if (row.length !== n) throw new RangeError(`regionLatency: row ${i} has ${row.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const v = row[j]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`regionLatency: entry [${i}][${j}] must be finite and >= 0, got ${v}`);
      flat[i * n + j] = v;
    }
  }
  return {
    fixed: jitter === undefined,
    oneWayMicros(_from, _to, fromRegion, toRegion) {
      if (!(fromRegion >= 0 && fromRegion < n && toRegion >= 0 && toRegion < n)) {
        throw new RangeError(`regionLatency: region ${fromRegion} or ${toRegion} outside the ${n}x${n} matrix`);
      }
      const base = flat[fromRegion * n + toRegion]!;
      return toMicros(jitter === undefined ? base : base + jitter());
    },
  };
}

/**
 * Links that differ: every pair of hosts gets its own one-way latency, `base` (e.g. a region
 * matrix) times a factor drawn once for the pair by `factorOf(a, b)` (a < b; the same both ways),
 * plus an optional per-packet jitter. The factor is asked for once per pair and kept, so it may be
 * drawn from a stream of the pair's own (its value then does not depend on the order links are
 * first used). Fixed (the analytic ping path applies) when `base` is and there is no jitter.
 */
export function perLinkLatency(base: LatencyModel, factorOf: (a: number, b: number) => number, jitter?: () => number): LatencyModel {
  const factors = new Map<number, number>();
  // Host ids are small integers: one number keys a pair (below 2^53 for up to 2^26 hosts).
  const SPAN = 67_108_864;
  return {
    fixed: base.fixed === true && jitter === undefined,
    oneWayMicros(from, to, fromRegion, toRegion) {
      const a = from < to ? from : to;
      const b = from < to ? to : from;
      const key = a * SPAN + b;
      let f = factors.get(key);
      if (f === undefined) {
        f = factorOf(a, b);
        if (!(f >= 0) || !Number.isFinite(f)) throw new RangeError(`perLinkLatency: the factor of link ${a}-${b} must be finite and >= 0, got ${f}`);
        factors.set(key, f);
      }
      const t = base.oneWayMicros(from, to, fromRegion, toRegion) * f;
      return toMicros(jitter === undefined ? t : t + jitter());
    },
  };
}
