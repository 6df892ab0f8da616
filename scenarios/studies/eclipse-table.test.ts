import { describe, expect, it } from 'vitest';

import { legacyTriedProbability, legacyUnkBias } from '../../connman/profiles/addrman-legacy.ts';
import { heilmanTriedProbability } from '../../reports/heilman-model.ts';

describe('eclipse-table study', () => {
  it("Heilman et al.'s Eq. (1) is v0.10's Select with ThreadOpenConnections' nUnkBias, as ported", () => {
    for (const [tried, fresh] of [[4096, 16384], [650, 4000], [100, 20_000]] as const) {
      for (let w = 0; w < 8; w++) expect(heilmanTriedProbability(tried, fresh, w)).toBeCloseTo(legacyTriedProbability(tried, fresh, legacyUnkBias(w)), 12);
    }
  });
});
