import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** What `decodekit image` shares between its token methods (raster/SJD/NAR) and next-scale ones (VAR/CoDe). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The grid and PNG helpers of `@decodekit/visual-ar` (typed here: the package is an optional peer). */
export interface ImageGridModule {
  imageGrid(images: readonly RgbaImage[], options?: { columns?: number; scale?: number; padding?: number }): RgbaImage;
  encodePng(image: RgbaImage): Uint8Array;
}

/** One generated image as every method reports it. */
export interface GeneratedImage {
  readonly tokens: Int32Array;
  readonly forwardSteps: number;
  readonly wallTimeMs: number;
}

/** Decodes the images, lays them out in a grid (default: square, 4× upscaled) and writes the PNG; returns its path. */
export async function writeImageGrid(
  visual: ImageGridModule,
  decoder: { decodeRgba(codes: readonly ArrayLike<number>[]): Promise<RgbaImage[]> },
  results: readonly GeneratedImage[],
  layout: { readonly columns?: number; readonly scale?: number },
  outFile: string,
): Promise<string> {
  const images = await decoder.decodeRgba(results.map((r) => r.tokens));
  const grid = visual.imageGrid(images, {
    columns: layout.columns ?? Math.ceil(Math.sqrt(results.length)),
    scale: layout.scale ?? 4,
  });
  const path = resolve(outFile);
  await writeFile(path, visual.encodePng(grid));
  return path;
}

/** The step and time totals of the summary line and `--json`. */
export function imageRunTotals(results: readonly GeneratedImage[], startedAt: number) {
  const count = results.length;
  const steps = results.reduce((s, r) => s + r.forwardSteps, 0);
  const tokens = results.reduce((s, r) => s + r.tokens.length, 0);
  return {
    forwardSteps: steps,
    forwardStepsPerImage: steps / count,
    tokensPerStep: tokens / steps,
    wallTimeMs: performance.now() - startedAt,
    generationMsPerImage: results.reduce((s, r) => s + r.wallTimeMs, 0) / count,
  };
}
