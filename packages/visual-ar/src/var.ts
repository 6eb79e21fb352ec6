import { createRng, InvalidArgumentError, type Rng, throwIfAborted } from '@decodekit/core';
import {
  DistributionScratch,
  drawToken,
  type GuidanceOptions,
  guidanceScales,
  type ImageSamplingOptions,
  imageDistribution,
  needsUnconditional,
  resolveSampling,
} from './sampling.js';
import type { VarModel, VarSession } from './var-model.js';
import { blockCausalMask, validateSplit } from './var-schedule.js';
import type { MultiScaleVq } from './var-vq.js';

/** Progress of a next-scale image: `scales` of `total` scales done. */
export interface VarProgress {
  readonly scales: number;
  readonly total: number;
  readonly tokens: number;
}

/** Settings of `generateVar` / `generateCode`. */
export interface VarOptions {
  /** Class to draw (index into the model's classes). */
  readonly classIndex: number;
  /** Temperature, top-k, top-p per token (`temperatureOrder: 'last'` is CoDe's order). */
  readonly sampling?: ImageSamplingOptions;
  /**
   * Classifier-free guidance per **scale**: `z_u + s_k (z_c − z_u)` at scale k. The default schedule
   * here is `'linear'`, VAR's ramp from 1 at the first scale to `scale` at the last (VAR's `cfg`
   * t corresponds to `scale = 1 + t`).
   */
  readonly guidance?: GuidanceOptions;
  /** Random stream (default `createRng(seed)`). */
  readonly rng?: Rng;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: VarProgress) => void;
}

/** A next-scale image as codes, with its cost. */
export interface VarImageTokens {
  readonly method: 'var' | 'code';
  readonly classIndex: number;
  /** Codes of every scale, coarse to fine, concatenated (`schedule.total`; decode with `MultiScaleVq.decode`). */
  readonly tokens: Int32Array;
  readonly scales: readonly number[];
  /** Sequential model calls (one per scale; a CFG pair is one batched call). */
  readonly forwardSteps: number;
  /** Token positions run through each model (one branch), drafter first. CoDe's refiner re-encodes the drafted prefix. */
  readonly modelTokens: readonly number[];
  /** Largest KV cache held at once over the generation, in bytes (all branches and models alive together). */
  readonly peakCacheBytes: number;
  readonly wallTimeMs: number;
}

/** A CoDe image: scales `< split` by the drafter, the rest by the refiner. */
export interface CodeImageTokens extends VarImageTokens {
  readonly method: 'code';
  readonly split: number;
  /** Wall time of the drafting phase (scales `< split`). */
  readonly draftMs: number;
}

/** CoDe settings: the split point (drafter scales). */
export interface CodeOptions extends VarOptions {
  /** Number of scales the drafter makes (1 ..  S−1); the refiner makes the others. */
  readonly split: number;
}

function checkCompatible(models: readonly VarModel[], vq: MultiScaleVq): void {
  const { scales, codebookSize, codeDim } = vq.config;
  for (const m of models) {
    const c = m.config;
    if (c.scales.join() !== scales.join() || c.codebookSize !== codebookSize || c.codeDim !== codeDim) {
      throw new InvalidArgumentError(
        'model',
        `${m.name} (scales ${c.scales.join(',')}, codebook ${c.codebookSize}×${c.codeDim}) does not match the VQ (scales ${scales.join(',')}, codebook ${codebookSize}×${codeDim})`,
      );
    }
  }
  const [a, b] = models;
  if (b && (a.config.numClasses !== b.config.numClasses || a.config.nullClass !== b.config.nullClass)) {
    throw new InvalidArgumentError('refiner', `${b.name} has other classes than ${a.name}`);
  }
}

/**
 * The shared loop: scale k is made by `models[owner(k)]`; a model that joins late (CoDe's refiner)
 * first re-encodes every earlier scale's input in one block-causal pass.
 */
async function nextScale(
  models: readonly VarModel[],
  split: number,
  vq: MultiScaleVq,
  options: VarOptions,
): Promise<Omit<VarImageTokens, 'method' | 'wallTimeMs'> & { draftMs: number }> {
  const start = performance.now();
  checkCompatible(models, vq);
  const { schedule } = vq;
  const config = models[0].config;
  const S = schedule.scales.length;
  const { classIndex } = options;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= config.numClasses) {
    throw new InvalidArgumentError('classIndex', `must be an integer in [0, ${config.numClasses}), got ${classIndex}`);
  }
  const sampling = resolveSampling(options.sampling);
  const guidanceScale = guidanceScales({ ...options.guidance, schedule: options.guidance?.schedule ?? 'linear' }, S);
  const guided = needsUnconditional(guidanceScale);
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const K = config.codebookSize;
  const C = config.codeDim;
  const classIds = guided ? [classIndex, config.nullClass] : [classIndex];
  const tokens = new Int32Array(schedule.total);
  const distribution = new Float64Array(K);
  const scratch = new DistributionScratch(K);
  const state = vq.start();
  // inputs[k]: the transformer input of scale k's block ([sizes[k], C]); scale 0 is the start token.
  const inputs: Float32Array[] = [new Float32Array(C)];
  const sessions: (VarSession | undefined)[] = models.map(() => undefined);
  const modelTokens = models.map(() => 0);
  let peakCacheBytes = 0;
  let draftMs = 0;
  const owner = (k: number) => (models.length === 1 || k < split ? 0 : 1);
  try {
    for (let k = 0; k < S; k++) {
      throwIfAborted(options.signal);
      const m = owner(k);
      if (m === 1 && sessions[0]) {
        // The drafter is done: its cache (small scales only) is released before refining.
        sessions[0].dispose();
        sessions[0] = undefined;
        draftMs = performance.now() - start;
      }
      let session = sessions[m];
      if (!session) {
        session = models[m].open(classIds.length);
        sessions[m] = session;
      }
      const first = session.length === 0 ? 0 : k; // a fresh session re-encodes scales 0..k in one pass
      const from = schedule.begin[first];
      const to = schedule.begin[k] + schedule.sizes[k];
      const positions = Array.from({ length: to - from }, (_, i) => from + i);
      const tokenMaps = new Float32Array((to - from) * C);
      for (let j = first, offset = 0; j <= k; j++) {
        tokenMaps.set(inputs[j], offset);
        offset += inputs[j].length;
      }
      const levels = schedule.levels;
      const mask = blockCausalMask(levels.subarray(from, to), levels.subarray(0, to));
      const logits = await session.step({ classIds, tokenMaps, positions, mask });
      modelTokens[m] += to - from;
      peakCacheBytes = Math.max(
        peakCacheBytes,
        sessions.reduce((sum, s) => sum + (s?.cacheBytes ?? 0), 0),
      );
      const rows = to - from;
      const skip = schedule.begin[k] - from; // prefill: only the last block's logits are used
      const size = schedule.sizes[k];
      const codes = new Int32Array(size);
      for (let p = 0; p < size; p++) {
        const c = (skip + p) * K;
        const conditional = logits.subarray(c, c + K);
        const unconditional = guided ? logits.subarray(rows * K + c, rows * K + c + K) : undefined;
        imageDistribution(conditional, unconditional, guidanceScale[k], sampling, distribution, scratch);
        codes[p] = drawToken(distribution, rng, sampling.greedy);
      }
      tokens.set(codes, schedule.begin[k]);
      vq.addScale(state, codes);
      if (k < S - 1) inputs.push(vq.nextInput(state));
      options.onProgress?.({ scales: k + 1, total: S, tokens: to });
    }
  } finally {
    for (const s of sessions) s?.dispose();
  }
  return {
    classIndex,
    tokens,
    scales: schedule.scales,
    forwardSteps: S,
    modelTokens,
    peakCacheBytes,
    draftMs,
  };
}

/**
 * Next-scale prediction (VAR, Tian et al. 2024): one forward pass per scale, coarse to fine; every
 * token of a scale is drawn in parallel and independently from that pass's logits (CFG per scale,
 * then temperature/top-k/top-p). Between scales the codes are looked up, upsampled bicubically,
 * passed through the scale's Phi conv and added to the running reconstruction `f̂`, whose area
 * downsampling to the next scale is the next pass's input. `S` forward passes per image (6 for the
 * tiny models) with a KV cache.
 */
export async function generateVar(model: VarModel, vq: MultiScaleVq, options: VarOptions): Promise<VarImageTokens> {
  const start = performance.now();
  const { draftMs: _, ...result } = await nextScale([model], 0, vq, options);
  return { method: 'var', ...result, wallTimeMs: performance.now() - start };
}

/**
 * Collaborative Decoding (CoDe, Chen et al. 2025): a large drafter makes the first `split` scales
 * (few tokens, global structure), a small refiner the remaining ones (most tokens, local detail).
 * The refiner first re-encodes the start token and the drafted scales' inputs in one pass under the
 * block-causal mask, then samples scale `split` from its last block and continues with its own KV
 * cache. The drafter's codes are kept, not resampled. With the same model as drafter and refiner
 * this is exactly `generateVar` (same random stream, same draws).
 */
export async function generateCode(
  drafter: VarModel,
  refiner: VarModel,
  vq: MultiScaleVq,
  options: CodeOptions,
): Promise<CodeImageTokens> {
  const start = performance.now();
  const split = validateSplit(vq.schedule, options.split);
  const result = await nextScale([drafter, refiner], split, vq, options);
  return { method: 'code', ...result, split, wallTimeMs: performance.now() - start };
}
