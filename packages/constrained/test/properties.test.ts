import { generate, multinomialSampler } from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { createNgramMockModel } from '@decodekit/testing';
import { defaultVerifier } from '@decodekit/verifiers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConstraintDeadEndError } from '../src/errors.js';
import {
  awrs,
  constrainedDecoding,
  constrainedSpeculative,
  rejectionSampling,
  smc,
  tokenMasking,
} from '../src/index.js';
import { textOf, toyVocabulary, wordsConstraint } from './toy-constraint.js';

const model = createNgramMockModel({ vocabSize: toyVocabulary.size, order: 2, seed: 5, scale: 2, eos: [0] });
const word = fc.stringMatching(/^[abc]{1,5}$/);
const words = fc.uniqueArray(word, { minLength: 1, maxLength: 6 });
const samplerName = fc.constantFrom('mask', 'ars', 'awrs', 'speculative-pld');
const tokenSamplers = { mask: tokenMasking, ars: rejectionSampling, awrs } as const;

describe('property: constrained output always satisfies the constraint', () => {
  it('every sampler ends in one of the allowed words (random languages, seeds, temperatures)', async () => {
    await fc.assert(
      fc.asyncProperty(
        words,
        samplerName,
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        async (language, name, seed, temperature) => {
          const constraint = wordsConstraint(toyVocabulary, language);
          const strategy =
            name === 'speculative-pld'
              ? constrainedSpeculative({ drafter: promptLookup(), verifier: defaultVerifier(), constraint })
              : constrainedDecoding({ constraint, tokenSampler: tokenSamplers[name]() });
          const result = await generate({
            model,
            prompt: [1, 4, 2, 4, 1],
            strategy,
            sampler: multinomialSampler(temperature),
            maxNewTokens: 8,
            seed,
          });
          // Every word has at most 5 characters, so at most 6 tokens with eos: always complete.
          expect(result.finishReason).toBe('stop');
          expect(language).toContain(textOf(toyVocabulary, result.tokens));
        },
      ),
      { numRuns: 60, seed: 13 },
    );
  });

  it('every complete SMC particle is an allowed word', async () => {
    await fc.assert(
      fc.asyncProperty(words, fc.integer({ min: 0, max: 1000 }), async (language, seed) => {
        const result = await smc({
          model,
          prompt: [2, 1],
          constraint: wordsConstraint(toyVocabulary, language),
          particles: 8,
          maxNewTokens: 8,
          seed,
        });
        for (const particle of result.particles) {
          if (particle.status === 'complete') expect(language).toContain(textOf(toyVocabulary, particle.tokens));
        }
        for (const entry of result.posterior) expect(language).toContain(textOf(toyVocabulary, entry.tokens));
      }),
      { numRuns: 30, seed: 14 },
    );
  });

  it('never emits an invalid token: a completion the vocabulary cannot spell is a ConstraintDeadEndError', async () => {
    await fc.assert(
      fc.asyncProperty(word, fc.constantFrom('mask', 'ars', 'awrs'), async (stem, name) => {
        // "z" has no token, so after the stem nothing is allowed.
        const constraint = wordsConstraint(toyVocabulary, [`${stem}z`]);
        const run = generate({
          model,
          prompt: [1],
          strategy: constrainedDecoding({ constraint, tokenSampler: tokenSamplers[name as 'mask']() }),
          sampler: multinomialSampler(1),
          maxNewTokens: 10,
        });
        await expect(run).rejects.toBeInstanceOf(ConstraintDeadEndError);
      }),
      { numRuns: 20, seed: 15 },
    );
  });
});
