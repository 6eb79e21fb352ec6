import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../src/index.js';
import { corpusDocuments } from './helpers.js';

// The tokenizers the tiny zoo ships (tools/fixtures writes them next to each model's config.json).
const zoo = fileURLToPath(new URL('../../models-tiny/models', import.meta.url));
const directories = existsSync(zoo)
  ? readdirSync(zoo)
      .map((name) => join(zoo, name))
      .filter((directory) => existsSync(join(directory, 'tokenizer.json')))
  : [];

describe('the tiny zoo tokenizers', () => {
  it('are there', () => {
    expect(directories.length).toBeGreaterThan(0);
  });

  it.each(directories)('%s: matches config.json and round-trips the test split', async (directory) => {
    const tokenizer = await loadTokenizer(directory);
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
    expect(tokenizer.vocabSize).toBeLessThanOrEqual(config.vocab_size);
    expect(tokenizer.specialTokens.eos).toContain(config.eos_token_id);
    expect(tokenizer.byteLevel).toBe(true);
    expect(tokenizer.chatTemplate).toBeDefined();
    for (const document of corpusDocuments().slice(0, 12)) {
      const text = document.text.slice(0, 8000);
      expect(tokenizer.decode(tokenizer.encode(text)), document.name).toBe(text);
    }
  });
});
