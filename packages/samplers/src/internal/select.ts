/**
 * The k-th largest value of `values` (1-based k, 1 <= k <= length) with a bounded min-heap of
 * values: one comparison per element once the heap is full, O(V log k) worst case, no copy of the
 * row and no sort. -Infinity entries take part like any other value.
 */
export function kthLargestValue(values: Float32Array, k: number, heap: Float32Array): number {
  let size = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (size < k) {
      // Sift up.
      let j = size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (heap[parent] <= v) break;
        heap[j] = heap[parent];
        j = parent;
      }
      heap[j] = v;
    } else if (v > heap[0]) {
      // Replace the minimum and sift down.
      let j = 0;
      for (;;) {
        const left = 2 * j + 1;
        if (left >= k) break;
        const right = left + 1;
        const child = right < k && heap[right] < heap[left] ? right : left;
        if (heap[child] >= v) break;
        heap[j] = heap[child];
        j = child;
      }
      heap[j] = v;
    }
  }
  return heap[0];
}

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
