import {
  chainDraft,
  createRng,
  type Draft,
  type Drafter,
  generate,
  greedySampler,
  multinomialSampler,
  type Strategy,
} from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { chiSquareTest, createModelDrafter, createNgramMockModel } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import {
  awrs,
  constrainedDecoding,
  constrainedDrafter,
  constrainedSamplerChain,
  constrainedSpeculative,
  rejectionSampling,
  tokenMasking,
} from '../src/index.js';
import { patternConstraint, textOf, toyVocabulary } from './toy-constraint.js';

// Words like "abcabc...": any mix of a/b/ab/ba tokens in groups closed by "c", complete after a "c".
const pattern = /^([ab]+c)+$/;
const prefix = (text: string) => /^([ab]+c)*[ab]*$/.test(text);
const makeConstraint = () => patternConstraint(toyVocabulary, pattern, prefix);

const target = createNgramMockModel({ vocabSize: toyVocabulary.size, order: 3, seed: 21, scale: 2, eos: [0] });
const draftModel = createNgramMockModel({ vocabSize: toyVocabulary.size, order: 2, seed: 22, scale: 2, eos: [0] });
const prompts = [
  [1, 2, 4, 1, 2, 4, 1],
  [3, 4, 5, 4, 3, 4],
  [2, 2, 1, 4, 2],
  [5, 1, 4, 5, 1, 4, 5, 1],
  // "a c c" repeated: prompt lookup copies "c c", which the constraint rejects.
  [1, 4, 4, 1, 4, 4, 1, 4, 4, 1, 4],
];

/** Proposes the last committed token three times (after "c" that is "c c c": cut after the root). */
const repeatLast: Drafter = {
  name: 'repeat-last',
  propose: (context) =>
    chainDraft(new Array(Math.min(3, context.maxTokens)).fill(context.tokens[context.tokens.length - 1])),
};

async function run(strategy: Strategy, prompt: number[], sampler = greedySampler(), seed = 0) {
  return generate({ model: target, prompt, strategy, sampler, maxNewTokens: 24, seed });
}

describe('grammar-aware speculation on mock models', () => {
  it('greedy output equals constrained autoregressive decoding for PLD, a draft model and tree drafts', async () => {
    let drafted = 0;
    let cut = 0;
    for (const prompt of prompts) {
      const reference = await run(
        constrainedDecoding({ constraint: makeConstraint(), tokenSampler: tokenMasking() }),
        prompt,
      );
      expect(reference.tokens.length).toBeGreaterThan(3);
      expect(prefix(textOf(toyVocabulary, reference.tokens))).toBe(true);
      for (const tokenSampler of [awrs(), rejectionSampling()]) {
        const lazy = await run(constrainedDecoding({ constraint: makeConstraint(), tokenSampler }), prompt);
        expect(lazy.tokens).toEqual(reference.tokens);
      }
      for (const drafter of [
        promptLookup({ maxNgram: 2, maxDraftTokens: 6 }),
        createModelDrafter(draftModel, { maxTokens: 4, sampling: 'greedy' }),
        createModelDrafter(draftModel, { maxTokens: 6, sampling: 'greedy', branches: 2 }),
        repeatLast,
      ]) {
        const strategy = constrainedSpeculative({ drafter, verifier: defaultVerifier(), constraint: makeConstraint() });
        const result = await run(strategy, prompt);
        expect(result.tokens).toEqual(reference.tokens);
        drafted += strategy.stats.drafted;
        cut += strategy.stats.cut;
      }
    }
    expect(drafted).toBeGreaterThan(0);
    expect(cut).toBeGreaterThan(0); // repeatLast proposes "c c", which the constraint rejects
  });

  it('the output of every constrained strategy satisfies the constraint when complete', async () => {
    const strategies = [
      constrainedDecoding({ constraint: makeConstraint(), tokenSampler: awrs() }),
      constrainedSpeculative({ drafter: promptLookup(), verifier: defaultVerifier(), constraint: makeConstraint() }),
    ];
    for (const strategy of strategies) {
      for (let seed = 0; seed < 10; seed++) {
        const result = await generate({
          model: target,
          prompt: prompts[seed % prompts.length],
          strategy,
          sampler: multinomialSampler(1),
          maxNewTokens: 40,
          seed,
        });
        const text = textOf(toyVocabulary, result.tokens);
        if (result.finishReason === 'stop') expect(text).toMatch(pattern);
        else expect(prefix(text)).toBe(true);
      }
    }
  });

  it('sampled drafts under the constrained chain keep the locally constrained distribution (chi-square)', async () => {
    const prompt = prompts[0];
    const length = 3;
    // Exact distribution of the first three tokens under locally constrained sampling.
    const constraint = makeConstraint();
    const exact = new Map<string, number>();
    const chain = constrainedSamplerChain(multinomialSampler(1), constraint);
    const visit = (tokens: number[], p: number) => {
      if (tokens.length === length) {
        exact.set(tokens.join(','), p);
        return;
      }
      const row = target.logitsFor([...prompt, ...tokens]);
      const distribution = chain.distribution(
        row,
        { tokens: [...prompt, ...tokens], promptLength: prompt.length },
        row,
      );
      for (let v = 0; v < distribution.length; v++) if (distribution[v] > 0) visit([...tokens, v], p * distribution[v]);
    };
    visit([], 1);
    const keys = [...exact.keys()];
    const observed = new Array<number>(keys.length).fill(0);
    const strategy = constrainedSpeculative({
      drafter: createModelDrafter(draftModel, { maxTokens: 3, sampling: 'independent' }),
      verifier: defaultVerifier(),
      constraint: makeConstraint(),
    });
    const runs = 3000;
    let outside = 0;
    for (let seed = 0; seed < runs; seed++) {
      const result = await generate({
        model: target,
        prompt,
        strategy,
        sampler: multinomialSampler(1),
        maxNewTokens: length,
        stopTokens: [],
        seed,
      });
      const index = keys.indexOf(result.tokens.slice(0, length).join(','));
      if (index < 0) outside++;
      else observed[index]++;
    }
    expect(outside).toBe(0);
    const test = chiSquareTest(
      observed,
      keys.map((k) => exact.get(k) ?? 0),
    );
    expect(test.pValue).toBeGreaterThan(1e-3);
  });
});

describe('constrainedDrafter', () => {
  const fixed = (draft: Draft): Drafter => ({ name: 'fixed', propose: () => draft });
  const context = (tokens: number[]) => ({
    tokens: Int32Array.from(tokens),
    promptLength: 2,
    maxTokens: 8,
    sampler: greedySampler(),
    rng: createRng(0),
  });

  it('cuts a chain at the first rejected token', async () => {
    // After the output "a": "b" ok, "c" ok, then "c" again is rejected ("cc" never matches), then "a".
    const wrapped = constrainedDrafter(fixed(chainDraft([2, 4, 4, 1])), makeConstraint());
    const draft = await wrapped.propose(context([5, 5, 1]));
    expect(Array.from(draft.tokens)).toEqual([2, 4]);
    expect(Array.from(draft.parents)).toEqual([-1, 0]);
  });

  it('cuts rejected tree branches with their descendants and re-indexes parents', async () => {
    const tree: Draft = {
      tokens: [4, 2, 4, 1, 4, 0],
      parents: [-1, -1, 0, 1, 3, 4],
      sampling: 'deterministic',
    };
    // From the empty output: "c" is rejected (node 0 and its child 2 go), "b" ok, "a" ok, "c" ok, eos ok.
    const wrapped = constrainedDrafter(fixed(tree), makeConstraint());
    const draft = await wrapped.propose(context([5, 5]));
    expect(Array.from(draft.tokens)).toEqual([2, 1, 4, 0]);
    expect(Array.from(draft.parents)).toEqual([-1, 0, 1, 2]);
  });

  it('passes start/observe/dispose through to the wrapped drafter', async () => {
    const calls: string[] = [];
    const inner: Drafter = {
      name: 'spy',
      start: () => void calls.push('start'),
      propose: () => chainDraft([]),
      observe: () => void calls.push('observe'),
      dispose: () => void calls.push('dispose'),
    };
    const wrapped = constrainedDrafter(inner, makeConstraint());
    expect(wrapped.name).toBe('spy');
    await generate({
      model: target,
      prompt: prompts[0],
      strategy: constrainedSpeculative({ drafter: inner, verifier: defaultVerifier(), constraint: makeConstraint() }),
      maxNewTokens: 3,
    });
    expect(calls[0]).toBe('start');
    expect(calls).toContain('observe');
    expect(calls.at(-1)).toBe('dispose');
  });
});
