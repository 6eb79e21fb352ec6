import type { Drafter, MaybePromise } from '@decodekit/core';
import { assert, describe, it } from 'vitest';
import {
  checkDrafterGreedyGeneration,
  checkDrafterProposals,
  checkDrafterSampling,
  type DrafterCheckOptions,
} from './drafter-checks.js';

export interface DrafterConformanceOptions extends DrafterCheckOptions {
  /** Per-test timeout in milliseconds (default 60 000). */
  readonly timeout?: number;
}

/**
 * Registers vitest tests that check a drafter against the core contract on a mock target model:
 * well-formed drafts (valid parents, ids in range, at most `maxTokens` nodes, empty for 0, q rows
 * summing to 1 for sampled drafts), speculative greedy generation token-identical to
 * autoregressive greedy on several (partly repetitive) prompts, the target distribution kept under
 * speculative sampling (first 3 tokens, chi-square), and `observe`/`dispose` that do not throw.
 * The generation checks use `options.verifier`, by default `referenceRejectionSamplingVerifier()`.
 *
 * @example
 * describeDrafterConformance('pld', () => promptLookup({ maxTokens: 8 }));
 */
export function describeDrafterConformance(
  name: string,
  createDrafter: () => MaybePromise<Drafter>,
  options: DrafterConformanceOptions = {},
): void {
  const timeout = options.timeout ?? 60_000;
  describe(`${name}: drafter conformance`, () => {
    it(
      'drafts are well-formed (parents, token ids, maxTokens, q rows)',
      async () => {
        const result = await checkDrafterProposals(createDrafter, options);
        assert(result.passed, result.message);
      },
      timeout,
    );
    it(
      'speculative greedy generation is token-identical to autoregressive greedy; observe/dispose do not throw',
      async () => {
        const result = await checkDrafterGreedyGeneration(createDrafter, options);
        assert(result.passed, result.message);
      },
      timeout,
    );
    it(
      'speculative sampling keeps the target distribution (first 3 tokens, chi-square)',
      async () => {
        const result = await checkDrafterSampling(createDrafter, options);
        assert(result.passed, result.message);
      },
      timeout,
    );
  });
}
