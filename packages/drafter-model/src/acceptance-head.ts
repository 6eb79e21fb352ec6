import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, ModelFormatError } from '@decodekit/core';

/** Predicts, from the draft model's last hidden state at a position, the probability that the token fed there is accepted. */
export interface AcceptanceHead {
  readonly hiddenSize: number;
  /** P(accepted) in [0, 1]. */
  predict(hiddenState: Float32Array): number;
}

/** One residual block `x + SiLU(W x + b)` (SpecDec++'s `ResBlock`), `weight` row-major `[hiddenSize, hiddenSize]`. */
export interface ResidualBlockWeights {
  readonly weight: ArrayLike<number>;
  readonly bias: ArrayLike<number>;
}

/**
 * Weights of a SpecDec++ acceptance head as JSON: residual blocks, then a linear output whose
 * sigmoid is P(accepted) (the paper's 2-way softmax, written as the logit difference).
 */
export interface AcceptanceHeadWeights {
  readonly format: 'decodekit-acceptance-head';
  readonly version: 1;
  readonly hiddenSize: number;
  readonly blocks: readonly ResidualBlockWeights[];
  readonly output: { readonly weight: ArrayLike<number>; readonly bias: number };
  /** Free-form provenance (draft/target pair, data, metrics), ignored by the loader. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * Builds an `AcceptanceHead` from its weights (for example `JSON.parse` of a `specdec-head.json`).
 * Throws `ModelFormatError` when the shapes do not fit together.
 */
export function acceptanceHeadFromWeights(weights: AcceptanceHeadWeights): AcceptanceHead {
  if (weights?.format !== 'decodekit-acceptance-head' || weights.version !== 1) {
    throw new ModelFormatError('acceptance head: expected {"format": "decodekit-acceptance-head", "version": 1, ...}');
  }
  const size = weights.hiddenSize;
  if (!Number.isInteger(size) || size < 1)
    throw new ModelFormatError(`acceptance head: hiddenSize ${size} is not a positive integer`);
  const blocks = (weights.blocks ?? []).map((block, i) => {
    if (block.weight.length !== size * size || block.bias.length !== size) {
      throw new ModelFormatError(
        `acceptance head: block ${i} has ${block.weight.length} weights and ${block.bias.length} biases; expected ${size * size} and ${size}`,
      );
    }
    return { weight: Float32Array.from(block.weight), bias: Float32Array.from(block.bias) };
  });
  if (weights.output.weight.length !== size || !Number.isFinite(weights.output.bias)) {
    throw new ModelFormatError(`acceptance head: the output layer needs ${size} weights and a finite bias`);
  }
  const outWeight = Float32Array.from(weights.output.weight);
  const outBias = weights.output.bias;
  const x = new Float64Array(size);
  return {
    hiddenSize: size,
    predict(hiddenState) {
      if (hiddenState.length !== size) {
        throw new InvalidArgumentError(
          'hiddenState',
          `the acceptance head takes ${size} values, got ${hiddenState.length}`,
        );
      }
      for (let i = 0; i < size; i++) x[i] = hiddenState[i];
      for (const block of blocks) {
        const next = new Float64Array(size);
        for (let r = 0; r < size; r++) {
          let sum = block.bias[r];
          const offset = r * size;
          for (let c = 0; c < size; c++) sum += block.weight[offset + c] * x[c];
          next[r] = x[r] + sum / (1 + Math.exp(-sum)); // x + SiLU(Wx + b)
        }
        x.set(next);
      }
      let logit = outBias;
      for (let i = 0; i < size; i++) logit += outWeight[i] * x[i];
      return 1 / (1 + Math.exp(-logit));
    },
  };
}

/**
 * Reads an acceptance head's JSON weights (for the tiny pair: `specdec-head.json` in the
 * `tiny-lm-draft` model directory). Throws `ModelFormatError` when the file is missing or malformed.
 *
 * @example
 * const head = await loadAcceptanceHead(join(tinyLmDraft, 'specdec-head.json'));
 */
export async function loadAcceptanceHead(file: string): Promise<AcceptanceHead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelFormatError(
      `acceptance head ${file} cannot be read; train one for your draft/target pair (tools/fixtures/specdec_head.py does it for the tiny models)`,
      { cause },
    );
  }
  let weights: AcceptanceHeadWeights;
  try {
    weights = JSON.parse(text) as AcceptanceHeadWeights;
  } catch (cause) {
    throw new ModelFormatError(`acceptance head ${file} is not valid JSON`, { cause });
  }
  return acceptanceHeadFromWeights(weights);
}
