import type { LogitsProcessor } from '@decodekit/core';
import { type PenaltyWindowOptions, penaltyWindow } from '../internal/penalty-window.js';
import { checkNumber } from '../internal/validate.js';

/** Options of {@link presencePenalty}. Default scope `'generated'` (OpenAI, vLLM). */
export type PresencePenaltyOptions = PenaltyWindowOptions;

/**
 * Presence penalty (OpenAI, vLLM, llama.cpp): `z(v) ← z(v) - penalty` for every token that occurs
 * at least once in the window (by default the generated tokens).
 *
 * @param penalty - in [-2, 2]; 0 disables it; positive values discourage repeats.
 */
export function presencePenalty(penalty: number, options: PresencePenaltyOptions = {}): LogitsProcessor {
  checkNumber('presencePenalty', penalty, { min: -2, max: 2 });
  const window = penaltyWindow('presencePenalty', options, 'generated');
  return {
    name: 'presence-penalty',
    process(logits, context) {
      if (penalty === 0) return;
      const [start, end] = window(context);
      const seen = new Set<number>();
      for (let i = start; i < end; i++) {
        const token = context.tokens[i];
        if (seen.has(token) || token < 0 || token >= logits.length) continue;
        seen.add(token);
        logits[token] -= penalty;
      }
    },
  };
}
