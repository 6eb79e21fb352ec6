import type { LogitsProcessor } from '@decodekit/core';
import { checkInteger } from '../internal/validate.js';

/** Options of {@link noRepeatNgram}. */
export interface NoRepeatNgramOptions {
  /** `'all'` (default, Hugging Face): n-grams of prompt and generated tokens; `'generated'`: only generated ones. */
  readonly scope?: 'all' | 'generated';
}

/**
 * No-repeat n-gram (Paulus et al., 2018; Hugging Face's `NoRepeatNGramLogitsProcessor`): masks every
 * token that would complete an n-gram already present in the context, so no n-gram occurs twice.
 *
 * @param n - n-gram size, integer >= 0; 0 disables it.
 */
export function noRepeatNgram(n: number, options: NoRepeatNgramOptions = {}): LogitsProcessor {
  checkInteger('noRepeatNgram', n, 0);
  const scope = options.scope ?? 'all';
  return {
    name: 'no-repeat-ngram',
    process(logits, context) {
      if (n === 0) return;
      const tokens = context.tokens;
      const end = tokens.length;
      const start = scope === 'generated' ? Math.min(end, context.promptLength) : 0;
      if (end - start < n) return;
      if (n === 1) {
        for (let i = start; i < end; i++)
          if (tokens[i] >= 0 && tokens[i] < logits.length) logits[tokens[i]] = Number.NEGATIVE_INFINITY;
        return;
      }
      // The last n - 1 tokens are the prefix of the n-gram being completed.
      const prefixStart = end - (n - 1);
      for (let i = start; i + n - 1 < end; i++) {
        let match = true;
        for (let j = 0; j < n - 1; j++) {
          if (tokens[i + j] !== tokens[prefixStart + j]) {
            match = false;
            break;
          }
        }
        const banned = tokens[i + n - 1];
        if (match && banned >= 0 && banned < logits.length) logits[banned] = Number.NEGATIVE_INFINITY;
      }
    },
  };
}
