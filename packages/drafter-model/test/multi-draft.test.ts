import {
  createRng,
  createSamplerChain,
  type DraftContext,
  greedySampler,
  temperature,
  treeChildren,
  treeDepths,
} from '@decodekit/core';
import { checkDrafterSampling, chiSquareTest } from '@decodekit/testing';
import { recursiveSpeculativeVerifier, specTrVerifier } from '@decodekit/verifiers';
import { describe, expect, it } from 'vitest';
import { gumbelTopK, multiDraft } from '../src/index.js';
import { draftModelFor, targetModel } from './helpers.js';
import { longHorizonPValue } from './long-horizon.js';

const prompt = Int32Array.from([3, 1, 4, 1, 5]);

function contextFor(sampled: boolean, maxTokens = 64): DraftContext {
  return {
    tokens: prompt,
    promptLength: 3,
    maxTokens,
    sampler: sampled ? createSamplerChain({ processors: [temperature(0.9)] }) : greedySampler(),
    rng: createRng(4),
  };
}

async function propose(
  mode: 'iid' | 'without-replacement' | 'stochastic-beam',
  sampled: boolean,
  extra: object = {},
  maxTokens = 64,
) {
  const target = targetModel();
  const drafter = multiDraft({ draftModel: draftModelFor(target), k: 4, depth: 3, mode, ...extra });
  await drafter.start?.({ prompt: prompt.subarray(0, 3), target, sampler: contextFor(sampled).sampler });
  const draft = await drafter.propose(contextFor(sampled, maxTokens));
  await drafter.dispose?.();
  return draft;
}

describe('multiDraft', () => {
  it('iid: k root children, each continued as a chain, with one q row per node', async () => {
    const draft = await propose('iid', true);
    expect(draft.sampling).toBe('independent');
    expect(draft.tokens.length).toBe(12);
    const children = treeChildren(draft.parents);
    expect(children(-1).length).toBe(4);
    for (const first of children(-1)) {
      const second = children(first);
      expect(second.length).toBe(1);
      expect(children(second[0]).length).toBe(1);
    }
    expect(draft.q?.length).toBe(12);
    for (let i = 0; i < draft.tokens.length; i++) expect(draft.q?.[i]?.[draft.tokens[i]]).toBeGreaterThan(0);
    // Siblings of the root share the root's q row.
    const [a, b] = children(-1);
    expect(draft.q?.[a]).toBe(draft.q?.[b]);
  });

  it('without-replacement: distinct siblings, per-depth branching, shared parent q rows', async () => {
    const draft = await propose('without-replacement', true, { branching: [3, 2, 1] });
    expect(draft.sampling).toBe('without-replacement');
    expect(draft.tokens.length).toBe(3 + 6 + 6);
    const children = treeChildren(draft.parents);
    const check = (node: number) => {
      const kids = children(node);
      const tokens = kids.map((k) => draft.tokens[k]);
      expect(new Set(tokens).size).toBe(tokens.length);
      for (const kid of kids) expect(draft.q?.[kid]).toBe(draft.q?.[kids[0]]);
      for (const kid of kids) check(kid);
    };
    check(-1);
  });

  it('greedy chains give a deterministic top-k tree whose first branch is the greedy chain', async () => {
    const draft = await propose('iid', false);
    expect(draft.sampling).toBe('deterministic');
    expect(draft.q).toBeUndefined();
    const root = treeChildren(draft.parents)(-1);
    expect(new Set(root.map((n) => draft.tokens[n])).size).toBe(4);
  });

  it('fits the tree into maxTokens', async () => {
    const draft = await propose('iid', true, {}, 7);
    expect(draft.tokens.length).toBeLessThanOrEqual(7);
    expect(draft.tokens.length).toBe(4);
    const small = await propose('without-replacement', true, {}, 2);
    expect(small.tokens.length).toBe(2);
  });

  it('gumbelTopK draws without replacement: first and second draws follow sequential sampling', () => {
    const q = Float32Array.from([0.4, 0.3, 0.2, 0.1, 0]);
    const rng = createRng(9);
    const runs = 40_000;
    const pairs = new Float64Array(25);
    for (let r = 0; r < runs; r++) {
      const [first, second] = gumbelTopK(q, 2, rng);
      pairs[first * 5 + second]++;
    }
    const expected = new Float64Array(25);
    for (let a = 0; a < 5; a++)
      for (let b = 0; b < 5; b++) if (a !== b) expected[a * 5 + b] = ((q[a] * q[b]) / (1 - q[a])) * runs;
    expect(chiSquareTest(pairs, expected).pValue).toBeGreaterThan(1e-4);
    expect(gumbelTopK(q, 10, rng).length).toBe(4);
  });

  it('spectr drafts keep the target distribution under specTrVerifier', async () => {
    const target = targetModel();
    const result = await checkDrafterSampling(
      () => multiDraft({ draftModel: draftModelFor(target), k: 3, depth: 2, mode: 'iid' }),
      { verifier: specTrVerifier(), samplingRuns: 6000 },
    );
    expect(result.passed, result.message).toBe(true);
  }, 60_000);

  it('rsd drafts keep the target distribution under recursiveSpeculativeVerifier', async () => {
    const target = targetModel();
    const result = await checkDrafterSampling(
      () =>
        multiDraft({
          draftModel: draftModelFor(target),
          k: 3,
          depth: 2,
          mode: 'without-replacement',
          branching: [3, 2],
        }),
      { verifier: recursiveSpeculativeVerifier(), samplingRuns: 6000 },
    );
    expect(result.passed, result.message).toBe(true);
  }, 60_000);

  it('stochastic-beam: at most k nodes per depth, distinct siblings in perturbed order, shared q rows', async () => {
    const draft = await propose('stochastic-beam', true);
    expect(draft.sampling).toBe('without-replacement');
    expect(draft.tokens.length).toBeLessThanOrEqual(12);
    expect(draft.tokens.length).toBeGreaterThanOrEqual(3);
    const depths = treeDepths(draft.parents);
    for (let d = 1; d <= 3; d++) expect(Array.from(depths).filter((x) => x === d).length).toBeLessThanOrEqual(4);
    const children = treeChildren(draft.parents);
    for (let node = -1; node < draft.tokens.length; node++) {
      const kids = children(node);
      expect(new Set(kids.map((k) => draft.tokens[k])).size).toBe(kids.length);
      for (const kid of kids) expect(draft.q?.[kid]).toBe(draft.q?.[kids[0]]);
    }
    const greedy = await propose('stochastic-beam', false);
    expect(greedy.sampling).toBe('deterministic');
    // Deterministic beam search: the root's best child is the greedy token.
    expect(children(-1).length).toBeGreaterThan(0);
  });

  it('rsd stochastic-beam drafts keep the target distribution under recursiveSpeculativeVerifier', async () => {
    const target = targetModel();
    const result = await checkDrafterSampling(
      () => multiDraft({ draftModel: draftModelFor(target), k: 3, depth: 2, mode: 'stochastic-beam' }),
      { verifier: recursiveSpeculativeVerifier(), samplingRuns: 6000 },
    );
    expect(result.passed, result.message).toBe(true);
    const p = await longHorizonPValue(
      (draftModel) => multiDraft({ draftModel, k: 3, depth: 2, mode: 'stochastic-beam' }),
      recursiveSpeculativeVerifier(),
    );
    expect(p).toBeGreaterThan(1e-5);
  }, 60_000);

  it('rejects bad options', () => {
    const draftModel = draftModelFor(targetModel());
    expect(() => multiDraft({ draftModel, mode: 'beam' as never })).toThrow(/mode/);
    expect(() => multiDraft({ draftModel, mode: 'iid', k: 0 })).toThrow(/k/);
    expect(() => multiDraft({ draftModel, mode: 'iid', branching: [2, 2] })).toThrow(/branching/);
  });
});
