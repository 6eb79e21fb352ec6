/**
 * @decodekit/drafter-ngram: training-free drafters for speculative decoding. Prompt lookup (PLD),
 * Token Recycling, ADED, lookahead decoding and REST suffix retrieval: pure TypeScript, no model
 * weights, deterministic drafts (lossless with any exact verifier).
 */

import { type Drafter, InvalidArgumentError } from '@decodekit/core';
import { type AdedOptions, aded } from './aded.js';
import { type LookaheadOptions, lookahead } from './lookahead.js';
import { type PromptLookupOptions, promptLookup } from './prompt-lookup.js';
import { type SuffixRetrievalOptions, suffixRetrieval } from './suffix-retrieval.js';
import { type TokenRecyclingOptions, tokenRecycling } from './token-recycling.js';

export { type AdedOptions, aded, TrigramTable } from './aded.js';
export type { TokenCorpus } from './corpus.js';
export { type LookaheadOptions, lookahead, NgramPool } from './lookahead.js';
export { NgramIndex } from './ngram-index.js';
export { type PromptLookupOptions, promptLookup } from './prompt-lookup.js';
export { buildSuffixArray, suffixRange } from './suffix-array.js';
export { buildSuffixIndex, SuffixIndex, type SuffixRetrievalOptions, suffixRetrieval } from './suffix-retrieval.js';
export type { SynchronousDrafter } from './synchronous-drafter.js';
export {
  CandidateMatrix,
  type TokenRecyclingOptions,
  tokenRecycling,
  tokenRecyclingTreeTemplate,
} from './token-recycling.js';

/** Options of any n-gram drafter, as a CLI or config file passes them (checked by each factory). */
export type NgramDrafterOptions = Readonly<Record<string, unknown>>;

/** The option names each drafter understands, so a misspelt option fails instead of being ignored. */
const optionNames: Readonly<Record<string, readonly string[]>> = {
  pld: ['minNgram', 'maxNgram', 'maxDraftTokens', 'maxMatches'],
  'token-recycling': ['topK', 'treeTemplate', 'resetOnStart'],
  aded: [
    'corpus',
    'encode',
    'maxSuccessors',
    'iterations',
    'searchDepth',
    'topPaths',
    'maxDraftTokens',
    'adaptationWindow',
    'adaptationStep',
    'adaptationCap',
    'learnFromPrompt',
    'explorationBase',
    'explorationScale',
    'seed',
  ],
  lookahead: ['window', 'ngram', 'guesses', 'poolFromPrompt', 'seed'],
  rest: [
    'corpus',
    'encode',
    'index',
    'maxSuffixLength',
    'minSuffixLength',
    'continuationLength',
    'maxCandidates',
    'maxDraftTokens',
  ],
};

function checkedOptions(name: string, options: NgramDrafterOptions | undefined): NgramDrafterOptions {
  const known = optionNames[name];
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(
        `${name} options`,
        `unknown option '${key}'; ${name} understands ${known.join(', ')}`,
      );
    }
  }
  return options ?? {};
}

/**
 * The drafters of this package by CLI name (`pld`, `token-recycling`, `aded`, `lookahead`,
 * `rest`), so a command line or config can build one by name. Unknown option names throw an
 * `InvalidArgumentError`; `rest` also needs a `corpus` or `index` option.
 */
export const ngramDrafters: Readonly<Record<string, (options?: NgramDrafterOptions) => Drafter>> = Object.freeze({
  pld: (options?: NgramDrafterOptions) => promptLookup(checkedOptions('pld', options) as PromptLookupOptions),
  'token-recycling': (options?: NgramDrafterOptions) =>
    tokenRecycling(checkedOptions('token-recycling', options) as TokenRecyclingOptions),
  aded: (options?: NgramDrafterOptions) => aded(checkedOptions('aded', options) as AdedOptions),
  lookahead: (options?: NgramDrafterOptions) => lookahead(checkedOptions('lookahead', options) as LookaheadOptions),
  rest: (options?: NgramDrafterOptions) => suffixRetrieval(checkedOptions('rest', options) as SuffixRetrievalOptions),
});
