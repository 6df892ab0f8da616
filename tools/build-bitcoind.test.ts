// tools/build-bitcoind.sh: a cached build is not rebuilt (it prints the version and exits 0), and
// without Core's source it says so and fails (the interop test then skips). The build itself is
// exercised by CI (.ci/run), not here: it takes minutes.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, 'build-bitcoind.sh');
const dir = mkdtempSync(join(tmpdir(), 'connsim-build-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('build-bitcoind.sh', () => {
  it('skips the build when both binaries are cached and reports their version', () => {
    const bin = join(dir, 'cached', 'build', 'bin');
    mkdirSync(bin, { recursive: true });
    for (const name of ['bitcoind', 'bitcoin-cli']) {
      writeFileSync(join(bin, name), '#!/bin/sh\necho "Bitcoin Core daemon version v31.99.0-g58a7869f"\n');
      chmodSync(join(bin, name), 0o755);
    }
    const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, CONNSIM_BITCOIN_BUILD: join(dir, 'cached') } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`build-bitcoind: cached: Bitcoin Core daemon version v31.99.0-g58a7869f in ${bin}\n`);
  });

  it('fails with one line when the vendored source is missing', () => {
    const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, CONNSIM_BITCOIN_BUILD: join(dir, 'empty'), CONNSIM_BITCOIN_TARBALL: join(dir, 'none.tar.gz') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`build-bitcoind: no Core source at ${join(dir, 'none.tar.gz')} (set CONNSIM_BITCOIN_TARBALL); nothing built\n`);
  });
});
