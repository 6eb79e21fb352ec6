import type { TextTokenizer } from '@decodekit/core';

/** One turn of a conversation, as chat templates expect it. */
export interface ChatMessage {
  /** `system`, `user`, `assistant`, `tool`, or whatever roles the template knows. */
  readonly role: string;
  readonly content: string;
  /** Extra fields (tool calls, names) are passed to the template unchanged. */
  readonly [field: string]: unknown;
}

export interface ChatTemplateOptions {
  /** Append the tokens that open the assistant's turn, so the model answers next (default true). */
  readonly addGenerationPrompt?: boolean;
  /** Which named template to use when `tokenizer_config.json` lists several (default `default`). */
  readonly templateName?: string;
  /** More variables for the template (`tools`, `documents`, ...). */
  readonly variables?: Readonly<Record<string, unknown>>;
}

export interface EncodeOptions {
  /** Let the tokenizer's post-processor add BOS/EOS and the like (default true, as in Hugging Face). */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /**
   * Drop special tokens (end of text, padding, chat markers) from the text. Defaults to the
   * tokenizer's `skipSpecialTokens` setting, which is true unless `loadTokenizer` was told otherwise.
   */
  readonly skipSpecialTokens?: boolean;
}

/**
 * Turns tokens into text incrementally. `push` returns only text that can no longer change: an
 * incomplete UTF-8 character at the end is held back until its last byte arrives, never shown as
 * U+FFFD. `flush` returns what was held back once generation ends. The concatenation of every
 * `push` and the final `flush` equals `decode` of all the tokens.
 */
export interface StreamDecoder {
  push(tokens: ArrayLike<number>): string;
  flush(): string;
}

/** The ids of the tokens with a role in generation; absent when the tokenizer defines none. */
export interface SpecialTokenIds {
  /** End-of-sequence tokens: the config's `eos_token` and `generation_config.json`'s `eos_token_id`. */
  readonly eos: readonly number[];
  readonly bos?: number;
  readonly pad?: number;
  readonly unk?: number;
}

/**
 * A loaded `tokenizer.json`: core's `TextTokenizer` (so it plugs into `generate`/`stream`) plus
 * chat templates, special token ids and vocabulary lookups.
 */
export interface Tokenizer extends TextTokenizer {
  /** Largest token id + 1 (vocabulary and added tokens). Compare with the model's `vocabSize`. */
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;
  /** Ids of every token marked special (skipped by `decode` when `skipSpecialTokens`). */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The default chat template's source, when the tokenizer has one. */
  readonly chatTemplate?: string;
  /** True when the decoder is byte-level BPE (GPT-2 style), whose streaming works byte by byte. */
  readonly byteLevel: boolean;
  encode(text: string, options?: EncodeOptions): number[];
  decode(tokens: ArrayLike<number>, options?: DecodeOptions): string;
  createStreamDecoder(options?: DecodeOptions): StreamDecoder;
  /** Renders a conversation with the tokenizer's chat template. Throws `CapabilityError` when there is none. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: ChatTemplateOptions): string;
  /** The id of a token given its vocabulary string (e.g. `<|im_end|>`), or undefined. */
  tokenToId(token: string): number | undefined;
  /** The vocabulary string of a token id, or undefined. */
  idToToken(id: number): string | undefined;
}
