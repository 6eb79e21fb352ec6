import type { Rng } from '../rng.js';

/** Index of the largest value; the first one on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = values[0];
  for (let i = 1; i < values.length; i++) {
    if (values[i] > bestValue) {
      bestValue = values[i];
      best = i;
    }
  }
  return best;
}

/**
 * Indices of the k largest values, ordered from largest to smallest (ties by lower index).
 * Uses a bounded min-heap: O(V log k), no sort of the whole row.
 */
export function topK(values: ArrayLike<number>, k: number): Int32Array {
  const n = values.length;
  const size = Math.max(0, Math.min(k, n));
  if (size === 0) return new Int32Array(0);
  const heap = new Int32Array(size); // min-heap of indices by (value, -index)
  let count = 0;
  // "a is worse than b": smaller value, or equal value and larger index.
  const worse = (a: number, b: number) => values[a] < values[b] || (values[a] === values[b] && a > b);
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < count && worse(heap[l], heap[m])) m = l;
      if (r < count && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
  };
  for (let idx = 0; idx < n; idx++) {
    if (count < size) {
      heap[count] = idx;
      let i = count++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i], heap[p])) break;
        const t = heap[i];
        heap[i] = heap[p];
        heap[p] = t;
        i = p;
      }
    } else if (worse(heap[0], idx)) {
      heap[0] = idx;
      siftDown(0);
    }
  }
  const out = Array.from(heap);
  out.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return Int32Array.from(out);
}

/**
 * The k-th largest value (1-based) by quickselect on a copy: expected O(V). Used for top-k thresholds.
 */
export function kthLargest(values: ArrayLike<number>, k: number, scratch?: Float32Array): number {
  const n = values.length;
  if (k < 1 || k > n) throw new RangeError(`k=${k} is outside [1, ${n}]`);
  const a = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i];
  let lo = 0;
  let hi = n - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/**
 * Draws an index from a probability row (need not be normalised; zeros are never drawn).
 * One uniform from `rng`, one pass over the row.
 */
export function sampleCategorical(probabilities: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) total += probabilities[i];
  if (!(total > 0)) throw new RangeError('sampleCategorical: the distribution has no mass');
  let u = rng.next() * total;
  let last = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (p <= 0) continue;
    last = i;
    u -= p;
    if (u < 0) return i;
  }
  return last; // rounding left a sliver of mass: return the last possible token
}
