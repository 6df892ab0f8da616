// The command line as a user meets it: each test runs `connsim` as a separate process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(fileURLToPath(import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function connsim(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TSX, join(ROOT, 'cli.ts'), ...args], { input, encoding: 'utf8', cwd: ROOT });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const peers = join(DATA, 'peers-regtest.dat');
const peersAsmap = join(DATA, 'peers-regtest-asmap.dat');
const ipAsn = join(DATA, 'ip_asn.dat');
const testAsmap = join(DATA, 'asmap-test.raw');
for (const f of [peers, peersAsmap, ipAsn, testAsmap]) if (!existsSync(f)) console.warn(`skipping CLI tests that need ${f}: file absent`);

describe('connsim addr', () => {
  it('prints the placement of one address in Core RPC vocabulary', () => {
    const r = connsim(['addr', '1.2.3.4:8333']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      network: 'ipv4',
      netgroup: '010102',
      mapped_as: 0,
      new_bucket: 774,
      new_position: 4,
      tried_bucket: 6,
      tried_position: 33,
    });
  });

  it.skipIf(!existsSync(ipAsn))('--batch answers every line in order, errors as {"error"} lines', () => {
    const input = [
      JSON.stringify({ addr: '2.0.0.0:8333' }),
      'not json',
      JSON.stringify({ addr: '8.8.8.8', asmap: ipAsn }),
      JSON.stringify({ addr: 'nonsense' }),
      JSON.stringify({ addr: '1.1.1.1', asmap: ipAsn, key: null, source: null }),
    ].join('\n');
    const r = connsim(['addr', '--batch'], `${input}\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect([lines[0]!.new_bucket, lines[0]!.new_position]).toEqual([82, 8]);
    expect(lines[1]!.error).toMatch(/JSON/);
    expect(lines[2]!.mapped_as).toBe(15169);
    expect(lines[3]!.error).toMatch(/nonsense/);
    expect(lines[4]!.mapped_as).toBe(13335);
  });

  it('bad input: one line on stderr, exit code 2', () => {
    for (const args of [['addr', '999.1.1.1'], ['addr', '1.2.3.4', '--key', 'zz'], ['addr', '1.2.3.4', '--asmap', '/nonexistent'], ['addr'], ['frobnicate']]) {
      const r = connsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^connsim: /);
    }
  });
});

describe('connsim peers', () => {
  it.skipIf(!existsSync(peers))("prints getaddrmaninfo for Core's own peers.dat", () => {
    const r = connsim(['peers', peers]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, { new: number; tried: number; total: number }>;
    expect(Object.keys(info)).toEqual(['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'all_networks']);
    expect(info.all_networks).toEqual({ new: 2037, tried: 885, total: 2922 });
  });

  it.skipIf(!existsSync(peersAsmap) || !existsSync(ipAsn))('--raw --asmap gives getrawaddrman entries with mapped_as', () => {
    const r = connsim(['peers', peersAsmap, '--asmap', ipAsn, '--raw']);
    expect(r.code).toBe(0);
    const raw = JSON.parse(r.stdout) as { new: Record<string, Record<string, unknown>>; tried: Record<string, Record<string, unknown>> };
    const first = Object.values(raw.new)[0]!;
    expect(Object.keys(first).slice(0, 3)).toEqual(['address', 'mapped_as', 'port']);
    expect(Object.keys(raw.new).every((k) => /^\d+\/\d+$/.test(k))).toBe(true);
    expect(Object.keys(raw.tried).length).toBe(671);
  });

  it('a file that is not a peers.dat, or a missing one, is a one-line error with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'connsim-cli-'));
    const junk = join(dir, 'junk.dat');
    writeFileSync(junk, 'hello world, not a peers file');
    for (const args of [['peers', junk], ['peers', join(dir, 'missing.dat')], ['peers', dir]]) {
      const r = connsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
