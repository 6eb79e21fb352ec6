import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextDiffStreamDecoder, loadTokenizer } from '../src/index.js';
import type { StreamDecoder, Tokenizer } from '../src/types.js';
import { corpusDocuments, fixtureDirectory } from './helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(fixtureDirectory);
});

const samples = [
  'héllo wörld',
  '日本語のテキストと中文字符',
  'emoji 🙂👍🏽 and a family 👨‍👩‍👧‍👦 and flags 🇯🇵🇫🇷',
  'def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n',
  'mixed: Ω≈ç√ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u0000\u007f end',
];

/** Splits `ids` into consecutive chunks at the given cut points. */
function chunks(ids: readonly number[], cuts: readonly number[]): number[][] {
  const points = [...new Set(cuts.map((c) => c % (ids.length + 1)))].sort((a, b) => a - b);
  const out: number[][] = [];
  let start = 0;
  for (const point of [...points, ids.length]) {
    out.push(ids.slice(start, point));
    start = point;
  }
  return out;
}

function streamAll(decoder: StreamDecoder, parts: readonly number[][]): string[] {
  const deltas = parts.map((part) => decoder.push(part));
  deltas.push(decoder.flush());
  return deltas;
}

type DecoderFactory = (skipSpecialTokens: boolean) => StreamDecoder;

const decoders: [string, DecoderFactory][] = [
  ['byte-level', (skip) => tokenizer.createStreamDecoder({ skipSpecialTokens: skip })],
  [
    'text-diff (generic)',
    (skip) => createTextDiffStreamDecoder((ids) => tokenizer.decode(ids, { skipSpecialTokens: skip })),
  ],
];

describe.each(decoders)('%s stream decoder', (_name, makeDecoder) => {
  it('deltas concatenate to the full decode, for random splits of emoji/CJK text', () => {
    expect(tokenizer.byteLevel).toBe(true);
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const ids = tokenizer.encode(text);
        const deltas = streamAll(makeDecoder(true), chunks(ids, cuts));
        expect(deltas.join('')).toBe(tokenizer.decode(ids));
        expect(deltas.join('')).toBe(text);
        // A character split across tokens is held back, never shown as U+FFFD.
        for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('deltas concatenate to the full decode for fuzzed Unicode, token by token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (text) => {
        const ids = tokenizer.encode(text);
        const deltas = streamAll(
          makeDecoder(false),
          ids.map((id) => [id]),
        );
        expect(deltas.join('')).toBe(text);
        for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('holds back the first bytes of a character until it completes', () => {
    const ids = tokenizer.encode('🙂');
    expect(ids.length).toBeGreaterThan(1); // four UTF-8 bytes, no merge in a 4k vocabulary
    const decoder = makeDecoder(true);
    const seen = ids.slice(0, -1).map((id) => decoder.push([id]));
    expect(seen.join('')).toBe('');
    expect(decoder.push([ids.at(-1) as number])).toBe('🙂');
    expect(decoder.flush()).toBe('');
  });

  it('matches decode with special tokens interleaved, skipped or kept', () => {
    const eos = tokenizer.specialTokens.eos[0];
    const body = tokenizer.encode('世界 🙂 ok');
    // A special token between the bytes of one character ends that byte run, as in a one-shot decode.
    const ids = [...body.slice(0, 2), eos, ...body.slice(2), eos];
    for (const skip of [true, false]) {
      const deltas = streamAll(
        makeDecoder(skip),
        ids.map((id) => [id]),
      );
      expect(deltas.join('')).toBe(tokenizer.decode(ids, { skipSpecialTokens: skip }));
    }
  });

  it('streams a whole corpus document with the same text as decode', () => {
    const document = corpusDocuments()[0];
    const ids = tokenizer.encode(document.text.slice(0, 20_000));
    const deltas = streamAll(makeDecoder(true), chunks(ids, [5, 17, 100, 101, 2000, 2003]));
    expect(deltas.join('')).toBe(document.text.slice(0, 20_000));
  });
});

it('the stream decoder rejects token ids outside the vocabulary', () => {
  const decoder = tokenizer.createStreamDecoder();
  expect(() => decoder.push([tokenizer.vocabSize])).toThrow(/outside the vocabulary/);
  expect(() => tokenizer.decode([-1])).toThrow(expect.objectContaining({ code: 'token-out-of-range' }));
});
