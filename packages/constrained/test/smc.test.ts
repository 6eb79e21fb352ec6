import {
  AbortError,
  createRng,
  greedySampler,
  InvalidArgumentError,
  multinomialSampler,
  type SamplerChain,
  type Sequence,
} from '@decodekit/core';
import { createNgramMockModel, type NgramMockModel, totalVariationDistance } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import type { Constraint } from '../src/constraint.js';
import { ConstraintDeadEndError } from '../src/errors.js';
import { rejectionSampling, smc, stratifiedAncestors, tokenMasking } from '../src/index.js';
import { patternConstraint, textOf, toyVocabulary, wordsConstraint } from './toy-constraint.js';

/**
 * The exact distributions over complete outputs of at most `maxNewTokens` tokens (eos included, the
 * last one forced to eos as SMC does), by enumerating every path of the model under the chain:
 * - global: p(y)·c(y)·φ(y) / Z over complete outputs (what SMC targets);
 * - local: the product of locally renormalised masked distributions (token masking without weights).
 */
function exactTargets(
  model: NgramMockModel,
  prompt: number[],
  constraint: Constraint,
  sampler: SamplerChain,
  maxNewTokens: number,
  critic: (tokens: readonly number[]) => number = () => 0,
) {
  const eos = constraint.vocabulary.eos;
  const global = new Map<string, number>();
  const local = new Map<string, number>();
  let z = 0;
  const visit = (tokens: number[], state: unknown, p: number, q: number) => {
    const row = model.logitsFor([...prompt, ...tokens]);
    const distribution = sampler.distribution(
      row,
      { tokens: [...prompt, ...tokens], promptLength: prompt.length },
      row,
    );
    const last = tokens.length === maxNewTokens - 1;
    const allowed = (v: number) => (last ? v === eos : true) && constraint.allows(state, v);
    let mass = 0;
    for (let v = 0; v < distribution.length; v++) if (allowed(v)) mass += distribution[v];
    for (let v = 0; v < distribution.length; v++) {
      if (!allowed(v) || distribution[v] === 0) continue;
      const next = constraint.advance(state, v);
      const pNext = p * distribution[v];
      const qNext = last ? q : (q * distribution[v]) / mass;
      const path = [...tokens, v];
      if (v === eos) {
        const key = path.join(',');
        const weight = pNext * Math.exp(critic(path));
        global.set(key, weight);
        local.set(key, (local.get(key) ?? 0) + qNext);
        z += weight;
      } else visit(path, next, pNext, qNext);
    }
  };
  visit([], constraint.start(), 1, 1);
  for (const [key, value] of global) global.set(key, value / z);
  return { global, local, z };
}

function posteriorMap(posterior: readonly { tokens: readonly number[]; probability: number }[]) {
  return new Map(posterior.map((entry) => [entry.tokens.join(','), entry.probability]));
}

function tv(a: Map<string, number>, b: Map<string, number>): number {
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return totalVariationDistance(
    keys.map((k) => a.get(k) ?? 0),
    keys.map((k) => b.get(k) ?? 0),
  );
}

const model = createNgramMockModel({ vocabSize: toyVocabulary.size, order: 2, seed: 3, scale: 1.5, eos: [0] });
const prompt = [1, 2];
// Words over {a, b, c} with one c at the end, at most 4 characters: a(b|ba)*-like language, enumerable.
const constraint = patternConstraint(toyVocabulary, /^[ab]{0,3}c$/, (text) => /^[ab]{0,3}c?$/.test(text));
const sampler = multinomialSampler(1);
const maxNewTokens = 5;

describe('smc', () => {
  const exact = exactTargets(model, prompt, constraint, sampler, maxNewTokens);

  it('the fixture is myopic: locally constrained sampling is far from the global target', () => {
    expect(exact.global.size).toBeGreaterThan(5);
    expect(tv(exact.global, exact.local)).toBeGreaterThan(0.1);
  });

  it('the weighted posterior converges to p(y)c(y)/Z with AWRS weights (N = 4000)', async () => {
    const result = await smc({ model, prompt, constraint, sampler, particles: 4000, maxNewTokens, seed: 1 });
    const distance = tv(posteriorMap(result.posterior), exact.global);
    // Over 25 outputs, seeds 0..7 at N = 4000 gave TV errors 0.011–0.052 (resampling adds variance);
    // 0.08 leaves room for that spread and is far below the locally constrained sampler's 0.67.
    expect(distance).toBeLessThan(0.08);
    expect(result.particles.length).toBe(4000);
    for (const particle of result.particles) {
      if (particle.status === 'complete') expect(textOf(toyVocabulary, particle.tokens)).toMatch(/^[ab]{0,3}c$/);
    }
    expect(result.stats.forwards).toBeGreaterThan(1);
  });

  it('converges with token-masking weights too, and the error shrinks with N', async () => {
    const errors: number[] = [];
    for (const particles of [100, 3000]) {
      let total = 0;
      for (let seed = 0; seed < 3; seed++) {
        const result = await smc({
          model,
          prompt,
          constraint,
          sampler,
          particles,
          maxNewTokens,
          seed,
          tokenSampler: tokenMasking(),
        });
        total += tv(posteriorMap(result.posterior), exact.global);
      }
      errors.push(total / 3);
    }
    expect(errors[1]).toBeLessThan(0.08);
    expect(errors[1]).toBeLessThan(errors[0]);
  });

  it('Ẑ = exp(logMarginal) is unbiased for Z', async () => {
    const runs = 40;
    const estimates: number[] = [];
    for (let seed = 0; seed < runs; seed++) {
      const result = await smc({ model, prompt, constraint, sampler, particles: 50, maxNewTokens, seed: 100 + seed });
      estimates.push(Math.exp(result.logMarginal));
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1));
    // Four standard errors of the mean of 40 runs.
    expect(Math.abs(mean - exact.z)).toBeLessThan(4 * (sd / Math.sqrt(runs)) + 1e-9);
  });

  it('with a critic the posterior converges to p(y)c(y)φ(y)/Z', async () => {
    // φ favours outputs with more "b" characters; it also twists the intermediate resampling.
    const critic = (tokens: readonly number[]) => 0.7 * (textOf(toyVocabulary, tokens).match(/b/g)?.length ?? 0);
    const target = exactTargets(model, prompt, constraint, sampler, maxNewTokens, critic);
    const result = await smc({ model, prompt, constraint, sampler, particles: 4000, maxNewTokens, seed: 2, critic });
    expect(tv(posteriorMap(result.posterior), target.global)).toBeLessThan(0.08);
    expect(tv(target.global, exact.global)).toBeGreaterThan(0.15);
  });

  it('resamples by forking KV caches and reports statistics', async () => {
    // Count forks and disposals of every sequence the model opens.
    let forks = 0;
    let opened = 0;
    let disposed = 0;
    const track = (sequence: Sequence): Sequence => {
      opened++;
      return new Proxy(sequence, {
        get(target, key) {
          if (key === 'fork') {
            return async () => {
              forks++;
              return track(await target.fork());
            };
          }
          if (key === 'dispose') {
            return () => {
              disposed++;
              return target.dispose();
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    const tracked = new Proxy(model, {
      get(target, key) {
        if (key === 'openSequence') return () => track(target.openSequence());
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const result = await smc({
      model: tracked,
      prompt,
      constraint,
      sampler,
      particles: 20,
      maxNewTokens,
      essThreshold: 1,
      seed: 5,
    });
    expect(result.stats.resamples).toBeGreaterThan(0);
    // 19 forks give the particles their caches after the prompt; resampling forks more for duplicated ancestors.
    expect(forks).toBeGreaterThan(19);
    expect(disposed).toBe(opened);
    const weights = result.particles.reduce((a, p) => a + p.weight, 0);
    expect(weights).toBeCloseTo(1, 9);
    expect(result.posterior.reduce((a, e) => a + e.probability, 0)).toBeCloseTo(1, 9);
    expect(result.stats.evaluations).toBeGreaterThan(0);
  });

  it('gives the same particles with an asynchronous (worker-like) model', async () => {
    const asyncModel = createNgramMockModel({
      vocabSize: toyVocabulary.size,
      order: 2,
      seed: 3,
      scale: 1.5,
      eos: [0],
      asynchronous: true,
    });
    const sync = await smc({ model, prompt, constraint, sampler, particles: 16, maxNewTokens, seed: 8 });
    const async = await smc({ model: asyncModel, prompt, constraint, sampler, particles: 16, maxNewTokens, seed: 8 });
    expect(async.particles).toEqual(sync.particles);
    expect(async.logMarginal).toBe(sync.logMarginal);
  });

  it('refuses bad settings with typed errors', async () => {
    const base = { model, prompt, constraint };
    await expect(smc({ ...base, sampler: greedySampler() })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(smc({ ...base, tokenSampler: rejectionSampling() })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(smc({ ...base, particles: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(smc({ ...base, essThreshold: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(smc({ ...base, prompt: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(smc({ ...base, maxNewTokens: 600 })).rejects.toThrow(/do not fit the context/);
  });

  it('reports a dead end when every particle dies', async () => {
    // "z" has no token: the constraint's only completion cannot be spelled.
    const impossible = wordsConstraint(toyVocabulary, ['z']);
    await expect(smc({ model, prompt, constraint: impossible, particles: 4 })).rejects.toBeInstanceOf(
      ConstraintDeadEndError,
    );
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(smc({ model, prompt, constraint, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});

describe('stratifiedAncestors', () => {
  it('gives each particle floor or ceil of N·w copies and never picks zero weights', () => {
    const rng = createRng(9);
    const weights = [0.5, 0, 0.25, 0.125, 0.125];
    for (let k = 0; k < 50; k++) {
      const ancestors = stratifiedAncestors(weights, rng);
      const counts = weights.map((_, i) => ancestors.filter((a) => a === i).length);
      expect(counts[1]).toBe(0);
      for (let i = 0; i < weights.length; i++) expect(Math.abs(counts[i] - 5 * weights[i])).toBeLessThan(2);
    }
  });
});
