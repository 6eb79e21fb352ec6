import {
  type CausalLM,
  createRng,
  InvalidArgumentError,
  type MaybePromise,
  type Rng,
  type Sequence,
} from '@decodekit/core';
import { gridTokens, type ImageTokenLayout, validateLayout } from './image-layout.js';
import {
  type GuidanceOptions,
  guidanceScales,
  type ImageSamplingOptions,
  needsUnconditional,
  type ResolvedSampling,
  resolveSampling,
} from './sampling.js';

/** Progress of one image: `tokens` of `total` image tokens are final after `steps` forward steps. */
export interface ImageProgress {
  readonly tokens: number;
  readonly total: number;
  readonly steps: number;
}

/** Settings shared by every image generator. */
export interface ImageGenerationOptions {
  /** The model's vocabulary and grid layout (`readImageLayout(dir)`). */
  readonly layout: ImageTokenLayout;
  /** Class to draw (index into `layout.classes`; see `classIndexOf`). */
  readonly classIndex: number;
  /** Temperature, top-k, top-p over the codebook range. */
  readonly sampling?: ImageSamplingOptions;
  /** Classifier-free guidance scale and schedule. */
  readonly guidance?: GuidanceOptions;
  /** Random stream (default `createRng(seed)`). */
  readonly rng?: Rng;
  /** Seed of the default random stream (default 0). */
  readonly seed?: number;
  /** Stops between forward steps with `AbortError`. */
  readonly signal?: AbortSignal;
  /** Called after every forward step. */
  readonly onProgress?: (progress: ImageProgress) => void;
}

/** One generated image as tokens, with the cost of producing it. */
export interface ImageTokens {
  readonly method: 'raster' | 'sjd' | 'nar';
  readonly classIndex: number;
  /** Image tokens in raster (row-major) order, `rows * columns` of them. */
  readonly tokens: Int32Array;
  readonly grid: readonly [number, number];
  /**
   * Sequential model calls. A CFG pair is one batched call, so it counts once; raster AR takes one
   * step per token, SJD fewer, NAR `rows + columns − 1`.
   */
  readonly forwardSteps: number;
  /** Token positions run through the model over all steps (one branch; the CFG branch doubles it). */
  readonly modelTokens: number;
  readonly wallTimeMs: number;
}

/** The shared, validated part of a generator's settings. */
export interface PreparedGeneration {
  readonly layout: ImageTokenLayout;
  readonly total: number;
  readonly sampling: ResolvedSampling;
  readonly scales: Float64Array;
  readonly guided: boolean;
  readonly rng: Rng;
  readonly classToken: number;
}

/** Validates the shared options against `vocabSize`. */
export function prepareGeneration(options: ImageGenerationOptions, vocabSize: number): PreparedGeneration {
  const layout = validateLayout(options.layout);
  const { classIndex } = options;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= layout.numClasses) {
    throw new InvalidArgumentError('classIndex', `must be an integer in [0, ${layout.numClasses}), got ${classIndex}`);
  }
  const classToken = layout.classTokenOffset + classIndex;
  const highest = Math.max(classToken, layout.nullClassToken, layout.codebookSize - 1);
  if (highest >= vocabSize) {
    throw new InvalidArgumentError(
      'layout',
      `token ${highest} is outside the model's vocabulary of ${vocabSize}; is this image_config.json from this model?`,
    );
  }
  const total = gridTokens(layout);
  const scales = guidanceScales(options.guidance, total);
  return {
    layout,
    total,
    sampling: resolveSampling(options.sampling),
    scales,
    guided: needsUnconditional(scales),
    rng: options.rng ?? createRng(options.seed ?? 0),
    classToken,
  };
}

/** The conditional and (when guided) unconditional sequences of a causal image model. */
export interface GuidedPair {
  readonly conditional: Sequence;
  readonly unconditional?: Sequence;
}

/** Opens the sequence pair of a guided generation. */
export function openPair(model: CausalLM, guided: boolean): GuidedPair {
  return { conditional: model.openSequence(), unconditional: guided ? model.openSequence() : undefined };
}

/** Disposes a pair, ignoring errors of an already broken sequence. */
export async function disposePair(pair: GuidedPair): Promise<void> {
  for (const sequence of [pair.conditional, pair.unconditional]) {
    if (!sequence) continue;
    try {
      await (sequence.dispose() as MaybePromise<void>);
    } catch {
      // disposal of a failed sequence must not hide the original error
    }
  }
}
