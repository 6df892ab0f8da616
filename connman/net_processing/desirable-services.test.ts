// Tests of the desirable-service rule: Core's peerman_tests.cpp connections_desirable_service_flags
// ported step by step (the PeerManager's best-block time and the mock clock become arguments), plus
// the boundaries of the 144-block window and HasAllDesirableServiceFlags.
import { describe, expect, it } from 'vitest';
import {
  NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS,
  POW_TARGET_SPACING_SECONDS,
  approximateBestBlockDepth,
  getDesirableServiceFlags,
  hasAllDesirableServiceFlags,
} from './desirable-services.ts';
import { NODE_BLOOM, NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_NONE, NODE_P2P_V2, NODE_WITNESS } from '../protocol/protocol.ts';

const FULL = NODE_NETWORK | NODE_WITNESS;
const LIMITED = NODE_NETWORK_LIMITED | NODE_WITNESS;
const SPACING = POW_TARGET_SPACING_SECONDS;
/** Regtest genesis timestamp, the tip of a fresh regtest chain in Core's test. */
const TIP = 1296688602;

describe('connections_desirable_service_flags (peerman_tests.cpp)', () => {
  it('follows the node through the steps of Core\'s test', () => {
    const peer = NODE_WITNESS | NODE_NETWORK_LIMITED;
    expect(NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS).toBe(144);

    // A fresh PeerManager does not know the best block (time 0): full nodes are required.
    let now = TIP + 1;
    let best = 0;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(FULL);

    // Told the tip, with the clock at tip time + 1 s: limited peers are fine.
    best = TIP;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(LIMITED);

    // 143 block intervals behind: still within the window.
    now += SPACING * (NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS - 1);
    expect(getDesirableServiceFlags(peer, now, best)).toBe(LIMITED);

    // Two more intervals (145 behind): full nodes again.
    now += SPACING * 2;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(FULL);

    // A new block with an old timestamp (tip + 1 s) does not help.
    best = TIP + 1;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(FULL);

    // A new block stamped now does.
    best = now;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(LIMITED);

    // 144 intervals and a second without blocks: full nodes again.
    now += SPACING * NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS + 1;
    expect(getDesirableServiceFlags(peer, now, best)).toBe(FULL);
  });
});

describe('GetDesirableServiceFlags', () => {
  it('the window is 143 whole intervals: depth 144 already needs full nodes', () => {
    const peer = NODE_NETWORK_LIMITED;
    expect(getDesirableServiceFlags(peer, TIP + 144 * SPACING - 1, TIP)).toBe(LIMITED);
    expect(getDesirableServiceFlags(peer, TIP + 144 * SPACING, TIP)).toBe(FULL);
  });

  it('peers without NODE_NETWORK_LIMITED always need NODE_NETWORK|NODE_WITNESS', () => {
    for (const s of [NODE_NONE, NODE_NETWORK, NODE_WITNESS, FULL, NODE_BLOOM | NODE_P2P_V2]) {
      expect(getDesirableServiceFlags(s, TIP + 1, TIP)).toBe(FULL);
      expect(getDesirableServiceFlags(s, TIP + 10_000_000, TIP)).toBe(FULL);
    }
  });

  it('a tip stamped in the future counts as close (C++ division truncates toward zero)', () => {
    expect(approximateBestBlockDepth(TIP, TIP + 7200)).toBe(-12);
    expect(approximateBestBlockDepth(TIP, TIP + 599)).toBe(0);
    expect(approximateBestBlockDepth(TIP + 1199, TIP)).toBe(1);
    expect(getDesirableServiceFlags(NODE_NETWORK_LIMITED, TIP, TIP + 7200)).toBe(LIMITED);
  });
});

describe('HasAllDesirableServiceFlags', () => {
  it('needs every desirable bit', () => {
    const near = [TIP + 60, TIP] as const;
    const far = [TIP + 200 * SPACING, TIP] as const;
    expect(hasAllDesirableServiceFlags(NODE_NETWORK_LIMITED | NODE_WITNESS, ...near)).toBe(true);
    expect(hasAllDesirableServiceFlags(NODE_NETWORK_LIMITED | NODE_WITNESS, ...far)).toBe(false);
    expect(hasAllDesirableServiceFlags(NODE_NETWORK_LIMITED, ...near)).toBe(false);
    expect(hasAllDesirableServiceFlags(NODE_NETWORK | NODE_WITNESS, ...far)).toBe(true);
    expect(hasAllDesirableServiceFlags(NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED, ...far)).toBe(true);
    expect(hasAllDesirableServiceFlags(NODE_NETWORK, ...far)).toBe(false);
    expect(hasAllDesirableServiceFlags(NODE_WITNESS, ...near)).toBe(false);
    expect(hasAllDesirableServiceFlags(NODE_NONE, ...near)).toBe(false);
  });

  it('works with flags above bit 31 (held as exact numbers)', () => {
    const high = 2 ** 40 + NODE_NETWORK + NODE_WITNESS;
    expect(hasAllDesirableServiceFlags(high, TIP + 200 * SPACING, TIP)).toBe(true);
    expect(hasAllDesirableServiceFlags(2 ** 40 + NODE_WITNESS, TIP + 200 * SPACING, TIP)).toBe(false);
  });
});
