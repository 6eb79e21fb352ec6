/**
 * The suffix array of `text` (values in `[0, upper]`) by SA-IS (Nong, Zhang, Chan 2009): O(n)
 * time, following the formulation of the AtCoder Library's `sa_is`. `result[k]` is the start of the
 * k-th smallest suffix; a suffix that is a prefix of another sorts first.
 */
export function buildSuffixArray(text: Int32Array, upper: number): Int32Array {
  const n = text.length;
  if (n === 0) return new Int32Array(0);
  if (n === 1) return Int32Array.of(0);
  if (n === 2) return text[0] < text[1] ? Int32Array.of(0, 1) : Int32Array.of(1, 0);
  const sa = new Int32Array(n);
  // sType[i] = 1 when suffix i is smaller than suffix i + 1 (S-type); the last suffix is L-type.
  const sType = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) sType[i] = text[i] === text[i + 1] ? sType[i + 1] : text[i] < text[i + 1] ? 1 : 0;
  // Bucket starts: lStart[c] where the L-suffixes of bucket c begin, sStart[c] where its S-suffixes begin.
  const lStart = new Int32Array(upper + 2);
  const sStart = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (!sType[i]) sStart[text[i]]++;
    else lStart[text[i] + 1]++;
  }
  for (let c = 0; c <= upper; c++) {
    sStart[c] += lStart[c];
    if (c < upper) lStart[c + 1] += sStart[c];
  }
  const cursor = new Int32Array(upper + 2);
  const induce = (lms: Int32Array) => {
    sa.fill(-1);
    cursor.set(sStart);
    for (let k = 0; k < lms.length; k++) {
      const d = lms[k];
      if (d !== n) sa[cursor[text[d]]++] = d;
    }
    cursor.set(lStart);
    sa[cursor[text[n - 1]]++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i];
      if (v >= 1 && !sType[v - 1]) sa[cursor[text[v - 1]]++] = v - 1;
    }
    cursor.set(lStart);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i];
      if (v >= 1 && sType[v - 1]) sa[--cursor[text[v - 1] + 1]] = v - 1;
    }
  };
  // LMS positions: S-type with an L-type left neighbour.
  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!sType[i - 1] && sType[i]) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (!sType[i - 1] && sType[i]) lms[k++] = i;
  induce(lms);
  if (m > 0) {
    // Name the LMS substrings in sorted order, sort the reduced string recursively, induce again.
    const sortedLms = new Int32Array(m);
    for (let i = 0, k = 0; i < n; i++) {
      const v = sa[i];
      if (v >= 0 && lmsMap[v] !== -1) sortedLms[k++] = v;
    }
    const reduced = new Int32Array(m);
    let names = 0;
    reduced[lmsMap[sortedLms[0]]] = 0;
    for (let i = 1; i < m; i++) {
      let left = sortedLms[i - 1];
      let right = sortedLms[i];
      const endLeft = lmsMap[left] + 1 < m ? lms[lmsMap[left] + 1] : n;
      const endRight = lmsMap[right] + 1 < m ? lms[lmsMap[right] + 1] : n;
      let same = true;
      if (endLeft - left !== endRight - right) same = false;
      else {
        while (left < endLeft && text[left] === text[right]) {
          left++;
          right++;
        }
        if (left === n || text[left] !== text[right]) same = false;
      }
      if (!same) names++;
      reduced[lmsMap[sortedLms[i]]] = names;
    }
    const reducedSa = buildSuffixArray(reduced, names);
    for (let i = 0; i < m; i++) sortedLms[i] = lms[reducedSa[i]];
    induce(sortedLms);
  }
  return sa;
}

/**
 * Range `[start, end)` of suffix-array entries whose suffix begins with `pattern[from..to)`, by two
 * binary searches (O((to - from) log n)). Empty when `start === end`.
 */
export function suffixRange(
  text: Int32Array,
  suffixArray: Int32Array,
  pattern: ArrayLike<number>,
  from = 0,
  to = pattern.length,
): { start: number; end: number } {
  const length = to - from;
  // Compares the suffix at `position` with the pattern on the pattern's length: <0, 0 (prefix match), >0.
  const compare = (position: number): number => {
    for (let j = 0; j < length; j++) {
      if (position + j >= text.length) return -1; // the suffix ended first: it is smaller
      const difference = text[position + j] - pattern[from + j];
      if (difference !== 0) return difference;
    }
    return 0;
  };
  let low = 0;
  let high = suffixArray.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(suffixArray[middle]) < 0) low = middle + 1;
    else high = middle;
  }
  const start = low;
  high = suffixArray.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(suffixArray[middle]) <= 0) low = middle + 1;
    else high = middle;
  }
  return { start, end: low };
}
