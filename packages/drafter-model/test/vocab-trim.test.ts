import { createRng, createSamplerChain, generate, greedySampler, speculative, temperature } from '@decodekit/core';
import { defaultVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import { vocabTrim } from '../src/index.js';
import { draftModelFor, targetModel } from './helpers.js';

describe('vocabTrim', () => {
  const calibration = [5, 5, 5, 5, 9, 9, 9, 2, 2, 7, 30];

  it('keeps the most frequent calibration tokens, most frequent first', () => {
    const drafter = vocabTrim({ draftModel: draftModelFor(targetModel()), keep: 3, calibrationTokens: calibration });
    expect(Array.from(drafter.keptTokens)).toEqual([5, 9, 2]);
  });

  it('drafts only kept tokens, with q renormalised over them', async () => {
    const target = targetModel();
    const keep = [5, 9, 2, 7];
    const drafter = vocabTrim({ draftModel: draftModelFor(target), keep: 4, calibrationTokens: calibration, gamma: 5 });
    const prompt = Int32Array.from([1, 2, 3]);
    const sampler = createSamplerChain({ processors: [temperature(1)] });
    await drafter.start?.({ prompt, target, sampler });
    for (const chain of [sampler, greedySampler()]) {
      const draft = await drafter.propose({
        tokens: prompt,
        promptLength: 3,
        maxTokens: 8,
        sampler: chain,
        rng: createRng(1),
      });
      expect(draft.tokens.length).toBe(5);
      for (const token of Array.from(draft.tokens)) expect(keep).toContain(token);
      for (const row of draft.q ?? []) {
        if (!row) throw new Error('a sampled node has no q row');
        let kept = 0;
        for (let v = 0; v < row.length; v++) if (keep.includes(v)) kept += row[v];
        expect(kept).toBeCloseTo(1, 5);
      }
    }
    await drafter.dispose?.();
  });

  it('stays token-identical to greedy decoding even when the kept set misses the target tokens', async () => {
    const target = targetModel();
    const prompt = [3, 1, 4, 1, 5, 9, 2, 6];
    const plain = await generate({ model: target, prompt, maxNewTokens: 40 });
    for (const keep of [1, 8, 32]) {
      const drafter = vocabTrim({
        draftModel: draftModelFor(target, { noise: 1 }),
        keep,
        calibrationTokens: plain.tokens,
      });
      const result = await generate({
        model: target,
        prompt,
        maxNewTokens: 40,
        strategy: speculative({ drafter, verifier: defaultVerifier() }),
      });
      expect(result.tokens).toEqual(plain.tokens);
    }
  });

  it('rejects bad options', () => {
    const draftModel = draftModelFor(targetModel());
    expect(() => vocabTrim({ draftModel, keep: 0, calibrationTokens: calibration })).toThrow(/keep/);
    expect(() => vocabTrim({ draftModel, keep: 4, calibrationTokens: [] })).toThrow(/calibration/);
    expect(() => vocabTrim({ draftModel, keep: 4, calibrationTokens: [99] })).toThrow(/outside/);
  });
});
