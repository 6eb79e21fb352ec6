import {
  createMatrix,
  createRng,
  type Draft,
  type DrafterStartContext,
  greedySampler,
  topK,
  treeChildren,
  treeDepths,
} from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  CandidateMatrix,
  compileTemplate,
  tokenRecycling,
  tokenRecyclingTreeTemplate,
} from '../src/token-recycling.js';
import { compareWithAutoregressive, markovModel } from './support.js';

const vocabSize = 16;

function startContext(prompt: number[]): DrafterStartContext {
  const model = markovModel({ vocabSize });
  return { prompt: Int32Array.from(prompt), target: model, sampler: greedySampler() };
}

function draftContext(tokens: number[], maxTokens = 100) {
  return { tokens: Int32Array.from(tokens), promptLength: 1, maxTokens, sampler: greedySampler(), rng: createRng(0) };
}

/** A logits row that ranks `order` first, second, ... and every other token below. */
function rankedRow(order: number[]): Float32Array {
  const row = new Float32Array(vocabSize).fill(-10);
  order.forEach((token, rank) => {
    row[token] = 10 - rank;
  });
  return row;
}

describe('tokenRecyclingTreeTemplate', () => {
  it('is the paper template: 80 nodes, 8/21/25/15/8/3 per depth, parents first', () => {
    expect(tokenRecyclingTreeTemplate.length).toBe(80);
    const { parents } = compileTemplate(tokenRecyclingTreeTemplate, 8);
    const perDepth = [0, 0, 0, 0, 0, 0];
    for (const depth of treeDepths(parents)) perDepth[depth - 1]++;
    expect(perDepth).toEqual([8, 21, 25, 15, 8, 3]);
  });

  it('rejects ranks outside topK and children listed before their parent', () => {
    expect(() => compileTemplate([[0], [1]], 1)).toThrow(/topK/);
    expect(() => compileTemplate([[0, 0], [0]], 2)).toThrow(/parent/);
  });
});

describe('CandidateMatrix', () => {
  it('stores the top-k of a row, best first, and stays under 2 MB for a 4,096 vocabulary', () => {
    const matrix = new CandidateMatrix(vocabSize, 3);
    expect(matrix.candidate(4, 0)).toBe(-1);
    matrix.update(4, rankedRow([9, 2, 7, 1]));
    expect([0, 1, 2].map((rank) => matrix.candidate(4, rank))).toEqual([9, 2, 7]);
    expect(new CandidateMatrix(4096, 8).byteLength).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('tokenRecycling', () => {
  it('drafts nothing until it has seen target rows, and nothing when no room', async () => {
    const drafter = tokenRecycling();
    await drafter.start?.(startContext([1, 2]));
    expect(drafter.propose(draftContext([1, 2])).tokens.length).toBe(0);
  });

  it('learns from every verified row, accepted or rejected, and walks the template over it', async () => {
    const drafter = tokenRecycling({ topK: 2, treeTemplate: [[0], [1], [0, 0], [0, 1], [1, 0], [0, 0, 0]] });
    await drafter.start?.(startContext([1, 3]));
    // Root 3 with draft 5 -> 6 and a rejected sibling 7: every one of the four rows is recycled.
    const draft: Draft = { tokens: [5, 6, 7], parents: [-1, 0, -1], sampling: 'deterministic' };
    const rows = [rankedRow([5, 7]), rankedRow([6, 2]), rankedRow([8, 9]), rankedRow([10, 11])];
    const data = new Float32Array(4 * vocabSize);
    for (const [r, row] of rows.entries()) data.set(row, r * vocabSize);
    await drafter.observe?.({
      draft,
      acceptedPath: [0],
      nextToken: 6,
      tokens: Int32Array.from([1, 3, 5, 6]),
      targetLogits: createMatrix(4, vocabSize, data),
    });
    // Root is now 3 again (a context that ends in 3): [0] = 5, [1] = 7, [0,0] = 6, [0,1] = 2,
    // [1,0] = 10 (from the rejected node's row), [0,0,0] = 8.
    const next = drafter.propose(draftContext([1, 3, 5, 6, 3]));
    expect(Array.from(next.tokens)).toEqual([5, 7, 6, 2, 10, 8]);
    expect(Array.from(next.parents)).toEqual([-1, -1, 0, 0, 1, 2]);
    // Token 2's row was never written: a draft from it is empty.
    expect(drafter.propose(draftContext([2])).tokens.length).toBe(0);
    // The node budget keeps the first template nodes, parents first.
    expect(Array.from(drafter.propose(draftContext([3], 3)).tokens)).toEqual([5, 7, 6]);
    expect(drafter.propose(draftContext([3], 0)).tokens.length).toBe(0);
  });

  it('updates rows with the same top-k selection as core', () => {
    const rng = createRng(3);
    const row = Float32Array.from({ length: 64 }, () => rng.next());
    const matrix = new CandidateMatrix(64, 8);
    matrix.update(0, row);
    expect(Array.from(matrix.candidates.subarray(0, 8))).toEqual(Array.from(topK(row, 8)));
  });

  it('is token-identical to greedy autoregressive decoding and accepts drafts', async () => {
    const model = markovModel({ vocabSize: 32, order: 2, seed: 11 });
    const { reference, result } = await compareWithAutoregressive(model, tokenRecycling(), [4, 5, 6], 150, 80);
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.stats.tau).toBeGreaterThan(2);
  });

  it('lists the most likely child first at every node', async () => {
    const model = markovModel({ vocabSize: 32, order: 2, seed: 5 });
    const drafter = tokenRecycling();
    await compareWithAutoregressive(model, drafter, [1, 2], 40, 80);
    const draft = drafter.propose(draftContext([1, 2]));
    const children = treeChildren(draft.parents);
    for (let node = -1; node < draft.tokens.length; node++) {
      const list = children(node);
      if (list.length === 0) continue;
      const parentToken = node < 0 ? 2 : draft.tokens[node];
      // The first child is the target's top-1 after the parent token (the model is a bigram).
      expect(draft.tokens[list[0]]).toBe(topK(model.logitsFor([parentToken]), 1)[0]);
    }
  });
});
