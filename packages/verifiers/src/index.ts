/**
 * @decodekit/verifiers: accept/reject kernels for speculative decoding, for chain and tree drafts.
 * Every verifier satisfies core's `Verifier` contract; `defaultVerifier()` picks the exact one for
 * each draft. Exact verifiers commit tokens distributed exactly as target sampling would;
 * `typicalAcceptanceVerifier()` is lossy and marked `exact: false`.
 */

export { defaultVerifier } from './default.js';
export { greedyVerifier } from './greedy.js';
export { recursiveRejectionVerifier } from './recursive-rejection.js';
export { recursiveSpeculativeVerifier } from './recursive-speculative.js';
export { sampleMatchVerifier } from './sample-match.js';
export { type KSeqPlan, planKSeq, type SpecTrOptions, specTrVerifier } from './spectr.js';
export { speculativeSamplingVerifier } from './speculative-sampling.js';
export { type TypicalAcceptanceOptions, typicalAcceptanceVerifier } from './typical-acceptance.js';
