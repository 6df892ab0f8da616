// bitcoin-cli's side of an RPC call: which words are read as JSON (rpc/client.cpp's table), how a
// result is printed (UniValue::write(2): `%.16g` doubles, ValueFromAmount amounts, empty arrays and
// objects over two lines), and how an RPC error is printed and becomes an exit status.
import { describe, expect, it } from 'vitest';

import { CliParseError, cliErrorExitStatus, convertCliArgs, formatCliError, formatCliResult, formatG16, writeUniValue } from './cli.ts';

describe('command-line words', () => {
  it('reads as JSON only the parameters rpc/client.cpp lists; every other word stays a string', () => {
    expect(convertCliArgs('setban', ['10.0.0.0/8', 'add', '3600', 'true'])).toEqual(['10.0.0.0/8', 'add', 3600, true]);
    expect(convertCliArgs('getnodeaddresses', ['-1', 'ipv4'])).toEqual([-1, 'ipv4']);
    expect(convertCliArgs('addpeeraddress', ['1.2.3.4', '8333', 'false'])).toEqual(['1.2.3.4', 8333, false]);
    expect(convertCliArgs('disconnectnode', ['', '7'])).toEqual(['', 7]);
    // addnode's node and command are strings even when they look like JSON.
    expect(convertCliArgs('addnode', ['123', 'onetry'])).toEqual(['123', 'onetry']);
    expect(convertCliArgs('nosuchmethod', ['1', 'true'])).toEqual(['1', 'true']);
  });

  it('a listed parameter that is not JSON is a client error, "Error parsing JSON: <word>"', () => {
    expect(() => convertCliArgs('setban', ['1.2.3.4', 'add', 'soon'])).toThrow(CliParseError);
    expect(() => convertCliArgs('setban', ['1.2.3.4', 'add', 'soon'])).toThrow('Error parsing JSON: soon');
  });
});

describe('printing a result as bitcoin-cli does', () => {
  it('doubles as %.16g', () => {
    expect(formatG16(0.100001)).toBe('0.100001');
    expect(formatG16(0.1 + 0.2)).toBe('0.3');
    expect(formatG16(0.00001234)).toBe('1.234e-05');
    expect(formatG16(0.0001234)).toBe('0.0001234');
    expect(formatG16(1e16)).toBe('1e+16');
    expect(formatG16(123456.5)).toBe('123456.5');
    expect(formatG16(-2.5)).toBe('-2.5');
  });

  it('objects and arrays as UniValue::write(2), amounts with eight decimals', () => {
    const text = formatCliResult({ relayfee: 0.000001, pingtime: 0.1 + 0.2, inflight: [], per: {}, list: [1, 'a"b'], ok: true, nothing: null });
    expect(text).toBe(['{', '  "relayfee": 0.00000100,', '  "pingtime": 0.3,', '  "inflight": [', '  ],', '  "per": {', '  },', '  "list": [', '    1,', '    "a\\"b"', '  ],', '  "ok": true,', '  "nothing": null', '}'].join('\n'));
    expect(writeUniValue([], 2)).toBe('[\n]');
    expect(writeUniValue('\u0001\u007f\n', 2)).toBe('"\\u0001\\u007f\\n"');
  });

  it('null prints nothing; a string prints bare; a number or boolean as JSON', () => {
    expect(formatCliResult(null)).toBeNull();
    expect(formatCliResult('text')).toBe('text');
    expect(formatCliResult(3)).toBe('3');
    expect(formatCliResult(false)).toBe('false');
  });
});

describe('an RPC error', () => {
  it('prints code and message on three lines; the exit status is abs(code), low 8 bits', () => {
    expect(formatCliError(-8, 'Address count out of range')).toBe('error code: -8\nerror message:\nAddress count out of range');
    expect(cliErrorExitStatus(-8)).toBe(8);
    expect(cliErrorExitStatus(-1)).toBe(1);
    expect(cliErrorExitStatus(-32601)).toBe(89);
  });
});
