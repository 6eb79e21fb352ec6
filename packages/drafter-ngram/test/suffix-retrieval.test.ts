import { autoregressive, createRng, generate, greedySampler, treeChildren } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { buildSuffixArray, suffixRange } from '../src/suffix-array.js';
import { buildSuffixIndex, SuffixIndex, suffixRetrieval } from '../src/suffix-retrieval.js';
import { compareWithAutoregressive, markovModel } from './support.js';

function naiveSuffixArray(text: Int32Array): number[] {
  const starts = Array.from(text, (_, i) => i);
  return starts.sort((a, b) => {
    for (let k = 0; ; k++) {
      if (a + k >= text.length) return -1;
      if (b + k >= text.length) return 1;
      if (text[a + k] !== text[b + k]) return text[a + k] - text[b + k];
    }
  });
}

function draftContext(tokens: number[], maxTokens = 64) {
  return {
    tokens: Int32Array.from(tokens),
    promptLength: tokens.length,
    maxTokens,
    sampler: greedySampler(),
    rng: createRng(0),
  };
}

describe('buildSuffixArray (SA-IS)', () => {
  it('equals a naive sort of the suffixes on random strings', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 300; trial++) {
      const length = Math.floor(rng.next() * (trial < 100 ? 12 : 400));
      const alphabet = 1 + Math.floor(rng.next() * (trial % 3 === 0 ? 2 : 30));
      const text = Int32Array.from({ length }, () => Math.floor(rng.next() * alphabet));
      expect(Array.from(buildSuffixArray(text, alphabet))).toEqual(naiveSuffixArray(text));
    }
  });

  it('handles long runs and periodic text', () => {
    for (const text of [new Int32Array(1000).fill(3), Int32Array.from({ length: 999 }, (_, i) => i % 3)]) {
      expect(Array.from(buildSuffixArray(text, 3))).toEqual(naiveSuffixArray(text));
    }
  });

  it('finds exactly the occurrences of a pattern', () => {
    const rng = createRng(5);
    const text = Int32Array.from({ length: 500 }, () => Math.floor(rng.next() * 3));
    const sa = buildSuffixArray(text, 3);
    for (let trial = 0; trial < 50; trial++) {
      const pattern = Array.from({ length: 1 + (trial % 6) }, () => Math.floor(rng.next() * 3));
      const { start, end } = suffixRange(text, sa, pattern);
      const found = Array.from(sa.subarray(start, end)).sort((a, b) => a - b);
      const expected: number[] = [];
      for (let i = 0; i + pattern.length <= text.length; i++) {
        if (pattern.every((token, k) => text[i + k] === token)) expected.push(i);
      }
      expect(found).toEqual(expected);
    }
  });
});

describe('suffixRetrieval', () => {
  it('drafts the most frequent continuations of the longest matching suffix', () => {
    const corpus = [
      [1, 2, 3, 4, 5],
      [9, 2, 3, 4, 6],
      [7, 2, 3, 4, 5, 8],
      [2, 3, 9, 9],
    ];
    const drafter = suffixRetrieval({ corpus, maxSuffixLength: 4, continuationLength: 2 });
    const draft = drafter.propose(draftContext([0, 2, 3, 4]));
    // "2 3 4" is the longest match (3 times): continuations 5 (twice, then 8 or end) and 6.
    const children = treeChildren(draft.parents);
    expect(children(-1).map((node) => draft.tokens[node])).toEqual([5, 6]);
    expect(children(children(-1)[0]).map((node) => draft.tokens[node])).toEqual([8]); // documents end: no crossing
    expect(draft.tokens.length).toBe(3);
    expect(drafter.propose(draftContext([0, 2, 3, 4], 1)).tokens.length).toBe(1);
    expect(drafter.propose(draftContext([0, 2, 3, 4], 0)).tokens.length).toBe(0);
    expect(drafter.propose(draftContext([0, 11])).tokens.length).toBe(0);
  });

  it('needs a corpus, and text needs encode', () => {
    expect(() => suffixRetrieval({})).toThrow(/corpus/);
    expect(() => suffixRetrieval({ corpus: 'abc' })).toThrow(/encode/);
    const index = buildSuffixIndex('abcab', (text) => Array.from(text, (c) => c.charCodeAt(0)));
    expect(index).toBeInstanceOf(SuffixIndex);
    expect(index.length).toBe(5);
    expect(index.find([97, 98]).end - index.find([97, 98]).start).toBe(2);
  });

  it('is token-identical to greedy autoregressive decoding with a corpus of similar text', async () => {
    const model = markovModel({ vocabSize: 40, order: 3, seed: 8 });
    // The datastore: what the model wrote from other prompts.
    const corpus: number[][] = [];
    for (const start of [1, 2, 5, 7, 9])
      corpus.push(
        (await generate({ model, prompt: [start, 3], maxNewTokens: 200, strategy: autoregressive() })).tokens,
      );
    const { reference, result } = await compareWithAutoregressive(model, suffixRetrieval({ corpus }), [2, 3], 150);
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.stats.tau).toBeGreaterThan(1.5);
  });
});
