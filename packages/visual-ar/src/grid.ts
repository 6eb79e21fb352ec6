import { InvalidArgumentError } from '@decodekit/core';
import { type RgbaImage, upscale } from './image.js';

/** Layout of `imageGrid`. */
export interface ImageGridOptions {
  /** Images per row (default: ceil(sqrt(count))). */
  readonly columns?: number;
  /** Pixels between cells and around the grid (default 2). */
  readonly padding?: number;
  /** Integer nearest-neighbour upscaling of every cell (default 1). */
  readonly scale?: number;
  /** Background RGBA (default opaque white). */
  readonly background?: readonly [number, number, number, number];
}

/**
 * Tiles images of one size into a grid, left to right then top to bottom, with padding and an
 * optional integer upscale. Throws `InvalidArgumentError` for an empty list or mixed sizes.
 */
export function imageGrid(images: readonly RgbaImage[], options: ImageGridOptions = {}): RgbaImage {
  if (images.length === 0) throw new InvalidArgumentError('images', 'a grid needs at least one image');
  const scale = options.scale ?? 1;
  const cells = images.map((image) => upscale(image, scale));
  const { width: cw, height: ch } = cells[0];
  if (cells.some((cell) => cell.width !== cw || cell.height !== ch)) {
    throw new InvalidArgumentError('images', 'every image of a grid must have the same size');
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(images.length));
  if (!Number.isInteger(columns) || columns < 1)
    throw new InvalidArgumentError('columns', `must be >= 1, got ${columns}`);
  const padding = options.padding ?? 2;
  if (!Number.isInteger(padding) || padding < 0)
    throw new InvalidArgumentError('padding', `must be >= 0, got ${padding}`);
  const rows = Math.ceil(images.length / columns);
  const width = columns * cw + (columns + 1) * padding;
  const height = rows * ch + (rows + 1) * padding;
  const data = new Uint8Array(width * height * 4);
  const [r, g, b, a] = options.background ?? [255, 255, 255, 255];
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = r;
    data[p * 4 + 1] = g;
    data[p * 4 + 2] = b;
    data[p * 4 + 3] = a;
  }
  cells.forEach((cell, n) => {
    const x0 = padding + (n % columns) * (cw + padding);
    const y0 = padding + Math.floor(n / columns) * (ch + padding);
    for (let y = 0; y < ch; y++) {
      const row = cell.data.subarray(y * cw * 4, (y + 1) * cw * 4);
      data.set(row, ((y0 + y) * width + x0) * 4);
    }
  });
  return { width, height, data };
}
