import { type CausalLM, matrixRow, throwIfAborted } from '@decodekit/core';
import {
  disposePair,
  type ImageGenerationOptions,
  type ImageTokens,
  openPair,
  prepareGeneration,
} from './generation.js';
import { DistributionScratch, drawToken, imageDistribution } from './sampling.js';

/**
 * Raster-order autoregressive image generation (LlamaGen): the class token, then one image token per
 * forward step in row-major order, with classifier-free guidance from a batched
 * conditional/unconditional pair (`model.forwardBatch`, one model call per step) and
 * top-k/top-p/temperature over the codebook range. The reference the accelerated methods are
 * measured against: `rows * columns` forward steps.
 */
export async function generateRaster(model: CausalLM, options: ImageGenerationOptions): Promise<ImageTokens> {
  const start = performance.now();
  const prepared = prepareGeneration(options, model.vocabSize);
  const { layout, total, sampling, scales, guided, rng } = prepared;
  const size = layout.codebookSize;
  const tokens = new Int32Array(total);
  const distribution = new Float64Array(size);
  const scratch = new DistributionScratch(size);
  const pair = openPair(model, guided);
  let pendingConditional = prepared.classToken;
  let pendingUnconditional = layout.nullClassToken;
  try {
    for (let n = 0; n < total; n++) {
      throwIfAborted(options.signal);
      const items = [{ sequence: pair.conditional, block: { tokens: [pendingConditional] } }];
      if (pair.unconditional) items.push({ sequence: pair.unconditional, block: { tokens: [pendingUnconditional] } });
      const outputs = await model.forwardBatch(items, { logits: 'last', signal: options.signal });
      const conditional = matrixRow(outputs[0].logits, 0);
      const unconditional = outputs[1] ? matrixRow(outputs[1].logits, 0) : undefined;
      imageDistribution(conditional, unconditional, scales[n], sampling, distribution, scratch);
      const token = drawToken(distribution, rng, sampling.greedy);
      tokens[n] = token;
      pendingConditional = token;
      pendingUnconditional = token;
      options.onProgress?.({ tokens: n + 1, total, steps: n + 1 });
    }
  } finally {
    await disposePair(pair);
  }
  return {
    method: 'raster',
    classIndex: options.classIndex,
    tokens,
    grid: layout.grid,
    forwardSteps: total,
    modelTokens: total,
    wallTimeMs: performance.now() - start,
  };
}
