import type { CacheType } from './graph-layout.js';

/** One cache tensor's data: float32 values, or float16 bits as the binding returns them. */
export type CacheArray = Float32Array | Uint16Array;

/** Shape of a model's cache: `layers` entries of `[key, value]`, each `[kvHeads, length, headDim]` per sequence. */
export interface CacheGeometry {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly type: CacheType;
}

/**
 * A sequence's KV cache: the `present` outputs of its last run, kept as they came back. Arrays are
 * never written after creation, so forks share them; trimming makes new arrays.
 */
export interface KvCache {
  /** Positions on the sequence axis. */
  readonly length: number;
  /** `2 * layers` arrays: key 0, value 0, key 1, value 1, ... */
  readonly arrays: readonly CacheArray[];
}

/** A typed array of the cache's element type. */
export function allocateCacheArray(type: CacheType, size: number): CacheArray {
  return type === 'float16' ? new Uint16Array(size) : new Float32Array(size);
}

/** The cache of an empty sequence: every array has length 0 along the sequence axis. */
export function emptyCache(geometry: CacheGeometry): KvCache {
  const array = allocateCacheArray(geometry.type, 0);
  return { length: 0, arrays: Array.from({ length: 2 * geometry.layers }, () => array) };
}

/**
 * Copies the given positions (in order) of one `[kvHeads, length, headDim]` array into a new one.
 * Runs of consecutive positions are copied as one block.
 */
function gatherArray(
  source: CacheArray,
  geometry: CacheGeometry,
  sourceLength: number,
  positions: ArrayLike<number>,
): CacheArray {
  const { kvHeads, headDim } = geometry;
  const count = positions.length;
  const target = allocateCacheArray(geometry.type, kvHeads * count * headDim);
  for (let head = 0; head < kvHeads; head++) {
    const sourceBase = head * sourceLength * headDim;
    const targetBase = head * count * headDim;
    let k = 0;
    while (k < count) {
      let run = 1;
      while (k + run < count && positions[k + run] === positions[k] + run) run++;
      const from = sourceBase + positions[k] * headDim;
      target.set(source.subarray(from, from + run * headDim), targetBase + k * headDim);
      k += run;
    }
  }
  return target;
}

/** The cache's first `keep` positions (the same cache when nothing is dropped). */
export function sliceCache(cache: KvCache, geometry: CacheGeometry, keep: number): KvCache {
  if (keep === cache.length) return cache;
  if (keep === 0) return emptyCache(geometry);
  const positions = Int32Array.from({ length: keep }, (_, i) => i);
  return gatherCache(cache, geometry, positions);
}

/** A cache holding `positions` of `cache`, in that order (tree acceptance). */
export function gatherCache(cache: KvCache, geometry: CacheGeometry, positions: ArrayLike<number>): KvCache {
  return {
    length: positions.length,
    arrays: cache.arrays.map((array) => gatherArray(array, geometry, cache.length, positions)),
  };
}

/**
 * Stacks one cache array (index `arrayIndex`) of several sequences into a batch tensor
 * `[batch, kvHeads, paddedLength, headDim]`, each sequence right-aligned (left padding with zeros).
 */
export function stackCacheArray(
  caches: readonly KvCache[],
  arrayIndex: number,
  geometry: CacheGeometry,
  paddedLength: number,
): CacheArray {
  const { kvHeads, headDim } = geometry;
  const target = allocateCacheArray(geometry.type, caches.length * kvHeads * paddedLength * headDim);
  caches.forEach((cache, b) => {
    const source = cache.arrays[arrayIndex];
    const pad = paddedLength - cache.length;
    for (let head = 0; head < kvHeads; head++) {
      const from = head * cache.length * headDim;
      const to = ((b * kvHeads + head) * paddedLength + pad) * headDim;
      target.set(source.subarray(from, from + cache.length * headDim), to);
    }
  });
  return target;
}

/**
 * Cuts one sequence's positions `[start, start + length)` out of a batch present tensor
 * `[batch, kvHeads, total, headDim]`. With batch 1 and the whole range it returns the array itself.
 */
export function unstackCacheArray(
  source: CacheArray,
  geometry: CacheGeometry,
  batchIndex: number,
  total: number,
  start: number,
  length: number,
): CacheArray {
  const { kvHeads, headDim } = geometry;
  if (batchIndex === 0 && start === 0 && length === total && source.length === kvHeads * total * headDim) return source;
  const target = allocateCacheArray(geometry.type, kvHeads * length * headDim);
  for (let head = 0; head < kvHeads; head++) {
    const from = ((batchIndex * kvHeads + head) * total + start) * headDim;
    target.set(source.subarray(from, from + length * headDim), head * length * headDim);
  }
  return target;
}
