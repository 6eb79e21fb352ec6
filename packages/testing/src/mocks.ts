/**
 * `@decodekit/testing/mocks`: everything of `@decodekit/testing` except the vitest suites
 * (`describe*Conformance`), so mocks, reference drafters/verifiers, check functions and statistics
 * load without vitest (benchmark demos, scripts).
 */

export type { CheckResult, StatisticalCheckResult } from './conformance/check-result.js';
export {
  checkDrafterGreedyGeneration,
  checkDrafterProposals,
  checkDrafterSampling,
  type DrafterCheckOptions,
  defaultDrafterModel,
  defaultDrafterPrompts,
  draftProblem,
} from './conformance/drafter-checks.js';
export {
  checkAbortSignal,
  checkChainAccept,
  checkContextOverflow,
  checkDisposal,
  checkForkIsolation,
  checkForwardBatch,
  checkForwardShapes,
  checkHiddenStates,
  checkTokenErrors,
  checkTreeBlock,
  checkTruncate,
  type SequenceCheckOptions,
  sequenceChecks,
} from './conformance/sequence-checks.js';
export {
  checkVerifierEndToEnd,
  checkVerifierGreedy,
  checkVerifierGreedyGeneration,
  checkVerifierKernel,
  type DraftShape,
  type VerifierCheckOptions,
} from './conformance/verifier-checks.js';
export { type CostMockModelOptions, createCostMockModel } from './cost-mock-model.js';
export { createMockModel, type MockModel, type MockModelOptions } from './mock-model.js';
export { createModelDrafter, type ModelDrafterOptions } from './model-drafter.js';
export { createNgramMockModel, type NgramMockModel, type NgramMockModelOptions } from './ngram-mock-model.js';
export { noImmediateRepeatProcessor } from './no-immediate-repeat-processor.js';
export {
  type LogitsFunction,
  sequenceAt,
  sequenceIndex,
  sequenceProbabilities,
} from './sequence-probabilities.js';
export {
  type ChiSquareCell,
  type ChiSquareOptions,
  type ChiSquareResult,
  chiSquareTest,
} from './statistics/chi-square-test.js';
export { chiSquareSurvival, logGamma, regularizedUpperGamma } from './statistics/incomplete-gamma.js';
export { totalVariationDistance } from './statistics/total-variation-distance.js';
export { referenceGreedyVerifier } from './verifiers/reference-greedy-verifier.js';
export { referenceRejectionSamplingVerifier } from './verifiers/reference-rejection-sampling-verifier.js';
export { referenceSampleMatchVerifier } from './verifiers/reference-sample-match-verifier.js';
