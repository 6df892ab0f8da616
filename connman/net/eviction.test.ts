// Tests of inbound eviction: Core's net_peer_eviction_tests.cpp ported case by case
// (peer_protection_test: all 32 ProtectEvictionCandidatesByRatio scenarios; peer_eviction_test:
// the SelectNodeToEvict properties for n = 0..199), plus the cases Core leaves untested
// (prefer_evict, the final netgroup choice) and the total-order guarantees of this port.
import { describe, expect, it } from 'vitest';
import { ConnectionType } from '../protocol/connection-types.ts';
import {
  compareNodeBlockRelayOnlyTime,
  eraseLastKElements,
  protectEvictionCandidatesByRatio,
  selectNodeToEvict,
  MIN_PING_TIME_UNSET,
  type NodeEvictionCandidate,
} from './eviction.ts';
import { Network } from '../protocol/netaddress.ts';
import { FastRandomContext } from '../util/random.ts';

// Random candidates come from Core's own generator: FastRandomContext(true) is Core's deterministic
// context (zero key) and its shuffle() is libstdc++'s std::shuffle, so the "Core stream" tests below
// draw exactly the candidates and permutations Core's test draws. Extra repetitions use other seeds.

function seededRng(seed: number): FastRandomContext {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, seed, true);
  key[31] = 0xe5; // keep clear of the all-zero deterministic key
  return new FastRandomContext(key);
}

const SECOND = 1_000_000;

const ALL_NETWORKS: readonly Network[] = [
  Network.NET_UNROUTABLE,
  Network.NET_IPV4,
  Network.NET_IPV6,
  Network.NET_ONION,
  Network.NET_I2P,
  Network.NET_CJDNS,
  Network.NET_INTERNAL,
];

/** Port of Core's test/util/net.cpp GetRandomNodeEvictionCandidates (same fields, same draw order). */
function getRandomNodeEvictionCandidates(n: number, rng: FastRandomContext): NodeEvictionCandidate[] {
  const out: NodeEvictionCandidate[] = [];
  for (let id = 0; id < n; id++) {
    out.push({
      id,
      connectedMicros: rng.randrange(100) * SECOND,
      minPingTimeMicros: rng.randrange(100),
      lastBlockTimeSeconds: rng.randrange(100),
      lastTxTimeSeconds: rng.randrange(100),
      relevantServices: rng.randbool(),
      relayTxs: rng.randbool(),
      bloomFilter: rng.randbool(),
      keyedNetGroup: BigInt(rng.randrange(100)),
      preferEvict: rng.randbool(),
      isLocal: rng.randbool(),
      network: ALL_NETWORKS[rng.randrange(ALL_NETWORKS.length)]!,
      noban: false,
      connType: ConnectionType.INBOUND,
    });
  }
  return out;
}

function shuffle<T>(items: T[], rng: FastRandomContext): void {
  rng.shuffle(items);
}

function candidate(id: number, over: Partial<NodeEvictionCandidate> = {}): NodeEvictionCandidate {
  return {
    id,
    connectedMicros: id * SECOND,
    minPingTimeMicros: MIN_PING_TIME_UNSET,
    lastBlockTimeSeconds: 0,
    lastTxTimeSeconds: 0,
    relevantServices: false,
    relayTxs: true,
    bloomFilter: false,
    keyedNetGroup: BigInt(id),
    preferEvict: false,
    isLocal: false,
    network: Network.NET_IPV4,
    noban: false,
    connType: ConnectionType.INBOUND,
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------
// peer_protection_test

interface RatioCase {
  name: string;
  n: number;
  setup: (c: NodeEvictionCandidate) => void;
  protectedIds: number[];
  unprotectedIds: number[];
  /** Whether m_connected = id, so the complete protected set is exactly `protectedIds` padded below. */
  fullProtected?: number[];
}

const byId = (c: NodeEvictionCandidate): void => {
  c.connectedMicros = c.id * SECOND;
};
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const net = (c: NodeEvictionCandidate, pairs: [Network, (id: number) => boolean][], otherwise: Network): void => {
  for (const [n, pred] of pairs) {
    if (pred(c.id)) {
      c.network = n;
      return;
    }
  }
  c.network = otherwise;
};
const { NET_IPV4, NET_IPV6, NET_ONION, NET_I2P, NET_CJDNS } = Network;

const RATIO_CASES: RatioCase[] = [
  {
    name: '01 12 IPv4 peers by uptime: the 6 oldest protected',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = false; c.network = NET_IPV4; },
    protectedIds: range(0, 5),
    unprotectedIds: range(6, 11),
  },
  {
    name: '02 12 IPv6 peers, reversed uptime: the 6 highest ids protected',
    n: 12,
    setup: (c) => { c.connectedMicros = (12 - c.id) * SECOND; c.isLocal = false; c.network = NET_IPV6; },
    protectedIds: range(6, 11),
    unprotectedIds: range(0, 5),
  },
  {
    name: '03 3 onion of 12, random uptime: all onion protected',
    n: 12,
    setup: (c) => { c.isLocal = false; net(c, [[NET_ONION, (i) => i === 3 || i === 8 || i === 9]], NET_IPV4); },
    protectedIds: [3, 8, 9],
    unprotectedIds: [],
  },
  {
    name: '04 onion 3 and >7 of 12: 1/4 onion plus 1/4 oldest',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = false; net(c, [[NET_ONION, (i) => i === 3 || i > 7]], NET_IPV6); },
    protectedIds: [0, 1, 2, 3, 8, 9],
    unprotectedIds: [4, 5, 6, 7, 10, 11],
  },
  {
    name: '05 3 localhost of 12, random uptime: all localhost protected',
    n: 12,
    setup: (c) => { c.isLocal = c.id === 1 || c.id === 9 || c.id === 11; c.network = NET_IPV4; },
    protectedIds: [1, 9, 11],
    unprotectedIds: [],
  },
  {
    name: '06 localhost >6 of 12: 1/4 localhost plus 1/4 oldest',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = c.id > 6; c.network = NET_IPV6; },
    protectedIds: [0, 1, 2, 7, 8, 9],
    unprotectedIds: [3, 4, 5, 6, 10, 11],
  },
  {
    name: '07 3 I2P of 12, random uptime: all I2P protected',
    n: 12,
    setup: (c) => { c.isLocal = false; net(c, [[NET_I2P, (i) => i === 2 || i === 7 || i === 10]], NET_IPV4); },
    protectedIds: [2, 7, 10],
    unprotectedIds: [],
  },
  {
    name: '08 I2P 4 and >8 of 12: 1/4 I2P plus 1/4 oldest',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = false; net(c, [[NET_I2P, (i) => i === 4 || i > 8]], NET_IPV6); },
    protectedIds: [0, 1, 2, 4, 9, 10],
    unprotectedIds: [3, 5, 6, 7, 8, 11],
  },
  {
    name: '09 3 CJDNS of 12, random uptime: all CJDNS protected',
    n: 12,
    setup: (c) => { c.isLocal = false; net(c, [[NET_CJDNS, (i) => i === 2 || i === 7 || i === 10]], NET_IPV4); },
    protectedIds: [2, 7, 10],
    unprotectedIds: [],
  },
  {
    name: '10 CJDNS 4 and >8 of 12: 1/4 CJDNS plus 1/4 oldest',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = false; net(c, [[NET_CJDNS, (i) => i === 4 || i > 8]], NET_IPV6); },
    protectedIds: [0, 1, 2, 4, 9, 10],
    unprotectedIds: [3, 5, 6, 7, 8, 11],
  },
  {
    name: '11 n=4, localhost id 4 (absent), onion 3: onion 3 and oldest 0 protected',
    n: 4,
    setup: (c) => { byId(c); c.isLocal = c.id === 4; net(c, [[NET_ONION, (i) => i === 3]], NET_IPV4); },
    protectedIds: [0, 4],
    unprotectedIds: [1, 2],
    fullProtected: [0, 3],
  },
  {
    name: '12 n=7, localhost 6, onion 5: stable tie-break gives localhost first',
    n: 7,
    setup: (c) => { byId(c); c.isLocal = c.id === 6; net(c, [[NET_ONION, (i) => i === 5]], NET_IPV4); },
    protectedIds: [0, 1, 6],
    unprotectedIds: [2, 3, 4, 5],
  },
  {
    name: '13 n=8, localhost 6, onion 5: one of each plus 2 oldest',
    n: 8,
    setup: (c) => { byId(c); c.isLocal = c.id === 6; net(c, [[NET_ONION, (i) => i === 5]], NET_IPV4); },
    protectedIds: [0, 1, 5, 6],
    unprotectedIds: [2, 3, 4, 7],
  },
  {
    name: '14 3 localhost and 3 onion of 12: 2 localhost, 1 onion, 3 oldest',
    n: 12,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 6 || c.id === 9 || c.id === 11;
      net(c, [[NET_ONION, (i) => i === 7 || i === 8 || i === 10]], NET_IPV6);
    },
    protectedIds: [0, 1, 2, 6, 7, 9],
    unprotectedIds: [3, 4, 5, 8, 10, 11],
  },
  {
    name: '15 4 localhost and 1 onion of 12: 2 localhost, 1 onion, 3 oldest',
    n: 12,
    setup: (c) => { byId(c); c.isLocal = c.id > 4 && c.id < 9; net(c, [[NET_ONION, (i) => i === 10]], NET_IPV4); },
    protectedIds: [0, 1, 2, 5, 6, 10],
    unprotectedIds: [3, 4, 7, 8, 9, 11],
  },
  {
    name: '16 4 localhost and 2 onion of 16: 2 of each plus 4 oldest',
    n: 16,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 6 || c.id === 9 || c.id === 11 || c.id === 12;
      net(c, [[NET_ONION, (i) => i === 8 || i === 10]], NET_IPV6);
    },
    protectedIds: [0, 1, 2, 3, 6, 8, 9, 10],
    unprotectedIds: [4, 5, 7, 11, 12, 13, 14, 15],
  },
  {
    name: '17 5 localhost and 1 onion of 16: localhost recovers the unused onion slot',
    n: 16,
    setup: (c) => { byId(c); c.isLocal = c.id > 10; net(c, [[NET_ONION, (i) => i === 10]], NET_IPV4); },
    protectedIds: [0, 1, 2, 3, 10, 11, 12, 13],
    unprotectedIds: [4, 5, 6, 7, 8, 9, 14, 15],
  },
  {
    name: '18 1 localhost and 4 onion of 16: onion recovers the unused localhost slot',
    n: 16,
    setup: (c) => { byId(c); c.isLocal = c.id === 15; net(c, [[NET_ONION, (i) => i > 6 && i < 11]], NET_IPV6); },
    protectedIds: [0, 1, 2, 3, 7, 8, 9, 15],
    unprotectedIds: [5, 6, 10, 11, 12, 13, 14],
  },
  {
    name: '19 2 onion and 4 I2P of 12: onion first for having fewer candidates',
    n: 12,
    setup: (c) => {
      byId(c);
      c.isLocal = false;
      net(c, [[NET_ONION, (i) => i === 8 || i === 10], [NET_I2P, (i) => [6, 9, 11, 12].includes(i)]], NET_IPV4);
    },
    protectedIds: [0, 1, 2, 6, 8, 10],
    unprotectedIds: [3, 4, 5, 7, 9, 11],
  },
  {
    name: '20 n=4, localhost 2, I2P 3, onion 1: I2P wins the array-order tie',
    n: 4,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 2;
      net(c, [[NET_I2P, (i) => i === 3], [NET_ONION, (i) => i === 1]], NET_IPV6);
    },
    protectedIds: [0, 3],
    unprotectedIds: [1, 2],
  },
  {
    name: '21 n=7, localhost 4, I2P 6, onion 5: I2P plus 2 oldest',
    n: 7,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 4;
      net(c, [[NET_I2P, (i) => i === 6], [NET_ONION, (i) => i === 5]], NET_IPV6);
    },
    protectedIds: [0, 1, 6],
    unprotectedIds: [2, 3, 4, 5],
  },
  {
    name: '22 n=8, localhost 6, I2P 5, onion 4: I2P then localhost',
    n: 8,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 6;
      net(c, [[NET_I2P, (i) => i === 5], [NET_ONION, (i) => i === 4]], NET_IPV6);
    },
    protectedIds: [0, 1, 5, 6],
    unprotectedIds: [2, 3, 4, 7],
  },
  {
    name: '23 4 localhost, 2 I2P, 2 onion of 16',
    n: 16,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 6 || c.id > 11;
      net(c, [[NET_I2P, (i) => i === 7 || i === 11], [NET_ONION, (i) => i === 9 || i === 10]], NET_IPV4);
    },
    protectedIds: [0, 1, 2, 3, 6, 7, 9, 11],
    unprotectedIds: [4, 5, 8, 10, 12, 13, 14, 15],
  },
  {
    name: '24 1 localhost, 8 I2P, 1 onion of 24: I2P takes 4 slots',
    n: 24,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 12;
      net(c, [[NET_I2P, (i) => i > 14 && i < 23], [NET_ONION, (i) => i === 23]], NET_IPV6);
    },
    protectedIds: [0, 1, 2, 3, 4, 5, 12, 15, 16, 17, 18, 23],
    unprotectedIds: [6, 7, 8, 9, 10, 11, 13, 14, 19, 20, 21, 22],
  },
  {
    name: '25 1 localhost, 3 I2P, 6 onion of 24: I2P gets the unused localhost slot',
    n: 24,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 15;
      net(c, [[NET_I2P, (i) => i === 12 || i === 14 || i === 17], [NET_ONION, (i) => i > 17]], NET_IPV4);
    },
    protectedIds: [0, 1, 2, 3, 4, 5, 12, 14, 15, 17, 18, 19],
    unprotectedIds: [6, 7, 8, 9, 10, 11, 13, 16, 20, 21, 22, 23],
  },
  {
    name: '26 1 localhost, 7 I2P, 4 onion of 24',
    n: 24,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 13;
      net(c, [[NET_I2P, (i) => i > 16], [NET_ONION, (i) => [12, 14, 15, 16].includes(i)]], NET_IPV6);
    },
    protectedIds: [0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 17, 18],
    unprotectedIds: [6, 7, 8, 9, 10, 11, 16, 19, 20, 21, 22, 23],
  },
  {
    name: '27 8 localhost, 4 CJDNS, 3 onion of 24: 2 of each',
    n: 24,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id > 15;
      net(c, [[NET_CJDNS, (i) => i > 10 && i < 15], [NET_ONION, (i) => i > 6 && i < 10]], NET_IPV4);
    },
    protectedIds: [0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 16, 17],
    unprotectedIds: [6, 9, 10, 13, 14, 15, 18, 19, 20, 21, 22, 23],
  },
  {
    name: '28 n=5, one each of CJDNS, I2P, localhost, onion: CJDNS wins the tie',
    n: 5,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 3;
      net(c, [[NET_CJDNS, (i) => i === 4], [NET_I2P, (i) => i === 1], [NET_ONION, (i) => i === 2]], NET_IPV6);
    },
    protectedIds: [0, 4],
    unprotectedIds: [1, 2, 3],
  },
  {
    name: '29 n=7, one each of CJDNS, I2P, localhost, onion: CJDNS plus 2 oldest',
    n: 7,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 4;
      net(c, [[NET_CJDNS, (i) => i === 6], [NET_I2P, (i) => i === 5], [NET_ONION, (i) => i === 3]], NET_IPV4);
    },
    protectedIds: [0, 1, 6],
    unprotectedIds: [2, 3, 4, 5],
  },
  {
    name: '30 n=8, one each of CJDNS, I2P, localhost+onion: CJDNS and I2P',
    n: 8,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 3;
      net(c, [[NET_CJDNS, (i) => i === 5], [NET_I2P, (i) => i === 6], [NET_ONION, (i) => i === 3]], NET_IPV6);
    },
    protectedIds: [0, 1, 5, 6],
    unprotectedIds: [2, 3, 4, 7],
  },
  {
    name: '31 2 CJDNS, 2 I2P, 4 localhost, 2 onion of 16: one of each',
    n: 16,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id > 5;
      net(
        c,
        [
          [NET_CJDNS, (i) => i === 11 || i === 15],
          [NET_I2P, (i) => i === 10 || i === 14],
          [NET_ONION, (i) => i === 8 || i === 9],
        ],
        NET_IPV4,
      );
    },
    protectedIds: [0, 1, 2, 3, 6, 8, 10, 11],
    unprotectedIds: [4, 5, 7, 9, 12, 13, 14, 15],
  },
  {
    name: '32 6 CJDNS, 1 I2P, 1 localhost, 4 onion of 24',
    n: 24,
    setup: (c) => {
      byId(c);
      c.isLocal = c.id === 13;
      net(
        c,
        [
          [NET_CJDNS, (i) => i > 17],
          [NET_I2P, (i) => i === 17],
          [NET_ONION, (i) => [12, 14, 15, 16].includes(i)],
        ],
        NET_IPV6,
      );
    },
    protectedIds: [0, 1, 2, 3, 4, 5, 12, 13, 14, 17, 18, 19],
    unprotectedIds: [6, 7, 8, 9, 10, 11, 15, 16, 20, 21, 22, 23],
  },
];

/** Cases whose uptime is random in Core's test (no deterministic full protected set). */
const RANDOM_UPTIME_CASES = new Set(['03', '05', '07', '09']);

/** One IsProtected run (Core's helper): draw, set up, shuffle, protect, check. */
function checkRatioCase(tc: RatioCase, rng: FastRandomContext): void {
  const candidates = getRandomNodeEvictionCandidates(tc.n, rng);
  for (const c of candidates) tc.setup(c);
  shuffle(candidates, rng);
  const snapshot = candidates.map((c) => ({ ...c }));

  const remaining = protectEvictionCandidatesByRatio(candidates);
  expect(remaining).toHaveLength(tc.n - Math.floor(tc.n / 2));
  const remainingIds = new Set(remaining.map((c) => c.id));
  for (const id of tc.protectedIds) expect(remainingIds.has(id), `${tc.name}: id ${id} should be protected`).toBe(false);
  for (const id of tc.unprotectedIds) expect(remainingIds.has(id), `${tc.name}: id ${id} should remain`).toBe(true);

  if (!RANDOM_UPTIME_CASES.has(tc.name.slice(0, 2))) {
    // m_connected = id (or 12 - id): the complete protected set is determined.
    const full = tc.fullProtected ?? tc.protectedIds;
    const protectedIds = candidates
      .map((c) => c.id)
      .filter((id) => !remainingIds.has(id))
      .sort((a, b) => a - b);
    expect(protectedIds, tc.name).toEqual([...full].sort((a, b) => a - b));
  }
  // Pure: the input array and its records are untouched.
  expect(candidates).toEqual(snapshot);
  // The survivors come out newest connection first (what SelectNodeToEvict relies on).
  for (let i = 1; i < remaining.length; i++) {
    expect(remaining[i - 1]!.connectedMicros).toBeGreaterThanOrEqual(remaining[i]!.connectedMicros);
  }
}

describe('peer_protection_test (ProtectEvictionCandidatesByRatio)', () => {
  it("has all 32 of Core's scenarios", () => {
    expect(RATIO_CASES).toHaveLength(32);
  });

  it("Core's exact stream: the 32 scenarios in order on FastRandomContext(true)", () => {
    const rng = new FastRandomContext(true);
    for (const tc of RATIO_CASES) checkRatioCase(tc, rng);
  });

  RATIO_CASES.forEach((tc, index) => {
    it(tc.name, () => {
      // Core draws each scenario once; 25 more draws and shuffles per scenario widen the check.
      const rng = seededRng(1000 + index);
      for (let rep = 0; rep < 25; rep++) checkRatioCase(tc, rng);
    });
  });

  it('worked example #24: the per-class quota is recomputed each round', () => {
    // total 12, budget 6; counts: CJDNS 0, localhost 1, onion 1, I2P 8.
    // Round 1: per = 2 -> local 12, onion 23, I2P 15,16. Round 2: per = 2 -> I2P 17,18.
    const cs = range(0, 23).map((id) =>
      candidate(id, {
        isLocal: id === 12,
        network: id > 14 && id < 23 ? NET_I2P : id === 23 ? NET_ONION : NET_IPV6,
      }),
    );
    const remaining = protectEvictionCandidatesByRatio(cs).map((c) => c.id);
    expect(remaining).toEqual([22, 21, 20, 19, 14, 13, 11, 10, 9, 8, 7, 6]);
  });

  it('a localhost onion peer counts in both classes and counts are not recomputed', () => {
    // n = 16: total 8, budget 4. Peers 12..15 are local and onion at once; counts local 4, onion 4.
    // Round 1 (per 2): local removes 12,13 (count 4 -> 2); onion removes 14,15 (budget reached).
    const cs = range(0, 15).map((id) =>
      candidate(id, { isLocal: id >= 12, network: id >= 12 ? NET_ONION : NET_IPV4 }),
    );
    const remaining = protectEvictionCandidatesByRatio(cs).map((c) => c.id).sort((a, b) => a - b);
    expect(remaining).toEqual(range(4, 11));
  });

  it('empty and single-candidate inputs protect nobody', () => {
    expect(protectEvictionCandidatesByRatio([])).toEqual([]);
    expect(protectEvictionCandidatesByRatio([candidate(7)]).map((c) => c.id)).toEqual([7]);
  });
});

// ---------------------------------------------------------------------------------------------
// peer_eviction_test

function isEvicted(candidates: NodeEvictionCandidate[], ids: Set<number>, rng: FastRandomContext): boolean {
  shuffle(candidates, rng);
  const evicted = selectNodeToEvict(candidates);
  return evicted !== null && ids.has(evicted);
}

function isEvictedWith(n: number, setup: (c: NodeEvictionCandidate) => void, ids: number[], rng: FastRandomContext): boolean {
  const candidates = getRandomNodeEvictionCandidates(n, rng);
  for (const c of candidates) setup(c);
  return isEvicted(candidates, new Set(ids), rng);
}

describe('peer_eviction_test (SelectNodeToEvict)', () => {
  for (const seed of [0, 1, 2]) {
    const label = seed === 0 ? "Core's exact stream, FastRandomContext(true)" : `seed ${seed}`;
    it(`Core's protection guarantees hold for n = 0..199 (${label})`, () => {
      const rng = seed === 0 ? new FastRandomContext(true) : seededRng(seed);
      let evictions29 = 0;
      for (let n = 0; n < 200; n++) {
        // The 4 highest keyed netgroups.
        expect(isEvictedWith(n, (c) => { c.keyedNetGroup = BigInt(n - c.id); }, [0, 1, 2, 3], rng)).toBe(false);
        // The 8 lowest min-ping times.
        expect(isEvictedWith(n, (c) => { c.minPingTimeMicros = c.id; }, range(0, 7), rng)).toBe(false);
        // The 4 most recent novel transactions.
        expect(isEvictedWith(n, (c) => { c.lastTxTimeSeconds = n - c.id; }, [0, 1, 2, 3], rng)).toBe(false);
        // Up to 8 non-tx-relay peers with recent novel blocks.
        const blockRelayOnly = (c: NodeEvictionCandidate): void => {
          c.lastBlockTimeSeconds = n - c.id;
          if (c.id <= 7) {
            c.relayTxs = false;
            c.relevantServices = true;
          }
        };
        expect(isEvictedWith(n, blockRelayOnly, range(0, 7), rng)).toBe(false);
        // The 4 most recent novel blocks.
        expect(isEvictedWith(n, (c) => { c.lastBlockTimeSeconds = n - c.id; }, [0, 1, 2, 3], rng)).toBe(false);
        // Both block rules together.
        expect(isEvictedWith(n, blockRelayOnly, range(0, 11), rng)).toBe(false);
        // All the fixed-count rules together.
        const all = (c: NodeEvictionCandidate): void => {
          c.keyedNetGroup = BigInt(n - c.id);
          c.minPingTimeMicros = c.id;
          c.lastTxTimeSeconds = n - c.id;
          c.lastBlockTimeSeconds = n - c.id;
        };
        expect(isEvictedWith(n, all, range(0, 19), rng)).toBe(false);

        if (n >= 29) {
          expect(selectNodeToEvict(getRandomNodeEvictionCandidates(n, rng)), `n=${n}`).not.toBeNull();
          evictions29++;
        }
        if (n <= 20) {
          expect(selectNodeToEvict(getRandomNodeEvictionCandidates(n, rng)), `n=${n}`).toBeNull();
        }
      }
      expect(evictions29).toBe(171);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// What Core's test leaves out: prefer_evict, the final group choice, NoBan/outbound, total order.

/** 28 inbound peers that each lose every fixed protection to 20 strong peers, plus `extra`. */
function withStrongPeers(extra: NodeEvictionCandidate[]): NodeEvictionCandidate[] {
  // 20 "strong" peers (ids 1000..1019) win netgroup, ping, tx and block protection outright.
  const strong = range(0, 19).map((i) =>
    candidate(1000 + i, {
      keyedNetGroup: 1_000_000n + BigInt(i),
      minPingTimeMicros: i,
      lastTxTimeSeconds: 10_000 + i,
      lastBlockTimeSeconds: 10_000 + i,
      connectedMicros: 0,
    }),
  );
  return [...strong, ...extra];
}

describe('SelectNodeToEvict: final choice', () => {
  it('evicts the youngest member of the netgroup with the most survivors', () => {
    // The 20 strong peers take every fixed protection (all peers relay txs, so the
    // block-relay-only step protects nobody); the ratio step then protects half of the rest by
    // uptime. 12 weak peers: ids 0..11, connected at id seconds (higher id = younger). Groups: A = {6, 8,
    // 10, 11}, B = {7, 9}; the 6 oldest (0..5) are protected by uptime.
    const weak = range(0, 11).map((id) =>
      candidate(id, { keyedNetGroup: [6, 8, 10, 11].includes(id) ? 100n : id === 7 || id === 9 ? 200n : 300n + BigInt(id) }),
    );
    expect(selectNodeToEvict(withStrongPeers(weak))).toBe(11);
  });

  it('on equal group sizes, picks the group whose youngest member connected last', () => {
    // Survivors 6..11 after uptime protection; groups {6, 10} and {7, 9} tie at 2; 8 and 11 alone.
    // The {6, 10} group's youngest (10) is younger than 9, so 10 is evicted.
    const group = (id: number): bigint => (id === 6 || id === 10 ? 100n : id === 7 || id === 9 ? 200n : 300n + BigInt(id));
    const weak = range(0, 11).map((id) => candidate(id, { keyedNetGroup: group(id) }));
    expect(selectNodeToEvict(withStrongPeers(weak))).toBe(10);
  });

  it('with all groups singletons, evicts the youngest survivor', () => {
    const weak = range(0, 11).map((id) => candidate(id, { keyedNetGroup: 300n + BigInt(id) }));
    expect(selectNodeToEvict(withStrongPeers(weak))).toBe(11);
  });

  it('prefers a discouraged (prefer_evict) survivor even in a smaller group', () => {
    const group = (id: number): bigint => ([6, 8, 10, 11].includes(id) ? 100n : 300n + BigInt(id));
    const weak = range(0, 11).map((id) => candidate(id, { keyedNetGroup: group(id), preferEvict: id === 7 }));
    expect(selectNodeToEvict(withStrongPeers(weak))).toBe(7);
  });

  it('a discouraged peer that is protected is not evicted; the usual choice applies', () => {
    const group = (id: number): bigint => ([6, 8, 10, 11].includes(id) ? 100n : 300n + BigInt(id));
    // id 2 is among the 6 oldest, protected by uptime.
    const weak = range(0, 11).map((id) => candidate(id, { keyedNetGroup: group(id), preferEvict: id === 2 }));
    expect(selectNodeToEvict(withStrongPeers(weak))).toBe(11);
  });

  it('never evicts NoBan or non-inbound peers', () => {
    const rng = seededRng(77);
    for (let rep = 0; rep < 200; rep++) {
      const cs = getRandomNodeEvictionCandidates(60, rng);
      for (const c of cs) {
        c.noban = rng.randrange(4) === 0;
        c.connType = rng.randrange(3) === 0 ? ConnectionType.OUTBOUND_FULL_RELAY + rng.randrange(6) : ConnectionType.INBOUND;
      }
      const evicted = selectNodeToEvict(cs);
      if (evicted !== null) {
        const c = cs.find((x) => x.id === evicted)!;
        expect(c.noban).toBe(false);
        expect(c.connType).toBe(ConnectionType.INBOUND);
      }
    }
    // Only NoBan / outbound peers: nobody.
    const only = range(0, 40).map((id) => candidate(id, { noban: id % 2 === 0, connType: id % 2 ? ConnectionType.BLOCK_RELAY : ConnectionType.INBOUND }));
    expect(selectNodeToEvict(only)).toBeNull();
  });

  it('the block-relay-only step protects only non-tx-relay peers with relevant services', () => {
    // 30 peers, ids 0..9 not relaying txs, even ids with relevant services. The last 8 after the
    // sort are the non-relaying ones, non-relevant first: 9,7,5 | 3,1,8,6,4,2,0 -> 5,3,1,8,6,4,2,0;
    // of those only the relevant ones are removed.
    const cs = range(0, 29).map((id) =>
      candidate(id, { relayTxs: id >= 10, relevantServices: id % 2 === 0, keyedNetGroup: 5n, minPingTimeMicros: 50 }),
    );
    const work = cs.slice();
    const before = new Set(work.map((c) => c.id));
    eraseLastKElements(work, compareNodeBlockRelayOnlyTime, 8, (c) => !c.relayTxs && c.relevantServices);
    const removed = [...before].filter((id) => !work.some((c) => c.id === id));
    expect(removed.sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('SelectNodeToEvict: total order', () => {
  it('the result does not depend on the input order', () => {
    const rng = seededRng(4242);
    for (let rep = 0; rep < 300; rep++) {
      const n = 20 + rng.randrange(60);
      const cs = getRandomNodeEvictionCandidates(n, rng);
      // Heavy ties: few distinct values in every field.
      for (const c of cs) {
        c.connectedMicros = rng.randrange(3) * SECOND;
        c.minPingTimeMicros = rng.randrange(3);
        c.lastBlockTimeSeconds = rng.randrange(2);
        c.lastTxTimeSeconds = rng.randrange(2);
        c.keyedNetGroup = BigInt(rng.randrange(4));
      }
      const first = selectNodeToEvict(cs);
      for (let k = 0; k < 5; k++) {
        const copy = cs.slice();
        shuffle(copy, rng);
        expect(selectNodeToEvict(copy)).toBe(first);
        expect(protectEvictionCandidatesByRatio(copy).map((c) => c.id)).toEqual(
          protectEvictionCandidatesByRatio(cs).map((c) => c.id),
        );
      }
    }
  });

  it('among exact ties the older connection (lower id) is the one protected', () => {
    // 24 identical peers except ids: 4 netgroup + 8 ping + 4 tx + 4 block protections take the
    // 20 lowest ids; of the 4 left (20..23) the ratio step protects 2 by uptime, again the lowest
    // ids (all connected at the same instant), and the youngest-id survivor is evicted.
    const cs = range(0, 23).map((id) => candidate(id, { connectedMicros: 0, keyedNetGroup: 9n, minPingTimeMicros: 10 }));
    expect(selectNodeToEvict(cs)).toBe(23);
  });
});

describe('SelectNodeToEvict: protections of older releases switched off (profiles)', () => {
  // 4 netgroup winners and 8 ping winners take the first protections; peer 50 is the youngest and
  // in the biggest group, but it sent us the most recent novel block.
  function setup(): NodeEvictionCandidate[] {
    const ng = range(0, 3).map((i) => candidate(100 + i, { keyedNetGroup: 1_000_000n + BigInt(i), connectedMicros: 0 }));
    const ping = range(0, 7).map((i) => candidate(200 + i, { minPingTimeMicros: i, keyedNetGroup: 500n + BigInt(i), connectedMicros: 0 }));
    const crowd = range(0, 5).map((i) => candidate(300 + i, { keyedNetGroup: 7n, connectedMicros: i }));
    const recent = candidate(50, { keyedNetGroup: 7n, connectedMicros: 1_000_000, lastBlockTimeSeconds: 9_999 });
    return [...ng, ...ping, ...crowd, recent];
  }

  it('a peer protected only by its recent novel block is kept at the pinned commit and evicted without PR #8084', () => {
    expect(selectNodeToEvict(setup())).not.toBe(50);
    expect(selectNodeToEvict(setup(), { recentActivity: false })).toBe(50);
  });

  it('a block-relay-only peer is protected since PR #19670 and not before', () => {
    const cands = setup().map((c) => (c.id === 50 ? { ...c, lastBlockTimeSeconds: 0, relayTxs: false, relevantServices: true } : c));
    // Every other peer relays txs and sent no block: the block-relay-only step protects peer 50 alone.
    expect(selectNodeToEvict(cands, { recentActivity: false })).not.toBe(50);
    expect(selectNodeToEvict(cands, { recentActivity: false, blockRelay: false })).toBe(50);
  });
});

describe('the tie observer (diagnostics: which protections the id tie-break decided)', () => {
  // 30 candidates in distinct netgroups with distinct tx/block times and connection times.
  const base = (ping: (id: number) => number): NodeEvictionCandidate[] =>
    Array.from({ length: 30 }, (_, id) =>
      candidate(id, { keyedNetGroup: BigInt(1000 + id), minPingTimeMicros: ping(id), lastTxTimeSeconds: 100 + id, lastBlockTimeSeconds: 200 + id, connectedMicros: (300 + id) * SECOND }),
    );

  it('reports nothing when every boundary is decided by the comparators, and changes no choice', () => {
    const c = base((id) => 1000 + id);
    const seen: string[][] = [];
    const victim = selectNodeToEvict(c, {}, (steps) => seen.push([...steps]));
    expect(seen).toEqual([[]]);
    expect(victim).toBe(selectNodeToEvict(c));
  });

  it('reports the min-ping step when the 8th and 9th lowest pings tie', () => {
    // After the 4 highest netgroups (ids 26-29) are protected, ids 0-25 remain; pings 1000+id but
    // ids 7 and 8 share one, so the ping boundary (8 lowest: ids 0-7) falls inside the tie.
    const c = base((id) => (id === 8 ? 1007 : 1000 + id));
    let steps: readonly string[] = [];
    const victim = selectNodeToEvict(c, {}, (s) => (steps = s));
    expect(steps).toEqual(['min-ping']);
    expect(victim).toBe(selectNodeToEvict(c));
  });

  it('hands over the candidates it chose from, unchanged, so a tool can choose again from altered copies', () => {
    const c = base((id) => 1000 + id);
    let got: readonly NodeEvictionCandidate[] = [];
    const victim = selectNodeToEvict(c, {}, (_s, _v, cands) => (got = cands));
    expect(got).toBe(c);
    expect(got.map((x) => x.id)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(selectNodeToEvict(got)).toBe(victim);
  });
});
