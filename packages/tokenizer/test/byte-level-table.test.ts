import { beforeAll, describe, expect, it } from 'vitest';
import { byteLevelCharacterToByte, byteLevelTokenBytes, loadTokenizer } from '../src/index.js';
import type { Tokenizer } from '../src/types.js';
import { fixtureDirectory } from './helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(fixtureDirectory);
});

describe('byte-level vocabulary strings to bytes (exported for constraint vocabularies)', () => {
  it('maps all 256 bytes to distinct characters and back', () => {
    const table = byteLevelCharacterToByte();
    expect(table.size).toBe(256);
    expect(new Set(table.values()).size).toBe(256);
    expect(byteLevelTokenBytes('Ġa', table)).toEqual(new Uint8Array([0x20, 0x61]));
    expect(byteLevelTokenBytes('<|im_end|>', table)).toEqual(new TextEncoder().encode('<|im_end|>'));
    expect(byteLevelTokenBytes('\u4e00', table)).toBeUndefined();
  });

  it('gives each vocabulary token the bytes its decode produces', () => {
    const table = byteLevelCharacterToByte();
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let checked = 0;
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      if (tokenizer.specialTokenIds.has(id)) continue;
      const bytes = byteLevelTokenBytes(tokenizer.idToToken(id) ?? '', table);
      expect(bytes, `token ${id}`).toBeDefined();
      let text: string | undefined;
      try {
        text = decoder.decode(bytes);
      } catch {
        continue; // a partial UTF-8 character: decode would print U+FFFD
      }
      expect(tokenizer.decode([id]), `token ${id}`).toBe(text);
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });
});
