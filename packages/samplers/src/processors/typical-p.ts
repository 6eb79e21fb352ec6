import type { LogitsProcessor } from '@decodekit/core';
import { gatherCandidates, keepByKeyUntilMass, maskUnflagged, RowScratch } from '../internal/row.js';
import { checkInteger, checkNumber } from '../internal/validate.js';

/** Options of {@link typicalP}. */
export interface TypicalPOptions {
  /** Never keep fewer than this many tokens. Default 1. */
  readonly minTokensToKeep?: number;
}

/**
 * Locally typical sampling (Meister et al., 2023), as Hugging Face's `TypicalLogitsWarper`:
 * with entropy `H = -Σ p log p`, orders tokens by `|-log p(v) - H|` (most typical first) and keeps
 * the smallest prefix of that order whose probability mass is >= `mass`.
 *
 * @param mass - in (0, 1]; 1 disables it. The paper recommends 0.2 to 0.95.
 */
export function typicalP(mass: number, options: TypicalPOptions = {}): LogitsProcessor {
  checkNumber('typicalP', mass, { min: 0, max: 1, minOpen: true });
  const minimum = checkInteger('minTokensToKeep', options.minTokensToKeep ?? 1, 1);
  const scratch = new RowScratch();
  return {
    name: 'typical-p',
    process(logits) {
      if (mass >= 1) return;
      const { count, total } = gatherCandidates(logits, scratch);
      if (count <= minimum) return;
      const { weights, keys } = scratch;
      const logTotal = Math.log(total);
      let entropy = 0;
      for (let c = 0; c < count; c++) {
        const p = weights[c] / total;
        if (p > 0) entropy -= p * Math.log(p);
      }
      // Higher key = more typical. log p = log w - log total.
      for (let c = 0; c < count; c++) keys[c] = -Math.abs(-(Math.log(weights[c]) - logTotal) - entropy);
      const kept = keepByKeyUntilMass(scratch, count, mass * total, minimum);
      if (kept < count) maskUnflagged(logits, scratch, count);
    },
  };
}
