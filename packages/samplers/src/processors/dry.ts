import type { LogitsProcessor } from '@decodekit/core';
import { checkInteger, checkNumber, checkTokenIds } from '../internal/validate.js';

/** Options of {@link dry}. Defaults follow llama.cpp / text-generation-webui. */
export interface DryOptions {
  /** Penalty scale; 0 disables DRY. >= 0. Default 0.8 (the value the DRY author recommends). */
  readonly multiplier?: number;
  /** Growth per extra repeated token, >= 1. Default 1.75. */
  readonly base?: number;
  /** Repeats up to this long are free (integer >= 1). Default 2. */
  readonly allowedLength?: number;
  /** Only the last `lastN` context tokens are searched; 0 = the whole context. Default 0. */
  readonly lastN?: number;
  /**
   * Token ids that interrupt a repeat (llama.cpp uses the tokens of "\n", ":", "\"", "*").
   * A match never extends across one. Default none.
   */
  readonly sequenceBreakers?: ArrayLike<number>;
}

// Repeats longer than this are penalised as if this long: keeps base^(n - allowed) finite.
const MAX_MATCH = 64;

/**
 * DRY, "Don't Repeat Yourself" (p-e-w, text-generation-webui; llama.cpp's `dry`): if the context
 * ends with a sequence of n tokens that occurred earlier followed by token v, then choosing v would
 * extend the repeat; when `n >= allowedLength`, `z(v) ← z(v) - multiplier · base^(n - allowedLength)`.
 * Each token gets the penalty of its longest such match.
 */
export function dry(options: DryOptions = {}): LogitsProcessor {
  const multiplier = checkNumber('dry.multiplier', options.multiplier ?? 0.8, { min: 0 });
  const base = checkNumber('dry.base', options.base ?? 1.75, { min: 1 });
  const allowedLength = checkInteger('dry.allowedLength', options.allowedLength ?? 2, 1);
  const lastN = checkInteger('dry.lastN', options.lastN ?? 0, 0);
  const breakers = new Set(checkTokenIds('dry.sequenceBreakers', options.sequenceBreakers ?? []));
  return {
    name: 'dry',
    process(logits, context) {
      if (multiplier === 0) return;
      const tokens = context.tokens;
      const end = tokens.length;
      const start = lastN > 0 ? Math.max(0, end - lastN) : 0;
      if (end - start < 2) return;
      const last = tokens[end - 1];
      if (breakers.has(last)) return;
      const longest = new Map<number, number>();
      for (let e = end - 2; e >= start; e--) {
        if (tokens[e] !== last) continue;
        // Length of the common suffix of tokens[..e] and tokens[..end-1].
        let length = 1;
        while (
          length < MAX_MATCH &&
          e - length >= start &&
          tokens[e - length] === tokens[end - 1 - length] &&
          !breakers.has(tokens[e - length])
        ) {
          length++;
        }
        const next = tokens[e + 1];
        if (length > (longest.get(next) ?? 0)) longest.set(next, length);
      }
      for (const [token, length] of longest) {
        if (length < allowedLength || token < 0 || token >= logits.length) continue;
        logits[token] -= multiplier * base ** (length - allowedLength);
      }
    },
  };
}
