import { createRng, emptyDraft, greedySampler } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { frequentSuccessorDrafter } from '../src/index.js';

const context = (tokens: number[], maxTokens = 16) => ({
  tokens: Int32Array.from(tokens),
  promptLength: tokens.length,
  maxTokens,
  sampler: greedySampler(),
  rng: createRng(0),
});

describe('frequentSuccessorDrafter', () => {
  it('follows the most frequent successor, the most recent one on ties', async () => {
    const drafter = frequentSuccessorDrafter({ initialDraftTokens: 4 });
    // 5 is followed by 6 twice and by 7 once; 6 by 5; the root is 5.
    const draft = await drafter.propose(context([5, 6, 5, 7, 5, 6, 5]) as never);
    expect(Array.from(draft.tokens)).toEqual([6, 5, 6, 5]);
    expect(Array.from(draft.parents)).toEqual([-1, 0, 1, 2]);
    expect(draft.sampling).toBe('deterministic');
  });

  it('learns from a corpus and respects minCount and maxTokens', async () => {
    const drafter = frequentSuccessorDrafter({
      corpus: [9, 8, 9, 8, 7],
      minCount: 2,
      initialDraftTokens: 5,
      maxDraftTokens: 5,
    });
    // 9 → 8 twice, 8 → 9 once and 8 → 7 once: below minCount, so the chain stops after 8.
    expect(Array.from((await drafter.propose(context([9]) as never)).tokens)).toEqual([8]);
    expect(await drafter.propose(context([9], 0) as never)).toBe(emptyDraft);
  });

  it('adapts the draft length to what the target accepts', async () => {
    const drafter = frequentSuccessorDrafter({ initialDraftTokens: 2, maxDraftTokens: 4 });
    const tokens = [1, 2, 1, 2, 1, 2, 1];
    const feedback = (draft: { tokens: ArrayLike<number> }, accepted: number) =>
      ({ draft, acceptedPath: Array.from({ length: accepted }, (_, i) => i) }) as never;
    let draft = await drafter.propose(context(tokens) as never);
    expect(draft.tokens.length).toBe(2);
    await drafter.observe?.(feedback(draft, 2)); // all accepted: one more
    draft = await drafter.propose(context(tokens) as never);
    expect(draft.tokens.length).toBe(3);
    await drafter.observe?.(feedback(draft, 0)); // rejected at once: back to 1
    draft = await drafter.propose(context(tokens) as never);
    expect(draft.tokens.length).toBe(1);
  });

  it('rejects bad options with the setting named', () => {
    expect(() => frequentSuccessorDrafter({ maxDraftTokens: 0 })).toThrow(/maxDraftTokens/);
    expect(() => frequentSuccessorDrafter({ maxDraftTokens: 2, initialDraftTokens: 3 })).toThrow(/initialDraftTokens/);
  });
});
