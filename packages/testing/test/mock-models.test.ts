import {
  autoregressive,
  createSamplerChain,
  generate,
  greedySampler,
  matrixRow,
  multinomialSampler,
  type Sequence,
  speculative,
  temperature,
} from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  checkTruncate,
  createCostMockModel,
  createMockModel,
  createModelDrafter,
  createNgramMockModel,
  describeSequenceConformance,
  referenceRejectionSamplingVerifier,
  sequenceAt,
  sequenceIndex,
  sequenceProbabilities,
} from '../src/index.js';

describeSequenceConformance('ngram mock (bigram)', () => createNgramMockModel({ vocabSize: 50, contextLength: 64 }));
describeSequenceConformance('ngram mock (order 4, async like a worker)', () =>
  createNgramMockModel({ vocabSize: 20, order: 4, seed: 3, contextLength: 40, asynchronous: true }),
);
describeSequenceConformance('ngram mock (chain-only, no hidden states)', () =>
  createNgramMockModel({ vocabSize: 20, order: 3, contextLength: 32, treeAttention: false, hiddenStates: false }),
);
describeSequenceConformance('cost mock around an ngram mock', () =>
  createCostMockModel(createNgramMockModel({ vocabSize: 20, order: 3, contextLength: 32 }), { msPerForward: 0.01 }),
);

describe('createNgramMockModel', () => {
  it('is a deterministic function of the last order - 1 tokens and the seed', () => {
    const a = createNgramMockModel({ vocabSize: 10, order: 3, seed: 1 });
    const b = createNgramMockModel({ vocabSize: 10, order: 3, seed: 1 });
    const c = createNgramMockModel({ vocabSize: 10, order: 3, seed: 2 });
    expect(Array.from(a.logitsFor([4, 5, 6]))).toEqual(Array.from(b.logitsFor([4, 5, 6])));
    expect(Array.from(a.logitsFor([1, 5, 6]))).toEqual(Array.from(a.logitsFor([9, 9, 5, 6])));
    expect(Array.from(a.logitsFor([4, 5, 6]))).not.toEqual(Array.from(a.logitsFor([4, 6, 6])));
    expect(Array.from(a.logitsFor([4, 5, 6]))).not.toEqual(Array.from(c.logitsFor([4, 5, 6])));
  });

  it('pads short contexts, so every position has its own distribution', () => {
    const model = createNgramMockModel({ vocabSize: 10, order: 3 });
    expect(Array.from(model.logitsFor([5]))).not.toEqual(Array.from(model.logitsFor([0, 5])));
    expect(model.logitsFor([]).length).toBe(10);
  });

  it('spreads logits with about the requested scale', () => {
    const model = createNgramMockModel({ vocabSize: 2000, scale: 3 });
    const row = model.logitsFor([7]);
    const mean = row.reduce((s, x) => s + x, 0) / row.length;
    const sd = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / row.length);
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(sd).toBeGreaterThan(2.6);
    expect(sd).toBeLessThan(3.4);
  });

  it('returns sequence logits equal to logitsFor of the same context', async () => {
    const model = createNgramMockModel({ vocabSize: 30, order: 3, seed: 9 });
    const sequence = model.openSequence();
    const output = await sequence.forward({ tokens: [3, 1, 4, 1, 5] });
    expect(Array.from(matrixRow(output.logits, 4))).toEqual(Array.from(model.logitsFor([3, 1, 4, 1, 5])));
    expect(model.forwardCalls).toBe(1);
    expect(model.forwardTokens).toBe(5);
  });

  it('works with core generate, autoregressive and speculative', async () => {
    const target = createNgramMockModel({ vocabSize: 24, order: 3, seed: 4 });
    const draft = createNgramMockModel({ vocabSize: 24, order: 2, seed: 5 });
    const plain = await generate({ model: target, prompt: [1, 2, 3], maxNewTokens: 30, strategy: autoregressive() });
    const fast = await generate({
      model: target,
      prompt: [1, 2, 3],
      maxNewTokens: 30,
      strategy: speculative({
        drafter: createModelDrafter(target, { maxTokens: 5, sampling: 'greedy' }),
        verifier: referenceRejectionSamplingVerifier(),
      }),
    });
    expect(fast.tokens).toEqual(plain.tokens);
    // Drafting with the target itself: every draft token is accepted, 6 tokens per forward.
    expect(fast.stats.accepted).toBe(fast.stats.drafted);
    expect(fast.stats.targetForwards).toBeLessThan(plain.stats.targetForwards / 3);
    const other = await generate({
      model: target,
      prompt: [1, 2, 3],
      maxNewTokens: 30,
      strategy: speculative({
        drafter: createModelDrafter(draft, { maxTokens: 4, sampling: 'independent', branches: 2 }),
        verifier: referenceRejectionSamplingVerifier(),
      }),
    });
    expect(other.tokens).toEqual(plain.tokens);
  });

  it('stops at its end-of-sequence tokens', async () => {
    const model = createNgramMockModel({ vocabSize: 4, seed: 1, eos: [0, 1, 2, 3] });
    const result = await generate({ model, prompt: [1], maxNewTokens: 10 });
    expect(result.tokens.length).toBe(1);
    expect(result.finishReason).toBe('stop');
  });
});

describe('sequenceProbabilities', () => {
  it('enumerates the exact joint distribution under the sampler chain', () => {
    const model = createNgramMockModel({ vocabSize: 4, order: 3, seed: 2, scale: 2 });
    const sampler = createSamplerChain({ processors: [temperature(0.9)] });
    const table = sequenceProbabilities(model, [1, 2], 3, sampler);
    expect(table.length).toBe(64);
    expect(table.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6); // float32 rows
    // One cell by hand: the product of three softmaxes at temperature 0.9.
    const softmax = (row: Float32Array, t: number) => {
      const e = Array.from(row, (x) => Math.exp(x / t));
      const z = e.reduce((s, x) => s + x, 0);
      return e.map((x) => x / z);
    };
    const tokens = [3, 0, 2];
    let expected = 1;
    const context = [1, 2];
    for (const token of tokens) {
      expected *= softmax(model.logitsFor(context), 0.9)[token];
      context.push(token);
    }
    expect(table[sequenceIndex(tokens, 4)]).toBeCloseTo(expected, 6);
    expect(sequenceAt(sequenceIndex(tokens, 4), 3, 4)).toEqual(tokens);
  });

  it('is a point mass on the greedy continuation for a greedy chain', async () => {
    const model = createNgramMockModel({ vocabSize: 5, order: 2, seed: 8 });
    const table = sequenceProbabilities(model, [4], 3, greedySampler());
    const greedy = await generate({ model, prompt: [4], maxNewTokens: 3 });
    expect(table[sequenceIndex(greedy.tokens, 5)]).toBe(1);
  });

  it('refuses tables too large to enumerate', () => {
    const model = createNgramMockModel({ vocabSize: 1000 });
    expect(() => sequenceProbabilities(model, [1], 4, multinomialSampler(1))).toThrow(/too many/);
  });
});

describe('createCostMockModel', () => {
  it('busy-waits msPerForward + msPerToken × block length per forward', async () => {
    const base = createNgramMockModel({ vocabSize: 8 });
    const model = createCostMockModel(base, { msPerForward: 4, msPerToken: 1 });
    const sequence = model.openSequence();
    const start = performance.now();
    await sequence.forward({ tokens: [1, 2, 3, 4] });
    expect(performance.now() - start).toBeGreaterThanOrEqual(8);
    expect(model.vocabSize).toBe(8);
    expect(Array.from(model.logitsFor([3]))).toEqual(Array.from(base.logitsFor([3])));
  });

  it('can sleep instead, returning a promise', async () => {
    const model = createCostMockModel(createNgramMockModel({ vocabSize: 8 }), { msPerForward: 5, mode: 'sleep' });
    const result = model.openSequence().forward({ tokens: [1] });
    expect(result).toBeInstanceOf(Promise);
    const start = performance.now();
    await result;
    expect(performance.now() - start).toBeGreaterThanOrEqual(3);
  });
});

describe('the sequence checks catch broken sequences', () => {
  it('a truncate that forgets to drop tokens fails checkTruncate with a message', async () => {
    const model = createNgramMockModel({ vocabSize: 30, order: 3 });
    const broken = {
      ...model,
      logitsFor: model.logitsFor,
      forwardBatch: model.forwardBatch,
      dispose: model.dispose,
      openSequence(): Sequence {
        const inner = model.openSequence();
        return {
          get length() {
            return inner.length;
          },
          tokens: () => inner.tokens(),
          forward: (block, options) => inner.forward(block, options),
          accept: (path) => inner.accept(path),
          // Broken: keeps one token too many.
          truncate: (length) => inner.truncate(Math.min(inner.length, length + 1)),
          fork: () => inner.fork(),
          dispose: () => inner.dispose(),
        };
      },
    };
    const result = await checkTruncate(broken);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/truncate\(\d+\)/);
    expect(result.message).toMatch(/should hold/);
  });

  it('a tree block that ignores parents (plain chain positions) fails the tree check', async () => {
    const { checkTreeBlock } = await import('../src/index.js');
    const model = createNgramMockModel({ vocabSize: 30, order: 3 });
    const chainOnly = createMockModel({
      vocabSize: 30,
      // Wrong: a real model that ignored the tree mask would see the whole block as a chain.
      logitsFor: (context, out) => out.set(model.logitsFor(context)),
    });
    const ignoringParents = {
      ...chainOnly,
      openSequence(): Sequence {
        const inner = chainOnly.openSequence();
        return {
          get length() {
            return inner.length;
          },
          tokens: () => inner.tokens(),
          forward: (block, options) => inner.forward({ tokens: block.tokens }, options),
          accept: (path) => inner.accept(Array.from({ length: path.length }, (_, k) => k)),
          truncate: (length) => inner.truncate(length),
          fork: () => inner.fork(),
          dispose: () => inner.dispose(),
        };
      },
    };
    const result = await checkTreeBlock(ignoringParents);
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/tree node \d+/);
  });
});

describe('the mocks entry', () => {
  it('exports the mocks and checks without the vitest suites', async () => {
    const mocks: Record<string, unknown> = await import('../src/mocks.js');
    expect(typeof mocks.createNgramMockModel).toBe('function');
    expect(typeof mocks.checkVerifierKernel).toBe('function');
    expect(Object.keys(mocks).some((name) => name.startsWith('describe'))).toBe(false);
  });
});
