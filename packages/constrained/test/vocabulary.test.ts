import { tinyLm } from '@decodekit/models-tiny';
import { createTokenizer, loadTokenizer } from '@decodekit/tokenizer';
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
    expect(tokenizerVocabulary(tokenizer)).toBe(vocabulary);
    expect(tokenizerVocabulary(tokenizer, { eos: 3 })).not.toBe(vocabulary);
    expect(tokenizerVocabulary(tokenizer, { eos: 3 }).eos).toBe(3);
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

describe('tokenizerVocabulary on a SentencePiece-style tokenizer (Metaspace, byte fallback)', () => {
  it('maps "▁" to a space and <0xHH> pieces to their byte, so encoded text reassembles exactly', () => {
    const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
    for (let byte = 0; byte < 256; byte++) vocab[`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + byte;
    for (const piece of ['▁', ...'abcdefghijklmnopqrstuvwxyz', '▁t', 'he', '▁the'])
      vocab[piece] ??= Object.keys(vocab).length;
    const special = (id: number, content: string) => ({
      id,
      content,
      special: true,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
    });
    const tokenizer = createTokenizer({
      tokenizer: {
        version: '1.0',
        added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
        normalizer: {
          type: 'Sequence',
          normalizers: [
            { type: 'Prepend', prepend: '▁' },
            { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
          ],
        },
        pre_tokenizer: null,
        post_processor: null,
        decoder: {
          type: 'Sequence',
          decoders: [
            { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
            { type: 'ByteFallback' },
            { type: 'Fuse' },
            { type: 'Strip', content: ' ', start: 1, stop: 0 },
          ],
        },
        model: {
          type: 'BPE',
          dropout: null,
          unk_token: '<unk>',
          continuing_subword_prefix: null,
          end_of_word_suffix: null,
          fuse_unk: true,
          byte_fallback: true,
          vocab,
          merges: ['▁ t', 'h e', '▁t he'],
        },
      },
      config: { eos_token: '</s>', bos_token: '<s>', unk_token: '<unk>', clean_up_tokenization_spaces: false },
    });
    expect(tokenizer.byteLevel).toBe(false);
    const vocabulary = tokenizerVocabulary(tokenizer);
    expect(vocabulary.eos).toBe(2);
    const text = 'the end of 世界 ok';
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    expect(ids.some((id) => id >= 3 && id < 259)).toBe(true);
    const bytes = ids.flatMap((id) => [...vocabulary.bytes(id)]);
    // The vocabulary sees the leading space the Metaspace normalizer added (the decoder strips it).
    expect(new TextDecoder().decode(new Uint8Array(bytes))).toBe(` ${text}`);
  });
});
