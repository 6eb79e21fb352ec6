import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConstraintSyntaxError,
  compileRegex,
  type JsonSchema,
  jsonSchemaToGbnf,
  parseGbnf,
  validateGrammar,
} from '../src/index.js';

// Any input either compiles or throws ConstraintSyntaxError: never another exception, never a hang.
function compilesOrExplains(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ConstraintSyntaxError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
  }
}

describe('malformed input is reported, never crashes', () => {
  it('regex compiler on random pattern-like strings', () => {
    const piece = fc.constantFrom(
      'a',
      'é',
      '(',
      ')',
      '[',
      ']',
      '^',
      '-',
      '|',
      '*',
      '+',
      '?',
      '{',
      '}',
      '2',
      ',',
      '\\',
      'd',
      'u',
      '.',
      '$',
      ':',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        compilesOrExplains(() => compileRegex(parts.join(''), { maxStates: 2000 }));
      }),
      { numRuns: 600, seed: 13 },
    );
  });

  it('GBNF parser on random grammar-like strings', () => {
    const piece = fc.constantFrom(
      'root',
      ' ::= ',
      'x',
      '"a"',
      '"',
      '[',
      ']',
      '^',
      '(',
      ')',
      '|',
      '*',
      '+',
      '?',
      '{1,2}',
      '\n',
      '#',
      '\\',
      '.',
      'root ',
      ' x ::= ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        compilesOrExplains(() => validateGrammar(parseGbnf(parts.join(''))));
      }),
      { numRuns: 600, seed: 14 },
    );
  });

  it('JSON Schema compiler on random JSON values', () => {
    const keyword = fc.constantFrom(
      'type',
      'properties',
      'required',
      'items',
      'enum',
      'const',
      'minimum',
      'maxLength',
      'anyOf',
      '$ref',
      'pattern',
      'x',
    );
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom<unknown>(
          'string',
          'object',
          'array',
          'integer',
          'number',
          '#',
          '#/$defs/a',
          'a+',
          '(',
          null,
          true,
          false,
          0,
          3,
          -1,
          1.5,
        ),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(keyword, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (schema) => {
        compilesOrExplains(() => parseGbnf(jsonSchemaToGbnf(schema as JsonSchema)));
      }),
      { numRuns: 600, seed: 15 },
    );
  });
});
