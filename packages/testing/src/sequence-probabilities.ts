import { InvalidArgumentError, type SamplerChain } from '@decodekit/core';

/** Anything that can tell its next-token logits for a context: every mock model of this package. */
export interface LogitsFunction {
  readonly vocabSize: number;
  logitsFor(context: ArrayLike<number>): Float32Array;
}

/** The index of a token sequence in a `sequenceProbabilities` table: the first token is the most significant digit. */
export function sequenceIndex(tokens: ArrayLike<number>, vocabSize: number): number {
  let index = 0;
  for (let i = 0; i < tokens.length; i++) index = index * vocabSize + tokens[i];
  return index;
}

/** The token sequence at `index` of a `sequenceProbabilities` table (inverse of `sequenceIndex`). */
export function sequenceAt(index: number, length: number, vocabSize: number): number[] {
  const tokens = new Array<number>(length);
  for (let i = length - 1; i >= 0; i--) {
    tokens[i] = index % vocabSize;
    index = Math.floor(index / vocabSize);
  }
  return tokens;
}

/**
 * The exact joint distribution of the next `length` tokens after `prompt` when each one is drawn
 * by `sampler` from `model`'s logits (the sampler's processors see the prompt and the tokens drawn so
 * far, as in the decode loop). Returns `vocabSize ** length` probabilities indexed by
 * `sequenceIndex`. Stop tokens are not special: the table covers all sequences.
 */
export function sequenceProbabilities(
  model: LogitsFunction,
  prompt: ArrayLike<number>,
  length: number,
  sampler: SamplerChain,
): Float64Array {
  const { vocabSize } = model;
  if (!Number.isInteger(length) || length < 0)
    throw new InvalidArgumentError('length', `must be an integer >= 0, got ${length}`);
  if (vocabSize ** length > 2 ** 24) {
    throw new InvalidArgumentError(
      'length',
      `vocabSize ** length = ${vocabSize ** length} cells is too many to enumerate; use a smaller vocabulary or length`,
    );
  }
  if (sampler.stateful) {
    throw new InvalidArgumentError(
      'sampler',
      'a stateful chain depends on earlier choices, so its sequence probabilities cannot be enumerated this way',
    );
  }
  const table = new Float64Array(vocabSize ** length);
  const context = Array.from(prompt);
  const promptLength = context.length;
  const visit = (depth: number, index: number, probability: number) => {
    if (depth === length) {
      table[index] += probability;
      return;
    }
    const row = model.logitsFor(context);
    const distribution = sampler.distribution(row, { tokens: context, promptLength }, row);
    for (let token = 0; token < vocabSize; token++) {
      const p = distribution[token];
      if (p <= 0) continue;
      context.push(token);
      visit(depth + 1, index * vocabSize + token, probability * p);
      context.pop();
    }
  };
  visit(0, 0, 1);
  return table;
}
