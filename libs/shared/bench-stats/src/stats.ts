// The statistics every benchmark script prints, written once: median and nearest-rank
// percentiles of samples, so two benchmarks that say "p99" mean the same thing.

/** Ascending copy of `values`. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The middle value; the mean of the two middle values for an even count; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The nearest-rank `p`-th percentile (0 < p <= 100): the smallest value with at least p %
 * of the samples at or below it. NaN for no samples.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return NaN;
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** p50, p90, p95, p99 and the maximum of `values` (nearest rank). */
export function summary(values: readonly number[]): { readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number; readonly n: number } {
  return {
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : NaN,
    n: values.length,
  };
}
