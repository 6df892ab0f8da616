// The Clock port over the simulation kernel: Core's NodeClock reads the kernel's virtual time
// shifted by a fixed epoch, so simulated nodes see realistic Unix times (AddrMan and the addr
// message rules compare timestamps against constants such as TIME_INIT = 1973, which a clock
// starting at zero would break). It does not schedule anything (see sim-scheduler.ts).

import type { Micros, NodeClock } from '../../connman/ports.ts';
import type { Kernel } from '../../sim/index.ts';

/** Default simulation epoch: 2023-11-14T22:13:20Z, in µs since the Unix epoch. */
export const DEFAULT_EPOCH_MICROS: Micros = 1_700_000_000 * 1_000_000;

/** Unix time = epoch + kernel time. One instance can serve every node: they share one clock. */
export class SimClock implements NodeClock {
  constructor(
    private readonly kernel: Kernel,
    readonly epochMicros: Micros = DEFAULT_EPOCH_MICROS,
  ) {}

  nowMicros(): Micros {
    return this.epochMicros + this.kernel.now();
  }

  /** Simulated time never jumps. */
  jumpedFromMicros(): null {
    return null;
  }

  /** Kernel time of a Unix time in µs (for scheduling at a clock deadline). */
  toKernel(unixMicros: Micros): Micros {
    return unixMicros - this.epochMicros;
  }
}
