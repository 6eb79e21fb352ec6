import { InvalidArgumentError, type LogitsProcessor } from '@decodekit/core';

/**
 * Bans tokens and token sequences (Hugging Face's `bad_words_ids` / `NoBadWordsLogitsProcessor`,
 * `suppress_tokens`): a single id is always masked; a sequence `[a, b, c]` masks `c` whenever the
 * context ends with `a, b`. Ids outside the row are ignored.
 *
 * @param banned - token ids, or sequences of them (each non-empty); empty disables it.
 */
export function bannedTokens(banned: ReadonlyArray<number | readonly number[]>): LogitsProcessor {
  const singles: number[] = [];
  const sequences: number[][] = [];
  for (const entry of banned) {
    const ids = typeof entry === 'number' ? [entry] : Array.from(entry);
    if (ids.length === 0) throw new InvalidArgumentError('bannedTokens', 'a banned sequence must not be empty');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0) {
        throw new InvalidArgumentError('bannedTokens', `token ids must be integers >= 0, got ${id}`);
      }
    }
    if (ids.length === 1) singles.push(ids[0]);
    else sequences.push(ids);
  }
  return {
    name: 'banned-tokens',
    process(logits, context) {
      for (const token of singles) if (token < logits.length) logits[token] = Number.NEGATIVE_INFINITY;
      const tokens = context.tokens;
      for (const sequence of sequences) {
        const prefix = sequence.length - 1;
        if (tokens.length < prefix) continue;
        let match = true;
        for (let j = 0; j < prefix; j++) {
          if (tokens[tokens.length - prefix + j] !== sequence[j]) {
            match = false;
            break;
          }
        }
        const last = sequence[prefix];
        if (match && last < logits.length) logits[last] = Number.NEGATIVE_INFINITY;
      }
    },
  };
}
