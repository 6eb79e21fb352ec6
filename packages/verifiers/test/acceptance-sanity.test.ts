// Digest §0.4 acceptance sanity: with q == p every chain token is accepted (τ = γ + 1); a draft of
// tokens the target gives probability 0 is never accepted (τ = 1). Also: verifiers never modify
// the target logits or the (possibly shared) q rows.
import { createRng, type Draft, multinomialSampler, type Verifier } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  defaultVerifier,
  greedyVerifier,
  recursiveRejectionVerifier,
  recursiveSpeculativeVerifier,
  sampleMatchVerifier,
  specTrVerifier,
  speculativeSamplingVerifier,
  typicalAcceptanceVerifier,
} from '../src/index.js';
import { pathTokens, randomTable, sampledTree, type ToyTable, verifyInputFor } from './helpers/kernel.js';

const vocab = 8;
const sampler = multinomialSampler(1);
const target = randomTable(vocab, 3, { zeroFraction: 0.3 });

// q rows computed exactly as the verifier computes p: the same chain on the same logits.
const sameAsTarget: ToyTable = {
  vocab,
  distribution: (prefix) =>
    sampler.distribution(target.logits(prefix).slice(), { tokens: [0, ...prefix], promptLength: 1 }),
  logits: (prefix) => target.logits(prefix),
};

const sampledChainVerifiers: [string, Verifier][] = [
  ['speculative-sampling', speculativeSamplingVerifier()],
  ['recursive-rejection', recursiveRejectionVerifier()],
  ['spectr', specTrVerifier()],
  ['default', defaultVerifier()],
];

describe('acceptance sanity', () => {
  for (const [name, verifier] of sampledChainVerifiers) {
    it(`${name}: q == p accepts every token of a chain`, () => {
      const rng = createRng(7);
      for (let t = 0; t < 2000; t++) {
        const draft = sampledTree(sameAsTarget, [1, 1, 1, 1], 'independent', rng);
        const result = verifier.verify(verifyInputFor(target, draft, rng));
        expect(result.path).toEqual([0, 1, 2, 3]);
      }
    });
  }

  it('recursive-speculative: q == p accepts the first sibling at every level', () => {
    const rng = createRng(8);
    for (let t = 0; t < 2000; t++) {
      const draft = sampledTree(sameAsTarget, [3, 2, 2], 'without-replacement', rng);
      const rsd = recursiveSpeculativeVerifier().verify(verifyInputFor(target, draft, rng));
      expect(rsd.path.length).toBe(3);
      // First child at each level: node 0, then its first child, then that one's first child.
      expect(rsd.path[0]).toBe(0);
    }
  });

  // A draft whose every token has target probability 0 after its parent.
  function impossibleDraft(sampling: Draft['sampling']): Draft {
    const tokens: number[] = [];
    const parents: number[] = [];
    const q: Float32Array[] = [];
    const uniform = new Float32Array(vocab).fill(1 / vocab);
    const add = (parent: number) => {
      const prefix = parent < 0 ? [] : pathTokens({ tokens, parents }, parent);
      const p = target.distribution(prefix);
      const zeros = [...p.keys()].filter((v) => p[v] === 0);
      // Siblings with distinct impossible tokens (the table has ~30% zeros, so at least two here).
      for (const token of zeros.slice(0, 2)) {
        tokens.push(token);
        parents.push(parent);
        q.push(uniform);
      }
    };
    add(-1);
    add(0);
    return { tokens, parents, sampling, q: sampling === 'deterministic' ? undefined : q };
  }

  const allVerifiers: [string, Verifier, Draft['sampling']][] = [
    ['sample-match', sampleMatchVerifier(), 'deterministic'],
    ['speculative-sampling', speculativeSamplingVerifier(), 'deterministic'],
    ['recursive-rejection (deterministic)', recursiveRejectionVerifier(), 'deterministic'],
    ['recursive-rejection (independent)', recursiveRejectionVerifier(), 'independent'],
    ['recursive-speculative', recursiveSpeculativeVerifier(), 'without-replacement'],
    ['spectr', specTrVerifier(), 'independent'],
    ['typical-acceptance', typicalAcceptanceVerifier(), 'deterministic'],
    ['default (deterministic)', defaultVerifier(), 'deterministic'],
    ['default (independent)', defaultVerifier(), 'independent'],
    ['default (without-replacement)', defaultVerifier(), 'without-replacement'],
  ];
  for (const [name, verifier, sampling] of allVerifiers) {
    it(`${name}: tokens of target probability 0 are never accepted`, () => {
      const rng = createRng(9);
      let draft = impossibleDraft(sampling);
      // Speculative sampling takes chains: keep the first root child and its first child.
      if (name.startsWith('speculative'))
        draft = { ...draft, tokens: [draft.tokens[0], draft.tokens[2]], parents: [-1, 0] };
      const p = target.distribution([]);
      expect(draft.tokens.length).toBeGreaterThan(0);
      for (let t = 0; t < 2000; t++) {
        const result = verifier.verify(verifyInputFor(target, draft, rng));
        expect(result.path).toEqual([]);
        expect(p[result.next]).toBeGreaterThan(0);
      }
    });
  }

  it('greedy: tokens other than the argmax are never accepted', () => {
    const greedy = multinomialSampler(0);
    const rng = createRng(10);
    const draft = impossibleDraft('deterministic');
    for (let t = 0; t < 10; t++) {
      expect(greedyVerifier().verify(verifyInputFor(target, draft, rng, greedy)).path).toEqual([]);
    }
  });
});

describe('inputs are never modified', () => {
  const verifiers: [string, Verifier, 'independent' | 'without-replacement'][] = [
    ['speculative-sampling', speculativeSamplingVerifier(), 'independent'],
    ['recursive-rejection', recursiveRejectionVerifier(), 'independent'],
    ['recursive-speculative', recursiveSpeculativeVerifier(), 'without-replacement'],
    ['spectr', specTrVerifier(), 'independent'],
    ['typical-acceptance', typicalAcceptanceVerifier(), 'independent'],
    ['default', defaultVerifier(), 'independent'],
  ];
  const q = randomTable(vocab, 4);
  for (const [name, verifier, sampling] of verifiers) {
    it(`${name} leaves the target logits and shared q rows untouched`, () => {
      const rng = createRng(11);
      for (let t = 0; t < 300; t++) {
        const branches = name === 'speculative-sampling' ? [1, 1, 1] : [3, 2];
        const draft = sampledTree(q, branches, sampling, rng);
        const input = verifyInputFor(target, draft, rng);
        const logits = input.targetLogits.data.slice();
        const rows = draft.q?.map((row) => row?.slice()) ?? [];
        verifier.verify(input);
        expect(input.targetLogits.data).toEqual(logits);
        expect(draft.q?.map((row) => row?.slice()) ?? []).toEqual(rows);
      }
    });
  }
});
