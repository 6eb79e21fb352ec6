import { InvalidArgumentError } from '@decodekit/core';

/** A token corpus: one document or several, as token ids, or as text with an `encode` function. */
export type TokenCorpus = string | ArrayLike<number> | readonly (string | ArrayLike<number>)[];

/** Turns a corpus into token documents, encoding text with `encode`. @internal */
export function corpusDocuments(
  corpus: TokenCorpus,
  encode: ((text: string) => ArrayLike<number>) | undefined,
  setting: string,
): ArrayLike<number>[] {
  // A plain number[] is one document; an array of strings or token arrays is several.
  const several = Array.isArray(corpus) && corpus.length > 0 && typeof corpus[0] !== 'number';
  const items = (several ? corpus : [corpus]) as readonly (string | ArrayLike<number>)[];
  return items.map((item, i) => {
    if (typeof item !== 'string') return item;
    if (!encode) {
      throw new InvalidArgumentError(
        setting,
        `document ${i} is text; pass \`encode\` (the target tokenizer's encode) or give token ids`,
      );
    }
    return encode(item);
  });
}
