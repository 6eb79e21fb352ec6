import { type CausalLM, generate, multinomialSampler, type Sequence } from '@decodekit/core';
import { createMockModel } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import { cautiousNextTokenPrediction } from '../src/index.js';
import { createRecurrentMockModel } from './helpers/recurrent-mock-model.js';

// Token 5 is punctuation. After 0 the model is unsure (1..4 uniform); after 1 it is sure to say 5
// (a short, low-perplexity chunk); after 2..4 it wanders among 2..4 (high perplexity, no stop).
function branchingModel(): CausalLM {
  return createMockModel({
    vocabSize: 6,
    logitsFor(context, out) {
      const last = context[context.length - 1];
      out.fill(-30);
      if (last === 0) out.fill(0, 1, 5);
      else if (last === 1) out[5] = 30;
      else if (last === 5) out[0] = 30;
      else out.fill(0, 2, 5);
    },
  });
}

// Records the cached tokens of every sequence when it is disposed.
function recording(model: CausalLM): { model: CausalLM; disposed: number[][] } {
  const disposed: number[][] = [];
  const wrap = (sequence: Sequence): Sequence => ({
    get length() {
      return sequence.length;
    },
    tokens: () => sequence.tokens(),
    forward: (block, options) => sequence.forward(block, options),
    accept: (path) => sequence.accept(path),
    truncate: (length) => sequence.truncate(length),
    fork: async () => wrap(await sequence.fork()),
    dispose: () => {
      disposed.push(Array.from(sequence.tokens()));
      return sequence.dispose();
    },
  });
  return { model: { ...model, openSequence: () => wrap(model.openSequence()) }, disposed };
}

describe('CNTP selection and isolation', () => {
  it('commits the trial chunk with the lowest mean negative log-likelihood', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await generate({
        model: branchingModel(),
        prompt: [0],
        maxNewTokens: 6,
        sampler: multinomialSampler(1),
        seed,
        strategy: cautiousNextTokenPrediction({ stopTokens: [5], maxTrials: 40 }),
      });
      // 37 trials: the chance that none starts with token 1 is (3/4)^37 < 1e-4.
      expect(result.tokens.slice(0, 2)).toEqual([1, 5]);
    }
  });

  it('the sequence left at the end holds exactly the committed tokens (the chosen trial cache)', async () => {
    const { model, disposed } = recording(createRecurrentMockModel({ vocabSize: 25, seed: 12, scale: 1 }));
    const prompt = [3, 7];
    const result = await generate({
      model,
      prompt,
      maxNewTokens: 24,
      sampler: multinomialSampler(1),
      seed: 9,
      strategy: cautiousNextTokenPrediction({ stopTokens: [0, 1, 2], maxTrials: 5 }),
    });
    expect(result.stats.targetForwards).toBeGreaterThan(result.tokens.length); // it did branch
    const last = disposed[disposed.length - 1];
    // Lazy invariant: the final sequence holds every committed token except the last one.
    expect(last).toEqual([...prompt, ...result.tokens.slice(0, -1)]);
  });
});
