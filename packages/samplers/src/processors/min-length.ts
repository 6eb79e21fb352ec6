import type { LogitsProcessor } from '@decodekit/core';
import { checkInteger, checkTokenIds } from '../internal/validate.js';

function maskEndTokens(logits: Float32Array, eos: readonly number[]): void {
  for (const token of eos) if (token < logits.length) logits[token] = Number.NEGATIVE_INFINITY;
}

/**
 * Minimum total length (Hugging Face's `MinLengthLogitsProcessor`): masks the end-of-sequence
 * tokens while the context (prompt + generated) is shorter than `minLength`.
 *
 * @param minLength - integer >= 0; 0 disables it.
 * @param eos - the end-of-sequence ids, usually `model.specialTokens.eos`.
 */
export function minLength(minLength: number, eos: ArrayLike<number>): LogitsProcessor {
  checkInteger('minLength', minLength, 0);
  const endTokens = checkTokenIds('eos', eos);
  return {
    name: 'min-length',
    process(logits, context) {
      if (context.tokens.length < minLength) maskEndTokens(logits, endTokens);
    },
  };
}

/**
 * Minimum number of new tokens (Hugging Face's `MinNewTokensLengthLogitsProcessor`, vLLM's
 * `min_tokens`): masks the end-of-sequence tokens until `minNewTokens` tokens follow the prompt.
 *
 * @param minNewTokens - integer >= 0; 0 disables it.
 * @param eos - the end-of-sequence ids, usually `model.specialTokens.eos`.
 */
export function minNewTokens(minNewTokens: number, eos: ArrayLike<number>): LogitsProcessor {
  checkInteger('minNewTokens', minNewTokens, 0);
  const endTokens = checkTokenIds('eos', eos);
  return {
    name: 'min-new-tokens',
    process(logits, context) {
      if (context.tokens.length - context.promptLength < minNewTokens) maskEndTokens(logits, endTokens);
    },
  };
}
