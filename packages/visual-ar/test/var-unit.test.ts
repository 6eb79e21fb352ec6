import { InvalidArgumentError } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { areaResize, bicubicResize, blockCausalMask, scaleSchedule, validateSplit } from '../src/index.js';

describe('scale schedule and block-causal mask', () => {
  it('the tiny models use scales 1,2,3,4,6,8: 130 tokens, blocks at 0,1,5,14,30,66', () => {
    const s = scaleSchedule([1, 2, 3, 4, 6, 8]);
    expect(s.total).toBe(130);
    expect(s.begin).toEqual([0, 1, 5, 14, 30, 66]);
    expect(s.sizes).toEqual([1, 4, 9, 16, 36, 64]);
    expect(Array.from(s.levels.subarray(0, 6))).toEqual([0, 1, 1, 1, 1, 2]);
    expect(s.levels[129]).toBe(5);
  });

  it('rejects schedules that are not increasing or do not start at 1', () => {
    expect(() => scaleSchedule([1, 3, 2])).toThrow(InvalidArgumentError);
    expect(() => scaleSchedule([2, 4])).toThrow(InvalidArgumentError);
    expect(() => scaleSchedule([])).toThrow(InvalidArgumentError);
  });

  it('a query sees its own scale and every coarser one, never a finer one', () => {
    const { levels } = scaleSchedule([1, 2, 3]);
    const mask = blockCausalMask(levels, levels);
    const n = levels.length;
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) expect(mask[q * n + k]).toBe(levels[k] <= levels[q] ? 1 : 0);
    }
    // scale 1's four tokens see the start token and each other, not scale 2
    expect(Array.from(mask.subarray(1 * n, 2 * n))).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // one scale per pass on top of a cache of the coarser scales: all ones
    expect(blockCausalMask(levels.subarray(5), levels).every((v) => v === 1)).toBe(true);
  });
});

describe('residual accumulation between scales (float32, as torch computes it)', () => {
  it('bicubic upsampling of a 1×1 map is constant; area downsampling averages blocks', () => {
    const up = bicubicResize(Float32Array.of(0.75, -2), 2, 1, 8);
    for (let i = 0; i < 64; i++) {
      expect(up[i]).toBeCloseTo(0.75, 6);
      expect(up[64 + i]).toBeCloseTo(-2, 6);
    }
    const grid = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(areaResize(grid, 1, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
    // 8 → 3 uses overlapping windows [0,3), [2,6), [5,8) (adaptive pooling)
    const row = Float32Array.from({ length: 64 }, (_, i) => i % 8);
    expect(Array.from(areaResize(row, 1, 8, 3).subarray(0, 3))).toEqual([1, 3.5, 6]);
  });

  it('bicubic weights of each output sum to 1 and reproduce a linear ramp inside the map (2 → 8)', () => {
    const up = bicubicResize(Float32Array.of(0, 1, 0, 1), 1, 2, 8);
    // columns: a ramp 0 → 1 sampled at half-pixel centres; the clamped borders repeat the edge values
    const row = Array.from(up.subarray(0, 8));
    for (let i = 1; i < 8; i++) expect(row[i]).toBeGreaterThanOrEqual(row[i - 1] - 1e-6);
    expect(row[0]).toBeLessThan(0.05);
    expect(row[7]).toBeGreaterThan(0.95);
    const flat = bicubicResize(Float32Array.of(3, 3, 3, 3, 3, 3, 3, 3, 3), 1, 3, 8);
    for (const v of flat) expect(v).toBeCloseTo(3, 5);
  });
});

describe('CoDe split', () => {
  it('accepts 1 .. S−1 drafter scales only', () => {
    const s = scaleSchedule([1, 2, 3, 4, 6, 8]);
    expect(validateSplit(s, 1)).toBe(1);
    expect(validateSplit(s, 5)).toBe(5);
    for (const bad of [0, 6, 2.5]) expect(() => validateSplit(s, bad)).toThrow(InvalidArgumentError);
  });
});
