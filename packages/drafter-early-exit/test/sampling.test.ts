import {
  type CausalLM,
  createRng,
  createSamplerChain,
  type Drafter,
  generate,
  type SamplerChain,
  speculative,
  temperature,
} from '@decodekit/core';
import { topK } from '@decodekit/samplers';
import { chiSquareTest } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicExitLayer, layerSkip } from '../src/index.js';
import { loadTarget, prompts } from './helpers.js';

const length = 3;
const k = 2;

/** Exact probabilities of every continuation of `length` tokens under `sampler` (top-k support). */
async function exactDistribution(model: CausalLM, prompt: readonly number[], sampler: SamplerChain) {
  const table = new Map<string, number>();
  const walk = async (context: number[], probability: number, depth: number): Promise<void> => {
    if (depth === length) {
      table.set(context.slice(prompt.length).join(','), probability);
      return;
    }
    const sequence = model.openSequence();
    const output = await sequence.forward({ tokens: context }, { logits: 'last' });
    await sequence.dispose();
    const row = sampler.distribution(output.logits.data.slice(), { tokens: context, promptLength: prompt.length });
    for (let token = 0; token < row.length; token++) {
      if (row[token] > 0) await walk([...context, token], probability * row[token], depth + 1);
    }
  };
  await walk([...prompt], 1, 0);
  return table;
}

// Speculative sampling with early-exit drafts keeps the target's distribution: the first three
// sampled tokens (top-2, temperature 1.5, so drafts are often rejected) against the exact joint
// distribution computed from the model, chi-square.
describe('sampling with early-exit drafts keeps the target distribution (tiny-lm)', () => {
  let target: CausalLM;
  let expected: Map<string, number>;
  const prompt = prompts[0];
  const sampler = () => createSamplerChain({ processors: [topK(k), temperature(1.5)] });
  beforeAll(async () => {
    target = await loadTarget();
    expected = await exactDistribution(target, prompt, sampler());
  }, 60_000);
  afterAll(async () => {
    await target?.dispose();
  });

  async function histogram(drafter: Drafter | undefined, runs: number, seed: number) {
    const counts = new Map<string, number>();
    const rng = createRng(seed);
    const strategy = drafter ? speculative({ drafter, verifier: defaultVerifier() }) : undefined;
    let drafted = 0;
    for (let run = 0; run < runs; run++) {
      const result = await generate({
        model: target,
        prompt,
        strategy,
        sampler: sampler(),
        maxNewTokens: length,
        stopTokens: [],
        rng: rng.split(),
      });
      drafted += result.stats.drafted;
      const key = result.tokens.join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return { counts, drafted };
  }

  function pValue(counts: Map<string, number>): number {
    const keys = [...expected.keys()];
    for (const key of counts.keys()) expect(expected.has(key)).toBe(true);
    return chiSquareTest(
      keys.map((key) => counts.get(key) ?? 0),
      keys.map((key) => expected.get(key) ?? 0),
    ).pValue;
  }

  it('autoregressive sampling matches the exact distribution (the test itself is sound)', async () => {
    const { counts } = await histogram(undefined, 200, 11);
    expect(pValue(counts)).toBeGreaterThan(1e-4);
  }, 120_000);

  it('layerskip (E = 2, gamma 3) and del sample the target distribution', async () => {
    const ls = await histogram(layerSkip({ exitLayer: 2, gamma: 3 }), 250, 12);
    expect(ls.drafted).toBeGreaterThan(0);
    expect(pValue(ls.counts)).toBeGreaterThan(1e-4);
    const del = await histogram(dynamicExitLayer({ gammaMax: 4 }), 250, 13);
    expect(del.drafted).toBeGreaterThan(0);
    expect(pValue(del.counts)).toBeGreaterThan(1e-4);
  }, 180_000);
});
