// Canonical JSON text for chart specs and results: keys sorted at every level, two-space indent,
// trailing newline, so that one value always gives one byte sequence whatever order its objects
// were built in. It does not handle cycles, Maps, Sets or class instances (none occur in specs).

/** Plain JSON values as the reports layer builds them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of value with every object's keys in ascending code-unit order; non-finite numbers become null. */
export function canonicalise(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => canonicalise(v));
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    const keys = Object.keys(value as object).sort();
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      out[k] = canonicalise(v);
    }
    return out;
  }
  throw new Error(`canonicalise: cannot serialise a ${typeof value}`);
}

/** Pretty canonical JSON with a trailing newline. */
export function stableStringify(value: unknown): string {
  return `${JSON.stringify(canonicalise(value), null, 2)}\n`;
}
