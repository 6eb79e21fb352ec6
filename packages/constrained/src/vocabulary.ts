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
 * to its exact bytes. SentencePiece-style vocabularies (`▁` for spaces, `<0xHH>` byte-fallback
 * pieces: Llama 2, Mistral) map `▁` to a space and byte pieces to their byte; the decoder's removal
 * of the very first leading space is not modelled (the constraint sees that space). Other
 * tokenizers fall back to the UTF-8 of each token decoded alone. Special tokens get no bytes, so
 * constraints never allow them; `eos` is the one special token allowed, when the output is complete.
 * The same object is returned for the same tokenizer and `eos`, so constraints share their indexes.
 */
export function tokenizerVocabulary(tokenizer: Tokenizer, options: TokenizerVocabularyOptions = {}): TokenVocabulary {
  const eos = options.eos ?? tokenizer.specialTokens.eos[0];
  if (eos === undefined) {
    throw new InvalidArgumentError('eos', 'the tokenizer defines no end-of-sequence token; pass options.eos');
  }
  // One vocabulary object per (tokenizer, eos): constraints share their indexes per vocabulary object.
  let byEos = vocabularies.get(tokenizer);
  if (byEos === undefined) {
    byEos = new Map();
    vocabularies.set(tokenizer, byEos);
  }
  let vocabulary = byEos.get(eos);
  if (vocabulary === undefined) {
    vocabulary = buildTokenizerVocabulary(tokenizer, eos);
    byEos.set(eos, vocabulary);
  }
  return vocabulary;
}

const vocabularies = new WeakMap<Tokenizer, Map<number, TokenVocabulary>>();

function buildTokenizerVocabulary(tokenizer: Tokenizer, eos: number): TokenVocabulary {
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
    // Not byte-level. SentencePiece-style vocabularies mark spaces with "▁" and spell raw bytes as
    // "<0xHH>": map those exactly; anything else falls back to the token's text decoded alone.
    const metaspace = Array.from({ length: size }, (_, id) => tokenizer.idToToken(id)).some((t) =>
      t?.includes('\u2581'),
    );
    for (let id = 0; id < size; id++) {
      const token = tokenizer.idToToken(id);
      if (token === undefined || id === eos || tokenizer.specialTokenIds.has(id)) {
        table[id] = empty;
        continue;
      }
      const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
      if (byte) table[id] = new Uint8Array([Number.parseInt(byte[1], 16)]);
      else if (metaspace) table[id] = encoder.encode(token.replaceAll('\u2581', ' '));
      else table[id] = encoder.encode(tokenizer.decode([id], { skipSpecialTokens: false }));
    }
  }
  return { size, eos, bytes: (token) => table[token] ?? empty };
}
