// The shared conformance suite of @decodekit/testing (DESIGN §4): kernel chi-square tests, end-to-end
// joint distribution through core's loop, greedy checks and greedy generation equality, for every
// draft kind each verifier supports. This file: recursive rejection, RSD, SpecTr and the default verifier
// (the suite is split in two files so that vitest runs the halves in parallel).
import { describeVerifierConformance } from '@decodekit/testing';
import {
  defaultVerifier,
  recursiveRejectionVerifier,
  recursiveSpeculativeVerifier,
  specTrVerifier,
} from '../src/index.js';

// End-to-end runs cost a full generation each; 20 000 keep the package's test run near a minute.
const endToEndTrials = 20_000;

describeVerifierConformance('recursiveRejectionVerifier', () => recursiveRejectionVerifier(), {
  exact: true,
  endToEndTrials,
});
describeVerifierConformance('recursiveSpeculativeVerifier', () => recursiveSpeculativeVerifier(), {
  exact: true,
  endToEndTrials,
});
describeVerifierConformance('specTrVerifier', () => specTrVerifier(), { exact: true, endToEndTrials });
describeVerifierConformance('defaultVerifier', () => defaultVerifier(), { exact: true, endToEndTrials });
