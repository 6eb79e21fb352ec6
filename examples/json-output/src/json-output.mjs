// JSON that always parses and matches a schema. The schema is compiled into a constraint over the
// tokenizer's vocabulary; at each step only tokens that keep the output a valid prefix can be drawn.
import {
  awrs,
  constrainedDecoding,
  constrainedSpeculative,
  jsonSchemaConstraint,
  tokenizerVocabulary,
} from '@decodekit/constrained';
import { generate, multinomialSampler } from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { defaultVerifier } from '@decodekit/verifiers';

/** A record the tiny Bible-and-Python model can fill in. Bounded, so every output finishes. */
export const verseSchema = {
  type: 'object',
  properties: {
    book: { enum: ['Genesis', 'Exodus', 'Psalms', 'Isaiah', 'John'] },
    chapter: { type: 'integer', minimum: 1, maximum: 150 },
    verse: { type: 'integer', minimum: 1, maximum: 176 },
    text: { type: 'string', maxLength: 60 },
  },
  required: ['book', 'chapter', 'verse', 'text'],
};

/**
 * Generates one JSON value matching `schema`.
 * @param {object} options
 * @param {import('@decodekit/core').CausalLM} options.model
 * @param {import('@decodekit/tokenizer').Tokenizer} options.tokenizer
 * @param {object} options.schema a JSON Schema (the subset @decodekit/constrained supports)
 * @param {string} options.prompt
 * @param {'sample' | 'greedy-speculative'} [options.mode] sample with AWRS at temperature 1, or
 *   greedy with grammar-aware speculative decoding (PLD drafts cut to what the schema allows)
 * @param {number} [options.seed]
 * @param {number} [options.maxNewTokens]
 */
export async function generateJson({
  model,
  tokenizer,
  schema,
  prompt,
  mode = 'sample',
  seed = 0,
  maxNewTokens = 160,
}) {
  const constraint = jsonSchemaConstraint(schema, tokenizerVocabulary(tokenizer), { whitespace: 'compact' });
  const strategy =
    mode === 'sample'
      ? constrainedDecoding({ constraint, tokenSampler: awrs() })
      : constrainedSpeculative({ constraint, drafter: promptLookup(), verifier: defaultVerifier() });
  const result = await generate({
    model,
    tokenizer,
    prompt,
    strategy,
    sampler: mode === 'sample' ? multinomialSampler(1) : undefined,
    maxNewTokens,
    seed,
  });
  if (result.finishReason !== 'stop') {
    throw new Error(`the JSON did not finish within ${maxNewTokens} tokens; raise maxNewTokens or bound the schema`);
  }
  return { value: JSON.parse(result.text), text: result.text, stats: result.stats, constraint: strategy.stats };
}
