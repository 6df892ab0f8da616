// The gateway against a scripted outside peer that speaks raw v1 bytes on loopback: a simulated
// node connects out to it, it answers the handshake, asks for headers, sends a message type the
// simulator has no model for, and then garbage. The gateway must answer getheaders as a
// genesis-only Core peer, ignore the unknown type, and on the garbage log it, drop that link (the
// simulated node sees the connection closed) and keep running. The SOCKS5 side refuses names that
// are not addresses of the world.

import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeMessage, verackMessage, versionMessage } from '../connman/protocol/messages.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../connman/protocol/protocol.ts';
import { World } from '../scenarios/world/world.ts';
import { minutes } from '../sim/index.ts';
import { socks5Connect, SOCKS5_REPLY } from './socks5.ts';
import { FrameReader, REGTEST_MAGIC, rawFrame, type RawFrame } from './wire.ts';
import { bridgeWorld } from './world-bridge.ts';
import { waitFor } from './testing/wait-for.ts';

describe('gateway', () => {
  it('answers getheaders, ignores unknown types, and drops a link on malformed bytes without stopping', async () => {
    const world = new World({ seed: 'gateway', nodes: 6, listeningShare: 1, keepEventLog: true, epochMicros: Date.now() * 1000 - minutes(1) });
    world.runUntil(minutes(1));
    const received: RawFrame[] = [];
    let outsideSocket: net.Socket | null = null;
    const server = net.createServer((s) => {
      outsideSocket = s;
      const reader = new FrameReader(REGTEST_MAGIC);
      s.on('data', (d: Buffer) => received.push(...reader.push(new Uint8Array(d))));
      s.on('error', () => {});
      const v = versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: Math.floor(Date.now() / 1000), nonce: 12345n, relay: true });
      s.write(encodeMessage(v, REGTEST_MAGIC));
      s.write(encodeMessage(verackMessage(), REGTEST_MAGIC));
      s.write(rawFrame('getheaders', new Uint8Array(4 + 1 + 32), REGTEST_MAGIC));
      s.write(rawFrame('notamessage', Uint8Array.of(1, 2, 3), REGTEST_MAGIC));
    });
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
    const logs: string[] = [];
    const wb = bridgeWorld(world, { magic: REGTEST_MAGIC, outside: { kind: 'direct', host: '127.0.0.1', port }, log: (l) => logs.push(l) });
    const socksPort = await new Promise<number>((r) => wb.gateway.serveSocks('127.0.0.1', 0, r));
    wb.pacer.start();
    try {
      const t0 = world.kernel.now();
      const target = wb.address.toStringAddrPort();
      expect(world.nodes[0]!.connman!.addNode(target)).toBe(true);
      const handshake = () => world.events.find((r) => r.node === 0 && r.time >= t0 && r.event.kind === 'handshake-complete' && r.event.addr === target).length > 0;
      expect(await waitFor(() => handshake() && received.some((f) => f.type === 'headers'), 5000), logs.join('\n')).toBe(true);
      const link = wb.gateway.linkRecords()[0]!;
      // The empty headers answer: one byte of payload, a count of zero.
      expect([...received.find((f) => f.type === 'headers')!.payload]).toEqual([0]);
      expect(link.getheadersAnswered).toBe(1);
      expect(link.ignoredFromOutside).toEqual({ notamessage: 1 });
      // The scripted peer asked for headers before the handshake: the answer was held until the
      // simulated peer's VERSION went out, since a Core peer sends nothing before its VERSION.
      expect(received[0]!.type).toBe('version');
      expect(received.findIndex((f) => f.type === 'headers')).toBeGreaterThan(0);

      // Garbage: the link is dropped and logged, the simulated node sees its peer go.
      outsideSocket!.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      const closed = () => world.events.find((r) => r.node === 0 && r.time >= t0 && r.event.kind === 'connection-closed' && r.event.addr === target).length > 0;
      expect(await waitFor(closed, 5000)).toBe(true);
      expect(link.closedBy).toBe('malformed');
      expect(logs.some((l) => l.includes('malformed bytes from the outside node: wrong message start'))).toBe(true);

      // The run goes on: a SOCKS5 request for a name outside the world is refused, one for a world node is served.
      const refused = await new Promise<number | undefined>((r) => socks5Connect({ host: '127.0.0.1', port: socksPort }, { host: 'example.com', port: 8333 }, (err) => r(err?.code)));
      expect(refused).toBe(SOCKS5_REPLY.HOSTUNREACHABLE);
      expect(wb.gateway.refusedSocks.map((x) => x.host)).toEqual(['example.com']);
      const peer = world.nodes[1]!.service;
      const ok = await new Promise<boolean>((r) =>
        socks5Connect({ host: '127.0.0.1', port: socksPort }, { host: peer.toStringAddr(), port: peer.port }, (err, s) => {
          s?.destroy();
          r(err === null);
        }),
      );
      expect(ok).toBe(true);
    } finally {
      wb.pacer.stop();
      wb.gateway.shutdown();
      server.close();
    }
  });
});
