// Helpers shared by the two analytic-ping test files (analytic-ping.test.ts: worlds run both ways;
// analytic-ping-builtin.test.ts: the built-in scenarios run both ways), split in two so that vitest
// runs them on both cores.

/** JSON of a run's state, bigints as strings and Maps as entry lists. */
export function jsonOf(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v.entries()] : v));
}

/** '' when equal, else both texts around their first difference (the states are long). */
export function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: ${a.slice(Math.max(0, i - 200), i + 100)} <> ${b.slice(Math.max(0, i - 200), i + 100)}`;
}
