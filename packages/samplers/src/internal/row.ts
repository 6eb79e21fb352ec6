import { NonFiniteLogitsError, topK } from '@decodekit/core';
import { keepPrefixByMass } from './select.js';

/**
 * Reusable buffers for one processor. Processors run synchronously, so one set per processor is
 * enough; they grow to the largest vocabulary seen and are never shrunk.
 */
export class RowScratch {
  indices = new Int32Array(0);
  weights = new Float32Array(0);
  keys = new Float32Array(0);
  flags = new Uint8Array(0);
  order = new Int32Array(0);

  ensure(size: number): void {
    if (this.indices.length < size) {
      this.indices = new Int32Array(size);
      this.weights = new Float32Array(size);
      this.keys = new Float32Array(size);
      this.flags = new Uint8Array(size);
      this.order = new Int32Array(size);
    }
  }
}

/** The largest logit; throws when every token is masked (no distribution is possible). */
export function maxLogit(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === Number.NEGATIVE_INFINITY) throw new NonFiniteLogitsError('every token was masked out by the processors');
  if (Number.isNaN(max) || max === Number.POSITIVE_INFINITY) {
    throw new NonFiniteLogitsError('logits contain NaN or +Infinity; check the model export and its inputs');
  }
  return max;
}

/**
 * Gathers the unmasked tokens (logit > -Infinity) into `scratch.indices` and their unnormalised
 * probabilities exp(z - max) into `scratch.weights`. Returns the count and the total weight.
 * Only finite entries pay for an exp, so a row already cut by top-k costs one pass.
 */
export function gatherCandidates(logits: Float32Array, scratch: RowScratch): { count: number; total: number } {
  scratch.ensure(logits.length);
  const { indices, weights } = scratch;
  // One pass over the row gathers the unmasked entries and their maximum; the exps run on those only.
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (z === Number.NEGATIVE_INFINITY) continue;
    indices[count++] = i;
    if (z > max) max = z;
  }
  if (max === Number.NEGATIVE_INFINITY) throw new NonFiniteLogitsError('every token was masked out by the processors');
  if (max === Number.POSITIVE_INFINITY) throw new NonFiniteLogitsError('logits contain +Infinity');
  let total = 0;
  for (let c = 0; c < count; c++) {
    const w = Math.exp(logits[indices[c]] - max);
    weights[c] = w;
    total += w;
  }
  if (Number.isNaN(total)) throw new NonFiniteLogitsError('logits contain NaN; check the model export and its inputs');
  return { count, total };
}

/**
 * Among the first `count` candidates in `scratch`, keeps candidates in decreasing `scratch.keys`
 * order (ties: lower token id first) until their weight reaches `targetWeight`, and at least
 * `minimum` of them. Writes 1 into `scratch.flags[position]` for every kept candidate and returns
 * how many were kept. Weighted quickselect: expected O(count), never a sort of the vocabulary.
 */
export function keepByKeyUntilMass(scratch: RowScratch, count: number, targetWeight: number, minimum: number): number {
  const { keys, weights, flags, order } = scratch;
  const kept = keepPrefixByMass(keys, weights, count, targetWeight, order, flags);
  if (kept >= minimum) return kept;
  // Too few: the first `minimum` in key order (a superset of the prefix already kept).
  const best = topK(keys.subarray(0, count), minimum);
  for (const position of best) flags[position] = 1;
  return best.length;
}

/** Sets logits of candidates whose flag is 0 to -Infinity. */
export function maskUnflagged(logits: Float32Array, scratch: RowScratch, count: number): void {
  const { indices, flags } = scratch;
  for (let c = 0; c < count; c++) if (flags[c] === 0) logits[indices[c]] = Number.NEGATIVE_INFINITY;
}

/**
 * Masks every token below `threshold` (logit space), but always keeps the `minimum` largest
 * logits, as Hugging Face's `min_tokens_to_keep` does.
 */
export function maskBelow(logits: Float32Array, threshold: number, minimum: number, max?: number): void {
  // The maximum always survives a threshold at or below it, which satisfies minimum = 1 for free.
  const maximumSurvives = max !== undefined && threshold <= max;
  if (minimum >= 1 && !(minimum === 1 && maximumSurvives)) {
    let above = 0;
    for (let i = 0; i < logits.length; i++) if (logits[i] >= threshold) above++;
    if (above < minimum) {
      const best = topK(logits, minimum);
      const floor = logits[best[best.length - 1]];
      if (floor < threshold) threshold = floor;
    }
  }
  for (let i = 0; i < logits.length; i++) if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
}

/**
 * Masks every unmasked token below `max + offset` (max = the row's largest logit) with one pass
 * over the row plus one over the unmasked tokens, keeping at least `minimum` tokens. Used by
 * min-p, whose threshold is relative to the maximum.
 */
export function maskBelowMaxOffset(logits: Float32Array, offset: number, minimum: number, scratch: RowScratch): void {
  scratch.ensure(logits.length);
  const { indices } = scratch;
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (z === Number.NEGATIVE_INFINITY) continue;
    indices[count++] = i;
    if (z > max) max = z;
  }
  if (max === Number.NEGATIVE_INFINITY) throw new NonFiniteLogitsError('every token was masked out by the processors');
  let threshold = max + offset;
  if (minimum > 1) {
    let above = 0;
    for (let c = 0; c < count; c++) if (logits[indices[c]] >= threshold) above++;
    if (above < minimum) {
      const best = topK(logits, minimum);
      threshold = Math.min(threshold, logits[best[best.length - 1]]);
    }
  }
  for (let c = 0; c < count; c++) {
    const i = indices[c];
    if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
  }
}
