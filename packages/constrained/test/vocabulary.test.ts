import { tinyLm } from '@decodekit/models-tiny';
import { loadTokenizer } from '@decodekit/tokenizer';
import { describe, expect, it } from 'vitest';
import { byteVocabulary, tokenizerVocabulary } from '../src/index.js';

describe('tokenizerVocabulary', () => {
  it('gives every token of the tiny zoo tokenizer the bytes it decodes to', async () => {
    const tokenizer = await loadTokenizer(tinyLm);
    const vocabulary = tokenizerVocabulary(tokenizer);
    expect(vocabulary.size).toBe(4096);
    expect(vocabulary.eos).toBe(tokenizer.specialTokens.eos[0]);
    expect(vocabulary.bytes(vocabulary.eos).length).toBe(0);
    for (const id of tokenizer.specialTokenIds) expect(vocabulary.bytes(id).length).toBe(0);
    const text = 'def main():\n    return {"a": [1, 2.5]}  # ünïcödé';
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    const parts = ids.map((id) => vocabulary.bytes(id));
    const joined = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    expect(new TextDecoder().decode(joined)).toBe(text);
  });
});

describe('byteVocabulary', () => {
  it('encodes strings as UTF-8 and gives eos no bytes', () => {
    const vocabulary = byteVocabulary(['<eos>', 'a', 'é'], 0);
    expect(vocabulary.size).toBe(3);
    expect([...vocabulary.bytes(2)]).toEqual([0xc3, 0xa9]);
    expect(vocabulary.bytes(0).length).toBe(0);
    expect(() => byteVocabulary(['a'], 3)).toThrow(/eos/);
  });
});
