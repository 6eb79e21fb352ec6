import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { DecodekitError, type ModelCapabilities, ModelFormatError } from '@decodekit/core';
import { loadTokenizer, type Tokenizer } from '@decodekit/tokenizer';
import { type FlagSpec, parseFlags } from './flags.js';
import { inspectHelp } from './help.js';
import { type CliIo, formatBytes, styler } from './io.js';
import { type LoadedModel, packages } from './packages.js';
import { exitCodes, UsageError } from './usage-error.js';

/** The flags of `decodekit inspect`. */
export const inspectFlags: readonly FlagSpec[] = [
  { name: 'json', kind: 'boolean', group: 'Options', description: 'print one JSON object instead of text' },
  {
    name: 'no-runtime',
    kind: 'boolean',
    group: 'Options',
    description: 'do not open the graphs (files, config and tokenizer only)',
  },
  { name: 'help', short: 'h', kind: 'boolean', group: 'Options', description: 'show this help' },
];

/** What `decodekit inspect --json` prints (documented in docs/cli.md). */
export interface InspectReport {
  readonly directory: string;
  readonly files: { readonly path: string; readonly bytes: number }[];
  readonly totalBytes: number;
  /** A summary of `config.json` (undefined when it is missing). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly tokenizer?: {
    readonly vocabSize: number;
    readonly byteLevel: boolean;
    readonly specialTokens: Readonly<Record<string, unknown>>;
    readonly chatTemplate: boolean;
  };
  /** What the runtime reports after opening the graphs (undefined with --no-runtime or on error). */
  readonly model?: {
    readonly name: string;
    readonly vocabSize: number;
    readonly contextLength: number;
    readonly numLayers: number;
    readonly hiddenSize: number;
    readonly specialTokens: Readonly<Record<string, unknown>>;
    readonly cacheType?: string;
  };
  readonly capabilities?: ModelCapabilities;
  readonly graphs: { readonly role: string; readonly path: string; readonly bytes?: number }[];
  /** Everything that went wrong; the command exits 1 when this is not empty. */
  readonly problems: { readonly part: string; readonly code: string; readonly message: string }[];
}

const graphRoles: Record<string, string> = {
  model: 'standard decoder: input_ids + past key values -> logits',
  tree: 'tree-attention decoder (verifies token trees in one call)',
  embeds: 'decoder over input embeddings (superposed decoding, soft prompts)',
  embedTokens: 'token embedding lookup',
  head: 'final norm + LM head (early exit)',
  layers: 'one decoder layer each (early-exit self-speculation)',
};

/** Runs `decodekit inspect`; returns the exit code. */
export async function runInspect(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, inspectFlags);
  if (values.help) {
    io.stdout.write(inspectHelp(inspectFlags));
    return exitCodes.success;
  }
  if (positionals.length > 1) throw new UsageError(`inspect takes one model directory, got ${positionals.length}`);
  const directory = resolve(positionals[0] ?? (await packages.tinyModels()).tinyLm);
  const report = await inspectModelDirectory(directory, { runtime: values['no-runtime'] !== true });
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatReport(report, styler(io.stdout, io.env)));
  return report.problems.length > 0 ? exitCodes.failure : exitCodes.success;
}

/** Gathers everything `inspect` shows. Throws `ModelFormatError` only when `directory` is not a directory. */
export async function inspectModelDirectory(directory: string, options: { runtime: boolean }): Promise<InspectReport> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ModelFormatError(`model directory ${directory} does not exist or is not a directory.`);
  }
  const problems: InspectReport['problems'][number][] = [];
  const note = (part: string, error: unknown) => {
    if (!DecodekitError.is(error) && !(error instanceof Error && 'code' in error)) throw error;
    problems.push({
      part,
      code: String((error as { code?: unknown }).code ?? 'error'),
      message: (error as Error).message,
    });
  };
  const files = await listFiles(directory);
  const config = await readConfigSummary(directory).catch((error) => void note('config', error));
  const tokenizer = await loadTokenizer(directory).catch((error) => void note('tokenizer', error));
  let model: LoadedModel | undefined;
  if (options.runtime) {
    try {
      model = await (await packages.runtime()).loadModel(directory);
    } catch (error) {
      note('runtime', error);
    }
  }
  try {
    const sizes = new Map(files.map((file) => [file.path, file.bytes]));
    const graphs: InspectReport['graphs'][number][] = [];
    if (model?.graphs) {
      for (const [role, value] of Object.entries(model.graphs)) {
        for (const path of Array.isArray(value) ? value : value ? [value] : []) {
          const relativePath = relative(directory, path as string);
          graphs.push({ role, path: relativePath, bytes: sizes.get(relativePath) });
        }
      }
    } else {
      for (const file of files)
        if (file.path.endsWith('.onnx')) graphs.push({ role: 'unknown', path: file.path, bytes: file.bytes });
    }
    return {
      directory,
      files,
      totalBytes: files.reduce((sum, file) => sum + file.bytes, 0),
      ...(config ? { config } : {}),
      ...(tokenizer ? { tokenizer: tokenizerSummary(tokenizer) } : {}),
      ...(model
        ? {
            model: {
              name: model.name,
              vocabSize: model.vocabSize,
              contextLength: model.contextLength,
              numLayers: model.numLayers,
              hiddenSize: model.hiddenSize,
              specialTokens: { ...model.specialTokens },
              ...(model.cacheType ? { cacheType: model.cacheType } : {}),
            },
            capabilities: { ...model.capabilities },
          }
        : {}),
      graphs,
      problems,
    };
  } finally {
    await Promise.resolve(model?.dispose()).catch(() => undefined);
  }
}

async function listFiles(directory: string): Promise<{ path: string; bytes: number }[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files: { path: string; bytes: number }[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    files.push({ path: relative(directory, full), bytes: (await stat(full)).size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

async function readConfigSummary(directory: string): Promise<Record<string, unknown> | undefined> {
  const path = join(directory, 'config.json');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new ModelFormatError(`${path} not found: a model directory needs the Hugging Face config.json.`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON (${(error as Error).message}).`);
  }
  const keys = [
    'model_type',
    'architectures',
    'num_hidden_layers',
    'hidden_size',
    'num_attention_heads',
    'num_key_value_heads',
    'intermediate_size',
    'vocab_size',
    'max_position_embeddings',
    'torch_dtype',
    'tie_word_embeddings',
  ];
  return Object.fromEntries(keys.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]));
}

function tokenizerSummary(tokenizer: Tokenizer): NonNullable<InspectReport['tokenizer']> {
  return {
    vocabSize: tokenizer.vocabSize,
    byteLevel: tokenizer.byteLevel,
    specialTokens: { ...tokenizer.specialTokens },
    chatTemplate: tokenizer.chatTemplate !== undefined,
  };
}

function formatReport(report: InspectReport, style: ReturnType<typeof styler>): string {
  const lines: string[] = [];
  const yes = (value: boolean) => (value ? style.green('yes') : style.dim('no'));
  lines.push(`${style.bold(basename(report.directory))}  ${style.dim(report.directory)}`);
  lines.push('');
  const config = report.config;
  if (config) {
    const heads =
      config.num_key_value_heads !== undefined && config.num_key_value_heads !== config.num_attention_heads
        ? `${config.num_attention_heads} heads (${config.num_key_value_heads} key/value)`
        : `${config.num_attention_heads} heads`;
    lines.push(
      `${style.bold('Config')}     ${config.model_type ?? '?'} · ${config.num_hidden_layers} layers · hidden ${config.hidden_size} · ${heads} · ` +
        `vocabulary ${config.vocab_size} · context ${config.max_position_embeddings}${config.torch_dtype ? ` · ${config.torch_dtype}` : ''}`,
    );
  }
  const tokenizer = report.tokenizer;
  if (tokenizer) {
    const special = Object.entries(tokenizer.specialTokens)
      .map(([name, value]) => `${name} ${Array.isArray(value) ? value.join(',') : value}`)
      .join(' · ');
    lines.push(
      `${style.bold('Tokenizer')}  ${tokenizer.byteLevel ? 'byte-level BPE' : 'tokenizer.json'} · ${tokenizer.vocabSize} tokens · ${special} · chat template ${yes(tokenizer.chatTemplate)}`,
    );
  }
  const model = report.model;
  if (model) {
    lines.push(
      `${style.bold('Runtime')}    onnxruntime-node · ${model.numLayers} layers · hidden ${model.hiddenSize} · context ${model.contextLength}` +
        (model.cacheType ? ` · KV cache ${model.cacheType}` : ''),
    );
  }
  if (report.capabilities) {
    lines.push('', style.bold('Capabilities'));
    const names: [keyof ModelCapabilities, string][] = [
      ['treeAttention', 'tree attention    verify token trees in one forward (tree drafters)'],
      ['hiddenStates', 'hidden states     Medusa/Hydra/EAGLE heads can read them'],
      ['layerSplit', 'layer split       early-exit self-speculation (LayerSkip, DEL)'],
      ['inputEmbeddings', 'input embeddings  superposed decoding, soft prompts'],
      ['batchedForward', 'batched forward   several sequences per model call'],
    ];
    for (const [key, label] of names)
      lines.push(`  ${yes(report.capabilities[key]).padEnd(style.enabled ? 12 : 3)}  ${label}`);
  }
  lines.push('', style.bold('Graphs'));
  if (report.graphs.length === 0) lines.push('  none found');
  const width = Math.max(0, ...report.graphs.map((graph) => graph.path.length));
  for (const graph of report.graphs) {
    const size = graph.bytes === undefined ? '' : formatBytes(graph.bytes);
    lines.push(
      `  ${graph.path.padEnd(width)}  ${size.padStart(9)}  ${style.dim(graphRoles[graph.role] ?? graph.role)}`,
    );
  }
  lines.push('', `${style.bold('Files')} (${report.files.length}, ${formatBytes(report.totalBytes)})`);
  const fileWidth = Math.max(0, ...report.files.map((file) => file.path.length));
  for (const file of report.files)
    lines.push(`  ${file.path.padEnd(fileWidth)}  ${formatBytes(file.bytes).padStart(9)}`);
  if (report.problems.length > 0) {
    lines.push('', style.red(style.bold('Problems')));
    for (const problem of report.problems)
      lines.push(`  ${problem.part}: ${style.red(`[${problem.code}]`)} ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}
