import type { LogitsProcessor } from '@decodekit/core';
import { countTokens, type PenaltyWindowOptions, penaltyWindow } from '../internal/penalty-window.js';
import { checkNumber } from '../internal/validate.js';

/** Options of {@link frequencyPenalty}. Default scope `'generated'` (OpenAI, vLLM). */
export type FrequencyPenaltyOptions = PenaltyWindowOptions;

/**
 * Frequency penalty (OpenAI, vLLM, llama.cpp): `z(v) ← z(v) - penalty · count(v)`, with `count(v)`
 * the occurrences of v in the window (by default the generated tokens).
 *
 * @param penalty - in [-2, 2]; 0 disables it; positive values discourage repeats.
 */
export function frequencyPenalty(penalty: number, options: FrequencyPenaltyOptions = {}): LogitsProcessor {
  checkNumber('frequencyPenalty', penalty, { min: -2, max: 2 });
  const window = penaltyWindow('frequencyPenalty', options, 'generated');
  return {
    name: 'frequency-penalty',
    process(logits, context) {
      if (penalty === 0) return;
      const [start, end] = window(context);
      for (const [token, count] of countTokens(context.tokens, start, end)) {
        if (token >= 0 && token < logits.length) logits[token] -= penalty * count;
      }
    },
  };
}
