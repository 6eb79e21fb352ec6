import type { CausalLM } from '@decodekit/core';
import { checkDrafterGreedyGeneration, checkDrafterProposals } from '@decodekit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicExitLayer, layerSkip } from '../src/index.js';
import { loadTarget } from './helpers.js';

// The drafter conformance checks that apply to a drafter needing per-layer graphs, run on the real
// tiny-lm: well-formed drafts (called outside the speculative loop, so the drafter uses its own
// layered sequence) and greedy generation identical to autoregressive. The suite's sampling check
// needs a mock model with exact probabilities and no per-layer graphs; sampling.test.ts does the
// equivalent chi-square test on tiny-lm.
describe('drafter conformance checks on tiny-lm', () => {
  let target: CausalLM;
  beforeAll(async () => {
    target = await loadTarget();
  }, 60_000);
  afterAll(async () => {
    await target?.dispose();
  });
  const options = () => ({ model: () => target, maxNewTokens: 24 });

  for (const [name, create] of [
    ['layerskip', () => layerSkip({ exitLayer: 3, gamma: 5 })],
    ['del', () => dynamicExitLayer()],
  ] as const) {
    it(`${name}: well-formed drafts`, async () => {
      const result = await checkDrafterProposals(create, options());
      expect(result.passed, result.message).toBe(true);
    }, 60_000);
    it(`${name}: greedy generation is token-identical to autoregressive`, async () => {
      const result = await checkDrafterGreedyGeneration(create, options());
      expect(result.passed, result.message).toBe(true);
    }, 60_000);
  }
});
