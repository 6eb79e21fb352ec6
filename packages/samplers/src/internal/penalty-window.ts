import type { SamplingContext } from '@decodekit/core';
import { checkInteger } from './validate.js';

/** Which tokens a penalty looks at. */
export interface PenaltyWindowOptions {
  /**
   * `'all'`: prompt and generated tokens (Hugging Face, llama.cpp); `'generated'`: only tokens after
   * the prompt (OpenAI, vLLM for presence/frequency).
   */
  readonly scope?: 'all' | 'generated';
  /** Only the last `lastN` tokens of that scope (llama.cpp's `penalty_last_n`); 0 = all of them. */
  readonly lastN?: number;
}

/** Resolves the [start, end) range of `context.tokens` a penalty looks at. */
export function penaltyWindow(
  setting: string,
  options: PenaltyWindowOptions,
  defaultScope: 'all' | 'generated',
): (context: SamplingContext) => [number, number] {
  const scope = options.scope ?? defaultScope;
  const lastN = checkInteger(`${setting}.lastN`, options.lastN ?? 0, 0);
  return (context) => {
    const end = context.tokens.length;
    let start = scope === 'generated' ? Math.min(end, context.promptLength) : 0;
    if (lastN > 0) start = Math.max(start, end - lastN);
    return [start, end];
  };
}

/** Counts token occurrences in tokens[start, end). Ids outside the row are ignored by callers. */
export function countTokens(tokens: ArrayLike<number>, start: number, end: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = start; i < end; i++) counts.set(tokens[i], (counts.get(tokens[i]) ?? 0) + 1);
  return counts;
}
