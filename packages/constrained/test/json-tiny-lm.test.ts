import { type CausalLM, generate, multinomialSampler } from '@decodekit/core';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awrs,
  type Constraint,
  constrainedDecoding,
  gbnfConstraint,
  type JsonSchema,
  jsonSchemaConstraint,
  tokenMasking,
} from '../src/index.js';
import { validate } from './json-validate.js';
import { textOf, tinyVocabulary } from './support.js';

// Bounded so that every output completes within the token budget.
const schema: JsonSchema = {
  type: 'object',
  properties: {
    book: { enum: ['Genesis', 'Exodus', 'Psalms'] },
    chapter: { type: 'integer', minimum: 1, maximum: 150 },
    text: { type: 'string', maxLength: 24 },
    kept: { type: 'boolean' },
  },
  required: ['book', 'chapter', 'text'],
};
const grammar = `root ::= "def " name "(" (name ("," " "? name)*)? "):"
name ::= [a-z_] [a-z_0-9]{0,8}`;

describe('JSON Schema and GBNF constraints with the real tiny-lm model', () => {
  let model: CausalLM;
  let prompt: number[];
  beforeAll(async () => {
    const { tokenizer } = await tinyVocabulary();
    model = await loadModel(tinyLm);
    prompt = tokenizer.encode('And God said, Let there be light: and there was light.\n', { addSpecialTokens: false });
  }, 60_000);
  afterAll(async () => {
    await model?.dispose();
  });

  it('sampled outputs always finish and are valid (JSON for the schema, a sentence of the grammar)', async () => {
    const { vocabulary } = await tinyVocabulary();
    const cases: [string, () => Constraint, (text: string) => void][] = [
      [
        'json-schema',
        () => jsonSchemaConstraint(schema, vocabulary, { whitespace: 'compact' }),
        (text) => expect(validate(JSON.parse(text), schema), text).toEqual([]),
      ],
      [
        'gbnf',
        () => gbnfConstraint(grammar, vocabulary),
        (text) =>
          expect(text).toMatch(/^def [a-z_][a-z_0-9]{0,8}\(([a-z_][a-z_0-9]{0,8}(, ?[a-z_][a-z_0-9]{0,8})*)?\):$/),
      ],
    ];
    for (const [name, make, check] of cases) {
      for (const [seed, tokenSampler] of [tokenMasking(), awrs()].entries()) {
        const result = await generate({
          model,
          prompt,
          strategy: constrainedDecoding({ constraint: make(), tokenSampler }),
          sampler: multinomialSampler(1),
          maxNewTokens: 96,
          seed,
        });
        expect(result.finishReason, `${name} seed ${seed}`).toBe('stop');
        check(textOf(vocabulary, result.tokens));
      }
    }
  }, 60_000);
});
