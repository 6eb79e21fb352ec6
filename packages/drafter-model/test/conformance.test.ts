import { describeDrafterConformance } from '@decodekit/testing';
import { multiDraft, pearl, specDecPlusPlus, speculativeSampling, vocabTrim } from '../src/index.js';
import { draftModelFor, targetModel } from './helpers.js';

// The suite's default target is this 32-token bigram mock; each drafter gets a close draft model.
const draft = () => draftModelFor(targetModel(), { noise: 1.5 });
const options = { samplingRuns: 8000, timeout: 120_000 };
const calibration = Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 32);
const constantHead = (value: number) => ({ hiddenSize: 4, predict: () => value });

describeDrafterConformance('sps (gamma 4)', () => speculativeSampling({ draftModel: draft(), gamma: 4 }), options);
describeDrafterConformance(
  'sps (adaptive gamma)',
  () => speculativeSampling({ draftModel: draft(), gamma: 2, adaptiveGamma: true }),
  options,
);
describeDrafterConformance('pearl', () => pearl({ draftModel: draft(), gamma: 3 }), options);
describeDrafterConformance(
  'specdec-pp',
  () => specDecPlusPlus({ draftModel: draft(), acceptanceHead: constantHead(0.8), threshold: 0.5, maxLength: 6 }),
  options,
);
describeDrafterConformance('spectr', () => multiDraft({ draftModel: draft(), k: 3, depth: 3, mode: 'iid' }), options);
describeDrafterConformance(
  'rsd',
  () => multiDraft({ draftModel: draft(), k: 3, depth: 3, mode: 'without-replacement', branching: [3, 2, 1] }),
  options,
);
describeDrafterConformance(
  'vocabtrim',
  () => vocabTrim({ draftModel: draft(), keep: 20, calibrationTokens: calibration }),
  options,
);
describeDrafterConformance(
  'rsd (stochastic beam)',
  () => multiDraft({ draftModel: draft(), k: 3, depth: 3, mode: 'stochastic-beam' }),
  options,
);
