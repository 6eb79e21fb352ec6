import { describeDrafterConformance } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import { chimera, clover, eagle, hydra, medusa } from '../src/index.js';
import {
  mockChimeraDecoder,
  mockCloverDecoder,
  mockContextLayer,
  mockFeatureDrafter,
  mockHydraHeads,
  mockMedusaHeads,
} from './helpers.js';

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
describeDrafterConformance(
  'hydra with the prefix-attention layer (Hydra++)',
  () => hydra({ heads: mockHydraHeads(8, 32), prefixLayer: mockContextLayer(8), tree }),
  options,
);
describeDrafterConformance(
  'clover',
  () => clover({ augmenter: mockContextLayer(8, true), decoder: mockCloverDecoder(8, 32), tree }),
  options,
);
describeDrafterConformance(
  'chimera',
  () => chimera({ contextLayer: mockContextLayer(8), decoder: mockChimeraDecoder(8, 32, 3), tree }),
  options,
);
