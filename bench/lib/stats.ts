// Percentiles and medians for the reports. Nearest-rank percentiles: the value below which q of the samples lie.

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(samples: readonly number[]): LatencySummary {
  return { count: samples.length, p50: round(percentile(samples, 0.5), 3), p99: round(percentile(samples, 0.99), 3), max: round(samples.length ? Math.max(...samples) : Number.NaN, 3) };
}
