import { InvalidArgumentError } from '@decodekit/core';
import { checkNumber } from '../internal/validate.js';

/**
 * Classifier-free guidance on one pair of logits rows (Ho & Salimans, 2022; Sanchez et al., 2023
 * for text; LlamaGen's form): `z = z_u + s · (z_c − z_u)`, written into `out` (default: a new row).
 * `s = 1` returns the conditional row; `s = 0` the unconditional one. The weights sum to one, so
 * raw logits and log-softmax rows give the same distribution. A token masked (-Infinity) in either
 * row stays masked.
 *
 * @param conditional - logits with the condition (the real prompt).
 * @param unconditional - logits without it (empty or negative prompt).
 * @param scale - guidance scale s, finite; 1 disables guidance. Text papers use 1.5 to 3.
 */
export function classifierFreeGuidance(
  conditional: Float32Array,
  unconditional: Float32Array,
  scale: number,
  out: Float32Array = new Float32Array(conditional.length),
): Float32Array {
  checkNumber('classifierFreeGuidance.scale', scale, {
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    minOpen: true,
    maxOpen: true,
  });
  if (unconditional.length !== conditional.length || out.length !== conditional.length) {
    throw new InvalidArgumentError(
      'classifierFreeGuidance',
      `rows must have equal lengths, got ${conditional.length}, ${unconditional.length} and out ${out.length}`,
    );
  }
  for (let i = 0; i < conditional.length; i++) {
    const c = conditional[i];
    const u = unconditional[i];
    if (c === Number.NEGATIVE_INFINITY || u === Number.NEGATIVE_INFINITY) out[i] = Number.NEGATIVE_INFINITY;
    else if (scale === 1) out[i] = c;
    else out[i] = u + scale * (c - u);
  }
  return out;
}
