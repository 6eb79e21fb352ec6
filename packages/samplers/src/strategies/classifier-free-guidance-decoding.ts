import type { Strategy } from '@decodekit/core';
import { guidedDecoding } from '../internal/guided-decoding.js';
import { checkNumber, checkTokenIds } from '../internal/validate.js';
import { classifierFreeGuidance } from '../processors/classifier-free-guidance.js';

/** Options of {@link classifierFreeGuidanceDecoding}. */
export interface ClassifierFreeGuidanceDecodingOptions {
  /** Guidance scale s (finite). 1 is plain decoding; text work uses 1.5 to 3. Default 1.5. */
  readonly scale?: number;
  /**
   * Prompt of the unconditional (or negative) sequence. Default: the last prompt token only, as
   * Hugging Face's `UnbatchedClassifierFreeGuidanceLogitsProcessor` does without one.
   */
  readonly unconditionalPrompt?: ArrayLike<number>;
}

/**
 * Classifier-free guidance for text (Sanchez et al., 2023): two sequences in lockstep, the prompt
 * and an unconditional (or negative) prompt, both fed the generated tokens; each step samples from
 * `z_u + s·(z_c − z_u)` (see {@link classifierFreeGuidance}). Cost: two forwards per token.
 */
export function classifierFreeGuidanceDecoding(options: ClassifierFreeGuidanceDecodingOptions = {}): Strategy {
  const scale = checkNumber('scale', options.scale ?? 1.5, {});
  const unconditional = options.unconditionalPrompt
    ? Int32Array.from(checkTokenIds('unconditionalPrompt', options.unconditionalPrompt))
    : undefined;
  return guidedDecoding({
    name: 'classifier-free-guidance',
    conditionalPrompt: (prompt) => prompt,
    secondaryPrompt: (prompt) =>
      unconditional && unconditional.length > 0 ? unconditional : prompt.subarray(prompt.length - 1),
    combine: (conditional, unconditionalRow) =>
      classifierFreeGuidance(conditional, unconditionalRow, scale, conditional),
  });
}
