import { type Drafter, emptyDraft, greedySampler } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  checkDrafterGreedyGeneration,
  checkDrafterProposals,
  checkDrafterSampling,
  createModelDrafter,
  createNgramMockModel,
  describeDrafterConformance,
  draftProblem,
  referenceSampleMatchVerifier,
} from '../src/index.js';

const draftModel = () => createNgramMockModel({ vocabSize: 32, order: 2, seed: 6 });

describeDrafterConformance('model drafter (greedy chain)', () =>
  createModelDrafter(draftModel(), { maxTokens: 5, sampling: 'greedy' }),
);
describeDrafterConformance('model drafter (independent, 2 branches)', () =>
  createModelDrafter(draftModel(), { maxTokens: 6, sampling: 'independent', branches: 2 }),
);
describeDrafterConformance(
  'model drafter (without replacement, 3 branches, sample-match verifier)',
  () => createModelDrafter(draftModel(), { maxTokens: 6, sampling: 'without-replacement', branches: 3 }),
  { verifier: referenceSampleMatchVerifier(), samplingRuns: 5_000 },
);

/** Repeats the last token `maxTokens + 1` times: one token too many. */
function overlongDrafter(): Drafter {
  return {
    name: 'overlong',
    propose(context) {
      const last = context.tokens[context.tokens.length - 1];
      const n = context.maxTokens + 1;
      return {
        tokens: new Array(n).fill(last),
        parents: Array.from({ length: n }, (_, i) => i - 1),
        sampling: 'deterministic',
      };
    },
  };
}

describe('the drafter checks catch broken drafters', () => {
  it('a drafter that exceeds maxTokens fails with the offending proposal', async () => {
    const result = await checkDrafterProposals(overlongDrafter);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/maxTokens was 0/);
  });

  it('a drafter that writes into the committed tokens fails', async () => {
    const inner = createModelDrafter(draftModel(), { maxTokens: 4, sampling: 'greedy' });
    const writer: Drafter = {
      ...inner,
      name: 'writer',
      propose(context) {
        context.tokens[0] = (context.tokens[0] + 1) % 32;
        return inner.propose(context);
      },
    };
    const result = await checkDrafterGreedyGeneration(() => writer);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/modified context.tokens/);
  });

  it('a sampled draft without q rows is reported', () => {
    const problem = draftProblem({ tokens: [1], parents: [-1], sampling: 'independent' }, 4, 10);
    expect(problem).toMatch(/q row/);
    expect(draftProblem({ tokens: [1, 2], parents: [-1, 1], sampling: 'deterministic' }, 4, 10)).toMatch(/parent/);
    expect(draftProblem({ tokens: [10], parents: [-1], sampling: 'deterministic' }, 4, 10)).toMatch(/outside/);
    expect(
      draftProblem(
        {
          tokens: [2, 2],
          parents: [-1, -1],
          sampling: 'without-replacement',
          q: [new Float32Array([0, 0, 1]), new Float32Array([0, 0, 1])],
        },
        4,
        3,
      ),
    ).toMatch(/repeat/);
  });

  it('a drafter that never drafts fails the greedy check (it would prove nothing)', async () => {
    const result = await checkDrafterGreedyGeneration(() => ({ name: 'idle', propose: () => emptyDraft }));
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/proposed no tokens/);
  });

  it('a drafter whose q rows lie (claims q = uniform, drafts greedily) breaks the sampling check', async () => {
    const model = draftModel();
    const inner = createModelDrafter(model, { maxTokens: 4, sampling: 'greedy' });
    const liar: Drafter = {
      ...inner,
      name: 'lying-q',
      async propose(context) {
        const draft = await inner.propose(context);
        const uniform = new Float32Array(32).fill(1 / 32);
        return { ...draft, sampling: 'independent', q: Array.from(draft.tokens, () => uniform) };
      },
    };
    const result = await checkDrafterSampling(() => liar, { samplingRuns: 5_000 });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/p-value/);
  });

  it('greedy drafting from the target itself is always accepted', async () => {
    const target = createNgramMockModel({ vocabSize: 32, order: 2, seed: 5 });
    const result = await checkDrafterGreedyGeneration(
      () => createModelDrafter(target, { maxTokens: 4, sampling: 'greedy' }),
      {
        model: () => target,
      },
    );
    expect(result.passed, result.message).toBe(true);
    expect(result.message).toMatch(/τ 5\.\d\d|τ 4\.\d\d/);
    expect(greedySampler().greedy).toBe(true);
  });
});
