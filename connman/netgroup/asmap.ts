// Core's asmap: the bit-packed bytecode that maps IP prefixes to AS numbers (util/asmap.cpp), with
// its interpreter, its structural sanity check, the load-time validation, the asmap version hash
// recorded in peers.dat, and an encoder/decoder between prefix→ASN tables and the binary format
// (following contrib/asmap/asmap.py, so scenarios can build an asmap for a synthetic world).
//
// It does not read files (the caller hands in bytes), does not know about CNetAddr (netgroup.ts maps
// addresses to the 16-byte lookup form) and keeps no global state; the result cache is an explicit
// object (AsmapLookup) owned by whoever interprets many addresses against one map.

import { sha256d } from '../util/hash.ts';

/** Returned by the decoders for a value that runs past the end of the data. */
const INVALID = 0xffffffff;

/** Raised when asmap data fails validation, or when an unchecked map is interpreted. */
export class AsmapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsmapError';
  }
}

// ----------------------------------------------------------------------------------------------
// Bit-level decoding
// ----------------------------------------------------------------------------------------------

// The four instruction kinds. Their opcodes are themselves varints: RETURN [0], JUMP [1,0],
// MATCH [1,1,0], DEFAULT [1,1,1].
const RETURN = 0;
const JUMP = 1;
const MATCH = 2;
const DEFAULT = 3;

// Variable-length integer classes: a value starts at minval; each leading 1-bit moves it into the
// next class (adding that class's span), a 0-bit (absent for the last class) ends the prefix, and
// then the class's bit count of big-endian mantissa follows.
const TYPE_BIT_SIZES = [0, 0, 1];
/** ASNs 1 .. 33521664; 0 is reserved for "unmapped". */
const ASN_BIT_SIZES = [15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
/** MATCH values 2 .. 511: the top set bit marks the length, the bits below it are the pattern. */
const MATCH_BIT_SIZES = [1, 2, 3, 4, 5, 6, 7, 8];
/** JUMP offsets (in bits) from 17 upward. */
const JUMP_BIT_SIZES = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];

/** Mutable read position (in bits) shared by the decoders; a one-field object avoids allocations. */
interface Cursor {
  pos: number;
}

// Core: util/asmap.cpp ConsumeBitLE (asmap data: least significant bit of each byte first)
function consumeBitLE(cur: Cursor, bytes: Uint8Array): number {
  const bit = (bytes[cur.pos >>> 3]! >>> (cur.pos & 7)) & 1;
  cur.pos++;
  return bit;
}

// Core: util/asmap.cpp ConsumeBitBE (IP addresses: most significant bit of each byte first)
function consumeBitBE(cur: Cursor, bytes: Uint8Array): number {
  const bit = (bytes[cur.pos >>> 3]! >>> (7 - (cur.pos & 7))) & 1;
  cur.pos++;
  return bit;
}

// Core: util/asmap.cpp DecodeBits
function decodeBits(cur: Cursor, data: Uint8Array, minval: number, bitSizes: readonly number[]): number {
  let val = minval;
  const endBits = data.length * 8;
  for (let k = 0; k < bitSizes.length; k++) {
    const size = bitSizes[k]!;
    let bit: number;
    if (k + 1 !== bitSizes.length) {
      if (cur.pos >= endBits) break;
      bit = consumeBitLE(cur, data);
    } else {
      // The last class is entered without a continuation bit.
      bit = 0;
    }
    if (bit) {
      val += 2 ** size;
    } else {
      for (let b = 0; b < size; b++) {
        if (cur.pos >= endBits) return INVALID; // mantissa runs past the end
        bit = consumeBitLE(cur, data);
        val += bit * 2 ** (size - 1 - b);
      }
      return val;
    }
  }
  return INVALID; // class prefix runs past the end
}

// Core: util/asmap.cpp DecodeType
function decodeType(cur: Cursor, data: Uint8Array): number {
  return decodeBits(cur, data, 0, TYPE_BIT_SIZES);
}
// Core: util/asmap.cpp DecodeASN
function decodeASN(cur: Cursor, data: Uint8Array): number {
  return decodeBits(cur, data, 1, ASN_BIT_SIZES);
}
// Core: util/asmap.cpp DecodeMatch
function decodeMatch(cur: Cursor, data: Uint8Array): number {
  return decodeBits(cur, data, 2, MATCH_BIT_SIZES);
}
// Core: util/asmap.cpp DecodeJump
function decodeJump(cur: Cursor, data: Uint8Array): number {
  return decodeBits(cur, data, 17, JUMP_BIT_SIZES);
}

/** std::bit_width for 32-bit values. */
function bitWidth32(v: number): number {
  return 32 - Math.clz32(v);
}

// ----------------------------------------------------------------------------------------------
// Interpreter, sanity check, loading, version
// ----------------------------------------------------------------------------------------------

/**
 * Runs the asmap program on `ip` (network byte order; Core passes the 16-byte IPv6 form, with IPv4
 * as ::ffff:a.b.c.d) and returns the ASN, 0 meaning unmapped. IP bits are consumed most significant
 * first. The map must have passed sanityCheckAsmap for ip.length*8 bits: where Core asserts on a
 * malformed program, this throws AsmapError.
 */
// Core: util/asmap.cpp Interpret
export function interpret(asmap: Uint8Array, ip: Uint8Array): number {
  const cur: Cursor = { pos: 0 };
  const endpos = asmap.length * 8;
  const ipCur: Cursor = { pos: 0 };
  const ipBitsEnd = ip.length * 8;
  let defaultAsn = 0;
  while (cur.pos < endpos) {
    const opcode = decodeType(cur, asmap);
    if (opcode === RETURN) {
      const asn = decodeASN(cur, asmap);
      if (asn === INVALID) break;
      return asn;
    } else if (opcode === JUMP) {
      const jump = decodeJump(cur, asmap);
      if (jump === INVALID) break;
      if (ipCur.pos === ipBitsEnd) break; // no input bits left
      if (jump >= endpos - cur.pos) break; // target past the end
      // A 1-bit takes the right subtree (skip the left one); a 0-bit falls through.
      if (consumeBitBE(ipCur, ip)) cur.pos += jump;
    } else if (opcode === MATCH) {
      const match = decodeMatch(cur, asmap);
      if (match === INVALID) break;
      const matchlen = bitWidth32(match) - 1;
      if (ipBitsEnd - ipCur.pos < matchlen) break;
      for (let bit = 0; bit < matchlen; bit++) {
        if (consumeBitBE(ipCur, ip) !== ((match >>> (matchlen - 1 - bit)) & 1)) return defaultAsn;
      }
    } else if (opcode === DEFAULT) {
      defaultAsn = decodeASN(cur, asmap);
      if (defaultAsn === INVALID) break;
    } else {
      break; // opcode runs past the end
    }
  }
  throw new AsmapError('asmap program ended without RETURN (the map was not sanity-checked)');
}

/**
 * Checks that the program is well formed for `bits`-bit inputs by walking every path once: every
 * instruction decodes, jumps land exactly on instruction boundaries inside the data and never
 * cross, no input bits are consumed past the end, redundant encodings (DEFAULT then RETURN, two
 * DEFAULTs, two partial MATCHes in a row) are rejected, and the data ends in at most 7 zero bits.
 */
// Core: util/asmap.cpp SanityCheckAsmap
export function sanityCheckAsmap(asmap: Uint8Array, bits: number): boolean {
  const cur: Cursor = { pos: 0 };
  const endpos = asmap.length * 8;
  // Pending jump targets (bit offset, input bits left there), innermost last.
  const jumpTargets: number[] = [];
  const jumpBits: number[] = [];
  let prevOpcode = JUMP;
  let hadIncompleteMatch = false;

  while (cur.pos !== endpos) {
    // A pending jump target that we have already passed means it pointed into an instruction.
    if (jumpTargets.length > 0 && cur.pos >= jumpTargets[jumpTargets.length - 1]!) return false;

    const opcode = decodeType(cur, asmap);
    if (opcode === RETURN) {
      if (prevOpcode === DEFAULT) return false; // DEFAULT+RETURN should have been one RETURN
      const asn = decodeASN(cur, asmap);
      if (asn === INVALID) return false;
      if (jumpTargets.length === 0) {
        // End of the program: only zero padding to the byte boundary may follow.
        if (endpos - cur.pos > 7) return false;
        while (cur.pos !== endpos) {
          if (consumeBitLE(cur, asmap)) return false;
        }
        return true;
      }
      // Continue as if the innermost pending jump had been taken.
      if (cur.pos !== jumpTargets[jumpTargets.length - 1]) return false; // unreachable code
      bits = jumpBits[jumpBits.length - 1]!;
      jumpTargets.pop();
      jumpBits.pop();
      prevOpcode = JUMP;
    } else if (opcode === JUMP) {
      const jump = decodeJump(cur, asmap);
      if (jump === INVALID) return false;
      if (jump > endpos - cur.pos) return false; // out of range
      if (bits === 0) return false; // would read past the end of the input
      --bits;
      const jumpOffset = cur.pos + jump;
      if (jumpTargets.length > 0 && jumpOffset >= jumpTargets[jumpTargets.length - 1]!) return false; // crossing jumps
      jumpTargets.push(jumpOffset);
      jumpBits.push(bits);
      prevOpcode = JUMP;
    } else if (opcode === MATCH) {
      const match = decodeMatch(cur, asmap);
      if (match === INVALID) return false;
      const matchlen = bitWidth32(match) - 1;
      if (prevOpcode !== MATCH) hadIncompleteMatch = false;
      // In a run of MATCHes at most one may be shorter than 8 bits (otherwise they could merge).
      if (matchlen < 8 && hadIncompleteMatch) return false;
      hadIncompleteMatch = matchlen < 8;
      if (bits < matchlen) return false;
      bits -= matchlen;
      prevOpcode = MATCH;
    } else if (opcode === DEFAULT) {
      if (prevOpcode === DEFAULT) return false; // two DEFAULTs in a row should be one
      const asn = decodeASN(cur, asmap);
      if (asn === INVALID) return false;
      prevOpcode = DEFAULT;
    } else {
      return false;
    }
  }
  return false; // reached the end without a final RETURN
}

/** The check Core applies to every asmap it loads: valid for 128-bit (IPv6-form) inputs. */
// Core: util/asmap.cpp CheckStandardAsmap
export function checkStandardAsmap(data: Uint8Array): boolean {
  return sanityCheckAsmap(data, 128);
}

/**
 * Validates asmap file contents the way Core's loader does and returns them, or throws AsmapError
 * (Core logs a warning and returns an empty map, which init then treats as an error). Reading the
 * file is the caller's job.
 */
// Core: util/asmap.cpp DecodeAsmap (without the file I/O)
export function decodeAsmap(data: Uint8Array, name = 'asmap data'): Uint8Array {
  if (!checkStandardAsmap(data)) {
    throw new AsmapError(`Sanity check of ${name} failed (${data.length} bytes): not a valid asmap for 128-bit addresses`);
  }
  return data;
}

/**
 * The asmap version Core records in peers.dat: double-SHA256 of the raw bytes (no length prefix),
 * or 32 zero bytes when no asmap is used. Returned in the uint256's internal byte order.
 */
// Core: util/asmap.cpp AsmapVersion
export function asmapVersion(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(32);
  return sha256d(data);
}

/** The version as Core displays it (uint256::GetHex: bytes reversed, lowercase hex). */
// Core: uint256.h base_blob::GetHex applied to AsmapVersion
export function asmapVersionHex(data: Uint8Array): string {
  const v = asmapVersion(data);
  let s = '';
  for (let i = v.length - 1; i >= 0; i--) s += v[i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * The same program as interpret() runs, decoded once into flat arrays so a lookup walks
 * instructions instead of re-reading variable-length integers bit by bit (a large map such as
 * Core's embedded one spends most of interpret()'s time decoding jump offsets). Results are
 * identical to interpret() for every 128-bit input; the tests check this on Core's maps.
 */
export class CompiledAsmap {
  private readonly ops: Uint8Array;
  /** RETURN/DEFAULT: ASN; MATCH: match value; JUMP: index of the instruction jumped to. */
  private readonly args: Uint32Array;

  /** Compiles a map; throws AsmapError unless it passes Core's standard (128-bit) check. */
  constructor(readonly asmap: Uint8Array) {
    decodeAsmap(asmap);
    const endpos = asmap.length * 8;
    const ops: number[] = [];
    const args: number[] = [];
    const starts: number[] = [];
    const jumpTargetBits: number[] = [];
    const cur: Cursor = { pos: 0 };
    // A sanity-checked program is a contiguous preorder sequence of instructions followed by at
    // most 7 zero bits of padding, and every instruction but the last is followed by at least a
    // 17-bit RETURN; so a linear scan meets every instruction, including every jump target.
    while (endpos - cur.pos > 7) {
      const start = cur.pos;
      const op = decodeType(cur, asmap);
      let arg: number;
      if (op === RETURN || op === DEFAULT) {
        arg = decodeASN(cur, asmap);
      } else if (op === MATCH) {
        arg = decodeMatch(cur, asmap);
      } else {
        const jump = decodeJump(cur, asmap);
        jumpTargetBits.push(ops.length, cur.pos + jump);
        arg = 0;
      }
      starts.push(start);
      ops.push(op);
      args.push(arg);
    }
    this.ops = Uint8Array.from(ops);
    this.args = Uint32Array.from(args);
    for (let k = 0; k < jumpTargetBits.length; k += 2) {
      const idx = binarySearch(starts, jumpTargetBits[k + 1]!);
      if (idx < 0) throw new AsmapError('asmap jump does not land on an instruction');
      this.args[jumpTargetBits[k]!] = idx;
    }
  }

  /** Number of decoded instructions. */
  get instructionCount(): number {
    return this.ops.length;
  }

  /** interpret(asmap, ip16) for a 16-byte IPv6-form address. */
  // Core: util/asmap.cpp Interpret (on the pre-decoded program)
  lookup(ip16: Uint8Array): number {
    const ops = this.ops;
    const args = this.args;
    let i = 0;
    let ipBit = 0;
    let defaultAsn = 0;
    for (;;) {
      const op = ops[i];
      if (op === RETURN) return args[i]!;
      if (op === JUMP) {
        if (ipBit === 128) break;
        const bit = (ip16[ipBit >>> 3]! >>> (7 - (ipBit & 7))) & 1;
        ipBit++;
        i = bit ? args[i]! : i + 1;
      } else if (op === MATCH) {
        const match = args[i]!;
        const matchlen = 31 - Math.clz32(match);
        if (128 - ipBit < matchlen) break;
        for (let b = matchlen - 1; b >= 0; b--) {
          const bit = (ip16[ipBit >>> 3]! >>> (7 - (ipBit & 7))) & 1;
          ipBit++;
          if (bit !== ((match >>> b) & 1)) return defaultAsn;
        }
        i++;
      } else if (op === DEFAULT) {
        defaultAsn = args[i]!;
        i++;
      } else {
        break;
      }
    }
    throw new AsmapError('asmap program ended without RETURN');
  }
}

function binarySearch(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * A compiled map with a result cache in front, for one asmap shared by every node of a run.
 * IPv4-mapped lookups (the common case) are keyed by the 32-bit address, others by their 16 bytes.
 * The cache never changes a result, so its size limit (cleared wholesale when reached) cannot
 * affect determinism.
 */
export class AsmapLookup {
  readonly compiled: CompiledAsmap;
  private readonly v4 = new Map<number, number>();
  private readonly v6 = new Map<string, number>();

  /** Validates (AsmapError if invalid) and compiles the map. */
  constructor(
    readonly asmap: Uint8Array,
    private readonly maxEntries = 1 << 20,
  ) {
    this.compiled = new CompiledAsmap(asmap);
  }

  /** The ASN of a 16-byte IPv6-form address, cached. */
  lookup(ip16: Uint8Array): number {
    if (isIPv4Mapped(ip16)) {
      const v4 = ((ip16[12]! << 24) | (ip16[13]! << 16) | (ip16[14]! << 8) | ip16[15]!) >>> 0;
      return this.lookupIPv4(v4, ip16);
    }
    let key = '';
    for (let i = 0; i < 16; i++) key += String.fromCharCode(ip16[i]!);
    const hit = this.v6.get(key);
    if (hit !== undefined) return hit;
    const asn = this.compiled.lookup(ip16);
    if (this.v6.size >= this.maxEntries) this.v6.clear();
    this.v6.set(key, asn);
    return asn;
  }

  /** The ASN of an IPv4 address (a uint32), looked up through its ::ffff:a.b.c.d form, cached. */
  lookupIPv4(ipv4: number, form?: Uint8Array): number {
    const hit = this.v4.get(ipv4);
    if (hit !== undefined) return hit;
    const asn = this.compiled.lookup(form ?? ipv4Mapped(ipv4));
    if (this.v4.size >= this.maxEntries) this.v4.clear();
    this.v4.set(ipv4, asn);
    return asn;
  }
}

/** The ::ffff:0:0/96 prefix Core uses to look IPv4 addresses up in an asmap. */
// Core: netaddress.h IPV4_IN_IPV6_PREFIX
const IPV4_IN_IPV6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isIPv4Mapped(ip16: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (ip16[i] !== IPV4_IN_IPV6_PREFIX[i]) return false;
  return true;
}

/** The 16-byte ::ffff:a.b.c.d form of an IPv4 address given as a uint32. */
export function ipv4Mapped(ipv4: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set(IPV4_IN_IPV6_PREFIX, 0);
  out[12] = (ipv4 >>> 24) & 0xff;
  out[13] = (ipv4 >>> 16) & 0xff;
  out[14] = (ipv4 >>> 8) & 0xff;
  out[15] = ipv4 & 0xff;
  return out;
}

// ----------------------------------------------------------------------------------------------
// Prefix tables, the trie, and the encoder (contrib/asmap/asmap.py)
// ----------------------------------------------------------------------------------------------

/**
 * A prefix for the encoder: CIDR text ("1.2.0.0/16", "2001:db8::/32"; a bare address means a full
 * /32 or /128), or network bytes (4 for IPv4, 16 for IPv6) with a prefix length in bits. IPv4
 * prefixes are placed inside ::ffff:0:0/96, as Core looks IPv4 addresses up there.
 */
export type AsmapPrefix = string | { bytes: Uint8Array; bits: number };

export interface AsmapEntry {
  prefix: AsmapPrefix;
  /** 1 .. 33521664, or 0 to carve an unmapped hole out of a shorter prefix. */
  asn: number;
}

/** Largest ASN the binary format can hold. */
export const ASMAP_MAX_ASN = 1 + ASN_BIT_SIZES.reduce((s, b) => s + 2 ** b, 0) - 1;

/**
 * A prefix→ASN trie over 128-bit addresses: a leaf is an ASN (0 = unmapped); an inner node is the
 * pair [lower half, upper half]. Sibling leaves with the same ASN are always merged.
 */
export type AsmapTrie = number | [AsmapTrie, AsmapTrie];

/** Parses dotted IPv4 text into 4 bytes. */
export function parseIPv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AsmapError(`not an IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  parts.forEach((p, i) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new AsmapError(`not an IPv4 address: ${text}`);
    out[i] = Number(p);
  });
  return out;
}

/** Parses IPv6 text (with "::" compression and an optional trailing dotted IPv4) into 16 bytes. */
export function parseIPv6(text: string): Uint8Array {
  const fail = (): never => {
    throw new AsmapError(`not an IPv6 address: ${text}`);
  };
  const halves = text.split('::');
  if (halves.length > 2) fail();
  const toGroups = (s: string): number[] => {
    if (s === '') return [];
    const groups: number[] = [];
    const parts = s.split(':');
    parts.forEach((p, i) => {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) fail();
        groups.push(parseInt(p, 16));
      }
    });
    return groups;
  };
  const head = toGroups(halves[0]!);
  const tail = halves.length === 2 ? toGroups(halves[1]!) : [];
  let groups: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) fail();
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) fail();
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * A prefix as its leading bits in the 128-bit IPv6 form (one 0/1 per element). Host bits beyond
 * the prefix must be zero, as Python's ipaddress requires in asmap-tool.
 */
// Core: contrib/asmap/asmap.py net_to_prefix
export function prefixToBits(prefix: AsmapPrefix): Uint8Array {
  let bytes: Uint8Array;
  let bits: number;
  let label: string;
  if (typeof prefix === 'string') {
    label = prefix;
    const slash = prefix.indexOf('/');
    const addr = slash >= 0 ? prefix.slice(0, slash) : prefix;
    const isV6 = addr.includes(':');
    bytes = isV6 ? parseIPv6(addr) : parseIPv4(addr);
    const lenText = slash >= 0 ? prefix.slice(slash + 1) : String(bytes.length * 8);
    if (!/^\d{1,3}$/.test(lenText)) throw new AsmapError(`bad prefix length in ${prefix}`);
    bits = Number(lenText);
  } else {
    bytes = prefix.bytes;
    bits = prefix.bits;
    label = `${bytes.length}-byte prefix /${bits}`;
  }
  if (bytes.length !== 4 && bytes.length !== 16) throw new AsmapError(`${label}: address must be 4 or 16 bytes`);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) throw new AsmapError(`${label}: prefix length out of range`);
  let full = bytes;
  let total = bits;
  if (bytes.length === 4) {
    full = new Uint8Array(16);
    full.set(IPV4_IN_IPV6_PREFIX, 0);
    full.set(bytes, 12);
    total = bits + 96;
  }
  for (let i = total; i < 128; i++) {
    if ((full[i >>> 3]! >>> (7 - (i & 7))) & 1) throw new AsmapError(`${label} has host bits set`);
  }
  const out = new Uint8Array(total);
  for (let i = 0; i < total; i++) out[i] = (full[i >>> 3]! >>> (7 - (i & 7))) & 1;
  return out;
}

/** Sets `prefix` to `asn` below `node`, splitting leaves on the way and re-merging equal halves. */
// Core: contrib/asmap/asmap.py ASMap.update
function trieUpdate(node: AsmapTrie, prefix: Uint8Array, offset: number, asn: number): AsmapTrie {
  if (offset === prefix.length) return asn;
  let lower: AsmapTrie;
  let upper: AsmapTrie;
  if (typeof node === 'number') {
    lower = node;
    upper = node;
  } else {
    [lower, upper] = node;
  }
  if (prefix[offset]) upper = trieUpdate(upper, prefix, offset + 1, asn);
  else lower = trieUpdate(lower, prefix, offset + 1, asn);
  if (typeof lower === 'number' && lower === upper) return lower;
  return [lower, upper];
}

function compareBits(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Builds the trie from a table. Shorter prefixes are applied first so longer ones override them
 * (longest-prefix match); among equal prefixes the order is by bits then ASN, so the largest ASN
 * given for one exact prefix wins.
 */
// Core: contrib/asmap/asmap.py ASMap.__init__
export function buildAsmapTrie(entries: readonly AsmapEntry[]): AsmapTrie {
  const parsed = entries.map((e) => {
    if (!Number.isInteger(e.asn) || e.asn < 0 || e.asn > ASMAP_MAX_ASN) {
      throw new AsmapError(`ASN ${e.asn} cannot be encoded (1..${ASMAP_MAX_ASN}, or 0 for unmapped)`);
    }
    return { bits: prefixToBits(e.prefix), asn: e.asn };
  });
  parsed.sort((x, y) => x.bits.length - y.bits.length || compareBits(x.bits, y.bits) || x.asn - y.asn);
  let trie: AsmapTrie = 0;
  for (const e of parsed) trie = trieUpdate(trie, e.bits, 0, e.asn);
  return trie;
}

/** Looks a full 128-bit address (16 bytes) up in a trie: the reference the encoder is tested against. */
// Core: contrib/asmap/asmap.py ASMap.lookup
export function trieLookup(trie: AsmapTrie, ip16: Uint8Array): number {
  let node = trie;
  let i = 0;
  while (typeof node !== 'number') {
    node = node[(ip16[i >>> 3]! >>> (7 - (i & 7))) & 1]!;
    i++;
  }
  return node;
}

/** The trie as non-overlapping (prefix bits, ASN) pairs, unmapped ranges omitted, in address order. */
// Core: contrib/asmap/asmap.py ASMap._to_entries_flat (fill=false)
export function trieToEntries(trie: AsmapTrie): { bits: Uint8Array; asn: number }[] {
  const out: { bits: Uint8Array; asn: number }[] = [];
  const path: number[] = [];
  const walk = (node: AsmapTrie): void => {
    if (typeof node === 'number') {
      if (node > 0) out.push({ bits: Uint8Array.from(path), asn: node });
      return;
    }
    path.push(0);
    walk(node[0]);
    path[path.length - 1] = 1;
    walk(node[1]);
    path.pop();
  };
  walk(trie);
  return out;
}

/** Formats prefix bits (in the IPv6 form) as CIDR text, IPv4 when inside ::ffff:0:0/96. */
// Core: contrib/asmap/asmap.py prefix_to_net
export function bitsToCidr(bits: Uint8Array): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < bits.length; i++) if (bits[i]) bytes[i >>> 3]! |= 0x80 >>> (i & 7);
  if (bits.length >= 96 && isIPv4Mapped(bytes)) {
    return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}/${bits.length - 96}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  // Compress the longest run of zero groups (length >= 2), leftmost on ties, as RFC 5952 does.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text =
    bestStart < 0
      ? groups.join(':')
      : `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
  return `${text}/${bits.length}`;
}

// Encoder program nodes. END is not an instruction: it stands for "fail here", which becomes a
// real return of the default ASN once a DEFAULT (or a RETURN) is placed above it.
const END = 4;

/** The varint coders of the binary format, for computing and writing encodings. */
// Core: contrib/asmap/asmap.py _VarLenCoder
class VarLenCoder {
  private readonly maxval: number;
  constructor(
    private readonly minval: number,
    private readonly clsbits: readonly number[],
  ) {
    this.maxval = minval + clsbits.reduce((s, b) => s + 2 ** b, 0) - 1;
  }

  // Core: contrib/asmap/asmap.py _VarLenCoder.encode
  encode(value: number, out: number[]): void {
    if (!(value >= this.minval && value <= this.maxval)) throw new AsmapError(`value ${value} outside the coder's range`);
    let val = value - this.minval;
    let bits = 0;
    for (let k = 0; k < this.clsbits.length; k++) {
      bits = this.clsbits[k]!;
      if (val >= 2 ** bits) {
        val -= 2 ** bits;
        out.push(1);
      } else {
        if (k + 1 < this.clsbits.length) out.push(0);
        break;
      }
    }
    for (let b = 0; b < bits; b++) out.push(Math.floor(val / 2 ** (bits - 1 - b)) & 1);
  }

  // Core: contrib/asmap/asmap.py _VarLenCoder.encode_size
  encodeSize(value: number): number {
    if (!(value >= this.minval && value <= this.maxval)) throw new AsmapError(`value ${value} outside the coder's range`);
    let val = value - this.minval;
    let ret = 0;
    let bits = 0;
    for (let k = 0; k < this.clsbits.length; k++) {
      bits = this.clsbits[k]!;
      if (val >= 2 ** bits) {
        val -= 2 ** bits;
        ret += 1;
      } else {
        if (k + 1 < this.clsbits.length) ret += 1;
        break;
      }
    }
    return ret + bits;
  }
}

const CODER_INS = new VarLenCoder(0, TYPE_BIT_SIZES);
const CODER_ASN = new VarLenCoder(1, ASN_BIT_SIZES);
const CODER_MATCH = new VarLenCoder(2, MATCH_BIT_SIZES);
const CODER_JUMP = new VarLenCoder(17, JUMP_BIT_SIZES);

/** One node of an encodable program, with its encoded size in bits. */
// Core: contrib/asmap/asmap.py _BinNode
class BinNode {
  readonly size: number;
  constructor(
    readonly ins: number,
    /** RETURN/DEFAULT: the ASN; MATCH: the match value; JUMP/END: unused. */
    readonly val: number,
    /** JUMP: the 0-branch; MATCH/DEFAULT: the continuation. */
    readonly a: BinNode | null,
    /** JUMP: the 1-branch. */
    readonly b: BinNode | null,
  ) {
    switch (ins) {
      case RETURN:
        this.size = CODER_INS.encodeSize(RETURN) + CODER_ASN.encodeSize(val);
        break;
      case JUMP:
        this.size = CODER_INS.encodeSize(JUMP) + CODER_JUMP.encodeSize(a!.size) + a!.size + b!.size;
        break;
      case DEFAULT:
        this.size = CODER_INS.encodeSize(DEFAULT) + CODER_ASN.encodeSize(val) + a!.size;
        break;
      case MATCH:
        this.size = CODER_INS.encodeSize(MATCH) + CODER_MATCH.encodeSize(val) + a!.size;
        break;
      default:
        this.size = 0;
    }
  }

  static end(): BinNode {
    return new BinNode(END, 0, null, null);
  }

  static leaf(asn: number): BinNode {
    return new BinNode(RETURN, asn, null, null);
  }

  /** Run node0 or node1 on the next input bit, using the cheapest of JUMP, MATCH or END. */
  // Core: contrib/asmap/asmap.py _BinNode.make_branch
  static branch(node0: BinNode, node1: BinNode): BinNode {
    if (node0.ins === END && node1.ins === END) return node0;
    if (node0.ins === END) {
      // Only the 1-side continues: a MATCH on bit 1, folded into a following MATCH when it fits.
      if (node1.ins === MATCH && node1.val <= 0xff) return new BinNode(MATCH, node1.val + 2 ** bitWidth32(node1.val), node1.a, null);
      return new BinNode(MATCH, 3, node1, null);
    }
    if (node1.ins === END) {
      if (node0.ins === MATCH && node0.val <= 0xff) return new BinNode(MATCH, node0.val + 2 ** (bitWidth32(node0.val) - 1), node0.a, null);
      return new BinNode(MATCH, 2, node0, null);
    }
    return new BinNode(JUMP, 0, node0, node1);
  }

  /** `sub` with failures returning `asn`: a DEFAULT, or just a RETURN when sub is empty. */
  // Core: contrib/asmap/asmap.py _BinNode.make_default
  static withDefault(asn: number, sub: BinNode): BinNode {
    if (sub.ins === END) return BinNode.leaf(asn);
    if (sub.ins === RETURN || sub.ins === DEFAULT) return sub;
    return new BinNode(DEFAULT, asn, sub, null);
  }
}

/** Context key: the ASN a failure would return in that context, or null for "no context needed". */
type Ctx = number | null;

/**
 * Picks, for every subtree and every possible default-ASN context, the smallest program, exactly
 * as asmap.py does (same candidate order and strict-improvement tie rule, so equal inputs give
 * byte-identical outputs).
 */
// Core: contrib/asmap/asmap.py ASMap._to_binnode
function trieToBinNode(trie: AsmapTrie, fill: boolean): BinNode {
  const recurse = (node: AsmapTrie): [Map<Ctx, BinNode>, boolean] => {
    if (typeof node === 'number') {
      if (node === 0) return [new Map<Ctx, BinNode>([[fill ? null : 0, BinNode.end()]]), true];
      return [
        new Map<Ctx, BinNode>([
          [null, BinNode.leaf(node)],
          [node, BinNode.end()],
        ]),
        false,
      ];
    }
    let ret = new Map<Ctx, BinNode>();
    const [left, lhole] = recurse(node[0]);
    const [right, rhole] = recurse(node[1]);
    const hole = (lhole || rhole) && !fill;
    const candidate = (ctx: Ctx, cand: BinNode): void => {
      const cur = ret.get(ctx);
      if (cur === undefined || cand.size < cur.size) ret.set(ctx, cand);
    };
    const union = new Set<Ctx>([...left.keys(), ...right.keys()]);
    // Numbers ascending, then null (Python: sorted by (x is None, x)).
    const sortedUnion = [...union].sort((x, y) => (x === null ? 1 : 0) - (y === null ? 1 : 0) || (x ?? 0) - (y ?? 0));
    for (const ctx of sortedUnion) {
      const l = left.get(ctx);
      const r = right.get(ctx);
      const lNone = left.get(null);
      const rNone = right.get(null);
      if (l !== undefined && r !== undefined) candidate(ctx, BinNode.branch(l, r));
      if (lNone !== undefined && r !== undefined) candidate(ctx, BinNode.branch(lNone, r));
      if (l !== undefined && rNone !== undefined) candidate(ctx, BinNode.branch(l, rNone));
    }
    if (!hole) {
      const ctxs = [...ret.keys()].filter((c): c is number => c !== null).sort((x, y) => x - y);
      for (const ctx of ctxs) candidate(null, BinNode.withDefault(ctx, ret.get(ctx)!));
    }
    const none = ret.get(null);
    if (none !== undefined) {
      const filtered = new Map<Ctx, BinNode>();
      for (const [ctx, enc] of ret) if (ctx === null || enc.size < none.size) filtered.set(ctx, enc);
      ret = filtered;
    }
    if (hole) {
      const filtered = new Map<Ctx, BinNode>();
      for (const [ctx, enc] of ret) if (ctx === null || ctx === 0) filtered.set(ctx, enc);
      ret = filtered;
    }
    return [ret, hole];
  };
  const [res] = recurse(trie);
  return res.get(0) ?? res.get(null)!;
}

/** Serialises a trie to Core's binary asmap format (bits packed least significant first). */
// Core: contrib/asmap/asmap.py ASMap.to_binary
export function encodeAsmapTrie(trie: AsmapTrie, fill = false): Uint8Array {
  const bits: number[] = [];
  const emit = (node: BinNode): void => {
    CODER_INS.encode(node.ins, bits);
    if (node.ins === RETURN) {
      CODER_ASN.encode(node.val, bits);
    } else if (node.ins === JUMP) {
      CODER_JUMP.encode(node.a!.size, bits);
      emit(node.a!);
      emit(node.b!);
    } else if (node.ins === DEFAULT) {
      CODER_ASN.encode(node.val, bits);
      emit(node.a!);
    } else {
      CODER_MATCH.encode(node.val, bits);
      emit(node.a!);
    }
  };
  const root = trieToBinNode(trie, fill);
  if (root.ins !== END) emit(root);
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

/**
 * Encodes a prefix→ASN table into Core's binary asmap format, as `asmap-tool.py encode` would.
 * With `fill`, unmapped ranges may be given any ASN when that shortens the encoding (asmap-tool's
 * --fill); without it, unmapped addresses stay unmapped. An all-unmapped table gives empty data,
 * which Core's loader rejects: check the result with checkStandardAsmap before handing it out.
 */
// Core: contrib/asmap/asmap.py ASMap(entries).to_binary(fill)
export function encodeAsmap(entries: readonly AsmapEntry[], options: { fill?: boolean } = {}): Uint8Array {
  return encodeAsmapTrie(buildAsmapTrie(entries), options.fill ?? false);
}

/**
 * Decodes binary asmap data back into a trie (for listing or re-encoding), or throws AsmapError on
 * data the Python tool would reject (inconsistent jumps, truncation, non-zero or excess padding).
 */
// Core: contrib/asmap/asmap.py ASMap.from_binary and ASMap._from_binnode
export function decodeAsmapToTrie(data: Uint8Array): AsmapTrie {
  if (data.length === 0) return 0;
  const endBits = data.length * 8;
  const cur: Cursor = { pos: 0 };
  const need = (v: number): number => {
    if (v === INVALID) throw new AsmapError('asmap data truncated');
    return v;
  };
  const recurse = (deflt: number): AsmapTrie => {
    const ins = need(decodeType(cur, data));
    if (ins === RETURN) return need(decodeASN(cur, data));
    if (ins === JUMP) {
      const jump = need(decodeJump(cur, data));
      const start = cur.pos;
      const left = recurse(deflt);
      if (cur.pos !== start + jump) throw new AsmapError('inconsistent jump in asmap data');
      const right = recurse(deflt);
      return normalize([left, right]);
    }
    if (ins === MATCH) {
      let val = need(decodeMatch(cur, data));
      let sub = recurse(deflt);
      // Rebuild the matched path from its last bit upward; the other side of each bit fails to the default.
      while (val >= 2) {
        const bit = val & 1;
        val >>>= 1;
        sub = normalize(bit ? [deflt, sub] : [sub, deflt]);
      }
      return sub;
    }
    const asn = need(decodeASN(cur, data));
    return recurse(asn);
  };
  const trie = recurse(0);
  if (cur.pos < endBits - 7) throw new AsmapError('excess data after the asmap program');
  while (cur.pos < endBits) if (consumeBitLE(cur, data)) throw new AsmapError('non-zero padding after the asmap program');
  return trie;
}

/** Merges a pair of equal leaves into one leaf (the trie's canonical form). */
// Core: contrib/asmap/asmap.py ASMap._set_trie (per node)
function normalize(node: [AsmapTrie, AsmapTrie]): AsmapTrie {
  const [a, b] = node;
  if (typeof a === 'number' && a === b) return a;
  return node;
}
