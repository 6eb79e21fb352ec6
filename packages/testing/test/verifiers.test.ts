import { sampleCategorical, targetDistribution, treeChildren, type Verifier } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  checkVerifierEndToEnd,
  checkVerifierGreedy,
  checkVerifierKernel,
  describeVerifierConformance,
  referenceGreedyVerifier,
  referenceRejectionSamplingVerifier,
  referenceSampleMatchVerifier,
} from '../src/index.js';

// The default trial counts (10^5 kernel trials and 10^5 generations) for the main oracle.
describeVerifierConformance('reference rejection sampling', () => referenceRejectionSamplingVerifier(), {
  exact: true,
});
// Fewer trials for the second oracle keep this package's tests within a minute on a busy machine.
describeVerifierConformance('reference sample-match', () => referenceSampleMatchVerifier(), {
  exact: true,
  trials: 20_000,
  endToEndTrials: 20_000,
});
describeVerifierConformance('reference greedy', () => referenceGreedyVerifier(), { exact: true, greedyOnly: true });

/** Always accepts the first child at every depth (a typical bug: no rejection step). */
function alwaysAcceptFirstVerifier(): Verifier {
  return {
    name: 'always-accept-first',
    exact: true,
    supports: ['deterministic', 'independent', 'without-replacement'],
    verify(input) {
      const children = treeChildren(input.draft.parents);
      const path: number[] = [];
      let node = -1;
      while (children(node).length > 0) {
        node = children(node)[0];
        path.push(node);
      }
      return { path, next: sampleCategorical(targetDistribution(input, node), input.rng) };
    },
  };
}

/** Correct rejection sampling, but the bonus token comes from the root's distribution (a context bug). */
function wrongBonusContextVerifier(): Verifier {
  const inner = referenceRejectionSamplingVerifier();
  return {
    ...inner,
    name: 'wrong-bonus-context',
    verify(input) {
      const result = inner.verify(input);
      if (result.path.length === 0) return result;
      return { path: result.path, next: sampleCategorical(targetDistribution(input, -1), input.rng) };
    },
  };
}

describe('the verifier checks catch biased verifiers', () => {
  it('an always-accept verifier fails the kernel check with observed vs expected cells', async () => {
    const result = await checkVerifierKernel(alwaysAcceptFirstVerifier(), {
      sampling: 'independent',
      shape: 'chain',
      trials: 20_000,
    });
    expect(result.passed).toBe(false);
    expect(result.pValue).toBeLessThan(1e-6);
    expect(result.message).toMatch(/always-accept-first/);
    expect(result.message).toMatch(/p-value/);
    expect(result.message).toMatch(/observed \d+, expected [\d.]+/);
    expect(result.message).toMatch(/20000 trials, seed 1/);
  });

  it('an always-accept verifier commits tokens of probability 0 from deterministic drafts', async () => {
    const result = await checkVerifierKernel(alwaysAcceptFirstVerifier(), {
      sampling: 'deterministic',
      shape: 'tree',
      trials: 5_000,
    });
    expect(result.passed).toBe(false);
    expect(result.pValue).toBe(0);
    expect(result.message).toMatch(/the target gives it probability 0/);
  });

  it('a bonus token drawn in the wrong context fails the two-token kernel check', async () => {
    const result = await checkVerifierKernel(wrongBonusContextVerifier(), {
      sampling: 'independent',
      shape: 'chain',
      trials: 20_000,
    });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/first two committed tokens/);
  });

  it('an always-accept verifier fails the end-to-end check', async () => {
    const result = await checkVerifierEndToEnd(alwaysAcceptFirstVerifier(), {
      sampling: 'independent',
      shape: 'chain',
      trials: 5_000,
    });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/first 3 generated tokens/);
  });

  it('a lossy verifier passes with a measured total variation distance when exact is false', async () => {
    const result = await checkVerifierKernel(alwaysAcceptFirstVerifier(), {
      sampling: 'independent',
      shape: 'tree',
      trials: 5_000,
      exact: false,
    });
    expect(result.passed).toBe(true);
    expect(result.totalVariation).toBeGreaterThan(0.05);
    expect(result.message).toMatch(/total variation distance/);
  });

  it('a verifier returning an invalid path fails every check with the offending path', async () => {
    const broken: Verifier = {
      ...referenceSampleMatchVerifier(),
      name: 'broken',
      verify: () => ({ path: [5, 2], next: 0 }),
    };
    const result = await checkVerifierGreedy(broken, { sampling: 'deterministic', shape: 'tree' });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/\[5,2\], which is not a root-to-node path/);
  });

  it('a verifier that writes into targetLogits fails (they are read-only)', async () => {
    const inner = referenceSampleMatchVerifier();
    const writer: Verifier = {
      ...inner,
      name: 'writer',
      verify(input) {
        input.targetLogits.data[0] += 1;
        return inner.verify(input);
      },
    };
    const result = await checkVerifierGreedy(writer, { sampling: 'deterministic', shape: 'chain' });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/modified targetLogits \(row 0, token 0/);
  });

  it('sample-match under a greedy chain is the greedy verifier', async () => {
    const result = await checkVerifierGreedy(referenceSampleMatchVerifier(), {
      sampling: 'independent',
      shape: 'tree',
    });
    expect(result.passed, result.message).toBe(true);
  });
});

describe('failure hints', () => {
  it('suggests greedyOnly for a verifier that always commits the argmax', async () => {
    const argmaxOnly: Verifier = {
      name: 'argmax-only',
      exact: true,
      supports: ['deterministic'],
      verify(input) {
        const p = targetDistribution(input, -1);
        let best = 0;
        for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return { path: [], next: best };
      },
    };
    const result = await checkVerifierKernel(argmaxOnly, { sampling: 'deterministic', shape: 'chain', trials: 2_000 });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/greedyOnly: true/);
  });
});
