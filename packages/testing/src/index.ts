/**
 * @decodekit/testing: mock causal LMs whose probabilities are known exactly, reference drafters
 * and verifiers (test oracles), the statistics behind the lossless proofs, and the conformance
 * suites that check any model runtime, drafter or verifier in one line of a vitest file.
 */

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
// Everything that loads without vitest lives in the `./mocks` entry; the main entry adds the suites.
export * from './mocks.js';
