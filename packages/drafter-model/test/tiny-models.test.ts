import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CausalLM, type Drafter, generate, speculative, type Verifier } from '@decodekit/core';
import { tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { defaultVerifier } from '@decodekit/verifiers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AcceptanceHeadWeights,
  acceptanceHeadFromWeights,
  multiDraft,
  pearl,
  specDecPlusPlus,
  speculativeSampling,
  vocabTrim,
} from '../src/index.js';

// End to end on the real tiny ONNX models: every drafter's greedy output equals autoregressive greedy.
describe('on the tiny ONNX models (tiny-lm target, tiny-lm-draft draft)', () => {
  let target: CausalLM;
  let draftModel: CausalLM;
  let workerDraft: CausalLM;
  const prompts = [
    [12, 400, 33, 901, 7, 250, 1200, 64],
    [100, 101, 102, 103, 104, 105],
    [2048, 17, 3000, 9, 9, 9, 511, 42, 8, 77],
  ];
  const references: number[][] = [];
  const maxNewTokens = 24;

  beforeAll(async () => {
    target = await loadModel(tinyLm);
    draftModel = await loadModel(tinyLmDraft);
    workerDraft = await loadModel(tinyLmDraft, { worker: true });
    for (const prompt of prompts)
      references.push((await generate({ model: target, prompt, maxNewTokens, stopTokens: [] })).tokens);
  }, 60_000);

  afterAll(async () => {
    await target?.dispose();
    await draftModel?.dispose();
    await workerDraft?.dispose();
  });

  const headPath = join(tinyLmDraft, 'specdec-head.json');
  const head = (): AcceptanceHeadWeights | { hiddenSize: number; predict: () => number } =>
    existsSync(headPath)
      ? (JSON.parse(readFileSync(headPath, 'utf8')) as AcceptanceHeadWeights)
      : { hiddenSize: draftModel.hiddenSize, predict: () => 0.8 };

  const cases: [string, () => Drafter][] = [
    ['sps gamma 4', () => speculativeSampling({ draftModel, gamma: 4 })],
    ['sps adaptive', () => speculativeSampling({ draftModel, gamma: 2, adaptiveGamma: true })],
    ['pearl (in-thread draft)', () => pearl({ draftModel, gamma: 3 })],
    ['pearl (worker draft)', () => pearl({ draftModel: workerDraft, gamma: 3 })],
    ['specdec-pp', () => specDecPlusPlus({ draftModel, acceptanceHead: head() })],
    ['spectr tree', () => multiDraft({ draftModel, k: 3, depth: 3, mode: 'iid' })],
    ['rsd tree', () => multiDraft({ draftModel, k: 2, depth: 3, mode: 'without-replacement', branching: [2, 2, 1] })],
    ['rsd stochastic beam', () => multiDraft({ draftModel, k: 3, depth: 3, mode: 'stochastic-beam' })],
    ['vocabtrim', () => vocabTrim({ draftModel, keep: 512, calibrationTokens: references.flat() })],
  ];
  if (existsSync(headPath)) {
    it("the trained SpecDec++ head gives PyTorch's acceptance probability on the ONNX draft's hidden state", async () => {
      const weights = JSON.parse(readFileSync(headPath, 'utf8')) as AcceptanceHeadWeights & {
        metadata: { probe: { tokens: number[]; acceptProbability: number } };
      };
      const { tokens, acceptProbability } = weights.metadata.probe;
      const sequence = draftModel.openSequence();
      const output = await sequence.forward({ tokens }, { logits: 'last', hiddenStates: true });
      await sequence.dispose();
      const hidden = output.hiddenStates;
      if (!hidden) throw new Error('the draft model returned no hidden states');
      const last = hidden.data.subarray((hidden.rows - 1) * hidden.columns, hidden.rows * hidden.columns);
      expect(acceptanceHeadFromWeights(weights).predict(last)).toBeCloseTo(acceptProbability, 3);
    });
  }

  for (const [name, create] of cases) {
    it(`${name}: greedy output is token-identical to autoregressive greedy`, async () => {
      const verifier: Verifier = defaultVerifier();
      for (let p = 0; p < prompts.length; p++) {
        const result = await generate({
          model: target,
          prompt: prompts[p],
          maxNewTokens,
          stopTokens: [],
          strategy: speculative({ drafter: create(), verifier }),
        });
        expect(result.tokens).toEqual(references[p]);
        expect(result.stats.targetForwards).toBeLessThanOrEqual(maxNewTokens);
      }
    }, 60_000);
  }
});
