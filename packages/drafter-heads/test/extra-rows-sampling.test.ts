import {
  type CausalLM,
  createRng,
  createSamplerChain,
  generate,
  type LogitsProcessor,
  type SamplerChain,
  speculative,
  temperature,
} from '@decodekit/core';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { chiSquareTest } from '@decodekit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenTransfer } from '../src/hidden-transfer.js';
import { headVerifier } from '../src/index.js';
import { ppd } from '../src/ppd.js';

// Speculative sampling with the exact verifier keeps the target's distribution: the first `length`
// sampled tokens (top-2, temperature 1.5, so drafts are often rejected) against the exact joint
// distribution computed from the model, chi-square. PPD drafts from its third step on (the first
// verification only attaches the prompt rows), Hidden Transfer from its second.
/** Keeps the two largest logits (the rest -Infinity), so the exact distribution can be enumerated. */
const topTwo: LogitsProcessor = {
  name: 'top-2',
  process(logits) {
    let a = 0;
    let b = 1;
    if (logits[b] > logits[a]) [a, b] = [b, a];
    for (let v = 2; v < logits.length; v++) {
      if (logits[v] > logits[a]) [a, b] = [v, a];
      else if (logits[v] > logits[b]) b = v;
    }
    for (let v = 0; v < logits.length; v++) if (v !== a && v !== b) logits[v] = Number.NEGATIVE_INFINITY;
  },
};

describe('sampling with PPD / Hidden Transfer drafts keeps the target distribution (tiny-lm)', () => {
  let target: CausalLM;
  const sampler = (): SamplerChain => createSamplerChain({ processors: [topTwo, temperature(1.5)] });
  beforeAll(async () => {
    target = await loadModel(tinyLm, { intraOpNumThreads: 1 });
  }, 60_000);
  afterAll(async () => {
    await target?.dispose();
  });

  async function exactDistribution(prompt: readonly number[], length: number) {
    const table = new Map<string, number>();
    const walk = async (context: number[], probability: number, depth: number): Promise<void> => {
      if (depth === length) {
        table.set(context.slice(prompt.length).join(','), probability);
        return;
      }
      const sequence = target.openSequence();
      const output = await sequence.forward({ tokens: context }, { logits: 'last' });
      await sequence.dispose();
      const row = sampler().distribution(output.logits.data.slice(), { tokens: context, promptLength: prompt.length });
      for (let token = 0; token < row.length; token++)
        if (row[token] > 0) await walk([...context, token], probability * row[token], depth + 1);
    };
    await walk([...prompt], 1, 0);
    return table;
  }

  for (const [name, create, length] of [
    ['ppd', () => ppd({ treeSize: 4 }), 4],
    ['hidden-transfer', () => hiddenTransfer({ treeSize: 4 }), 3],
  ] as const) {
    it(`${name}: chi-square of the first ${length} tokens against the exact distribution`, async () => {
      const prompt = [12, 400, 33, 901, 7, 250, 1200, 64];
      const expected = await exactDistribution(prompt, length);
      const drafter = create();
      const rng = createRng(11);
      const counts = new Map<string, number>();
      const runs = 2000;
      let drafted = 0;
      for (let run = 0; run < runs; run++) {
        const result = await generate({
          model: target,
          prompt,
          sampler: sampler(),
          maxNewTokens: length,
          stopTokens: [],
          rng: rng.split(),
          strategy: speculative({ drafter, verifier: headVerifier() }),
        });
        drafted += result.stats.drafted;
        const key = result.tokens.join(',');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(drafted).toBeGreaterThan(runs / 2);
      const keys = [...expected.keys()];
      for (const key of counts.keys()) expect(expected.has(key), `impossible continuation ${key}`).toBe(true);
      const test = chiSquareTest(
        keys.map((key) => counts.get(key) ?? 0),
        keys.map((key) => expected.get(key) ?? 0),
      );
      expect(test.pValue).toBeGreaterThan(1e-4);
    }, 600_000);
  }
});
