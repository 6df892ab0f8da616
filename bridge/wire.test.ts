import { describe, expect, it } from 'vitest';
import { MessageDecodeError, encodeMessage, pingMessage, verackMessage } from '../connman/protocol/messages.ts';
import { FrameReader, MAINNET_MAGIC, REGTEST_MAGIC, emptyHeadersFrame, frameOfSimMessage, frameVerdict, rawFrame } from './wire.ts';
import { headersMessage } from '../connman/protocol/messages.ts';

describe('FrameReader', () => {
  it('cuts frames split at any byte boundary, in order', () => {
    const a = encodeMessage(pingMessage(7n), REGTEST_MAGIC);
    const b = encodeMessage(verackMessage(), REGTEST_MAGIC);
    const all = new Uint8Array([...a, ...b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const r = new FrameReader(REGTEST_MAGIC);
      const frames = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
      expect(frames.map((f) => f.type)).toEqual(['ping', 'verack']);
      expect(r.pendingBytes).toBe(0);
    }
  });

  it('rejects another chain\'s magic as soon as the header is in', () => {
    const r = new FrameReader(REGTEST_MAGIC);
    expect(() => r.push(encodeMessage(verackMessage(), MAINNET_MAGIC))).toThrow(MessageDecodeError);
    // A failed stream stays failed.
    expect(() => r.push(encodeMessage(verackMessage(), REGTEST_MAGIC))).toThrow(MessageDecodeError);
  });

  it('rejects a bad checksum, a bad type field and an oversized length', () => {
    const f = encodeMessage(pingMessage(1n), REGTEST_MAGIC);
    const badSum = f.slice();
    badSum[24] ^= 1;
    expect(() => new FrameReader(REGTEST_MAGIC).push(badSum)).toThrow(/checksum/);
    const badType = f.slice();
    badType[4] = 0x01;
    expect(() => new FrameReader(REGTEST_MAGIC).push(badType)).toThrow(/type/);
    const huge = f.slice(0, 24);
    huge.set([0xff, 0xff, 0xff, 0x7f], 16);
    expect(() => new FrameReader(REGTEST_MAGIC).push(huge)).toThrow(/MAX_PROTOCOL_MESSAGE_LENGTH/);
  });
});

describe('frameVerdict', () => {
  it('forwards codec messages, answers getheaders with an empty headers message, ignores the rest', () => {
    expect(frameVerdict({ type: 'ping', payload: new Uint8Array(8) }, REGTEST_MAGIC).kind).toBe('forward');
    const ans = frameVerdict({ type: 'getheaders', payload: new Uint8Array(69) }, REGTEST_MAGIC);
    expect(ans.kind === 'answer' && [...ans.reply]).toEqual([...emptyHeadersFrame(REGTEST_MAGIC)]);
    expect(frameVerdict({ type: 'inv', payload: Uint8Array.of(0) }, REGTEST_MAGIC).kind).toBe('ignore');
    expect(frameVerdict({ type: 'unknownxyz', payload: new Uint8Array(3) }, REGTEST_MAGIC).kind).toBe('ignore');
    // A codec message whose payload does not parse is malformed.
    expect(() => frameVerdict({ type: 'ping', payload: new Uint8Array(3) }, REGTEST_MAGIC)).toThrow(MessageDecodeError);
  });

  it('frames raw payloads as the codec frames typed ones, and has no bytes for count-only messages', () => {
    const ping = pingMessage(5n);
    const viaCodec = encodeMessage(ping, REGTEST_MAGIC);
    expect([...rawFrame('ping', viaCodec.subarray(24), REGTEST_MAGIC)]).toEqual([...viaCodec]);
    expect(frameOfSimMessage(headersMessage(3), REGTEST_MAGIC)).toBeNull();
    expect(emptyHeadersFrame(REGTEST_MAGIC).length).toBe(25);
  });
});
