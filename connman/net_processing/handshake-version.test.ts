// The messages a node sends around VERSION/VERACK follow the protocol version it announces
// (ConnmanOptions.protocolVersion, set by the release profiles): Core v0.10 (70002) sent VERSION and
// VERACK only, and a peer talking to it negotiates down to 70002 and sends no SENDCMPCT (>= 70014,
// SHORT_IDS_BLOCKS_VERSION), WTXIDRELAY or SENDADDRV2 (>= 70016) either.
import { describe, expect, it } from 'vitest';

import { buildNode } from '../init.ts';
import { MSG_SENDADDRV2, MSG_SENDCMPCT, MSG_VERSION, MSG_WTXIDRELAY, PROTOCOL_VERSION, verackMessage, versionMessage, type VersionMessage } from '../protocol/messages.ts';
import { serviceOrThrow } from '../protocol/netaddress.ts';
import { NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport, NO_DEBUG_LOG } from '../testing/fake-ports.ts';
import { FastRandomContext } from '../util/random.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);
const GATED = [MSG_SENDCMPCT, MSG_WTXIDRELAY, MSG_SENDADDRV2];

/** The types our node sends to one inbound peer that announces `peerVersion`, by the end of the handshake. */
function handshake(ourVersion: number | undefined, peerVersion: number): { sent: string[]; version: VersionMessage } {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const seed = new Uint8Array(32);
  seed[0] = 7;
  const cm = buildNode(
    { clock: sched, scheduler: sched, rng: new FastRandomContext(seed), transport, events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: NO_DEBUG_LOG },
    { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }], ...(ourVersion !== undefined ? { protocolVersion: ourVersion } : {}) },
  ).connman;
  cm.start();
  const h = transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
  sched.runFor(1);
  transport.deliver(h, versionMessage({ version: peerVersion, services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: 99n, relay: true }), 0);
  transport.deliver(h, verackMessage(), 1);
  sched.runFor(S);
  const sent = transport.conns.get(h)!.sent;
  return { sent: sent.map((m) => m.type), version: sent.find((m) => m.type === MSG_VERSION) as VersionMessage };
}

describe('the handshake follows the announced protocol version', () => {
  it('at the pinned commit (PROTOCOL_VERSION) a node announces it and sends SENDCMPCT, WTXIDRELAY and SENDADDRV2', () => {
    const r = handshake(undefined, PROTOCOL_VERSION);
    expect(r.version.version).toBe(PROTOCOL_VERSION);
    for (const t of GATED) expect(r.sent, t).toContain(t);
  });

  it('a v0.10 node (70002) announces 70002 and sends none of the three', () => {
    const r = handshake(70002, PROTOCOL_VERSION);
    expect(r.version.version).toBe(70002);
    for (const t of GATED) expect(r.sent, t).not.toContain(t);
  });

  it('a v0.14 node (70015) sends SENDCMPCT but not WTXIDRELAY or SENDADDRV2; a current node facing a 70015 peer likewise', () => {
    for (const r of [handshake(70015, PROTOCOL_VERSION), handshake(undefined, 70015)]) {
      expect(r.sent).toContain(MSG_SENDCMPCT);
      expect(r.sent).not.toContain(MSG_WTXIDRELAY);
      expect(r.sent).not.toContain(MSG_SENDADDRV2);
    }
  });
});
