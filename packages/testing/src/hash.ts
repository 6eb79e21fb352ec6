// Deterministic hashing used by the mock models: the same inputs give the same numbers on every
// platform, so tests can compute exact probabilities.

/** SplitMix32-style finaliser: a well-mixed 32-bit value. */
export function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Folds `value` into the running hash `state`. */
export function combineHash(state: number, value: number): number {
  return mix32((state ^ Math.imul(value + 0x9e3779b9, 0x27d4eb2f)) >>> 0);
}

/** A uniform number in [0, 1) from a hash. */
export function hashToUnit(hash: number): number {
  return (hash >>> 0) / 4294967296;
}
