// Typed P2P messages for the connection layer, each carrying its exact size on the wire: the
// 24-byte v1 transport header plus the payload as Core serializes it (net_processing.cpp's
// MakeAndPushMessage arguments, serialize.h rules). Byte counters, upload targets and simulated
// bandwidth read `sizeBytes`; nothing else needs the bytes.
// It also holds a real v1 wire codec (header with magic and checksum, payload) for the messages
// the connection layer itself speaks: version, verack, ping, pong, getaddr, addr, addrv2, and the
// empty negotiation messages. Messages whose content the simulator does not model (tx, block,
// inv, headers...) carry only their counts and sizes; they have no codec.
// It does not hold the v2 (BIP324) transport, message processing (peerman) or sockets.

import { sha256d } from '../util/hash.ts';
import { NetAddr, Service } from './netaddress.ts';
import { Address, readAddress, V1_NETWORK, V2_NETWORK, writeAddress, type ServiceFlags } from './protocol.ts';
import { ByteReader, ByteWriter, compactSizeLength, SerializeError } from '../util/serialize.ts';

// --- message type names (Core: protocol.h namespace NetMsgType) -------------------------------

export const MSG_VERSION = 'version';
export const MSG_VERACK = 'verack';
export const MSG_ADDR = 'addr';
export const MSG_ADDRV2 = 'addrv2';
export const MSG_SENDADDRV2 = 'sendaddrv2';
export const MSG_INV = 'inv';
export const MSG_GETDATA = 'getdata';
export const MSG_GETHEADERS = 'getheaders';
export const MSG_TX = 'tx';
export const MSG_HEADERS = 'headers';
export const MSG_BLOCK = 'block';
export const MSG_GETADDR = 'getaddr';
export const MSG_PING = 'ping';
export const MSG_PONG = 'pong';
export const MSG_SENDHEADERS = 'sendheaders';
export const MSG_FEEFILTER = 'feefilter';
export const MSG_SENDCMPCT = 'sendcmpct';
export const MSG_WTXIDRELAY = 'wtxidrelay';
export const MSG_SENDTXRCNCL = 'sendtxrcncl';
export const MSG_FILTERLOAD = 'filterload';
export const MSG_FILTERADD = 'filteradd';
export const MSG_FILTERCLEAR = 'filterclear';
export const MSG_MEMPOOL = 'mempool';

// --- constants --------------------------------------------------------------------------------

/** Core: protocol.h CMessageHeader::HEADER_SIZE (4 magic + 12 command + 4 length + 4 checksum). */
export const MESSAGE_HEADER_SIZE = 24;
/** Core: protocol.h CMessageHeader::MESSAGE_TYPE_SIZE */
export const MESSAGE_TYPE_SIZE = 12;
/** Core: protocol.h CMessageHeader::CHECKSUM_SIZE */
export const CHECKSUM_SIZE = 4;
/** Core: node/protocol_version.h PROTOCOL_VERSION */
export const PROTOCOL_VERSION = 70017;
/** Core: node/protocol_version.h MIN_PEER_PROTO_VERSION */
export const MIN_PEER_PROTO_VERSION = 31800;
/** Core: net.h MAX_SUBVERSION_LENGTH */
export const MAX_SUBVERSION_LENGTH = 256;
/** Core: net.h MAX_PROTOCOL_MESSAGE_LENGTH (4 MB) */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 4 * 1000 * 1000;
/** Core: net_processing.h / net.h MAX_ADDR_TO_SEND */
export const MAX_ADDR_TO_SEND = 1000;
/** Core: net_processing.cpp CMPCTBLOCKS_VERSION */
export const CMPCTBLOCKS_VERSION = 2;
/** Core: net_processing.cpp TXRECONCILIATION_VERSION (txreconciliation.h) */
export const TXRECONCILIATION_VERSION = 1;
/** The user agent of the Core version the port follows (FormatSubVersion("Satoshi", 31.99.0)). */
export const DEFAULT_USER_AGENT = '/Satoshi:31.99.0/';

/** Core: protocol.h CInv serialized size: u32 type + uint256 hash. */
export const INV_ENTRY_SIZE = 36;
/** Core: primitives/block.h CBlockHeader: 80 bytes; a `headers` entry adds a 0 tx count (1 byte). */
export const BLOCK_HEADER_SIZE = 80;
/** One CAddress in an `addr` message: u32 time + u64 services + 16-byte address + u16 port. */
export const ADDR_V1_ENTRY_SIZE = 30;
/** The pre-31402 CAddress inside `version` (no time): u64 services + 16-byte address + u16 port. */
export const VERSION_ADDR_SIZE = 26;

// --- message records --------------------------------------------------------------------------

/** Every message: its NetMsgType name and its size on the wire (header included). */
export interface MessageBase {
  readonly type: string;
  /** Header (24) + payload bytes, exactly as Core's V1Transport would put it on the wire. */
  readonly sizeBytes: number;
}

/** Core: net_processing.cpp PushNodeVersion / ProcessMessage(VERSION) */
export interface VersionMessage extends MessageBase {
  readonly type: typeof MSG_VERSION;
  readonly version: number;
  readonly services: ServiceFlags;
  /** Sender's clock, seconds since the epoch (int64 on the wire). */
  readonly timeSeconds: number;
  /** What the sender believes the receiver's services are. */
  readonly addrRecvServices: ServiceFlags;
  /** The sender's view of the receiver's address (Core sends [::]:0 when not routable or not v1-compatible). */
  readonly addrRecv: Service;
  readonly addrFromServices: ServiceFlags;
  /** Core always sends [::]:0 here. */
  readonly addrFrom: Service;
  /** Random 64-bit nonce used to detect connections to self. */
  readonly nonce: bigint;
  readonly userAgent: string;
  readonly startHeight: number;
  /** fRelay: whether the sender wants transaction relay. */
  readonly relay: boolean;
}

export interface EmptyMessage extends MessageBase {
  readonly type:
    | typeof MSG_VERACK
    | typeof MSG_SENDADDRV2
    | typeof MSG_WTXIDRELAY
    | typeof MSG_SENDHEADERS
    | typeof MSG_GETADDR
    | typeof MSG_FILTERCLEAR
    | typeof MSG_MEMPOOL;
}

export interface PingMessage extends MessageBase {
  readonly type: typeof MSG_PING | typeof MSG_PONG;
  readonly nonce: bigint;
}

export interface SendCmpctMessage extends MessageBase {
  readonly type: typeof MSG_SENDCMPCT;
  readonly highBandwidth: boolean;
  readonly version: number;
}

export interface FeeFilterMessage extends MessageBase {
  readonly type: typeof MSG_FEEFILTER;
  /** Minimum fee rate in sat/kvB (int64 on the wire). */
  readonly feeRate: number;
}

export interface SendTxRcnclMessage extends MessageBase {
  readonly type: typeof MSG_SENDTXRCNCL;
  readonly version: number;
  readonly salt: bigint;
}

export interface AddrMessage extends MessageBase {
  readonly type: typeof MSG_ADDR | typeof MSG_ADDRV2;
  readonly addresses: readonly Address[];
}

/** inv / getdata: only the count is modelled. */
export interface InvMessage extends MessageBase {
  readonly type: typeof MSG_INV | typeof MSG_GETDATA;
  readonly count: number;
}

export interface HeadersMessage extends MessageBase {
  readonly type: typeof MSG_HEADERS;
  readonly count: number;
}

export interface GetHeadersMessage extends MessageBase {
  readonly type: typeof MSG_GETHEADERS;
  /** Number of hashes in the block locator. */
  readonly locatorSize: number;
  /**
   * The locator's blocks, newest first, named by height (the model's chain is linear, so a height
   * names a block): Core's CBlockLocator::vHave. Empty when only the size is known.
   */
  readonly locator: readonly number[];
}

/** tx / block: opaque payloads of a given size. */
export interface OpaqueMessage extends MessageBase {
  readonly type: typeof MSG_TX | typeof MSG_BLOCK;
  readonly payloadBytes: number;
}

/** filterload (BIP37): the filter's size and hash-function count are what the node checks. */
export interface FilterLoadMessage extends MessageBase {
  readonly type: typeof MSG_FILTERLOAD;
  /** Bytes of the filter (vData). */
  readonly filterBytes: number;
  readonly nHashFuncs: number;
}

/** filteradd (BIP37): the size of the data element. */
export interface FilterAddMessage extends MessageBase {
  readonly type: typeof MSG_FILTERADD;
  readonly dataBytes: number;
}

/** Every message the simulator sends. Switch on `type`. */
export type P2PMessage =
  | VersionMessage
  | EmptyMessage
  | PingMessage
  | SendCmpctMessage
  | FeeFilterMessage
  | SendTxRcnclMessage
  | AddrMessage
  | InvMessage
  | HeadersMessage
  | GetHeadersMessage
  | OpaqueMessage
  | FilterLoadMessage
  | FilterAddMessage;

// --- size helpers -----------------------------------------------------------------------------

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The last string varStrSize measured and its size: every version message repeats a node's user
 * agent. A one-entry memo of a pure function: bounded, and it cannot change any result.
 */
let lastVarStr = '';
let lastVarStrSize = 1;

/** Serialized size of a Core std::string (CompactSize length + bytes). */
function varStrSize(s: string): number {
  if (s === lastVarStr) return lastVarStrSize;
  const n = textEncoder.encode(s).length;
  lastVarStr = s;
  lastVarStrSize = compactSizeLength(n) + n;
  return lastVarStrSize;
}

/** Bytes of one address inside an addrv2 message (u32 time, CompactSize services, BIP155 address, u16 port). */
export function addrV2EntrySize(a: Address): number {
  // Same as protocol.ts addressSerializedSize(a, V2_NETWORK), without building the bytes: this runs
  // for every address of every gossip message. Internal addresses travel embedded in IPv6.
  const len = a.isInternal() ? 16 : a.addr.length;
  return 4 + compactSizeLength(a.services) + 1 + compactSizeLength(len) + len + 2;
}

/** Payload size of an addr (v1) or addrv2 message carrying `addresses`. */
export function addrPayloadSize(addresses: readonly Address[], v2: boolean): number {
  let n = compactSizeLength(addresses.length);
  if (!v2) return n + ADDR_V1_ENTRY_SIZE * addresses.length;
  for (let i = 0; i < addresses.length; i++) n += addrV2EntrySize(addresses[i]!);
  return n;
}

// --- constructors -----------------------------------------------------------------------------

export interface VersionFields {
  version?: number;
  services: ServiceFlags;
  timeSeconds: number;
  addrRecvServices?: ServiceFlags;
  addrRecv?: Service;
  addrFromServices?: ServiceFlags;
  addrFrom?: Service;
  nonce: bigint;
  userAgent?: string;
  startHeight?: number;
  relay: boolean;
}

let unspecifiedService: Service | undefined;
/** Core's default CService{} ([::]:0), shared. */
function unspecified(): Service {
  if (unspecifiedService === undefined) unspecifiedService = Service.unspecified();
  return unspecifiedService;
}

// Core: net_processing.cpp PeerManagerImpl::PushNodeVersion (the field list and its serialization)
/** A version message. Defaults: PROTOCOL_VERSION, addrFrom = [::]:0 with our services, Core's user agent, height 0. */
export function versionMessage(f: VersionFields): VersionMessage {
  const userAgent = f.userAgent ?? DEFAULT_USER_AGENT;
  // version i32, services u64, time i64, addr_recv 26, addr_from 26, nonce u64, user agent var_str, height i32, relay bool
  const payload = 4 + 8 + 8 + VERSION_ADDR_SIZE + VERSION_ADDR_SIZE + 8 + varStrSize(userAgent) + 4 + 1;
  return {
    type: MSG_VERSION,
    sizeBytes: MESSAGE_HEADER_SIZE + payload,
    version: f.version ?? PROTOCOL_VERSION,
    services: f.services,
    timeSeconds: f.timeSeconds,
    addrRecvServices: f.addrRecvServices ?? 0,
    addrRecv: f.addrRecv ?? unspecified(),
    addrFromServices: f.addrFromServices ?? f.services,
    addrFrom: f.addrFrom ?? unspecified(),
    nonce: BigInt.asUintN(64, f.nonce),
    userAgent,
    startHeight: f.startHeight ?? 0,
    relay: f.relay,
  };
}

// Empty messages are immutable and shared: no allocation per send.
const VERACK: EmptyMessage = Object.freeze({ type: MSG_VERACK, sizeBytes: MESSAGE_HEADER_SIZE });
const SENDADDRV2: EmptyMessage = Object.freeze({ type: MSG_SENDADDRV2, sizeBytes: MESSAGE_HEADER_SIZE });
const WTXIDRELAY: EmptyMessage = Object.freeze({ type: MSG_WTXIDRELAY, sizeBytes: MESSAGE_HEADER_SIZE });
const SENDHEADERS: EmptyMessage = Object.freeze({ type: MSG_SENDHEADERS, sizeBytes: MESSAGE_HEADER_SIZE });
const GETADDR: EmptyMessage = Object.freeze({ type: MSG_GETADDR, sizeBytes: MESSAGE_HEADER_SIZE });

export function verackMessage(): EmptyMessage {
  return VERACK;
}
export function sendAddrV2Message(): EmptyMessage {
  return SENDADDRV2;
}
export function wtxidRelayMessage(): EmptyMessage {
  return WTXIDRELAY;
}
export function sendHeadersMessage(): EmptyMessage {
  return SENDHEADERS;
}
export function getAddrMessage(): EmptyMessage {
  return GETADDR;
}

/** filterload: CompactSize + vData, u32 nHashFuncs, u32 nTweak, u8 nFlags (common/bloom.h CBloomFilter). */
export function filterLoadMessage(filterBytes: number, nHashFuncs = 1): FilterLoadMessage {
  return { type: MSG_FILTERLOAD, sizeBytes: MESSAGE_HEADER_SIZE + compactSizeLength(filterBytes) + filterBytes + 4 + 4 + 1, filterBytes, nHashFuncs };
}

/** filteradd: a CompactSize-prefixed data element. */
export function filterAddMessage(dataBytes: number): FilterAddMessage {
  return { type: MSG_FILTERADD, sizeBytes: MESSAGE_HEADER_SIZE + compactSizeLength(dataBytes) + dataBytes, dataBytes };
}

const FILTERCLEAR: EmptyMessage = Object.freeze({ type: MSG_FILTERCLEAR, sizeBytes: MESSAGE_HEADER_SIZE });
const MEMPOOL: EmptyMessage = Object.freeze({ type: MSG_MEMPOOL, sizeBytes: MESSAGE_HEADER_SIZE });

/** filterclear: no payload. */
export function filterClearMessage(): EmptyMessage {
  return FILTERCLEAR;
}

/** mempool (BIP35): no payload. */
export function mempoolMessage(): EmptyMessage {
  return MEMPOOL;
}

/** ping: a u64 nonce (Core sends a random non-zero one). */
export function pingMessage(nonce: bigint): PingMessage {
  return { type: MSG_PING, sizeBytes: MESSAGE_HEADER_SIZE + 8, nonce: BigInt.asUintN(64, nonce) };
}

/** pong: echoes the ping's u64 nonce. */
export function pongMessage(nonce: bigint): PingMessage {
  return { type: MSG_PONG, sizeBytes: MESSAGE_HEADER_SIZE + 8, nonce: BigInt.asUintN(64, nonce) };
}

/** sendcmpct: bool high-bandwidth + u64 version. */
export function sendCmpctMessage(highBandwidth: boolean, version = CMPCTBLOCKS_VERSION): SendCmpctMessage {
  return { type: MSG_SENDCMPCT, sizeBytes: MESSAGE_HEADER_SIZE + 1 + 8, highBandwidth, version };
}

/** feefilter: int64 fee rate (sat/kvB). */
export function feeFilterMessage(feeRate: number): FeeFilterMessage {
  return { type: MSG_FEEFILTER, sizeBytes: MESSAGE_HEADER_SIZE + 8, feeRate };
}

/** sendtxrcncl: u32 version + u64 salt. */
export function sendTxRcnclMessage(salt: bigint, version = TXRECONCILIATION_VERSION): SendTxRcnclMessage {
  return { type: MSG_SENDTXRCNCL, sizeBytes: MESSAGE_HEADER_SIZE + 4 + 8, version, salt };
}

/** addr (v1): CompactSize count + 30 bytes per address. The array is kept, not copied. */
export function addrMessage(addresses: readonly Address[]): AddrMessage {
  return { type: MSG_ADDR, sizeBytes: MESSAGE_HEADER_SIZE + addrPayloadSize(addresses, false), addresses };
}

/** addrv2 (BIP155): CompactSize count + per address u32 time, CompactSize services, BIP155 address, u16 port. */
export function addrV2Message(addresses: readonly Address[]): AddrMessage {
  return { type: MSG_ADDRV2, sizeBytes: MESSAGE_HEADER_SIZE + addrPayloadSize(addresses, true), addresses };
}

/** inv: CompactSize count + 36 bytes per entry. */
export function invMessage(count: number): InvMessage {
  return { type: MSG_INV, sizeBytes: MESSAGE_HEADER_SIZE + compactSizeLength(count) + INV_ENTRY_SIZE * count, count };
}

/** getdata: same layout as inv. */
export function getDataMessage(count: number): InvMessage {
  return { type: MSG_GETDATA, sizeBytes: MESSAGE_HEADER_SIZE + compactSizeLength(count) + INV_ENTRY_SIZE * count, count };
}

/** headers: CompactSize count + per header 80 bytes and a CompactSize 0 transaction count. */
export function headersMessage(count: number): HeadersMessage {
  return { type: MSG_HEADERS, sizeBytes: MESSAGE_HEADER_SIZE + compactSizeLength(count) + (BLOCK_HEADER_SIZE + 1) * count, count };
}

/**
 * getheaders: u32 version + locator (CompactSize count + 32 per hash) + 32-byte stop hash. Given a
 * locator (block heights, newest first), its size is the locator's; given a number, a locator of
 * that many unnamed entries.
 */
export function getHeadersMessage(locator: number | readonly number[]): GetHeadersMessage {
  const locatorSize = typeof locator === 'number' ? locator : locator.length;
  return {
    type: MSG_GETHEADERS,
    sizeBytes: MESSAGE_HEADER_SIZE + 4 + compactSizeLength(locatorSize) + 32 * locatorSize + 32,
    locatorSize,
    locator: typeof locator === 'number' ? [] : locator,
  };
}

/**
 * The block locator from the block at `height` down to genesis: the first ten steps one block
 * apart, then doubling, always ending with genesis. Empty for a missing block (height < 0).
 */
// Core: chain.cpp LocatorEntries
export function locatorHeights(height: number): number[] {
  const have: number[] = [];
  if (height < 0) return have;
  let step = 1;
  let h = height;
  for (;;) {
    have.push(h);
    if (h === 0) break;
    h = Math.max(h - step, 0);
    if (have.length > 10) step *= 2;
  }
  return have;
}

/** tx with an opaque payload of `payloadBytes` (the serialized transaction). */
export function txMessage(payloadBytes: number): OpaqueMessage {
  return { type: MSG_TX, sizeBytes: MESSAGE_HEADER_SIZE + payloadBytes, payloadBytes };
}

/** block with an opaque payload of `payloadBytes` (the serialized block). */
export function blockMessage(payloadBytes: number): OpaqueMessage {
  return { type: MSG_BLOCK, sizeBytes: MESSAGE_HEADER_SIZE + payloadBytes, payloadBytes };
}

// --- wire codec (v1 transport) ------------------------------------------------------------------

/** Thrown by `decodeMessage` for a frame that Core's V1Transport or message parsing would reject. */
export class MessageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageDecodeError';
  }
}

/** Mainnet's message start (pchMessageStart). */
export const MAINNET_MAGIC: Uint8Array = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9);

function writeVersionAddr(w: ByteWriter, services: ServiceFlags, s: Service): void {
  // Core: CNetAddr::V1 of a CService: services u64, 16-byte address, port big-endian.
  w.u64leNumber(services);
  w.bytes(s.serializeV1());
  w.u16be(s.port);
}

/** The payload bytes of a message that has a codec; throws for count-only messages. */
export function encodePayload(m: P2PMessage): Uint8Array {
  const w = new ByteWriter(m.sizeBytes);
  switch (m.type) {
    case MSG_VERSION: {
      w.i32le(m.version);
      w.u64leNumber(m.services);
      w.i64le(BigInt(m.timeSeconds));
      writeVersionAddr(w, m.addrRecvServices, m.addrRecv);
      writeVersionAddr(w, m.addrFromServices, m.addrFrom);
      w.u64le(m.nonce);
      w.varBytes(textEncoder.encode(m.userAgent));
      w.i32le(m.startHeight);
      w.u8(m.relay ? 1 : 0);
      break;
    }
    case MSG_VERACK:
    case MSG_SENDADDRV2:
    case MSG_WTXIDRELAY:
    case MSG_SENDHEADERS:
    case MSG_GETADDR:
      break;
    case MSG_PING:
    case MSG_PONG:
      w.u64le(m.nonce);
      break;
    case MSG_SENDCMPCT:
      w.u8(m.highBandwidth ? 1 : 0);
      w.u64leNumber(m.version);
      break;
    case MSG_FEEFILTER:
      w.i64le(BigInt(m.feeRate));
      break;
    case MSG_SENDTXRCNCL:
      w.u32le(m.version);
      w.u64le(m.salt);
      break;
    case MSG_ADDR:
    case MSG_ADDRV2: {
      const params = m.type === MSG_ADDR ? V1_NETWORK : V2_NETWORK;
      w.compactSize(m.addresses.length);
      for (const a of m.addresses) writeAddress(w, a, params);
      break;
    }
    default:
      throw new RangeError(`no wire codec for '${m.type}' (only its size is modelled)`);
  }
  return w.toBytes();
}

// Core: net.cpp V1Transport::SetMessageToSend (header: magic, 12-byte NUL-padded type, length, checksum)
/** The full v1 frame of a message: 24-byte header then payload. Its length equals `m.sizeBytes`. */
export function encodeMessage(m: P2PMessage, magic: Uint8Array = MAINNET_MAGIC): Uint8Array {
  const payload = encodePayload(m);
  const w = new ByteWriter(MESSAGE_HEADER_SIZE + payload.length);
  w.bytes(magic);
  const type = new Uint8Array(MESSAGE_TYPE_SIZE);
  for (let i = 0; i < m.type.length; i++) type[i] = m.type.charCodeAt(i);
  w.bytes(type);
  w.u32le(payload.length);
  w.bytes(sha256d(payload).subarray(0, CHECKSUM_SIZE));
  w.bytes(payload);
  return w.toBytes();
}

function readVersionAddr(r: ByteReader): [ServiceFlags, Service] {
  const services = r.u64leNumber();
  const addr = NetAddr.fromLegacyIPv6(r.bytes(16).slice());
  return [services, Service.of(addr, r.u16be())];
}

// Core: net_processing.cpp PeerManagerImpl::ProcessMessage (VERSION field parsing)
function decodeVersion(r: ByteReader): VersionMessage {
  const version = r.i32le();
  const services = r.u64leNumber();
  const timeSeconds = Number(r.i64le());
  const [addrRecvServices, addrRecv] = readVersionAddr(r);
  // Core reads the remaining fields only when present (very old peers omit them).
  let addrFromServices = 0;
  let addrFrom = unspecified();
  let nonce = 0n;
  let userAgent = '';
  let startHeight = 0;
  let relay = true;
  if (!r.eof) [addrFromServices, addrFrom] = readVersionAddr(r);
  if (!r.eof) nonce = r.u64le();
  if (!r.eof) {
    const ua = r.varBytes();
    if (ua.length > MAX_SUBVERSION_LENGTH) throw new MessageDecodeError(`user agent of ${ua.length} bytes exceeds MAX_SUBVERSION_LENGTH`);
    userAgent = textDecoder.decode(ua);
  }
  if (!r.eof) startHeight = r.i32le();
  if (!r.eof) relay = r.u8() !== 0;
  return versionMessage({ version, services, timeSeconds, addrRecvServices, addrRecv, addrFromServices, addrFrom, nonce, userAgent, startHeight, relay });
}

// Core: net_processing.cpp PeerManagerImpl::ProcessMessage (ADDR/ADDRV2 vector read)
function decodeAddrs(r: ByteReader, v2: boolean): AddrMessage {
  const n = r.compactSize();
  if (n > MAX_ADDR_TO_SEND) throw new MessageDecodeError(`addr message with ${n} entries (more than ${MAX_ADDR_TO_SEND})`);
  const params = v2 ? V2_NETWORK : V1_NETWORK;
  const out: Address[] = [];
  for (let i = 0; i < n; i++) out.push(readAddress(r, params));
  return v2 ? addrV2Message(out) : addrMessage(out);
}

/** The message types decodePayload parses. */
export const WIRE_CODEC_TYPES: ReadonlySet<string> = new Set([
  MSG_VERSION,
  MSG_VERACK,
  MSG_SENDADDRV2,
  MSG_WTXIDRELAY,
  MSG_SENDHEADERS,
  MSG_GETADDR,
  MSG_PING,
  MSG_PONG,
  MSG_SENDCMPCT,
  MSG_FEEFILTER,
  MSG_SENDTXRCNCL,
  MSG_ADDR,
  MSG_ADDRV2,
]);

/** Parses a payload of the given message type (codec types only). */
export function decodePayload(type: string, payload: Uint8Array): P2PMessage {
  const r = new ByteReader(payload);
  let m: P2PMessage;
  try {
    switch (type) {
      case MSG_VERSION:
        m = decodeVersion(r);
        break;
      case MSG_VERACK:
        m = VERACK;
        break;
      case MSG_SENDADDRV2:
        m = SENDADDRV2;
        break;
      case MSG_WTXIDRELAY:
        m = WTXIDRELAY;
        break;
      case MSG_SENDHEADERS:
        m = SENDHEADERS;
        break;
      case MSG_GETADDR:
        m = GETADDR;
        break;
      case MSG_PING:
        m = pingMessage(r.u64le());
        break;
      case MSG_PONG:
        m = pongMessage(r.u64le());
        break;
      case MSG_SENDCMPCT:
        m = sendCmpctMessage(r.u8() !== 0, r.u64leNumber());
        break;
      case MSG_FEEFILTER:
        m = feeFilterMessage(Number(r.i64le()));
        break;
      case MSG_SENDTXRCNCL: {
        const version = r.u32le();
        m = sendTxRcnclMessage(r.u64le(), version);
        break;
      }
      case MSG_ADDR:
        m = decodeAddrs(r, false);
        break;
      case MSG_ADDRV2:
        m = decodeAddrs(r, true);
        break;
      default:
        throw new MessageDecodeError(`no wire codec for '${type}'`);
    }
  } catch (e) {
    if (e instanceof SerializeError) throw new MessageDecodeError(`${type}: ${e.message}`);
    throw e;
  }
  return m;
}

export interface DecodedFrame {
  message: P2PMessage;
  /** Bytes consumed from the input (header + payload). */
  bytesRead: number;
}

// Core: net.cpp V1Transport::ReadHeader, ReadData and GetReceivedMessage (magic, size, checksum checks)
/** Decodes one v1 frame from the front of `bytes`: checks magic, type padding, length and checksum. */
export function decodeMessage(bytes: Uint8Array, magic: Uint8Array = MAINNET_MAGIC): DecodedFrame {
  if (bytes.length < MESSAGE_HEADER_SIZE) throw new MessageDecodeError(`short header: ${bytes.length} bytes`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== magic[i]) throw new MessageDecodeError('wrong message start (magic)');
  // The type is printable ASCII, NUL-padded, with nothing after the first NUL (CMessageHeader::IsMessageTypeValid).
  let type = '';
  let ended = false;
  for (let i = 4; i < 4 + MESSAGE_TYPE_SIZE; i++) {
    const c = bytes[i]!;
    if (c === 0) ended = true;
    else if (ended || c < 0x20 || c > 0x7e) throw new MessageDecodeError('invalid message type field');
    else type += String.fromCharCode(c);
  }
  const r = new ByteReader(bytes, 16);
  const length = r.u32le();
  if (length > MAX_PROTOCOL_MESSAGE_LENGTH) throw new MessageDecodeError(`payload of ${length} bytes exceeds MAX_PROTOCOL_MESSAGE_LENGTH`);
  const checksum = r.bytes(CHECKSUM_SIZE);
  if (bytes.length < MESSAGE_HEADER_SIZE + length) throw new MessageDecodeError(`short payload: want ${length} bytes`);
  const payload = bytes.subarray(MESSAGE_HEADER_SIZE, MESSAGE_HEADER_SIZE + length);
  const hash = sha256d(payload);
  for (let i = 0; i < CHECKSUM_SIZE; i++) if (hash[i] !== checksum[i]) throw new MessageDecodeError(`${type}: checksum mismatch`);
  return { message: decodePayload(type, payload), bytesRead: MESSAGE_HEADER_SIZE + length };
}
