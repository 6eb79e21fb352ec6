import { describe, expect, it } from 'vitest';
import { DraftSequence } from '../src/internal/draft-sequence.js';
import { draftModelFor, targetModel } from './helpers.js';

describe('DraftSequence', () => {
  it('catches up with the committed tokens by feeding only the uncached tail', async () => {
    const model = draftModelFor(targetModel());
    const draft = new DraftSequence(model);
    await draft.reset([1, 2, 3, 4]);
    expect(Array.from(draft.tokens())).toEqual([1, 2, 3]);
    const before = model.forwardTokens;
    const out = await draft.catchUp([1, 2, 3, 4]);
    expect(model.forwardTokens - before).toBe(1);
    expect(Array.from(out.logits)).toEqual(Array.from(model.logitsFor([1, 2, 3, 4])));
    // Draft two tokens, then the target accepts one and adds its own token.
    await draft.feed([9]);
    await draft.feed([8]);
    const mark = model.forwardTokens;
    const next = await draft.catchUp([1, 2, 3, 4, 9, 7]);
    expect(model.forwardTokens - mark).toBe(1); // only the target's token 7
    expect(Array.from(draft.tokens())).toEqual([1, 2, 3, 4, 9, 7]);
    expect(Array.from(next.logits)).toEqual(Array.from(model.logitsFor([1, 2, 3, 4, 9, 7])));
  });

  it('reuses the output after the last token when nothing new was committed, as a copy', async () => {
    const model = draftModelFor(targetModel());
    const draft = new DraftSequence(model);
    await draft.reset([5, 6]);
    const first = await draft.catchUp([5, 6]);
    const calls = model.forwardCalls;
    const again = await draft.catchUp([5, 6]);
    expect(model.forwardCalls).toBe(calls);
    expect(again.logits).not.toBe(first.logits);
    expect(Array.from(again.logits)).toEqual(Array.from(first.logits));
  });

  it('re-runs the last token when its output is unknown, and drops rejected tokens', async () => {
    const model = draftModelFor(targetModel());
    const draft = new DraftSequence(model);
    await draft.reset([1, 2, 3]);
    await draft.catchUp([1, 2, 3]);
    await draft.feed([4]);
    await draft.feed([5]);
    // The target committed exactly the first draft token (no new token after it yet).
    const out = await draft.catchUp([1, 2, 3, 4]);
    expect(Array.from(draft.tokens())).toEqual([1, 2, 3, 4]);
    expect(Array.from(out.logits)).toEqual(Array.from(model.logitsFor([1, 2, 3, 4])));
    await draft.feed([6]); // a draft token the target then rejects for 8
    expect(await draft.dropMismatch([1, 2, 3, 4, 8])).toBe(4);
    expect(Array.from(draft.tokens())).toEqual([1, 2, 3, 4]);
  });

  it('speculative catch-ups do not move the committed mark, so later rejections are still found', async () => {
    const model = draftModelFor(targetModel());
    const draft = new DraftSequence(model);
    await draft.reset([1, 2]);
    await draft.catchUp([1, 2, 3, 4], { speculative: true }); // 3, 4 are unverified guesses
    await draft.catchUp([1, 2, 3, 6]);
    expect(Array.from(draft.tokens())).toEqual([1, 2, 3, 6]);
    await draft.dispose();
    await draft.reset([7, 8]);
    expect(Array.from(draft.tokens())).toEqual([7]);
  });
});
