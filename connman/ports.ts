// The ports connman/ needs from the world: everything it does not own is handed in through these
// interfaces, so the port never imports sim/ and could run over a real clock and real sockets.
// This file holds only contracts; implementations live in scenarios/ (simulation) and tests.
// More ports (scheduler, transport, event sink, file store) are added with the Connman layer.

/** Time in integer microseconds since the simulation epoch (or the Unix epoch on a real clock). */
export type Micros = number;

/** Core's mockable node clock (`NodeClock::now()`), in integer microseconds. */
export interface Clock {
  nowMicros(): Micros;
}

/**
 * The random source a Core object draws from: the subset of Core's `FastRandomContext` /
 * `RandomMixin` (random.h) that the ported code calls. Each method consumes randomness exactly as
 * Core's method of the same name does, so that an implementation backed by Core's ChaCha20 stream
 * (connman/random.ts) reproduces Core's draws bit for bit.
 */
export interface Rng {
  /** `RandomMixin::randbits(bits)`: a uniform integer of `bits` bits, 0 <= bits <= 32 here. */
  randbits(bits: number): number;
  /** `RandomMixin::randrange(range)`: a uniform integer in [0, range), 1 <= range <= 2^32. */
  randrange(range: number): number;
  /** `RandomMixin::randbool()`: one random bit. */
  randbool(): boolean;
  /** `FastRandomContext::rand64()`: 64 uniform bits. */
  rand64(): bigint;
  /** `RandomMixin::rand_exp_duration(mean)`: exponential with that mean, rounded to the microsecond. */
  randExpDurationMicros(meanMicros: Micros): Micros;
}
