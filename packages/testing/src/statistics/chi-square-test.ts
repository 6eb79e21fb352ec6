import { InvalidArgumentError } from '@decodekit/core';
import { chiSquareSurvival } from './incomplete-gamma.js';

export interface ChiSquareOptions {
  /** Cells whose expected count is below this are pooled into one cell (default 5, the textbook rule). */
  readonly minExpected?: number;
}

/** One cell of a goodness-of-fit test, for failure messages. */
export interface ChiSquareCell {
  /** Index of the cell in the input arrays. */
  readonly index: number;
  readonly observed: number;
  readonly expected: number;
  /** (observed − expected)² / expected; Infinity when the expected count is 0 but the cell was observed. */
  readonly contribution: number;
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** P(a chi-square variable ≥ statistic) under the null hypothesis; 0 when an impossible cell was observed. */
  readonly pValue: number;
  /** Total observed count. */
  readonly total: number;
  /** How many cells were pooled because their expected counts were small. */
  readonly pooledCells: number;
  /** Observations in cells whose expected probability is exactly 0 (any is a certain failure). */
  readonly impossibleObservations: number;
  /** Input cells ordered by how much they contribute to the statistic, worst first. */
  readonly worstCells: readonly ChiSquareCell[];
}

/**
 * Pearson's chi-square goodness-of-fit test of `observed` counts against `expected`, which may be
 * counts or probabilities (it is rescaled to the observed total). Cells with small expected counts
 * are pooled into one cell; observations in a cell of expected probability 0 make the p-value 0.
 * The p-value uses the chi-square survival function through the regularized incomplete gamma
 * function Q(df / 2, statistic / 2).
 */
export function chiSquareTest(
  observed: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: ChiSquareOptions = {},
): ChiSquareResult {
  if (observed.length !== expected.length) {
    throw new InvalidArgumentError('expected', `has ${expected.length} cells but observed has ${observed.length}`);
  }
  const minExpected = options.minExpected ?? 5;
  let total = 0;
  let expectedTotal = 0;
  for (let i = 0; i < observed.length; i++) {
    if (!(observed[i] >= 0) || !(expected[i] >= 0)) {
      throw new InvalidArgumentError('chiSquareTest', `cell ${i} has a negative or NaN count`);
    }
    total += observed[i];
    expectedTotal += expected[i];
  }
  if (!(expectedTotal > 0)) throw new InvalidArgumentError('expected', 'has no mass');
  const factor = total / expectedTotal;
  const cells: ChiSquareCell[] = [];
  let impossibleObservations = 0;
  let statistic = 0;
  let degreesOfFreedom = -1;
  let pooledObserved = 0;
  let pooledExpected = 0;
  let pooledCells = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i];
    const e = expected[i] * factor;
    const contribution = e > 0 ? ((o - e) * (o - e)) / e : o > 0 ? Number.POSITIVE_INFINITY : 0;
    if (o > 0 || e > 0) cells.push({ index: i, observed: o, expected: e, contribution });
    if (e === 0) {
      impossibleObservations += o;
    } else if (e < minExpected) {
      pooledObserved += o;
      pooledExpected += e;
      pooledCells++;
    } else {
      statistic += contribution;
      degreesOfFreedom++;
    }
  }
  if (pooledCells > 0) {
    if (pooledExpected >= minExpected || degreesOfFreedom < 0) {
      statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
      degreesOfFreedom++;
    } else {
      // Too small even pooled: fold it into the smallest regular cell.
      const regular = cells.filter((cell) => cell.expected >= minExpected).sort((a, b) => a.expected - b.expected)[0];
      statistic -= regular.contribution;
      const o = regular.observed + pooledObserved;
      const e = regular.expected + pooledExpected;
      statistic += ((o - e) * (o - e)) / e;
    }
  }
  degreesOfFreedom = Math.max(0, degreesOfFreedom);
  cells.sort((a, b) => b.contribution - a.contribution);
  const pValue = impossibleObservations > 0 ? 0 : chiSquareSurvival(statistic, degreesOfFreedom);
  return {
    statistic: impossibleObservations > 0 ? Number.POSITIVE_INFINITY : statistic,
    degreesOfFreedom,
    pValue,
    total,
    pooledCells,
    impossibleObservations,
    worstCells: cells.slice(0, 5),
  };
}
