import type { RunStatistics } from './statistics.js';

/** Why generation stopped. */
export type FinishReason =
  /** An end-of-sequence token, a stop token or a stop sequence was generated. */
  | 'stop'
  /** `maxNewTokens` was reached. */
  | 'length'
  /** The model's context window is full. */
  | 'context-length';

export interface GenerateResult {
  /** Generated token ids (a stop token that ended generation is included). */
  readonly tokens: number[];
  /** Decoded text of `tokens` (without a stop sequence), when a tokenizer was given. */
  readonly text?: string;
  readonly finishReason: FinishReason;
  readonly stats: RunStatistics;
}

/** The events `stream()` yields, in order: `stream-start`, then deltas and step events, then `finish` or `error`. */
export type DecodeEvent =
  | { readonly type: 'stream-start'; readonly promptTokens: number; readonly strategy: string }
  /** Newly committed tokens, and their text when a tokenizer was given (may be '' mid-character). */
  | { readonly type: 'token-delta'; readonly tokens: readonly number[]; readonly text?: string }
  /** A drafter proposed `drafted` tokens (a tree counts every node) in `timeMs`. */
  | { readonly type: 'draft-end'; readonly drafted: number; readonly timeMs: number }
  /** The target verified a draft: `accepted` of its tokens were kept, `committed` tokens added in all. */
  | {
      readonly type: 'verify-end';
      readonly drafted: number;
      readonly accepted: number;
      readonly committed: number;
      readonly timeMs: number;
    }
  | { readonly type: 'finish'; readonly result: GenerateResult }
  | { readonly type: 'error'; readonly error: unknown };
