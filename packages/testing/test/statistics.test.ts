import { createRng, sampleCategorical } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  chiSquareSurvival,
  chiSquareTest,
  logGamma,
  regularizedUpperGamma,
  totalVariationDistance,
} from '../src/index.js';

describe('incomplete gamma and chi-square survival', () => {
  it('matches closed forms', () => {
    // Γ(n) = (n − 1)!, Γ(1/2) = √π.
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // Q(1, x) = e^−x, and with 2 degrees of freedom the survival function is e^(−x/2).
    for (const x of [0.1, 1, 5, 30]) {
      expect(regularizedUpperGamma(1, x)).toBeCloseTo(Math.exp(-x), 12);
      expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
    }
    // 1 degree of freedom: P(Z² > x) = erfc(√(x/2)); at the textbook critical values.
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(6.634896601021214, 1)).toBeCloseTo(0.01, 9);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(124.34211340400407, 100)).toBeCloseTo(0.05, 8);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(1e4, 3)).toBe(0);
  });
});

describe('chiSquareTest', () => {
  const expectedProbabilities = [0.5, 0.25, 0.15, 0.07, 0.02, 0.01, 0];

  const sample = (probabilities: number[], trials: number, seed: number) => {
    const rng = createRng(seed);
    const counts = new Array(probabilities.length).fill(0);
    for (let i = 0; i < trials; i++) counts[sampleCategorical(probabilities, rng)]++;
    return counts;
  };

  it('accepts samples of the expected distribution (uniform p-values over seeds)', () => {
    const pValues: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      pValues.push(chiSquareTest(sample(expectedProbabilities, 20_000, seed), expectedProbabilities).pValue);
    }
    expect(Math.min(...pValues)).toBeGreaterThan(1e-4);
    // Roughly uniform: about half below 0.5.
    const below = pValues.filter((p) => p < 0.5).length;
    expect(below).toBeGreaterThan(8);
    expect(below).toBeLessThan(32);
  });

  it('rejects a slightly different distribution with enough trials', () => {
    const shifted = [0.48, 0.27, 0.15, 0.07, 0.02, 0.01, 0];
    const result = chiSquareTest(sample(shifted, 100_000, 3), expectedProbabilities);
    expect(result.pValue).toBeLessThan(1e-6);
    expect(result.worstCells[0].index === 0 || result.worstCells[0].index === 1).toBe(true);
  });

  it('fails outright when a cell of probability 0 is observed', () => {
    const result = chiSquareTest([10, 5, 1], [0.7, 0.3, 0]);
    expect(result.pValue).toBe(0);
    expect(result.impossibleObservations).toBe(1);
    expect(result.worstCells[0].index).toBe(2);
  });

  it('pools cells with small expected counts', () => {
    const result = chiSquareTest([900, 90, 4, 3, 3], [0.9, 0.09, 0.004, 0.003, 0.003]);
    expect(result.pooledCells).toBe(3);
    expect(result.degreesOfFreedom).toBe(2);
    expect(result.statistic).toBeCloseTo(0, 9);
    expect(result.pValue).toBeCloseTo(1, 9);
  });

  it('takes expected counts or probabilities alike', () => {
    const a = chiSquareTest([30, 70], [0.25, 0.75]);
    const b = chiSquareTest([30, 70], [25, 75]);
    expect(a.statistic).toBeCloseTo(b.statistic, 12);
    expect(a.statistic).toBeCloseTo(25 / 25 + 25 / 75, 12);
  });
});

describe('totalVariationDistance', () => {
  it('is half the L1 distance of the normalised distributions', () => {
    expect(totalVariationDistance([1, 0], [0, 1])).toBe(1);
    expect(totalVariationDistance([2, 2], [0.5, 0.5])).toBe(0);
    expect(totalVariationDistance([0.5, 0.3, 0.2], [0.3, 0.3, 0.4])).toBeCloseTo(0.2, 12);
  });
});
