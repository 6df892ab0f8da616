// Messages that arrive as raw bytes or with a size Core refuses: a payload larger than
// MAX_PROTOCOL_MESSAGE_LENGTH fails V1Transport's header check and closes the connection; a raw
// payload (what sendmsgtopeer sends) is parsed as ProcessMessage deserializes it, and one that does
// not parse is the exception ProcessMessages catches: logged and dropped, the peer kept.
import { describe, expect, it } from 'vitest';
import { buildNode } from '../init.ts';
import { encodePayload, MAX_PROTOCOL_MESSAGE_LENGTH, MESSAGE_HEADER_SIZE, addrMessage, verackMessage, versionMessage, type P2PMessage } from '../protocol/messages.ts';
import { serviceOrThrow } from '../protocol/netaddress.ts';
import { Address, NODE_NETWORK, NODE_WITNESS } from '../protocol/protocol.ts';
import { EventLog, FakeDns, FakeFileStore, FakeScheduler, FakeTransport } from '../testing/fake-ports.ts';
import { FastRandomContext } from '../util/random.ts';

const S = 1_000_000;
const LOCAL = serviceOrThrow('1.2.3.4:8333', 8333);

function setup() {
  const sched = new FakeScheduler();
  const transport = new FakeTransport(sched, LOCAL);
  const lines: string[] = [];
  const ctx = buildNode(
    { clock: sched, scheduler: sched, rng: new FastRandomContext(new Uint8Array(32)), transport, events: new EventLog(), files: new FakeFileStore(), dns: new FakeDns(), log: { accepts: () => true, print: (_c, text) => void lines.push(text) } },
    { dnsSeed: false, fixedSeeds: false, connect: [], localAddresses: [LOCAL], binds: [{ service: LOCAL }] },
  );
  ctx.connman.start();
  const h = transport.accept(LOCAL, serviceOrThrow('50.1.1.1:5000', 8333), { polite: false });
  sched.runFor(1);
  transport.deliver(h, versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1, nonce: 99n, relay: true }), 0);
  transport.deliver(h, verackMessage(), 1);
  sched.runFor(S);
  const node = () => ctx.connman.getNodes()[0];
  return { sched, transport, lines, h, node, ctx };
}

const raw = (type: string, payload: Uint8Array): P2PMessage =>
  ({ type, sizeBytes: MESSAGE_HEADER_SIZE + payload.length, rawPayloadHex: Buffer.from(payload).toString('hex') }) as unknown as P2PMessage;

describe('raw and oversized messages', () => {
  it('a payload over MAX_PROTOCOL_MESSAGE_LENGTH closes the connection with Core\'s header error', () => {
    const w = setup();
    w.transport.deliver(w.h, { type: 'addr', sizeBytes: MESSAGE_HEADER_SIZE + MAX_PROTOCOL_MESSAGE_LENGTH + 1 } as P2PMessage, 0);
    w.sched.runFor(S);
    expect(w.lines).toContain(`Header error: Size too large (addr, ${MAX_PROTOCOL_MESSAGE_LENGTH + 1} bytes), peer=0`);
    expect(w.lines).toContain('receiving message bytes failed, disconnecting peer=0');
    expect(w.node()).toBeUndefined();
  });

  it('a raw payload that does not parse is logged and dropped; one that parses is processed', () => {
    const w = setup();
    w.transport.deliver(w.h, raw('addr', Uint8Array.of(0xff, 0xff, 0xff)), 0);
    w.sched.runFor(S);
    expect(w.lines.some((l) => l.startsWith("ProcessMessages(addr, 3 bytes): Exception '") && l.endsWith(' caught'))).toBe(true);
    expect(w.node()!.disconnect).toBe(false);
    const a = new Address(serviceOrThrow('60.7.8.9:8333', 8333), NODE_NETWORK | NODE_WITNESS, Math.floor(w.sched.nowMicros() / S) - 60);
    w.transport.deliver(w.h, raw('addr', encodePayload(addrMessage([a]))), 0);
    w.sched.runFor(S);
    expect(w.node()!.disconnect).toBe(false);
    expect(w.ctx.addrman.size()).toBe(1);
  });
});
