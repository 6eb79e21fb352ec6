import type { Drafter } from '@decodekit/core';
import { type MultiDraftOptions, multiDraft } from './multi-draft.js';
import { pearl } from './pearl.js';
import { specDecPlusPlus } from './specdec-plus-plus.js';
import { speculativeSampling } from './speculative-sampling.js';
import { vocabTrim } from './vocab-trim.js';

/** Options of the `spectr` and `rsd` registry entries: `multiDraft`'s, with the mode fixed by the name. */
export type MultiDraftEntryOptions = Omit<MultiDraftOptions, 'mode'>;

/** Options of the `rsd` registry entry: RSD-C (`without-replacement`, the default) or RSD-S (`stochastic-beam`). */
export type RecursiveSpeculativeEntryOptions = MultiDraftEntryOptions & {
  readonly mode?: 'without-replacement' | 'stochastic-beam';
};

/**
 * The draft-model drafters by CLI name. Each factory takes `{ draftModel, ... }` (the method's own
 * options) and returns a fresh `Drafter`. Pair them with the verifier in `modelDrafterVerifiers`.
 */
export const modelDrafters = {
  sps: speculativeSampling,
  pearl,
  'specdec-pp': specDecPlusPlus,
  spectr: (options: MultiDraftEntryOptions): Drafter => multiDraft({ ...options, mode: 'iid' }),
  rsd: (options: RecursiveSpeculativeEntryOptions): Drafter =>
    multiDraft({ ...options, mode: options.mode ?? 'without-replacement' }),
  vocabtrim: vocabTrim,
} as const satisfies Record<string, (options: never) => Drafter>;

/** A CLI name of `modelDrafters`. */
export type ModelDrafterName = keyof typeof modelDrafters;

/**
 * The exact verifier of `@decodekit/verifiers` each drafter is meant for under a sampling chain.
 * Under a greedy chain every drafter here proposes a deterministic draft: use `defaultVerifier()`.
 */
export const modelDrafterVerifiers: Readonly<Record<ModelDrafterName, string>> = Object.freeze({
  sps: 'defaultVerifier',
  pearl: 'defaultVerifier',
  'specdec-pp': 'defaultVerifier',
  spectr: 'specTrVerifier',
  rsd: 'recursiveSpeculativeVerifier',
  vocabtrim: 'defaultVerifier',
});
