// End to end through core's `generate` + `speculative` loop on a mock model: under a greedy
// sampler every exact verifier (and typical acceptance, which is greedy there) reproduces
// autoregressive greedy decoding token for token; under temperature sampling the joint
// distribution of the first tokens matches the exact one (DESIGN §4.3).
import {
  argmax,
  autoregressive,
  createRng,
  type Draft,
  type DraftContext,
  type Drafter,
  generate,
  greedySampler,
  multinomialSampler,
  type Rng,
  type SamplerChain,
  sampleCategorical,
  softmax,
  speculative,
  type Verifier,
} from '@decodekit/core';
import { chiSquareTest } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import {
  defaultVerifier,
  greedyVerifier,
  recursiveRejectionVerifier,
  recursiveSpeculativeVerifier,
  sampleMatchVerifier,
  specTrVerifier,
  speculativeSamplingVerifier,
  typicalAcceptanceVerifier,
} from '../src/index.js';
import { createMockModel, mockLogits } from './helpers/mock-model.js';

const vocab = 9;

// The drafter's own guess at the next token: the target's logits plus a context-dependent bias,
// so its proposals are right often but not always.
function draftLogits(context: readonly number[], temperature = 1): Float32Array {
  const last = context[context.length - 1];
  const beforeLast = context.length > 1 ? context[context.length - 2] : 0;
  const row = mockLogits(last, beforeLast, vocab);
  for (let v = 0; v < vocab; v++) row[v] = (row[v] + 1.5 * Math.sin(7 * v + 3 * last)) / temperature;
  return row;
}

type Shape = 'chain' | 'tree' | 'chains' | 'without-replacement';

/** A draft-model-like drafter: deterministic argmax proposals, or samples from its own q (softmax of its logits). */
function toyDrafter(shape: Shape, sampled: boolean, length = 4): Drafter {
  return {
    name: `toy-${shape}${sampled ? '-sampled' : ''}`,
    propose(context: DraftContext): Draft {
      const tokens: number[] = [];
      const parents: number[] = [];
      const q: Float32Array[] = [];
      const budget = context.maxTokens;
      const base = Array.from(context.tokens);
      // Appends a chain of up to `count` tokens below `parent` (whose context is `prefix`).
      const extend = (parent: number, prefix: number[], count: number) => {
        for (let i = 0; i < count && tokens.length < budget; i++) {
          const row = softmax(draftLogits(prefix));
          const token = sampled ? sampleCategorical(row, context.rng) : argmax(row);
          tokens.push(token);
          parents.push(parent);
          q.push(row);
          parent = tokens.length - 1;
          prefix = [...prefix, token];
        }
      };
      if (shape === 'chain') extend(-1, base, length);
      else if (shape === 'chains') for (let k = 0; k < 3; k++) extend(-1, base, length);
      else if (shape === 'tree') {
        // Two root children (argmax and runner-up, or two independent draws), each with a chain.
        const row = softmax(draftLogits(base));
        const first = sampled ? sampleCategorical(row, context.rng) : argmax(row);
        const runnerUp = sampled ? sampleCategorical(row, context.rng) : (first + 1) % vocab;
        for (const token of [runnerUp, first]) {
          if (tokens.length >= budget) break;
          tokens.push(token);
          parents.push(-1);
          q.push(row);
          extend(tokens.length - 1, [...base, token], length - 1);
        }
      } else {
        // Without replacement: three distinct siblings per level along the first sibling's path.
        let parent = -1;
        let prefix = base;
        for (let depth = 0; depth < length && tokens.length < budget; depth++) {
          const row = softmax(draftLogits(prefix));
          const remaining = row.slice();
          let firstChild = -1;
          for (let b = 0; b < 3 && tokens.length < budget; b++) {
            const token = sampleCategorical(remaining, context.rng);
            remaining[token] = 0;
            tokens.push(token);
            parents.push(parent);
            q.push(row);
            if (b === 0) firstChild = tokens.length - 1;
          }
          parent = firstChild;
          prefix = [...prefix, tokens[firstChild]];
        }
      }
      const sampling =
        shape === 'without-replacement' ? 'without-replacement' : sampled ? 'independent' : 'deterministic';
      return { tokens, parents, sampling, q: sampling === 'deterministic' ? undefined : q };
    },
  };
}

const prompts = [[1, 2, 3], [4], [8, 0, 5, 5], [7, 7]];

async function run(
  prompt: number[],
  sampler: SamplerChain,
  drafter?: Drafter,
  verifier?: Verifier,
  seed = 0,
  maxNewTokens = 40,
) {
  return generate({
    model: createMockModel(vocab),
    prompt,
    sampler,
    strategy: drafter && verifier ? speculative({ drafter, verifier }) : autoregressive(),
    maxNewTokens,
    stopTokens: [],
    seed,
  });
}

describe('greedy equality end to end', () => {
  const combinations: [string, () => Verifier, Drafter][] = [
    ['greedy, deterministic chain', greedyVerifier, toyDrafter('chain', false)],
    ['greedy, deterministic tree', greedyVerifier, toyDrafter('tree', false)],
    ['sample-match, deterministic tree', sampleMatchVerifier, toyDrafter('tree', false)],
    ['speculative sampling, sampled chain', speculativeSamplingVerifier, toyDrafter('chain', true)],
    ['speculative sampling, deterministic chain', speculativeSamplingVerifier, toyDrafter('chain', false)],
    ['recursive rejection, sampled tree', recursiveRejectionVerifier, toyDrafter('tree', true)],
    [
      'recursive speculative, without-replacement tree',
      recursiveSpeculativeVerifier,
      toyDrafter('without-replacement', true),
    ],
    ['SpecTr, 3 i.i.d. chains', specTrVerifier, toyDrafter('chains', true)],
    ['typical acceptance (greedy under a greedy sampler), tree', typicalAcceptanceVerifier, toyDrafter('tree', false)],
    ['default, deterministic tree', defaultVerifier, toyDrafter('tree', false)],
    ['default, sampled chain', defaultVerifier, toyDrafter('chain', true)],
    ['default, without-replacement tree', defaultVerifier, toyDrafter('without-replacement', true)],
  ];
  for (const [name, makeVerifier, drafter] of combinations) {
    it(`${name}: output equals autoregressive greedy`, async () => {
      let accepted = 0;
      for (const prompt of prompts) {
        const expected = await run(prompt, greedySampler());
        const actual = await run(prompt, greedySampler(), drafter, makeVerifier(), 1);
        expect(actual.tokens).toEqual(expected.tokens);
        accepted += actual.stats.accepted;
        expect(actual.stats.targetForwards).toBeLessThanOrEqual(expected.stats.targetForwards);
      }
      // The test means something only if drafts were accepted.
      expect(accepted).toBeGreaterThan(10);
    });
  }
});

describe('sampling distribution end to end (temperature 0.8)', () => {
  const temperature = 0.8;
  const sampler = multinomialSampler(temperature);
  const length = 3;
  const trials = 20_000;
  const prompt = [2, 6];

  // Exact P(first `length` tokens) from the mock's logits through the same chain.
  function exact(): Float64Array {
    const out = new Float64Array(vocab ** length);
    const walk = (context: number[], index: number, probability: number, depth: number) => {
      if (depth === length) {
        out[index] = probability;
        return;
      }
      const last = context[context.length - 1];
      const beforeLast = context[context.length - 2];
      const p = sampler.distribution(mockLogits(last, beforeLast, vocab), {
        tokens: context,
        promptLength: prompt.length,
      });
      for (let v = 0; v < vocab; v++) walk([...context, v], index * vocab + v, probability * p[v], depth + 1);
    };
    walk(prompt, 0, 1, 0);
    return out;
  }

  const cases: [string, () => Verifier, Drafter][] = [
    ['default, sampled tree', defaultVerifier, toyDrafter('tree', true)],
    ['default, deterministic chain', defaultVerifier, toyDrafter('chain', false)],
    ['SpecTr, 3 i.i.d. chains', specTrVerifier, toyDrafter('chains', true)],
    [
      'recursive speculative, without-replacement tree',
      recursiveSpeculativeVerifier,
      toyDrafter('without-replacement', true),
    ],
  ];
  cases.forEach(([name, makeVerifier, drafter], index) => {
    it(`${name}: joint of the first ${length} tokens matches (chi-square p > 1e-6, ${trials} runs)`, async () => {
      const counts = new Float64Array(vocab ** length);
      const verifier = makeVerifier();
      const strategy = speculative({ drafter, verifier });
      const model = createMockModel(vocab);
      const rng: Rng = createRng(500 + index);
      for (let t = 0; t < trials; t++) {
        const result = await generate({ model, prompt, sampler, strategy, maxNewTokens: 6, stopTokens: [], rng });
        let cell = 0;
        for (let i = 0; i < length; i++) cell = cell * vocab + result.tokens[i];
        counts[cell]++;
      }
      const test = chiSquareTest(counts, exact());
      expect(test.pValue, `chi-square ${test.statistic.toFixed(1)} on ${test.degreesOfFreedom} df`).toBeGreaterThan(
        1e-6,
      );
    });
  });
});
