import { autoregressive, generate } from '@decodekit/core';
import { defaultDrafterModel, describeDrafterConformance } from '@decodekit/testing';
import { aded, lookahead, promptLookup, suffixRetrieval, tokenRecycling } from '../src/index.js';

// The shared suite of @decodekit/testing: well-formed drafts, greedy identity with autoregressive
// decoding, and the target distribution kept under speculative sampling.
describeDrafterConformance('pld', () => promptLookup());
describeDrafterConformance('pld (several matches)', () => promptLookup({ maxMatches: 4 }));
describeDrafterConformance('token-recycling', () => tokenRecycling());
describeDrafterConformance('aded', () => aded());
describeDrafterConformance('lookahead', () => lookahead({ poolFromPrompt: true }));
describeDrafterConformance('rest', async () => {
  // A datastore of what the default mock model writes from other prompts.
  const model = defaultDrafterModel();
  const corpus: number[][] = [];
  for (const start of [0, 6, 17]) {
    corpus.push(
      (await generate({ model, prompt: [start], maxNewTokens: 200, stopTokens: [], strategy: autoregressive() }))
        .tokens,
    );
  }
  return suffixRetrieval({ corpus });
});
