import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConstraintSyntaxError,
  GrammarAutomaton,
  integerRangeGbnf,
  type JsonSchema,
  jsonSchemaConstraint,
  jsonSchemaToGbnf,
  numberRangeGbnf,
  parseGbnf,
} from '../src/index.js';
import { hasDuplicateKeys, validate } from './json-validate.js';
import { prng, randomWalk, tinyVocabulary } from './support.js';

const automata = new Map<string, GrammarAutomaton>();

function accepts(schema: JsonSchema, text: string, whitespace: 'compact' | 'pretty' = 'pretty'): boolean {
  const key = `${whitespace} ${JSON.stringify(schema)}`;
  let automaton = automata.get(key);
  if (automaton === undefined) {
    automaton = new GrammarAutomaton(parseGbnf(jsonSchemaToGbnf(schema, { whitespace })));
    automata.set(key, automaton);
  }
  let state = automaton.start;
  for (const byte of new TextEncoder().encode(text)) {
    state = automaton.step(state, byte);
    if (state < 0) return false;
  }
  return automaton.accepting(state);
}

const person: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 12 },
    age: { type: 'integer', minimum: 0, maximum: 130 },
    email: { type: 'string', pattern: '[a-z]+@[a-z]+\\.(com|org)' },
    tags: { type: 'array', items: { enum: ['a', 'b', 3, null] }, maxItems: 3 },
    born: { type: 'string', format: 'date' },
  },
  required: ['name', 'age'],
};

const tree: JsonSchema = {
  $defs: {
    node: {
      type: 'object',
      properties: { value: { type: 'number' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
      required: ['value'],
    },
  },
  $ref: '#/$defs/node',
};

describe('JSON Schema to grammar: accepted and rejected texts', () => {
  const cases: [name: string, schema: JsonSchema, yes: string[], no: string[]][] = [
    [
      'object with required/optional properties',
      person,
      [
        '{"name": "Ada", "age": 36}',
        '{"name":"Ada","age":0,"tags":["a",3,null]}',
        '{\n  "name": "Ada",\n  "age": 130,\n  "email": "ada@math.org",\n  "born": "1815-12-10"\n}',
      ],
      [
        '{"age": 36}',
        '{"name": "", "age": 36}',
        '{"name": "Ada", "age": 131}',
        '{"name": "Ada", "age": -1}',
        '{"name": "Ada", "age": 36, "x": 1}',
        '{"age": 36, "name": "Ada"}',
        '{"name": "Ada", "age": 36, "email": "ADA@x.com"}',
        '{"name": "Ada", "age": 36, "tags": ["c"]}',
        '{"name": "Ada", "age": 36, "tags": ["a","a","a","a"]}',
        '{"name": "Ada", "age": 36, "born": "1815-13-10"}',
        '{"name": "Ada", "age": 036}',
      ],
    ],
    [
      'recursive $ref',
      tree,
      ['{"value": 1}', '{"value": -2.5e3, "children": [{"value": 0, "children": []}, {"value": 7}]}'],
      ['{"children": []}', '{"value": 1, "children": [{}]}', '{"value": 01}'],
    ],
    [
      'anyOf / type lists / const / boolean / null',
      { anyOf: [{ type: ['integer', 'null'] }, { const: { ok: true } }, { type: 'boolean' }] },
      ['12', 'null', '{"ok":true}', 'false'],
      ['1.5', '"x"', '{"ok": false}', '{ "ok":true}'],
    ],
    [
      'arrays: minItems, maxItems, prefixItems',
      {
        type: 'array',
        prefixItems: [{ type: 'string' }, { type: 'integer' }],
        items: { type: 'boolean' },
        minItems: 1,
        maxItems: 3,
      },
      ['["a"]', '["a", 1]', '["a", 1, true]'],
      ['[]', '[1]', '["a", 1, true, false]', '["a", true]'],
    ],
    [
      'additionalProperties schema and empty schema',
      { type: 'object', additionalProperties: { type: 'integer' } },
      ['{}', '{"a": 1, "b": 2}'],
      ['{"a": "x"}', '{"a": 1,}'],
    ],
    [
      'maps with minProperties/maxProperties',
      { type: 'object', additionalProperties: { type: 'boolean' }, minProperties: 1, maxProperties: 2 },
      ['{"a": true}', '{"a": true, "b": false}'],
      ['{}', '{"a": true, "b": false, "c": true}'],
    ],
    [
      'objects with properties and minProperties/maxProperties',
      {
        type: 'object',
        properties: { a: { type: 'integer' }, b: { type: 'integer' }, c: { type: 'integer' } },
        required: ['b'],
        additionalProperties: { type: 'null' },
        minProperties: 2,
        maxProperties: 3,
      },
      [
        '{"a": 1, "b": 2}',
        '{"b": 2, "c": 3}',
        '{"b": 2, "x": null}',
        '{"a": 1, "b": 2, "c": 3}',
        '{"b": 2, "x": null, "y": null}',
      ],
      ['{"b": 2}', '{"a": 1, "b": 2, "c": 3, "x": null}', '{"a": 1, "c": 3}', '{"b": 2, "c": 3, "x": null, "y": null}'],
    ],
    ['any JSON ({})', {}, ['[1, {"a": [true, null]}, "x\\n\\u00e9"]', '"s"', '-0.5E+2'], ['[1,]', "'s'", '01']],
    [
      'string formats',
      { type: 'array', items: { anyOf: [{ format: 'uuid' }, { format: 'date-time' }, { format: 'time' }] } },
      ['["123e4567-e89b-12d3-a456-426614174000", "2024-02-29T23:59:01.5Z", "08:00:00+01:00"]'],
      ['["123e4567"]', '["2024-02-29 23:59:01Z"]'],
    ],
    [
      'strings with escapes and length counted in characters',
      { type: 'string', minLength: 2, maxLength: 3 },
      ['"ab"', '"é😀\\n"', '"\\u0041\\"x"'],
      ['"a"', '"abcd"', '"a\nb"'],
    ],
  ];
  for (const [name, schema, yes, no] of cases) {
    it(name, () => {
      for (const text of yes) {
        expect(validate(JSON.parse(text), schema), `oracle: ${text}`).toEqual([]);
        expect(accepts(schema, text), `${text} should be accepted`).toBe(true);
      }
      for (const text of no) expect(accepts(schema, text), `${text} should be rejected`).toBe(false);
    });
  }

  it('accepts what JSON.stringify writes, compact and indented, for generated valid values', () => {
    // Code points, some of which JSON must escape.
    const name = fc
      .array(fc.constantFrom('a', 'Z', ' ', 'é', 'Ố', '😀', '"', '\\', '\n', '\u0001', '/'), {
        minLength: 1,
        maxLength: 12,
      })
      .map((chars) => chars.join(''));
    const value = fc.record(
      {
        name,
        age: fc.integer({ min: 0, max: 130 }),
        email: fc
          .tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.stringMatching(/^[a-z]{1,5}$/), fc.constantFrom('com', 'org'))
          .map(([user, host, tld]) => `${user}@${host}.${tld}`),
        tags: fc.array(fc.constantFrom('a', 'b', 3, null), { maxLength: 3 }),
        born: fc
          .date({ min: new Date('1000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
      },
      { requiredKeys: ['name', 'age'] },
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(validate(v, person)).toEqual([]);
        expect(accepts(person, JSON.stringify(v)), JSON.stringify(v)).toBe(true);
        expect(accepts(person, JSON.stringify(v, null, 2)), JSON.stringify(v, null, 2)).toBe(true);
        expect(accepts(person, JSON.stringify(v, null, '\t'))).toBe(true);
      }),
      { numRuns: 150, seed: 12 },
    );
  });

  it('the duplicate-key detector of the test oracle works', () => {
    expect(hasDuplicateKeys('{"a": 1, "b": {"a": 2}, "a": 3}')).toBe(true);
    expect(hasDuplicateKeys('{"a": 1, "b": {"a": 2}, "c": ["a", "a"]}')).toBe(false);
    expect(hasDuplicateKeys('[{"\\"": 1, "\\u0022": 2}]')).toBe(true);
  });

  it('compact whitespace allows none, pretty allows bounded whitespace', () => {
    const schema: JsonSchema = { type: 'object', properties: { a: { type: 'integer' } } };
    expect(accepts(schema, '{"a":1}', 'compact')).toBe(true);
    expect(accepts(schema, '{"a": 1}', 'compact')).toBe(false);
    expect(accepts(schema, '{ "a" : 1 }', 'pretty')).toBe(true);
    expect(accepts(schema, `{\n${' '.repeat(20)}"a": 1}`, 'pretty')).toBe(true);
    expect(accepts(schema, `{\n${' '.repeat(21)}"a": 1}`, 'pretty')).toBe(false);
    expect(accepts(schema, '{  "a": 1}', 'pretty')).toBe(false);
  });

  it('integer ranges match exactly the integers in range (property test against arithmetic)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1200, max: 1200 }),
        fc.integer({ min: 0, max: 2500 }),
        fc.integer({ min: -3000, max: 3000 }),
        (lo, width, probe) => {
          const hi = lo + width;
          const grammar = parseGbnf(`root ::= ${integerRangeGbnf(lo, hi)}`);
          const automaton = new GrammarAutomaton(grammar);
          let state = automaton.start;
          for (const byte of new TextEncoder().encode(String(probe))) {
            state = automaton.step(state, byte);
            if (state < 0) break;
          }
          const accepted = state >= 0 && automaton.accepting(state);
          expect(accepted, `${probe} in [${lo}, ${hi}]`).toBe(probe >= lo && probe <= hi);
        },
      ),
      { numRuns: 300, seed: 21 },
    );
    expect(accepts({ type: 'integer', exclusiveMinimum: 5 }, '6')).toBe(true);
    expect(accepts({ type: 'integer', exclusiveMinimum: 5 }, '5')).toBe(false);
    expect(accepts({ type: 'integer', maximum: -10 }, '-123456')).toBe(true);
    expect(accepts({ type: 'integer', maximum: -10 }, '-9')).toBe(false);
  });

  it('number ranges with integer bounds match exactly the decimals in range (property test)', () => {
    const bound = fc.oneof(fc.integer({ min: -120, max: 120 }), fc.constant(Infinity), fc.constant(-Infinity));
    const decimal = fc
      .record({
        negative: fc.boolean(),
        whole: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 3 })),
        fraction: fc.option(fc.stringMatching(/^[0-9]{1,3}$/), { nil: undefined }),
      })
      .map(
        ({ negative, whole, fraction }) =>
          `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
      );
    fc.assert(
      fc.property(bound, bound, decimal, (a, b, text) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        if (lo === hi && !Number.isFinite(lo)) return;
        const automaton = new GrammarAutomaton(parseGbnf(`root ::= ${numberRangeGbnf(lo, hi)}`));
        let state = automaton.start;
        for (const byte of new TextEncoder().encode(text)) {
          state = automaton.step(state, byte);
          if (state < 0) break;
        }
        const accepted = state >= 0 && automaton.accepting(state);
        const value = Number(text);
        // "-0" and "-0.00" are refused when 0 is the lower bound (the grammar has no negative part).
        const negativeZero = text.startsWith('-') && value === 0 && lo === 0;
        expect(accepted, `${text} in [${lo}, ${hi}]`).toBe(value >= lo && value <= hi && !negativeZero);
      }),
      { numRuns: 600, seed: 31 },
    );
    expect(accepts({ type: 'number', minimum: -5, maximum: 10 }, '-5.0')).toBe(true);
    expect(accepts({ type: 'number', minimum: -5, maximum: 10 }, '-5.01')).toBe(false);
    expect(accepts({ type: 'number', minimum: 0 }, '1e5')).toBe(false);
  });

  it('rejects unsupported keywords and malformed schemas with messages that name them', () => {
    for (const [schema, message] of [
      [{ type: 'object', patternProperties: {} }, /"patternProperties".*not supported/],
      [{ type: 'object', properties: { a: {} }, minProperties: 2 }, /minProperties\/maxProperties .* cannot be met/],
      [{ type: 'number', minimum: 1.5 }, /number bounds must be integers/],
      [{ type: 'number', exclusiveMaximum: 1 }, /exclusiveMinimum\/exclusiveMaximum on numbers/],
      [{ type: 'string', format: 'hostname' }, /format "hostname"/],
      [{ $ref: 'https://example.com/s.json' }, /only local references/],
      [{ $ref: '#/$defs/missing' }, /points nowhere/],
      [{ type: 'object', properties: {}, required: ['x'] }, /required property "x"/],
      [{ type: 'string', pattern: '(a' }, /pattern at root/],
      [{ type: 'string', pattern: '["]' }, /JSON must escape/],
      [{ type: 'integer', minimum: 5, maximum: 4 }, /no integer/],
      [{ type: 'tuple' }, /unknown type/],
      [{ type: 'array', prefixItems: [{}], items: false, minItems: 2 }, /cannot be met/],
      [{ type: ['string', 3] }, /array of strings/],
      [{ type: 'object', properties: { a: {} }, required: 'a' }, /required must be an array of strings/],
      [false, /nothing is valid/],
    ] as const) {
      expect(() => jsonSchemaToGbnf(schema as JsonSchema), JSON.stringify(schema)).toThrow(ConstraintSyntaxError);
      expect(() => jsonSchemaToGbnf(schema as JsonSchema), JSON.stringify(schema)).toThrow(message);
    }
  });
});

describe('jsonSchemaConstraint over the tiny-lm vocabulary', () => {
  it('random walks over allowed tokens always give JSON valid for the schema', async () => {
    const { vocabulary } = await tinyVocabulary();
    for (const schema of [
      person,
      tree,
      { type: 'array', items: { type: 'integer', minimum: -50, maximum: 50 }, minItems: 2, maxItems: 4 },
    ]) {
      const constraint = jsonSchemaConstraint(schema, vocabulary);
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const walk = randomWalk(constraint, prng(seed), { maxSteps: 20, stopBias: 0.3, checkAgreement: true });
          expect(walk.completed).toBe(true);
          const value = JSON.parse(walk.text);
          expect(validate(value, schema), walk.text).toEqual([]);
        }),
        { numRuns: 15, seed: 9 },
      );
    }
  });

  it('random schemas of the subset: every completed walk is valid JSON for its schema', async () => {
    const { vocabulary } = await tinyVocabulary();
    const leaf = fc.oneof(
      fc.constant<JsonSchema>({ type: 'boolean' }),
      fc.constant<JsonSchema>({ type: 'null' }),
      fc.record({
        type: fc.constant('integer'),
        minimum: fc.integer({ min: -20, max: 0 }),
        maximum: fc.integer({ min: 0, max: 300 }),
      }),
      fc.record({ type: fc.constant('string'), maxLength: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ type: fc.constant('string'), pattern: fc.constantFrom('[a-c]+', 'x|yz', '\\d{2}') }),
      fc.record({
        enum: fc.uniqueArray(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 })), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
      fc.constant<JsonSchema>({ type: 'number' }),
      fc.record({
        type: fc.constant('number'),
        minimum: fc.integer({ min: -9, max: 0 }),
        maximum: fc.integer({ min: 0, max: 9 }),
      }),
      fc.record({ type: fc.constant('string'), format: fc.constantFrom('date', 'uuid', 'date-time') }),
      fc.record({ const: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant({ a: [1, null] })) }),
      fc.record({ type: fc.constant(['integer', 'null']) }),
    );
    const schemaArbitrary = fc.letrec<{ schema: JsonSchema }>((tie) => ({
      schema: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ type: fc.constant('array'), items: tie('schema'), maxItems: fc.integer({ min: 0, max: 3 }) }),
        fc.record({
          type: fc.constant('array'),
          prefixItems: fc.array(tie('schema'), { maxLength: 2 }),
          items: fc.oneof(tie('schema'), fc.constant<JsonSchema>(false)),
          minItems: fc.integer({ min: 0, max: 2 }),
          maxItems: fc.integer({ min: 2, max: 4 }),
        }),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), tie('schema'), { maxKeys: 3 }).chain((properties) =>
          fc.record({
            type: fc.constant('object'),
            properties: fc.constant(properties),
            required: fc.subarray(Object.keys(properties)),
          }),
        ),
        fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
        fc.record({
          type: fc.constant('object'),
          additionalProperties: tie('schema'),
          minProperties: fc.integer({ min: 0, max: 1 }),
          maxProperties: fc.integer({ min: 1, max: 3 }),
        }),
        fc
          .dictionary(fc.stringMatching(/^[a-z]{1,3}$/), tie('schema'), { maxKeys: 2 })
          .map(
            (properties) => ({ type: 'object', properties, additionalProperties: { type: 'boolean' } }) as JsonSchema,
          ),
        fc
          .record({
            properties: fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), tie('schema'), { maxKeys: 3 }),
            extra: fc.boolean(),
            min: fc.integer({ min: 0, max: 2 }),
            more: fc.integer({ min: 0, max: 2 }),
          })
          .map(
            ({ properties, extra, min, more }) =>
              ({
                type: 'object',
                properties,
                additionalProperties: extra ? { type: 'integer' } : false,
                minProperties: min,
                maxProperties: min + more,
              }) as JsonSchema,
          ),
      ),
    })).schema;
    fc.assert(
      fc.property(schemaArbitrary, fc.integer(), fc.constantFrom('compact', 'pretty'), (schema, seed, whitespace) => {
        let constraint: ReturnType<typeof jsonSchemaConstraint>;
        try {
          constraint = jsonSchemaConstraint(schema, vocabulary, { whitespace: whitespace as 'compact' | 'pretty' });
        } catch (error) {
          // Generated schemas can be unsatisfiable (minItems beyond a closed tuple): the compiler says so.
          expect(error).toBeInstanceOf(ConstraintSyntaxError);
          expect((error as Error).message).toMatch(/cannot be met/);
          return;
        }
        const walk = randomWalk(constraint, prng(seed), { maxSteps: 12, stopBias: 0.4 });
        expect(walk.completed).toBe(true);
        const errors = validate(JSON.parse(walk.text), schema);
        // A grammar cannot forbid repeating a key among additional properties; JSON.parse then
        // keeps one, so only a member count can come out short.
        if (hasDuplicateKeys(walk.text)) {
          expect(
            errors.every((error) => /minProperties/.test(error)),
            walk.text,
          ).toBe(true);
        } else expect(errors, `${walk.text} for ${JSON.stringify(schema)}`).toEqual([]);
      }),
      { numRuns: 40, seed: 17 },
    );
  });
});
