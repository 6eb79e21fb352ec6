/**
 * @decodekit/samplers: logits processors (one file each), a Hugging Face-style sampler chain
 * builder, and decoding strategies (beam search, contrastive search, CNTP, momentum decoding,
 * context-aware decoding, contrastive decoding, superposed decoding).
 */

// Strategies. Greedy and multinomial sampling are core's autoregressive loop with a chain.
export { autoregressive, greedySampler, multinomialSampler } from '@decodekit/core';
export {
  type GenerationConfig,
  huggingFaceSamplerOrder,
  samplerSettingsFromGenerationConfig,
} from './generation-config.js';
export type { PenaltyWindowOptions } from './internal/penalty-window.js';
export { bannedTokens } from './processors/banned-tokens.js';
export { classifierFreeGuidance } from './processors/classifier-free-guidance.js';
export { type DryOptions, dry } from './processors/dry.js';
export { type EpsilonCutoffOptions, epsilonCutoff } from './processors/epsilon-cutoff.js';
export { type EtaCutoffOptions, etaCutoff } from './processors/eta-cutoff.js';
export { type FrequencyPenaltyOptions, frequencyPenalty } from './processors/frequency-penalty.js';
export { logitBias, type TokenBiases } from './processors/logit-bias.js';
export { minLength, minNewTokens } from './processors/min-length.js';
export { type MinPOptions, minP } from './processors/min-p.js';
export { type MirostatOptions, type MirostatV1Options, mirostat } from './processors/mirostat.js';
export { mirostatV2 } from './processors/mirostat-v2.js';
export { type NoRepeatNgramOptions, noRepeatNgram } from './processors/no-repeat-ngram.js';
export { type PresencePenaltyOptions, presencePenalty } from './processors/presence-penalty.js';
export { type RepetitionPenaltyOptions, repetitionPenalty } from './processors/repetition-penalty.js';
export { topK } from './processors/top-k.js';
export { topNSigma } from './processors/top-n-sigma.js';
export { type TopPOptions, topP } from './processors/top-p.js';
export { type TypicalPOptions, typicalP } from './processors/typical-p.js';
export { type XtcOptions, xtc } from './processors/xtc.js';
export { defaultSamplerOrder, type SamplerSettings, type SamplerStage, samplerChain } from './sampler-chain.js';
export { type BeamHypothesis, type BeamSearchOptions, beamSearch } from './strategies/beam-search.js';
export {
  type CautiousNextTokenPredictionOptions,
  cautiousNextTokenPrediction,
  cautiousPunctuation,
  cautiousTrialCount,
  punctuationTokenIds,
} from './strategies/cautious-next-token-prediction.js';
export {
  type ClassifierFreeGuidanceDecodingOptions,
  classifierFreeGuidanceDecoding,
} from './strategies/classifier-free-guidance-decoding.js';
export { type ContextAwareDecodingOptions, contextAwareDecoding } from './strategies/context-aware-decoding.js';
export { type ContrastiveDecodingOptions, contrastiveDecoding } from './strategies/contrastive-decoding.js';
export { type ContrastiveSearchOptions, contrastiveSearch } from './strategies/contrastive-search.js';
export { type DiverseBeamSearchOptions, diverseBeamSearch } from './strategies/diverse-beam-search.js';
export {
  defaultResistance,
  type MomentumDecodingOptions,
  momentumDecoding,
  type ResistanceFunction,
  repetitionLength,
} from './strategies/momentum-decoding.js';
export {
  buildNgramTable,
  type NgramTable,
  type SuperposedDecodingOptions,
  type SuperposedDraft,
  superposedDecoding,
} from './strategies/superposed-decoding.js';
