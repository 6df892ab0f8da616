// Time units of the port: the Clock counts integer microseconds (ports.ts Micros), while Core's
// AddrMan, peers.dat and most protocol fields count whole seconds. One constant, one conversion.

import type { Micros } from '../ports.ts';

/** Microseconds in a second. */
export const MICROS_PER_SECOND = 1_000_000;

/** Whole seconds of a clock reading: Core's TicksSinceEpoch<std::chrono::seconds> (floor; times are never negative here). */
export function secondsOf(micros: Micros): number {
  return Math.floor(micros / MICROS_PER_SECOND);
}
