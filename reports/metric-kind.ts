// What a metric measures, which decides how a sweep aggregates it over seeds. Scenarios declare a
// kind per metric (scenarios/dsl/scenario.ts MetricSpec); the sweep report (reports/sweep.ts)
// chooses each metric's interval by it.

/**
 * 'indicator' 0 or 1 (Wilson interval), 'share' in [0, 1] (an interval that stays in [0, 1]),
 * 'count' a whole number >= 0, 'duration' a time >= 0 in the unit its description names, 'rate' a
 * real >= 0 per the unit its description names (addresses per second, say), 'number' anything else.
 */
export type MetricKind = 'indicator' | 'share' | 'count' | 'duration' | 'rate' | 'number';

export const METRIC_KINDS: readonly MetricKind[] = ['indicator', 'share', 'count', 'duration', 'rate', 'number'];

/** Whether a value fits its kind (s.metric refuses one that does not; a sweep aggregates one that does not as a number). */
export function metricFits(kind: MetricKind, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  switch (kind) {
    case 'indicator':
      return v === 0 || v === 1;
    case 'share':
      return v >= 0 && v <= 1;
    case 'count':
      return Number.isInteger(v) && v >= 0;
    case 'duration':
    case 'rate':
      return v >= 0;
    case 'number':
      return true;
  }
}
