import {
  type CausalLM,
  createSamplerChain,
  type Drafter,
  generate,
  speculative,
  temperature,
  type Verifier,
} from '@decodekit/core';
import { readSplit, tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContextState,
  chimera,
  clover,
  eagle,
  emptyFeatureCache,
  headVerifier,
  hydra,
  loadContextLayer,
  loadFeatureDrafter,
  medusa,
  readHeadsManifest,
} from '../src/index.js';

// End to end on the real tiny-lm target with the trained heads of @decodekit/models-tiny.
describe('on tiny-lm with the trained heads (tiny-lm-heads)', () => {
  let target: CausalLM;
  const prompts: number[][] = [];
  const references: number[][] = [];
  const maxNewTokens = 32;

  beforeAll(async () => {
    target = await loadModel(tinyLm, { intraOpNumThreads: 1 });
    const tokenizer = await loadTokenizer(tinyLm);
    // A Python and a KJV window of the held-out test split.
    for (const domain of ['python', 'kjv'] as const) {
      const docs = readSplit('test', domain);
      for (const doc of docs.slice(0, 1)) {
        const start = Math.floor(doc.text.length / 3);
        prompts.push(Array.from(tokenizer.encode(doc.text.slice(start, start + 600))).slice(0, 80));
      }
    }
    for (const prompt of prompts)
      references.push((await generate({ model: target, prompt, maxNewTokens, stopTokens: [] })).tokens);
  }, 60_000);

  afterAll(async () => {
    await target?.dispose();
  });

  const drafters: [string, () => Drafter][] = [
    ['medusa', () => medusa()],
    ['medusa (4-node tree)', () => medusa({ treeSize: 4 })],
    ['hydra', () => hydra()],
    ['eagle (EAGLE-2 dynamic tree)', () => eagle()],
    ['eagle (chain: topK 1)', () => eagle({ topK: 1, depth: 4, totalTokens: 4 })],
    ['hydra with the prefix-attention layer (Hydra++)', () => hydra({ prefixAttention: true })],
    ['clover', () => clover()],
    ['clover (4-node tree)', () => clover({ treeSize: 4 })],
    ['chimera', () => chimera()],
    ['chimera (4-node tree)', () => chimera({ treeSize: 4 })],
  ];

  for (const [name, create] of drafters) {
    it(`${name}: greedy output is token-identical to autoregressive greedy on code and prose`, async () => {
      const drafter = create();
      let accepted = 0;
      let forwards = 0;
      for (let p = 0; p < prompts.length; p++) {
        const result = await generate({
          model: target,
          prompt: prompts[p],
          maxNewTokens,
          stopTokens: [],
          strategy: speculative({ drafter, verifier: headVerifier() }),
        });
        expect(result.tokens).toEqual(references[p]);
        accepted += result.stats.accepted;
        forwards += result.stats.targetForwards;
      }
      // The heads draft tokens the target accepts: fewer target forwards than tokens.
      expect(accepted).toBeGreaterThan(0);
      expect(forwards).toBeLessThan(prompts.length * maxNewTokens);
    }, 60_000);
  }

  it('typical acceptance is opt-in and lossy by flag; under a greedy sampler it reduces to greedy matching', async () => {
    const verifier: Verifier = headVerifier({ acceptance: 'typical' });
    expect(verifier.exact).toBe(false);
    expect(headVerifier().exact).toBe(true);
    const result = await generate({
      model: target,
      prompt: prompts[0],
      maxNewTokens,
      stopTokens: [],
      strategy: speculative({ drafter: medusa(), verifier }),
    });
    expect(result.tokens).toEqual(references[0]);
  }, 60_000);

  it('sampling with the exact verifier runs every method (distribution exactness: conformance suite)', async () => {
    const sampler = createSamplerChain({ processors: [temperature(0.8)] });
    for (const drafter of [medusa(), hydra(), hydra({ prefixAttention: true }), eagle(), clover(), chimera()]) {
      const result = await generate({
        model: target,
        prompt: prompts[1],
        maxNewTokens: 24,
        stopTokens: [],
        sampler,
        seed: 7,
        strategy: speculative({ drafter, verifier: headVerifier() }),
      });
      expect(result.tokens.length).toBe(24);
      expect(result.stats.targetForwards).toBeLessThanOrEqual(24);
    }
  }, 60_000);

  for (const graph of ['hydrapp.prefix', 'clover.context', 'chimera.context'] as const) {
    it(`${graph}: feeding the prefix in blocks (as drafting does) equals one pass over it`, async () => {
      const layer = await loadContextLayer(graph);
      const H = layer.hiddenSize;
      const n = 9;
      const features = new Float32Array(n * H);
      for (let i = 0; i < features.length; i++) features[i] = Math.cos(i * 0.21) * 1.5;
      const entries = Array.from({ length: n }, (_, i) => ({
        position: i,
        feature: features.subarray(i * H, (i + 1) * H),
      }));
      const whole = new ContextState();
      await whole.update(layer, entries);
      const blocks = new ContextState();
      for (const [a, b] of [
        [0, 4],
        [4, 5],
        [5, 9],
      ])
        await blocks.update(layer, entries.slice(a, b));
      expect(blocks.last?.position).toBe(n - 1);
      for (let d = 0; d < H; d++) expect(blocks.last?.output[d]).toBeCloseTo(whole.last?.output[d] as number, 4);
      expect(blocks.cache.length).toBe(n);
      for (let i = 0; i < whole.cache.key.length; i += 7)
        expect(blocks.cache.key[i]).toBeCloseTo(whole.cache.key[i], 4);
      expect(blocks.context.length).toBe(graph === 'clover.context' ? n : 0);
      for (let i = 0; i < whole.context.value.length; i += 5)
        expect(blocks.context.value[i]).toBeCloseTo(whole.context.value[i], 4);
    }, 60_000);
  }

  it('the EAGLE graph under a tree mask equals the same pairs run as a chain', async () => {
    const manifest = readHeadsManifest();
    const drafter = await loadFeatureDrafter();
    const H = manifest.hiddenSize;
    const n = 6;
    const features = new Float32Array(n * H);
    for (let i = 0; i < features.length; i++) features[i] = Math.sin(i * 0.37) * 2;
    const tokens = Int32Array.from([17, 905, 33, 2048, 7, 311]);
    const positions = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const causal = (rows: number, past: number) => {
      const mask = new Uint8Array(rows * (past + rows));
      for (let r = 0; r < rows; r++) mask.fill(1, r * (past + rows), r * (past + rows) + past + r + 1);
      return mask;
    };
    const chain = await drafter.run({ features, tokens, positions, mask: causal(n, 0), past: emptyFeatureCache() });
    // Pairs 0..3 as the cache; then a tree: a decoy branch (node 0) and pairs 4, 5 (nodes 1, 2).
    const prefix = await drafter.run({
      features: features.slice(0, 4 * H),
      tokens: tokens.slice(0, 4),
      positions: positions.slice(0, 4),
      mask: causal(4, 0),
      past: emptyFeatureCache(),
    });
    const block = new Float32Array(3 * H);
    block.set(
      features.subarray(5 * H, 6 * H).map((v) => -v),
      0,
    );
    block.set(features.subarray(4 * H, 6 * H), H);
    const mask = new Uint8Array(3 * 7);
    for (const [r, allowed] of [
      [0, [0, 1, 2, 3, 4]],
      [1, [0, 1, 2, 3, 5]],
      [2, [0, 1, 2, 3, 5, 6]],
    ] as const)
      for (const j of allowed) mask[r * 7 + j] = 1;
    const tree = await drafter.run({
      features: block,
      tokens: Int32Array.from([99, 7, 311]),
      positions: Int32Array.from([4, 4, 5]),
      mask,
      past: prefix.present,
    });
    for (let d = 0; d < H; d++) expect(tree.features[2 * H + d]).toBeCloseTo(chain.features[5 * H + d], 4);
    expect(Array.from(tree.top.ids.slice(2 * tree.top.k, 3 * tree.top.k))).toEqual(
      Array.from(chain.top.ids.slice(5 * chain.top.k, 6 * chain.top.k)),
    );
  }, 60_000);
});
