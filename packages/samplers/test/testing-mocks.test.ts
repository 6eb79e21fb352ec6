import { generate, greedySampler, multinomialSampler } from '@decodekit/core';
import { createNgramMockModel, describeSequenceConformance } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import {
  beamSearch,
  cautiousNextTokenPrediction,
  contextAwareDecoding,
  contrastiveSearch,
  momentumDecoding,
  samplerChain,
} from '../src/index.js';
import { createRecurrentMockModel } from './helpers/recurrent-mock-model.js';

// The local mock used by strategies.test.ts must itself follow the core Sequence contract.
describeSequenceConformance('recurrent mock model', () => createRecurrentMockModel({ vocabSize: 16, seed: 1 }));

// The same invariants on @decodekit/testing's n-gram mock (a different model family and Sequence implementation).
describe('strategy invariants on @decodekit/testing n-gram mocks', () => {
  const model = createNgramMockModel({ vocabSize: 40, order: 3, seed: 5, eos: [0] });
  const prompts = [[3, 4, 5], [9], [1, 1, 2, 7]];
  const greedy = async (prompt: number[], maxNewTokens = 12) =>
    (await generate({ model, prompt, maxNewTokens, sampler: greedySampler() })).tokens;

  it('beam search with one beam equals greedy', async () => {
    for (const prompt of prompts) {
      const result = await generate({
        model,
        prompt,
        maxNewTokens: 12,
        strategy: beamSearch({ beams: 1, earlyStopping: true }),
      });
      expect(result.tokens).toEqual(await greedy(prompt));
    }
  });

  it('contrastive search with alpha 0 equals greedy', async () => {
    for (const prompt of prompts) {
      const result = await generate({ model, prompt, maxNewTokens: 12, strategy: contrastiveSearch({ alpha: 0 }) });
      expect(result.tokens).toEqual(await greedy(prompt));
    }
  });

  it('momentum decoding with alpha 0 equals greedy', async () => {
    for (const prompt of prompts) {
      const result = await generate({ model, prompt, maxNewTokens: 12, strategy: momentumDecoding({ alpha: 0 }) });
      expect(result.tokens).toEqual(await greedy(prompt));
    }
  });

  it('CAD with alpha 0 equals plain sampling on context + prompt', async () => {
    for (const seed of [1, 2, 3]) {
      const plain = await generate({
        model,
        prompt: [6, 7, 8, 9],
        maxNewTokens: 12,
        sampler: multinomialSampler(0.9),
        seed,
      });
      const cad = await generate({
        model,
        prompt: [8, 9],
        maxNewTokens: 12,
        sampler: multinomialSampler(0.9),
        seed,
        strategy: contextAwareDecoding({ alpha: 0, context: [6, 7] }),
      });
      expect(cad.tokens).toEqual(plain.tokens);
    }
  });

  it('CNTP never triggered equals plain sampling with samplerChain', async () => {
    for (const seed of [4, 5]) {
      const sampler = () => samplerChain({ temperature: 0.8, topK: 20, topP: 0.95 });
      const plain = await generate({ model, prompt: [2, 3], maxNewTokens: 12, sampler: sampler(), seed });
      const cautious = await generate({
        model,
        prompt: [2, 3],
        maxNewTokens: 12,
        sampler: sampler(),
        seed,
        strategy: cautiousNextTokenPrediction({ stopTokens: [1], entropyLow: 1e9, entropyHigh: 2e9 }),
      });
      expect(cautious.tokens).toEqual(plain.tokens);
    }
  });
});
