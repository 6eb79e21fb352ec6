import type { LogitsProcessor } from '@decodekit/core';
import { gatherCandidates, keepByKeyUntilMass, maskUnflagged, RowScratch } from '../internal/row.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link topP}. */
export interface TopPOptions {
  /** Never keep fewer than this many tokens (Hugging Face's `min_tokens_to_keep`). Default 1. */
  readonly minTokensToKeep?: number;
}

/**
 * Top-p (nucleus) sampling (Holtzman et al., 2020): keeps the smallest set of most probable tokens
 * whose probability mass is >= `p` and masks the rest. Probabilities are softmax(logits) of the row
 * as it arrives (so the temperature matters if it runs earlier). Ties are broken by lower token id.
 * The set is found by heap selection of a growing prefix of the candidates, never by a full sort.
 *
 * @param p - in (0, 1]; 1 disables it. Common values 0.9 to 0.95.
 */
export function topP(p: number, options: TopPOptions = {}): LogitsProcessor {
  checkNumber('topP', p, { min: 0, max: 1, minOpen: true });
  const minimum = checkInteger('minTokensToKeep', options.minTokensToKeep ?? 1, 1);
  const scratch = new RowScratch();
  return {
    name: 'top-p',
    process(logits) {
      if (p >= 1) return;
      const { count, total } = gatherCandidates(logits, scratch);
      if (count <= minimum) return;
      // Order by probability, i.e. by weight.
      scratch.keys.set(scratch.weights.subarray(0, count));
      const kept = keepByKeyUntilMass(scratch, count, p * total, minimum);
      if (kept < count) maskUnflagged(logits, scratch, count);
    },
  };
}
