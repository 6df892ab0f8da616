// Small statistics the charts compute from a RunResult's series: counts per distinct value and an
// empirical CDF. Pure functions over plain arrays; the recorder-side aggregation that builds a
// RunResult lives with the recorder (scenarios/observe/aggregate.ts).

/** How many times each distinct value occurs, ordered by value (strings by code unit, numbers ascending). */
export function countBy<T extends string | number>(values: readonly T[]): Array<{ value: T; count: number }> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  const out = [...m.entries()].map(([value, count]) => ({ value, count }));
  out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return out;
}

/** Ascending numeric sort on a copy. */
function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The empirical CDF of values: one point per distinct value, with the fraction of values ≤ it. */
export function ecdf(values: readonly number[]): Array<{ value: number; fraction: number }> {
  const s = sortedCopy(values);
  const out: Array<{ value: number; fraction: number }> = [];
  for (let i = 0; i < s.length; i++) {
    if (i + 1 < s.length && s[i + 1] === s[i]) continue;
    out.push({ value: s[i]!, fraction: (i + 1) / s.length });
  }
  return out;
}
