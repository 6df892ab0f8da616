// The interop test that needs no Core: two simulated worlds in one process, each paced in real
// time, whose gateways talk over real TCP sockets on 127.0.0.1 with v1 framing. A node of world A
// connects to the outside node's address in A; A's gateway reaches world B's SOCKS5 server and
// asks for a node of B, which B's gateway connects to inside B. The two Connmans must complete
// the version handshake and exchange addresses across the real sockets, bit for bit.

import { describe, expect, it } from 'vitest';
import { ConnectionType } from '../connman/protocol/connection-types.ts';
import { World } from '../scenarios/world/world.ts';
import { minutes } from '../sim/index.ts';
import { bridgeWorld, type WorldBridge } from './world-bridge.ts';
import { REGTEST_MAGIC } from './wire.ts';
import { waitFor } from './testing/wait-for.ts';

function makeWorld(seed: string): World {
  // Node clocks read the wall clock: addr timestamps must look current to the other side.
  const w = new World({ seed, nodes: 12, listeningShare: 1, keepEventLog: true, epochMicros: Date.now() * 1000 - minutes(5) });
  w.runUntil(minutes(5));
  return w;
}

describe('two worlds over real TCP on loopback', () => {
  it('a node of one world handshakes and exchanges addresses with a node of the other', async () => {
    const a = makeWorld('loopback-a');
    const b = makeWorld('loopback-b');
    const logs: string[] = [];
    const bNode = b.nodes[0]!;
    const bSocks = await new Promise<{ bridge: WorldBridge; port: number }>((resolve) => {
      const bridge = bridgeWorld(b, { magic: REGTEST_MAGIC, outside: null, log: (l) => logs.push(`B ${l}`) });
      bridge.gateway.serveSocks('127.0.0.1', 0, (port) => resolve({ bridge, port }));
    });
    const aBridge = bridgeWorld(a, {
      magic: REGTEST_MAGIC,
      outside: { kind: 'socks5', proxyHost: '127.0.0.1', proxyPort: bSocks.port, destHost: bNode.address.toStringAddr(), destPort: bNode.service.port },
      log: (l) => logs.push(`A ${l}`),
    });
    aBridge.pacer.start();
    bSocks.bridge.pacer.start();
    try {
      const aNode = a.nodes[0]!;
      const aStart = a.kernel.now();
      const bStart = b.kernel.now();
      expect(aNode.connman!.addNode(aBridge.address.toStringAddrPort())).toBe(true);
      const target = aBridge.address.toStringAddrPort();
      const handshakeA = () => a.events.find((r) => r.node === 0 && r.time >= aStart && r.event.kind === 'handshake-complete' && r.event.addr === target);
      const addrA = () => a.events.find((r) => r.node === 0 && r.time >= aStart && r.event.kind === 'addr-received' && r.event.addr === target);
      const handshakeB = () => b.events.find((r) => r.node === 0 && r.time >= bStart && r.event.kind === 'handshake-complete');
      const ok = await waitFor(() => handshakeA().length > 0 && handshakeB().length > 0 && addrA().length > 0, 8000, 20);
      expect(ok, logs.join('\n')).toBe(true);
      // The handshake crossed the sockets both ways: B's node saw its inbound peer as B's gateway.
      const inB = handshakeB()[0]!.event;
      expect(inB.kind === 'handshake-complete' && inB.connType).toBe(ConnectionType.INBOUND);
      expect(inB.kind === 'handshake-complete' && inB.addr.startsWith(`${bSocks.bridge.address.toStringAddr()}:`)).toBe(true);
      // A's node asked for addresses (GETADDR to an outbound peer) and B's node answered with its own.
      const got = addrA()[0]!.event;
      expect(got.kind === 'addr-received' && got.count).toBeGreaterThan(0);
      const outLink = aBridge.gateway.linkRecords().find((l) => l.direction === 'inbound')!;
      const bLink = bSocks.bridge.gateway.linkRecords().find((l) => l.direction === 'outbound')!;
      expect(outLink.fromSim.version).toBe(1);
      expect(outLink.fromOutside.version).toBe(1);
      expect(outLink.fromOutside.verack).toBe(1);
      expect(outLink.fromSim.getaddr).toBe(1);
      expect(outLink.addrEntriesFromOutside).toBeGreaterThan(0);
      expect(bLink.addrEntriesFromSim).toBe(outLink.addrEntriesFromOutside);
      // Nothing was malformed on either side.
      expect(logs.filter((l) => l.includes('malformed'))).toEqual([]);
      // The worlds ran in real time: neither fell behind.
      expect(aBridge.pacer.stats().behindEpisodes).toBe(0);
    } finally {
      aBridge.pacer.stop();
      bSocks.bridge.pacer.stop();
      aBridge.gateway.shutdown();
      bSocks.bridge.gateway.shutdown();
    }
  });
});
