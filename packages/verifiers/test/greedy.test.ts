import { createRng, greedySampler, InvalidArgumentError, multinomialSampler } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { defaultVerifier, greedyVerifier, sampleMatchVerifier } from '../src/index.js';
import { fixedDraft, type ToyTable, verifyInputFor } from './helpers/kernel.js';

// A target whose argmax after any prefix is (last token + 1) mod 5, with 0 after the root.
const vocab = 5;
const argmaxOf = (prefix: readonly number[]) => (prefix.length === 0 ? 0 : (prefix[prefix.length - 1] + 1) % vocab);
const staircase: ToyTable = {
  vocab,
  distribution(prefix) {
    const row = new Float32Array(vocab).fill(0.1);
    row[argmaxOf(prefix)] = 0.6;
    return row;
  },
  logits(prefix) {
    return Float32Array.from(this.distribution(prefix), Math.log);
  },
};
const greedy = greedySampler();
const verify = (tokens: number[], parents: number[]) =>
  greedyVerifier().verify(verifyInputFor(staircase, fixedDraft(tokens, parents), createRng(1), greedy));

describe('greedyVerifier', () => {
  it('accepts the longest argmax-matching chain prefix and adds the argmax after it', () => {
    expect(verify([0, 1, 2, 3], [-1, 0, 1, 2])).toEqual({ path: [0, 1, 2, 3], next: 4 });
    expect(verify([0, 1, 4, 3], [-1, 0, 1, 2])).toEqual({ path: [0, 1], next: 2 });
    expect(verify([3, 4], [-1, 0])).toEqual({ path: [], next: 0 });
    expect(verify([], [])).toEqual({ path: [], next: 0 });
  });

  it('picks the deepest matching path of a tree, even below a later duplicate sibling', () => {
    // Root children 0 (dead end), 2 (wrong), 0 (continues with 1, 2).
    expect(verify([0, 2, 0, 1, 2], [-1, -1, -1, 2, 3])).toEqual({ path: [2, 3, 4], next: 3 });
  });

  it('takes the lowest node index among equally deep matches (the first path)', () => {
    expect(verify([0, 0, 1, 1], [-1, -1, 1, 0])).toEqual({ path: [1, 2], next: 2 });
  });

  it('refuses a sampler that samples at random, naming the alternatives', () => {
    const input = verifyInputFor(staircase, fixedDraft([0], [-1]), createRng(1), multinomialSampler(0.7));
    expect(() => greedyVerifier().verify(input)).toThrow(InvalidArgumentError);
    expect(() => greedyVerifier().verify(input)).toThrow(/sampleMatchVerifier|defaultVerifier/);
  });

  it('sample-match and default reduce to greedy under a greedy sampler, without random draws', () => {
    const draft = fixedDraft([0, 2, 0, 1, 2], [-1, -1, -1, 2, 3]);
    for (const verifier of [sampleMatchVerifier(), defaultVerifier()]) {
      const rng = createRng(5);
      const before = createRng(5).next();
      expect(verifier.verify(verifyInputFor(staircase, draft, rng, greedy))).toEqual({ path: [2, 3, 4], next: 3 });
      expect(rng.next()).toBe(before);
    }
  });

  it('applies the sampler chain processors before the argmax', () => {
    // A processor that bans token 0 moves the root's argmax elsewhere.
    const banZero = { name: 'ban-zero', process: (row: Float32Array) => void (row[0] = Number.NEGATIVE_INFINITY) };
    const input = verifyInputFor(staircase, fixedDraft([0], [-1]), createRng(1), greedySampler([banZero]));
    const result = greedyVerifier().verify(input);
    expect(result.path).toEqual([]);
    expect(result.next).not.toBe(0);
  });
});
