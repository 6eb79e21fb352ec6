// Draws glyph images with the tiny image models: an autoregressive model over an 8×8 grid of VQ
// tokens (class-conditional, classifier-free guidance) and a VQ decoder from tokens to pixels.
import { createRng } from '@decodekit/core';
import { classIndexOf, encodePng, generateRaster, generateSjd, imageGrid } from '@decodekit/visual-ar';

/**
 * Generates `count` images of class `label` and returns them as one PNG grid.
 * @param {object} options
 * @param {import('@decodekit/core').CausalLM} options.model the image AR model (`imageAr`)
 * @param {import('@decodekit/visual-ar').ImageTokenLayout} options.layout `readImageLayout(imageAr)`
 * @param {{ decodeRgba(tokens: Int32Array[]): Promise<unknown> }} options.vq `loadVqDecoder(imageVq)`
 * @param {string} options.label a class name of the layout, e.g. 'A'
 * @param {'raster' | 'sjd'} [options.method] raster: one forward step per token; SJD: several
 *   tokens accepted per step, same output distribution
 * @param {number} [options.count]
 * @param {number} [options.seed]
 * @param {number} [options.guidance] classifier-free guidance scale
 */
export async function drawImages({ model, layout, vq, label, method = 'sjd', count = 4, seed = 0, guidance = 2 }) {
  const rng = createRng(seed);
  const images = [];
  let forwardSteps = 0;
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    const options = {
      layout,
      classIndex: classIndexOf(layout, label),
      guidance: { scale: guidance },
      sampling: { topK: 64 },
      rng: rng.split(),
    };
    const image =
      method === 'raster' ? await generateRaster(model, options) : await generateSjd(model, { ...options, window: 16 });
    forwardSteps += image.forwardSteps;
    images.push(image.tokens);
  }
  const rgba = await vq.decodeRgba(images);
  const png = encodePng(imageGrid(rgba, { scale: 4 }));
  return { png, rgba, forwardSteps, ms: performance.now() - started, tokensPerImage: layout.grid[0] * layout.grid[1] };
}
