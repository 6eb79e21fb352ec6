import { createMatrix, createRng, type Draft, greedySampler, treeDepths } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { lookahead, NgramPool } from '../src/lookahead.js';
import { compareWithAutoregressive, markovModel } from './support.js';

function draftContext(tokens: number[], maxTokens = 64) {
  return {
    tokens: Int32Array.from(tokens),
    promptLength: tokens.length,
    maxTokens,
    sampler: greedySampler(),
    rng: createRng(0),
  };
}

describe('NgramPool', () => {
  it('keeps up to capacity continuations per first token, FIFO, re-inserts move to the back', () => {
    const pool = new NgramPool(2);
    pool.insert([1, 2, 3], 0, 3);
    pool.insert([1, 4, 5], 0, 3);
    expect(pool.lookup(1).map((c) => Array.from(c))).toEqual([
      [4, 5],
      [2, 3],
    ]);
    pool.insert([1, 2, 3], 0, 3); // moves [2, 3] to the back (most recent)
    pool.insert([1, 6, 7], 0, 3); // full: drops the oldest, [4, 5]
    expect(pool.lookup(1).map((c) => Array.from(c))).toEqual([
      [6, 7],
      [2, 3],
    ]);
    expect(pool.lookup(9)).toEqual([]);
  });
});

describe('lookahead', () => {
  it('proposes pool n-grams first, then the Jacobi window as diagonal chains', async () => {
    const model = markovModel({ vocabSize: 16 });
    const drafter = lookahead({ window: 3, ngram: 3, guesses: 2, poolFromPrompt: true });
    await drafter.start?.({ prompt: Int32Array.from([1, 2, 3, 1, 4, 5]), target: model, sampler: greedySampler() });
    const draft = drafter.propose(draftContext([1, 2, 3, 1, 4, 5, 1]));
    // Pool entries under 1: [2, 3] (older) and [4, 5] (latest first); then one window level of 3.
    expect(Array.from(draft.tokens).slice(0, 4)).toEqual([4, 5, 2, 3]);
    expect(Array.from(draft.parents)).toEqual([-1, 0, -1, 2, -1, 4, 5]);
    expect(Array.from(treeDepths(draft.parents).slice(4))).toEqual([1, 2, 3]);
    // The window drops first when the budget is short.
    expect(drafter.propose(draftContext([1, 2, 3, 1, 4, 5, 1], 4)).tokens.length).toBe(4);
    expect(drafter.propose(draftContext([1], 0)).tokens.length).toBe(0);
  });

  it("turns the deepest level's target rows into the next level and its diagonals into pool n-grams", async () => {
    const vocab = 16;
    const model = markovModel({ vocabSize: vocab });
    const drafter = lookahead({ window: 2, ngram: 3, guesses: 2 });
    await drafter.start?.({ prompt: Int32Array.from([9, 9, 9]), target: model, sampler: greedySampler() });
    /** Target rows whose argmax are `best` (row 0 after the root, row i + 1 after node i). */
    const feedback = (draft: Draft, context: number[], best: number[]) => {
      const data = new Float32Array(best.length * vocab);
      best.forEach((token, row) => {
        data[row * vocab + token] = 1;
      });
      return {
        draft,
        acceptedPath: [],
        nextToken: best[0],
        tokens: Int32Array.from([...context, best[0]]),
        targetLogits: createMatrix(best.length, vocab, data),
      };
    };
    // Step 1: one level (prompt tokens); its rows give the second level [1, 2].
    const first = drafter.propose(draftContext([7, 8]));
    expect(Array.from(first.tokens)).toEqual([9, 9]);
    expect(Array.from(first.parents)).toEqual([-1, 0]);
    drafter.observe?.(feedback(first, [7, 8], [1, 2, 3]));
    // Step 2: two levels, column by column: (0,0)=9, (1,0)=1 under the root; (0,1)=9, (1,1)=2 under (0,0).
    const second = drafter.propose(draftContext([7, 8, 1]));
    expect(Array.from(second.tokens)).toEqual([9, 1, 9, 2]);
    expect(Array.from(second.parents)).toEqual([-1, -1, 0, 0]);
    // The new level: column 0 after the root -> 4, column 1 after (1,0) = node 1 (row 2) -> 5. The
    // n-grams: [8, 1, 4] (committed tokens, then the new token) and [1, 1, 5] (root, level 1, new).
    drafter.observe?.(feedback(second, [7, 8, 1], [4, 6, 5, 6, 6]));
    const third = drafter.propose(draftContext([3, 8]));
    expect(Array.from(third.tokens).slice(0, 2)).toEqual([1, 4]);
    const fourth = drafter.propose(draftContext([3, 1]));
    expect(Array.from(fourth.tokens).slice(0, 2)).toEqual([1, 5]);
    // The window shifted: level 0 is now [1, 2], level 1 the new [4, 5].
    expect(Array.from(fourth.tokens).slice(2)).toEqual([1, 4, 2, 5]);
  });

  it('fills its levels from target rows and hangs each level on the diagonal of the previous one', async () => {
    const model = markovModel({ vocabSize: 16, order: 2, seed: 9 });
    const drafter = lookahead({ window: 4, ngram: 4, guesses: 3 });
    await compareWithAutoregressive(model, drafter, [3, 1, 4, 1, 5], 30);
    const draft = drafter.propose(draftContext([3, 1, 4]));
    // With every level filled, the window alone is 3 levels x 4 columns; level r, column c sits at depth c + 1.
    expect(draft.tokens.length).toBeGreaterThanOrEqual(12);
    const depths = treeDepths(draft.parents);
    const window = draft.tokens.length - 12;
    for (let c = 0; c < 4; c++) for (let r = 0; r < 3; r++) expect(depths[window + c * 3 + r]).toBe(c + 1);
  });

  it('is token-identical to greedy autoregressive decoding and accepts drafts', async () => {
    const model = markovModel({ vocabSize: 24, order: 2, seed: 3 });
    const { reference, result } = await compareWithAutoregressive(model, lookahead(), [1, 2, 3], 150);
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.stats.tau).toBeGreaterThan(1.5);
  });

  it('still decodes exactly on a chain-only target', async () => {
    const model = markovModel({ vocabSize: 24, order: 2, seed: 3, treeAttention: false });
    const { reference, result } = await compareWithAutoregressive(
      model,
      lookahead({ poolFromPrompt: true }),
      [1, 2, 3, 1, 2],
      60,
    );
    expect(result.tokens).toEqual(reference.tokens);
  });
});
