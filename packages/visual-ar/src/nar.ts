import { InvalidArgumentError, throwIfAborted } from '@decodekit/core';
import { type ImageGenerationOptions, type ImageTokens, prepareGeneration } from './generation.js';
import type { NarModel, NarStepOutput } from './nar-model.js';
import { diagonalCells, headSources, narSchedule, proximityMask } from './nar-schedule.js';
import { DistributionScratch, drawToken, imageDistribution } from './sampling.js';

/** An NAR image: `forwardSteps` is `rows + columns − 1`. */
export interface NarImageTokens extends ImageTokens {
  readonly method: 'nar';
  /** Cells produced by each step (the anti-diagonal sizes). */
  readonly cellsPerStep: readonly number[];
}

// z = (R + U) / 2 where both exist (float32 arithmetic, like the torch reference), else the one that does.
function combineHeads(
  output: NarStepOutput,
  batchRow: number,
  tokens: number,
  size: number,
  right: number,
  below: number,
  out: Float32Array,
): Float32Array {
  const base = batchRow * tokens * size;
  const r = right >= 0 ? output.right.subarray(base + right * size, base + (right + 1) * size) : undefined;
  const u = below >= 0 ? output.below.subarray(base + below * size, base + (below + 1) * size) : undefined;
  if (r && u) for (let v = 0; v < size; v++) out[v] = (r[v] + u[v]) / 2;
  else out.set((r ?? u) as Float32Array);
  return out;
}

/**
 * Neighbouring Autoregressive generation (He et al., 2025): tokens are produced in ascending
 * Manhattan distance from the top-left cell, one anti-diagonal per forward step, so an H×W grid
 * takes `H + W − 1` steps (the prefill of the class token gives cell (0, 0)). Each step feeds the
 * previous diagonal with its 2-D positions under the proximity mask; a cell's logits average the
 * right head of its left neighbour and the below head of its upper neighbour (first row/column: the
 * one that exists). Classifier-free guidance runs the conditional/unconditional pair as a batch of
 * 2; the guidance scale of a cell is the schedule's value at its raster index. Cells of one step are
 * sampled independently. Needs an NAR-trained model (`loadNarModel`).
 */
export async function generateNar(model: NarModel, options: ImageGenerationOptions): Promise<NarImageTokens> {
  const start = performance.now();
  const prepared = prepareGeneration(options, model.vocabSize);
  const { layout, total, sampling, scales, guided, rng } = prepared;
  const size = layout.codebookSize;
  if (model.outputSize !== size) {
    throw new InvalidArgumentError(
      'layout.codebookSize',
      `is ${size} but the NAR model's heads have ${model.outputSize} logits`,
    );
  }
  const [rows, columns] = layout.grid;
  const schedule = narSchedule(rows, columns);
  const tokens = new Int32Array(total).fill(-1);
  const distribution = new Float64Array(size);
  const scratch = new DistributionScratch(size);
  const conditional = new Float32Array(size);
  const unconditional = new Float32Array(size);
  const batch = guided ? 2 : 1;
  const session = model.open(batch);
  const cellsPerStep: number[] = [];
  let modelTokens = 0;
  // What is fed at this step: the class (and null) token first, then the previous diagonal.
  let fedTokens: number[][] = guided ? [[prepared.classToken], [layout.nullClassToken]] : [[prepared.classToken]];
  let rowIds: number[] = [0];
  let colIds: number[] = [0];
  let fedDistances: number[] = [-1];
  const cachedDistances: number[] = [];
  try {
    for (let d = 0; d < schedule.length; d++) {
      throwIfAborted(options.signal);
      const keys = [...cachedDistances, ...fedDistances];
      const mask = proximityMask(keys, fedDistances);
      const output = await session.step({ tokens: fedTokens, rowIds, colIds, mask });
      modelTokens += fedDistances.length;
      cachedDistances.push(...fedDistances);
      const fedCount = fedDistances.length;
      for (const { cell, right, below } of headSources(rows, columns, d)) {
        const index = cell.i * columns + cell.j;
        combineHeads(output, 0, fedCount, size, right, below, conditional);
        if (guided) combineHeads(output, 1, fedCount, size, right, below, unconditional);
        imageDistribution(
          conditional,
          guided ? unconditional : undefined,
          scales[index],
          sampling,
          distribution,
          scratch,
        );
        tokens[index] = drawToken(distribution, rng, sampling.greedy);
      }
      const produced = diagonalCells(rows, columns, d);
      cellsPerStep.push(produced.length);
      options.onProgress?.({
        tokens: cellsPerStep.reduce((a, b) => a + b, 0),
        total,
        steps: cellsPerStep.length,
      });
      const ids = produced.map((cell) => tokens[cell.i * columns + cell.j]);
      fedTokens = Array.from({ length: batch }, () => ids);
      rowIds = produced.map((cell) => cell.i + 1);
      colIds = produced.map((cell) => cell.j + 1);
      fedDistances = produced.map(() => d);
    }
  } finally {
    session.dispose();
  }
  return {
    method: 'nar',
    classIndex: options.classIndex,
    tokens,
    grid: layout.grid,
    forwardSteps: schedule.length,
    modelTokens,
    wallTimeMs: performance.now() - start,
    cellsPerStep,
  };
}
