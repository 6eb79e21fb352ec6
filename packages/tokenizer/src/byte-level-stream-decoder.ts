import type { StreamDecoder } from './types.js';

/** What a byte-level stream decoder needs to know about each token id. */
export interface ByteLevelTable {
  /** Raw bytes of each vocabulary token (undefined for added tokens and unused ids). */
  readonly bytes: readonly (Uint8Array | undefined)[];
  /** Added tokens (special or not) by id: their text is inserted literally, as Hugging Face does. */
  readonly added: ReadonlyMap<number, string>;
  /** Ids of special tokens, dropped when skipping special tokens. */
  readonly special: ReadonlySet<number>;
}

/** The GPT-2 table that maps each byte to the printable character byte-level vocabularies store it as. */
export function byteLevelCharacterToByte(): Map<string, number> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map = new Map<string, number>();
  for (const b of printable) map.set(String.fromCharCode(b), b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) map.set(String.fromCharCode(256 + shifted++), b);
  }
  return map;
}

/** Converts a byte-level vocabulary string to its bytes; undefined if a character is not in the table. */
export function byteLevelTokenBytes(
  token: string,
  characterToByte: ReadonlyMap<string, number>,
): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const byte = characterToByte.get(token[i]);
    if (byte === undefined) return undefined;
    bytes[i] = byte;
  }
  return bytes;
}

/**
 * A streaming detokenizer for byte-level BPE: token bytes go through one streaming `TextDecoder`,
 * which holds back an incomplete UTF-8 character until its last byte arrives. Added tokens end the
 * current byte run (as Hugging Face decodes the runs between them separately), so the concatenated
 * output equals a one-shot decode exactly.
 */
export function createByteLevelStreamDecoder(
  table: ByteLevelTable,
  skipSpecialTokens: boolean,
  checkId: (id: number) => void,
): StreamDecoder {
  let decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  return {
    push(tokens) {
      let text = '';
      for (let i = 0; i < tokens.length; i++) {
        const id = tokens[i];
        checkId(id);
        const added = table.added.get(id);
        if (added !== undefined) {
          if (skipSpecialTokens && table.special.has(id)) continue;
          text += decoder.decode();
          text += added;
          continue;
        }
        const bytes = table.bytes[id];
        if (bytes) text += decoder.decode(bytes, { stream: true });
      }
      return text;
    },
    flush() {
      const rest = decoder.decode();
      decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      return rest;
    },
  };
}
