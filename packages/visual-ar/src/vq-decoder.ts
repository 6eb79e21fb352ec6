import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, ModelFormatError } from '@decodekit/core';
import { type FloatImages, floatToRgba, type RgbaImage } from './image.js';
import { expectNames, type ImageSessionOptions, importOnnxRuntime, openSession } from './ort.js';

/** The VQ tokenizer's decoder: token grids to images. */
export interface VqDecoder {
  readonly codebookSize: number;
  readonly grid: readonly [number, number];
  readonly imageSize: number;
  /** Decodes token grids (raster order, `rows * columns` each) to float images `[count, 3, size, size]` in [0, 1]. */
  decode(grids: readonly ArrayLike<number>[]): Promise<FloatImages>;
  /** Decodes token grids to RGBA images. */
  decodeRgba(grids: readonly ArrayLike<number>[]): Promise<RgbaImage[]>;
  dispose(): Promise<void>;
}

/**
 * Loads `decoder.onnx` of a VQ tokenizer directory (`imageVq` of `@decodekit/models-tiny`:
 * `codes` int64 `[B, rows, columns]` → `images` float32 `[B, 3, size, size]`).
 */
export async function loadVqDecoder(directory: string, options: ImageSessionOptions = {}): Promise<VqDecoder> {
  const configPath = join(directory, 'config.json');
  let config: { codebookSize: number; grid: [number, number]; imageSize: number };
  try {
    config = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(`${configPath}: cannot read the VQ config (${String(error)}).`, { cause: error });
  }
  if (!Array.isArray(config.grid) || !Number.isInteger(config.imageSize) || !Number.isInteger(config.codebookSize)) {
    throw new ModelFormatError(`${configPath}: needs codebookSize, grid [rows, columns] and imageSize.`);
  }
  const path = join(directory, 'decoder.onnx');
  const session = await openSession(path, options);
  expectNames(session, path, ['codes'], ['images']);
  const ort = await importOnnxRuntime();
  const [rows, columns] = config.grid;
  const perImage = rows * columns;
  const decode = async (grids: readonly ArrayLike<number>[]): Promise<FloatImages> => {
    if (grids.length === 0) return { count: 0, size: config.imageSize, data: new Float32Array(0) };
    const codes = new BigInt64Array(grids.length * perImage);
    grids.forEach((grid, b) => {
      if (grid.length !== perImage) {
        throw new InvalidArgumentError('grids', `grid ${b} has ${grid.length} tokens, expected ${perImage}`);
      }
      for (let k = 0; k < perImage; k++) {
        const code = grid[k];
        if (!Number.isInteger(code) || code < 0 || code >= config.codebookSize) {
          throw new InvalidArgumentError(
            'grids',
            `grid ${b} token ${k} is ${code}, outside [0, ${config.codebookSize})`,
          );
        }
        codes[b * perImage + k] = BigInt(code);
      }
    });
    const out = await session.run({ codes: new ort.Tensor('int64', codes, [grids.length, rows, columns]) });
    return { count: grids.length, size: config.imageSize, data: out.images.data as Float32Array };
  };
  return {
    codebookSize: config.codebookSize,
    grid: [rows, columns],
    imageSize: config.imageSize,
    decode,
    async decodeRgba(grids) {
      const images = await decode(grids);
      return Array.from({ length: images.count }, (_, i) => floatToRgba(images, i));
    },
    async dispose() {
      await session.release();
    },
  };
}
