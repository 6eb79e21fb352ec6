import { InvalidArgumentError } from '@decodekit/core';

/**
 * Total variation distance ½ Σ |a_i − b_i| between two distributions given as counts or
 * probabilities (each is normalised first). 0 for identical distributions, 1 for disjoint ones.
 */
export function totalVariationDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length)
    throw new InvalidArgumentError('totalVariationDistance', `lengths differ: ${a.length} and ${b.length}`);
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < a.length; i++) {
    sumA += a[i];
    sumB += b[i];
  }
  if (!(sumA > 0) || !(sumB > 0))
    throw new InvalidArgumentError('totalVariationDistance', 'a distribution has no mass');
  let distance = 0;
  for (let i = 0; i < a.length; i++) distance += Math.abs(a[i] / sumA - b[i] / sumB);
  return distance / 2;
}
