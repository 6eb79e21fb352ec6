/**
 * Weighted selection: among positions `0..count-1`, ordered by `keys` descending (ties: lower
 * position first), finds the shortest prefix whose `weights` sum reaches `target`. Partitions a
 * permutation of positions in place (expected O(count), like quickselect) instead of sorting, and
 * writes 1 into `flags[position]` for the kept positions. Returns how many were kept.
 */
export function keepPrefixByMass(
  keys: Float32Array,
  weights: Float32Array,
  count: number,
  target: number,
  order: Int32Array,
  flags: Uint8Array,
): number {
  for (let i = 0; i < count; i++) order[i] = i;
  flags.fill(0, 0, count);
  let lo = 0;
  let hi = count;
  let remaining = target;
  while (remaining > 0 && lo < hi) {
    const pivot = keys[order[(lo + hi) >>> 1]];
    // Three-way partition of order[lo, hi): greater | equal | less.
    let greater = lo;
    let cursor = lo;
    let less = hi;
    while (cursor < less) {
      const position = order[cursor];
      const key = keys[position];
      if (key > pivot) {
        order[cursor] = order[greater];
        order[greater] = position;
        greater++;
        cursor++;
      } else if (key < pivot) {
        less--;
        order[cursor] = order[less];
        order[less] = position;
      } else {
        cursor++;
      }
    }
    let greaterMass = 0;
    for (let i = lo; i < greater; i++) greaterMass += weights[order[i]];
    if (greater > lo && greaterMass >= remaining) {
      hi = greater; // the answer lies inside the greater part
      continue;
    }
    remaining -= greaterMass;
    // Equal keys: take them by ascending position until the mass is reached.
    const equal = order.subarray(greater, less).sort();
    let taken = 0;
    while (taken < equal.length && remaining > 0) remaining -= weights[equal[taken++]];
    lo = greater + taken;
    if (taken < equal.length) break;
    lo = less;
  }
  for (let i = 0; i < lo; i++) flags[order[i]] = 1;
  return lo;
}

/** Reusable buffers of {@link maskAllButTopK}. */
export class TopKScratch {
  values = new Float32Array(0);
  indices = new Int32Array(0);
  pending = new Int32Array(0);

  ensure(k: number, size: number): void {
    if (this.values.length < k) {
      this.values = new Float32Array(k);
      this.indices = new Int32Array(k);
    }
    if (this.pending.length < size) this.pending = new Int32Array(size);
  }
}

/**
 * Masks (sets to -Infinity) every entry below the k-th largest value, in ONE pass over the row:
 * a bounded min-heap of (value, index) holds the best k so far; an entry below the heap's minimum
 * can never reach the final threshold and is masked on the spot; entries evicted from the heap or
 * equal to its minimum are settled after the pass against the final threshold (ties with the
 * k-th largest are kept). Returns the threshold. NaN entries are left for the chain to report.
 */
export function maskAllButTopK(logits: Float32Array, k: number, scratch: TopKScratch): number {
  const n = logits.length;
  scratch.ensure(k, n);
  const { values, indices, pending } = scratch;
  let size = 0;
  let pendingCount = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    if (size < k) {
      let j = size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (values[parent] <= v) break;
        values[j] = values[parent];
        indices[j] = indices[parent];
        j = parent;
      }
      values[j] = v;
      indices[j] = i;
    } else if (v > values[0]) {
      pending[pendingCount++] = indices[0];
      let j = 0;
      for (;;) {
        const left = 2 * j + 1;
        if (left >= k) break;
        const right = left + 1;
        const child = right < k && values[right] < values[left] ? right : left;
        if (values[child] >= v) break;
        values[j] = values[child];
        indices[j] = indices[child];
        j = child;
      }
      values[j] = v;
      indices[j] = i;
    } else if (v < values[0]) {
      logits[i] = Number.NEGATIVE_INFINITY;
    } else {
      pending[pendingCount++] = i; // equal to the current minimum, or NaN
    }
  }
  const threshold = values[0];
  for (let p = 0; p < pendingCount; p++) {
    const i = pending[p];
    if (logits[i] < threshold) logits[i] = Number.NEGATIVE_INFINITY;
  }
  return threshold;
}
