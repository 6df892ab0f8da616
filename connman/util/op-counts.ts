// Counts of Core-level operations for the benchmark's floor meter (bench/floor.ts): how many
// SipHash keys, SHA-256 blocks, bloom-filter operations, AddrMan calls, relay candidates scanned,
// address-selection tries and peers.dat rows a run did. One process-wide array of plain counters
// that the hot paths bump and nothing in the simulation reads: the counts never feed back into a
// decision, so they cannot change a digest. Counters only grow; the meter reads them before and
// after a run. Not part of Core.

/** Index of each counter in OP_COUNTS. */
export const Op = {
  /** SipHash-2-4 finalizations (CSipHasher::Finalize and its variants). */
  sipKey: 0,
  /** SHA-256 compression-function calls (64-byte blocks), any caller. */
  shaBlock: 1,
  /** Rolling-bloom operations: insert, contains, contains-then-insert (each hashes the key nHashFuncs times). */
  bloomOp: 2,
  /** Rolling-bloom generation rolls (each rewrites the whole filter). */
  bloomRoll: 3,
  /** RelayAddress calls that scanned candidates. */
  relayCall: 4,
  /** Relay candidates ranked by their SipHash key (summed over RelayAddress calls). */
  relayScan: 5,
  /** Address entries in ADDR / ADDRV2 messages received. */
  addrReceived: 6,
  /** Address entries in ADDR / ADDRV2 messages sent. */
  addrSent: 7,
  /** Addresses offered to AddrMan::Add. */
  amAdd: 8,
  /** AddrMan::Good calls. */
  amGood: 9,
  /** AddrMan::Attempt calls. */
  amAttempt: 10,
  /** AddrMan::Connected calls. */
  amConnected: 11,
  /** AddrMan::Select calls. */
  amSelect: 12,
  /** AddrMan::SelectTriedCollision calls. */
  amSelectCollision: 13,
  /** AddrMan::ResolveCollisions calls. */
  amResolve: 14,
  /** Addresses returned by AddrMan::GetAddr. */
  amGetAddr: 15,
  /** AddrMan::SetServices calls. */
  amSetServices: 16,
  /** Tries of ThreadOpenConnections' address-selection loop (each one Select or an anchor). */
  selectTry: 17,
  /** Outbound connection attempts (OpenNetworkConnection reaching ConnectNode). */
  connAttempt: 18,
  /** peers.dat dumps (DumpAddresses): serialized, or captured to be serialized when read. */
  dump: 19,
  /** AddrMan rows serialized into peers.dat, or copied into a dump's image. */
  dumpRow: 20,
  /** ChaCha20 blocks drawn by FastRandomContext. */
  rngBlock: 21,
  /** Node snapshots taken by the metrics recorder (one per running node per sample). */
  nodeSample: 22,
  /** Nodes visited by the invariant checks (one per running node per check). */
  invariantNode: 23,
  /** Connman events recorded (folded into the digest). */
  eventRecorded: 24,
} as const;

export type OpName = keyof typeof Op;

const COUNT = Object.keys(Op).length;

/** The counters, indexed by Op. Bumped in place (`OP_COUNTS[Op.sipKey]++`); doubles stay exact to 2^53. */
export const OP_COUNTS = new Float64Array(COUNT);

/** A copy of every counter by name. */
export function snapshotOpCounts(): Record<OpName, number> {
  const out = {} as Record<OpName, number>;
  for (const name of Object.keys(Op) as OpName[]) out[name] = OP_COUNTS[Op[name]]!;
  return out;
}
