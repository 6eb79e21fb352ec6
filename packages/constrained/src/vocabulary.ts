import { InvalidArgumentError } from '@decodekit/core';
import { byteLevelCharacterToByte, byteLevelTokenBytes, type Tokenizer } from '@decodekit/tokenizer';
import type { TokenVocabulary } from './constraint.js';

const empty = new Uint8Array(0);

/**
 * A vocabulary from explicit byte strings (or text, encoded as UTF-8): handy for tests and for
 * tokenizers decodekit does not load. Empty entries are tokens that constraints never allow.
 */
export function byteVocabulary(tokens: readonly (Uint8Array | string)[], eos: number): TokenVocabulary {
  if (!Number.isInteger(eos) || eos < 0 || eos >= tokens.length) {
    throw new InvalidArgumentError('eos', `must be a token id in 0..${tokens.length - 1}, got ${eos}`);
  }
  const encoder = new TextEncoder();
  const table = tokens.map((token, id) =>
    id === eos ? empty : typeof token === 'string' ? encoder.encode(token) : token,
  );
  return {
    size: table.length,
    eos,
    bytes: (token) => table[token] ?? empty,
  };
}

/** Options of `tokenizerVocabulary`. */
export interface TokenizerVocabularyOptions {
  /** The end-of-sequence token (default: the tokenizer's first `eos` token). */
  readonly eos?: number;
}

/**
 * The byte strings of a loaded `tokenizer.json` (see `loadTokenizer` of `@decodekit/tokenizer`).
 * Byte-level BPE vocabularies (GPT-2 style, like the tiny zoo's) map each vocabulary string back
 * to its exact bytes; other tokenizers fall back to the UTF-8 of each token decoded alone (exact
 * for most SentencePiece vocabularies except byte-fallback pieces). Special tokens get no bytes, so
 * constraints never allow them; `eos` is the one special token allowed, when the output is complete.
 */
export function tokenizerVocabulary(tokenizer: Tokenizer, options: TokenizerVocabularyOptions = {}): TokenVocabulary {
  const eos = options.eos ?? tokenizer.specialTokens.eos[0];
  if (eos === undefined) {
    throw new InvalidArgumentError('eos', 'the tokenizer defines no end-of-sequence token; pass options.eos');
  }
  const size = tokenizer.vocabSize;
  const characterToByte = byteLevelCharacterToByte();
  const encoder = new TextEncoder();
  const table: Uint8Array[] = new Array(size);
  let byteLevel = true;
  for (let id = 0; id < size; id++) {
    const token = tokenizer.idToToken(id);
    if (token === undefined || id === eos || tokenizer.specialTokenIds.has(id)) {
      table[id] = empty;
      continue;
    }
    const bytes = byteLevel ? byteLevelTokenBytes(token, characterToByte) : undefined;
    if (bytes) table[id] = bytes;
    else {
      byteLevel = false;
      break;
    }
  }
  if (!byteLevel) {
    // Not a byte-level vocabulary (a character outside the GPT-2 byte table): use each token's text.
    for (let id = 0; id < size; id++) {
      const special = tokenizer.idToToken(id) === undefined || id === eos || tokenizer.specialTokenIds.has(id);
      table[id] = special ? empty : encoder.encode(tokenizer.decode([id], { skipSpecialTokens: false }));
    }
  }
  return { size, eos, bytes: (token) => table[token] ?? empty };
}
