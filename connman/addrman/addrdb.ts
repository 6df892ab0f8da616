// peers.dat and anchors.dat as byte arrays: Core's SerializeDB/DeserializeDB framing (network magic,
// payload, trailing double-SHA-256 of everything before it) around the addrman section
// (serialize.ts, or profiles/addrman-legacy-serialize.ts for a v0.10 table, whose framing was the same)
// or a vector of CAddress in the V2 disk form. Loading is all-or-nothing: it builds a fresh AddrMan
// and hands it over only when the whole file was valid.
// It does no file I/O (cli.ts and tests read and write the bytes) and does not choose file names,
// temporary files or renames (Core's SerializeFileDB plumbing).

import { AddrManImage, addrManToBytes, AddrManLoadError, serializedSize, unserializeAddrMan, type AddrManLoadErrorKind } from './serialize.ts';
import type { AddrMan } from './addrman.ts';
import { sha256d } from '../util/hash.ts';
import { AddressError } from '../protocol/netaddress.ts';
import { readAddress, V2_DISK, writeAddress, type Address } from '../protocol/protocol.ts';
import { ByteReader, ByteWriter, SerializeError } from '../util/serialize.ts';

/** The chains whose message start (network magic) prefixes the files. */
export type ChainName = 'main' | 'test' | 'testnet4' | 'signet' | 'regtest';

/** Core: kernel/chainparams.cpp pchMessageStart of each chain (signet: the default signet's). */
export const MESSAGE_START: Readonly<Record<ChainName, Uint8Array>> = {
  main: Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9),
  test: Uint8Array.of(0x0b, 0x11, 0x09, 0x07),
  testnet4: Uint8Array.of(0x1c, 0x16, 0x3f, 0x28),
  signet: Uint8Array.of(0x0a, 0x03, 0xcf, 0x40),
  regtest: Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda),
};

/** Why a file did not load: the addrman kinds plus the framing's own. */
export type AddrDbErrorKind = AddrManLoadErrorKind | 'magic' | 'checksum';

export class AddrDbError extends Error {
  constructor(
    readonly kind: AddrDbErrorKind,
    message: string,
    readonly code = 0,
  ) {
    super(message);
    this.name = 'AddrDbError';
  }
}

export type LoadResult<T> = { ok: true; value: T } | { ok: false; error: AddrDbError };

function magicOf(chain: ChainName | Uint8Array): Uint8Array {
  return chain instanceof Uint8Array ? chain : MESSAGE_START[chain];
}

/** Frames a payload as Core's SerializeDB: magic ‖ payload ‖ SHA256d(magic ‖ payload). */
// Core: addrdb.cpp SerializeDB
export function serializeDb(chain: ChainName | Uint8Array, payload: Uint8Array): Uint8Array {
  const magic = magicOf(chain);
  const out = new Uint8Array(4 + payload.length + 32);
  out.set(magic, 0);
  out.set(payload, 4);
  out.set(sha256d(out.subarray(0, 4 + payload.length)), 4 + payload.length);
  return out;
}

/**
 * Reads a framed file as Core's DeserializeDB: the magic must match, then `readData` consumes the
 * payload, then the 32 bytes after it must equal the hash of everything consumed so far. Bytes
 * after the checksum are ignored, as in Core.
 */
// Core: addrdb.cpp DeserializeDB
export function deserializeDb<T>(chain: ChainName | Uint8Array, bytes: Uint8Array, readData: (r: ByteReader) => T): T {
  const magic = magicOf(chain);
  try {
    const r = new ByteReader(bytes);
    const got = r.bytes(4);
    for (let i = 0; i < 4; i++) {
      if (got[i] !== magic[i]) throw new AddrDbError('magic', 'Invalid network magic number');
    }
    const value = readData(r);
    const consumed = r.offset;
    const checksum = r.bytes(32);
    const expect = sha256d(bytes.subarray(0, consumed));
    for (let i = 0; i < 32; i++) {
      if (checksum[i] !== expect[i]) throw new AddrDbError('checksum', 'Checksum mismatch, data corrupted');
    }
    return value;
  } catch (e) {
    if (e instanceof AddrDbError) throw e;
    if (e instanceof AddrManLoadError) throw new AddrDbError(e.kind, e.message, e.code);
    if (e instanceof SerializeError) throw new AddrDbError(e.kind === 'truncated' ? 'truncated' : 'corrupt', e.message);
    if (e instanceof AddressError) throw new AddrDbError('corrupt', e.message);
    throw e;
  }
}

/** The bytes of peers.dat for this addrman. */
// Core: addrdb.cpp DumpPeerAddresses
export function dumpPeerAddresses(chain: ChainName | Uint8Array, addrman: AddrMan): Uint8Array {
  return sealPeersDat(dumpPeerAddressesUnsealed(chain, addrman));
}

/**
 * peers.dat for this addrman with its last 32 bytes (the checksum) still zero: sealPeersDat fills
 * them in place. A node that rarely reads its peers.dat back can leave the hashing until it does.
 */
export function dumpPeerAddressesUnsealed(chain: ChainName | Uint8Array, addrman: AddrMan): Uint8Array {
  // serializeDb's bytes, built in place: the addrman is written once, between room for the magic
  // and the checksum, instead of into a buffer that is then copied into the framed one.
  const out = addrManToBytes(addrman, 4, 32);
  out.set(magicOf(chain), 0);
  return out;
}

/** A peers.dat dump whose bytes are written when first wanted, from an image of the addrman at the dump. */
export interface DeferredDump {
  /** The file's length in bytes (magic, payload, checksum). */
  readonly size: number;
  /** The image the bytes come from; hand it back to the next dump to reuse its arrays. */
  readonly image: AddrManImage;
  /** The sealed file, exactly as dumpPeerAddresses would have returned it at the dump. */
  readonly materialize: () => Uint8Array;
}

/**
 * peers.dat for this addrman, as of now, without writing it yet: an image of the rows (a few
 * typed-array copies) and the file's size. Every node dumps every 15 minutes and almost never reads
 * the file back (only when it restarts after a crash), so the serialization and the checksum wait
 * until someone reads it. `reuse` (the previous dump's image) is overwritten: its materialize must
 * no longer be called, which holds once the file it backed has been replaced by this dump.
 */
// Core: addrdb.cpp DumpPeerAddresses
export function dumpPeerAddressesDeferred(chain: ChainName | Uint8Array, addrman: AddrMan, reuse?: AddrManImage): DeferredDump {
  const image = (reuse ?? new AddrManImage()).capture(addrman);
  const magic = magicOf(chain);
  return {
    size: 4 + serializedSize(image) + 32,
    image,
    materialize: () => {
      const out = addrManToBytes(image, 4, 32);
      out.set(magic, 0);
      return sealPeersDat(out);
    },
  };
}

/** Writes the checksum of a dumpPeerAddressesUnsealed array into its last 32 bytes and returns it (idempotent). */
export function sealPeersDat(out: Uint8Array): Uint8Array {
  const end = out.length - 32;
  out.set(sha256d(out.subarray(0, end)), end);
  return out;
}

/**
 * Loads peers.dat bytes into a fresh AddrMan from `makeAddrMan` (which fixes netgroups, clock, rng
 * and check ratio) and returns it only if everything — magic, payload, consistency, checksum — was
 * valid; otherwise returns the typed error and nothing else.
 */
// Core: addrdb.cpp LoadAddrman (the DeserializeFileDB part; file-not-found is the caller's)
export function loadPeerAddresses(
  chain: ChainName | Uint8Array,
  bytes: Uint8Array,
  makeAddrMan: () => AddrMan,
): LoadResult<AddrMan> {
  const fresh = makeAddrMan();
  try {
    deserializeDb(chain, bytes, (r) => unserializeAddrMan(fresh, r));
    return { ok: true, value: fresh };
  } catch (e) {
    if (e instanceof AddrDbError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * A peers.dat format: how one kind of AddrMan is written and read. Core master's is
 * PEERS_DAT_MASTER; a version profile brings its own (profiles/addrman-legacy-serialize.ts).
 */
export interface PeersDatFormat {
  /** peers.dat's bytes; the last 32 (the checksum) may still be zero: sealPeersDat fills them. */
  dumpUnsealed(chain: ChainName | Uint8Array, addrman: AddrMan): Uint8Array;
  /** Loads peers.dat into a fresh AddrMan from `makeAddrMan`, all or nothing. */
  load(chain: ChainName | Uint8Array, bytes: Uint8Array, makeAddrMan: () => AddrMan): LoadResult<AddrMan>;
  /** peers.dat as of now with its bytes written later (see dumpPeerAddressesDeferred); absent: dumpUnsealed now. */
  dumpDeferred?(chain: ChainName | Uint8Array, addrman: AddrMan, reuse?: AddrManImage): DeferredDump;
}

/** Core master's peers.dat. */
export const PEERS_DAT_MASTER: PeersDatFormat = {
  dumpUnsealed: dumpPeerAddressesUnsealed,
  load: loadPeerAddresses,
  dumpDeferred: dumpPeerAddressesDeferred,
};

/** The bytes of anchors.dat: a vector of CAddress in the V2 disk form. */
// Core: addrdb.cpp DumpAnchors
export function dumpAnchors(chain: ChainName | Uint8Array, anchors: readonly Address[]): Uint8Array {
  const w = new ByteWriter(16 + anchors.length * 64);
  w.compactSize(anchors.length);
  for (const a of anchors) writeAddress(w, a, V2_DISK);
  return serializeDb(chain, w.toBytes());
}

/** Parses anchors.dat bytes, reporting why it failed. */
export function readAnchorsChecked(chain: ChainName | Uint8Array, bytes: Uint8Array): LoadResult<Address[]> {
  try {
    const value = deserializeDb(chain, bytes, (r) => {
      const n = r.compactSize();
      const out: Address[] = [];
      for (let i = 0; i < n; i++) out.push(readAddress(r, V2_DISK));
      return out;
    });
    return { ok: true, value };
  } catch (e) {
    if (e instanceof AddrDbError) return { ok: false, error: e };
    throw e;
  }
}

/** Core's ReadAnchors: the anchors, or an empty list on any error (Core then deletes the file). */
// Core: addrdb.cpp ReadAnchors
export function readAnchors(chain: ChainName | Uint8Array, bytes: Uint8Array): Address[] {
  const r = readAnchorsChecked(chain, bytes);
  return r.ok ? r.value : [];
}
