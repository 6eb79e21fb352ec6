import type { LogitsProcessor } from '@decodekit/core';
import { maskBelowMaxOffset, RowScratch } from '../internal/row.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link minP}. */
export interface MinPOptions {
  /** Never keep fewer than this many tokens. Default 1. */
  readonly minTokensToKeep?: number;
}

/**
 * Min-p (Nguyen et al., 2024): keeps tokens with `p(v) >= minP · max p`, i.e. with
 * `z(v) >= max z + ln(minP)`, and masks the rest. Works on logits directly: no softmax, no sort.
 *
 * @param minP - in [0, 1]; 0 disables it. Common values 0.05 to 0.1.
 */
export function minP(minP: number, options: MinPOptions = {}): LogitsProcessor {
  checkNumber('minP', minP, { min: 0, max: 1 });
  const minimum = checkInteger('minTokensToKeep', options.minTokensToKeep ?? 1, 1);
  const logMinP = Math.log(minP);
  const scratch = new RowScratch();
  return {
    name: 'min-p',
    process(logits) {
      if (minP === 0) return;
      maskBelowMaxOffset(logits, logMinP, minimum, scratch);
    },
  };
}
