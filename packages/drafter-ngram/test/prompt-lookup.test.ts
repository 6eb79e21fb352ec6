import { createRng, greedySampler, isChain, treeChildren } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { NgramIndex } from '../src/ngram-index.js';
import { promptLookup } from '../src/prompt-lookup.js';
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

/** End offsets of earlier occurrences of the last n tokens, most recent first, by a plain scan. */
function naiveMatches(tokens: number[], n: number): number[] {
  const found: number[] = [];
  const length = tokens.length;
  if (length < n + 1) return found;
  for (let end = length - 1; end >= n; end--) {
    let same = true;
    for (let i = 0; i < n; i++) if (tokens[end - n + i] !== tokens[length - n + i]) same = false;
    if (same) found.push(end);
  }
  return found;
}

describe('NgramIndex', () => {
  it('finds the latest earlier occurrence, never the query itself', () => {
    const index = new NgramIndex(1, 3);
    index.sync([5, 6, 7, 9, 5, 6, 7, 8, 5, 6, 7]);
    // "5 6 7" ends at offsets 3, 7 and 11 (the query); the latest earlier one ends at 7.
    expect(index.latestMatches(3, 10)).toEqual([7, 3]);
    expect(index.latestMatches(1, 1)).toEqual([7]);
  });

  it('matches a plain scan after incremental growth on random sequences', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 20; trial++) {
      const index = new NgramIndex(1, 4);
      const tokens: number[] = [];
      for (let step = 0; step < 80; step++) {
        tokens.push(Math.floor(rng.next() * 4));
        if (rng.next() < 0.5) index.sync(tokens);
        else index.push(tokens[tokens.length - 1]);
        for (let n = 1; n <= 4; n++) expect(index.latestMatches(n, 1000)).toEqual(naiveMatches(tokens, n));
      }
    }
  });

  it('restarts when the tokens are not an extension of what it saw', () => {
    const index = new NgramIndex(1, 2);
    index.sync([1, 2, 3, 1, 2]);
    expect(index.latestMatches(2, 5)).toEqual([2]);
    index.sync([4, 4, 4]);
    expect(index.size).toBe(3);
    expect(index.latestMatches(2, 5)).toEqual([2]);
    expect(index.latestMatches(1, 5)).toEqual([2, 1]);
  });
});

describe('promptLookup', () => {
  it('copies what followed the latest match of the longest n-gram', () => {
    const drafter = promptLookup({ maxNgram: 3, maxDraftTokens: 4 });
    // The 3-gram "1 2 3" occurred twice; the latest is followed by 7 8 9 1.
    const draft = drafter.propose(draftContext([1, 2, 3, 4, 5, 0, 1, 2, 3, 7, 8, 9, 1, 2, 3]));
    expect(Array.from(draft.tokens)).toEqual([7, 8, 9, 1]);
    expect(isChain(draft.parents)).toBe(true);
    expect(draft.sampling).toBe('deterministic');
  });

  it('falls back to shorter n-grams and respects the length limits', () => {
    const drafter = promptLookup({ minNgram: 1, maxNgram: 3, maxDraftTokens: 10 });
    const tokens = [4, 9, 8, 7, 6, 5, 1, 2, 9];
    expect(Array.from(drafter.propose(draftContext(tokens)).tokens)).toEqual([8, 7, 6, 5, 1, 2, 9]);
    expect(Array.from(drafter.propose(draftContext(tokens, 2)).tokens)).toEqual([8, 7]);
    expect(drafter.propose(draftContext(tokens, 0)).tokens.length).toBe(0);
    expect(drafter.propose(draftContext([1, 2, 3])).tokens.length).toBe(0);
  });

  it('merges several matches into a tree, the best supported and most recent first', () => {
    const drafter = promptLookup({ maxNgram: 1, maxDraftTokens: 3, maxMatches: 3 });
    expect(drafter.requires?.treeDrafts).toBe(true);
    // After token 5: "1 2 3" (oldest), "1 2 4", "6 6 6" (latest), and the query 5.
    const draft = drafter.propose(draftContext([5, 1, 2, 3, 5, 1, 2, 4, 5, 6, 6, 6, 5]));
    const children = treeChildren(draft.parents);
    const rootTokens = children(-1).map((node) => draft.tokens[node]);
    expect(rootTokens).toEqual([1, 6]); // "1" is shared by two matches
    const one = children(-1)[0];
    const two = children(one)[0];
    expect(draft.tokens[two]).toBe(2);
    expect(children(two).map((node) => draft.tokens[node])).toEqual([4, 3]); // the more recent first
    expect(draft.tokens.length).toBe(7);
  });

  it('is token-identical to greedy autoregressive decoding and accepts drafts', async () => {
    const model = markovModel({ vocabSize: 24, order: 2, seed: 3 });
    for (const maxMatches of [1, 4]) {
      const { reference, result } = await compareWithAutoregressive(
        model,
        promptLookup({ maxMatches }),
        [1, 2, 3],
        120,
      );
      expect(result.tokens).toEqual(reference.tokens);
      expect(result.stats.tau).toBeGreaterThan(1.5);
    }
  });
});
