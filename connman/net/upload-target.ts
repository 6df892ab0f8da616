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

/** Sends of `bytes` each at first + k·periodMicros (k < count): computed keep-alive traffic. */
export interface SendSeries {
  first: Micros;
  count: number;
  periodMicros: Micros;
  bytes: number;
}

/** How many sends of a series fall in whole seconds up to `lastSecond` (µs of a whole second). */
function sendsUpTo(s: SendSeries, lastSecond: Micros): number {
  const limit = lastSecond + MICROS_PER_SECOND; // a send counts while its time is below this
  if (s.first >= limit) return 0;
  if (s.periodMicros <= 0) return s.count;
  return Math.min(s.count, Math.floor((limit - 1 - s.first) / s.periodMicros) + 1);
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

  /**
   * Sends recorded late (computed keep-alive traffic, recordLateBytesSent) that fall after the
   * current cycle's end: which of them starts the next cycle is known only once every send before
   * it is recorded (placeLateSends). Empty on Core's path.
   */
  private late: SendSeries[] = [];

  constructor(maxOutboundLimit: number = DEFAULT_MAX_UPLOAD_TARGET) {
    this.maxOutboundLimit = maxOutboundLimit;
  }

  /** Whether a send at `nowMicros` would end the current cycle and start the next (Core's test in RecordBytesSent). */
  startsNewCycle(nowMicros: Micros): boolean {
    return this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME < wholeSeconds(nowMicros);
  }

  /**
   * A send now, in time order. When it starts a new cycle, the caller has recorded every send
   * before it (late ones included), so the sends waiting past the old cycle's end are placed
   * with it, in time order.
   */
  // Core: net.cpp CConnman::RecordBytesSent
  recordBytesSent(bytes: number, nowMicros: Micros): void {
    if (this.late.length > 0 && this.startsNewCycle(nowMicros)) {
      this.totalBytesSent += bytes;
      this.late.push({ first: nowMicros, count: 1, periodMicros: 0, bytes });
      this.placeLateSends();
      return;
    }
    this.totalBytesSent += bytes;
    const now = wholeSeconds(nowMicros);
    if (this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME < now) {
      // A new cycle starts at the first send after the old one ended.
      this.cycleStartMicros = now;
      this.sentInCycle = 0;
    }
    this.sentInCycle += bytes;
  }

  /**
   * Sends recorded after later ones may have been (the analytic ping path settles its computed
   * pings and pongs when someone reads): those in the current cycle count now; those after its
   * end wait until placeLateSends, since a send not yet recorded may come before them. Every send
   * recorded late is later than the last placeLateSends (the caller settles all its computed
   * traffic there), so none belongs to an earlier cycle.
   */
  // Core: net.cpp CConnman::RecordBytesSent, for each send at its own time
  recordLateBytesSent(s: SendSeries): void {
    if (s.count <= 0) return;
    this.totalBytesSent += s.count * s.bytes;
    const inCycle = sendsUpTo(s, this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME);
    this.sentInCycle += inCycle * s.bytes;
    if (inCycle < s.count) this.late.push({ ...s, first: s.first + inCycle * s.periodMicros, count: s.count - inCycle });
  }

  /**
   * Every send up to now is recorded: the sends waiting past the cycle's end are placed as Core's
   * RecordBytesSent would have placed them one by one in time order. The first of them starts a
   * cycle (at its whole second), the ones up to that cycle's end count in it, and so on.
   */
  // Core: net.cpp CConnman::RecordBytesSent (over the waiting sends, in time order)
  placeLateSends(): void {
    while (this.late.length > 0) {
      let first = this.late[0]!.first;
      for (const s of this.late) if (s.first < first) first = s.first;
      this.cycleStartMicros = wholeSeconds(first);
      this.sentInCycle = 0;
      const end = this.cycleStartMicros + MAX_UPLOAD_TIMEFRAME;
      const rest: SendSeries[] = [];
      for (const s of this.late) {
        const n = sendsUpTo(s, end);
        this.sentInCycle += n * s.bytes;
        if (n < s.count) rest.push({ ...s, first: s.first + n * s.periodMicros, count: s.count - n });
      }
      this.late = rest;
    }
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
