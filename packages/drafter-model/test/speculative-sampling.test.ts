import {
  type CausalLM,
  createSamplerChain,
  type Drafter,
  generate,
  greedySampler,
  speculative,
  temperature,
  VocabularyMismatchError,
} from '@decodekit/core';
import { defaultVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import { speculativeSampling } from '../src/index.js';
import { afterObserve, draftModelFor, recordingModel, targetModel } from './helpers.js';
import { longHorizonPValue } from './long-horizon.js';

const prompt = [3, 1, 4, 1, 5, 9, 2, 6];

async function run(model: CausalLM, drafter: Drafter, options: { sampled?: boolean; maxNewTokens?: number } = {}) {
  return generate({
    model,
    prompt,
    maxNewTokens: options.maxNewTokens ?? 40,
    sampler: options.sampled ? createSamplerChain({ processors: [temperature(0.8)] }) : greedySampler(),
    strategy: speculative({ drafter, verifier: defaultVerifier() }),
    seed: 3,
  });
}

describe('speculativeSampling', () => {
  it('keeps the draft sequence equal to the committed tokens after every observe', async () => {
    const target = targetModel();
    const { model: draftModel, sequences } = recordingModel(draftModelFor(target, { noise: 2 }));
    let checks = 0;
    for (const sampled of [false, true]) {
      const drafter = afterObserve(speculativeSampling({ draftModel, gamma: 3 }), (feedback) => {
        const live = sequences[sequences.length - 1];
        expect(Array.from(live.tokens())).toEqual(Array.from(feedback.tokens));
        checks++;
      });
      await run(target, drafter, { sampled });
    }
    expect(checks).toBeGreaterThan(10);
  });

  it('feeds the draft model O(new tokens) per step: no prefix is ever re-run', async () => {
    const target = targetModel();
    const draftModel = draftModelFor(target, { noise: 2 });
    const result = await run(target, speculativeSampling({ draftModel, gamma: 4 }));
    const { drafted, targetForwards } = result.stats;
    // Each token enters the draft cache once, plus at most one re-run and one draft token per step.
    expect(draftModel.forwardTokens).toBeLessThanOrEqual(
      prompt.length + result.tokens.length + drafted + targetForwards,
    );
    expect(draftModel.forwardCalls).toBeLessThanOrEqual(drafted + 2 * targetForwards + 1);
  });

  it('accepts every token when the draft model is the target (tau = gamma + 1)', async () => {
    const target = targetModel();
    for (const sampled of [false, true]) {
      const drafter = speculativeSampling({ draftModel: draftModelFor(target, { noise: 0 }), gamma: 4 });
      const result = await run(target, drafter, { sampled, maxNewTokens: 41 });
      expect(result.stats.drafted).toBeGreaterThan(0);
      expect(result.stats.accepted).toBe(result.stats.drafted);
    }
  });

  it('is token-identical to greedy decoding for several gammas and draft qualities', async () => {
    const target = targetModel();
    const plain = await generate({ model: target, prompt, maxNewTokens: 40 });
    for (const gamma of [1, 2, 5, 8]) {
      for (const noise of [0.5, 4]) {
        const result = await run(target, speculativeSampling({ draftModel: draftModelFor(target, { noise }), gamma }));
        expect(result.tokens).toEqual(plain.tokens);
      }
    }
  });

  it('grows gamma after full acceptance and shrinks it after rejections (adaptive)', async () => {
    const target = targetModel();
    const lengths = async (noise: number) => {
      const seen: number[] = [];
      const inner = speculativeSampling({
        draftModel: draftModelFor(target, { noise }),
        gamma: 4,
        adaptiveGamma: { max: 12 },
      });
      const drafter: Drafter = {
        ...inner,
        start: inner.start?.bind(inner),
        observe: inner.observe?.bind(inner),
        dispose: inner.dispose?.bind(inner),
        async propose(context) {
          const draft = await inner.propose(context);
          seen.push(draft.tokens.length);
          return draft;
        },
      };
      await run(target, drafter, { maxNewTokens: 60 });
      return seen;
    };
    const perfect = await lengths(0);
    expect(perfect.slice(0, 5)).toEqual([4, 6, 8, 10, 12]);
    const poor = await lengths(40);
    expect(poor.slice(0, 4)).toEqual([4, 3, 2, 1]);
  });

  it('throws VocabularyMismatchError when the vocabularies differ', async () => {
    const target = targetModel();
    const draftModel = draftModelFor(target, { vocabSize: 40 });
    await expect(run(target, speculativeSampling({ draftModel }))).rejects.toBeInstanceOf(VocabularyMismatchError);
  });

  it('rejects bad options', () => {
    const draftModel = draftModelFor(targetModel());
    expect(() => speculativeSampling({ draftModel, gamma: 0 })).toThrow(/gamma/);
    expect(() => speculativeSampling({ draftModel, gamma: 20, adaptiveGamma: { max: 8 } })).toThrow(/gamma/);
  });

  it('works with an asynchronous (worker-like) draft model and a draft model with a shorter context', async () => {
    const target = targetModel();
    const plain = await generate({ model: target, prompt, maxNewTokens: 40 });
    const asyncDraft = draftModelFor(target, { noise: 1, asynchronous: true });
    expect((await run(target, speculativeSampling({ draftModel: asyncDraft }))).tokens).toEqual(plain.tokens);
    const shortDraft = draftModelFor(target, { noise: 1, contextLength: 20 });
    expect((await run(target, speculativeSampling({ draftModel: shortDraft, gamma: 4 }))).tokens).toEqual(plain.tokens);
  });
});

describe('speculativeSampling over a longer horizon', () => {
  it('keeps the joint distribution of tokens 3..5 (fixed and adaptive gamma)', async () => {
    expect(
      await longHorizonPValue((draftModel) => speculativeSampling({ draftModel, gamma: 2 }), defaultVerifier()),
    ).toBeGreaterThan(1e-5);
    expect(
      await longHorizonPValue(
        (draftModel) => speculativeSampling({ draftModel, gamma: 1, adaptiveGamma: true }),
        defaultVerifier(),
      ),
    ).toBeGreaterThan(1e-5);
  }, 60_000);
});
