import { InvalidArgumentError, type Rng } from '@decodekit/core';
import type { ConstrainedTokenSampler, TokenSample, TokenSamplerInput } from './token-sampler.js';
import { deadEnd, greedyLazy, integerSetting, WithoutReplacement } from './token-sampler.js';

/**
 * Which unbiased estimate of the local normaliser AWRS returns as the weight:
 * - `paper`: the estimator of the published algorithm (two rejection runs; weight
 *   (1 − p(R₁)) / (rejections + 1), R₁ the tokens rejected in the first run);
 * - `geometric`: `maxAccepts` runs with "phantom" rejections standing in for revisits of removed
 *   tokens, so the counts follow a negative binomial; weight (M − 1)/(trials − 1), the MVUE;
 * - `recursive`: a single pass that multiplies the survival probabilities of rejected tokens and
 *   checks one extra token after the accepted one;
 * - `auto` (default): `geometric` when `maxAccepts > 2` or the top token has p ≥ 2/3, otherwise
 *   `recursive` (the official genlm-control library's rule).
 */
export type AwrsEstimator = 'paper' | 'geometric' | 'recursive' | 'auto';

/** Options of {@link awrs}. */
export interface AwrsOptions {
  /** The weight estimator (default `auto`). */
  readonly estimator?: AwrsEstimator;
  /** Accepted draws the `geometric` estimator waits for (default 2, at least 2). */
  readonly maxAccepts?: number;
}

const estimators: readonly AwrsEstimator[] = ['paper', 'geometric', 'recursive', 'auto'];

/**
 * Adaptive weighted rejection sampling (AWRS; Lipkin et al., COLM 2025, arXiv 2504.05410): draws
 * x ~ g(x) ∝ p(x)·c(output + x) by rejection without replacement, checking the constraint on a
 * few tokens instead of the whole vocabulary, and returns a non-negative weight ŵ whose
 * expectation is the local normaliser Z = Σ_x p(x)·c(x); more precisely E[ŵ·f(x)] = Σ_x f(x)p(x)c(x)
 * for every f (proper weighting). SMC (`smc()`) uses ŵ as the incremental importance weight,
 * which corrects the myopia of local constraint enforcement.
 *
 * Expected cost: a handful of checks when the model already mostly obeys the constraint; it grows
 * with the probability mass the constraint rejects. Greedy chains take the allowed token with the
 * largest processed logit (weight 1).
 */
export function awrs(options: AwrsOptions = {}): ConstrainedTokenSampler {
  const estimator = options.estimator ?? 'auto';
  if (!estimators.includes(estimator)) {
    throw new InvalidArgumentError('estimator', `must be one of ${estimators.join(', ')}, got ${String(estimator)}`);
  }
  const maxAccepts = integerSetting('maxAccepts', options.maxAccepts, 2, 2);
  return {
    name: 'awrs',
    proper: true,
    sample<State>(input: TokenSamplerInput<State>): TokenSample {
      if (input.greedy) return greedyLazy(input);
      let chosen = estimator;
      if (chosen === 'auto') {
        let top = 0;
        for (let v = 0; v < input.probabilities.length; v++)
          if (input.probabilities[v] > top) top = input.probabilities[v];
        chosen = maxAccepts > 2 || top >= 2 / 3 ? 'geometric' : 'recursive';
      }
      if (chosen === 'paper') return paperEstimator(input);
      if (chosen === 'geometric') return geometricEstimator(input, maxAccepts);
      return recursiveEstimator(input);
    },
  };
}

/** The constraint check with a one-token memo (the accepted token may be drawn again). */
function checker<State>(input: TokenSamplerInput<State>) {
  let known = -1;
  let evaluations = 0;
  return {
    allows(v: number): boolean {
      if (v === known) return true;
      evaluations++;
      const ok = input.constraint.allows(input.state, v);
      if (ok) known = v;
      return ok;
    },
    get evaluations() {
      return evaluations;
    },
  };
}

function sample(token: number, weight: number, evaluations: number): TokenSample {
  if (token < 0 || !(weight > 0)) return { ...deadEnd, evaluations };
  return { token, logWeight: Math.log(weight), evaluations };
}

// Two runs; run 1 gives the sample, both runs count rejections; R1 = tokens rejected in run 1.
function paperEstimator<State>(input: TokenSamplerInput<State>): TokenSample {
  const order = new WithoutReplacement(input.probabilities);
  const check = checker(input);
  let token = -1;
  let rejections = 0;
  let rejectedMassRun1 = 0;
  for (let run = 1; run <= 2; run++) {
    let accepted = false;
    for (;;) {
      const v = order.draw(input.rng);
      if (v < 0) break;
      if (check.allows(v)) {
        if (token < 0) token = v;
        accepted = true;
        break;
      }
      rejections++;
      if (run === 1) rejectedMassRun1 += order.probability(v);
      order.remove(v);
    }
    if (!accepted) break;
  }
  if (token < 0) return sample(-1, 0, check.evaluations);
  return sample(token, Math.max(0, 1 - rejectedMassRun1) / (rejections + 1), check.evaluations);
}

// Failures before the first success of a Bernoulli(1 - r) sequence: P(F >= k) = r^k.
function geometricFailures(r: number, rng: Rng): number {
  if (r <= 0) return 0;
  if (r >= 1) return Number.POSITIVE_INFINITY;
  const u = 1 - rng.next(); // (0, 1]
  return Math.floor(Math.log(u) / Math.log(r));
}

function geometricEstimator<State>(input: TokenSamplerInput<State>, maxAccepts: number): TokenSample {
  const order = new WithoutReplacement(input.probabilities);
  const check = checker(input);
  let token = -1;
  let accepts = 0;
  let rejections = 0;
  let rejectedMass = 0;
  for (let run = 0; run < maxAccepts; run++) {
    let accepted = false;
    for (;;) {
      const v = order.draw(input.rng);
      if (v < 0) break;
      if (rejectedMass > 0) rejections += geometricFailures(rejectedMass, input.rng);
      if (check.allows(v)) {
        accepts++;
        if (token < 0) token = v;
        accepted = true;
        break;
      }
      rejections++;
      rejectedMass += order.probability(v);
      order.remove(v);
    }
    if (!accepted) break;
  }
  if (accepts === 0) return sample(-1, 0, check.evaluations);
  const trials = accepts + rejections;
  const weight = trials > 1 ? Math.min(maxAccepts - 1, accepts) / (trials - 1) : 1;
  return sample(token, weight, check.evaluations);
}

function recursiveEstimator<State>(input: TokenSamplerInput<State>): TokenSample {
  const order = new WithoutReplacement(input.probabilities);
  const check = checker(input);
  const { rng } = input;
  let weight = 1;
  for (;;) {
    const v = order.draw(rng);
    if (v < 0) return sample(-1, 0, check.evaluations);
    const last = order.remaining === 1;
    const q = last ? 1 : Math.min(1, order.probability(v) / order.remainingMass);
    if (check.allows(v)) {
      if (last) return sample(v, weight, check.evaluations);
      order.remove(v);
      const next = order.draw(rng);
      order.restore(v);
      const factor = next >= 0 && check.allows(next) ? 1 : q;
      return sample(v, weight * factor, check.evaluations);
    }
    if (last) return sample(-1, 0, check.evaluations);
    weight *= 1 - q;
    order.remove(v);
  }
}
