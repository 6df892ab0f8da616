// The bridge run's harness end to end, with a stand-in for bitcoind (testing/fake-bitcoind.mjs: it
// handshakes, answers pings and counts addresses, nothing more): the process is started with the
// safe command line, its RPC is read with the cookie, its outbound connections go through the
// gateway's SOCKS5 proxy into the world (Core's way: username/password offered), simulated peers
// connect in, the report renders, and the process is stopped. What Core does is tested against
// the real binary in bitcoind-interop.test.ts; this test needs none.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeReport } from './report.ts';
import { NodeArgsError } from './bitcoind.ts';
import { runBridge, type BridgeResultJson, type BridgeRunOptions } from './session.ts';

const FAKE = join(import.meta.dirname, 'testing', 'fake-bitcoind.mjs');
const ns = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip route add local 0.0.0.0/0 dev lo table local'], { encoding: 'utf8' });
const NAMESPACE_OK = ns.status === 0;
if (!NAMESPACE_OK) console.log(`session.test: namespace remedy test skipped: unshare -n failed here (${(ns.stderr || ns.error?.message || '').trim()})`);

function options(o: Partial<BridgeRunOptions> = {}): BridgeRunOptions {
  return {
    bitcoind: FAKE,
    seed: 'harness',
    nodes: 20,
    warmupMicros: 120_000_000,
    durationMs: 3000,
    seedAddresses: 5,
    honestInbound: 2,
    inboundSybils: 3,
    floodAtMs: 500,
    inboundSource: 'loopback',
    extraArgs: [],
    pollMs: 1000,
    log: () => {},
    ...o,
  };
}

describe('bridge session (stand-in bitcoind)', () => {
  it('starts the node, routes its outbound connections through the proxy into the world, lets simulated peers in, reports and stops it', async () => {
    chmodSync(FAKE, 0o755);
    const r = await runBridge(options());
    const outbound = r.real.peers.filter((p) => !p.inbound);
    const inbound = r.real.peers.filter((p) => p.inbound);
    // Every RPC-seeded address was reached through the proxy and handshook as a simulated Core node.
    expect(outbound.length).toBe(5);
    for (const p of outbound) expect(p.subver).toBe('/Satoshi:31.99.0/');
    expect(r.links.filter((l) => l.direction === 'outbound' && l.establishedAtMicros !== null).length).toBe(5);
    // The simulated nodes answered its GETADDR.
    expect(outbound.some((p) => (p.addr_processed ?? 0) > 0)).toBe(true);
    // 2 honest nodes and 3 Sybils connected in, all from loopback.
    expect(inbound.length).toBe(5);
    for (const p of inbound) expect(p.addr.startsWith('127.0.0.1:')).toBe(true);
    expect(r.snapshots.length).toBeGreaterThanOrEqual(3);
    expect(r.simulated.peers.length).toBeGreaterThan(0);
    const md = bridgeReport(r);
    expect(md).toContain(`bitcoind at ${r.nodeAddress}`);
    expect(md).toContain('5 inbound, 5 outbound-full-relay');
    // The stand-in evicts nobody: links ended at the run's end are not counted as closed by the node.
    expect(md).toContain('5 reached the node, 0 closed by the node (0 of them after the handshake)');
  });

  it('refuses an unsafe extra argument before building anything', async () => {
    await expect(runBridge(options({ extraArgs: ['-natpmp=1'] }))).rejects.toThrow(NodeArgsError);
  });

  it.skipIf(!NAMESPACE_OK)('in a namespace where every IPv4 address is local, the node sees inbound peers at their simulated addresses', () => {
    chmodSync(FAKE, 0o755);
    const out = mkdtempSync(join(tmpdir(), 'connsim-bridge-ns-'));
    try {
      const root = resolve(import.meta.dirname, '..');
      const args = [join(root, 'bin', 'connsim.js'), 'bridge', '--bitcoind', FAKE, '--nodes', '20', '--warmup', '2m', '--duration', '3s', '--seed-addresses', '3', '--honest-inbound', '2', '--inbound-sybils', '3', '--flood-at', '500ms', '--inbound-source', 'simulated', '--poll', '1s', '--out', out, '--quiet'];
      const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip route add local 0.0.0.0/0 dev lo table local && exec "$0" "$@"', process.execPath, ...args], { encoding: 'utf8', cwd: root });
      expect(r.status, r.stderr).toBe(0);
      const res = JSON.parse(readFileSync(join(out, 'bridge.json'), 'utf8')) as BridgeResultJson;
      const inbound = res.real.peers.filter((p) => p.inbound);
      expect(inbound.length).toBe(5);
      // Each simulated peer arrives from its own simulated address, in its own netgroup, not from loopback.
      const sim = new Set(res.links.filter((l) => l.direction === 'inbound').map((l) => l.peer));
      for (const p of inbound) expect(sim.has(p.addr.slice(0, p.addr.lastIndexOf(':')))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
