import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../src/index.js';

/**
 * A Llama-2-style tokenizer.json built here: BPE over "▁"-marked words with byte fallback
 * (<0xXX> tokens for characters outside the vocabulary) and the decoder chain that turns "▁" back
 * into spaces, fuses byte tokens and strips the leading space. It is not byte-level, so its
 * streaming goes through the generic re-decode window.
 */
function sentencePieceStyleTokenizer() {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let byte = 0; byte < 256; byte++) {
    vocab[`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + byte;
  }
  const pieces = ['▁', ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?()\'"-'];
  const merges: [string, string][] = [
    ['▁', 't'],
    ['h', 'e'],
    ['▁t', 'he'],
    ['▁', 'a'],
    ['▁a', 'n'],
    ['▁an', 'd'],
    ['▁', 'o'],
    ['▁o', 'f'],
    ['i', 'n'],
  ];
  for (const piece of [...pieces, ...merges.map(([a, b]) => a + b)]) vocab[piece] ??= Object.keys(vocab).length;
  return createTokenizer({
    tokenizer: {
      version: '1.0',
      added_tokens: [
        { id: 0, content: '<unk>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
        { id: 1, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
        { id: 2, content: '</s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
      ],
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
        merges: merges.map(([a, b]) => `${a} ${b}`),
      },
    },
    config: { eos_token: '</s>', bos_token: '<s>', unk_token: '<unk>', clean_up_tokenization_spaces: false },
    source: 'sentencepiece-style fixture',
  });
}

const tokenizer = sentencePieceStyleTokenizer();

describe('a SentencePiece-style (Metaspace + byte fallback) tokenizer', () => {
  it('round-trips text, using byte tokens for characters outside its vocabulary', () => {
    expect(tokenizer.byteLevel).toBe(false);
    const text = 'the end of 世界 and 🙂 in it';
    const ids = tokenizer.encode(text);
    expect(ids.some((id) => id >= 3 && id < 259)).toBe(true); // byte fallback was used
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.specialTokens).toMatchObject({ eos: [2], bos: 1, unk: 0 });
  });

  it('streams deltas that concatenate to the full decode, spaces and split characters included', () => {
    const words = fc.constantFrom('the', 'and', 'of', 'in', 'Hello', '世界', '🙂', 'naïve', '3.14', 'x!');
    fc.assert(
      fc.property(
        fc.array(words, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (list, cuts) => {
          const text = list.join(' ');
          const ids = tokenizer.encode(text);
          const points = [...new Set(cuts.map((cut) => cut % (ids.length + 1)))].sort((a, b) => a - b);
          const decoder = tokenizer.createStreamDecoder();
          const deltas: string[] = [];
          let start = 0;
          for (const point of [...points, ids.length]) {
            deltas.push(decoder.push(ids.slice(start, point)));
            start = point;
          }
          deltas.push(decoder.flush());
          expect(deltas.join('')).toBe(tokenizer.decode(ids));
          expect(deltas.join('')).toBe(text);
          for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('emits each word as soon as it is complete, with its leading space', () => {
    const decoder = tokenizer.createStreamDecoder();
    const [first, ...rest] = tokenizer.encode('the end');
    expect(decoder.push([first])).toBe('the');
    expect(rest.map((id) => decoder.push([id])).join('')).toBe(' end');
    expect(decoder.flush()).toBe('');
  });
});
