import { createRng, type Rng } from '@decodekit/core';
import { chiSquareTest } from '@decodekit/testing';
import { describe, expect, it } from 'vitest';
import type { Constraint } from '../src/constraint.js';
import { StatsCounter } from '../src/constraint.js';
import { type AwrsEstimator, awrs, rejectionSampling, tokenMasking } from '../src/index.js';
import { type ConstrainedTokenSampler, WithoutReplacement } from '../src/sampling/token-sampler.js';
import { byteVocabulary } from '../src/vocabulary.js';

/** A constraint that allows a fixed set of tokens whatever the state (one position). */
function setConstraint(size: number, allowed: ReadonlySet<number>): Constraint<number> {
  const stats = new StatsCounter();
  return {
    name: 'set',
    vocabulary: byteVocabulary(
      Array.from({ length: size }, (_, i) => `t${i}`),
      0,
    ),
    stats,
    start: () => 0,
    advance: (state, token) => (allowed.has(token) ? state + 1 : undefined),
    allows(_state, token) {
      stats.tokenChecks++;
      return allowed.has(token);
    },
    isComplete: () => true,
    mask(_state, out = new Uint8Array(size)) {
      stats.masks++;
      for (let v = 0; v < size; v++) out[v] = allowed.has(v) ? 1 : 0;
      return out;
    },
  };
}

interface Problem {
  p: Float32Array;
  allowed: Set<number>;
  constraint?: Constraint<number>;
}

/** Random small problems: |V| in 3..8, p from squared uniforms (some zeros), a random non-empty allowed set. */
function randomProblems(count: number, rng: Rng): Problem[] {
  const problems: Problem[] = [];
  while (problems.length < count) {
    const size = 3 + Math.floor(rng.next() * 6);
    const raw = Array.from({ length: size }, () => (rng.next() < 0.15 ? 0 : rng.next() ** 2));
    const total = raw.reduce((a, b) => a + b, 0);
    const allowed = new Set<number>();
    for (let v = 0; v < size; v++) if (rng.next() < 0.5) allowed.add(v);
    const z = [...allowed].reduce((a, v) => a + raw[v], 0);
    if (total === 0 || z === 0) continue;
    problems.push({ p: Float32Array.from(raw.map((x) => x / total)), allowed });
  }
  return problems;
}

function draw(sampler: ConstrainedTokenSampler, problem: Problem, rng: Rng) {
  problem.constraint ??= setConstraint(problem.p.length, problem.allowed);
  return sampler.sample({
    constraint: problem.constraint,
    state: 0,
    logits: Float32Array.from(problem.p, (x) => Math.log(x)),
    probabilities: problem.p,
    greedy: false,
    rng,
  });
}

// Every estimator's weight is in [0, 1], so Var(w·1{x=a}) <= E[w·1{x=a}] = p(a)c(a): the Monte Carlo
// standard error of the mean over N draws is at most sqrt(p(a)c(a)/N). We allow 5 such standard errors
// (floored at p·c = 1e-3); with ~200 comparisons the chance of a false failure under a correct
// estimator is below 1e-4, and the seed is fixed, so the test is deterministic.
const draws = 20_000;
const tolerance = (target: number) => 5 * Math.sqrt(Math.max(target, 1e-3) / draws);

describe('AWRS proper weighting: Σ w·1{x=a}/N → p(a)c(a)', () => {
  const problems = randomProblems(8, createRng(2025));
  for (const estimator of ['paper', 'geometric', 'recursive', 'auto'] as AwrsEstimator[]) {
    it(`${estimator} estimator is unbiased on random small vocabularies`, () => {
      const rng = createRng(7);
      const sampler = awrs({ estimator });
      for (const problem of problems) {
        const size = problem.p.length;
        const sums = new Float64Array(size);
        let totalWeight = 0;
        let invalid = 0;
        for (let n = 0; n < draws; n++) {
          const sample = draw(sampler, problem, rng);
          const w = Math.exp(sample.logWeight);
          if (!problem.allowed.has(sample.token) || !(w >= 0 && w <= 1 + 1e-12)) invalid++;
          sums[sample.token] += w;
          totalWeight += w;
        }
        expect(invalid).toBe(0);
        let z = 0;
        for (let a = 0; a < size; a++) {
          const target = problem.allowed.has(a) ? problem.p[a] : 0;
          z += target;
          expect(Math.abs(sums[a] / draws - target)).toBeLessThan(tolerance(target));
        }
        expect(Math.abs(totalWeight / draws - z)).toBeLessThan(tolerance(z));
      }
    });
  }

  it('variance: recursive is below the paper estimator on most problems, geometric on par', () => {
    const variance = (estimator: AwrsEstimator, problem: Problem) => {
      const rng = createRng(21);
      const n = 5000;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const w = Math.exp(draw(awrs({ estimator }), problem, rng).logWeight);
        s1 += w;
        s2 += w * w;
      }
      return s2 / n - (s1 / n) ** 2;
    };
    let recursiveBelow = 0;
    let paperTotal = 0;
    let geometricTotal = 0;
    let recursiveTotal = 0;
    for (const problem of problems) {
      const paper = variance('paper', problem);
      const geometric = variance('geometric', problem);
      const recursive = variance('recursive', problem);
      if (recursive < paper) recursiveBelow++;
      paperTotal += paper;
      geometricTotal += geometric;
      recursiveTotal += recursive;
    }
    expect(recursiveBelow).toBeGreaterThanOrEqual(problems.length / 2);
    expect(recursiveTotal).toBeLessThan(paperTotal);
    expect(Math.abs(geometricTotal - paperTotal)).toBeLessThan(0.2 * paperTotal);
  });

  it('has power: the improper weight of plain ARS fails the same check', () => {
    const rng = createRng(8);
    let failures = 0;
    for (const problem of problems) {
      const sums = new Float64Array(problem.p.length);
      for (let n = 0; n < draws; n++) {
        const sample = draw(rejectionSampling(), problem, rng);
        sums[sample.token] += Math.exp(sample.logWeight);
      }
      for (const a of problem.allowed)
        if (Math.abs(sums[a] / draws - problem.p[a]) >= tolerance(problem.p[a])) failures++;
    }
    expect(failures).toBeGreaterThan(0);
  });

  it('matches the digest reference cases', () => {
    const cases: { p: number[]; allowed: number[] }[] = [
      { p: [0.5, 0.3, 0.2], allowed: [1] },
      { p: [0.1, 0.2, 0.3, 0.4], allowed: [0, 2] },
      { p: [0.05, 0.05, 0.6, 0.3], allowed: [0, 1, 3] },
    ];
    for (const estimator of ['paper', 'geometric', 'recursive'] as AwrsEstimator[]) {
      const rng = createRng(11);
      for (const c of cases) {
        const problem: Problem = { p: Float32Array.from(c.p), allowed: new Set(c.allowed) };
        const sums = new Float64Array(c.p.length);
        for (let n = 0; n < draws; n++) {
          const sample = draw(awrs({ estimator }), problem, rng);
          sums[sample.token] += Math.exp(sample.logWeight);
        }
        for (const a of c.allowed) expect(Math.abs(sums[a] / draws - c.p[a])).toBeLessThan(tolerance(c.p[a]));
      }
    }
  });
});

describe('AWRS edge cases', () => {
  const p = Float32Array.from([0.4, 0.3, 0.2, 0.1]);
  it('weight is exactly 1 when the constraint allows everything (paper, geometric)', () => {
    const rng = createRng(3);
    for (const estimator of ['paper', 'geometric', 'recursive'] as AwrsEstimator[]) {
      const everything = { p, allowed: new Set([0, 1, 2, 3]) };
      const weights = new Set<number>();
      for (let n = 0; n < 200; n++) weights.add(draw(awrs({ estimator }), everything, rng).logWeight);
      expect([...weights]).toEqual([0]);
    }
  });
  it('a constraint that rejects every token gives a dead end (token -1, weight 0)', () => {
    const rng = createRng(4);
    for (const sampler of [
      awrs({ estimator: 'paper' }),
      awrs({ estimator: 'geometric' }),
      awrs({ estimator: 'recursive' }),
      rejectionSampling(),
      tokenMasking(),
    ]) {
      const sample = draw(sampler, { p, allowed: new Set() }, rng);
      expect(sample.token).toBe(-1);
      expect(sample.logWeight).toBe(Number.NEGATIVE_INFINITY);
    }
  });
  it('tokens with probability 0 are never drawn or checked', () => {
    const rng = createRng(5);
    const sparse = Float32Array.from([0, 0.5, 0, 0.5]);
    const problem = { p: sparse, allowed: new Set([0, 2, 3]) };
    const tokens = new Set<number>();
    for (let n = 0; n < 500; n++) tokens.add(draw(awrs(), problem, rng).token);
    expect([...tokens]).toEqual([3]);
    expect(draw(awrs(), { p: sparse, allowed: new Set([0, 2]) }, rng).token).toBe(-1);
  });
  it('token masking weighs by the exact local normaliser and pays |V| evaluations', () => {
    const sample = draw(tokenMasking(), { p, allowed: new Set([1, 3]) }, createRng(1));
    expect(Math.exp(sample.logWeight)).toBeCloseTo(0.4, 6);
    expect(sample.evaluations).toBe(4);
  });
  it('ARS draws exactly from the renormalised distribution', () => {
    const rng = createRng(6);
    const counts = new Float64Array(4);
    const allowed = new Set([0, 2, 3]);
    const problem = { p, allowed };
    for (let n = 0; n < draws; n++) counts[draw(rejectionSampling(), problem, rng).token]++;
    const z = 0.7;
    for (const a of allowed) {
      const g = p[a] / z;
      expect(Math.abs(counts[a] / draws - g)).toBeLessThan(5 * Math.sqrt((g * (1 - g)) / draws));
    }
    expect(counts[1]).toBe(0);
  });
  it('greedy chains pick the allowed token with the largest logit, lazily', () => {
    const constraint = setConstraint(4, new Set([2, 3]));
    const input = {
      constraint,
      state: 0,
      logits: Float32Array.from([5, 4, 3, 2]),
      probabilities: Float32Array.from([1, 0, 0, 0]),
      greedy: true,
      rng: createRng(0),
    };
    for (const sampler of [awrs(), rejectionSampling(), tokenMasking()]) expect(sampler.sample(input).token).toBe(2);
    expect(awrs().sample(input).evaluations).toBe(3);
  });
  it('refuses bad settings with typed errors', () => {
    expect(() => awrs({ estimator: 'nope' as AwrsEstimator })).toThrow(/estimator/);
    expect(() => awrs({ maxAccepts: 1 })).toThrow(/maxAccepts/);
  });
});

describe('WithoutReplacement (Fenwick-tree draws)', () => {
  it('draws proportionally to p, skips removed and zero tokens, and restores', () => {
    const rng = createRng(12);
    const size = 300;
    const p = Float32Array.from({ length: size }, (_, v) => (v % 7 === 0 ? 0 : rng.next()));
    const total = p.reduce((a, b) => a + b, 0);
    for (let v = 0; v < size; v++) p[v] /= total;
    const order = new WithoutReplacement(p);
    for (let v = 1; v < size; v += 3) order.remove(v);
    order.remove(2);
    order.restore(2);
    const kept = Array.from(p, (pv, v) => (order.isRemoved(v) ? 0 : pv));
    const counts = new Array<number>(size).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[order.draw(rng)]++;
    for (let v = 0; v < size; v++) if (kept[v] === 0) expect(counts[v]).toBe(0);
    expect(chiSquareTest(counts, kept).pValue).toBeGreaterThan(1e-3);
    const keptMass = kept.reduce((a, b) => a + b, 0);
    expect(order.remainingMass).toBeCloseTo(keptMass, 9);
  });
});
