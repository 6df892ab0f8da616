// P2P protocol records about addresses: the ServiceFlags bits, Core's names for them
// (serviceFlagsToStr), and Address (CAddress = Service + time + services) with its four
// serializations (addr/addrv2 on the network, v1/v2 on disk inside peers.dat).
// It does not hold message framing, other message types, or AddrMan's AddrInfo fields
// (source, last success, attempts), which addrman builds on top of readAddress/writeAddress.
//
// Representation of services: a plain non-negative integer `number`. Core's ServiceFlags is a
// uint64; every defined bit is below 2^12 and bits 24-31 are the experimental range, so a number
// holds real values exactly. Bits 53..63 cannot be held exactly; readers drop them (documented
// deviation) and writers never produce them. Use the helpers below for bit tests: JavaScript's
// `&` works on 32 bits only.
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';
import { Service, readService, writeService } from './netaddress.ts';

/** Core: protocol.h enum ServiceFlags */
export const NODE_NONE = 0;
export const NODE_NETWORK = 1 << 0;
export const NODE_BLOOM = 1 << 2;
export const NODE_WITNESS = 1 << 3;
export const NODE_COMPACT_FILTERS = 1 << 6;
export const NODE_NETWORK_LIMITED = 1 << 10;
export const NODE_P2P_V2 = 1 << 11;

/** A uint64 service bitfield held as a number (exact below 2^53). */
export type ServiceFlags = number;
/** Seconds since the Unix epoch (Core's NodeSeconds), a uint32 on the wire. */
export type NodeSeconds = number;

const TWO_32 = 0x1_0000_0000;
const MAX_SERVICES = Number.MAX_SAFE_INTEGER; // 2^53 - 1: bits 0..52

/** Whether every bit of `flags` is set in `services` (all 53 bits, not just the low 32). */
export function hasAllFlags(services: ServiceFlags, flags: ServiceFlags): boolean {
  const sLo = services % TWO_32, sHi = Math.floor(services / TWO_32);
  const fLo = flags % TWO_32, fHi = Math.floor(flags / TWO_32);
  return ((sLo & fLo) >>> 0) === fLo && ((sHi & fHi) >>> 0) === fHi;
}

/** Whether any bit of `flags` is set in `services`. */
export function hasAnyFlag(services: ServiceFlags, flags: ServiceFlags): boolean {
  const sLo = services % TWO_32, sHi = Math.floor(services / TWO_32);
  const fLo = flags % TWO_32, fHi = Math.floor(flags / TWO_32);
  return (sLo & fLo) !== 0 || (sHi & fHi) !== 0;
}

/** Bitwise OR over all 53 bits. */
export function orFlags(a: ServiceFlags, b: ServiceFlags): ServiceFlags {
  const lo = ((a % TWO_32) | (b % TWO_32)) >>> 0;
  const hi = (Math.floor(a / TWO_32) | Math.floor(b / TWO_32)) >>> 0;
  return hi * TWO_32 + lo;
}

/** Bitwise AND-NOT (clear `b`'s bits in `a`) over all 53 bits. */
export function clearFlags(a: ServiceFlags, b: ServiceFlags): ServiceFlags {
  const lo = ((a % TWO_32) & ~(b % TWO_32)) >>> 0;
  const hi = (Math.floor(a / TWO_32) & ~Math.floor(b / TWO_32)) >>> 0;
  return hi * TWO_32 + lo;
}

/** A uint64 read from the wire as ServiceFlags: bits 53..63 are dropped (see the file comment). */
export function servicesFromBigInt(v: bigint): ServiceFlags {
  return Number(BigInt.asUintN(64, v) & BigInt(MAX_SERVICES));
}

/** Core: protocol.cpp serviceFlagToStr */
function serviceFlagToStr(bit: number): string {
  switch (bit) {
    case 0:
      return 'NETWORK';
    case 2:
      return 'BLOOM';
    case 3:
      return 'WITNESS';
    case 6:
      return 'COMPACT_FILTERS';
    case 10:
      return 'NETWORK_LIMITED';
    case 11:
      return 'P2P_V2';
    default:
      return `UNKNOWN[2^${bit}]`;
  }
}

/** Names of the set bits, lowest first, as getpeerinfo's `servicesnames`. Core: protocol.cpp serviceFlagsToStr */
export function serviceFlagsToStr(flags: ServiceFlags | bigint): string[] {
  const v = typeof flags === 'bigint' ? BigInt.asUintN(64, flags) : BigInt(flags);
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((v >> BigInt(i)) & 1n) out.push(serviceFlagToStr(i));
  return out;
}

/** Core: protocol.h CAddress::TIME_INIT — the time of an address constructed without one. */
export const TIME_INIT = 100000000;
/** Core: protocol.h CAddress::DISK_VERSION_INIT */
export const DISK_VERSION_INIT = 220000;
/** Core: protocol.h CAddress::DISK_VERSION_IGNORE_MASK — low bits of the disk version, ignored on read. */
export const DISK_VERSION_IGNORE_MASK = 0b00000000_00000111_11111111_11111111;
/** Core: protocol.h CAddress::DISK_VERSION_ADDRV2 — the disk version bit that marks a BIP155 record. */
export const DISK_VERSION_ADDRV2 = 1 << 29;

/** Core: CAddress::SerParams — encoding (v1 16-byte or BIP155) and format (network message or disk). */
export interface AddressSerParams {
  readonly enc: 'v1' | 'v2';
  readonly fmt: 'network' | 'disk';
}
export const V1_NETWORK: AddressSerParams = { enc: 'v1', fmt: 'network' };
export const V2_NETWORK: AddressSerParams = { enc: 'v2', fmt: 'network' };
export const V1_DISK: AddressSerParams = { enc: 'v1', fmt: 'disk' };
export const V2_DISK: AddressSerParams = { enc: 'v2', fmt: 'disk' };

/** Core's CAddress: a Service with the time it was last seen and the services it advertises. Immutable. */
export class Address extends Service {
  /** Core: CAddress::nTime, seconds (uint32 on the wire). */
  readonly time: NodeSeconds;
  /** Core: CAddress::nServices. */
  readonly services: ServiceFlags;

  constructor(service: Service, services: ServiceFlags = NODE_NONE, time: NodeSeconds = TIME_INIT) {
    super(service.net, service.addr, service.port, service.scopeId);
    this.services = services;
    this.time = time;
    // Same network, bytes, scope and port: the copies share one set of cached keys, text and
    // hashes (AddrMan hands out a fresh Address over an interned service for every answer).
    this.shareCachesWith(service);
  }

  /** The same address with another time. */
  withTime(time: NodeSeconds): Address {
    return new Address(this, this.services, time);
  }

  /** The same address with other services. */
  withServices(services: ServiceFlags): Address {
    return new Address(this, services, this.time);
  }

  /** Field-wise equality including time and services. Core: operator==(CAddress, CAddress) */
  equalsAddress(other: Address): boolean {
    return this.time === other.time && this.services === other.services && this.equals(other);
  }
}

/**
 * Serialize a CAddress. Disk format: u32 version (DISK_VERSION_INIT, | DISK_VERSION_ADDRV2 for v2),
 * then as network. Network format: u32 time, services (u64 in v1, CompactSize in v2), address
 * (16 bytes in v1, BIP155 in v2), port big-endian. Core: protocol.h CAddress::SerializationOps
 */
export function writeAddress(w: ByteWriter, a: Address, params: AddressSerParams): void {
  const useV2 = params.enc === 'v2';
  if (params.fmt === 'disk') w.u32le(DISK_VERSION_INIT | (useV2 ? DISK_VERSION_ADDRV2 : 0));
  w.u32le(a.time);
  if (useV2) w.compactSize(a.services);
  else w.u64leNumber(a.services);
  writeService(w, a, useV2);
}

/**
 * Read a CAddress. On disk the stored version decides the encoding: high bits 0 → v1;
 * DISK_VERSION_ADDRV2 → v2, accepted only when `params.enc` is 'v2'; anything else throws
 * SerializeError('invalid'). Core: protocol.h CAddress::SerializationOps
 */
export function readAddress(r: ByteReader, params: AddressSerParams): Address {
  let useV2: boolean;
  if (params.fmt === 'disk') {
    const stored = (r.u32le() & ~DISK_VERSION_IGNORE_MASK) >>> 0;
    if (stored === 0) useV2 = false;
    else if (stored === DISK_VERSION_ADDRV2 && params.enc === 'v2') useV2 = true;
    else throw new SerializeError('invalid', 'Unsupported CAddress disk format version');
  } else {
    useV2 = params.enc === 'v2';
  }
  const time = r.u32le();
  const services = servicesFromBigInt(useV2 ? r.compactSizeBig(false) : r.u64le());
  const service = readService(r, useV2);
  return new Address(service, services, time);
}

/** The serialized length of an Address (for message sizes) without building the bytes twice. */
export function addressSerializedSize(a: Address, params: AddressSerParams): number {
  const w = new ByteWriter(64);
  writeAddress(w, a, params);
  return w.length;
}

