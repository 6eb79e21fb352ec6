import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError, TokenOutOfRangeError } from '@decodekit/core';
import type { Template } from '@huggingface/jinja';
import { Tokenizer as HuggingFaceTokenizer } from '@huggingface/tokenizers';
import {
  type ByteLevelTable,
  byteLevelCharacterToByte,
  byteLevelTokenBytes,
  createByteLevelStreamDecoder,
} from './byte-level-stream-decoder.js';
import { type ChatTemplates, parseChatTemplates, renderChatTemplate } from './chat-template.js';
import { readJsonFile } from './read-json-file.js';
import { createTextDiffStreamDecoder } from './text-diff-stream-decoder.js';
import type { SpecialTokenIds, Tokenizer } from './types.js';

export interface TokenizerOptions {
  /** Default of `decode`'s and `createStreamDecoder`'s `skipSpecialTokens` (default true). */
  readonly skipSpecialTokens?: boolean;
}

/** The parsed files of a tokenizer, for `createTokenizer`. */
export interface TokenizerFiles {
  /** The parsed `tokenizer.json`. */
  readonly tokenizer: Record<string, unknown>;
  /** The parsed `tokenizer_config.json` (special tokens, chat template); `{}` when there is none. */
  readonly config?: Record<string, unknown>;
  /** The parsed `generation_config.json`, whose `eos_token_id` adds end-of-sequence ids. */
  readonly generationConfig?: Record<string, unknown>;
  /** A chat template from a separate `chat_template.jinja` file (it wins over the config's). */
  readonly chatTemplate?: string;
  /** Where the files came from, for error messages (default `tokenizer.json`). */
  readonly source?: string;
}

const exportHint =
  'export it with tokenizer.save_pretrained(dir) (Hugging Face transformers) or copy it from the model repository.';

/**
 * Loads the tokenizer of a model directory: `tokenizer.json` (required), `tokenizer_config.json`
 * (special tokens, chat template), `generation_config.json` and `chat_template.jinja` (optional).
 * Missing or malformed files throw `ModelFormatError` naming the path and the fix.
 */
export async function loadTokenizer(directory: string, options: TokenizerOptions = {}): Promise<Tokenizer> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ModelFormatError(
      `model directory ${directory} does not exist or is not a directory; pass the folder that holds tokenizer.json.`,
    );
  }
  const tokenizerPath = join(directory, 'tokenizer.json');
  const tokenizer = await readJsonFile(
    tokenizerPath,
    `a decodekit model directory needs tokenizer.json (the Hugging Face tokenizers format); ${exportHint}`,
    false,
  );
  const config = await readJsonFile(join(directory, 'tokenizer_config.json'), '', true);
  const generationConfig = await readJsonFile(join(directory, 'generation_config.json'), '', true);
  const chatTemplate = await readFile(join(directory, 'chat_template.jinja'), 'utf8').catch(() => undefined);
  return createTokenizer(
    { tokenizer: tokenizer ?? {}, config, generationConfig, chatTemplate, source: tokenizerPath },
    options,
  );
}

/** Builds a tokenizer from already parsed files (see `loadTokenizer`). */
export function createTokenizer(files: TokenizerFiles, options: TokenizerOptions = {}): Tokenizer {
  const source = files.source ?? 'tokenizer.json';
  const config = files.config ?? {};
  let inner: HuggingFaceTokenizer;
  try {
    inner = new HuggingFaceTokenizer(files.tokenizer, config);
  } catch (error) {
    throw new ModelFormatError(
      `${source} could not be loaded as a Hugging Face tokenizer (${(error as Error).message}); ${exportHint}`,
      { cause: error },
    );
  }
  const defaultSkip = options.skipSpecialTokens ?? true;
  const addedTokens = inner.get_added_tokens_decoder();
  const vocabulary = inner.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocabulary.values()) vocabSize = Math.max(vocabSize, id + 1);
  for (const id of addedTokens.keys()) vocabSize = Math.max(vocabSize, id + 1);

  // Hugging Face skips special tokens by content: added tokens marked special plus additional_special_tokens.
  const specialContents = new Set<string>();
  for (const token of addedTokens.values()) if (token.special) specialContents.add(token.content);
  for (const token of asArray(config.additional_special_tokens)) {
    const content = tokenContent(token);
    if (content !== undefined) specialContents.add(content);
  }
  const specialTokenIds = new Set<number>();
  for (const content of specialContents) {
    const id = inner.token_to_id(content);
    if (id !== undefined) specialTokenIds.add(id);
  }

  const checkId = (id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize || inner.id_to_token(id) === undefined) {
      throw new TokenOutOfRangeError(id, vocabSize, 'decode');
    }
  };
  const decode = (tokens: ArrayLike<number>, skipSpecialTokens: boolean): string => {
    const ids = Array.from(tokens);
    if (ids.length === 0) return '';
    for (const id of ids) checkId(id);
    return inner.decode(ids, { skip_special_tokens: skipSpecialTokens });
  };

  const decoderType = (files.tokenizer.decoder as { type?: unknown } | null | undefined)?.type;
  // Hugging Face cleans up spaces (" ." -> ".") unless the config says not to; that rewrite is not byte-local.
  const cleansSpaces = (config.clean_up_tokenization_spaces ?? true) !== false;
  const byteTable =
    decoderType === 'ByteLevel' && !cleansSpaces ? buildByteLevelTable(inner, vocabSize, specialTokenIds) : undefined;

  const specialTokens = findSpecialTokenIds(inner, config, files.generationConfig);
  const templates = parseChatTemplates(files.chatTemplate ?? config.chat_template, source);
  const chat: ChatTemplates = { templates, variables: templateVariables(config), source };
  const compiled = new Map<string, Template>();

  return {
    vocabSize,
    specialTokens,
    specialTokenIds,
    chatTemplate: templates.get('default'),
    byteLevel: byteTable !== undefined,
    encode(text, encodeOptions = {}) {
      if (typeof text !== 'string') throw new TypeError('encode: text must be a string');
      if (text === '') return [];
      return inner.encode(text, { add_special_tokens: encodeOptions.addSpecialTokens ?? true }).ids;
    },
    decode(tokens, decodeOptions = {}) {
      return decode(tokens, decodeOptions.skipSpecialTokens ?? defaultSkip);
    },
    createStreamDecoder(decodeOptions = {}) {
      const skip = decodeOptions.skipSpecialTokens ?? defaultSkip;
      if (byteTable) return createByteLevelStreamDecoder(byteTable, skip, checkId);
      return createTextDiffStreamDecoder((tokens) => decode(tokens, skip));
    },
    applyChatTemplate(messages, templateOptions) {
      return renderChatTemplate(chat, compiled, messages, templateOptions);
    },
    tokenToId: (token) => inner.token_to_id(token),
    idToToken: (id) => inner.id_to_token(id),
  };
}

function buildByteLevelTable(
  inner: HuggingFaceTokenizer,
  vocabSize: number,
  special: ReadonlySet<number>,
): ByteLevelTable | undefined {
  const characterToByte = byteLevelCharacterToByte();
  const added = new Map<number, string>();
  for (const [id, token] of inner.get_added_tokens_decoder()) added.set(id, token.content);
  const bytes: (Uint8Array | undefined)[] = new Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const token = inner.id_to_token(id);
    if (token === undefined || added.has(id)) continue;
    const tokenBytes = byteLevelTokenBytes(token, characterToByte);
    // A vocabulary string outside the byte alphabet means this is not really byte-level: use the generic path.
    if (!tokenBytes) return undefined;
    bytes[id] = tokenBytes;
  }
  return { bytes, added, special };
}

function findSpecialTokenIds(
  inner: HuggingFaceTokenizer,
  config: Record<string, unknown>,
  generationConfig: Record<string, unknown> | undefined,
): SpecialTokenIds {
  const idOf = (value: unknown) => {
    const content = tokenContent(value);
    return content === undefined ? undefined : inner.token_to_id(content);
  };
  const eos = new Set<number>();
  const configEos = idOf(config.eos_token);
  if (configEos !== undefined) eos.add(configEos);
  for (const id of asArray(generationConfig?.eos_token_id)) if (Number.isInteger(id)) eos.add(id as number);
  const numberOr = (value: unknown, fallback: number | undefined) =>
    Number.isInteger(value) ? (value as number) : fallback;
  const result: { eos: number[]; bos?: number; pad?: number; unk?: number } = { eos: [...eos] };
  const bos = numberOr(generationConfig?.bos_token_id, idOf(config.bos_token));
  const pad = numberOr(generationConfig?.pad_token_id, idOf(config.pad_token));
  const unk = idOf(config.unk_token);
  if (bos !== undefined) result.bos = bos;
  if (pad !== undefined) result.pad = pad;
  if (unk !== undefined) result.unk = unk;
  return result;
}

// Special token strings chat templates refer to (bos_token, eos_token, ...).
function templateVariables(config: Record<string, unknown>): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token', 'sep_token', 'cls_token', 'mask_token']) {
    const content = tokenContent(config[key]);
    if (content !== undefined) variables[key] = content;
  }
  return variables;
}

// Tokens in tokenizer_config.json are strings or AddedToken objects ({ content, ... }).
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
