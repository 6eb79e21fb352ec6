import { promptLookup } from '@decodekit/drafter-ngram';
import { createModelDrafter, createNgramMockModel, describeDrafterConformance } from '@decodekit/testing';
import type { Constraint } from '../src/constraint.js';
import { StatsCounter } from '../src/constraint.js';
import { constrainedDrafter } from '../src/index.js';
import { byteVocabulary } from '../src/vocabulary.js';

// The drafter conformance suite runs with an unconstrained target and verifier, so it checks that
// cutting draft nodes never changes what is generated: whatever the constraint cuts, the wrapped
// drafter stays lossless (greedy equality and the sampling distribution of the suite).
const vocabSize = 32;

/** A stateless constraint over the suite's 32-token mock vocabulary that rejects `rejects(token)`. */
function cutting(rejects: (token: number) => boolean): Constraint<number> {
  const stats = new StatsCounter();
  return {
    name: 'cutting',
    vocabulary: byteVocabulary(
      Array.from({ length: vocabSize }, (_, i) => `t${i};`),
      vocabSize - 1,
    ),
    stats,
    start: () => 0,
    advance(state, token) {
      stats.tokenChecks++;
      return rejects(token) ? undefined : state;
    },
    allows(_state, token) {
      stats.tokenChecks++;
      return !rejects(token);
    },
    isComplete: () => true,
    mask(_state, out = new Uint8Array(vocabSize)) {
      stats.masks++;
      for (let v = 0; v < vocabSize; v++) out[v] = rejects(v) ? 0 : 1;
      return out;
    },
  };
}

describeDrafterConformance('constrainedDrafter(pld), constraint allows everything', () =>
  constrainedDrafter(
    promptLookup({ maxDraftTokens: 6 }),
    cutting(() => false),
  ),
);
describeDrafterConformance(
  'constrainedDrafter(pld), constraint cuts every token divisible by 3',
  () =>
    constrainedDrafter(
      promptLookup({ maxDraftTokens: 6 }),
      cutting((t) => t % 3 === 0),
    ),
  { samplingRuns: 4000 },
);
describeDrafterConformance(
  'constrainedDrafter(sampled draft model, 2 branches), constraint cuts odd tokens',
  () =>
    constrainedDrafter(
      createModelDrafter(createNgramMockModel({ vocabSize, order: 2, seed: 9 }), {
        maxTokens: 6,
        sampling: 'independent',
        branches: 2,
      }),
      cutting((t) => t % 2 === 1),
    ),
  { samplingRuns: 4000 },
);
