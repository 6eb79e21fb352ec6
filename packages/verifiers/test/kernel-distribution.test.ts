// Kernel distribution tests (DESIGN §4.2, digest §0.4): for random target p and draft q tables,
// the first committed tokens of one verification (completed by plain target sampling where fewer
// were committed) must follow the target's joint distribution exactly. Each case runs 10^5 trials
// with a fixed seed and requires a chi-square p-value above 1e-6 (a false alarm rate of one in a
// million per case; a kernel off by a few percent fails by a wide margin at this sample size).
// The conformance suite (conformance.test.ts) covers every verifier on generic drafts; these cases
// target the corners: duplicate siblings, point masses, exhausted q rows, SpecTr's k and ρ.
import type { Draft, Rng, Verifier } from '@decodekit/core';
import { chiSquareTest, totalVariationDistance } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import {
  recursiveRejectionVerifier,
  recursiveSpeculativeVerifier,
  sampleMatchVerifier,
  specTrVerifier,
  speculativeSamplingVerifier,
} from '../src/index.js';
import {
  fixedDraft,
  independentChains,
  randomTable,
  sampledTree,
  simulate,
  type ToyTable,
  tableWithRoot,
} from './helpers/kernel.js';

const trials = 100_000;
const pValueThreshold = 1e-6;
const vocab = 5;

// Targets with some exact zeros (so residuals and supports matter) and drafts that disagree with them.
const target = randomTable(vocab, 11, { zeroFraction: 0.2 });
const draftTable = randomTable(vocab, 23, { zeroFraction: 0.1, sharpness: 1 });
const sharpDraft = randomTable(vocab, 29, { sharpness: 3 });

interface KernelCase {
  readonly name: string;
  readonly verifier: Verifier;
  readonly makeDraft: (rng: Rng) => Draft;
  readonly target?: ToyTable;
  readonly outputLength?: number;
  /** The case's draft can never be accepted (disjoint supports): the check is that nothing is. */
  readonly acceptsNothing?: boolean;
}

const cases: KernelCase[] = [
  {
    name: 'sample-match, deterministic tree with duplicate siblings',
    verifier: sampleMatchVerifier(),
    makeDraft: () => fixedDraft([1, 1, 2, 0, 3, 4], [-1, -1, -1, 0, 1, 2]),
  },
  {
    name: 'speculative sampling, independent chain of 3',
    verifier: speculativeSamplingVerifier(),
    makeDraft: (rng) => sampledTree(draftTable, [1, 1, 1], 'independent', rng),
  },
  {
    name: 'speculative sampling, deterministic chain as point masses',
    verifier: speculativeSamplingVerifier(),
    makeDraft: () => fixedDraft([0, 4, 2], [-1, 0, 1]),
  },
  {
    name: 'recursive rejection, sharp q, 4 i.i.d. chains of 2',
    verifier: recursiveRejectionVerifier(),
    makeDraft: (rng) => independentChains(sharpDraft, 4, 2, rng),
  },
  {
    name: 'recursive rejection, deterministic tree as point masses',
    verifier: recursiveRejectionVerifier(),
    makeDraft: () => fixedDraft([1, 1, 2, 0, 3, 4], [-1, -1, -1, 0, 1, 2]),
  },
  {
    name: 'recursive speculative (RSD), without-replacement tree 3x2',
    verifier: recursiveSpeculativeVerifier(),
    makeDraft: (rng) => sampledTree(draftTable, [3, 2], 'without-replacement', rng),
  },
  {
    name: 'recursive speculative (RSD), every token of the vocabulary as siblings',
    verifier: recursiveSpeculativeVerifier(),
    makeDraft: (rng) => sampledTree(draftTable, [vocab, 1], 'without-replacement', rng),
  },
  {
    name: 'recursive speculative (RSD), sharp q with tiny mass outside the children',
    verifier: recursiveSpeculativeVerifier(),
    makeDraft: (rng) => sampledTree(sharpDraft, [2, 2], 'without-replacement', rng),
  },
  { name: 'SpecTr, k = 1', verifier: specTrVerifier(), makeDraft: (rng) => independentChains(draftTable, 1, 2, rng) },
  { name: 'SpecTr, k = 2', verifier: specTrVerifier(), makeDraft: (rng) => independentChains(draftTable, 2, 2, rng) },
  { name: 'SpecTr, k = 4', verifier: specTrVerifier(), makeDraft: (rng) => independentChains(draftTable, 4, 2, rng) },
  {
    name: 'SpecTr, k = 8, sharp q',
    verifier: specTrVerifier(),
    makeDraft: (rng) => independentChains(sharpDraft, 8, 2, rng),
  },
  {
    name: 'SpecTr, k = 3 with branching 3x2',
    verifier: specTrVerifier(),
    makeDraft: (rng) => sampledTree(draftTable, [3, 2], 'independent', rng),
  },
  {
    name: 'SpecTr, fixed rho = 1.3 (used where valid, rho* elsewhere)',
    verifier: specTrVerifier({ rho: 1.3 }),
    makeDraft: (rng) => independentChains(draftTable, 4, 2, rng),
  },
  {
    name: 'SpecTr, disjoint supports of p and q at the root',
    verifier: specTrVerifier(),
    target: tableWithRoot([0.5, 0.5, 0, 0, 0], target),
    makeDraft: (rng) => independentChains(tableWithRoot([0, 0, 0.3, 0.7, 0], draftTable), 3, 2, rng),
    acceptsNothing: true,
  },
];

describe('kernel distribution: committed tokens follow the target exactly', () => {
  cases.forEach((testCase, index) => {
    it(`${testCase.name} (chi-square p > ${pValueThreshold}, ${trials} trials)`, () => {
      const result = simulate(testCase.verifier, {
        target: testCase.target ?? target,
        makeDraft: testCase.makeDraft,
        trials,
        outputLength: testCase.outputLength ?? 2,
        seed: 1000 + index,
      });
      const test = chiSquareTest(result.counts, result.expected);
      expect(test.pValue, `chi-square ${test.statistic.toFixed(1)} on ${test.degreesOfFreedom} df`).toBeGreaterThan(
        pValueThreshold,
      );
      // 25 cells and 10^5 samples: sampling noise alone keeps the distance near 0.005.
      expect(totalVariationDistance(result.counts, result.expected)).toBeLessThan(0.012);
      // The kernels must actually accept drafts (a kernel that never accepts is trivially exact).
      if (testCase.acceptsNothing) expect(result.meanAccepted).toBe(0);
      else expect(result.meanAccepted).toBeGreaterThan(0.05);
    });
  });
});

describe('kernel distribution test has power', () => {
  // Speculative sampling that draws the correction from p instead of the residual max(0, p − q):
  // a classic bug that over-represents the draft's favourite tokens.
  const biased: Verifier = {
    name: 'biased-control',
    exact: false,
    supports: ['independent'],
    verify(input) {
      const exact = speculativeSamplingVerifier().verify(input);
      if (exact.path.length === input.draft.tokens.length) return exact;
      const node = exact.path.length - 1;
      const row = input.targetLogits.data.subarray((node + 1) * vocab, (node + 2) * vocab);
      const p = Array.from(row, Math.exp);
      let u = input.rng.next() * p.reduce((a, b) => a + b, 0);
      let next = 0;
      for (; next < vocab - 1 && u >= p[next]; next++) u -= p[next];
      return { path: exact.path, next };
    },
  };
  it('rejects a kernel that corrects from p instead of the residual', () => {
    const result = simulate(biased, {
      target,
      makeDraft: (rng) => sampledTree(draftTable, [1, 1], 'independent', rng),
      trials,
      outputLength: 2,
      seed: 99,
    });
    expect(chiSquareTest(result.counts, result.expected).pValue).toBeLessThan(pValueThreshold);
  });
});
