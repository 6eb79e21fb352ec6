import { createSamplerChain, generate, type SamplingContext, speculative } from '@decodekit/core';
import {
  chiSquareTest,
  createModelDrafter,
  createNgramMockModel,
  referenceRejectionSamplingVerifier,
} from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import { samplerChain } from '../src/index.js';

// The chain's processors depend on the context (repetition penalty) and truncate (top-k, top-p,
// min-p, XTC mixture). Speculative sampling applies them to target and draft rows along draft
// paths; the committed tokens must still follow plain sampling with the same chain exactly.
// (Core's speculative loop samples the first token plainly, so tokens 2 and 3 carry the test.)
describe('samplerChain under speculative sampling', () => {
  it('the joint distribution of tokens 2 and 3 (drafted and verified) equals plain sampling (chi-square)', async () => {
    const vocabSize = 8;
    const target = createNgramMockModel({ vocabSize, order: 3, seed: 11, scale: 1.5 });
    const draft = createNgramMockModel({ vocabSize, order: 2, seed: 12, scale: 1.5 });
    const settings = {
      repetitionPenalty: 1.5,
      topK: 6,
      topP: 0.95,
      minP: 0.05,
      xtc: { threshold: 0.2, probability: 0.5 },
      temperature: 0.9,
    };
    const prompt = [1, 2];
    // Exact joint distribution of tokens 2 and 3 under plain sampling (token 1 summed out). The
    // speculative loop samples token 1 from the prefill row, then drafts and verifies the rest.
    const chain = samplerChain(settings);
    const expected = new Float64Array(vocabSize * vocabSize);
    const context = (tokens: number[]): SamplingContext => ({ tokens, promptLength: prompt.length });
    const next = (tokens: number[]) => chain.distribution(target.logitsFor(tokens), context(tokens));
    const first = next(prompt);
    for (let a = 0; a < vocabSize; a++) {
      if (first[a] === 0) continue;
      const second = next([...prompt, a]);
      for (let b = 0; b < vocabSize; b++) {
        if (second[b] === 0) continue;
        const third = next([...prompt, a, b]);
        for (let c = 0; c < vocabSize; c++) expected[b * vocabSize + c] += first[a] * second[b] * third[c];
      }
    }
    const observed = new Float64Array(vocabSize * vocabSize);
    const runs = 6000;
    let accepted = 0;
    for (let seed = 0; seed < runs; seed++) {
      const result = await generate({
        model: target,
        prompt,
        maxNewTokens: 3,
        stopTokens: [],
        sampler: samplerChain(settings),
        seed,
        strategy: speculative({
          drafter: createModelDrafter(draft, { maxTokens: 3, sampling: 'independent' }),
          verifier: referenceRejectionSamplingVerifier(),
        }),
      });
      observed[result.tokens[1] * vocabSize + result.tokens[2]]++;
      accepted += result.stats.accepted;
    }
    expect(accepted).toBeGreaterThan(runs / 4); // drafts were really verified and accepted
    const test = chiSquareTest(observed, expected);
    expect(test.impossibleObservations).toBe(0);
    expect(test.pValue).toBeGreaterThan(1e-3);
    // Sanity: the chain really truncates (some pairs are impossible).
    expect(Array.from(expected).filter((p) => p === 0).length).toBeGreaterThan(0);
    // And it agrees with core's own chain built from the same processors.
    const core = createSamplerChain({ processors: samplerChain(settings).processors });
    const coreFirst = core.distribution(target.logitsFor(prompt), context(prompt));
    for (let a = 0; a < vocabSize; a++) expect(coreFirst[a]).toBeCloseTo(first[a], 6);
  });
});
