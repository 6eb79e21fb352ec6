/**
 * @decodekit/testing: mock causal LMs whose probabilities are known exactly, reference drafters
 * and verifiers (test oracles), the statistics behind the lossless proofs, and the conformance
 * suites that check any model runtime, drafter or verifier in one line of a vitest file.
 */

export type { CheckResult, StatisticalCheckResult } from './conformance/check-result.js';
export {
  type DrafterConformanceOptions,
  describeDrafterConformance,
} from './conformance/describe-drafter-conformance.js';
export {
  describeSequenceConformance,
  type SequenceConformanceOptions,
} from './conformance/describe-sequence-conformance.js';
export {
  describeVerifierConformance,
  type VerifierConformanceOptions,
} from './conformance/describe-verifier-conformance.js';
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
