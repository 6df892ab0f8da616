// The outbound upload target (Core's -maxuploadtarget, net.cpp): bytes sent in a 24-hour cycle
// against a limit, and the questions net_processing asks of it (time left in the cycle, target
// reached, bytes left). Pure state over explicit times; it does not decide what to refuse to
// serve (net_processing's block serving, which the port does not model: blocks are a height and a
// size, never re-served from disk) and does not parse option strings beyond Core's size suffixes.

import type { Micros } from '../ports.ts';
import { MICROS_PER_SECOND } from '../util/time.ts';


/** Core keeps the cycle in whole seconds (GetTime<std::chrono::seconds>). */
function wholeSeconds(t: Micros): Micros {
  return Math.floor(t / MICROS_PER_SECOND) * MICROS_PER_SECOND;
}

/** The cycle length. */
// Core: net.cpp MAX_UPLOAD_TIMEFRAME
export const MAX_UPLOAD_TIMEFRAME: Micros = 24 * 3600 * MICROS_PER_SECOND;

/** Default -maxuploadtarget: 0 = unlimited. */
// Core: net.h DEFAULT_MAX_UPLOAD_TARGET ("0M")
export const DEFAULT_MAX_UPLOAD_TARGET = 0;

/** The largest block message, used as the per-10-minute buffer of the historical check. */
// Core: consensus/consensus.h MAX_BLOCK_SERIALIZED_SIZE
export const MAX_BLOCK_SERIALIZED_SIZE = 4_000_000;

/**
 * Parses a -maxuploadtarget value: a bare number is MiB; k/m/g/t are powers of 1000 and K/M/G/T
 * powers of 1024 (bytes). Throws on anything else.
 */
// Core: util/strencodings.cpp ParseByteUnits (default unit M)
export function parseByteUnits(text: string): number {
  const m = /^(\d+)([kmgtKMGT]?)$/.exec(text);
  if (m === null) throw new Error(`Unable to parse -maxuploadtarget: '${text}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const mult: Record<string, number> = {
    '': 2 ** 20,
    k: 1e3,
    m: 1e6,
    g: 1e9,
    t: 1e12,
    K: 2 ** 10,
    M: 2 ** 20,
    G: 2 ** 30,
    T: 2 ** 40,
  };
  return n * mult[unit]!;
}

export class UploadTarget {
  /** nMaxOutboundLimit, bytes; 0 = unlimited. */
  maxOutboundLimit: number;
  /** nMaxOutboundCycleStartTime; 0 = no cycle started yet. */
  cycleStartMicros: Micros = 0;
  /** nMaxOutboundTotalBytesSentInCycle. */
  sentInCycle = 0;
  /** nTotalBytesSent. */
  totalBytesSent = 0;

  constructor(maxOutboundLimit: number = DEFAULT_MAX_UPLOAD_TARGET) {
    this.maxOutboundLimit = maxOutboundLimit;
  }

  // Core: net.cpp CConnman::RecordBytesSent
  recordBytesSent(bytes: number, nowMicros: Micros): void {
    this.totalBytesSent += bytes;
    const now = wholeSeconds(nowMicros);
    if (this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME < now) {
      // A new cycle starts at the first send after the old one ended.
      this.cycleStartMicros = now;
      this.sentInCycle = 0;
    }
    this.sentInCycle += bytes;
  }

  // Core: net.cpp CConnman::GetMaxOutboundTimeframe
  getMaxOutboundTimeframe(): Micros {
    return MAX_UPLOAD_TIMEFRAME;
  }

  // Core: net.cpp CConnman::GetMaxOutboundTimeLeftInCycle_
  getMaxOutboundTimeLeftInCycle(nowMicros: Micros): Micros {
    if (this.maxOutboundLimit === 0) return 0;
    if (this.cycleStartMicros === 0) return MAX_UPLOAD_TIMEFRAME;
    const end = this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME;
    const now = wholeSeconds(nowMicros);
    return end < now ? 0 : end - now;
  }

  /**
   * Whether the target is reached. In historical mode a buffer of one maximal block per remaining
   * 10 minutes is kept back, so that serving old blocks stops early enough to leave room for new
   * blocks until the cycle ends.
   */
  // Core: net.cpp CConnman::OutboundTargetReached
  outboundTargetReached(historicalBlockServingLimit: boolean, nowMicros: Micros): boolean {
    if (this.maxOutboundLimit === 0) return false;
    if (historicalBlockServingLimit) {
      const timeLeft = this.getMaxOutboundTimeLeftInCycle(nowMicros);
      const buffer = Math.floor(timeLeft / (600 * MICROS_PER_SECOND)) * MAX_BLOCK_SERIALIZED_SIZE;
      if (buffer >= this.maxOutboundLimit || this.sentInCycle >= this.maxOutboundLimit - buffer) return true;
    } else if (this.sentInCycle >= this.maxOutboundLimit) {
      return true;
    }
    return false;
  }

  // Core: net.cpp CConnman::GetOutboundTargetBytesLeft
  getOutboundTargetBytesLeft(): number {
    if (this.maxOutboundLimit === 0) return 0;
    return this.sentInCycle >= this.maxOutboundLimit ? 0 : this.maxOutboundLimit - this.sentInCycle;
  }
}
