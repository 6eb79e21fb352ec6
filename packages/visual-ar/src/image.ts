import { InvalidArgumentError } from '@decodekit/core';

/** An 8-bit RGBA image, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A batch of float images `[count, 3, size, size]` (NCHW, values in [0, 1]) as the image graphs use them. */
export interface FloatImages {
  readonly count: number;
  readonly size: number;
  readonly data: Float32Array;
}

/** Converts image `index` of a float NCHW batch to RGBA bytes: `round(255·x)` per channel, alpha 255. */
export function floatToRgba(images: FloatImages, index: number): RgbaImage {
  const { size, data } = images;
  if (!Number.isInteger(index) || index < 0 || index >= images.count) {
    throw new InvalidArgumentError('index', `must be in [0, ${images.count}), got ${index}`);
  }
  const plane = size * size;
  const base = index * 3 * plane;
  const out = new Uint8Array(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[base + c * plane + p];
      out[p * 4 + c] = Math.max(0, Math.min(255, Math.round(255 * v)));
    }
    out[p * 4 + 3] = 255;
  }
  return { width: size, height: size, data: out };
}

/** Nearest-neighbour upscaling by an integer factor (tiny 32×32 images become visible). */
export function upscale(image: RgbaImage, factor: number): RgbaImage {
  if (!Number.isInteger(factor) || factor < 1)
    throw new InvalidArgumentError('scale', `must be an integer >= 1, got ${factor}`);
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const s = (sy * image.width + Math.floor(x / factor)) * 4;
      const t = (y * width + x) * 4;
      data[t] = image.data[s];
      data[t + 1] = image.data[s + 1];
      data[t + 2] = image.data[s + 2];
      data[t + 3] = image.data[s + 3];
    }
  }
  return { width, height, data };
}
