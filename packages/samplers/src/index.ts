/**
 * @decodekit/samplers: logits processors (one file each), a Hugging Face-style sampler chain
 * builder, and decoding strategies (beam search, contrastive search, CNTP, momentum decoding,
 * context-aware decoding, contrastive decoding, superposed decoding).
 */

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
