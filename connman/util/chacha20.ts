// The ChaCha20 stream cipher exactly as Bitcoin Core's crypto/chacha20 uses it: a 32-byte key, a
// 96-bit nonce split as (32-bit word, 64-bit word), and a 32-bit block counter whose overflow
// carries into the first nonce word. It produces keystream and XOR-encrypts; it is the engine under
// FastRandomContext (random.ts). It does not hold Poly1305, the AEAD construction or FSChaCha20
// (BIP324 transport encryption is not modelled).
//
// State is kept as 32-bit words in Uint32Arrays; bytes are always derived with explicit shifts, so
// the output is the same on any host byte order.

import { OP_COUNTS, Op } from './op-counts.ts';

/** ChaCha20's "expand 32-byte k" constants. */
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;

/** Core's 96-bit nonce: `first` is the LE32 of nonce bytes 0..3, `second` the LE64 of bytes 4..11. */
export type Nonce96 = readonly [first: number, second: bigint];

function readLE32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

/**
 * Computes one 64-byte block for the 12 input words (key, counter, nonce) into `out` as 16 LE words.
 * Written out flat with locals so V8 keeps everything in registers as int32.
 */
// Core: crypto/chacha20.cpp ChaCha20Aligned::Keystream (the per-block core)
function chachaBlock(input: Uint32Array, out: Uint32Array): void {
  const j4 = input[0]!, j5 = input[1]!, j6 = input[2]!, j7 = input[3]!;
  const j8 = input[4]!, j9 = input[5]!, j10 = input[6]!, j11 = input[7]!;
  const j12 = input[8]!, j13 = input[9]!, j14 = input[10]!, j15 = input[11]!;
  let x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
  let x4 = j4, x5 = j5, x6 = j6, x7 = j7, x8 = j8, x9 = j9, x10 = j10, x11 = j11;
  let x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  let t = 0;
  for (let round = 0; round < 10; round++) {
    // Column rounds.
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 16) | (t >>> 16);
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 12) | (t >>> 20);
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 8) | (t >>> 24);
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 7) | (t >>> 25);

    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 16) | (t >>> 16);
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 12) | (t >>> 20);
    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 8) | (t >>> 24);
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 7) | (t >>> 25);

    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 16) | (t >>> 16);
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 12) | (t >>> 20);
    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 8) | (t >>> 24);
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 7) | (t >>> 25);

    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 16) | (t >>> 16);
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 12) | (t >>> 20);
    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 8) | (t >>> 24);
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 7) | (t >>> 25);

    // Diagonal rounds.
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 16) | (t >>> 16);
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 12) | (t >>> 20);
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 8) | (t >>> 24);
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 7) | (t >>> 25);

    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 16) | (t >>> 16);
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 12) | (t >>> 20);
    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 8) | (t >>> 24);
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 7) | (t >>> 25);

    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 16) | (t >>> 16);
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 12) | (t >>> 20);
    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 8) | (t >>> 24);
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 7) | (t >>> 25);

    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 16) | (t >>> 16);
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 12) | (t >>> 20);
    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 8) | (t >>> 24);
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 7) | (t >>> 25);
  }
  out[0] = x0 + SIGMA0; out[1] = x1 + SIGMA1; out[2] = x2 + SIGMA2; out[3] = x3 + SIGMA3;
  out[4] = x4 + j4; out[5] = x5 + j5; out[6] = x6 + j6; out[7] = x7 + j7;
  out[8] = x8 + j8; out[9] = x9 + j9; out[10] = x10 + j10; out[11] = x11 + j11;
  out[12] = x12 + j12; out[13] = x13 + j13; out[14] = x14 + j14; out[15] = x15 + j15;
}

/** ChaCha20 that only produces whole 64-byte blocks. */
// Core: crypto/chacha20.h ChaCha20Aligned
export class ChaCha20Aligned {
  static readonly KEYLEN = 32;
  static readonly BLOCKLEN = 64;

  /** Words 0..7 key, 8 block counter, 9 nonce.first, 10..11 nonce.second (low, high). */
  private readonly input = new Uint32Array(12);
  private readonly words = new Uint32Array(16);

  constructor(key: Uint8Array) {
    this.setKey(key);
  }

  /** Sets a 32-byte key and rewinds to nonce 0, block 0. */
  // Core: crypto/chacha20.cpp ChaCha20Aligned::SetKey
  setKey(key: Uint8Array): void {
    if (key.length !== ChaCha20Aligned.KEYLEN) throw new RangeError(`ChaCha20 key must be 32 bytes, got ${key.length}`);
    for (let i = 0; i < 8; i++) this.input[i] = readLE32(key, 4 * i);
    this.input[8] = 0;
    this.input[9] = 0;
    this.input[10] = 0;
    this.input[11] = 0;
  }

  // Core: crypto/chacha20.cpp ChaCha20Aligned::Seek
  seek(nonce: Nonce96, blockCounter: number): void {
    this.input[8] = blockCounter >>> 0;
    this.input[9] = nonce[0] >>> 0;
    this.input[10] = Number(nonce[1] & 0xffffffffn);
    this.input[11] = Number((nonce[1] >> 32n) & 0xffffffffn);
  }

  /**
   * Writes the next block as 16 little-endian words into `out` and advances the counter; a counter
   * wrap carries into nonce.first, as Core does for streams beyond 256 GiB.
   */
  // Core: crypto/chacha20.cpp ChaCha20Aligned::Keystream (one block)
  nextBlockWords(out: Uint32Array): void {
    OP_COUNTS[Op.rngBlock]++;
    chachaBlock(this.input, out);
    const counter = (this.input[8]! + 1) >>> 0;
    this.input[8] = counter;
    if (counter === 0) this.input[9] = (this.input[9]! + 1) >>> 0;
  }

  /** Fills `out` (a multiple of 64 bytes) with keystream. */
  // Core: crypto/chacha20.cpp ChaCha20Aligned::Keystream
  keystream(out: Uint8Array): void {
    if (out.length % ChaCha20Aligned.BLOCKLEN !== 0) throw new RangeError('ChaCha20Aligned output must be a multiple of 64 bytes');
    const w = this.words;
    for (let off = 0; off < out.length; off += 64) {
      this.nextBlockWords(w);
      for (let i = 0; i < 16; i++) {
        const v = w[i]!;
        const o = off + 4 * i;
        out[o] = v & 0xff;
        out[o + 1] = (v >>> 8) & 0xff;
        out[o + 2] = (v >>> 16) & 0xff;
        out[o + 3] = v >>> 24;
      }
    }
  }

  /** XORs `input` (a multiple of 64 bytes) with keystream into `output`. */
  // Core: crypto/chacha20.cpp ChaCha20Aligned::Crypt
  crypt(input: Uint8Array, output: Uint8Array): void {
    if (input.length !== output.length) throw new RangeError('ChaCha20 crypt: input and output sizes differ');
    const ks = new Uint8Array(input.length);
    this.keystream(ks);
    for (let i = 0; i < input.length; i++) output[i] = input[i]! ^ ks[i]!;
  }
}

/**
 * ChaCha20 over arbitrary lengths: the unused tail of the last block is kept and handed out first
 * on the next call, so splitting a request into pieces yields the same bytes.
 */
// Core: crypto/chacha20.h ChaCha20
export class ChaCha20 {
  static readonly KEYLEN = 32;

  private readonly aligned: ChaCha20Aligned;
  /** The current block as 16 LE words; its last `bufLeft` bytes are still unused. */
  private readonly buffer = new Uint32Array(16);
  private bufLeft = 0;

  constructor(key: Uint8Array) {
    this.aligned = new ChaCha20Aligned(key);
  }

  // Core: crypto/chacha20.cpp ChaCha20::SetKey
  setKey(key: Uint8Array): void {
    this.aligned.setKey(key);
    this.bufLeft = 0;
    this.buffer.fill(0);
  }

  // Core: crypto/chacha20.h ChaCha20::Seek
  seek(nonce: Nonce96, blockCounter: number): void {
    this.aligned.seek(nonce, blockCounter);
    this.bufLeft = 0;
  }

  /**
   * Fast path for FastRandomContext::rand64: the next 8 keystream bytes as a little-endian 64-bit
   * value, written to out[0] (low 32 bits) and out[1] (high 32 bits). Byte-identical to
   * keystream(8 bytes) followed by ReadLE64.
   */
  // Core: random.h FastRandomContext::rand64 (the keystream read)
  next64(out: Uint32Array): void {
    const left = this.bufLeft;
    if (left >= 8 && (left & 3) === 0) {
      const idx = 16 - (left >>> 2);
      out[0] = this.buffer[idx]!;
      out[1] = this.buffer[idx + 1]!;
      this.bufLeft = left - 8;
      return;
    }
    if (left === 0) {
      this.aligned.nextBlockWords(this.buffer);
      out[0] = this.buffer[0]!;
      out[1] = this.buffer[1]!;
      this.bufLeft = 56;
      return;
    }
    // Misaligned buffer (after a keystream request that was not a multiple of 4 bytes).
    const b = new Uint8Array(8);
    this.keystream(b);
    out[0] = readLE32(b, 0);
    out[1] = readLE32(b, 4);
  }

  private bufferByte(i: number): number {
    return (this.buffer[i >>> 2]! >>> ((i & 3) << 3)) & 0xff;
  }

  /** Fills `out` with the next keystream bytes. */
  // Core: crypto/chacha20.cpp ChaCha20::Keystream
  keystream(out: Uint8Array): void {
    let pos = 0;
    const n = out.length;
    if (n === 0) return;
    if (this.bufLeft > 0) {
      const reuse = Math.min(this.bufLeft, n);
      const start = 64 - this.bufLeft;
      for (let i = 0; i < reuse; i++) out[i] = this.bufferByte(start + i);
      this.bufLeft -= reuse;
      pos = reuse;
    }
    const blocks = Math.floor((n - pos) / 64);
    if (blocks > 0) {
      this.aligned.keystream(out.subarray(pos, pos + blocks * 64));
      pos += blocks * 64;
    }
    if (pos < n) {
      this.aligned.nextBlockWords(this.buffer);
      const rest = n - pos;
      for (let i = 0; i < rest; i++) out[pos + i] = this.bufferByte(i);
      this.bufLeft = 64 - rest;
    }
  }

  /** XORs `input` with the next keystream bytes into `output` (same length). */
  // Core: crypto/chacha20.cpp ChaCha20::Crypt
  crypt(input: Uint8Array, output: Uint8Array): void {
    if (input.length !== output.length) throw new RangeError('ChaCha20 crypt: input and output sizes differ');
    // Crypt consumes exactly the keystream that Keystream would, so it is built on it.
    const ks = new Uint8Array(input.length);
    this.keystream(ks);
    for (let i = 0; i < input.length; i++) output[i] = input[i]! ^ ks[i]!;
  }
}
