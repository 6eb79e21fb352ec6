import { DecodekitError } from '@decodekit/core';

/** Where a method's greedy output first left autoregressive greedy decoding. */
export interface GreedyMismatch {
  readonly method: string;
  readonly suite: string;
  readonly taskId: string;
  /** Where the prompt comes from (`document @ offset`). */
  readonly source: string;
  /** The prompt text (as decoded from its tokens). */
  readonly promptText: string;
  readonly repetition: number;
  /** Index of the first differing generated token. */
  readonly position: number;
  /** Autoregressive greedy's token there (undefined when the method's output is longer). */
  readonly expected: number | undefined;
  /** The method's token there (undefined when its output is shorter). */
  readonly actual: number | undefined;
}

/**
 * A lossless method produced different tokens from autoregressive greedy decoding: a correctness
 * bug in the drafter, the verifier or the runtime. The message names the prompt and the position.
 */
export class GreedyMismatchError extends DecodekitError {
  readonly mismatch: GreedyMismatch;
  constructor(mismatch: GreedyMismatch) {
    const prompt = mismatch.promptText.length > 120 ? `…${mismatch.promptText.slice(-120)}` : mismatch.promptText;
    super(
      'invalid-state',
      `greedy equality check failed: method '${mismatch.method}' differs from autoregressive greedy on prompt ${mismatch.taskId} ` +
        `(${mismatch.source}, repetition ${mismatch.repetition}) at generated token ${mismatch.position}: ` +
        `expected ${mismatch.expected ?? 'end of output'}, got ${mismatch.actual ?? 'end of output'}. ` +
        `Prompt ends with: ${JSON.stringify(prompt)}. A lossless method must reproduce greedy decoding exactly; ` +
        `rerun with --methods autoregressive,${mismatch.method} --suites ${mismatch.suite} to reproduce.`,
    );
    this.name = 'GreedyMismatchError';
    this.mismatch = mismatch;
  }
}

/** The first index where `actual` differs from `expected`, or -1 when they are equal. */
export function firstDifference(expected: readonly number[], actual: readonly number[]): number {
  const shared = Math.min(expected.length, actual.length);
  for (let i = 0; i < shared; i++) if (expected[i] !== actual[i]) return i;
  return expected.length === actual.length ? -1 : shared;
}
