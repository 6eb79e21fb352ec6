import { fileURLToPath } from 'node:url';
import type { Matrix } from '@decodekit/core';

/** The tiny models of @decodekit/models-tiny, referenced inside the monorepo. */
export const tinyLm = fileURLToPath(new URL('../../models-tiny/models/tiny-lm', import.meta.url));
export const tinyLmDraft = fileURLToPath(new URL('../../models-tiny/models/tiny-lm-draft', import.meta.url));
/** The built worker entry (the test task builds the package first). */
export const workerUrl = new URL('../dist/worker.js', import.meta.url);

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Row `index` of a matrix (a view). */
export function row(matrix: Matrix, index: number): Float32Array {
  return matrix.data.subarray(index * matrix.columns, (index + 1) * matrix.columns);
}

/** A deterministic pseudo-random token list in [2, vocab). */
export function someTokens(count: number, seed: number, vocab = 4096): number[] {
  const out: number[] = [];
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(2 + (state % (vocab - 2)));
  }
  return out;
}

export const tolerance = 1e-4;
