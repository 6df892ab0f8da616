import { describe, expect, it } from 'vitest';
import {
  addrMessage,
  addrV2EntrySize,
  addrV2Message,
  blockMessage,
  decodeMessage,
  DEFAULT_USER_AGENT,
  encodeMessage,
  encodePayload,
  feeFilterMessage,
  getAddrMessage,
  getDataMessage,
  getHeadersMessage,
  locatorHeights,
  headersMessage,
  invMessage,
  MessageDecodeError,
  MSG_ADDRV2,
  MSG_VERSION,
  pingMessage,
  pongMessage,
  PROTOCOL_VERSION,
  sendAddrV2Message,
  sendCmpctMessage,
  sendHeadersMessage,
  sendTxRcnclMessage,
  txMessage,
  verackMessage,
  versionMessage,
  wtxidRelayMessage,
  type P2PMessage,
} from './messages.ts';
import { sha256d } from '../util/hash.ts';
import { serviceOrThrow, parseNetAddr, Service } from './netaddress.ts';
import { Address, addressSerializedSize, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS, V2_NETWORK } from './protocol.ts';

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

const ipv4 = new Address(serviceOrThrow('1.2.3.4', 8333), NODE_NETWORK | NODE_WITNESS, 1_700_000_000);
const ipv6 = new Address(serviceOrThrow('[2001:db8::1]', 8333), NODE_NETWORK_LIMITED | NODE_WITNESS, 1_700_000_100);
const onionText = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
const onion = (() => {
  const r = parseNetAddr(onionText);
  if (!r.ok) throw r.error;
  return new Address(Service.of(r.value, 8333), NODE_NETWORK | NODE_WITNESS, 1_700_000_200);
})();

describe('message sizes match Core serialization', () => {
  it('empty messages are a bare 24-byte header', () => {
    for (const m of [verackMessage(), sendAddrV2Message(), wtxidRelayMessage(), sendHeadersMessage(), getAddrMessage()]) {
      expect(m.sizeBytes).toBe(24);
      expect(encodeMessage(m).length).toBe(24);
    }
  });

  it('ping and pong carry a u64 nonce: 32 bytes', () => {
    expect(pingMessage(1n).sizeBytes).toBe(32);
    expect(pongMessage(0xffff_ffff_ffff_ffffn).sizeBytes).toBe(32);
  });

  it("version with Core's 17-byte user agent is 24 + 85 + 1 + 17 = 127 bytes", () => {
    // 4 version + 8 services + 8 time + 26 addr_recv + 26 addr_from + 8 nonce + 4 height + 1 relay = 85,
    // plus the var_str: 1 length byte + 17 characters.
    expect(DEFAULT_USER_AGENT.length).toBe(17);
    const m = versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1_700_000_000, nonce: 42n, relay: true });
    expect(m.sizeBytes).toBe(127);
    expect(m.version).toBe(PROTOCOL_VERSION);
    expect(encodeMessage(m).length).toBe(127);
  });

  it('version with a 300-byte user agent uses a 3-byte CompactSize', () => {
    const m = versionMessage({ services: 0, timeSeconds: 0, nonce: 1n, relay: false, userAgent: 'x'.repeat(300) });
    expect(m.sizeBytes).toBe(24 + 85 + 3 + 300);
  });

  it('fixed-size negotiation messages', () => {
    expect(sendCmpctMessage(false).sizeBytes).toBe(24 + 9);
    expect(feeFilterMessage(1000).sizeBytes).toBe(24 + 8);
    expect(sendTxRcnclMessage(7n).sizeBytes).toBe(24 + 12);
    for (const m of [sendCmpctMessage(true), feeFilterMessage(1000), sendTxRcnclMessage(7n)]) expect(encodeMessage(m).length).toBe(m.sizeBytes);
  });

  it('addr: CompactSize count + 30 bytes per v1 address', () => {
    expect(addrMessage([]).sizeBytes).toBe(25);
    expect(addrMessage([ipv4]).sizeBytes).toBe(24 + 1 + 30);
    const thousand = Array.from({ length: 1000 }, () => ipv4);
    expect(addrMessage(thousand).sizeBytes).toBe(24 + 3 + 30_000);
    expect(encodeMessage(addrMessage(thousand)).length).toBe(24 + 3 + 30_000);
  });

  it('addrv2: per entry u32 time, CompactSize services, BIP155 network/length/bytes, u16 port', () => {
    // IPv4, services 9 (one byte): 4 + 1 + 1 + 1 + 4 + 2 = 13.
    expect(addrV2EntrySize(ipv4)).toBe(13);
    // IPv6, services 1032 (>= 253: three-byte CompactSize): 4 + 3 + 1 + 1 + 16 + 2 = 27.
    expect(addrV2EntrySize(ipv6)).toBe(27);
    // Tor v3: 4 + 1 + 1 + 1 + 32 + 2 = 41.
    expect(addrV2EntrySize(onion)).toBe(41);
    for (const a of [ipv4, ipv6, onion]) expect(addrV2EntrySize(a)).toBe(addressSerializedSize(a, V2_NETWORK));
    const m = addrV2Message([ipv4, ipv6, onion]);
    expect(m.sizeBytes).toBe(24 + 1 + 13 + 27 + 41);
    expect(encodeMessage(m).length).toBe(m.sizeBytes);
  });

  it('count-only messages: inv, getdata, headers, getheaders, tx, block', () => {
    expect(invMessage(1).sizeBytes).toBe(24 + 1 + 36);
    expect(getDataMessage(300).sizeBytes).toBe(24 + 3 + 36 * 300);
    expect(headersMessage(2000).sizeBytes).toBe(24 + 3 + 81 * 2000);
    expect(getHeadersMessage(1).sizeBytes).toBe(24 + 4 + 1 + 32 + 32);
    // A real locator: its size is its length; Core's LocatorEntries from height 20 (ten single steps, then doubling, then genesis).
    expect(locatorHeights(20)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 7, 3, 0]);
    expect(locatorHeights(0)).toEqual([0]);
    expect(locatorHeights(-1)).toEqual([]);
    const g = getHeadersMessage(locatorHeights(199));
    expect(g.locator[0]).toBe(199);
    expect(g.locator.at(-1)).toBe(0);
    expect(g.sizeBytes).toBe(24 + 4 + 1 + 32 * g.locator.length + 32);
    expect(txMessage(250).sizeBytes).toBe(274);
    expect(blockMessage(1_000_000).sizeBytes).toBe(1_000_024);
    expect(() => encodeMessage(invMessage(1))).toThrow(/no wire codec/);
  });
});

describe('v1 wire codec', () => {
  it('verack frame on mainnet is the well-known header (checksum of the empty payload 5df6e0e2)', () => {
    expect(hex(encodeMessage(verackMessage()))).toBe('f9beb4d9' + '76657261636b000000000000' + '00000000' + '5df6e0e2');
  });

  it('ping payload is the nonce little-endian', () => {
    expect(hex(encodePayload(pingMessage(0x0102030405060708n)))).toBe('0807060504030201');
  });

  it('version payload layout: fields in Core order, addr_from [::]:0, relay byte last', () => {
    const m = versionMessage({
      services: NODE_NETWORK | NODE_WITNESS,
      timeSeconds: 0x5f5e100,
      addrRecvServices: NODE_NETWORK,
      addrRecv: serviceOrThrow('1.2.3.4', 8333),
      nonce: 0x1122334455667788n,
      startHeight: 800_000,
      relay: true,
    });
    const p = encodePayload(m);
    expect(p.length).toBe(103);
    expect(hex(p.subarray(0, 4))).toBe('81110100'); // 70017 = 0x00011181, little-endian
    expect(hex(p.subarray(4, 12))).toBe('0900000000000000');
    expect(hex(p.subarray(12, 20))).toBe('00e1f50500000000');
    expect(hex(p.subarray(20, 46))).toBe('0100000000000000' + '00000000000000000000ffff01020304' + '208d');
    expect(hex(p.subarray(46, 72))).toBe('0900000000000000' + '00000000000000000000000000000000' + '0000');
    expect(hex(p.subarray(72, 80))).toBe('8877665544332211');
    expect(p[80]).toBe(17);
    expect(new TextDecoder().decode(p.subarray(81, 98))).toBe('/Satoshi:31.99.0/');
    expect(hex(p.subarray(98, 102))).toBe('00350c00');
    expect(p[102]).toBe(1);
  });

  it('round trips every codec message and keeps sizeBytes equal to the frame length', () => {
    const msgs: P2PMessage[] = [
      versionMessage({ services: NODE_NETWORK | NODE_WITNESS, timeSeconds: 1_700_000_000, addrRecv: serviceOrThrow('8.8.8.8', 8333), nonce: 0xdeadbeefcafef00dn, startHeight: 5, relay: false }),
      verackMessage(),
      sendAddrV2Message(),
      wtxidRelayMessage(),
      sendHeadersMessage(),
      getAddrMessage(),
      pingMessage(0xffff_ffff_ffff_fffen),
      pongMessage(1n),
      sendCmpctMessage(true, 2),
      feeFilterMessage(1000),
      sendTxRcnclMessage(0x0102030405060708n),
      addrMessage([ipv4, ipv6]),
      addrV2Message([ipv4, ipv6, onion]),
    ];
    for (const m of msgs) {
      const bytes = encodeMessage(m);
      expect(bytes.length, m.type).toBe(m.sizeBytes);
      const { message, bytesRead } = decodeMessage(bytes);
      expect(bytesRead).toBe(bytes.length);
      expect(message.type).toBe(m.type);
      expect(message.sizeBytes).toBe(m.sizeBytes);
      expect(hex(encodeMessage(message))).toBe(hex(bytes));
    }
  });

  it('addr round trip keeps time, services, address and port', () => {
    const { message } = decodeMessage(encodeMessage(addrV2Message([ipv6, onion])));
    expect(message.type).toBe(MSG_ADDRV2);
    if (message.type !== MSG_ADDRV2) return;
    expect(message.addresses.map((a) => [a.toStringAddrPort(), a.services, a.time])).toEqual([
      ['[2001:db8::1]:8333', NODE_NETWORK_LIMITED | NODE_WITNESS, 1_700_000_100],
      [`${onionText}:8333`, NODE_NETWORK | NODE_WITNESS, 1_700_000_200],
    ]);
  });

  it('decodes an old version message without the relay byte (relay defaults to true)', () => {
    const m = versionMessage({ version: 60002, services: 1, timeSeconds: 1355854353, nonce: 0x6517e68c5db32e3bn, userAgent: '/Satoshi:0.7.2/', startHeight: 212672, relay: true });
    const full = encodePayload(m);
    const payload = full.subarray(0, full.length - 1);
    const { message } = decodeMessage(frame('version', payload));
    expect(message.type).toBe(MSG_VERSION);
    if (message.type !== MSG_VERSION) return;
    expect(message.version).toBe(60002);
    expect(message.userAgent).toBe('/Satoshi:0.7.2/');
    expect(message.startHeight).toBe(212672);
    expect(message.relay).toBe(true);
  });

  it('rejects a bad checksum, wrong magic, a malformed type and an oversized addr', () => {
    const good = encodeMessage(pingMessage(5n));
    const badSum = good.slice();
    badSum[20] ^= 1;
    expect(() => decodeMessage(badSum)).toThrow(/checksum/);
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => decodeMessage(badMagic)).toThrow(/magic/);
    const badType = good.slice();
    badType[9] = 0x70; // a character after the NUL padding started
    expect(() => decodeMessage(badType)).toThrow(MessageDecodeError);
    const many = Array.from({ length: 1001 }, () => ipv4);
    expect(() => decodeMessage(encodeMessage(addrMessage(many)))).toThrow(/1001 entries/);
    expect(() => decodeMessage(good.subarray(0, 30))).toThrow(/short payload/);
  });

  it('decodes a frame built by hand (ping on mainnet)', () => {
    const f = unhex('f9beb4d9 70696e670000000000000000 08000000');
    // The checksum comes from the payload; build it through the codec and compare the header bytes.
    const bytes = encodeMessage(pingMessage(0x0807060504030201n));
    expect(hex(bytes.subarray(0, 20))).toBe(hex(f));
    expect(hex(bytes.subarray(24))).toBe('0102030405060708');
  });
});

/** A v1 mainnet frame around an arbitrary payload, built independently of the codec. */
function frame(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + payload.length);
  out.set([0xf9, 0xbe, 0xb4, 0xd9]);
  for (let i = 0; i < type.length; i++) out[4 + i] = type.charCodeAt(i);
  new DataView(out.buffer).setUint32(16, payload.length, true);
  out.set(sha256d(payload).subarray(0, 4), 20);
  out.set(payload, 24);
  return out;
}
