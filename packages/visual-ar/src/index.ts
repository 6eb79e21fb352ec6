/**
 * @decodekit/visual-ar: class-conditional image generation over VQ tokens — raster AR with
 * classifier-free guidance (`generateRaster`), Speculative Jacobi Decoding (`generateSjd`),
 * Neighbouring AR (`generateNar`), next-scale prediction (`generateVar`) and Collaborative Decoding
 * (`generateCode`) — plus VQ decoding to RGBA, PNG encoding, image grids and the
 * quality judge (class accuracy, Fréchet distance).
 */

export {
  type FeatureStatistics,
  featureStatistics,
  frechetDistance,
  type SymmetricMatrix,
  symmetricEigen,
  symmetricSqrt,
} from './frechet.js';
export type { ImageGenerationOptions, ImageProgress, ImageTokens } from './generation.js';
export { type ImageGridOptions, imageGrid } from './grid.js';
export { type FloatImages, floatToRgba, type RgbaImage, upscale } from './image.js';
export {
  classIndexOf,
  gridTokens,
  type ImageConfigFile,
  type ImageTokenLayout,
  readImageLayout,
  validateLayout,
} from './image-layout.js';
export { type Classification, type ImageJudge, type ImageQuality, loadImageJudge } from './judge.js';
export { generateNar, type NarImageTokens } from './nar.js';
export { loadNarModel, type NarModel, type NarSession, type NarStepInput, type NarStepOutput } from './nar-model.js';
export {
  diagonalCells,
  type GridCell,
  type HeadSources,
  headSources,
  narSchedule,
  proximityMask,
} from './nar-schedule.js';
export type { ImageSessionOptions } from './ort.js';
export { crc32, encodePng } from './png.js';
export { generateRaster } from './raster.js';
export {
  DistributionScratch,
  drawToken,
  type GuidanceOptions,
  guidanceScales,
  type ImageSamplingOptions,
  imageDistribution,
  needsUnconditional,
  type ResolvedSampling,
  resolveSampling,
} from './sampling.js';
export { generateSjd, type SjdImageTokens, type SjdInitialisation, type SjdOptions } from './sjd.js';
export {
  type CodeImageTokens,
  type CodeOptions,
  generateCode,
  generateVar,
  type VarImageTokens,
  type VarOptions,
  type VarProgress,
} from './var.js';
export {
  loadVarModel,
  type VarModel,
  type VarModelConfig,
  type VarSession,
  type VarStepInput,
} from './var-model.js';
export { applyPhi, areaResize, bicubicResize, type PhiConv, planarToTokens } from './var-residual.js';
export { blockCausalMask, type ScaleSchedule, scaleSchedule, validateSplit } from './var-schedule.js';
export {
  loadMultiScaleVq,
  type MultiScaleVq,
  type MultiScaleVqConfig,
  type ResidualState,
} from './var-vq.js';
export { loadVqDecoder, type VqDecoder } from './vq-decoder.js';
