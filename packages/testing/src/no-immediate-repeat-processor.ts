import type { LogitsProcessor } from '@decodekit/core';

/**
 * A logits processor for tests: masks the last context token (probability 0 for an immediate
 * repeat). Its output depends on the context, so a verifier or drafter that applies the sampler
 * chain with the wrong context tokens gets a visibly wrong distribution, and it creates tokens of
 * probability exactly 0.
 */
export function noImmediateRepeatProcessor(): LogitsProcessor {
  return {
    name: 'no-immediate-repeat',
    process(logits, context) {
      const n = context.tokens.length;
      if (n > 0) logits[context.tokens[n - 1]] = Number.NEGATIVE_INFINITY;
    },
  };
}
