import { InvalidArgumentError, type Rng, type SamplerChain, sampleCategorical } from '@decodekit/core';

/** One drawn draft node: its token and, for sampled drafts, the q row it was drawn from. */
export interface DrawnNode {
  readonly token: number;
  readonly q?: Float32Array;
}

/**
 * Draws the next draft token from a draft-model logits row through the target's sampler chain, in
 * the node's exact context (committed tokens plus the draft path so far), so q is the chain's
 * distribution just as the verifier computes p. Greedy chains pick the chain's argmax and record
 * no q (a deterministic draft). `logits` is processed in place.
 */
export function drawNode(
  logits: Float32Array,
  sampler: SamplerChain,
  contextTokens: ArrayLike<number>,
  promptLength: number,
  rng: Rng,
): DrawnNode {
  const context = { tokens: contextTokens, promptLength };
  if (sampler.greedy) return { token: sampler.sample(logits, context, rng) };
  const q = sampler.distribution(logits, context, new Float32Array(logits.length));
  return { token: sampleCategorical(q, rng), q };
}

/** Throws `InvalidArgumentError` unless `value` is an integer in [minimum, maximum]. */
export function requireInteger(
  value: number,
  setting: string,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `in [${minimum}, ${maximum}]`;
    throw new InvalidArgumentError(setting, `must be an integer ${range}, got ${value}`);
  }
}
