import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A byte-level BPE tokenizer (a copy of the tiny zoo's, 4096 tokens, ChatML specials). */
export const fixtureDirectory = fileURLToPath(new URL('./fixtures/byte-level-bpe', import.meta.url));

const testSplit = fileURLToPath(new URL('../../models-tiny/data/test.jsonl', import.meta.url));

/**
 * Documents of the tiny zoo's held-out test split (KJV books and Python sources). Falls back to a
 * few KB of this machine's Python sources if the split is not there, so the test still checks text.
 */
export function corpusDocuments(): { name: string; text: string }[] {
  if (existsSync(testSplit)) {
    return readFileSync(testSplit, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; text: string });
  }
  const directory = '/usr/lib/python3.11';
  return readdirSync(directory)
    .filter((name) => name.endsWith('.py'))
    .slice(0, 8)
    .map((name) => ({ name, text: readFileSync(`${directory}/${name}`, 'utf8').slice(0, 4000) }));
}
