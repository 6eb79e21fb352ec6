import { createSamplerChain, type Drafter, generate, greedySampler, speculative, temperature } from '@decodekit/core';
import { checkDrafterSampling } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import { pearl } from '../src/index.js';
import { draftModelFor, targetModel } from './helpers.js';
import { longHorizonPValue } from './long-horizon.js';

const prompt = [3, 1, 4, 1, 5, 9, 2, 6];

describe('pearl', () => {
  it('is token-identical to greedy decoding with synchronous and asynchronous draft models, with and without pre-verify', async () => {
    const target = targetModel();
    const plain = await generate({ model: target, prompt, maxNewTokens: 50 });
    for (const asynchronous of [false, true])
      for (const preVerify of [false, true])
        for (const noise of [0.5, 3]) {
          const drafter = pearl({ draftModel: draftModelFor(target, { noise, asynchronous }), gamma: 3, preVerify });
          const result = await generate({
            model: target,
            prompt,
            maxNewTokens: 50,
            strategy: speculative({ drafter, verifier: defaultVerifier() }),
          });
          expect(result.tokens).toEqual(plain.tokens);
        }
  });

  it('proposes windows drafted during the previous verification (post-verify) and empty drafts after a rejection (pre-verify)', async () => {
    const target = targetModel();
    const draftModel = draftModelFor(target, { noise: 0 });
    const inner = pearl({ draftModel, gamma: 4 });
    const lengths: number[] = [];
    const forwardsBefore: number[] = [];
    const drafter: Drafter = {
      ...inner,
      start: inner.start?.bind(inner),
      observe: inner.observe?.bind(inner),
      dispose: inner.dispose?.bind(inner),
      async propose(context) {
        forwardsBefore.push(draftModel.forwardCalls);
        const draft = await inner.propose(context);
        lengths.push(draft.tokens.length);
        return draft;
      },
    };
    const result = await generate({
      model: target,
      prompt,
      maxNewTokens: 41,
      strategy: speculative({ drafter, verifier: defaultVerifier() }),
    });
    // A perfect draft: every window is accepted and the bonus matches e_1, so from the second step on
    // each window was drafted in the background.
    expect(result.stats.accepted).toBe(result.stats.drafted);
    expect(lengths.slice(0, 4)).toEqual([4, 4, 4, 4]);

    const poor = pearl({ draftModel: draftModelFor(target, { noise: 60 }), gamma: 4 });
    const seen: number[] = [];
    await generate({
      model: target,
      prompt,
      maxNewTokens: 30,
      strategy: speculative({
        drafter: {
          ...poor,
          start: poor.start?.bind(poor),
          observe: poor.observe?.bind(poor),
          dispose: poor.dispose?.bind(poor),
          async propose(context) {
            const draft = await poor.propose(context);
            seen.push(draft.tokens.length);
            return draft;
          },
        },
        verifier: defaultVerifier(),
      }),
    });
    expect(seen).toContain(0);
  });

  it('keeps the target distribution under sampling (pre- and post-verify reuse included)', async () => {
    const target = targetModel();
    for (const noise of [0.3, 2]) {
      const result = await checkDrafterSampling(
        () => pearl({ draftModel: draftModelFor(target, { noise }), gamma: 2, preVerify: true }),
        {
          samplingRuns: 6000,
        },
      );
      expect(result.passed, result.message).toBe(true);
    }
  }, 60_000);

  it('samples reproducibly from a seed with an asynchronous draft model', async () => {
    const target = targetModel();
    const once = async () =>
      generate({
        model: target,
        prompt,
        maxNewTokens: 30,
        seed: 9,
        sampler: createSamplerChain({ processors: [temperature(0.8)] }),
        strategy: speculative({
          drafter: pearl({ draftModel: draftModelFor(target, { noise: 1, asynchronous: true }) }),
          verifier: defaultVerifier(),
        }),
      });
    expect((await once()).tokens).toEqual((await once()).tokens);
    expect(greedySampler().greedy).toBe(true);
  });
});

describe('pearl over a longer horizon', () => {
  it('keeps the joint distribution of tokens 3..5, where background windows are reused', async () => {
    const postOnly = await longHorizonPValue((draftModel) => pearl({ draftModel, gamma: 2 }), defaultVerifier());
    expect(postOnly).toBeGreaterThan(1e-5);
    for (const gamma of [1, 2]) {
      const p = await longHorizonPValue(
        (draftModel) => pearl({ draftModel, gamma, preVerify: true }),
        defaultVerifier(),
      );
      expect(p).toBeGreaterThan(1e-5);
    }
  }, 60_000);
});
