// The shared conformance suite of @decodekit/testing (DESIGN §4): kernel chi-square tests, end-to-end
// joint distribution through core's loop, greedy checks and greedy generation equality, for every
// draft kind each verifier supports. This file: greedy, sample-match, speculative sampling and typical acceptance
// (the suite is split in two files so that vitest runs the halves in parallel).
import { describeVerifierConformance } from '@decodekit/testing';
import {
  greedyVerifier,
  sampleMatchVerifier,
  speculativeSamplingVerifier,
  typicalAcceptanceVerifier,
} from '../src/index.js';

// End-to-end runs cost a full generation each; 20 000 keep the package's test run near a minute.
const endToEndTrials = 20_000;

describeVerifierConformance('greedyVerifier', () => greedyVerifier(), { exact: true, greedyOnly: true });
describeVerifierConformance('sampleMatchVerifier', () => sampleMatchVerifier(), { exact: true, endToEndTrials });
describeVerifierConformance('speculativeSamplingVerifier', () => speculativeSamplingVerifier(), {
  exact: true,
  shapes: ['chain'],
  endToEndTrials,
});
describeVerifierConformance('typicalAcceptanceVerifier', () => typicalAcceptanceVerifier(), {
  exact: false,
  endToEndTrials,
});
