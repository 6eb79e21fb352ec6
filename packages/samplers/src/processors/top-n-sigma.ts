import type { LogitsProcessor } from '@decodekit/core';
import { maxLogit } from '../internal/row.js';
import { checkNumber } from '../internal/validate.js';

/**
 * Top-nσ (Tang et al., 2024; llama.cpp's `top_n_sigma`): with `σ` the standard deviation of the
 * unmasked logits, masks tokens with `z(v) < max z - n·σ`. Invariant to temperature, since the
 * threshold scales with the logits.
 *
 * @param n - > 0; Infinity disables it. The paper uses 1.0.
 */
export function topNSigma(n: number): LogitsProcessor {
  checkNumber('topNSigma', n, { min: 0, minOpen: true });
  return {
    name: 'top-n-sigma',
    process(logits) {
      if (n === Number.POSITIVE_INFINITY) return;
      const max = maxLogit(logits);
      let count = 0;
      let sum = 0;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i];
        if (z === Number.NEGATIVE_INFINITY) continue;
        sum += z;
        count++;
      }
      if (count <= 1) return;
      const mean = sum / count;
      let squares = 0;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i];
        if (z !== Number.NEGATIVE_INFINITY) squares += (z - mean) * (z - mean);
      }
      const threshold = max - n * Math.sqrt(squares / count);
      for (let i = 0; i < logits.length; i++) if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
    },
  };
}
