import { InvalidArgumentError } from '@decodekit/core';

/** Throws unless `value` is a finite number in [min, max] (bounds included unless marked open). */
export function checkNumber(
  setting: string,
  value: number,
  range: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean },
): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, minOpen = false, maxOpen = false } = range;
  const tooLow = minOpen ? !(value > min) : !(value >= min);
  const tooHigh = maxOpen ? !(value < max) : !(value <= max);
  if (typeof value !== 'number' || Number.isNaN(value) || tooLow || tooHigh) {
    throw new InvalidArgumentError(
      setting,
      `must be a number in ${describeRange(min, max, minOpen, maxOpen)}, got ${value}`,
    );
  }
  return value;
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(setting: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      setting,
      `must be an integer in ${describeRange(min, max, false, false)}, got ${value}`,
    );
  }
  return value;
}

/** Throws unless every entry is a non-negative integer token id. */
export function checkTokenIds(setting: string, tokens: ArrayLike<number>): number[] {
  const out = Array.from(tokens);
  for (const token of out) {
    if (!Number.isInteger(token) || token < 0) {
      throw new InvalidArgumentError(setting, `token ids must be integers >= 0, got ${token}`);
    }
  }
  return out;
}

function describeRange(min: number, max: number, minOpen: boolean, maxOpen: boolean): string {
  const low = min === Number.NEGATIVE_INFINITY ? '(-Infinity' : `${minOpen ? '(' : '['}${min}`;
  const high = max === Number.POSITIVE_INFINITY ? 'Infinity)' : `${max}${maxOpen ? ')' : ']'}`;
  return `${low}, ${high}`;
}
