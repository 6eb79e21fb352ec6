import { describe, expect, it } from 'vitest';
import { median, quantile, spreadOf } from '../src/summary-statistics.js';

describe('summary statistics', () => {
  it('interpolates quantiles between order statistics (type 7)', () => {
    // Sorted 1, 2, 3, 4: position (n - 1) * f = 0.75 for the first quartile -> 1 + 0.75 * (2 - 1).
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([4, 1, 3, 2], 0.75)).toBeCloseTo(3.25, 12);
    expect(median([4, 1, 3, 2])).toBeCloseTo(2.5, 12);
    expect(median([5, 1, 3])).toBe(3);
    expect(quantile([7], 0.25)).toBe(7);
  });

  it('summarises a sample with median, quartiles, range and count', () => {
    const spread = spreadOf([10, 2, 8, 4, 6]);
    expect(spread).toMatchObject({ median: 6, lowerQuartile: 4, upperQuartile: 8, min: 2, max: 10, count: 5 });
    expect(spread.interquartileRange).toBe(4);
  });

  it('gives NaN for an empty sample instead of throwing', () => {
    const spread = spreadOf([]);
    expect(Number.isNaN(spread.median)).toBe(true);
    expect(spread.count).toBe(0);
  });
});
