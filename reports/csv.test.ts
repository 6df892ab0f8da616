import { describe, expect, it } from 'vitest';

import { csvField, toCsv } from './csv.ts';
import { canonicalise, stableStringify } from './stable-json.ts';

describe('RFC 4180 CSV', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(-0)).toBe('0');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(true)).toBe('true');
  });
  it('writes a header and CRLF-terminated records in column order', () => {
    const csv = toCsv(
      [
        { a: 1, b: 'x,y' },
        { a: 2, b: null },
      ],
      [
        { header: 'a', value: (r) => r.a },
        { header: 'b', value: (r) => r.b },
      ],
    );
    expect(csv).toBe('a,b\r\n1,"x,y"\r\n2,\r\n');
  });
});

describe('stable JSON', () => {
  it('sorts keys at every level, whatever the construction order', () => {
    const a = stableStringify({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } });
    const b = stableStringify({ a: { c: null, d: [{ y: 2, z: 1 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a.endsWith('}\n')).toBe(true);
    expect(a.indexOf('"a"')).toBeLessThan(a.indexOf('"b"'));
  });
  it('drops undefined members and writes non-finite numbers as null', () => {
    expect(canonicalise({ x: undefined, y: Infinity, z: -0 })).toEqual({ y: null, z: 0 });
  });
});
