// The kernels accept as often as their papers say: speculative sampling accepts the first draft
// token with probability Σ min(p, q), and SpecTr accepts one of k i.i.d. drafts with probability
// 1 − (1 − β(ρ*))^k, which is at least speculative sampling's rate and grows with k.
import { createRng } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { planKSeq, specTrVerifier, speculativeSamplingVerifier } from '../src/index.js';
import { independentChains, randomTable, verifyInputFor } from './helpers/kernel.js';

const vocab = 6;
const target = randomTable(vocab, 5, { zeroFraction: 0.15 });
const draft = randomTable(vocab, 6, { sharpness: 1.2 });
const trials = 50_000;

function firstLevelAcceptance(k: number, verifier = specTrVerifier()): number {
  const rng = createRng(40 + k);
  let accepted = 0;
  for (let t = 0; t < trials; t++) {
    const result = verifier.verify(verifyInputFor(target, independentChains(draft, k, 1, rng), rng));
    if (result.path.length > 0) accepted++;
  }
  return accepted / trials;
}

// Five standard deviations of a binomial proportion.
const tolerance = (rate: number) => 5 * Math.sqrt((rate * (1 - rate)) / trials) + 1e-9;

describe('acceptance rates', () => {
  const p = target.distribution([]);
  const q = draft.distribution([]);
  it('speculative sampling accepts with probability Σ min(p, q)', () => {
    let overlap = 0;
    for (let v = 0; v < vocab; v++) overlap += Math.min(p[v], q[v]);
    const measured = firstLevelAcceptance(1, speculativeSamplingVerifier());
    expect(Math.abs(measured - overlap)).toBeLessThan(tolerance(overlap));
  });

  it('SpecTr accepts with probability 1 − (1 − β(ρ*))^k, increasing in k', () => {
    let previous = 0;
    for (const k of [1, 2, 4, 8]) {
      const plan = planKSeq(p, q, k);
      const predicted = 1 - (1 - plan.beta) ** k;
      const measured = firstLevelAcceptance(k);
      expect(Math.abs(measured - predicted), `k = ${k}`).toBeLessThan(tolerance(predicted));
      expect(predicted).toBeGreaterThanOrEqual(previous);
      previous = predicted;
      // ρ* is valid (the residual is a distribution) and within [1, k].
      expect(plan.rho).toBeGreaterThanOrEqual(1);
      expect(plan.rho).toBeLessThanOrEqual(k);
      expect(plan.gamma).toBeLessThanOrEqual(plan.rho * (1 + 1e-9));
    }
  });

  it('SpecTr with k = 1 is speculative sampling (ρ* = 1)', () => {
    expect(planKSeq(p, q, 1).rho).toBe(1);
  });

  it('SpecTr with p = q accepts the first draft with ρ* = 1', () => {
    const plan = planKSeq(p, p, 4);
    expect(plan.rho).toBe(1);
    expect(plan.beta).toBeCloseTo(1, 6);
  });
});
