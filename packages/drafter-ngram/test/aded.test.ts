import { createRng, greedySampler, treeChildren } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { aded, searchDraftPaths, TrigramTable } from '../src/aded.js';
import { seededUniform } from '../src/options.js';
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

const searchSettings = {
  iterations: 150,
  searchDepth: 4,
  topPaths: 24,
  explorationBase: 32,
  explorationScale: 8,
};

describe('TrigramTable', () => {
  it('counts corpus trigrams as normalised weights per pair', () => {
    const table = new TrigramTable();
    table.addCorpus([
      [1, 2, 3, 1, 2, 3, 1, 2, 4],
      [7, 1, 2, 3],
    ]);
    // (1, 2) is followed by 3 three times and by 4 once.
    expect(table.successors(1, 2)).toEqual({ tokens: [3, 4], weights: [0.75, 0.25] });
    expect(table.weight(2, 3, 1)).toBe(1);
    expect(table.weight(9, 9, 9)).toBe(0);
  });

  it('keeps only the heaviest successors per pair', () => {
    const table = new TrigramTable(2);
    table.addCorpus([[0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 1]]);
    expect(table.successors(0, 0).tokens).toEqual([1, 2]);
  });

  it('reinforces recent trigrams by a step, up to a cap, replacing the lightest when full', () => {
    const table = new TrigramTable(2);
    table.adapt([5, 6, 7, 5, 6, 7], 0, 6, 0.5, 1.2);
    expect(table.weight(5, 6, 7)).toBe(1); // seen twice: 0.5 + 0.5
    table.adapt([5, 6, 7], 0, 3, 0.5, 1.2);
    expect(table.weight(5, 6, 7)).toBe(1.2); // capped
    table.adapt([5, 6, 8], 0, 3, 0.5, 1.2);
    table.adapt([5, 6, 9], 0, 3, 0.25, 1.2);
    expect(table.weight(5, 6, 9)).toBe(0); // full, and 0.25 does not outweigh 0.5
    table.adapt([5, 6, 9], 0, 3, 0.75, 1.2);
    expect(table.successors(5, 6).tokens).toEqual([7, 9]); // replaced the lightest (8)
  });
});

describe('ADED search', () => {
  it('returns paths along trigram edges, most visited first, reproducibly', () => {
    const table = new TrigramTable();
    table.addCorpus([[1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 9, 9, 1, 2, 8, 4]]);
    const run = () => searchDraftPaths(table, 1, 2, { ...searchSettings, uniform: seededUniform(1) });
    const paths = run();
    expect(paths.length).toBeGreaterThan(0);
    for (let k = 1; k < paths.length; k++) expect(paths[k - 1].visits).toBeGreaterThanOrEqual(paths[k].visits);
    for (const { tokens } of paths) {
      const context = [1, 2, ...tokens];
      for (let i = 2; i < context.length; i++)
        expect(table.weight(context[i - 2], context[i - 1], context[i])).toBeGreaterThan(0);
    }
    // (1, 2) -> 3 has twice the weight of (1, 2) -> 8, so the most visited path starts with 3.
    expect(paths[0].tokens[0]).toBe(3);
    expect(run()).toEqual(paths);
  });

  it('drafts a tree from the corpus with the most supported child first', () => {
    const drafter = aded({
      corpus: [[1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 7, 7]],
      learnFromPrompt: false,
      adaptationWindow: 0,
    });
    const draft = drafter.propose(draftContext([9, 1, 2]));
    const children = treeChildren(draft.parents);
    expect(draft.tokens[children(-1)[0]]).toBe(3);
    expect(draft.sampling).toBe('deterministic');
    expect(drafter.propose(draftContext([9, 1, 2], 3)).tokens.length).toBeLessThanOrEqual(3);
    expect(drafter.propose(draftContext([9, 1, 2], 0)).tokens.length).toBe(0);
  });

  it('learns from the committed tokens before each search (no corpus)', () => {
    const drafter = aded({ learnFromPrompt: false });
    expect(drafter.propose(draftContext([1, 2])).tokens.length).toBe(0);
    // Adapting over "1 2 3 1 2" adds (1,2)->3, (2,3)->1, (3,1)->2: the draft continues the cycle.
    const draft = drafter.propose(draftContext([1, 2, 3, 1, 2]));
    expect(Array.from(draft.tokens).slice(0, 4)).toEqual([3, 1, 2, 3]);
    expect(Array.from(draft.parents).slice(0, 4)).toEqual([-1, 0, 1, 2]);
  });

  it('needs an encode function for text corpora', () => {
    expect(() => aded({ corpus: 'some text' })).toThrow(/encode/);
    const drafter = aded({ corpus: 'abcabc', encode: (text) => Array.from(text, (c) => c.charCodeAt(0)) });
    expect(drafter.name).toBe('aded');
  });

  it('is token-identical to greedy autoregressive decoding and adapts to the output', async () => {
    const model = markovModel({ vocabSize: 12, order: 3, seed: 2 });
    const { reference, result } = await compareWithAutoregressive(model, aded(), [1, 2, 3], 150);
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.stats.tau).toBeGreaterThan(1.5);
  });
});
