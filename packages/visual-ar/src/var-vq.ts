import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, ModelFormatError } from '@decodekit/core';
import { type FloatImages, floatToRgba, type RgbaImage } from './image.js';
import { expectNames, type ImageSessionOptions, importOnnxRuntime, openSession } from './ort.js';
import { applyPhi, areaResize, bicubicResize, type PhiConv, planarToTokens } from './var-residual.js';
import { type ScaleSchedule, scaleSchedule } from './var-schedule.js';

/** `config.json` of a multi-scale VQ directory (`image-var-vq`), as far as decoding needs it. */
export interface MultiScaleVqConfig {
  readonly scales: readonly number[];
  readonly codebookSize: number;
  readonly codeDim: number;
  readonly latentGrid: readonly [number, number];
  readonly imageSize: number;
  readonly phiCount: number;
  readonly phiIndexPerScale: readonly number[];
  readonly phiRatio: number;
}

/**
 * The partial reconstruction `f̂` of one image: the sum of the Phi'd, upsampled code maps of the
 * scales added so far, `[codeDim, side, side]` on the latent grid.
 */
export interface ResidualState {
  readonly fHat: Float32Array;
  /** Scales added so far (the next one to add). */
  scalesDone: number;
}

/**
 * A multi-scale residual VQ tokenizer (VAR): its codebook, the Phi convolutions and the decoder
 * from `f̂` to RGB. The residual arithmetic runs here in float32 exactly as the torch recipe does
 * it, so that the transformer inputs of `generateVar` are the ones it was trained on.
 */
export interface MultiScaleVq {
  readonly config: MultiScaleVqConfig;
  readonly schedule: ScaleSchedule;
  /** An empty `f̂` (before scale 0). */
  start(): ResidualState;
  /**
   * Adds scale `state.scalesDone` from its codes (`scales[k]²`, row-major): looks them up in the
   * codebook, upsamples bicubically to the latent grid (not at the last scale), applies the
   * scale's Phi and adds the result to `f̂`.
   */
  addScale(state: ResidualState, codes: ArrayLike<number>): void;
  /** The next scale's transformer input: `f̂` area-downsampled to `scales[state.scalesDone]`, as `[side², codeDim]`. */
  nextInput(state: ResidualState): Float32Array;
  /** `f̂` of a complete code sequence (all scales concatenated, `schedule.total` codes). */
  reconstruct(codes: ArrayLike<number>): Float32Array;
  /** Decodes complete code sequences to float images `[count, 3, size, size]` in [0, 1]. */
  decode(codes: readonly ArrayLike<number>[]): Promise<FloatImages>;
  /** Decodes complete code sequences to RGBA images. */
  decodeRgba(codes: readonly ArrayLike<number>[]): Promise<RgbaImage[]>;
  dispose(): Promise<void>;
}

interface TensorIndex {
  readonly offset: number;
  readonly shape: readonly number[];
}

/**
 * Loads a multi-scale VQ directory (`image-var-vq` of `@decodekit/models-tiny`): `config.json`,
 * `residual.bin` (codebook and Phi weights, float32) and `decoder.onnx` (`f_hat` `[B, C, h, w]` →
 * `images` `[B, 3, size, size]`).
 */
export async function loadMultiScaleVq(directory: string, options: ImageSessionOptions = {}): Promise<MultiScaleVq> {
  const configPath = join(directory, 'config.json');
  let raw: MultiScaleVqConfig & { residualFile?: string; residualTensors?: Record<string, TensorIndex> };
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(`${configPath}: cannot read the multi-scale VQ config (${String(error)}).`, {
      cause: error,
    });
  }
  const index = raw.residualTensors;
  if (!index?.codebook || !Array.isArray(raw.phiIndexPerScale) || !Array.isArray(raw.latentGrid)) {
    throw new ModelFormatError(`${configPath}: needs scales, latentGrid, phiIndexPerScale and residualTensors.`);
  }
  const schedule = scaleSchedule(raw.scales);
  const [side, columns] = raw.latentGrid;
  if (side !== columns || schedule.scales[schedule.scales.length - 1] !== side) {
    throw new ModelFormatError(`${configPath}: the last scale must equal the square latent grid.`);
  }
  const binPath = join(directory, raw.residualFile ?? 'residual.bin');
  let buffer: Buffer;
  try {
    buffer = await readFile(binPath);
  } catch (error) {
    throw new ModelFormatError(`${binPath}: cannot read the codebook and Phi weights (${String(error)}).`, {
      cause: error,
    });
  }
  const all = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  const tensor = (name: string, expected: number): Float32Array => {
    const t = index[name];
    const size = t ? t.shape.reduce((a, b) => a * b, 1) : -1;
    if (!t || size !== expected || t.offset + size > all.length) {
      throw new ModelFormatError(`${binPath}: tensor ${name} is missing or has the wrong size (expected ${expected}).`);
    }
    return all.subarray(t.offset, t.offset + size);
  };
  const C = raw.codeDim;
  const codebook = tensor('codebook', raw.codebookSize * C);
  const phis: PhiConv[] = Array.from({ length: raw.phiCount }, (_, k) => ({
    weight: tensor(`phi.${k}.weight`, C * C * 9),
    bias: tensor(`phi.${k}.bias`, C),
  }));
  const S = schedule.scales.length;
  if (raw.phiIndexPerScale.length !== S || raw.phiIndexPerScale.some((k) => !(k >= 0 && k < raw.phiCount))) {
    throw new ModelFormatError(`${configPath}: phiIndexPerScale needs one Phi index per scale.`);
  }
  const path = join(directory, 'decoder.onnx');
  const session = await openSession(path, options);
  expectNames(session, path, ['f_hat'], ['images']);
  const ort = await importOnnxRuntime();
  const plane = side * side;

  const addScale = (state: ResidualState, codes: ArrayLike<number>) => {
    const k = state.scalesDone;
    if (k >= S) throw new InvalidArgumentError('state', `all ${S} scales were already added`);
    const pn = schedule.scales[k];
    if (codes.length !== pn * pn) {
      throw new InvalidArgumentError('codes', `scale ${k} needs ${pn * pn} codes, got ${codes.length}`);
    }
    const h = new Float32Array(C * pn * pn);
    for (let p = 0; p < pn * pn; p++) {
      const code = codes[p];
      if (!Number.isInteger(code) || code < 0 || code >= raw.codebookSize) {
        throw new InvalidArgumentError('codes', `code ${code} is outside [0, ${raw.codebookSize})`);
      }
      for (let c = 0; c < C; c++) h[c * pn * pn + p] = codebook[code * C + c];
    }
    const up = k === S - 1 ? h : bicubicResize(h, C, pn, side);
    const r = applyPhi(up, C, side, phis[raw.phiIndexPerScale[k]], raw.phiRatio);
    const fHat = state.fHat;
    for (let i = 0; i < C * plane; i++) fHat[i] = Math.fround(fHat[i] + r[i]);
    state.scalesDone = k + 1;
  };
  const reconstruct = (codes: ArrayLike<number>) => {
    if (codes.length !== schedule.total) {
      throw new InvalidArgumentError('codes', `a code sequence has ${schedule.total} codes, got ${codes.length}`);
    }
    const state: ResidualState = { fHat: new Float32Array(C * plane), scalesDone: 0 };
    for (let k = 0; k < S; k++) {
      addScale(state, Array.prototype.slice.call(codes, schedule.begin[k], schedule.begin[k] + schedule.sizes[k]));
    }
    return state.fHat;
  };
  const decode = async (codes: readonly ArrayLike<number>[]): Promise<FloatImages> => {
    if (codes.length === 0) return { count: 0, size: raw.imageSize, data: new Float32Array(0) };
    const input = new Float32Array(codes.length * C * plane);
    codes.forEach((sequence, b) => {
      input.set(reconstruct(sequence), b * C * plane);
    });
    const out = await session.run({ f_hat: new ort.Tensor('float32', input, [codes.length, C, side, side]) });
    return { count: codes.length, size: raw.imageSize, data: out.images.data as Float32Array };
  };
  return {
    config: raw,
    schedule,
    start: () => ({ fHat: new Float32Array(C * plane), scalesDone: 0 }),
    addScale,
    nextInput(state) {
      const k = state.scalesDone;
      if (k < 1 || k >= S) throw new InvalidArgumentError('state', `no next input after ${k} of ${S} scales`);
      const pn = schedule.scales[k];
      return planarToTokens(areaResize(state.fHat, C, side, pn), C, pn);
    },
    reconstruct,
    decode,
    async decodeRgba(codes) {
      const images = await decode(codes);
      return Array.from({ length: images.count }, (_, i) => floatToRgba(images, i));
    },
    async dispose() {
      await session.release();
    },
  };
}
