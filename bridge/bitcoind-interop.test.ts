// The interop test with a real bitcoind (built by tools/build-bitcoind.sh from the vendored Core
// source): `connsim bridge` puts a regtest node into a small simulated world for 35 s of wall time.
// When this machine allows it, the whole run happens in a network namespace the test creates with
// only a loopback interface (`unshare -n`), so not one packet can leave the machine; inside it an
// "every IPv4 address is local" route lets simulated inbound peers connect from their own
// simulated addresses (the README's remedy for the loopback netgroup). The test checks the
// handshakes, the address exchange both ways, the node's 8 full-relay and 2 block-relay-only
// outbound peers at simulated addresses (each reached through the bridge's SOCKS5 proxy), and an
// inbound eviction caused by simulated peers. Without the binary it skips and says why.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBuildDir, findBitcoind } from './bitcoind.ts';
import type { BridgeRunResult } from './session.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LAUNCHER = join(ROOT, 'bin', 'connsim.js');
const bitcoind = findBitcoind();
if (bitcoind === null) {
  console.log(`bitcoind-interop: skipped: no bitcoind in ${defaultBuildDir()}/build/bin (build it with tools/build-bitcoind.sh)`);
}

/** Whether this process may create a network namespace with only loopback (root, or user namespaces). */
function namespaceWorks(): boolean {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip route add local 0.0.0.0/0 dev lo table local'], { encoding: 'utf8' });
  return r.status === 0;
}

describe.skipIf(bitcoind === null)('a real bitcoind in a simulated world', () => {
  it('handshakes, exchanges addresses, fills 8 full-relay + 2 block-relay-only outbound slots with simulated peers, and evicts a simulated inbound peer', () => {
    const isolated = namespaceWorks();
    if (!isolated) console.log('bitcoind-interop: no network namespace on this machine (unshare -n failed): the run uses 127.0.0.1 and checks instead that every outbound connection reached the bridge');
    const out = mkdtempSync(join(tmpdir(), 'connsim-bridge-test-'));
    try {
      const args = [
        LAUNCHER, 'bridge', '--bitcoind', bitcoind!, '--seed', 'interop', '--nodes', '60', '--warmup', '10m', '--duration', '35s',
        '--seed-addresses', '12', '--honest-inbound', '8', '--inbound-sybils', '45', '--flood-at', '12s', '--max-connections', '40',
        '--poll', '3s', '--inbound-source', isolated ? 'simulated' : 'loopback', '--out', out, '--json', '--quiet',
      ];
      const r = isolated
        ? spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip route add local 0.0.0.0/0 dev lo table local && exec "$0" "$@"', process.execPath, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 240_000 })
        : spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, timeout: 240_000 });
      expect(r.status, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as BridgeRunResult;
      const peers = res.real.peers;
      const outbound = peers.filter((p) => !p.inbound);
      const established = new Set(res.links.filter((l) => l.direction === 'outbound' && l.establishedAtMicros !== null).map((l) => l.peer));

      // 8 full-relay and 2 block-relay-only outbound peers, every one a simulated node reached through the proxy.
      expect(outbound.filter((p) => p.connection_type === 'outbound-full-relay').length).toBe(8);
      expect(outbound.filter((p) => p.connection_type === 'block-relay-only').length).toBe(2);
      for (const p of outbound) expect(established.has(p.addr), `${p.addr} did not come through the bridge`).toBe(true);
      // Nothing asked the proxy for a destination outside the world; its proxies are the bridge's.
      expect(res.refusedSocks).toEqual([]);
      const nets = (res.networkInfo as { networks: { name: string; proxy: string }[] }).networks;
      for (const n of nets.filter((x) => ['ipv4', 'ipv6', 'onion'].includes(x.name))) expect(n.proxy).toMatch(/^127\.0\.0\.1:\d+$/);

      // Handshakes: the node sees its simulated outbound peers as Core 31.99 nodes that completed
      // VERSION (the Sybils announce themselves as 27.0).
      for (const p of outbound) {
        expect(p.version).toBe(70017);
        expect(p.subver).toBe('/Satoshi:31.99.0/');
      }
      for (const p of peers) expect(p.subver).toMatch(/^\/Satoshi:/);
      // Address exchange both ways: the node processed simulated addresses (its AddrMan grew past
      // what RPC seeded), and simulated peers received addresses from it.
      expect(peers.some((p) => (p.addr_processed ?? 0) > 0)).toBe(true);
      expect(res.real.addrman.all_networks!.total).toBeGreaterThan(res.options.seedAddresses);
      expect(res.links.some((l) => l.addrEntriesFromSim > 0)).toBe(true);
      expect(res.links.some((l) => l.addrEntriesFromOutside > 0)).toBe(true);
      // getheaders was answered as a genesis-only Core peer answers it.
      expect(res.links.some((l) => l.getheadersAnswered > 0)).toBe(true);

      // The inbound flood filled the node's 29 inbound slots and it evicted simulated peers: each
      // eviction Core logged is a simulated inbound link the node closed.
      const evictions = res.evictionLog.filter((l) => l.includes('selected inbound connection for eviction'));
      expect(evictions.length).toBeGreaterThan(0);
      expect(peers.filter((p) => p.inbound).length).toBe(29);
      const closedByNode = res.links.filter((l) => l.direction === 'inbound' && l.closedBy === 'outside');
      expect(closedByNode.length).toBeGreaterThanOrEqual(evictions.length);
      // Nothing the node sent was malformed.
      expect(res.links.filter((l) => l.closedBy === 'malformed')).toEqual([]);
      if (isolated) {
        // The namespace remedy: inbound peers appear with their simulated addresses, not loopback,
        // and Core's eviction log names simulated peers the node closed.
        const simInbound = new Set(res.links.filter((l) => l.direction === 'inbound').map((l) => l.peer));
        for (const p of peers.filter((x) => x.inbound)) expect(simInbound.has(p.addr.slice(0, p.addr.lastIndexOf(':')))).toBe(true);
        const closedIps = new Set(closedByNode.map((l) => l.peer));
        for (const l of evictions) expect(closedIps.has(/peeraddr=([\d.]+):/.exec(l)![1]!)).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
