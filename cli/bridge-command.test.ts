// `connsim bridge` refuses, in one line and before starting anything, a bitcoind it cannot keep on
// loopback, and a binary that is not there. (The run itself: bridge/bitcoind-interop.test.ts.)
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const LAUNCHER = join(ROOT, 'bin', 'connsim.js');
const run = (...args: string[]) => spawnSync(process.execPath, [LAUNCHER, 'bridge', ...args], { encoding: 'utf8', cwd: ROOT });

describe('connsim bridge: refusals', () => {
  it('refuses an extra argument that would let the node leave loopback, with one line and exit 2', () => {
    const r = run('--bitcoind', '/bin/true', '--nodes', '2', '--bitcoind-arg=-dnsseed=1');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('connsim: refusing to start bitcoind: -dnsseed=1 would query DNS seeds; it must be -dnsseed=0\n');
    const p = run('--bitcoind', '/bin/true', '--nodes', '2', '--bitcoind-arg=-proxy=10.1.2.3:9050');
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/^connsim: refusing to start bitcoind: every -proxy must be the bridge's 127\.0\.0\.1:\d+ for all networks .*\n$/);
  });

  it('refuses a missing binary and a bad --inbound-source', () => {
    const r = run('--bitcoind', '/nonexistent/bitcoind');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('connsim: --bitcoind /nonexistent/bitcoind: not an executable file\n');
    const s = run('--bitcoind', '/bin/true', '--inbound-source', 'lan');
    expect(s.status).toBe(2);
    expect(s.stderr).toBe('connsim: --inbound-source must be loopback or simulated, got "lan"\n');
  });
});
