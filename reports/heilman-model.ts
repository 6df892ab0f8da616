// The analytic model of Heilman, Kendler, Zohar and Goldberg, "Eclipse Attacks on Bitcoin's
// Peer-to-Peer Network" (USENIX Security 2015), as the eclipse table states it beside its runs.
//
// Selection (the paper's Eq. 1, which is Core v0.9/v0.10's Select with nUnkBias = 10 + 10·min(ω, 8)
// passed by ThreadOpenConnections; the simulator's port is connman/profiles/addrman-legacy.ts
// legacyTriedProbability / legacyUnkBias): with τ tried and η new entries and ω outbound
// connections already open, the next address is drawn from tried with probability
//     p(τ, η, ω) = √τ (9 − ω) / ((ω + 1) √η + √τ (9 − ω)).
// A draw from tried is the attacker's with probability f (its share of tried), a draw from new
// with probability g (its share of new). An attempt that lands on trash, or on an honest address
// whose node is offline, fails and the victim draws again for the same slot, so the probability
// that the ω-th connection that succeeds is the attacker's is
//     q(ω) = (p f + (1 − p) g) / (p (f + (1 − f) λ) + (1 − p) (g + h μ)),
// with λ the share of honest tried entries that are online, h the honest share of new and μ its
// online share. The victim is eclipsed when its 8 outbound connections all go to the attacker:
//     Pr = ∏_{ω=0..7} q(ω)  (≈ q^8).
// With new all trash or attacker (h = 0) and every honest tried address online (λ = 1, the paper's
// worst case) q(ω) = f whatever p is, and Pr = f^8: the paper's "q^8". The timestamp bias of
// v0.10's GetChance (600/(600 + age)) is left out, as the paper's worst case makes honest entries
// as fresh as the attacker's.

/** Eq. (1): the probability of drawing from tried. */
export function heilmanTriedProbability(tried: number, fresh: number, outbound: number): number {
  const a = Math.sqrt(tried) * (9 - outbound);
  const b = (outbound + 1) * Math.sqrt(fresh);
  return a + b === 0 ? 0 : a / (a + b);
}

export interface HeilmanModelInputs {
  /** τ: tried entries. */
  tried: number;
  /** η: new entries. */
  fresh: number;
  /** f: the attacker's share of tried. */
  triedAttacker: number;
  /** g: the attacker's share of new. */
  newAttacker: number;
  /** λ: the online share of the honest tried entries (1 in the paper's worst case). */
  triedOnline: number;
  /** h·μ: the share of new that is honest and online (0 when new is trash, attacker or stale). */
  newHonestOnline?: number;
  /** Outbound connections to fill (8 in Core 0.9/0.10). */
  slots?: number;
}

/** q(ω) for ω = 0 … slots − 1. */
export function heilmanQ(m: HeilmanModelInputs): number[] {
  const slots = m.slots ?? 8;
  const hm = m.newHonestOnline ?? 0;
  const out: number[] = [];
  for (let w = 0; w < slots; w++) {
    const p = heilmanTriedProbability(m.tried, m.fresh, w);
    const win = p * m.triedAttacker + (1 - p) * m.newAttacker;
    const succeed = p * (m.triedAttacker + (1 - m.triedAttacker) * m.triedOnline) + (1 - p) * (m.newAttacker + hm);
    out.push(succeed === 0 ? 0 : win / succeed);
  }
  return out;
}

/** Pr[eclipse] = ∏ q(ω). */
export function heilmanEclipseProbability(m: HeilmanModelInputs): number {
  return heilmanQ(m).reduce((a, q) => a * q, 1);
}
