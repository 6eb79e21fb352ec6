import { describe, expect, it } from 'vitest';
import {
  argmax,
  createRng,
  entropy,
  kthLargest,
  logSoftmax,
  logSumExp,
  sampleCategorical,
  softmax,
  topK,
} from '../src/index.js';

describe('softmax family', () => {
  it('softmax sums to one and preserves order', () => {
    const p = softmax(new Float32Array([1, 2, 3]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[2]).toBeGreaterThan(p[1]);
    expect(p[0]).toBeCloseTo(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)), 6);
  });
  it('masked entries get zero probability, all-masked throws', () => {
    const p = softmax(new Float32Array([0, Number.NEGATIVE_INFINITY, 0]));
    expect(Array.from(p)).toEqual([0.5, 0, 0.5]);
    expect(() => softmax(new Float32Array([Number.NEGATIVE_INFINITY]))).toThrow(/masked/);
  });
  it('logSoftmax equals log of softmax and logSumExp is stable', () => {
    const x = new Float32Array([1000, 1001, 999]);
    const lp = logSoftmax(x);
    const p = softmax(x);
    for (let i = 0; i < 3; i++) expect(lp[i]).toBeCloseTo(Math.log(p[i]), 5);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 9);
  });
  it('entropy of uniform is log n', () => {
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(Math.log(4), 12);
  });
});

describe('selection', () => {
  it('argmax returns the first maximum', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
  });
  it('topK agrees with a full sort on random rows', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rng.next() * 300);
      const row = Float32Array.from({ length: n }, () => Math.round(rng.next() * 20)); // many ties
      const k = 1 + Math.floor(rng.next() * n);
      const expected = Array.from(row.keys())
        .sort((a, b) => row[b] - row[a] || a - b)
        .slice(0, k);
      expect(Array.from(topK(row, k))).toEqual(expected);
      const sorted = Array.from(row).sort((a, b) => b - a);
      expect(kthLargest(row, k)).toBe(sorted[k - 1]);
    }
  });
  it('sampleCategorical follows the distribution and never draws zeros', () => {
    const rng = createRng(1);
    const p = [0.1, 0, 0.6, 0.3];
    const counts = [0, 0, 0, 0];
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[sampleCategorical(p, rng)]++;
    expect(counts[1]).toBe(0);
    for (const i of [0, 2, 3]) expect(Math.abs(counts[i] / n - p[i])).toBeLessThan(0.01);
  });
});
