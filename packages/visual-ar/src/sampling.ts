import { argmax, InvalidArgumentError, type Rng, sampleCategorical } from '@decodekit/core';

/**
 * How an image token is drawn from the (guided) logits, restricted to the codebook range
 * `0 .. codebookSize-1`: the logits of class and null tokens are never candidates.
 */
export interface ImageSamplingOptions {
  /** Softmax temperature (default 1). 0 means greedy (argmax). */
  readonly temperature?: number;
  /** Keep only the k most likely image tokens (default 0: all). `topK: 1` is greedy. */
  readonly topK?: number;
  /** Nucleus sampling: keep the smallest set of tokens whose mass reaches `topP` (default 1: all). */
  readonly topP?: number;
  /**
   * Where the temperature is applied: `'first'` divides the logits before top-k/top-p (LlamaGen, NAR:
   * the default), `'last'` after the filters (CoDe). Only top-p results differ.
   */
  readonly temperatureOrder?: 'first' | 'last';
}

/**
 * Classifier-free guidance: `z = z_u + s · (z_c − z_u)` per image position (LlamaGen, NAR and SJD form;
 * VAR's `(1 + t)·z_c − t·z_u` is `s = 1 + t`). Scale 1 gives the conditional logits and skips the
 * unconditional branch entirely.
 */
export interface GuidanceOptions {
  /** The guidance scale s (default 1: no guidance). */
  readonly scale?: number;
  /**
   * How s varies over the image positions n = 0..N−1: `'constant'` (default), `'linear'` (ramps from 1
   * at the first token to `scale` at the last, as VAR ramps it over scales), `'linear-decreasing'`
   * (from `scale` down to 1), or a function `(n, N, scale) => s_n`.
   */
  readonly schedule?:
    | 'constant'
    | 'linear'
    | 'linear-decreasing'
    | ((position: number, total: number, scale: number) => number);
  /**
   * LlamaGen's `cfg_interval`: guidance only while fewer than this many image tokens exist (positions
   * `n < interval`); after that, conditional logits only. Default: every position.
   */
  readonly interval?: number;
}

/** Validated sampling settings (defaults filled in). */
export interface ResolvedSampling {
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly temperatureOrder: 'first' | 'last';
  /** Argmax selection (temperature 0 or top-k 1). */
  readonly greedy: boolean;
}

/** Fills defaults and checks ranges; throws `InvalidArgumentError` naming the bad setting. */
export function resolveSampling(options: ImageSamplingOptions = {}): ResolvedSampling {
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError('temperature', `must be a finite number >= 0, got ${temperature}`);
  }
  if (!Number.isInteger(topK) || topK < 0) {
    throw new InvalidArgumentError('topK', `must be an integer >= 0 (0 = off), got ${topK}`);
  }
  if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError('topP', `must be in (0, 1], got ${topP}`);
  const temperatureOrder = options.temperatureOrder ?? 'first';
  if (temperatureOrder !== 'first' && temperatureOrder !== 'last') {
    throw new InvalidArgumentError('temperatureOrder', `must be 'first' or 'last', got ${String(temperatureOrder)}`);
  }
  return { temperature, topK, topP, temperatureOrder, greedy: temperature === 0 || topK === 1 };
}

/**
 * The guidance scale of every image position `0 .. total−1` under `options`. Throws
 * `InvalidArgumentError` for a non-finite scale.
 */
export function guidanceScales(options: GuidanceOptions = {}, total: number): Float64Array {
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale)) throw new InvalidArgumentError('cfg', `the guidance scale must be finite, got ${scale}`);
  const schedule = options.schedule ?? 'constant';
  const interval = options.interval ?? Number.POSITIVE_INFINITY;
  const out = new Float64Array(total);
  for (let n = 0; n < total; n++) {
    const frac = total > 1 ? n / (total - 1) : 1;
    let s: number;
    if (typeof schedule === 'function') s = schedule(n, total, scale);
    else if (schedule === 'constant') s = scale;
    else if (schedule === 'linear') s = 1 + (scale - 1) * frac;
    else if (schedule === 'linear-decreasing') s = scale + (1 - scale) * frac;
    else throw new InvalidArgumentError('cfgSchedule', `unknown schedule '${String(schedule)}'`);
    if (!Number.isFinite(s)) throw new InvalidArgumentError('cfgSchedule', `gave a non-finite scale ${s} at ${n}`);
    out[n] = n < interval ? s : 1;
  }
  return out;
}

/** True when some position needs the unconditional branch (a scale other than 1). */
export function needsUnconditional(scales: ArrayLike<number>): boolean {
  for (let i = 0; i < scales.length; i++) if (scales[i] !== 1) return true;
  return false;
}

/**
 * Reusable scratch for `imageDistribution` (one per generator, so the inner loop allocates nothing).
 */
export class DistributionScratch {
  readonly logits: Float64Array;
  readonly order: Int32Array;
  constructor(readonly size: number) {
    this.logits = new Float64Array(size);
    this.order = new Int32Array(size);
  }
}

/**
 * The distribution an image token is drawn from, written into `out` (length `codebookSize`):
 * guided logits `z_u + s (z_c − z_u)` over the image tokens only (`conditional` and `unconditional`
 * are full-vocabulary rows; `unconditional` may be omitted when `scale` is 1), then temperature,
 * top-k, top-p (in `sampling.temperatureOrder`) and softmax. Greedy settings give a one-hot row on
 * the argmax (first index on ties).
 */
export function imageDistribution(
  conditional: ArrayLike<number>,
  unconditional: ArrayLike<number> | undefined,
  scale: number,
  sampling: ResolvedSampling,
  out: Float64Array,
  scratch: DistributionScratch = new DistributionScratch(out.length),
): Float64Array {
  const size = out.length;
  const z = scratch.logits;
  if (unconditional && scale !== 1) {
    for (let i = 0; i < size; i++) z[i] = unconditional[i] + scale * (conditional[i] - unconditional[i]);
  } else {
    for (let i = 0; i < size; i++) z[i] = conditional[i];
  }
  if (sampling.greedy) {
    const best = argmax(z.subarray(0, size));
    out.fill(0);
    out[best] = 1;
    return out;
  }
  const t = sampling.temperature;
  if (sampling.temperatureOrder === 'first' && t !== 1) for (let i = 0; i < size; i++) z[i] /= t;
  const k = sampling.topK;
  const filterTopK = k > 0 && k < size;
  const filterTopP = sampling.topP < 1;
  if (filterTopK || filterTopP) {
    // Sort indices by logit, descending (ties by index): both filters read this order.
    const order = scratch.order;
    for (let i = 0; i < size; i++) order[i] = i;
    order.sort((a, b) => z[b] - z[a] || a - b);
    let keep = size;
    if (filterTopK) {
      // Keep every token tied with the k-th largest logit (torch's `logits < kth` masking).
      const threshold = z[order[k - 1]];
      keep = k;
      while (keep < size && z[order[keep]] === threshold) keep++;
    }
    if (filterTopP) {
      // Probabilities of the kept tokens at the current logits (after temperature when 'first').
      const max = z[order[0]];
      let total = 0;
      for (let r = 0; r < keep; r++) total += Math.exp(z[order[r]] - max);
      let cumulative = 0;
      let r = 0;
      // Keep the smallest prefix whose mass reaches topP (the token that crosses it is kept).
      for (; r < keep; r++) {
        cumulative += Math.exp(z[order[r]] - max) / total;
        if (cumulative >= sampling.topP) {
          r++;
          break;
        }
      }
      keep = Math.max(1, Math.min(keep, r));
    }
    for (let r = keep; r < size; r++) z[order[r]] = Number.NEGATIVE_INFINITY;
  }
  if (sampling.temperatureOrder === 'last' && t !== 1) for (let i = 0; i < size; i++) z[i] /= t;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) if (z[i] > max) max = z[i];
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const e = z[i] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(z[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < size; i++) out[i] /= sum;
  return out;
}

/** Draws a token from a distribution row (one uniform from `rng`), or its argmax when `greedy`. */
export function drawToken(distribution: Float64Array, rng: Rng, greedy: boolean): number {
  return greedy ? argmax(distribution) : sampleCategorical(distribution, rng);
}
