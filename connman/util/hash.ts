// Hash primitives the connection layer uses: SHA-256, double SHA-256 (Core's HashWriter and
// GetCheapHash), SHA3-256 (Tor v3 checksums) and SipHash-2-4 (CSipHasher), plus fast helpers that
// reduce a 64-bit hash modulo a small number without bigint.
// It holds no keys or per-node state; callers own their salts. It is not a general crypto library.
import { createHash } from 'node:crypto';
import { OP_COUNTS, Op } from './op-counts.ts';
import { ByteWriter } from './serialize.ts';

const TWO_32 = 0x1_0000_0000;

// SHA-256 in JavaScript for short inputs. node:crypto costs about 2 µs per call whatever the
// length, which dominates for the few dozen bytes that bucket, netgroup and checksum hashes cover;
// this path needs no allocation besides the output. Longer inputs go to node:crypto.

const SHA_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const SHA_IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
/** Inputs up to this many bytes use the JavaScript path. */
const SHA_JS_MAX = 503;
const shaW = new Int32Array(64);
const shaH = new Int32Array(8);
const shaBuf = new Uint8Array(SHA_JS_MAX + 9 + 63);

function shaBlock(buf: Uint8Array, off: number): void {
  OP_COUNTS[Op.shaBlock]++;
  const w = shaW;
  for (let i = 0; i < 16; i++) {
    const j = off + 4 * i;
    w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!, b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  const h = shaH;
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + SHA_K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
}

/** SHA-256 of the first `len` bytes of `data` (len <= SHA_JS_MAX) into shaH. */
function shaShort(data: Uint8Array, len: number): void {
  shaH.set(SHA_IV);
  const buf = shaBuf;
  buf.set(data.subarray(0, len), 0);
  buf[len] = 0x80;
  const total = (len + 9 + 63) & ~63;
  buf.fill(0, len + 1, total);
  const bits = len * 8;
  buf[total - 4] = bits >>> 24; buf[total - 3] = (bits >>> 16) & 0xff; buf[total - 2] = (bits >>> 8) & 0xff; buf[total - 1] = bits & 0xff;
  for (let off = 0; off < total; off += 64) shaBlock(buf, off);
}

function shaOut(): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = shaH[i]!;
    out[4 * i] = v >>> 24; out[4 * i + 1] = (v >>> 16) & 0xff; out[4 * i + 2] = (v >>> 8) & 0xff; out[4 * i + 3] = v & 0xff;
  }
  return out;
}

/** Hash the 32-byte digest in shaH again (the second half of a double SHA-256). */
function shaAgain(): void {
  const buf = shaBuf;
  for (let i = 0; i < 8; i++) {
    const v = shaH[i]!;
    buf[4 * i] = v >>> 24; buf[4 * i + 1] = (v >>> 16) & 0xff; buf[4 * i + 2] = (v >>> 8) & 0xff; buf[4 * i + 3] = v & 0xff;
  }
  shaShort(buf, 32);
}

/** SHA-256 of `bytes`. Core: crypto/sha256.h CSHA256 */
export function sha256(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= SHA_JS_MAX) {
    shaShort(bytes, bytes.length);
    return shaOut();
  }
  OP_COUNTS[Op.shaBlock] += shaBlocksOf(bytes.length);
  const d = createHash('sha256').update(bytes).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 compressions of a message of `len` bytes (with its padding), for the op counts. */
function shaBlocksOf(len: number): number {
  return Math.floor((len + 9 + 63) / 64);
}

/** Double SHA-256, Core's HashWriter::GetHash (a uint256 in its raw byte order). Core: hash.h HashWriter::GetHash */
export function sha256d(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= SHA_JS_MAX) {
    shaShort(bytes, bytes.length);
    shaAgain();
    return shaOut();
  }
  OP_COUNTS[Op.shaBlock] += shaBlocksOf(bytes.length) + 1;
  const first = createHash('sha256').update(bytes).digest();
  const d = createHash('sha256').update(first).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Double SHA-256 of `bytes` reduced to GetCheapHash's [hi, lo] halves, without allocating a digest. */
function sha256dCheapHalves(bytes: Uint8Array): [number, number] {
  if (bytes.length > SHA_JS_MAX) return le64Halves(sha256d(bytes));
  shaShort(bytes, bytes.length);
  shaAgain();
  // Digest bytes 0..7 read little-endian: byte-swap the first two big-endian state words.
  const w0 = shaH[0]!, w1 = shaH[1]!;
  const lo = (((w0 & 0xff) << 24) | ((w0 >>> 8 & 0xff) << 16) | ((w0 >>> 16 & 0xff) << 8) | (w0 >>> 24)) >>> 0;
  const hi = (((w1 & 0xff) << 24) | ((w1 >>> 8 & 0xff) << 16) | ((w1 >>> 16 & 0xff) << 8) | (w1 >>> 24)) >>> 0;
  return [hi, lo];
}

/** SHA3-256 (FIPS 202), used for the Tor v3 address checksum. Core: crypto/sha3.h SHA3_256 */
export function sha3_256(bytes: Uint8Array): Uint8Array {
  const d = createHash('sha3-256').update(bytes).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * `(hi * 2^32 + lo) mod n` for a 64-bit value given as two uint32 halves, exact for
 * 1 <= n <= 2^26 without bigint. Powers of two take a mask of the low half.
 */
export function mod64(hi: number, lo: number, n: number): number {
  if ((n & (n - 1)) === 0 && n <= TWO_32) return n === TWO_32 ? lo >>> 0 : (lo & (n - 1)) >>> 0;
  // 2^32 mod n, then combine; each product stays below 2^52.
  const r32 = TWO_32 % n;
  return ((hi % n) * r32 + (lo % n)) % n;
}

/** Low and high uint32 halves of the first 8 digest bytes read little-endian. */
function le64Halves(digest: Uint8Array): [number, number] {
  const lo = (digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) >>> 0;
  const hi = (digest[4]! | (digest[5]! << 8) | (digest[6]! << 16) | (digest[7]! << 24)) >>> 0;
  return [hi, lo];
}

/** The first 8 bytes of SHA256d(bytes) as a little-endian uint64. Core: hash.h HashWriter::GetCheapHash */
export function getCheapHash(bytes: Uint8Array): bigint {
  const [hi, lo] = sha256dCheapHalves(bytes);
  return halvesToBigInt(hi, lo);
}

/** `getCheapHash(bytes) % n` as a plain number, for 1 <= n <= 2^26 (bucket arithmetic). */
export function getCheapHashMod(bytes: Uint8Array, n: number): number {
  const [hi, lo] = sha256dCheapHalves(bytes);
  return mod64(hi, lo, n);
}

/**
 * Core's HashWriter: serialize values (with the ByteWriter methods, in Core's encodings) and take
 * the double SHA-256 of everything written. `uint256(bytes)` writes 32 raw bytes as Core does.
 */
export class HashWriter extends ByteWriter {
  /** A uint256 is serialized as its 32 raw bytes. */
  uint256(bytes: Uint8Array): this {
    if (bytes.length !== 32) throw new RangeError(`uint256 must be 32 bytes, got ${bytes.length}`);
    return this.bytes(bytes);
  }

  /** Core: hash.h HashWriter::GetHash */
  getHash(): Uint8Array {
    return sha256d(this.peek());
  }

  /** Core: hash.h HashWriter::GetCheapHash */
  getCheapHash(): bigint {
    const [hi, lo] = sha256dCheapHalves(this.peek());
    return halvesToBigInt(hi, lo);
  }

  /** GetCheapHash() % n as a number (1 <= n <= 2^26), without bigint. */
  getCheapHashMod(n: number): number {
    const [hi, lo] = sha256dCheapHalves(this.peek());
    return mod64(hi, lo, n);
  }

  /** GetCheapHash() as [hi, lo] uint32 halves. */
  getCheapHashHalves(): [number, number] {
    return sha256dCheapHalves(this.peek());
  }
}

// ---------------------------------------------------------------------------------------------
// SipHash-2-4 on 32-bit halves. Each 64-bit lane is a (hi, lo) pair of uint32 numbers; additions
// carry by hand and every result is normalised with >>> 0, so no bigint and no Math.imul.

// The four initialisation constants ("somepseudorandomlygeneratedbytes"), split into halves.
const C0H = 0x736f6d65, C0L = 0x70736575;
const C1H = 0x646f7261, C1L = 0x6e646f6d;
const C2H = 0x6c796765, C2L = 0x6e657261;
const C3H = 0x74656462, C3L = 0x79746573;

/** Split a uint64 given as bigint or safe non-negative number into [hi, lo]. */
export function u64Halves(v: bigint | number): [number, number] {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64Halves: ${v} is not a safe non-negative integer`);
    return [Math.floor(v / TWO_32), v % TWO_32];
  }
  const u = BigInt.asUintN(64, v);
  return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

/** Join uint32 halves into a bigint. */
export function halvesToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * SipHash-2-4 with a 128-bit key (k0, k1), written incrementally. Core: crypto/siphash.h CSipHasher
 * `finalize*()` does not change the object, so more data may be written afterwards (as in Core).
 */
export class CSipHasher {
  /** The last finalization's result, as two uint32 halves (per hasher: no state shared between hashers). */
  private outHi = 0;
  private outLo = 0;
  private v0h = 0; private v0l = 0;
  private v1h = 0; private v1l = 0;
  private v2h = 0; private v2l = 0;
  private v3h = 0; private v3l = 0;
  // Pending tail bytes (< 8) packed little-endian into two halves, and the total byte count mod 256.
  private th = 0; private tl = 0;
  private count = 0;

  /** Core: crypto/siphash.cpp CSipHasher::CSipHasher */
  constructor(k0: bigint | number, k1: bigint | number) {
    if (k0 === 0 && k1 === 0) {
      this.init(0, 0, 0, 0);
    } else {
      const [k0h, k0l] = u64Halves(k0);
      const [k1h, k1l] = u64Halves(k1);
      this.init(k0h, k0l, k1h, k1l);
    }
  }

  private init(k0h: number, k0l: number, k1h: number, k1l: number): void {
    this.v0h = (C0H ^ k0h) >>> 0; this.v0l = (C0L ^ k0l) >>> 0;
    this.v1h = (C1H ^ k1h) >>> 0; this.v1l = (C1L ^ k1l) >>> 0;
    this.v2h = (C2H ^ k0h) >>> 0; this.v2l = (C2L ^ k0l) >>> 0;
    this.v3h = (C3H ^ k1h) >>> 0; this.v3l = (C3L ^ k1l) >>> 0;
  }

  /** A hasher keyed by k0 = (k0hi, k0lo), k1 = (k1hi, k1lo) uint32 halves, skipping bigint conversion. */
  static fromHalves(k0h: number, k0l: number, k1h: number, k1l: number): CSipHasher {
    const h = new CSipHasher(0, 0);
    h.init(k0h >>> 0, k0l >>> 0, k1h >>> 0, k1l >>> 0);
    return h;
  }

  /** An independent copy of the current state (for a precomputed keyed prefix). */
  clone(): CSipHasher {
    const h = new CSipHasher(0, 0);
    h.v0h = this.v0h; h.v0l = this.v0l; h.v1h = this.v1h; h.v1l = this.v1l;
    h.v2h = this.v2h; h.v2l = this.v2l; h.v3h = this.v3h; h.v3l = this.v3l;
    h.th = this.th; h.tl = this.tl; h.count = this.count;
    return h;
  }

  /** Absorb one 8-byte block (mh, ml) with two SipRounds. */
  private compress(mh: number, ml: number): void {
    let v0h = this.v0h, v0l = this.v0l, v1h = this.v1h, v1l = this.v1l;
    let v2h = this.v2h, v2l = this.v2l, v3h = (this.v3h ^ mh) >>> 0, v3l = (this.v3l ^ ml) >>> 0;
    let lo: number, t: number;
    for (let r = 0; r < 2; r++) {
      // v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
      lo = v0l + v1l; v0h = (v0h + v1h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v0l = lo >>> 0;
      t = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = t;
      v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
      t = v0h; v0h = v0l; v0l = t;
      // v2 += v3; v3 = rotl(v3, 16); v3 ^= v2
      lo = v2l + v3l; v2h = (v2h + v3h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v2l = lo >>> 0;
      t = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = t;
      v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
      // v0 += v3; v3 = rotl(v3, 21); v3 ^= v0
      lo = v0l + v3l; v0h = (v0h + v3h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v0l = lo >>> 0;
      t = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = t;
      v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
      // v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
      lo = v2l + v1l; v2h = (v2h + v1h + (lo > 0xffffffff ? 1 : 0)) >>> 0; v2l = lo >>> 0;
      t = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = t;
      v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
      t = v2h; v2h = v2l; v2l = t;
    }
    this.v0h = (v0h ^ mh) >>> 0; this.v0l = (v0l ^ ml) >>> 0;
    this.v1h = v1h; this.v1l = v1l; this.v2h = v2h; this.v2l = v2l; this.v3h = v3h; this.v3l = v3l;
  }

  /**
   * Append a uint64 as 8 little-endian bytes. Core: crypto/siphash.cpp CSipHasher::Write(uint64_t)
   * Like Core, only allowed when a multiple of 8 bytes has been written so far.
   */
  writeU64(v: bigint | number): this {
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && Number.isInteger(v)) return this.writeU64Halves(0, v);
    const [hi, lo] = u64Halves(v);
    return this.writeU64Halves(hi, lo);
  }

  /** writeU64 from uint32 halves. */
  writeU64Halves(hi: number, lo: number): this {
    if ((this.count & 7) !== 0) throw new Error('CSipHasher.writeU64 after a partial block');
    this.compress(hi >>> 0, lo >>> 0);
    this.count = (this.count + 8) & 0xff;
    return this;
  }

  /** Append raw bytes (no length prefix). Core: crypto/siphash.cpp CSipHasher::Write(span) */
  writeBytes(data: Uint8Array): this {
    let th = this.th, tl = this.tl, c = this.count;
    for (let i = 0; i < data.length; i++) {
      const pos = c & 7;
      const b = data[i]!;
      if (pos < 4) tl = (tl | (b << (8 * pos))) >>> 0;
      else th = (th | (b << (8 * (pos - 4)))) >>> 0;
      c = (c + 1) & 0xff;
      if ((c & 7) === 0) {
        this.compress(th, tl);
        th = 0;
        tl = 0;
      }
    }
    this.th = th;
    this.tl = tl;
    this.count = c;
    return this;
  }

  /** Finalize into this.outHi/outLo, then restore the state so the hasher is unchanged. */
  private finish(): void {
    OP_COUNTS[Op.sipKey]++;
    const s0h = this.v0h, s0l = this.v0l, s1h = this.v1h, s1l = this.v1l;
    const s2h = this.v2h, s2l = this.v2l, s3h = this.v3h, s3l = this.v3l;
    // The final block carries the byte count in its top byte.
    this.compress((this.th | ((this.count & 0xff) << 24)) >>> 0, this.tl);
    this.v2l = (this.v2l ^ 0xff) >>> 0;
    this.compress(0, 0); // a zero block makes the v3/v0 xors no-ops: two plain rounds
    this.compress(0, 0); // two more: four finalization rounds in all
    this.outHi = (this.v0h ^ this.v1h ^ this.v2h ^ this.v3h) >>> 0;
    this.outLo = (this.v0l ^ this.v1l ^ this.v2l ^ this.v3l) >>> 0;
    this.v0h = s0h; this.v0l = s0l; this.v1h = s1h; this.v1l = s1l;
    this.v2h = s2h; this.v2l = s2l; this.v3h = s3h; this.v3l = s3l;
  }

  /**
   * The hash of this state followed by one more uint64 (hi, lo), into out[0] (high) and out[1]
   * (low), leaving the hasher unchanged: `clone().writeU64Halves(hi, lo).finalizeHalves()` without
   * the copy. Same precondition as writeU64: a multiple of 8 bytes written so far.
   */
  finalizeWithU64Into(hi: number, lo: number, out: Uint32Array): void {
    if ((this.count & 7) !== 0) throw new Error('CSipHasher.writeU64 after a partial block');
    const s0h = this.v0h, s0l = this.v0l, s1h = this.v1h, s1l = this.v1l;
    const s2h = this.v2h, s2l = this.v2l, s3h = this.v3h, s3l = this.v3l;
    const count = this.count;
    this.compress(hi >>> 0, lo >>> 0);
    this.count = (count + 8) & 0xff;
    this.finish();
    this.count = count;
    this.v0h = s0h; this.v0l = s0l; this.v1h = s1h; this.v1l = s1l;
    this.v2h = s2h; this.v2l = s2l; this.v3h = s3h; this.v3l = s3l;
    out[0] = this.outHi;
    out[1] = this.outLo;
  }

  /** The 64-bit hash as [hi, lo] uint32 halves; the hasher is unchanged. Core: CSipHasher::Finalize */
  finalizeHalves(): [number, number] {
    this.finish();
    return [this.outHi, this.outLo];
  }

  /** The 64-bit hash as a bigint. Core: crypto/siphash.cpp CSipHasher::Finalize */
  finalize(): bigint {
    this.finish();
    return halvesToBigInt(this.outHi, this.outLo);
  }

  /** The hash modulo n (1 <= n <= 2^26) as a number, without bigint. */
  finalizeMod(n: number): number {
    this.finish();
    return mod64(this.outHi, this.outLo, n);
  }

  /** The low 32 bits of the hash (e.g. to keep a keyed netgroup compactly in a typed array). */
  finalizeLow32(): number {
    this.finish();
    return this.outLo;
  }

  /** The high 32 bits of the hash. */
  finalizeHigh32(): number {
    this.finish();
    return this.outHi;
  }
}

/** Hex of bytes, lower case. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/** Bytes from an even-length hex string; throws RangeError on bad input. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`bad hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
