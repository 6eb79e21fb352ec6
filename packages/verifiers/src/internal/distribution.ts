import { argmax, type Rng, sampleCategorical } from '@decodekit/core';

/** Acceptance probability of a speculative-sampling step: min(1, p / q), with q > 0. */
export function acceptanceProbability(target: number, draft: number): number {
  return target >= draft ? 1 : target / draft;
}

/** True with probability `probability`, using one uniform from `rng`. */
export function bernoulli(probability: number, rng: Rng): boolean {
  // `next()` is in [0, 1): probability 1 always accepts, probability 0 never does.
  return rng.next() < probability;
}

/**
 * Replaces `target` in place by the residual norm(max(0, target − draft)), the distribution of the
 * correction after a rejection. Returns false (leaving `target` unchanged) when the residual has no
 * mass: that only happens when target ≤ draft everywhere, i.e. target = draft up to rounding, where
 * a rejection has probability zero and any choice is exact.
 */
export function subtractResidual(target: Float32Array, draft: Float32Array): boolean {
  let mass = 0;
  for (let i = 0; i < target.length; i++) {
    const d = target[i] - draft[i];
    if (d > 0) mass += d;
  }
  if (!(mass > 0)) return false;
  const inverse = 1 / mass;
  for (let i = 0; i < target.length; i++) {
    const d = target[i] - draft[i];
    target[i] = d > 0 ? d * inverse : 0;
  }
  return true;
}

/**
 * The residual against a point mass on `token` (a deterministic proposal, q = 1 at the token):
 * target with that token removed, renormalised. Returns false when the token held all the mass.
 */
export function removeToken(target: Float32Array, token: number): boolean {
  const rest = 1 - target[token];
  let mass = 0;
  for (let i = 0; i < target.length; i++) if (i !== token) mass += target[i];
  if (!(mass > 0) || !(rest > 0)) return false;
  target[token] = 0;
  const inverse = 1 / mass;
  for (let i = 0; i < target.length; i++) target[i] *= inverse;
  return true;
}

/** Draws a token from a probability row. */
export function sampleToken(probabilities: Float32Array, rng: Rng): number {
  return sampleCategorical(probabilities, rng);
}

/** The most likely token of a probability row (first on ties). */
export function mostLikelyToken(probabilities: Float32Array): number {
  return argmax(probabilities);
}
