import type { Drafter } from '@decodekit/core';
import { chimera } from './chimera.js';
import { clover } from './clover.js';
import { eagle } from './eagle.js';
import { hiddenTransfer } from './hidden-transfer.js';
import { hydra } from './hydra.js';
import { medusa } from './medusa.js';
import { ppd } from './ppd.js';

/**
 * The head drafters by CLI name. Each factory takes the method's options (all optional: the heads
 * load from `@decodekit/models-tiny`'s `tiny-lm-heads` by default) and returns a fresh `Drafter`.
 */
export const headDrafters = {
  medusa,
  hydra,
  eagle,
  clover,
  chimera,
  ppd,
  'hidden-transfer': hiddenTransfer,
} as const satisfies Record<string, (options: never) => Drafter>;

/** A CLI name of `headDrafters`. */
export type HeadDrafterName = keyof typeof headDrafters;

/**
 * The exact verifier each head drafter is meant for: their trees are deterministic, so
 * `defaultVerifier` (greedy / sample-match) is exact. Typical acceptance is opt-in (`headVerifier`).
 */
export const headDrafterVerifiers: Readonly<Record<HeadDrafterName, string>> = Object.freeze({
  medusa: 'defaultVerifier',
  hydra: 'defaultVerifier',
  eagle: 'defaultVerifier',
  clover: 'defaultVerifier',
  chimera: 'defaultVerifier',
  ppd: 'defaultVerifier',
  'hidden-transfer': 'defaultVerifier',
});
