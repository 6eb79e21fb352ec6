import { describeDrafterConformance } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { eagle, hydra, medusa } from '../src/index.js';
import { mockFeatureDrafter, mockHydraHeads, mockMedusaHeads } from './helpers.js';

// The suite's default target is a 32-token bigram mock with hidden size 8 (tree attention, hidden
// states); the heads are seeded mocks of the same shapes, so the checks exercise the tree building,
// the feature bookkeeping and the EAGLE cache against the loop, and exactness under sampling, with
// the verifier the drafters are meant for (greedy matching / sample-match).
const tree = [[0], [1], [2], [0, 0], [0, 1], [1, 0], [0, 0, 0], [0, 1, 0]];
const options = { samplingRuns: 6000, timeout: 120_000, verifier: defaultVerifier() };

describeDrafterConformance('medusa', () => medusa({ heads: mockMedusaHeads(8, 32), tree }), options);
describeDrafterConformance('hydra', () => hydra({ heads: mockHydraHeads(8, 32), tree }), options);
describeDrafterConformance(
  'eagle (dynamic tree)',
  () => eagle({ drafter: mockFeatureDrafter(8, 32), topK: 3, depth: 4, totalTokens: 10 }),
  options,
);
