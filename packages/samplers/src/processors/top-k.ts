import type { LogitsProcessor } from '@decodekit/core';
import { kthLargestValue } from '../internal/select.js';
import { checkInteger } from '../internal/validate.js';

/**
 * Top-k: keeps the `k` largest logits and masks the rest with -Infinity (Fan et al., 2018).
 * Tokens tied with the k-th largest logit are kept too, as in Hugging Face's `TopKLogitsWarper`.
 * Uses a bounded heap of values (one comparison per token once full), not a sort of the vocabulary.
 *
 * @param k - integer >= 0; 0 (or k >= vocabulary size) disables it. Hugging Face's default is 50.
 */
export function topK(k: number): LogitsProcessor {
  checkInteger('topK', k, 0);
  let heap = new Float32Array(0);
  return {
    name: 'top-k',
    process(logits) {
      if (k === 0 || k >= logits.length) return;
      if (heap.length < k) heap = new Float32Array(k);
      const threshold = kthLargestValue(logits, k, heap);
      if (threshold === Number.NEGATIVE_INFINITY) return;
      for (let i = 0; i < logits.length; i++) if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
    },
  };
}
