/** Median and spread of a sample: what the report shows for every per-repetition figure. */
export interface Spread {
  readonly median: number;
  /** First quartile (25th percentile, linear interpolation). */
  readonly lowerQuartile: number;
  /** Third quartile (75th percentile, linear interpolation). */
  readonly upperQuartile: number;
  /** `upperQuartile - lowerQuartile`. */
  readonly interquartileRange: number;
  readonly min: number;
  readonly max: number;
  /** Number of values summarised. */
  readonly count: number;
}

/**
 * The `fraction` quantile (0..1) of `values` with linear interpolation between order statistics
 * (the "type 7" definition of R and NumPy's default). NaN for an empty sample.
 */
export function quantile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, fraction));
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median, quartiles and range of `values`. */
export function spreadOf(values: readonly number[]): Spread {
  const lowerQuartile = quantile(values, 0.25);
  const upperQuartile = quantile(values, 0.75);
  return {
    median: median(values),
    lowerQuartile,
    upperQuartile,
    interquartileRange: upperQuartile - lowerQuartile,
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    count: values.length,
  };
}
