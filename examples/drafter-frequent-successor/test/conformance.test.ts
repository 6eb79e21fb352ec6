import { describeDrafterConformance } from '@decodekit/testing';
import { frequentSuccessorDrafter } from '../src/index.js';

describeDrafterConformance('frequent-successor', () => frequentSuccessorDrafter());
describeDrafterConformance('frequent-successor (long drafts, corpus)', () =>
  frequentSuccessorDrafter({ maxDraftTokens: 16, initialDraftTokens: 16, corpus: [1, 2, 3, 1, 2, 3, 4] }),
);
