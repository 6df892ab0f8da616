// Byte-level serialization primitives in Bitcoin Core's wire format: a growable little-endian
// ByteWriter, a bounds-checked ByteReader and CompactSize (serialize.h).
// It does not know about addresses, messages or hashes; those build on top of it
// (netaddress.ts, protocol.ts, hash.ts).

/** Core: serialize.h MAX_SIZE — the largest CompactSize a range-checked read accepts. */
export const MAX_SIZE = 0x02000000;

const TWO_32 = 0x1_0000_0000;

/** Why a read failed; mirrors the std::ios_base::failure cases Core raises while unserializing. */
export type SerializeErrorKind = 'truncated' | 'non-canonical' | 'size-too-large' | 'invalid';

/** A typed unserialization failure (Core throws std::ios_base::failure in the same places). */
export class SerializeError extends Error {
  readonly kind: SerializeErrorKind;
  constructor(kind: SerializeErrorKind, message: string) {
    super(message);
    this.name = 'SerializeError';
    this.kind = kind;
  }
}

/** Number of bytes CompactSize needs for `n`. Core: serialize.h GetSizeOfCompactSize */
export function compactSizeLength(n: number | bigint): number {
  const v = typeof n === 'bigint' ? n : BigInt(n);
  if (v < 253n) return 1;
  if (v <= 0xffffn) return 3;
  if (v <= 0xffffffffn) return 5;
  return 9;
}

/** A growable byte buffer written front to back; all multi-byte integers little-endian unless named `be`. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
    return this;
  }

  /** Big-endian 16 bits: ports travel big-endian on the wire (Core's BigEndianFormatter<2>). */
  u16be(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.len, v, false);
    this.len += 2;
    return this;
  }

  u32le(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
    return this;
  }

  u32be(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.len, v >>> 0, false);
    this.len += 4;
    return this;
  }

  i32le(v: number): this {
    this.reserve(4);
    this.view.setInt32(this.len, v | 0, true);
    this.len += 4;
    return this;
  }

  /** 64-bit little-endian from a bigint (taken modulo 2^64, as a C++ uint64_t/int64_t cast would). */
  u64le(v: bigint): this {
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
    return this;
  }

  /** 64-bit little-endian from a non-negative safe integer (exact below 2^53). */
  u64leNumber(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64leNumber: ${v} is not a safe non-negative integer`);
    this.reserve(8);
    this.view.setUint32(this.len, v % TWO_32, true);
    this.view.setUint32(this.len + 4, Math.floor(v / TWO_32), true);
    this.len += 8;
    return this;
  }

  /** 64-bit little-endian from two 32-bit halves (hi, lo), no bigint needed. */
  u64leHalves(hi: number, lo: number): this {
    this.reserve(8);
    this.view.setUint32(this.len, lo >>> 0, true);
    this.view.setUint32(this.len + 4, hi >>> 0, true);
    this.len += 8;
    return this;
  }

  i64le(v: bigint): this {
    return this.u64le(v);
  }

  /** Raw bytes, no length prefix. */
  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Core: serialize.h WriteCompactSize */
  compactSize(n: number | bigint): this {
    if (typeof n === 'number') {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`compactSize: ${n} is not a safe non-negative integer`);
      if (n < 253) return this.u8(n);
      if (n <= 0xffff) return this.u8(253).u16le(n);
      if (n <= 0xffffffff) return this.u8(254).u32le(n);
      return this.u8(255).u64leNumber(n);
    }
    const v = BigInt.asUintN(64, n);
    if (v < 253n) return this.u8(Number(v));
    if (v <= 0xffffn) return this.u8(253).u16le(Number(v));
    if (v <= 0xffffffffn) return this.u8(254).u32le(Number(v));
    return this.u8(255).u64le(v);
  }

  /** A byte vector as Core serializes std::vector<unsigned char>: CompactSize length, then the bytes. */
  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** A view (no copy) of the bytes written so far; invalidated by further writes. */
  peek(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Forget everything written, keeping the allocation. */
  clear(): this {
    this.len = 0;
    return this;
  }
}

/** Reads Core-serialized data front to back; every read past the end throws SerializeError('truncated'). */
export class ByteReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = offset;
  }

  /** Current read position. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** True when everything has been read. */
  get eof(): boolean {
    return this.pos >= this.buf.length;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) {
      throw new SerializeError('truncated', `end of data: need ${n} byte(s) at offset ${at}, have ${this.buf.length - at}`);
    }
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }

  u16le(): number {
    return this.view.getUint16(this.need(2), true);
  }

  u16be(): number {
    return this.view.getUint16(this.need(2), false);
  }

  u32le(): number {
    return this.view.getUint32(this.need(4), true);
  }

  u32be(): number {
    return this.view.getUint32(this.need(4), false);
  }

  i32le(): number {
    return this.view.getInt32(this.need(4), true);
  }

  u64le(): bigint {
    return this.view.getBigUint64(this.need(8), true);
  }

  i64le(): bigint {
    return this.view.getBigInt64(this.need(8), true);
  }

  /** A uint64 as a number; throws SerializeError('invalid') when it is not exactly representable (>= 2^53). */
  u64leNumber(): number {
    const at = this.need(8);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    if (hi >= 0x200000) throw new SerializeError('invalid', `uint64 at offset ${at} exceeds 2^53`);
    return hi * TWO_32 + lo;
  }

  /** A uint64 as its two 32-bit halves [hi, lo]. */
  u64leHalves(): [number, number] {
    const at = this.need(8);
    return [this.view.getUint32(at + 4, true), this.view.getUint32(at, true)];
  }

  /** `n` raw bytes, as a view into the underlying buffer (no copy). */
  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** Skip `n` bytes (Core: stream.ignore). */
  skip(n: number): void {
    this.need(n);
  }

  /**
   * Core: serialize.h ReadCompactSize. Rejects non-minimal encodings and, when `rangeCheck`, values
   * above MAX_SIZE. Returned as a bigint because without the range check it spans 64 bits.
   */
  compactSizeBig(rangeCheck = true): bigint {
    const ch = this.u8();
    let v: bigint;
    if (ch < 253) {
      v = BigInt(ch);
    } else if (ch === 253) {
      v = BigInt(this.u16le());
      if (v < 253n) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
    } else if (ch === 254) {
      v = BigInt(this.u32le());
      if (v < 0x10000n) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
    } else {
      v = this.u64le();
      if (v < 0x100000000n) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
    }
    if (rangeCheck && v > BigInt(MAX_SIZE)) throw new SerializeError('size-too-large', 'ReadCompactSize(): size too large');
    return v;
  }

  /**
   * Core: serialize.h ReadCompactSize (range-checked, so the result always fits a number).
   * This is what every length prefix uses.
   */
  compactSize(): number {
    const ch = this.u8();
    let v: number;
    if (ch < 253) return ch;
    if (ch === 253) {
      v = this.u16le();
      if (v < 253) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
    } else if (ch === 254) {
      v = this.u32le();
      if (v < 0x10000) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
    } else {
      const hi = this.u64leHalves()[0];
      if (hi === 0) throw new SerializeError('non-canonical', 'non-canonical ReadCompactSize()');
      throw new SerializeError('size-too-large', 'ReadCompactSize(): size too large');
    }
    if (v > MAX_SIZE) throw new SerializeError('size-too-large', 'ReadCompactSize(): size too large');
    return v;
  }

  /** A std::vector<unsigned char>: CompactSize length then that many bytes (view, no copy). */
  varBytes(): Uint8Array {
    return this.bytes(this.compactSize());
  }
}
