import { type ChiSquareResult, chiSquareTest } from '../statistics/chi-square-test.js';
import { totalVariationDistance } from '../statistics/total-variation-distance.js';

/** One compared distribution of a statistical check (e.g. "first token", "first two tokens"). */
export interface DistributionComparison {
  readonly label: string;
  readonly chiSquare: ChiSquareResult;
  readonly totalVariation: number;
  readonly describeCell: (index: number) => string;
}

export function compareDistribution(
  label: string,
  observed: ArrayLike<number>,
  expected: ArrayLike<number>,
  describeCell: (index: number) => string,
): DistributionComparison {
  return {
    label,
    chiSquare: chiSquareTest(observed, expected),
    totalVariation: totalVariationDistance(observed, expected),
    describeCell,
  };
}

/** "first token: p-value 0.42 (chi-square 4.1, 5 df, TV 0.003)". */
export function summarise(comparison: DistributionComparison): string {
  const { chiSquare: c } = comparison;
  return `${comparison.label}: p-value ${formatNumber(c.pValue)} (chi-square ${formatNumber(c.statistic)}, ${c.degreesOfFreedom} df, total variation ${formatNumber(comparison.totalVariation)})`;
}

/** The cells that differ most, observed vs expected, for a failure message. */
export function worstCells(comparison: DistributionComparison, count = 3): string {
  const total = comparison.chiSquare.total;
  return comparison.chiSquare.worstCells
    .slice(0, count)
    .map((cell) => {
      const probability = total > 0 ? cell.expected / total : 0;
      const impossible = cell.expected === 0 ? ' — the target gives it probability 0' : '';
      return `${comparison.describeCell(cell.index)} observed ${cell.observed}, expected ${cell.expected.toFixed(1)} (p = ${formatNumber(probability)})${impossible}`;
    })
    .join('; ');
}

export function formatNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6 ? String(Number(value.toPrecision(4))) : value.toExponential(2);
}

export function tokenLabel(vocabSize: number, length: number): (index: number) => string {
  return (index) => {
    if (length === 1) return `token ${index}`;
    const tokens: number[] = [];
    let rest = index;
    for (let i = 0; i < length; i++) {
      tokens.unshift(rest % vocabSize);
      rest = Math.floor(rest / vocabSize);
    }
    return `tokens [${tokens.join(', ')}]`;
  };
}
