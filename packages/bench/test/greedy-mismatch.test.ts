import { DecodekitError } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { firstDifference, GreedyMismatchError } from '../src/greedy-mismatch-error.js';

describe('greedy equality check', () => {
  it('finds the first differing position, or the end of the shorter output', () => {
    expect(firstDifference([1, 2, 3], [1, 2, 3])).toBe(-1);
    expect(firstDifference([1, 2, 3], [1, 9, 3])).toBe(1);
    expect(firstDifference([1, 2, 3], [1, 2])).toBe(2);
    expect(firstDifference([], [])).toBe(-1);
  });

  it('names the method, the prompt and the position in a typed error', () => {
    const error = new GreedyMismatchError({
      method: 'pld',
      suite: 'code',
      taskId: 'code-7',
      source: 'json/decoder.py@120',
      promptText: 'def f(x):\n    return',
      repetition: 2,
      position: 13,
      expected: 42,
      actual: 43,
    });
    expect(DecodekitError.is(error)).toBe(true);
    expect(error.mismatch.position).toBe(13);
    expect(error.message).toContain("method 'pld'");
    expect(error.message).toContain('prompt code-7');
    expect(error.message).toContain('json/decoder.py@120');
    expect(error.message).toContain('generated token 13');
    expect(error.message).toContain('expected 42, got 43');
    expect(error.message).toContain('--methods autoregressive,pld --suites code');
  });
});
