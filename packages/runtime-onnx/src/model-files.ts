import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ModelFormatError } from '@decodekit/core';

/** What decodekit reads from `config.json` and `generation_config.json`. */
export interface ModelConfig {
  readonly modelType: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numAttentionHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  /** `max_position_embeddings`. */
  readonly contextLength: number;
  readonly eos: readonly number[];
  readonly bos?: number;
  readonly pad?: number;
}

/** Absolute paths of the graphs found in a model directory (presence only; the runtime checks their inputs). */
export interface ModelPaths {
  readonly directory: string;
  readonly model: string;
  readonly tree?: string;
  readonly embeds?: string;
  readonly embedTokens?: string;
  readonly head?: string;
  /** `decodekit/layer.{i}.onnx` for every layer, or empty when any is missing. */
  readonly layers: readonly string[];
}

/** The parsed contents of a model directory, before any session is created. */
export interface ModelDirectory {
  readonly name: string;
  readonly config: ModelConfig;
  readonly paths: ModelPaths;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readJson(path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required) return undefined;
    throw new ModelFormatError(
      `${path} is missing: a decodekit model directory needs the Hugging Face config.json next to onnx/model.onnx.`,
      { cause: error },
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(
      `${path} is not a valid JSON object (${String(error)}); re-export the model or fix the file.`,
      {
        cause: error,
      },
    );
  }
}

function integerField(
  config: Record<string, unknown>,
  file: string,
  names: readonly string[],
  fallback?: number,
): number {
  for (const name of names) {
    const value = config[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ModelFormatError(`${file}: "${name}" must be a positive integer, got ${JSON.stringify(value)}.`);
    }
    return value;
  }
  if (fallback !== undefined) return fallback;
  throw new ModelFormatError(`${file}: the field "${names[0]}" is missing; decodekit needs it to size the KV cache.`);
}

function tokenIds(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((id): id is number => typeof id === 'number' && Number.isInteger(id));
  return [];
}

function optionalTokenId(...values: unknown[]): number | undefined {
  for (const value of values) if (typeof value === 'number' && Number.isInteger(value)) return value;
  return undefined;
}

/**
 * Reads `config.json` (required), `generation_config.json` (optional: its end-of-sequence ids win)
 * and locates the standard graph and decodekit's extension graphs.
 */
export async function readModelDirectory(directory: string, modelFile = 'onnx/model.onnx'): Promise<ModelDirectory> {
  const root = resolve(directory);
  let isDirectory = false;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new ModelFormatError(
      `model directory ${root} does not exist; pass a folder holding config.json and onnx/model.onnx ` +
        '(for example `tinyLm` from @decodekit/models-tiny).',
    );
  }
  const configPath = join(root, 'config.json');
  const raw = (await readJson(configPath, true)) as Record<string, unknown>;
  const generation = (await readJson(join(root, 'generation_config.json'), false)) ?? {};
  const text = raw.text_config;
  // Multimodal configs nest the language model's fields under text_config.
  const fields = typeof text === 'object' && text !== null ? { ...raw, ...(text as Record<string, unknown>) } : raw;
  const hiddenSize = integerField(fields, configPath, ['hidden_size', 'n_embd', 'd_model']);
  const numAttentionHeads = integerField(fields, configPath, ['num_attention_heads', 'n_head']);
  const config: ModelConfig = {
    modelType: typeof fields.model_type === 'string' ? fields.model_type : 'unknown',
    vocabSize: integerField(fields, configPath, ['vocab_size']),
    hiddenSize,
    numLayers: integerField(fields, configPath, ['num_hidden_layers', 'n_layer']),
    numAttentionHeads,
    numKeyValueHeads: integerField(fields, configPath, ['num_key_value_heads'], numAttentionHeads),
    headDim: integerField(fields, configPath, ['head_dim'], Math.floor(hiddenSize / numAttentionHeads)),
    contextLength: integerField(fields, configPath, ['max_position_embeddings', 'n_positions', 'n_ctx']),
    eos: [...new Set(tokenIds(generation.eos_token_id ?? fields.eos_token_id))],
    bos: optionalTokenId(generation.bos_token_id, fields.bos_token_id),
    pad: optionalTokenId(generation.pad_token_id, fields.pad_token_id),
  };
  const modelPath = join(root, modelFile);
  if (!(await isFile(modelPath))) {
    throw new ModelFormatError(
      `${modelPath} is missing: export the decoder with past key values in the Optimum layout ` +
        '(`optimum-cli export onnx --task text-generation-with-past`) or pass `modelFile` to name another graph.',
    );
  }
  const extension = (file: string) => join(root, 'decodekit', file);
  const optional = async (file: string) => ((await isFile(extension(file))) ? extension(file) : undefined);
  const layers: string[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const path = extension(`layer.${i}.onnx`);
    if (!(await isFile(path))) {
      layers.length = 0;
      break;
    }
    layers.push(path);
  }
  const paths: ModelPaths = {
    directory: root,
    model: modelPath,
    tree: await optional('tree.onnx'),
    embeds: await optional('embeds.onnx'),
    embedTokens: await optional('embed_tokens.onnx'),
    head: await optional('head.onnx'),
    layers,
  };
  return { name: basename(root), config, paths };
}
