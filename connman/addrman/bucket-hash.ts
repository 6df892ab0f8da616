// A small, allocation-free double SHA-256 for the short preimages of AddrMan's bucket hashes
// (at most a few dozen bytes), returning only the low 16 bits of GetCheapHash. AddrMan hashes three
// times per Add and per consistency-checked entry; hash.ts's general sha256d goes through node:crypto
// and allocates two Buffers per call. This path runs at about the same speed on tiny inputs but
// creates no garbage, which matters when thousands of nodes gossip for simulated weeks.
// It holds nothing else: hash.ts remains the general SHA-256 / HashWriter (and a test cross-checks
// this file against it for every input length).

import { OP_COUNTS, Op } from '../util/op-counts.ts';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);
const H = new Int32Array(8);
/** Padded message buffer: room for 4 blocks (inputs up to 247 bytes). */
const BLOCKS = new Uint8Array(256);

function compress(block: Uint8Array, off: number): void {
  OP_COUNTS[Op.shaBlock]++;
  const w = W;
  for (let i = 0; i < 16; i++) {
    const j = off + (i << 2);
    w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const w2 = w[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (((w[i - 16]! + s0) | 0) + ((w[i - 7]! + s1) | 0)) | 0;
  }
  const st = H;
  let a = st[0]! | 0, b = st[1]! | 0, c = st[2]! | 0, d = st[3]! | 0;
  let e = st[4]! | 0, f = st[5]! | 0, g = st[6]! | 0, h = st[7]! | 0;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (((h + S1) | 0) + ((ch + ((K[i]! + w[i]!) | 0)) | 0)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  st[0] = (st[0]! + a) | 0;
  st[1] = (st[1]! + b) | 0;
  st[2] = (st[2]! + c) | 0;
  st[3] = (st[3]! + d) | 0;
  st[4] = (st[4]! + e) | 0;
  st[5] = (st[5]! + f) | 0;
  st[6] = (st[6]! + g) | 0;
  st[7] = (st[7]! + h) | 0;
}

/** SHA-256 of msg[0, len) into H (len <= 247). */
function sha256Into(msg: Uint8Array, len: number): void {
  H.set(H0);
  const blocks = (len + 9 + 63) >>> 6;
  const total = blocks * 64;
  for (let i = 0; i < len; i++) BLOCKS[i] = msg[i]!;
  BLOCKS[len] = 0x80;
  BLOCKS.fill(0, len + 1, total - 4);
  const bits = len * 8;
  BLOCKS[total - 4] = bits >>> 24;
  BLOCKS[total - 3] = (bits >>> 16) & 0xff;
  BLOCKS[total - 2] = (bits >>> 8) & 0xff;
  BLOCKS[total - 1] = bits & 0xff;
  for (let b = 0; b < blocks; b++) compress(BLOCKS, b * 64);
}

/**
 * The first two bytes of SHA256(SHA256(msg[0, len))) as a little-endian number: the low 16 bits of
 * Core's GetCheapHash(). `len` must be at most 247.
 */
export function cheapHashLow16(msg: Uint8Array, len: number): number {
  if (len > 247) throw new RangeError('cheapHashLow16: input too long');
  sha256Into(msg, len);
  // Second pass over the 32-byte digest: exactly one padded block.
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    BLOCKS[i * 4] = v >>> 24;
    BLOCKS[i * 4 + 1] = (v >>> 16) & 0xff;
    BLOCKS[i * 4 + 2] = (v >>> 8) & 0xff;
    BLOCKS[i * 4 + 3] = v & 0xff;
  }
  BLOCKS[32] = 0x80;
  BLOCKS.fill(0, 33, 62);
  BLOCKS[62] = 0x01; // 256 bits
  BLOCKS[63] = 0x00;
  H.set(H0);
  compress(BLOCKS, 0);
  const h0 = H[0]!;
  // Digest bytes 0 and 1 are the top two bytes of the first word (big-endian within the word).
  return ((h0 >>> 24) & 0xff) | (((h0 >>> 16) & 0xff) << 8);
}
