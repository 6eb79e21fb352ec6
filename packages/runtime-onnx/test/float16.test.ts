import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../src/index.js';

describe('float16 conversion', () => {
  it('decodes known half-precision bit patterns', () => {
    const bits = Uint16Array.from([0x0000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0xfc00, 0x8000]);
    const values = float16ToFloat32(bits);
    expect(Array.from(values.subarray(0, 6))).toEqual([0, 1, -2, 65504, 2 ** -24, 0.333251953125]);
    expect(values[6]).toBe(Number.POSITIVE_INFINITY);
    expect(values[7]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(values[8], -0)).toBe(true);
    expect(Number.isNaN(float16ToFloat32(Uint16Array.from([0x7e00]))[0])).toBe(true);
  });

  it('round-trips every finite half value and rounds float32 to nearest even', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const finite = all.filter((bits) => (bits & 0x7c00) !== 0x7c00);
    expect(Array.from(float32ToFloat16(float16ToFloat32(finite)))).toEqual(Array.from(finite));
    // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa (1).
    expect(float32ToFloat16(Float32Array.from([1 + 2 ** -11]))[0]).toBe(0x3c00);
    expect(float32ToFloat16(Float32Array.from([1 + 3 * 2 ** -11]))[0]).toBe(0x3c02);
    expect(float32ToFloat16(Float32Array.from([1e6]))[0]).toBe(0x7c00);
    expect(float32ToFloat16(Float32Array.from([1e-9]))[0]).toBe(0);
  });
});
