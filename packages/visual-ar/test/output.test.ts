import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  encodePng,
  featureStatistics,
  floatToRgba,
  frechetDistance,
  imageGrid,
  type RgbaImage,
  symmetricSqrt,
  upscale,
} from '../src/index.js';

function decodePng(bytes: Uint8Array): RgbaImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    expect(view.getUint32(offset + 8 + length)).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      expect([body[8], body[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    data.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, data };
}

describe('PNG, RGBA and grids', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('encodePng round-trips through a decoder (IHDR, CRCs, zlib)', () => {
    const image: RgbaImage = { width: 5, height: 3, data: Uint8Array.from({ length: 60 }, (_, i) => (i * 37) % 256) };
    const back = decodePng(encodePng(image));
    expect(back.width).toBe(5);
    expect(back.height).toBe(3);
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(/RGBA/);
  });

  it('floatToRgba rounds NCHW floats, clamps, and sets alpha', () => {
    const data = new Float32Array(2 * 3 * 4);
    data.fill(0.5);
    data[3 * 4] = 1.2; // image 1, red channel, pixel 0
    const rgba = floatToRgba({ count: 2, size: 2, data }, 1);
    expect(Array.from(rgba.data.subarray(0, 4))).toEqual([255, 128, 128, 255]);
  });

  it('imageGrid tiles with padding and upscaling', () => {
    const red: RgbaImage = { width: 1, height: 1, data: Uint8Array.of(255, 0, 0, 255) };
    const blue: RgbaImage = { width: 1, height: 1, data: Uint8Array.of(0, 0, 255, 255) };
    const grid = imageGrid([red, blue, red], { columns: 2, padding: 1, scale: 2 });
    expect([grid.width, grid.height]).toEqual([2 * 2 + 3, 2 * 2 + 3]);
    const at = (x: number, y: number) =>
      Array.from(grid.data.subarray((y * grid.width + x) * 4, (y * grid.width + x) * 4 + 4));
    expect(at(0, 0)).toEqual([255, 255, 255, 255]);
    expect(at(1, 1)).toEqual([255, 0, 0, 255]);
    expect(at(4, 2)).toEqual([0, 0, 255, 255]);
    expect(at(2, 5)).toEqual([255, 0, 0, 255]);
    expect(upscale(red, 3).data.length).toBe(36);
  });
});

describe('Fréchet distance', () => {
  it('symmetricSqrt squares back to the matrix', () => {
    const n = 6;
    const b = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 1.7));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
    const root = symmetricSqrt({ n, data: a }).data;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += root[i * n + k] * root[k * n + j];
        expect(s).toBeCloseTo(a[i * n + j], 9);
      }
  });

  it('is 0 for equal statistics and matches the closed form for diagonal covariances', () => {
    const features = Float64Array.from({ length: 40 * 3 }, (_, i) => Math.cos(i * 0.37) * (1 + (i % 3)));
    const s = featureStatistics(features, 40, 3);
    expect(frechetDistance(s, s)).toBeCloseTo(0, 9);
    const diag = (mean: number[], variance: number[]) => ({
      mean: Float64Array.from(mean),
      covariance: { n: mean.length, data: Float64Array.from([variance[0], 0, 0, variance[1]]) },
      count: 10,
    });
    // ‖μ1 − μ2‖² + Σ (σ1 − σ2)²
    const d = frechetDistance(diag([0, 1], [4, 9]), diag([1, 1], [1, 16]));
    expect(d).toBeCloseTo(1 + (2 - 1) ** 2 + (3 - 4) ** 2, 9);
  });
});
