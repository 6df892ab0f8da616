// Tests for serialize.ts: the integer codecs and CompactSize edge cases of Core's serialize.h
// (canonical encodings, the MAX_SIZE range check, truncation errors).
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, MAX_SIZE, SerializeError, compactSizeLength } from './serialize.ts';
import { fromHex, toHex } from './hash.ts';

function hexOf(f: (w: ByteWriter) => void): string {
  const w = new ByteWriter(1);
  f(w);
  return toHex(w.toBytes());
}

function readErr(hex: string, f: (r: ByteReader) => unknown): SerializeError {
  try {
    f(new ByteReader(fromHex(hex)));
  } catch (e) {
    expect(e).toBeInstanceOf(SerializeError);
    return e as SerializeError;
  }
  throw new Error('expected a SerializeError');
}

describe('ByteWriter / ByteReader integers', () => {
  it('writes little-endian integers and big-endian ports', () => {
    expect(hexOf((w) => w.u8(0xab).u16le(0x1234).u16be(0x208d).u32le(0xdeadbeef).i32le(-2))).toBe('ab3412208defbeaddefeffffff');
    expect(hexOf((w) => w.u64le(0x0102030405060708n))).toBe('0807060504030201');
    expect(hexOf((w) => w.u64le(-1n))).toBe('ffffffffffffffff');
    expect(hexOf((w) => w.u64leNumber(2 ** 53 - 1))).toBe('ffffffffffff1f00');
    expect(hexOf((w) => w.u64leHalves(0x01020304, 0x05060708))).toBe('0807060504030201');
    expect(() => new ByteWriter().u64leNumber(2 ** 53)).toThrow(RangeError);
  });

  it('reads back what it wrote, growing past the initial capacity', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.u32le(i * 7919).u16be(i).i32le(-i);
    w.u64le(0xfedcba9876543210n).i64le(-5n).varBytes(Uint8Array.of(9, 8, 7));
    const r = new ByteReader(w.toBytes());
    for (let i = 0; i < 1000; i++) {
      expect(r.u32le()).toBe(i * 7919);
      expect(r.u16be()).toBe(i);
      expect(r.i32le()).toBe(0 - i || 0);
    }
    expect(r.u64le()).toBe(0xfedcba9876543210n);
    expect(r.i64le()).toBe(-5n);
    expect(Array.from(r.varBytes())).toEqual([9, 8, 7]);
    expect(r.eof).toBe(true);
  });

  it('u64leNumber refuses values that a number cannot hold exactly', () => {
    expect(new ByteReader(fromHex('ffffffffffff1f00')).u64leNumber()).toBe(2 ** 53 - 1);
    expect(readErr('0000000000002000', (r) => r.u64leNumber()).kind).toBe('invalid');
  });

  it('reading past the end throws SerializeError("truncated") with Core\'s "end of data" wording', () => {
    const e = readErr('0102', (r) => r.u32le());
    expect(e.kind).toBe('truncated');
    expect(e.message).toMatch(/^end of data/);
    expect(readErr('', (r) => r.u8()).kind).toBe('truncated');
    expect(readErr('01', (r) => r.bytes(2)).kind).toBe('truncated');
    expect(readErr('05aabb', (r) => r.varBytes()).kind).toBe('truncated');
  });
});

describe('CompactSize (Core: serialize.h WriteCompactSize / ReadCompactSize)', () => {
  it('encodes at the size boundaries', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [252, 'fc'],
      [253, 'fdfd00'],
      [0xffff, 'fdffff'],
      [0x10000, 'fe00000100'],
      [0xffffffff, 'feffffffff'],
      [0x100000000, 'ff0000000001000000'],
      [0xffffffffffffffffn, 'ffffffffffffffffff'],
    ];
    for (const [n, hex] of cases) {
      expect(hexOf((w) => w.compactSize(n))).toBe(hex);
      expect(compactSizeLength(n)).toBe(hex.length / 2);
      expect(new ByteReader(fromHex(hex)).compactSizeBig(false)).toBe(BigInt(n));
    }
  });

  it('round-trips every length class within MAX_SIZE', () => {
    for (const n of [0, 1, 252, 253, 254, 255, 256, 0xfffe, 0xffff, 0x10000, 0x10001, MAX_SIZE - 1, MAX_SIZE]) {
      const w = new ByteWriter().compactSize(n);
      expect(new ByteReader(w.toBytes()).compactSize()).toBe(n);
      expect(new ByteReader(w.toBytes()).compactSizeBig()).toBe(BigInt(n));
    }
  });

  it('rejects non-canonical encodings', () => {
    for (const hex of ['fdfc00', 'fd0000', 'fe0000000000', 'feffff0000', 'ff0000000000000000', 'ffffffffff00000000']) {
      const e = readErr(hex, (r) => r.compactSize());
      expect(e.kind, hex).toBe('non-canonical');
      expect(e.message).toBe('non-canonical ReadCompactSize()');
      expect(readErr(hex, (r) => r.compactSizeBig(false)).kind, hex).toBe('non-canonical');
    }
  });

  it('range-checks against MAX_SIZE = 0x02000000 unless told not to', () => {
    expect(MAX_SIZE).toBe(0x02000000);
    const over = toHex(new ByteWriter().compactSize(MAX_SIZE + 1).toBytes());
    const e = readErr(over, (r) => r.compactSize());
    expect(e.kind).toBe('size-too-large');
    expect(e.message).toBe('ReadCompactSize(): size too large');
    expect(readErr(over, (r) => r.compactSizeBig()).kind).toBe('size-too-large');
    expect(new ByteReader(fromHex(over)).compactSizeBig(false)).toBe(BigInt(MAX_SIZE + 1));
    expect(readErr('ff0000000001000000', (r) => r.compactSize()).kind).toBe('size-too-large');
  });

  it('truncated CompactSize bodies throw "truncated"', () => {
    for (const hex of ['fd', 'fd01', 'fe010000', 'ff01020304050607']) {
      expect(readErr(hex, (r) => r.compactSize()).kind, hex).toBe('truncated');
    }
  });
});
