import { type CausalLM, type Drafter, generate, speculative } from '@decodekit/core';
import { defaultVerifier } from '@decodekit/verifiers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicExitLayer, earlyExitDrafters, layerSkip } from '../src/index.js';
import { loadTarget, prompts } from './helpers.js';

// Greedy self-speculation on the real tiny-lm must reproduce autoregressive greedy token for token.
describe('greedy self-speculation on tiny-lm equals autoregressive greedy', () => {
  let target: CausalLM;
  const references: number[][] = [];
  const maxNewTokens = 40;
  beforeAll(async () => {
    target = await loadTarget();
    for (const prompt of prompts)
      references.push((await generate({ model: target, prompt, maxNewTokens, stopTokens: [] })).tokens);
  }, 60_000);
  afterAll(async () => {
    await target?.dispose();
  });

  async function check(drafter: Drafter, promptIndices: readonly number[] = [0, 1, 2]) {
    const strategy = speculative({ drafter, verifier: defaultVerifier() });
    let accepted = 0;
    let forwards = 0;
    for (const i of promptIndices) {
      const result = await generate({ model: target, prompt: prompts[i], strategy, maxNewTokens, stopTokens: [] });
      expect(result.tokens).toEqual(references[i]);
      accepted += result.stats.accepted;
      forwards += result.stats.targetForwards;
    }
    return { accepted, forwards };
  }

  it('layerskip for every exit layer E in [1, L) with gamma 1 and 4', async () => {
    for (let exitLayer = 1; exitLayer < target.numLayers; exitLayer++) {
      for (const gamma of [1, 4]) {
        const { accepted } = await check(layerSkip({ exitLayer, gamma }), [exitLayer % 3]);
        expect(accepted).toBeGreaterThanOrEqual(0);
      }
    }
  }, 120_000);

  it('layerskip at the extremes: E = 1 and E = L - 1, gamma 0 and 18', async () => {
    const last = target.numLayers - 1;
    for (const [exitLayer, gamma] of [
      [1, 0],
      [1, 18],
      [last, 0],
      [last, 18],
    ] as const) {
      const { accepted, forwards } = await check(layerSkip({ exitLayer, gamma }), [0, 2]);
      if (gamma === 0) {
        // No draft: one target forward per token, exactly autoregressive.
        expect(accepted).toBe(0);
        expect(forwards).toBe(2 * maxNewTokens);
      }
    }
    // The deepest exit agrees with the final layer most of the time: drafts get accepted.
    const { accepted } = await check(layerSkip({ exitLayer: last, gamma: 4 }));
    expect(accepted).toBeGreaterThan(maxNewTokens);
  }, 180_000);

  it('del (confidence-based length) and its DELE variant (tpl length)', async () => {
    const drafter = dynamicExitLayer();
    const { accepted } = await check(drafter);
    expect(accepted).toBeGreaterThan(0);
    const state = drafter.state();
    // Statistics were collected for every eligible exit layer, and the TPL search moved the exit layer.
    expect(state.matches.length).toBe(target.numLayers - 1);
    for (let l = 0; l < state.matches.length; l++) expect(state.matches[l] + state.mismatches[l]).toBeGreaterThan(0);
    expect(new Set(state.exitHistory).size).toBeGreaterThan(1);
    await check(dynamicExitLayer({ draftLength: 'tpl' }));
    await check(dynamicExitLayer({ headCostLayers: 2 }), [1]);
    await check(dynamicExitLayer({ gammaMax: 1, omega: 0.5, initialExitLayer: target.numLayers - 1 }), [0]);
  }, 120_000);

  it('without the shared cache (shareCache: false) the target verifies on its own sequence, still exact', async () => {
    await check(layerSkip({ exitLayer: 2, gamma: 3, shareCache: false }), [0]);
    await check(layerSkip({ exitLayer: 6, gamma: 5, shareCache: false }), [1]);
  }, 120_000);

  it('near the end of the context window: drafts shrink to the room left, output equals autoregressive', async () => {
    const long = Array.from({ length: target.contextLength - 20 }, (_, i) => 2 + ((i * 53) % 4000));
    const reference = await generate({ model: target, prompt: long, maxNewTokens: 40, stopTokens: [] });
    expect(reference.finishReason).toBe('context-length');
    for (const drafter of [layerSkip({ exitLayer: 3, gamma: 8 }), dynamicExitLayer()]) {
      const strategy = speculative({ drafter, verifier: defaultVerifier() });
      const result = await generate({ model: target, prompt: long, strategy, maxNewTokens: 40, stopTokens: [] });
      expect(result.tokens).toEqual(reference.tokens);
      expect(result.finishReason).toBe('context-length');
    }
  }, 120_000);

  it('the CLI registry builds both drafters and rejects unknown options', async () => {
    expect(Object.keys(earlyExitDrafters).sort()).toEqual(['del', 'layerskip']);
    await check(earlyExitDrafters.layerskip({ exitLayer: 3, gamma: 3 }), [1]);
    await check(earlyExitDrafters.del({ gammaMax: 8 }), [2]);
    expect(() => earlyExitDrafters.layerskip({ exitlayer: 3 })).toThrow(/not an option/);
    expect(() => layerSkip({ exitLayer: 0 })).toThrow(/exitLayer/);
  }, 60_000);
});
