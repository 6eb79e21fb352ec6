import { describe, expect, it } from 'vitest';
import {
  createRng,
  createSamplerChain,
  DecodekitError,
  greedySampler,
  InvalidArgumentError,
  multinomialSampler,
  NonFiniteLogitsError,
  sampleCategorical,
  softmax,
  temperature,
} from '../src/index.js';

const context = { tokens: [1, 2], promptLength: 2 };

describe('sampler chain', () => {
  it('greedy gives a point mass on the argmax', () => {
    const p = greedySampler().distribution(new Float32Array([0.1, 2, 1]), context);
    expect(Array.from(p)).toEqual([0, 1, 0]);
  });
  it('temperature 1 is neutral and temperature scales logits', () => {
    const row = new Float32Array([1, 2, 3]);
    temperature(1).process(row, context);
    expect(Array.from(row)).toEqual([1, 2, 3]);
    temperature(0.5).process(row, context);
    expect(Array.from(row)).toEqual([2, 4, 6]);
  });
  it('rejects invalid temperatures with a typed error naming the setting', () => {
    for (const bad of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = (() => {
        try {
          temperature(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).setting).toBe('temperature');
      expect(DecodekitError.is(error)).toBe(true);
    }
  });
  it('reports NaN logits as NonFiniteLogitsError', () => {
    expect(() => multinomialSampler(1).sample(new Float32Array([0, Number.NaN]), context, createRng(0))).toThrow(
      NonFiniteLogitsError,
    );
    expect(() => greedySampler().sample(new Float32Array([Number.NaN, Number.NaN]), context, createRng(0))).toThrow(
      NonFiniteLogitsError,
    );
  });
  it('applies processors in order and samples the warped distribution', () => {
    const maskFirst = { name: 'mask-first', process: (row: Float32Array) => void (row[0] = Number.NEGATIVE_INFINITY) };
    const chain = createSamplerChain({ processors: [maskFirst, temperature(2)] });
    const p = chain.distribution(new Float32Array([5, 0, Math.log(4) * 2]), context);
    expect(p[0]).toBe(0);
    expect(p[2] / p[1]).toBeCloseTo(4, 5);
    const rng = createRng(9);
    let twos = 0;
    for (let i = 0; i < 20_000; i++)
      if (chain.sample(new Float32Array([5, 0, Math.log(4) * 2]), context, rng) === 2) twos++;
    expect(twos / 20_000).toBeCloseTo(0.8, 1);
  });
  it('temperature 0 in multinomialSampler means greedy', () => {
    expect(multinomialSampler(0).greedy).toBe(true);
  });
  it('skipping masked entries draws exactly what a dense softmax + sampleCategorical draws', () => {
    // Masks all but every 13th entry: the sparse path then touches a fraction of the row.
    const maskMost = {
      name: 'mask-most',
      process: (row: Float32Array) => row.forEach((_, i) => void (i % 13 === 0 || (row[i] = Number.NEGATIVE_INFINITY))),
    };
    const chain = createSamplerChain({ processors: [maskMost, temperature(0.6)] });
    const rngA = createRng(5);
    const rngB = createRng(5);
    const valueRng = createRng(6);
    for (let r = 0; r < 300; r++) {
      const row = Float32Array.from({ length: 500 }, () => 4 * valueRng.next());
      const dense = row.slice();
      maskMost.process(dense);
      temperature(0.6).process(dense, context);
      const p = softmax(dense);
      expect(chain.sample(row.slice(), context, rngA)).toBe(sampleCategorical(p, rngB));
      expect(Array.from(chain.distribution(row.slice(), context))).toEqual(Array.from(p));
    }
  });
});
