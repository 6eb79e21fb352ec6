import type { LogitsProcessor } from '@decodekit/core';
import { type PenaltyWindowOptions, penaltyWindow } from '../internal/penalty-window.js';
import { checkNumber } from '../internal/validate.js';

/** Options of {@link repetitionPenalty}. Default scope `'all'` (prompt included, as Hugging Face). */
export type RepetitionPenaltyOptions = PenaltyWindowOptions;

/**
 * Repetition penalty (Keskar et al., 2019, CTRL; Hugging Face's `RepetitionPenaltyLogitsProcessor`):
 * for every token that already occurs, `z ← z / penalty` if `z > 0`, else `z ← z · penalty`.
 *
 * @param penalty - > 0; 1 disables it; > 1 discourages repeats. Common values 1.1 to 1.3.
 */
export function repetitionPenalty(penalty: number, options: RepetitionPenaltyOptions = {}): LogitsProcessor {
  checkNumber('repetitionPenalty', penalty, { min: 0, minOpen: true });
  const window = penaltyWindow('repetitionPenalty', options, 'all');
  return {
    name: 'repetition-penalty',
    process(logits, context) {
      if (penalty === 1) return;
      const [start, end] = window(context);
      const seen = new Set<number>();
      for (let i = start; i < end; i++) {
        const token = context.tokens[i];
        if (seen.has(token) || token < 0 || token >= logits.length) continue;
        seen.add(token);
        const z = logits[token];
        logits[token] = z > 0 ? z / penalty : z * penalty;
      }
    },
  };
}
