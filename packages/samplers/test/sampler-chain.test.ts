import { argmax, createRng, InvalidArgumentError, type SamplingContext, softmax } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import {
  defaultSamplerOrder,
  huggingFaceSamplerOrder,
  samplerChain,
  samplerSettingsFromGenerationConfig,
} from '../src/index.js';

const context: SamplingContext = { tokens: [3, 1, 3], promptLength: 1 };

function row(values: number[]): Float32Array {
  return Float32Array.from(values);
}

describe('samplerChain', () => {
  it('uses the documented default order', () => {
    const chain = samplerChain({
      temperature: 0.7,
      topK: 40,
      topP: 0.9,
      minP: 0.05,
      typicalP: 0.95,
      repetitionPenalty: 1.1,
      presencePenalty: 0.2,
      dry: { multiplier: 0.8 },
      xtc: { threshold: 0.1, probability: 0.5 },
      topNSigma: 1,
    });
    expect(chain.processors.map((p) => p.name)).toEqual([
      'repetition-penalty',
      'presence-penalty',
      'dry',
      'top-n-sigma',
      'top-k',
      'typical-p',
      'top-p',
      'min-p',
      'xtc',
      'temperature',
    ]);
    expect(defaultSamplerOrder.indexOf('penalties')).toBeLessThan(defaultSamplerOrder.indexOf('top-k'));
    expect(chain.greedy).toBe(false);
  });

  it('follows a custom order (Hugging Face: temperature first)', () => {
    const chain = samplerChain({ temperature: 0.5, topK: 10, topP: 0.9, order: ['temperature', 'top-k', 'top-p'] });
    expect(chain.processors.map((p) => p.name)).toEqual(['temperature', 'top-k', 'top-p']);
  });

  it('rejects orders that drop a configured stage, repeat one or name an unknown one', () => {
    expect(() => samplerChain({ topK: 5, topP: 0.9, order: ['top-k'] })).toThrow(InvalidArgumentError);
    expect(() => samplerChain({ topK: 5, order: ['top-k', 'top-k'] })).toThrow(/twice/);
    expect(() => samplerChain({ order: ['top-q' as never] })).toThrow(/unknown stage/);
  });

  it('temperature 0 is greedy selection after the processors', () => {
    const chain = samplerChain({ temperature: 0, repetitionPenalty: 10 });
    expect(chain.greedy).toBe(true);
    const logits = row([1, 2, 0.5, 1.9]);
    // token 3 was seen: 1.9 / 10 = 0.19, so argmax stays 1; token 1 seen too: 2/10 = 0.2 -> argmax becomes 0
    expect(chain.sample(logits, context, createRng(0))).toBe(0);
  });

  it('temperature -> 0 approaches greedy', () => {
    const logits = [0.3, 1.2, 1.1, -0.4];
    const cold = samplerChain({ temperature: 1e-3 }).distribution(row(logits), context);
    expect(argmax(cold)).toBe(argmax(logits));
    expect(cold[argmax(logits)]).toBeGreaterThan(0.999);
  });

  it('neutral settings give the plain softmax', () => {
    const logits = [0.3, 1.2, 1.1, -0.4];
    const chain = samplerChain({ temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, typicalP: 1 });
    const out = chain.distribution(row(logits), context);
    const expected = softmax(row(logits));
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(expected[i], 7);
  });

  it('validates settings and names them', () => {
    const cases: Array<[string, () => unknown]> = [
      ['temperature', () => samplerChain({ temperature: -1 })],
      ['topP', () => samplerChain({ topP: 1.5 })],
      ['topK', () => samplerChain({ topK: -3 })],
      ['minLength', () => samplerChain({ minLength: 3 })],
      ['mirostat.version', () => samplerChain({ mirostat: { version: 3 as 1 } })],
    ];
    for (const [setting, make] of cases) {
      expect(make).toThrow(InvalidArgumentError);
      try {
        make();
      } catch (error) {
        expect((error as InvalidArgumentError).setting).toBe(setting);
      }
    }
  });

  it('samples from the truncated, tempered distribution (seeded frequency test)', () => {
    const logits = [2, 1.5, 1, 0.5, 0, -0.5, -1, -3];
    const chain = samplerChain({ temperature: 0.8, topK: 5, topP: 0.9 });
    const probabilities = chain.distribution(row(logits), context);
    // Hand check: top-k keeps 0..4; top-p on T=1 probabilities of those keeps the smallest prefix with mass >= 0.9.
    const p5 = softmax(row(logits.slice(0, 5)));
    let mass = 0;
    let keep = 0;
    while (mass < 0.9) mass += p5[keep++];
    const expected = softmax(row(logits.slice(0, keep).map((z) => z / 0.8)));
    for (let i = 0; i < 8; i++) expect(probabilities[i]).toBeCloseTo(i < keep ? expected[i] : 0, 6);
    const rng = createRng(1234);
    const counts = new Array(8).fill(0);
    const draws = 40000;
    for (let n = 0; n < draws; n++) counts[chain.sample(row(logits), context, rng)]++;
    let chiSquare = 0;
    for (let i = 0; i < keep; i++) chiSquare += (counts[i] - draws * expected[i]) ** 2 / (draws * expected[i]);
    for (let i = keep; i < 8; i++) expect(counts[i]).toBe(0);
    // keep - 1 degrees of freedom (<= 4): the 99.9% quantile of chi-square(4) is 18.5.
    expect(chiSquare).toBeLessThan(18.5);
  });

  it('mirostat chains are stateful and accept committed tokens', () => {
    const chain = samplerChain({ temperature: 0.9, mirostat: { version: 2, tau: 3 } });
    expect(chain.stateful).toBe(true);
    const rng = createRng(5);
    const token = chain.sample(row([1, 2, 3, 0.5]), context, rng);
    expect(() => chain.accept(token)).not.toThrow();
    chain.reset();
  });
});

describe('samplerSettingsFromGenerationConfig', () => {
  it('greedy unless do_sample, with processors kept', () => {
    const settings = samplerSettingsFromGenerationConfig({
      temperature: 0.7,
      top_k: 20,
      repetition_penalty: 1.2,
      eos_token_id: 2,
    });
    expect(settings.temperature).toBe(0);
    expect(settings.topK).toBeUndefined();
    const chain = samplerChain(settings);
    expect(chain.greedy).toBe(true);
    expect(chain.processors.map((p) => p.name)).toEqual(['repetition-penalty']);
  });

  it('sampling uses Hugging Face defaults and order (temperature first, top-k 50)', () => {
    const chain = samplerChain(
      samplerSettingsFromGenerationConfig({
        do_sample: true,
        temperature: 0.6,
        top_p: 0.9,
        min_new_tokens: 3,
        eos_token_id: [0, 1],
        bad_words_ids: [[4, 5]],
        suppress_tokens: [7],
      }),
    );
    expect(chain.processors.map((p) => p.name)).toEqual([
      'banned-tokens',
      'min-new-tokens',
      'temperature',
      'top-k',
      'top-p',
    ]);
    expect(huggingFaceSamplerOrder.indexOf('temperature')).toBeLessThan(huggingFaceSamplerOrder.indexOf('top-k'));
  });

  it('rejects multi-token sequence biases', () => {
    expect(() => samplerSettingsFromGenerationConfig({ sequence_bias: [[[1, 2], -1]] })).toThrow(InvalidArgumentError);
  });
});
