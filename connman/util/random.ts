// Core's FastRandomContext (random.h/.cpp): a ChaCha20 keystream keyed by a 32-byte seed, with the
// RandomMixin helpers on top (randbits from a 64-bit bit buffer, randrange by rejection, uniform
// and exponential durations) and libstdc++'s std::shuffle as Core's release builds run it. Given the
// same seed it reproduces Core's draws bit for bit.
//
// It does not hold Core's global entropy pool (GetRandBytes, GetStrongRandBytes, RandAddPeriodic) or
// the non-cryptographic InsecureRandomContext: inside the simulator every generator is seeded
// explicitly by its owner, and nothing here touches real entropy.

import { ChaCha20 } from './chacha20.ts';
import type { Micros, Rng } from '../ports.ts';

const TWO_POW_32 = 4294967296;
/** 2^-53, the spacing of doubles just below 1. */
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;
const MASK64 = 0xffffffffffffffffn;
/** Largest range the number path of the shuffle's bounded draw handles exactly. */
const SMALL_RANGE = 1 << 20;

/** Number of bits needed to write `v` (std::bit_width), for 0 <= v < 2^53. */
export function bitWidth(v: number): number {
  if (v < TWO_POW_32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO_POW_32));
}

function bitWidthBig(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * A deterministic ChaCha20-based generator with Core's exact consumption pattern. Build it from a
 * 32-byte seed (Core's `FastRandomContext(const uint256&)`), or with `true` for Core's
 * deterministic context keyed with 32 zero bytes (`FastRandomContext(fDeterministic = true)`).
 */
// Core: random.h FastRandomContext (with RandomMixin<FastRandomContext>)
export class FastRandomContext implements Rng {
  private readonly rng: ChaCha20;
  /** The last 64-bit draw: [low 32 bits, high 32 bits]. */
  private readonly word = new Uint32Array(2);
  /** RandomMixin's bitbuf (unused random bits, consumed from the bottom) as two 32-bit halves. */
  private bitbufLo = 0;
  private bitbufHi = 0;
  private bitbufSize = 0;
  /** Result scratch for draws wider than 32 bits. */
  private resLo = 0;
  private resHi = 0;

  constructor(seed: Uint8Array | true) {
    if (seed === true) {
      // Core: random.cpp FastRandomContext::FastRandomContext(bool) — deterministic means the zero key.
      this.rng = new ChaCha20(new Uint8Array(32));
    } else {
      // Core: random.cpp FastRandomContext::FastRandomContext(const uint256&)
      if (!(seed instanceof Uint8Array) || seed.length !== 32) {
        throw new RangeError('FastRandomContext needs a 32-byte seed (a non-deterministic context has no place in the simulator)');
      }
      this.rng = new ChaCha20(seed);
    }
  }

  /** Restarts the stream from a new seed and forgets buffered bits. */
  // Core: random.cpp FastRandomContext::Reseed
  reseed(seed: Uint8Array): void {
    this.flushCache();
    this.rng.setKey(seed);
  }

  // Core: random.h RandomMixin::FlushCache
  private flushCache(): void {
    this.bitbufLo = 0;
    this.bitbufHi = 0;
    this.bitbufSize = 0;
  }

  /** 64 uniform bits as a bigint. Hot paths use the number-returning helpers instead. */
  // Core: random.h FastRandomContext::rand64
  rand64(): bigint {
    this.rng.next64(this.word);
    return (BigInt(this.word[1]!) << 32n) | BigInt(this.word[0]!);
  }

  /** 64 uniform bits as [low 32, high 32] unsigned halves, without building a bigint. */
  // Core: random.h FastRandomContext::rand64
  rand64Halves(): [lo: number, hi: number] {
    this.rng.next64(this.word);
    return [this.word[0]!, this.word[1]!];
  }

  /** A uniform integer of `bits` bits, 0 <= bits <= 32, as a plain number. */
  // Core: random.h RandomMixin::randbits
  randbits(bits: number): number {
    const size = this.bitbufSize;
    if (bits <= size) {
      // Enough buffered bits: hand out the bottom ones.
      if (bits === 0) return 0;
      const lo = this.bitbufLo;
      if (bits === 32) {
        this.bitbufLo = this.bitbufHi;
        this.bitbufHi = 0;
        this.bitbufSize = size - 32;
        return lo;
      }
      this.bitbufLo = ((lo >>> bits) | (this.bitbufHi << (32 - bits))) >>> 0;
      this.bitbufHi = this.bitbufHi >>> bits;
      this.bitbufSize = size - bits;
      return (lo & (0xffffffff >>> (32 - bits))) >>> 0;
    }
    if (bits > 32) throw new RangeError(`randbits(${bits}): use randbitsWide or randbits64 above 32 bits`);
    // Take all buffered bits (size < bits <= 32, so they sit in the low half) and complete them with
    // the bottom bits of a fresh 64-bit draw; the rest of that draw becomes the new buffer.
    this.rng.next64(this.word);
    const genLo = this.word[0]!;
    const genHi = this.word[1]!;
    const ret = size === 0 ? genLo : ((genLo << size) | this.bitbufLo) >>> 0;
    const shift = bits - size; // 1..32
    if (shift === 32) {
      this.bitbufLo = genHi;
      this.bitbufHi = 0;
    } else {
      this.bitbufLo = ((genLo >>> shift) | (genHi << (32 - shift))) >>> 0;
      this.bitbufHi = genHi >>> shift;
    }
    this.bitbufSize = 64 + size - bits;
    return bits === 32 ? ret : (ret & (0xffffffff >>> (32 - bits))) >>> 0;
  }

  /** The general 0..64-bit randbits; leaves the result in resLo/resHi. */
  // Core: random.h RandomMixin::randbits
  private drawBits(bits: number): void {
    if (bits < 0 || bits > 64) throw new RangeError(`randbits(${bits}) out of range`);
    if (bits === 64) {
      // Full-width requests bypass the buffer.
      this.rng.next64(this.word);
      this.resLo = this.word[0]!;
      this.resHi = this.word[1]!;
      return;
    }
    let lo: number;
    let hi: number;
    const size = this.bitbufSize;
    if (bits <= size) {
      lo = this.bitbufLo;
      hi = this.bitbufHi;
      [this.bitbufLo, this.bitbufHi] = shr64(this.bitbufLo, this.bitbufHi, bits);
      this.bitbufSize = size - bits;
    } else {
      this.rng.next64(this.word);
      const genLo = this.word[0]!;
      const genHi = this.word[1]!;
      const [sLo, sHi] = shl64(genLo, genHi, size);
      lo = (sLo | this.bitbufLo) >>> 0;
      hi = (sHi | this.bitbufHi) >>> 0;
      [this.bitbufLo, this.bitbufHi] = shr64(genLo, genHi, bits - size);
      this.bitbufSize = 64 + size - bits;
    }
    if (bits <= 32) {
      this.resLo = bits === 32 ? lo : bits === 0 ? 0 : (lo & (0xffffffff >>> (32 - bits))) >>> 0;
      this.resHi = 0;
    } else {
      this.resLo = lo;
      this.resHi = (hi & (0xffffffff >>> (64 - bits))) >>> 0;
    }
  }

  /** randbits for 0 <= bits <= 53, as an exact number. */
  // Core: random.h RandomMixin::randbits
  randbitsWide(bits: number): number {
    if (bits > 53) throw new RangeError(`randbitsWide(${bits}): more than 53 bits do not fit a number`);
    if (bits <= 32) return this.randbits(bits);
    this.drawBits(bits);
    return this.resHi * TWO_POW_32 + this.resLo;
  }

  /** randbits for 0 <= bits <= 64, as a bigint. */
  // Core: random.h RandomMixin::randbits
  randbits64(bits: number): bigint {
    this.drawBits(bits);
    return (BigInt(this.resHi) << 32n) | BigInt(this.resLo);
  }

  /** A uniform integer in [0, range) for 1 <= range <= 2^53, by rejection on bit_width(range-1) bits. */
  // Core: random.h RandomMixin::randrange
  randrange(range: number): number {
    if (!(range >= 1) || !Number.isSafeInteger(range - 1)) throw new RangeError(`randrange(${range}): range must be an integer in [1, 2^53]`);
    const maxval = range - 1;
    const bits = bitWidth(maxval);
    if (bits <= 32) {
      for (;;) {
        const ret = this.randbits(bits);
        if (ret <= maxval) return ret;
      }
    }
    for (;;) {
      const ret = this.randbitsWide(bits);
      if (ret <= maxval) return ret;
    }
  }

  /** randrange for any 64-bit range, 1 <= range <= 2^64. */
  // Core: random.h RandomMixin::randrange
  randrangeBig(range: bigint): bigint {
    if (range < 1n || range > 1n << 64n) throw new RangeError(`randrangeBig(${range}) out of range`);
    const maxval = range - 1n;
    const bits = bitWidthBig(maxval);
    for (;;) {
      const ret = this.randbits64(bits);
      if (ret <= maxval) return ret;
    }
  }

  // Core: random.h RandomMixin::rand32
  rand32(): number {
    return this.randbits(32);
  }

  /** Core's `rand<int>()`: a non-negative int, i.e. 31 random bits. */
  // Core: random.h RandomMixin::rand<int>
  randInt(): number {
    return this.randbits(31);
  }

  // Core: random.h RandomMixin::randbool
  randbool(): boolean {
    return this.randbits(1) === 1;
  }

  /**
   * Raw keystream bytes. FastRandomContext overrides RandomMixin::fillrand with a direct keystream
   * read, so this neither uses nor disturbs the bit buffer.
   */
  // Core: random.cpp FastRandomContext::fillrand (via RandomMixin::randbytes)
  randBytes(len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.rng.keystream(out);
    return out;
  }

  /** 32 random bytes (a uint256 in its raw byte order). */
  // Core: random.h RandomMixin::rand256
  rand256(): Uint8Array {
    return this.randBytes(32);
  }

  /**
   * A uniform duration: [0, range) for a positive range, (range, 0] for a negative one, 0 for 0.
   * The unit is the caller's (Core applies it to any chrono duration); range must be a safe integer.
   */
  // Core: random.h RandomMixin::rand_uniform_duration
  randUniformDuration(range: number): number {
    if (range > 0) return this.randrange(range);
    if (range < 0) return -this.randrange(-range);
    return 0;
  }

  /** `time + randUniformDuration(range)`. */
  // Core: random.h RandomMixin::rand_uniform_delay
  randUniformDelay(time: number, range: number): number {
    return time + this.randUniformDuration(range);
  }

  /**
   * An exponentially distributed duration with mean `meanMicros`, rounded to whole microseconds as
   * Core does (`duration_cast` of `e * mean + 0.5us`, i.e. truncation after adding half a unit).
   */
  // Core: random.h RandomMixin::rand_exp_duration
  randExpDurationMicros(meanMicros: Micros): Micros {
    this.rng.next64(this.word);
    const unscaled = makeExponentiallyDistributed(this.word[0]!, this.word[1]!);
    return roundHalfUpTowardZero(unscaled * meanMicros);
  }

  /** A uniform double in [0, 1) from the top 53 bits of a 64-bit draw (not a Core method; for sims). */
  randUnitDouble(): number {
    this.rng.next64(this.word);
    return (this.word[1]! * 2097152 + (this.word[0]! >>> 11)) * TWO_POW_MINUS_53;
  }

  /**
   * Shuffles `items` in place exactly as libstdc++'s `std::shuffle(first, last, rng)` does with this
   * generator as its 64-bit URBG. Core calls std::shuffle with a FastRandomContext (net.cpp,
   * net_processing.cpp); its release builds use libstdc++ (GCC 12+), whose algorithm this follows:
   * swap positions are drawn two at a time from one draw while n*n fits 64 bits, and each bounded
   * draw is Lemire's multiply-and-reject on 128-bit products.
   */
  // Core: std::shuffle as used in net.cpp / net_processing.cpp (libstdc++ bits/stl_algo.h shuffle)
  shuffle<T>(items: T[]): void {
    const n = items.length;
    if (n === 0) return;
    // libstdc++ draws two positions per call while n*n fits the generator's 64-bit range, which
    // holds for every array length below 2^32.
    let i = 1;
    if (n % 2 === 0) {
      swap(items, i, this.uniformInt(1));
      i++;
    }
    while (i !== n) {
      const swapRange = i + 1;
      const b1 = swapRange + 1;
      if (swapRange * b1 <= SMALL_RANGE) {
        const x = this.uniformInt(swapRange * b1 - 1);
        swap(items, i, Math.floor(x / b1));
        i++;
        swap(items, i, x % b1);
        i++;
      } else {
        const bigB1 = BigInt(b1);
        const x = this.uniformIntBig(BigInt(swapRange) * bigB1 - 1n);
        swap(items, i, Number(x / bigB1));
        i++;
        swap(items, i, Number(x % bigB1));
        i++;
      }
    }
  }

  /**
   * `std::uniform_int_distribution<uint64_t>{0, b}(rng)` in libstdc++ with a full 64-bit URBG:
   * Lemire's nearly-divisionless reduction (bits/uniform_int_dist.h `_S_nd`) — the high 64 bits of
   * draw * (b + 1), redrawing while the low 64 bits fall below 2^64 mod (b + 1). This is the
   * number version for b + 1 <= 2^20, where every partial product is exact in a double.
   */
  // Core: libstdc++ uniform_int_distribution::operator() (downscaling, 64-bit generator)
  private uniformInt(b: number): number {
    const range = b + 1;
    if (range > SMALL_RANGE) return Number(this.uniformIntBig(BigInt(b)));
    let threshold = -1;
    for (;;) {
      this.rng.next64(this.word);
      const pLo = this.word[0]! * range; // < 2^52
      const mid = this.word[1]! * range + Math.floor(pLo / TWO_POW_32); // < 2^53
      const lowHigh32 = mid % TWO_POW_32;
      const lowLow32 = pLo % TWO_POW_32;
      // low 64 bits of the product = lowHigh32 * 2^32 + lowLow32; compare it with range/threshold.
      if (lowHigh32 !== 0 || lowLow32 >= range) return Math.floor(mid / TWO_POW_32);
      if (threshold < 0) {
        const t = TWO_POW_32 % range;
        threshold = (t * t) % range; // 2^64 mod range = (2^64 - range) mod range
      }
      if (lowLow32 >= threshold) return Math.floor(mid / TWO_POW_32);
    }
  }

  /** The same draw for any 0 <= b < 2^64, in bigint arithmetic. */
  // Core: libstdc++ uniform_int_distribution::operator() (downscaling, 64-bit generator)
  private uniformIntBig(b: bigint): bigint {
    if (b === MASK64) return this.rand64();
    const range = b + 1n;
    let product = this.rand64() * range;
    let low = product & MASK64;
    if (low < range) {
      const threshold = ((1n << 64n) - range) % range;
      while (low < threshold) {
        product = this.rand64() * range;
        low = product & MASK64;
      }
    }
    return product >> 64n;
  }
}

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i]!;
  items[i] = items[j]!;
  items[j] = t;
}

function shr64(lo: number, hi: number, n: number): [number, number] {
  if (n === 0) return [lo, hi];
  if (n < 32) return [((lo >>> n) | (hi << (32 - n))) >>> 0, hi >>> n];
  if (n < 64) return [hi >>> (n - 32), 0];
  return [0, 0];
}

function shl64(lo: number, hi: number, n: number): [number, number] {
  if (n === 0) return [lo, hi];
  if (n < 32) return [(lo << n) >>> 0, ((hi << n) | (lo >>> (32 - n))) >>> 0];
  if (n < 64) return [0, (lo << (n - 32)) >>> 0];
  return [0, 0];
}

/**
 * Maps a uniform 64-bit value (given as halves) to an exponential variate with mean 1: the top 53
 * bits become x in [0, 1), and the quantile -ln(1 - x) is taken with log1p for accuracy near 0.
 */
// Core: random.cpp MakeExponentiallyDistributed
export function makeExponentiallyDistributed(lo: number, hi: number): number {
  const top53 = hi * 2097152 + (lo >>> 11);
  return -Math.log1p(top53 * -TWO_POW_MINUS_53);
}

/**
 * Core adds 0.5us in long double and truncates toward zero; in plain doubles `p + 0.5` can round
 * up for p >= 2^52, so the half is compared against the exact fractional part instead.
 */
function roundHalfUpTowardZero(p: number): number {
  if (p >= 0) {
    const whole = Math.floor(p);
    return p - whole >= 0.5 ? whole + 1 : whole;
  }
  return Math.trunc(p + 0.5) + 0;
}
