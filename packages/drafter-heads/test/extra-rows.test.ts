import { type CausalLM, type Drafter, generate, speculative } from '@decodekit/core';
import { readSplit, tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { checkDrafterGreedyGeneration, checkDrafterProposals } from '@decodekit/testing';
import { loadTokenizer } from '@decodekit/tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenTransfer } from '../src/hidden-transfer.js';
import { headVerifier } from '../src/index.js';
import { ppd } from '../src/ppd.js';

// PPD and Hidden Transfer on the real tiny-lm with the trained prompt tokens / transfer layers of
// @decodekit/models-tiny: both draft from extra rows of the target's own verification forward, so
// they only run against a real target (input embeddings, per-layer graphs), not the suite's mock.
describe('PPD and Hidden Transfer on tiny-lm', () => {
  let target: CausalLM;
  const prompts: number[][] = [];
  const references: number[][] = [];
  const maxNewTokens = 40;

  beforeAll(async () => {
    target = await loadModel(tinyLm, { intraOpNumThreads: 1 });
    const tokenizer = await loadTokenizer(tinyLm);
    for (const domain of ['python', 'kjv'] as const) {
      const doc = readSplit('test', domain)[1];
      const start = Math.floor(doc.text.length / 2);
      prompts.push(Array.from(tokenizer.encode(doc.text.slice(start, start + 600))).slice(0, 80));
    }
    for (const prompt of prompts)
      references.push((await generate({ model: target, prompt, maxNewTokens, stopTokens: [] })).tokens);
  }, 60_000);

  afterAll(async () => {
    await target?.dispose();
  });

  const drafters: [string, () => Drafter][] = [
    ['ppd', () => ppd()],
    ['ppd (prompt rows under every node, 4-node tree)', () => ppd({ extraNodes: 'all', treeSize: 4 })],
    ['hidden-transfer', () => hiddenTransfer()],
    ['hidden-transfer (pseudo rows under every node)', () => hiddenTransfer({ extraNodes: 'all' })],
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
      // The extra rows' predictions are accepted: fewer target forwards than tokens.
      expect(accepted).toBeGreaterThan(0);
      expect(forwards).toBeLessThan(prompts.length * (maxNewTokens + 1));
    }, 120_000);
  }

  for (const [name, create] of [
    ['ppd', () => ppd()],
    ['hidden-transfer', () => hiddenTransfer()],
  ] as const) {
    it(`${name}: drafter conformance on tiny-lm (well-formed drafts, greedy identical to autoregressive)`, async () => {
      const options = { model: () => target, maxNewTokens: 24 };
      const proposals = await checkDrafterProposals(create, options);
      expect(proposals.passed, proposals.message).toBe(true);
      const greedy = await checkDrafterGreedyGeneration(create, options);
      expect(greedy.passed, greedy.message).toBe(true);
    }, 120_000);
  }

  it('hidden-transfer: the target sequence it opens keeps exactly the accepted tokens', async () => {
    const drafter = hiddenTransfer();
    const sequence = await (drafter.openTargetSequence as (t: CausalLM) => Promise<import('@decodekit/core').Sequence>)(
      target,
    );
    const reference = target.openSequence();
    const prompt = prompts[0].slice(0, 20);
    const a = await sequence.forward({ tokens: prompt }, { logits: 'last' });
    const b = await reference.forward({ tokens: prompt }, { logits: 'last' });
    expect(Math.max(...a.logits.data.map((v, i) => Math.abs(v - b.logits.data[i])))).toBeLessThan(1e-4);
    const tree = { tokens: [5, 6, 7, 8], parents: [-1, 0, 0, 2] };
    const c = await sequence.forward(tree);
    const d = await reference.forward(tree);
    expect(Math.max(...c.logits.data.map((v, i) => Math.abs(v - d.logits.data[i])))).toBeLessThan(1e-4);
    await sequence.accept([0, 2, 3]);
    await reference.accept([0, 2, 3]);
    expect(sequence.length).toBe(prompt.length + 3);
    expect(Array.from(sequence.tokens())).toEqual(Array.from(reference.tokens()));
    const e = await sequence.forward({ tokens: [9] });
    const f = await reference.forward({ tokens: [9] });
    expect(Math.max(...e.logits.data.map((v, i) => Math.abs(v - f.logits.data[i])))).toBeLessThan(1e-4);
    await sequence.dispose();
    await reference.dispose();
  }, 60_000);
});
