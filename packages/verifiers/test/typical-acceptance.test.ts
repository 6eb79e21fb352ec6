// Typical acceptance is lossy by design: these tests pin its acceptance rule and show, with a
// measured total-variation distance, that its output differs from the target distribution where
// an exact verifier's does not. The figures are quoted in docs/methods/verification-typical-acceptance.md.
import { createRng, entropy, type Verifier } from '@decodekit/core';
import { totalVariationDistance } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import { speculativeSamplingVerifier, typicalAcceptanceVerifier } from '../src/index.js';
import {
  fixedDraft,
  randomTable,
  sampledTree,
  simulate,
  type ToyTable,
  tableWithRoot,
  verifyInputFor,
} from './helpers/kernel.js';

const rest = randomTable(4, 17);
const root = [0.4, 0.3, 0.2, 0.1];
const target = tableWithRoot(root, rest);
const trials = 100_000;

describe('typicalAcceptanceVerifier: the acceptance rule', () => {
  const three = tableWithRoot([0.5, 0.45, 0.05], randomTable(3, 2));
  const verifier = typicalAcceptanceVerifier();
  const verify = (tokens: number[], parents: number[], table: ToyTable = three, v: Verifier = verifier) =>
    v.verify(verifyInputFor(table, fixedDraft(tokens, parents), createRng(3)));

  it('accepts x when p(x) > min(ε, δ·exp(−H(p))) and the parent was accepted', () => {
    const p = three.distribution([]);
    const bar = Math.min(0.09, 0.3 * Math.exp(-entropy(p)));
    expect(p[1]).toBeGreaterThan(bar);
    expect(p[2]).toBeLessThan(bar);
    expect(verify([1], [-1]).path).toEqual([0]);
    expect(verify([2], [-1]).path).toEqual([]);
    // A child below a rejected node is never accepted.
    expect(verify([2, 0], [-1, 0]).path).toEqual([]);
  });

  it('ε and δ move the bar', () => {
    expect(verify([2], [-1], three, typicalAcceptanceVerifier({ posteriorThreshold: 0.04 })).path).toEqual([0]);
    expect(verify([2], [-1], three, typicalAcceptanceVerifier({ posteriorAlpha: 0.01 })).path).toEqual([0]);
    expect(
      verify([1], [-1], three, typicalAcceptanceVerifier({ posteriorThreshold: 0.5, posteriorAlpha: 2 })).path,
    ).toEqual([]);
  });

  it('prefers the deeper path, then the likelier one, and adds the argmax after it', () => {
    // Root children 1 and 0 both pass; equal depth: token 0 (p = 0.5) beats token 1 (p = 0.45).
    const result = verify([1, 0], [-1, -1]);
    expect(result.path).toEqual([1]);
    const after = three.distribution([0]);
    expect(result.next).toBe(after.indexOf(Math.max(...after)));
  });

  it("bonusToken: 'sample' draws the next token from p", () => {
    const verifier = typicalAcceptanceVerifier({ bonusToken: 'sample' });
    const seen = new Set<number>();
    const rng = createRng(4);
    for (let t = 0; t < 200; t++) seen.add(verifier.verify(verifyInputFor(three, fixedDraft([2], [-1]), rng)).next);
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('typicalAcceptanceVerifier is lossy (total-variation distance to the target)', () => {
  const uniform: ToyTable = {
    vocab: 4,
    distribution: () => new Float32Array(4).fill(0.25),
    logits: () => new Float32Array(4),
  };

  it('a draft of the argmax is always accepted: the first token is a point mass (TV = 1 − max p = 0.6)', () => {
    const result = simulate(typicalAcceptanceVerifier(), {
      target,
      makeDraft: () => fixedDraft([0], [-1]),
      trials: 10_000,
      outputLength: 1,
      seed: 1,
    });
    expect(totalVariationDistance(result.counts, result.expected)).toBeCloseTo(0.6, 6);
  });

  it('uniform drafts all clear the bar: the first token is uniform (TV = 0.2), where speculative sampling stays exact', () => {
    const makeDraft = (rng: Parameters<typeof sampledTree>[3]) => sampledTree(uniform, [1], 'independent', rng);
    const lossy = simulate(typicalAcceptanceVerifier(), { target, makeDraft, trials, outputLength: 1, seed: 2 });
    const exact = simulate(speculativeSamplingVerifier(), { target, makeDraft, trials, outputLength: 1, seed: 2 });
    const lossyDistance = totalVariationDistance(lossy.counts, lossy.expected);
    expect(lossyDistance).toBeGreaterThan(0.18);
    expect(lossyDistance).toBeLessThan(0.22);
    expect(totalVariationDistance(exact.counts, exact.expected)).toBeLessThan(0.01);
  });

  it('random target and draft tables, chain of 3: the joint of two tokens is far from the target', () => {
    const table = randomTable(5, 11, { zeroFraction: 0.2 });
    const draftTable = randomTable(5, 23, { zeroFraction: 0.1, sharpness: 1 });
    const makeDraft = (rng: Parameters<typeof sampledTree>[3]) =>
      sampledTree(draftTable, [1, 1, 1], 'independent', rng);
    const lossy = simulate(typicalAcceptanceVerifier(), { target: table, makeDraft, trials, outputLength: 2, seed: 3 });
    const exact = simulate(speculativeSamplingVerifier(), {
      target: table,
      makeDraft,
      trials,
      outputLength: 2,
      seed: 3,
    });
    expect(totalVariationDistance(lossy.counts, lossy.expected)).toBeGreaterThan(0.1);
    expect(totalVariationDistance(exact.counts, exact.expected)).toBeLessThan(0.012);
  });
});
