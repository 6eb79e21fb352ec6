import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '@decodekit/core';

/**
 * Reads and parses a JSON file of a model directory. A missing file gives `undefined` when
 * `optional`, else a `ModelFormatError` that names the path and says what to do.
 */
export async function readJsonFile(
  path: string,
  what: string,
  optional: boolean,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (optional) return undefined;
      throw new ModelFormatError(`${path} not found: ${what}`, { cause: error });
    }
    throw new ModelFormatError(`${path} could not be read (${(error as Error).message}): ${what}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(
      `${path} is not valid JSON (${(error as Error).message}); re-export it, e.g. with tokenizer.save_pretrained(dir) in Python.`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${path} must hold a JSON object; re-export it with tokenizer.save_pretrained(dir).`);
  }
  return value as Record<string, unknown>;
}
