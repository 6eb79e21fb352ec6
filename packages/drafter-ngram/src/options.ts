import { InvalidArgumentError } from '@decodekit/core';

/** Returns `value ?? fallback` after checking it is an integer in `[min, max]`. @internal */
export function integerOption(
  setting: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidArgumentError(setting, `must be an integer ${range}, got ${value}`);
  }
  return result;
}

/** Returns `value ?? fallback` after checking it is a finite number `>= min` (or `> min` when `exclusive`). @internal */
export function numberOption(
  setting: string,
  value: number | undefined,
  fallback: number,
  min: number,
  exclusive = false,
): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < min || (exclusive && result === min)) {
    throw new InvalidArgumentError(setting, `must be a finite number ${exclusive ? '>' : '>='} ${min}, got ${value}`);
  }
  return result;
}

/**
 * A small seeded generator (mulberry32) for drafters' own randomness (ADED rollouts, lookahead
 * window initialisation). Drafters keep it private so they never consume the run's random stream,
 * whose draws decide the target's samples.
 * @internal
 */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
