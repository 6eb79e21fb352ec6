import {
  createRng,
  createSamplerChain,
  type Drafter,
  StatisticsRecorder,
  speculative,
  temperature,
  type Verifier,
} from '@decodekit/core';
import { chiSquareTest, createNgramMockModel, sequenceProbabilities } from '@decodekit/testing';
import { draftModelFor } from './helpers.js';

/**
 * Distribution check past the first steps (where drafters that reuse earlier work act): generates
 * 5 tokens with a 6-token target many times and compares the joint distribution of tokens 3..5
 * with the exact one of plain sampling. Returns the chi-square p-value.
 */
export async function longHorizonPValue(
  createDrafter: (draftModel: ReturnType<typeof draftModelFor>) => Drafter,
  verifier: Verifier,
  runs = 12_000,
): Promise<number> {
  const V = 6;
  const length = 5;
  const target = createNgramMockModel({ vocabSize: V, order: 2, seed: 3, scale: 1.5 });
  const drafter = createDrafter(draftModelFor(target, { noise: 0.8 }));
  const sampler = createSamplerChain({ processors: [temperature(1)] });
  const prompt = Int32Array.from([1, 2, 3]);
  const strategy = speculative({ drafter, verifier });
  const rng = createRng(17);
  const observed = new Float64Array(V ** 3);
  for (let run = 0; run < runs; run++) {
    const stats = new StatisticsRecorder();
    const active = await strategy.start({
      model: target,
      prompt,
      sampler,
      rng,
      maxNewTokens: 16,
      stats,
      emit: () => {},
    });
    const tokens: number[] = [];
    try {
      while (tokens.length < length) tokens.push(...(await active.step(16)).tokens);
    } finally {
      await active.dispose();
    }
    observed[(tokens[2] * V + tokens[3]) * V + tokens[4]]++;
  }
  const joint = sequenceProbabilities(target, prompt, length, sampler);
  const expected = new Float64Array(V ** 3);
  for (let i = 0; i < joint.length; i++) expected[i % V ** 3] += joint[i] * runs;
  return chiSquareTest(observed, expected).pValue;
}
