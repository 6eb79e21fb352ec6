import type { LogitsProcessor } from '@decodekit/core';
import { entropyAndLogSumExp } from '../internal/probabilities.js';
import { maskBelow, maxLogit } from '../internal/row.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link etaCutoff}. */
export interface EtaCutoffOptions {
  /** Never keep fewer than this many tokens (the most probable ones). Default 1. */
  readonly minTokensToKeep?: number;
}

/**
 * Eta sampling (Hewitt et al., 2022; Hugging Face's `EtaLogitsWarper`): an entropy-dependent cutoff
 * `eta = min(epsilon, sqrt(epsilon) · exp(-H))` with `H` the entropy of softmax(z); masks tokens
 * with `p(v) < eta`, always keeping the most probable one.
 *
 * @param epsilon - in [0, 1); 0 disables it. The paper suggests 3e-4 to 2e-3.
 */
export function etaCutoff(epsilon: number, options: EtaCutoffOptions = {}): LogitsProcessor {
  checkNumber('etaCutoff', epsilon, { min: 0, max: 1, maxOpen: true });
  const minimum = checkInteger('minTokensToKeep', options.minTokensToKeep ?? 1, 1);
  return {
    name: 'eta-cutoff',
    process(logits) {
      if (epsilon === 0) return;
      const max = maxLogit(logits);
      const { entropy, logSumExp } = entropyAndLogSumExp(logits, max);
      const eta = Math.min(epsilon, Math.sqrt(epsilon) * Math.exp(-entropy));
      maskBelow(logits, Math.log(eta) + logSumExp, minimum, max);
    },
  };
}
