import { describe, expect, it } from 'vitest';
import { guidanceScales, imageDistribution, needsUnconditional, resolveSampling } from '../src/index.js';

const row = (values: number[]) => Float32Array.from(values);

describe('imageDistribution', () => {
  it('restricts to the codebook: logits of class and null tokens never get mass', () => {
    const out = new Float64Array(3);
    imageDistribution(row([0, 1, 2, 100, 100]), undefined, 1, resolveSampling(), out);
    const z = [0, 1, 2].map(Math.exp);
    const sum = z[0] + z[1] + z[2];
    z.forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v / sum, 12);
    });
  });

  it('CFG scale 1 is the conditional row; scale s gives z_u + s (z_c − z_u)', () => {
    const zc = row([1, 0, -1, 9]);
    const zu = row([0, 2, 0, 9]);
    const a = imageDistribution(zc, zu, 1, resolveSampling(), new Float64Array(3));
    const b = imageDistribution(zc, undefined, 1, resolveSampling(), new Float64Array(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    const guided = imageDistribution(zc, zu, 3, resolveSampling(), new Float64Array(3));
    const z = [0 + 3 * 1, 2 + 3 * -2, 0 + 3 * -1].map(Math.exp);
    const sum = z.reduce((s, v) => s + v, 0);
    z.forEach((v, i) => {
      expect(guided[i]).toBeCloseTo(v / sum, 12);
    });
  });

  it('top-k keeps the k largest (and ties), top-p the smallest nucleus, temperature sharpens', () => {
    const z = row([3, 1, 2, 0, 2]);
    const k2 = imageDistribution(z, undefined, 1, resolveSampling({ topK: 2 }), new Float64Array(5));
    // ties with the 2nd largest (two 2s) are kept
    expect(Array.from(k2).map((p) => p > 0)).toEqual([true, false, true, false, true]);
    const p = imageDistribution(z, undefined, 1, resolveSampling({ topP: 0.6 }), new Float64Array(5));
    // token 0 holds ~0.52 < 0.6 of the mass, so the nucleus adds one of the tied 2s (the lower index, 2)
    expect(Array.from(p).map((v) => v > 0)).toEqual([true, false, true, false, false]);
    const cold = imageDistribution(z, undefined, 1, resolveSampling({ temperature: 0.5 }), new Float64Array(5));
    const warm = imageDistribution(z, undefined, 1, resolveSampling(), new Float64Array(5));
    expect(cold[0]).toBeGreaterThan(warm[0]);
    const greedy = imageDistribution(z, undefined, 1, resolveSampling({ temperature: 0 }), new Float64Array(5));
    expect(Array.from(greedy)).toEqual([1, 0, 0, 0, 0]);
    expect(resolveSampling({ topK: 1 }).greedy).toBe(true);
  });

  it('temperature order: first vs last changes only top-p', () => {
    const z = row([2, 1, 0, -1]);
    const first = imageDistribution(
      z,
      undefined,
      1,
      resolveSampling({ temperature: 3, topP: 0.6 }),
      new Float64Array(4),
    );
    const last = imageDistribution(
      z,
      undefined,
      1,
      resolveSampling({ temperature: 3, topP: 0.6, temperatureOrder: 'last' }),
      new Float64Array(4),
    );
    expect(first.filter((v) => v > 0).length).toBeGreaterThan(last.filter((v) => v > 0).length);
  });

  it('rejects out-of-range settings', () => {
    expect(() => resolveSampling({ temperature: -1 })).toThrow(/temperature/);
    expect(() => resolveSampling({ topK: 1.5 })).toThrow(/topK/);
    expect(() => resolveSampling({ topP: 0 })).toThrow(/topP/);
  });
});

describe('guidanceScales', () => {
  it('constant, linear ramps, interval, and the unconditional branch is needed only when some s ≠ 1', () => {
    expect(Array.from(guidanceScales({ scale: 2 }, 3))).toEqual([2, 2, 2]);
    expect(Array.from(guidanceScales({ scale: 3, schedule: 'linear' }, 3))).toEqual([1, 2, 3]);
    expect(Array.from(guidanceScales({ scale: 3, schedule: 'linear-decreasing' }, 3))).toEqual([3, 2, 1]);
    expect(Array.from(guidanceScales({ scale: 4, interval: 2 }, 4))).toEqual([4, 4, 1, 1]);
    expect(Array.from(guidanceScales({ scale: 2, schedule: (n) => n + 1 }, 3))).toEqual([1, 2, 3]);
    expect(needsUnconditional(guidanceScales({}, 5))).toBe(false);
    expect(needsUnconditional(guidanceScales({ scale: 1.5 }, 5))).toBe(true);
    expect(() => guidanceScales({ scale: Number.NaN }, 2)).toThrow(/cfg/);
  });
});
