import {
  autoregressive,
  type CausalLM,
  createRng,
  type Drafter,
  generate,
  greedySampler,
  isChain,
  speculative,
  validateParents,
} from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { ngramDrafters } from '../src/index.js';
import { greedyTreeVerifier, markovModel } from './support.js';

const vocabSize = 64;
const hardModel = markovModel({ vocabSize, order: 3, seed: 21 });
// A prompt with repeats, so every drafter proposes something; the model itself is not periodic
// over the run, so drafts are often rejected.
const prompt = [5, 6, 7, 8, 9, 5, 6, 7, 10, 11, 5, 6, 7, 8, 12, 13, 5, 6];
const corpusModel = markovModel({ vocabSize, order: 3, seed: 21 });

async function restCorpus(): Promise<number[][]> {
  const corpus: number[][] = [];
  for (const start of [1, 2, 3]) {
    corpus.push(
      (await generate({ model: corpusModel, prompt: [start, 4], maxNewTokens: 300, strategy: autoregressive() }))
        .tokens,
    );
  }
  return corpus;
}

const factories: [string, (corpus: number[][]) => Drafter][] = [
  ['pld', () => ngramDrafters.pld()],
  ['pld', () => ngramDrafters.pld({ maxMatches: 3, maxNgram: 4 })],
  ['token-recycling', () => ngramDrafters['token-recycling']()],
  ['aded', (corpus) => ngramDrafters.aded({ corpus })],
  ['lookahead', () => ngramDrafters.lookahead({ poolFromPrompt: true })],
  ['lookahead', () => ngramDrafters.lookahead({ window: 3, ngram: 3, guesses: 2 })],
  ['rest', (corpus) => ngramDrafters.rest({ corpus })],
];

describe('ngramDrafters registry', () => {
  it('builds every drafter by its CLI name', () => {
    expect(Object.keys(ngramDrafters).sort()).toEqual(['aded', 'lookahead', 'pld', 'rest', 'token-recycling']);
    for (const name of ['pld', 'token-recycling', 'aded', 'lookahead']) expect(ngramDrafters[name]().name).toBe(name);
    expect(ngramDrafters.rest({ corpus: [[1, 2, 3]] }).name).toBe('rest');
    expect(() => ngramDrafters.rest()).toThrow(/corpus/);
    expect(() => ngramDrafters.pld({ maxNgram: 0 })).toThrow(/maxNgram/);
    expect(() => ngramDrafters.pld({ maxNgrams: 4 })).toThrow(/unknown option 'maxNgrams'/);
    expect(() => ngramDrafters.lookahead({ window: 3, corpus: [] })).toThrow(/unknown option 'corpus'/);
  });
});

describe.each(factories)('%s drafter contract', (name, factory) => {
  async function run(model: CausalLM, maxDraftTokens?: number) {
    const corpus = await restCorpus();
    const drafter = factory(corpus);
    const reference = await generate({ model, prompt, maxNewTokens: 120, strategy: autoregressive() });
    const result = await generate({
      model,
      prompt,
      maxNewTokens: 120,
      strategy: speculative({
        drafter: checked(drafter, model.vocabSize),
        verifier: greedyTreeVerifier(),
        maxDraftTokens,
      }),
    });
    return { drafter, reference, result };
  }

  it('is token-identical to greedy autoregressive decoding on a model it cannot predict well', async () => {
    const { drafter, reference, result } = await run(hardModel);
    expect(drafter.name).toBe(name);
    expect(result.tokens).toEqual(reference.tokens);
    expect(result.stats.tau).toBeGreaterThanOrEqual(1);
  });

  it('stays exact under small draft budgets and on a chain-only target', async () => {
    for (const budget of [1, 2, 5]) {
      const { reference, result } = await run(hardModel, budget);
      expect(result.tokens).toEqual(reference.tokens);
    }
    const chainOnly = markovModel({ vocabSize, order: 3, seed: 21, treeAttention: false });
    const { reference, result } = await run(chainOnly);
    expect(result.tokens).toEqual(reference.tokens);
  });

  it('gives the same drafts for the same inputs', async () => {
    const first = await run(hardModel);
    const second = await run(hardModel);
    expect(second.result.stats.drafted).toBe(first.result.stats.drafted);
    expect(second.result.stats.accepted).toBe(first.result.stats.accepted);
  });

  it('returns an empty draft when there is no room', async () => {
    const drafter = factory(await restCorpus());
    await drafter.start?.({ prompt: Int32Array.from(prompt), target: hardModel, sampler: greedySampler() });
    const draft = await drafter.propose({
      tokens: Int32Array.from(prompt),
      promptLength: prompt.length,
      maxTokens: 0,
      sampler: greedySampler(),
      rng: createRng(0),
    });
    expect(draft.tokens.length).toBe(0);
  });
});

/** Wraps a drafter so every draft is checked against the contract as the loop runs. */
function checked(drafter: Drafter, vocab: number): Drafter {
  return {
    ...drafter,
    name: drafter.name,
    requires: drafter.requires,
    start: drafter.start?.bind(drafter),
    observe: drafter.observe?.bind(drafter),
    async propose(context) {
      const draft = await drafter.propose(context);
      expect(draft.tokens.length).toBe(draft.parents.length);
      expect(draft.tokens.length).toBeLessThanOrEqual(context.maxTokens);
      expect(draft.sampling).toBe('deterministic');
      validateParents(draft.parents);
      for (const token of Array.from(draft.tokens)) expect(token >= 0 && token < vocab).toBe(true);
      if (!isChain(draft.parents)) expect(drafter.requires?.treeDrafts).toBe(true);
      return draft;
    },
  };
}
