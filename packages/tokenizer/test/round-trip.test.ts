import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../src/index.js';
import type { Tokenizer } from '../src/types.js';
import { corpusDocuments, fixtureDirectory } from './helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(fixtureDirectory);
});

describe('decode(encode(text)) = text', () => {
  it('holds on every document of the corpus test split', () => {
    const documents = corpusDocuments();
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const ids = tokenizer.encode(document.text);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThanOrEqual(Buffer.byteLength(document.text));
      expect(tokenizer.decode(ids), document.name).toBe(document.text);
    }
  });

  it('holds for fuzzed Unicode strings (byte-level BPE covers every code point)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text), { skipSpecialTokens: false })).toBe(text);
      }),
      { numRuns: 400, seed: 42 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keeps special tokens in the text only when asked to', () => {
    const text = '<|im_start|>user\nhello<|im_end|>\n<|endoftext|>';
    const ids = tokenizer.encode(text);
    const imStart = tokenizer.tokenToId('<|im_start|>');
    expect(imStart).toBeDefined();
    expect(ids[0]).toBe(imStart);
    expect(ids.at(-1)).toBe(tokenizer.specialTokens.eos[0]);
    expect(tokenizer.decode(ids, { skipSpecialTokens: false })).toBe(text);
    expect(tokenizer.decode(ids)).toBe('user\nhello\n');
  });

  it('gives an empty list and an empty string for empty input', () => {
    expect(tokenizer.encode('')).toEqual([]);
    expect(tokenizer.decode([])).toBe('');
    expect(tokenizer.decode(new Int32Array(0))).toBe('');
  });
});
