/** An inclusive range of Unicode code points (or of bytes). */
export type Range = readonly [lo: number, hi: number];

/** The largest code point. */
export const maxCodePoint = 0x10ffff;

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The complement of a set of code point ranges within `0..0x10FFFF`. */
export function complementRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= maxCodePoint) out.push([next, maxCodePoint]);
  return out;
}

/** The intersection of two sets of code point ranges. */
export function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const [alo, ahi] of normalizeRanges(a)) {
    for (const [blo, bhi] of normalizeRanges(b)) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return normalizeRanges(out);
}

function encode(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
}

/**
 * The UTF-8 encodings of a set of code points as sequences of byte ranges: every code point of the
 * set encodes to exactly one sequence, byte by byte inside its ranges, and nothing else does.
 * Surrogates (`D800..DFFF`) are excluded, as UTF-8 cannot encode them.
 */
export function utf8Sequences(ranges: readonly Range[]): Range[][] {
  const out: Range[][] = [];
  const valid = intersectRanges(ranges, [
    [0, 0xd7ff],
    [0xe000, maxCodePoint],
  ]);
  const split = (lo: number, hi: number): void => {
    for (const boundary of [0x7f, 0x7ff, 0xffff]) {
      if (lo <= boundary && hi > boundary) {
        split(lo, boundary);
        split(boundary + 1, hi);
        return;
      }
    }
    if (hi < 0x80) {
      out.push([[lo, hi]]);
      return;
    }
    const length = encode(lo).length;
    for (let i = 1; i < length; i++) {
      const mask = (1 << (6 * i)) - 1;
      if ((lo & ~mask) !== (hi & ~mask)) {
        if ((lo & mask) !== 0) {
          split(lo, lo | mask);
          split((lo | mask) + 1, hi);
          return;
        }
        if ((hi & mask) !== mask) {
          split(lo, (hi & ~mask) - 1);
          split(hi & ~mask, hi);
          return;
        }
      }
    }
    const a = encode(lo);
    const b = encode(hi);
    out.push(a.map((byte, i) => [byte, b[i]] as Range));
  };
  for (const [lo, hi] of valid) split(lo, hi);
  return out;
}
