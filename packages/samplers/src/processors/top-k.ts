import type { LogitsProcessor } from '@decodekit/core';
import { maskAllButTopK, TopKScratch } from '../internal/select.js';
import { checkInteger } from '../internal/validate.js';

/**
 * Top-k: keeps the `k` largest logits and masks the rest with -Infinity (Fan et al., 2018).
 * Tokens tied with the k-th largest logit are kept too, as in Hugging Face's `TopKLogitsWarper`.
 * One pass with a bounded heap (one comparison per token once full), not a sort of the vocabulary.
 *
 * @param k - integer >= 0; 0 (or k >= vocabulary size) disables it. Hugging Face's default is 50.
 */
export function topK(k: number): LogitsProcessor {
  checkInteger('topK', k, 0);
  const scratch = new TopKScratch();
  return {
    name: 'top-k',
    process(logits) {
      if (k === 0 || k >= logits.length) return;
      maskAllButTopK(logits, k, scratch);
    },
  };
}
