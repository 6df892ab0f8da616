// Per-node random streams for the port: each simulated node's connman draws from Core's own
// FastRandomContext (ChaCha20), keyed with 32 bytes taken from the simulation's root stream forked
// by the node's label, so that the node reproduces Core's draw sequence exactly and adding a node
// (or an attacker) never shifts another node's draws. It does not hold the sim's own streams.

import { FastRandomContext } from '../../connman/util/random.ts';
import type { Rng as SimRng } from '../../sim/index.ts';

/** The fork label of a node's connman stream. */
export function connmanStreamLabel(nodeId: number): string {
  return `node/${nodeId}/connman`;
}

/** 32 bytes from a sim stream (eight 32-bit draws, little-endian). */
export function seedBytes(stream: SimRng): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(4 * i, stream.uint32(), true);
  return out;
}

/**
 * The connman Rng of node `nodeId`: a FastRandomContext keyed from `root.fork('node/<id>/connman')`.
 * `generation` distinguishes restarts of the same node (0 for the first start), so that a restarted
 * node does not replay its previous life's draws (a restarted Core gets fresh entropy too).
 */
export function connmanRngFor(root: SimRng, nodeId: number, generation = 0): FastRandomContext {
  const stream = root.fork(connmanStreamLabel(nodeId));
  const s = generation === 0 ? stream : stream.fork(`restart/${generation}`);
  return new FastRandomContext(seedBytes(s));
}
