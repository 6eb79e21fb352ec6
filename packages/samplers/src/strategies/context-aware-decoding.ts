import type { Strategy } from '@decodekit/core';
import { guidedDecoding } from '../internal/guided-decoding.js';
import { checkNumber, checkTokenIds } from '../internal/validate.js';

/** Options of {@link contextAwareDecoding}. */
export interface ContextAwareDecodingOptions {
  /** Weight α >= 0 of the contrast. 0 is plain decoding with the context; the paper uses 0.5 (summaries) and 1 (knowledge conflicts). */
  readonly alpha?: number;
  /** The evidence tokens c, placed before the prompt in the main sequence and left out of the second. */
  readonly context: ArrayLike<number>;
}

/**
 * Context-aware decoding (Shi et al., NAACL 2024): samples from
 * `softmax[(1 + α)·z(y | c, x) − α·z(y | x)]`, contrasting the model with and without the
 * evidence `c`, so that the output follows the context over the model's prior knowledge. Runs two
 * sequences in lockstep (`c + prompt` and `prompt`); the sampler chain sees `c + prompt` as the
 * prompt. Cost: two forwards per token (one batched call where the runtime batches).
 */
export function contextAwareDecoding(options: ContextAwareDecodingOptions): Strategy {
  const alpha = checkNumber('alpha', options.alpha ?? 0.5, { min: 0 });
  const evidence = Int32Array.from(checkTokenIds('context', options.context ?? []));
  return guidedDecoding({
    name: 'context-aware-decoding',
    conditionalPrompt: (prompt) => {
      const out = new Int32Array(evidence.length + prompt.length);
      out.set(evidence);
      out.set(prompt, evidence.length);
      return out;
    },
    secondaryPrompt: (prompt) => prompt,
    combine(withContext, withoutContext) {
      if (alpha === 0) return withContext;
      for (let i = 0; i < withContext.length; i++) {
        withContext[i] = (1 + alpha) * withContext[i] - alpha * withoutContext[i];
      }
      return withContext;
    },
  });
}
