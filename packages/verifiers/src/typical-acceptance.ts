import { entropy, InvalidArgumentError, targetDistribution, type Verifier } from '@decodekit/core';
import { checkVerifyInput } from './internal/checks.js';
import { mostLikelyToken, sampleToken } from './internal/distribution.js';

const name = 'typical-acceptance-lossy';
const supports = ['deterministic', 'independent', 'without-replacement'] as const;

/** Options of `typicalAcceptanceVerifier`. */
export interface TypicalAcceptanceOptions {
  /** ε, the hard acceptance threshold on p(x) (Medusa's `posterior_threshold`). Default 0.09. */
  readonly posteriorThreshold?: number;
  /**
   * δ, the factor of the entropy-adaptive threshold `δ·exp(−H(p))` (Medusa's `posterior_alpha`).
   * Default 0.3. Medusa recommends δ ≈ √ε.
   */
  readonly posteriorAlpha?: number;
  /**
   * The token added after the accepted path: `'argmax'` (default) as Medusa's code does with
   * `fast=True`, even at temperature > 0; `'sample'` draws it from the target distribution.
   */
  readonly bonusToken?: 'argmax' | 'sample';
}

/**
 * Typical acceptance (Cai et al. 2024, "Medusa: Simple LLM Inference Acceleration Framework with
 * Multiple Decoding Heads"; §5.1 of the digest). LOSSY: the output is NOT distributed as the
 * target's samples (`exact: false`, name `typical-acceptance-lossy`).
 *
 * A draft node with token x is accepted when its parent was accepted and `p(x) > min(ε,
 * δ·exp(−H(p)))`, with p the target distribution after the parent (after the sampler chain, so
 * the temperature applies) and H its entropy in nats. The verifier keeps the deepest accepted
 * node; between equally deep ones, the one whose path has the largest summed log-probability
 * (then the lowest index), as Medusa breaks ties. The next token is the target's argmax after the
 * path (Medusa's `fast=True`), or a sample with `bonusToken: 'sample'`.
 *
 * It favours plausible, high-probability continuations and accepts more than exact verification
 * at high temperature, at the price of bias: a draft token the target would rarely sample is
 * still accepted when it clears the threshold, and rejected tokens are replaced by the argmax.
 * With a greedy sampler p is one-hot, so it accepts exactly the argmax tokens (greedy).
 *
 * @example
 * const strategy = speculative({ drafter, verifier: typicalAcceptanceVerifier({ posteriorThreshold: 0.09, posteriorAlpha: 0.3 }) });
 */
export function typicalAcceptanceVerifier(options: TypicalAcceptanceOptions = {}): Verifier {
  const threshold = options.posteriorThreshold ?? 0.09;
  const alpha = options.posteriorAlpha ?? 0.3;
  const bonusToken = options.bonusToken ?? 'argmax';
  if (!(threshold >= 0 && Number.isFinite(threshold))) {
    throw new InvalidArgumentError('posteriorThreshold', `must be a finite number >= 0, got ${threshold}`);
  }
  if (!(alpha >= 0 && Number.isFinite(alpha))) {
    throw new InvalidArgumentError('posteriorAlpha', `must be a finite number >= 0, got ${alpha}`);
  }
  if (bonusToken !== 'argmax' && bonusToken !== 'sample') {
    throw new InvalidArgumentError('bonusToken', `must be 'argmax' or 'sample', got ${String(bonusToken)}`);
  }
  return {
    name,
    exact: false,
    supports,
    verify(input) {
      const { count, children } = checkVerifyInput(input, name, supports);
      const { tokens } = input.draft;
      const depth = new Int32Array(count); // 0: rejected
      const logLikelihood = new Float64Array(count);
      let end = -1;
      let endDepth = 0;
      let endLikelihood = 0;
      // Parents come before children: deciding children parent by parent needs one row at a time.
      for (let parent = -1; parent < count; parent++) {
        const kids = children(parent);
        if (kids.length === 0 || (parent >= 0 && depth[parent] === 0)) continue;
        const target = targetDistribution(input, parent);
        const bar = Math.min(threshold, alpha * Math.exp(-entropy(target)));
        const parentDepth = parent < 0 ? 0 : depth[parent];
        const parentLikelihood = parent < 0 ? 0 : logLikelihood[parent];
        for (const child of kids) {
          const probability = target[tokens[child]];
          if (!(probability > bar)) continue;
          depth[child] = parentDepth + 1;
          logLikelihood[child] = parentLikelihood + Math.log(probability);
          if (depth[child] > endDepth || (depth[child] === endDepth && logLikelihood[child] > endLikelihood)) {
            end = child;
            endDepth = depth[child];
            endLikelihood = logLikelihood[child];
          }
        }
      }
      const path: number[] = new Array(endDepth);
      for (let node = end, k = endDepth - 1; node >= 0; node = input.draft.parents[node], k--) path[k] = node;
      const after = targetDistribution(input, end);
      return { path, next: bonusToken === 'argmax' ? mostLikelyToken(after) : sampleToken(after, input.rng) };
    },
  };
}
