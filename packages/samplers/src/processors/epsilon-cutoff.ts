import type { LogitsProcessor } from '@decodekit/core';
import { logSumExpFinite } from '../internal/probabilities.js';
import { maskBelow, maxLogit } from '../internal/row.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link epsilonCutoff}. */
export interface EpsilonCutoffOptions {
  /** Never keep fewer than this many tokens (the most probable ones). Default 1. */
  readonly minTokensToKeep?: number;
}

/**
 * Epsilon sampling (Hewitt et al., 2022; Hugging Face's `EpsilonLogitsWarper`): masks tokens with
 * `p(v) < epsilon`, i.e. `z(v) < ln(epsilon) + logsumexp(z)`, always keeping the most probable one.
 *
 * @param epsilon - in [0, 1); 0 disables it. The paper suggests 3e-4 to 9e-4.
 */
export function epsilonCutoff(epsilon: number, options: EpsilonCutoffOptions = {}): LogitsProcessor {
  checkNumber('epsilonCutoff', epsilon, { min: 0, max: 1, maxOpen: true });
  const minimum = checkInteger('minTokensToKeep', options.minTokensToKeep ?? 1, 1);
  return {
    name: 'epsilon-cutoff',
    process(logits) {
      if (epsilon === 0) return;
      const max = maxLogit(logits);
      maskBelow(logits, Math.log(epsilon) + logSumExpFinite(logits, max), minimum, max);
    },
  };
}
