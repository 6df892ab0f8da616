// Core's CRollingBloomFilter (common/bloom.cpp) and the MurmurHash3 (x86_32) it hashes with: the
// per-peer "known addresses" filter of address relay. It remembers roughly the last nElements
// inserted keys in two to three generations, forgetting the oldest generation as it rolls.
// It does not hold CBloomFilter (BIP37 filters), which connsim does not model.

import type { Rng } from '../ports.ts';
import { OP_COUNTS, Op } from './op-counts.ts';

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** MurmurHash3 x86_32 of `data` with seed `seed` (both unsigned 32-bit). */
// Core: hash.cpp MurmurHash3
export function murmurHash3(seed: number, data: Uint8Array): number {
  let h1 = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const nblocks = data.length >>> 2;
  for (let i = 0; i < nblocks; i++) {
    const o = i * 4;
    let k1 = (data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24)) >>> 0;
    k1 = Math.imul(k1, c1) >>> 0;
    k1 = rotl32(k1, 15);
    k1 = Math.imul(k1, c2) >>> 0;
    h1 = (h1 ^ k1) >>> 0;
    h1 = rotl32(h1, 13);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) >>> 0;
  }
  const tail = nblocks * 4;
  let k1 = 0;
  const rem = data.length & 3;
  if (rem >= 3) k1 ^= data[tail + 2]! << 16;
  if (rem >= 2) k1 ^= data[tail + 1]! << 8;
  if (rem >= 1) {
    k1 ^= data[tail]!;
    k1 = Math.imul(k1 >>> 0, c1) >>> 0;
    k1 = rotl32(k1, 15);
    k1 = Math.imul(k1, c2) >>> 0;
    h1 = (h1 ^ k1) >>> 0;
  }
  h1 = (h1 ^ data.length) >>> 0;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b) >>> 0;
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35) >>> 0;
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/** Positions and bits of the key being inserted or tested (at most 50 hash functions; nothing here is re-entrant). */
const scratchPos = new Int32Array(50);
const scratchBit = new Int32Array(50);

/** The n-th hash of a key: the seed mixes the hash number with the filter's random tweak. */
// Core: common/bloom.cpp RollingBloomHash
function rollingBloomHash(hashNum: number, tweak: number, key: Uint8Array): number {
  return murmurHash3((Math.imul(hashNum, 0xfba4c795) + tweak) >>> 0, key);
}

/** Slots of a sparse filter's first cell table (a power of two). */
const SPARSE_INITIAL_SLOTS = 64;

/**
 * Core's rolling bloom filter. Each filter position holds two bits (stored in the low and high
 * 64-bit words of a pair) naming the generation (1..3) that last set it; starting a new generation
 * wipes the positions of the generation it reuses. A 64-bit word is kept here as two 32-bit halves
 * of a Uint32Array: word w is `[lo, hi] = data32[2w], data32[2w + 1]`.
 *
 * Storage starts sparse. Positions pos and pos ^ 1 share their pair of words, so a filter cell is
 * (pos >> 1, bit); until the first generation is full, every set cell holds generation 1, so the
 * filter is exactly the set of cells set so far. It is kept as that set (open addressing over
 * cell numbers) while it is small, and converted to Core's dense words, cell for cell, when the set
 * would take more than half the dense array or a generation must roll. contains() answers
 * the same in either form, false positives included (same positions, same cells). A reset empties
 * the filter and returns it to the sparse form. A peer's known-address filter holds a few dozen
 * entries in practice; densely that is ~27 KB each, sparsely a few hundred bytes.
 */
// Core: common/bloom.h CRollingBloomFilter
export class RollingBloomFilter {
  readonly hashFuncs: number;
  readonly entriesPerGeneration: number;
  /** Core's data.size(): the number of 64-bit words (always even). */
  readonly words: number;
  /** The 2 * words 32-bit halves once dense; null while sparse. */
  private data32: Uint32Array | null = null;
  /** While sparse: cell number + 1 per slot (0 = empty), open addressing with linear probing; null once dense or before the first insert. */
  private sparse: Int32Array | null = null;
  /** Cells in `sparse`. */
  private sparseCells = 0;
  /** Most slots a sparse table may have before the filter turns dense. */
  private readonly sparseMaxSlots: number;
  private entriesThisGeneration = 0;
  private generation = 1;
  private tweak = 0;

  // Core: common/bloom.cpp CRollingBloomFilter::CRollingBloomFilter
  constructor(
    elements: number,
    fpRate: number,
    /** Draws the tweak at every reset (Core: a fresh FastRandomContext's rand<unsigned int>()). */
    private readonly rng: Rng,
  ) {
    const logFpRate = Math.log(fpRate);
    // C++'s round() rounds halves away from zero; the operand here is positive.
    this.hashFuncs = Math.max(1, Math.min(Math.floor(logFpRate / Math.log(0.5) + 0.5), 50));
    this.entriesPerGeneration = Math.ceil(elements / 2);
    const maxElements = this.entriesPerGeneration * 3;
    const filterBits = Math.ceil((-1.0 * this.hashFuncs * maxElements) / Math.log(1.0 - Math.exp(logFpRate / this.hashFuncs))) >>> 0;
    this.words = Math.ceil(filterBits / 64) * 2;
    // At most half the dense array's bytes, in 4-byte slots, as a power of two.
    let maxSlots = SPARSE_INITIAL_SLOTS;
    while (maxSlots * 2 * 4 <= (this.words * 8) / 2) maxSlots *= 2;
    this.sparseMaxSlots = maxSlots;
    this.reset();
  }

  // Core: common/bloom.cpp CRollingBloomFilter::insert
  insert(key: Uint8Array): void {
    OP_COUNTS[Op.bloomOp]++;
    this.hashInto(key);
    this.setHashed();
  }

  /**
   * contains(key), and when absent insert(key): Core's "if (!filter.contains(k)) filter.insert(k)"
   * with the key hashed once instead of twice. Returns what contains returned.
   */
  // Core: common/bloom.cpp CRollingBloomFilter::contains, then ::insert
  containsOrInsert(key: Uint8Array): boolean {
    OP_COUNTS[Op.bloomOp]++;
    this.hashInto(key);
    if (this.hashedPresent()) return true;
    this.setHashed();
    return false;
  }

  /** The key's position and bit for each hash function, into the shared scratch arrays. */
  private hashInto(key: Uint8Array): void {
    for (let n = 0; n < this.hashFuncs; n++) {
      const h = rollingBloomHash(n, this.tweak, key);
      scratchPos[n] = fastRange32(h, this.words);
      scratchBit[n] = h & 0x3f;
    }
  }

  /** Whether every hashed position is set (contains on the hashed key). */
  private hashedPresent(): boolean {
    const d = this.data32;
    if (d === null) {
      if (this.sparse === null) return false;
      for (let n = 0; n < this.hashFuncs; n++) if (!this.sparseHas(((scratchPos[n]! >>> 1) << 6) | scratchBit[n]!)) return false;
      return true;
    }
    for (let n = 0; n < this.hashFuncs; n++) {
      const pos = scratchPos[n]!;
      const bit = scratchBit[n]!;
      const half = bit >= 32 ? 1 : 0;
      const m = 1 << (bit & 31);
      if (((d[2 * (pos & ~1) + half]! | d[2 * (pos | 1) + half]!) & m) === 0) return false;
    }
    return true;
  }

  /** The body of insert for the hashed key: roll the generation if full, then mark its positions. */
  private setHashed(): void {
    if (this.data32 === null) {
      if (this.entriesThisGeneration < this.entriesPerGeneration && this.sparseAddHashed()) {
        this.entriesThisGeneration++;
        return;
      }
      this.toDense();
    }
    const d = this.data32!;
    if (this.entriesThisGeneration === this.entriesPerGeneration) {
      OP_COUNTS[Op.bloomRoll]++;
      this.entriesThisGeneration = 0;
      this.generation++;
      if (this.generation === 4) this.generation = 1;
      const mask1 = (this.generation & 1) !== 0 ? 0xffffffff : 0;
      const mask2 = (this.generation >> 1) !== 0 ? 0xffffffff : 0;
      // Clear every position whose generation equals the one being reused.
      for (let p = 0; p < this.words; p += 2) {
        for (let half = 0; half < 2; half++) {
          const i1 = 2 * p + half;
          const i2 = 2 * (p + 1) + half;
          const p1 = d[i1]!;
          const p2 = d[i2]!;
          const mask = ((p1 ^ mask1) | (p2 ^ mask2)) >>> 0;
          d[i1] = p1 & mask;
          d[i2] = p2 & mask;
        }
      }
    }
    this.entriesThisGeneration++;
    const g1 = this.generation & 1;
    const g2 = this.generation >> 1;
    for (let n = 0; n < this.hashFuncs; n++) {
      const pos = scratchPos[n]!;
      const bit = scratchBit[n]!;
      const half = bit >= 32 ? 1 : 0;
      const m = 1 << (bit & 31);
      const a = 2 * (pos & ~1) + half;
      const b = 2 * (pos | 1) + half;
      d[a] = g1 !== 0 ? d[a]! | m : d[a]! & ~m;
      d[b] = g2 !== 0 ? d[b]! | m : d[b]! & ~m;
    }
  }

  // Core: common/bloom.cpp CRollingBloomFilter::contains
  contains(key: Uint8Array): boolean {
    OP_COUNTS[Op.bloomOp]++;
    const d = this.data32;
    if (d === null) {
      if (this.sparse === null) return false;
      this.hashInto(key);
      return this.hashedPresent();
    }
    for (let n = 0; n < this.hashFuncs; n++) {
      const h = rollingBloomHash(n, this.tweak, key);
      const bit = h & 0x3f;
      const pos = fastRange32(h, this.words);
      const half = bit >= 32 ? 1 : 0;
      const m = 1 << (bit & 31);
      if (((d[2 * (pos & ~1) + half]! | d[2 * (pos | 1) + half]!) & m) === 0) return false;
    }
    return true;
  }

  // Core: common/bloom.cpp CRollingBloomFilter::reset
  reset(): void {
    this.tweak = this.rng.randbits(32) >>> 0;
    this.entriesThisGeneration = 0;
    this.generation = 1;
    // Every cell is zero again: the sparse form's empty set (its table is kept for reuse).
    this.data32 = null;
    this.sparse?.fill(0);
    this.sparseCells = 0;
  }

  /** Whether the filter is in its sparse form (tests and memory accounting). */
  get isSparse(): boolean {
    return this.data32 === null;
  }

  /** Bytes of the filter's cell storage. */
  byteSize(): number {
    return this.data32 !== null ? this.data32.byteLength : (this.sparse?.byteLength ?? 0);
  }

  private sparseHas(cell: number): boolean {
    const t = this.sparse!;
    const mask = t.length - 1;
    const want = cell + 1;
    for (let i = slotOf(cell, mask); ; i = (i + 1) & mask) {
      const v = t[i]!;
      if (v === want) return true;
      if (v === 0) return false;
    }
  }

  /**
   * Adds the hashed key's cells to the sparse set (growing its table as needed). False, with
   * nothing changed, when they would not fit under sparseMaxSlots: the caller turns dense.
   */
  private sparseAddHashed(): boolean {
    let t = this.sparse;
    const need = this.sparseCells + this.hashFuncs;
    let slots = t === null ? SPARSE_INITIAL_SLOTS : t.length;
    while (need * 2 > slots) slots *= 2;
    if (slots > this.sparseMaxSlots) return false;
    if (t === null || slots !== t.length) t = this.rehash(slots);
    const mask = slots - 1;
    for (let n = 0; n < this.hashFuncs; n++) {
      const cell = ((scratchPos[n]! >>> 1) << 6) | scratchBit[n]!;
      const want = cell + 1;
      for (let i = slotOf(cell, mask); ; i = (i + 1) & mask) {
        const v = t[i]!;
        if (v === want) break;
        if (v === 0) {
          t[i] = want;
          this.sparseCells++;
          break;
        }
      }
    }
    return true;
  }

  /** A sparse table of `slots` slots holding the current cells. */
  private rehash(slots: number): Int32Array {
    const old = this.sparse;
    const t = new Int32Array(slots);
    const mask = slots - 1;
    if (old !== null) {
      for (let j = 0; j < old.length; j++) {
        const v = old[j]!;
        if (v === 0) continue;
        let i = slotOf(v - 1, mask);
        while (t[i] !== 0) i = (i + 1) & mask;
        t[i] = v;
      }
    }
    this.sparse = t;
    return t;
  }

  /** Core's dense words with every sparse cell set in generation 1 (the only one a sparse filter holds). */
  private toDense(): void {
    const d = new Uint32Array(this.words * 2);
    const t = this.sparse;
    if (t !== null) {
      for (let j = 0; j < t.length; j++) {
        const v = t[j]!;
        if (v === 0) continue;
        const cell = v - 1;
        const pair = cell >>> 6;
        const bit = cell & 63;
        // Generation 1: the low word of the pair (pos & ~1 = 2 * pair) carries the bit, the high one not.
        d[2 * (2 * pair) + (bit >= 32 ? 1 : 0)]! |= 1 << (bit & 31);
      }
    }
    this.data32 = d;
    this.sparse = null;
    this.sparseCells = 0;
  }
}

/** A sparse cell's home slot in a table of mask + 1 slots. */
function slotOf(cell: number, mask: number): number {
  const h = Math.imul(cell, 0x9e3779b1);
  return (h ^ (h >>> 15)) & mask;
}

/** (x * n) >> 32 for 32-bit x and small n; exact because the product stays below 2^53. */
// Core: util/fastrange.h FastRange32
function fastRange32(x: number, n: number): number {
  return Math.floor((x * n) / 4294967296);
}
