import { InvalidArgumentError } from '@decodekit/core';

/**
 * The token layout of next-scale prediction: scale `k` is a `scales[k] × scales[k]` token map;
 * the sequence is the start token's block (scale 0, one token) followed by every scale's map,
 * row-major, coarse to fine.
 */
export interface ScaleSchedule {
  /** Side of each scale's token map, coarse to fine (`1, 2, 3, 4, 6, 8` for the tiny models). */
  readonly scales: readonly number[];
  /** First sequence position of each scale (`begin[k] = Σ_{j<k} scales[j]²`). */
  readonly begin: readonly number[];
  /** Tokens of each scale (`scales[k]²`). */
  readonly sizes: readonly number[];
  /** Tokens per image, all scales (`Σ scales[k]²`; 130 for the tiny models). */
  readonly total: number;
  /** Scale of every sequence position. */
  readonly levels: Int32Array;
}

/** Builds the schedule of `scales` (strictly increasing positive integers, the first 1). */
export function scaleSchedule(scales: readonly number[]): ScaleSchedule {
  if (!Array.isArray(scales) || scales.length === 0) {
    throw new InvalidArgumentError('scales', 'needs at least one scale');
  }
  scales.forEach((side, k) => {
    if (!Number.isInteger(side) || side < 1 || (k > 0 && side <= scales[k - 1])) {
      throw new InvalidArgumentError('scales', `must be increasing positive integers, got ${scales.join(', ')}`);
    }
  });
  if (scales[0] !== 1)
    throw new InvalidArgumentError('scales', `the first scale is the 1×1 start map, got ${scales[0]}`);
  const sizes = scales.map((s) => s * s);
  const begin: number[] = [];
  let total = 0;
  for (const size of sizes) {
    begin.push(total);
    total += size;
  }
  const levels = new Int32Array(total);
  sizes.forEach((size, k) => {
    levels.fill(k, begin[k], begin[k] + size);
  });
  return { scales: [...scales], begin, sizes, total, levels };
}

/**
 * VAR's block-causal attention mask, `[queries, keys]` row-major: 1 where a query at scale `a` may
 * read a key at scale `b`, i.e. `b <= a` (every token of a scale sees its whole scale and all
 * coarser ones). With a KV cache and one scale per step it is all ones; CoDe's refiner prefill of
 * several scales at once needs the staircase.
 */
export function blockCausalMask(queryLevels: ArrayLike<number>, keyLevels: ArrayLike<number>): Uint8Array {
  const q = queryLevels.length;
  const k = keyLevels.length;
  const mask = new Uint8Array(q * k);
  for (let i = 0; i < q; i++) {
    const level = queryLevels[i];
    for (let j = 0; j < k; j++) mask[i * k + j] = keyLevels[j] <= level ? 1 : 0;
  }
  return mask;
}

/**
 * CoDe's split: scales `0 .. split−1` by the drafter, `split .. S−1` by the refiner. Throws
 * `InvalidArgumentError` unless `1 <= split <= S − 1` (both models must get a scale).
 */
export function validateSplit(schedule: ScaleSchedule, split: number): number {
  const S = schedule.scales.length;
  if (!Number.isInteger(split) || split < 1 || split > S - 1) {
    throw new InvalidArgumentError('split', `must be an integer in [1, ${S - 1}] (drafter scales), got ${split}`);
  }
  return split;
}
