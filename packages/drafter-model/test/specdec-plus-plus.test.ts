import { CapabilityError, type Drafter, generate, greedySampler, ModelFormatError, speculative } from '@decodekit/core';
import { createNgramMockModel } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import {
  type AcceptanceHeadWeights,
  acceptanceHeadFromWeights,
  loadAcceptanceHead,
  specDecPlusPlus,
} from '../src/index.js';
import { draftModelFor, targetModel } from './helpers.js';

const prompt = [3, 1, 4, 1, 5, 9, 2, 6];

async function draftLengths(drafter: Drafter): Promise<number[]> {
  const lengths: number[] = [];
  const spy: Drafter = {
    ...drafter,
    start: drafter.start?.bind(drafter),
    observe: drafter.observe?.bind(drafter),
    dispose: drafter.dispose?.bind(drafter),
    async propose(context) {
      const draft = await drafter.propose(context);
      if (context.maxTokens >= 8) lengths.push(draft.tokens.length);
      return draft;
    },
  };
  await generate({
    model: targetModel(),
    prompt,
    maxNewTokens: 60,
    sampler: greedySampler(),
    strategy: speculative({ drafter: spy, verifier: defaultVerifier() }),
  });
  return lengths;
}

describe('specDecPlusPlus', () => {
  const draftModel = () => draftModelFor(targetModel(), { noise: 1 });
  const constant = (value: number) => ({ hiddenSize: 4, predict: () => value });

  it('a head that always predicts acceptance drafts maxLength tokens; one that predicts rejection drafts minLength', async () => {
    const long = await draftLengths(
      specDecPlusPlus({ draftModel: draftModel(), acceptanceHead: constant(1), maxLength: 7 }),
    );
    expect(new Set(long)).toEqual(new Set([7]));
    const short = await draftLengths(
      specDecPlusPlus({ draftModel: draftModel(), acceptanceHead: constant(0), minLength: 2, maxLength: 7 }),
    );
    expect(new Set(short)).toEqual(new Set([2]));
  });

  it('stops once 1 - prod P(accept) exceeds the threshold', async () => {
    // P(accept) = 0.9 per token: after s tokens the cumulative rejection is 1 - 0.9^(s-1).
    const lengths = await draftLengths(
      specDecPlusPlus({
        draftModel: draftModel(),
        acceptanceHead: constant(0.9),
        threshold: 0.25,
        minLength: 1,
        maxLength: 10,
      }),
    );
    // 1 - 0.9^2 = 0.19 <= 0.25 < 1 - 0.9^3 = 0.271: the fourth token ends the draft.
    expect(new Set(lengths)).toEqual(new Set([4]));
  });

  it('reads the hidden state at the previous draft token', async () => {
    const seen: number[] = [];
    const head = {
      hiddenSize: 4,
      predict: (h: Float32Array) => {
        seen.push(h[1]);
        return 1;
      },
    };
    await draftLengths(specDecPlusPlus({ draftModel: draftModel(), acceptanceHead: head, maxLength: 4 }));
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([1])); // the mock's hidden state has 1 in entry 1
  });

  it('evaluates JSON weights: residual SiLU blocks then a sigmoid output', () => {
    const weights: AcceptanceHeadWeights = {
      format: 'decodekit-acceptance-head',
      version: 1,
      hiddenSize: 2,
      blocks: [{ weight: [1, 0, 0, 2], bias: [0, -1] }],
      output: { weight: [0.5, -1], bias: 0.25 },
    };
    const head = acceptanceHeadFromWeights(weights);
    const silu = (x: number) => x / (1 + Math.exp(-x));
    const x = [1, 2];
    const y = [x[0] + silu(x[0]), x[1] + silu(2 * x[1] - 1)];
    const logit = 0.5 * y[0] - y[1] + 0.25;
    expect(head.predict(Float32Array.from(x))).toBeCloseTo(1 / (1 + Math.exp(-logit)), 6);
    expect(() => acceptanceHeadFromWeights({ ...weights, hiddenSize: 3 })).toThrow(ModelFormatError);
  });

  it('loadAcceptanceHead reads JSON weights and explains a missing file', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'specdec-head-'));
    const file = join(dir, 'head.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'decodekit-acceptance-head',
        version: 1,
        hiddenSize: 1,
        blocks: [],
        output: { weight: [2], bias: -1 },
      }),
    );
    const head = await loadAcceptanceHead(file);
    expect(head.predict(Float32Array.of(0.5))).toBeCloseTo(0.5, 6);
    await expect(loadAcceptanceHead(join(dir, 'missing.json'))).rejects.toThrow(/specdec_head\.py/);
    await writeFile(file, '{');
    await expect(loadAcceptanceHead(file)).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('needs a draft model with hidden states and a head of its hidden size', async () => {
    const target = targetModel();
    const noHidden = createNgramMockModel({ vocabSize: 32, hiddenStates: false });
    const run = (drafter: Drafter) =>
      generate({
        model: target,
        prompt,
        maxNewTokens: 4,
        strategy: speculative({ drafter, verifier: defaultVerifier() }),
      });
    await expect(run(specDecPlusPlus({ draftModel: noHidden, acceptanceHead: constant(1) }))).rejects.toBeInstanceOf(
      CapabilityError,
    );
    await expect(
      run(specDecPlusPlus({ draftModel: draftModel(), acceptanceHead: { hiddenSize: 9, predict: () => 1 } })),
    ).rejects.toThrow(/hidden/);
  });
});
