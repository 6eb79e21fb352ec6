/**
 * @decodekit/drafter-model: speculative decoding with a small draft language model — speculative
 * sampling with a fixed or adaptive draft length, PEARL's pre/post-verify, SpecDec++'s trained
 * stopping head, SpecTr / RSD multi-draft trees and VocabTrim — as `Drafter`s for core's
 * `speculative()` strategy.
 */

export {
  type AcceptanceHead,
  type AcceptanceHeadWeights,
  acceptanceHeadFromWeights,
  loadAcceptanceHead,
  type ResidualBlockWeights,
} from './acceptance-head.js';
export { gumbelTopK, type MultiDraftMode, type MultiDraftOptions, multiDraft } from './multi-draft.js';
export { type PearlOptions, pearl } from './pearl.js';
export {
  type ModelDrafterName,
  type MultiDraftEntryOptions,
  modelDrafters,
  modelDrafterVerifiers,
  type RecursiveSpeculativeEntryOptions,
} from './registry.js';
export { type SpecDecPlusPlusOptions, specDecPlusPlus } from './specdec-plus-plus.js';
export {
  type AdaptiveGammaOptions,
  type SpeculativeSamplingOptions,
  speculativeSampling,
  sps,
} from './speculative-sampling.js';
export { type VocabTrimDrafter, type VocabTrimOptions, vocabTrim } from './vocab-trim.js';
