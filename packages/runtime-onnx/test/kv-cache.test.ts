import { describe, expect, it } from 'vitest';
import {
  type CacheGeometry,
  emptyCache,
  gatherCache,
  type KvCache,
  sliceCache,
  stackCacheArray,
  unstackCacheArray,
} from '../src/kv-cache.js';

const geometry: CacheGeometry = { layers: 1, kvHeads: 2, headDim: 3, type: 'float32' };

/** A cache whose value at (head, position, dim) is head * 100 + position * 10 + dim (+ 0.5 for values). */
function labelled(length: number): KvCache {
  const make = (offset: number) =>
    Float32Array.from({ length: 2 * length * 3 }, (_, i) => {
      const head = Math.floor(i / (length * 3));
      const position = Math.floor(i / 3) % length;
      return head * 100 + position * 10 + (i % 3) + offset;
    });
  return { length, arrays: [make(0), make(0.5)] };
}

function positionsOf(array: ArrayLike<number>, length: number, head: number): number[] {
  return Array.from({ length }, (_, p) => Math.floor((array[(head * length + p) * 3] - head * 100) / 10));
}

describe('KV cache operations', () => {
  it('slices and gathers along the sequence axis of every head', () => {
    const cache = labelled(6);
    const sliced = sliceCache(cache, geometry, 4);
    expect(sliced.length).toBe(4);
    expect(positionsOf(sliced.arrays[0], 4, 1)).toEqual([0, 1, 2, 3]);
    expect(sliceCache(cache, geometry, 6)).toBe(cache);
    const gathered = gatherCache(cache, geometry, [0, 1, 3, 5]);
    expect(positionsOf(gathered.arrays[0], 4, 0)).toEqual([0, 1, 3, 5]);
    expect(positionsOf(gathered.arrays[1], 4, 1)).toEqual([0, 1, 3, 5]);
    expect(gathered.arrays[1][(1 * 4 + 2) * 3 + 2]).toBe(100 + 30 + 2 + 0.5);
    expect(emptyCache(geometry).arrays).toHaveLength(2);
  });

  it('stacks caches left-padded and cuts them back out', () => {
    const caches = [labelled(2), labelled(4)];
    const stacked = stackCacheArray(caches, 0, geometry, 4);
    expect(stacked).toHaveLength(2 * 2 * 4 * 3);
    // Batch row 0, head 1: two zero positions, then positions 0 and 1.
    const rowZeroHeadOne = stacked.subarray((0 * 2 + 1) * 4 * 3, (0 * 2 + 2) * 4 * 3);
    expect(Array.from(rowZeroHeadOne.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(rowZeroHeadOne[6]).toBe(100);
    const cut = unstackCacheArray(stacked, geometry, 0, 4, 2, 2);
    expect(Array.from(cut)).toEqual(Array.from(caches[0].arrays[0]));
    const whole = unstackCacheArray(stacked, geometry, 1, 4, 0, 4);
    expect(Array.from(whole)).toEqual(Array.from(caches[1].arrays[0]));
  });
});
