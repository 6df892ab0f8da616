// Shuffling with an injected Rng. Core shuffles with std::shuffle over a FastRandomContext; when the
// Rng is our bit-exact FastRandomContext its own shuffle (a port of libstdc++'s std::shuffle) is
// used, so the permutation is Core's. Any other Rng (test fakes) gets a plain Fisher–Yates.
import type { Rng } from '../ports.ts';

/** Shuffles `items` in place with the node's stream. */
// Core: std::shuffle(begin, end, FastRandomContext) as called from net.cpp / net_processing.cpp
export function shuffleWith<T>(rng: Rng, items: T[]): void {
  const r = rng as Rng & { shuffle?: (xs: T[]) => void };
  if (typeof r.shuffle === 'function') {
    r.shuffle(items);
    return;
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.randrange(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}
