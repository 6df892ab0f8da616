// The v1 wire between a TCP byte stream and the simulator's typed messages: a streaming frame
// reader (Core's V1Transport::ReadHeader / ReadData: magic, type, length and checksum checked, a
// frame at a time as bytes arrive), frames for the few messages the bridge answers itself, and the
// policy for each message a real node sends (decode it for the simulated peer, answer it here, or
// ignore it as Core ignores a message type it does not know).
// It opens no sockets (gateway.ts does) and interprets nothing beyond the frame (the codec is
// connman/protocol/messages.ts).

import {
  CHECKSUM_SIZE,
  MAX_PROTOCOL_MESSAGE_LENGTH,
  MESSAGE_HEADER_SIZE,
  MESSAGE_TYPE_SIZE,
  MSG_GETHEADERS,
  MessageDecodeError,
  WIRE_CODEC_TYPES,
  decodePayload,
  encodeMessage,
  type P2PMessage,
} from '../connman/protocol/messages.ts';
import { sha256d } from '../connman/util/hash.ts';

/** Core: kernel/chainparams.cpp CRegTestParams pchMessageStart. */
export const REGTEST_MAGIC: Uint8Array = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda);
/** Core: kernel/chainparams.cpp CMainParams pchMessageStart. */
export const MAINNET_MAGIC: Uint8Array = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9);

/** The magics by chain name (the bridge's --chain). */
export const CHAIN_MAGIC: Readonly<Record<string, Uint8Array>> = { regtest: REGTEST_MAGIC, main: MAINNET_MAGIC };

/** One frame off the wire: its message type and payload (checksum already verified). */
export interface RawFrame {
  type: string;
  payload: Uint8Array;
}

/**
 * Accumulates bytes of one direction of a connection and cuts them into v1 frames. A bad header
 * (wrong magic, a type that is not NUL-padded printable ASCII, a length over
 * MAX_PROTOCOL_MESSAGE_LENGTH) or a bad checksum throws MessageDecodeError; the caller drops the
 * connection. Core skips a frame whose checksum is wrong and keeps the connection; the bridge drops
 * it (it never sends one, so a bad checksum means the stream is not what it thinks).
 */
export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  private failed = false;

  constructor(private readonly magic: Uint8Array) {}

  /** Bytes waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** Adds `bytes` and returns every frame they complete, in order. */
  push(bytes: Uint8Array): RawFrame[] {
    if (this.failed) throw new MessageDecodeError('stream already failed');
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf, 0);
    joined.set(bytes, this.buf.length);
    const out: RawFrame[] = [];
    let at = 0;
    try {
      while (joined.length - at >= MESSAGE_HEADER_SIZE) {
        const { type, length, checksum } = readHeader(joined, at, this.magic);
        if (joined.length - at < MESSAGE_HEADER_SIZE + length) break;
        const payload = joined.slice(at + MESSAGE_HEADER_SIZE, at + MESSAGE_HEADER_SIZE + length);
        const hash = sha256d(payload);
        for (let i = 0; i < CHECKSUM_SIZE; i++) if (hash[i] !== checksum[i]) throw new MessageDecodeError(`${type}: checksum mismatch`);
        out.push({ type, payload });
        at += MESSAGE_HEADER_SIZE + length;
      }
    } catch (e) {
      this.failed = true;
      throw e;
    }
    this.buf = joined.slice(at);
    return out;
  }
}

// Core: net.cpp V1Transport::ReadHeader (and CMessageHeader::IsMessageTypeValid)
function readHeader(b: Uint8Array, at: number, magic: Uint8Array): { type: string; length: number; checksum: Uint8Array } {
  for (let i = 0; i < 4; i++) {
    if (b[at + i] !== magic[i]) throw new MessageDecodeError(`wrong message start ${hex(b.subarray(at, at + 4))} (expected ${hex(magic)})`);
  }
  let type = '';
  let ended = false;
  for (let i = 4; i < 4 + MESSAGE_TYPE_SIZE; i++) {
    const c = b[at + i]!;
    if (c === 0) ended = true;
    else if (ended || c < 0x20 || c > 0x7e) throw new MessageDecodeError('invalid message type field');
    else type += String.fromCharCode(c);
  }
  const length = (b[at + 16]! | (b[at + 17]! << 8) | (b[at + 18]! << 16) | (b[at + 19]! << 24)) >>> 0;
  if (length > MAX_PROTOCOL_MESSAGE_LENGTH) throw new MessageDecodeError(`${type}: payload of ${length} bytes exceeds MAX_PROTOCOL_MESSAGE_LENGTH`);
  return { type, length, checksum: b.slice(at + 20, at + 24) };
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// Core: net.cpp V1Transport::SetMessageToSend (the header over any payload)
/** A v1 frame of `type` over raw `payload` bytes (for messages the typed codec does not carry). */
export function rawFrame(type: string, payload: Uint8Array, magic: Uint8Array): Uint8Array {
  const out = new Uint8Array(MESSAGE_HEADER_SIZE + payload.length);
  out.set(magic, 0);
  for (let i = 0; i < type.length && i < MESSAGE_TYPE_SIZE; i++) out[4 + i] = type.charCodeAt(i);
  const n = payload.length;
  out[16] = n & 0xff;
  out[17] = (n >>> 8) & 0xff;
  out[18] = (n >>> 16) & 0xff;
  out[19] = (n >>> 24) & 0xff;
  out.set(sha256d(payload).subarray(0, CHECKSUM_SIZE), 20);
  out.set(payload, MESSAGE_HEADER_SIZE);
  return out;
}

/**
 * The answer a Core peer that has only the genesis block gives to any getheaders: an empty
 * `headers` message (net_processing.cpp ProcessMessage(GETHEADERS) finds nothing after the fork
 * point and sends a headers message with no entries). A real node in initial block download asks
 * one peer for headers and waits for this; silence would leave its headers sync stalled until
 * HEADERS_DOWNLOAD_TIMEOUT_BASE.
 */
export function emptyHeadersFrame(magic: Uint8Array): Uint8Array {
  return rawFrame('headers', Uint8Array.of(0), magic);
}

/** What the bridge does with one frame from the real node. */
export type FrameVerdict =
  | { kind: 'forward'; message: P2PMessage }
  /** Answered here with these bytes to the real node (getheaders). */
  | { kind: 'answer'; reply: Uint8Array }
  /** A message whose content the simulator does not model (inv, tx, headers...): ignored, as Core ignores a type it does not know. */
  | { kind: 'ignore' };

/** Classifies a frame from the real node; throws MessageDecodeError for a payload that does not parse. */
export function frameVerdict(frame: RawFrame, magic: Uint8Array): FrameVerdict {
  if (WIRE_CODEC_TYPES.has(frame.type)) return { kind: 'forward', message: decodePayload(frame.type, frame.payload) };
  if (frame.type === MSG_GETHEADERS) return { kind: 'answer', reply: emptyHeadersFrame(magic) };
  return { kind: 'ignore' };
}

/** The frame of a simulated peer's message, or null when the simulator has no bytes for it (count-only messages). */
export function frameOfSimMessage(m: P2PMessage, magic: Uint8Array): Uint8Array | null {
  if (!WIRE_CODEC_TYPES.has(m.type)) return null;
  return encodeMessage(m, magic);
}
