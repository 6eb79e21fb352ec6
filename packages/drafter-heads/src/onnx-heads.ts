import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapabilityError, ModelFormatError } from '@decodekit/core';
import { tinyLmHeads } from '@decodekit/models-tiny';
import type * as OnnxRuntime from 'onnxruntime-node';
import type {
  ChimeraDecoder,
  ChimeraDecoderInput,
  CloverDecoder,
  ContextLayer,
  ContextLayerInput,
  ContextLayerOutput,
  FeatureCache,
  FeatureDrafter,
  FeatureDrafterInput,
  FeatureDrafterOutput,
  HydraHeads,
  MedusaHeads,
  TopTokens,
} from './backend.js';

type Ort = typeof OnnxRuntime;
type Session = OnnxRuntime.InferenceSession;
type Tensor = OnnxRuntime.Tensor;

/** A sparse tree chosen on the validation split: `choices` are root-to-node paths of child ranks. */
export interface HeadTree {
  readonly choices: readonly (readonly number[])[];
  /** τ the tree would reach on the validation split (1 + expected accepted draft tokens). */
  readonly expected_tau: number;
}

/** `heads.json` of a draft-heads directory (written by `tools/fixtures/heads.py`). */
export interface DraftHeadsManifest {
  readonly format: 'decodekit-draft-heads';
  readonly version: number;
  readonly target: string;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly numHeads: number;
  readonly topK: number;
  readonly eagle: { readonly numKeyValueHeads: number; readonly headDim: number };
  /** Key/value shape of the side layers (Hydra++ prefix layer, Clover, Chimera); version 2 on. */
  readonly cache?: { readonly numKeyValueHeads: number; readonly headDim: number };
  readonly graphs: Readonly<Record<string, { readonly file: string }>>;
  /** Trees by node count, per tree-based method (`medusa`, `hydra`, `hydrapp`, `clover`, `chimera`). */
  readonly trees: Readonly<Record<string, Readonly<Record<string, HeadTree>>>>;
  readonly accuracy?: unknown;
}

/** Options of the ONNX head loaders. */
export interface LoadHeadsOptions {
  /** The heads directory (default: `tiny-lm-heads` of `@decodekit/models-tiny`, trained for `tiny-lm`). */
  readonly directory?: string;
  /** Threads of each head session's intra-op pool (default 1: the head graphs are small). */
  readonly threads?: number;
}

let ortLoading: Promise<Ort> | undefined;
/** onnxruntime-node (peer dependency), imported once on first use for every head graph of the package. */
export function importOrt(): Promise<Ort> {
  ortLoading ??= import('onnxruntime-node').then(
    (module) => {
      const namespace = module as unknown as Ort & { default?: Ort };
      return namespace.InferenceSession ? namespace : (namespace.default as Ort);
    },
    (error: unknown) => {
      ortLoading = undefined;
      throw new CapabilityError(
        'onnxruntime-node',
        `@decodekit/drafter-heads runs its head graphs with the peer dependency onnxruntime-node (^1.30.0): run \`npm install onnxruntime-node\`. Cause: ${String(error)}`,
      );
    },
  );
  return ortLoading;
}

const manifests = new Map<string, DraftHeadsManifest>();

/** Reads and checks `heads.json` of a heads directory (cached per directory). */
export function readHeadsManifest(directory: string = tinyLmHeads): DraftHeadsManifest {
  const cached = manifests.get(directory);
  if (cached) return cached;
  let manifest: DraftHeadsManifest;
  try {
    manifest = JSON.parse(readFileSync(join(directory, 'heads.json'), 'utf8')) as DraftHeadsManifest;
  } catch (error) {
    throw new ModelFormatError(
      `cannot read heads.json in ${directory}: pass the directory written by tools/fixtures/heads.py`,
      { cause: error },
    );
  }
  if (manifest.format !== 'decodekit-draft-heads' || !manifest.graphs) {
    throw new ModelFormatError(
      `${directory}/heads.json is not a decodekit draft-heads manifest (format '${manifest.format}')`,
    );
  }
  manifests.set(directory, manifest);
  return manifest;
}

const sessions = new Map<string, Promise<Session>>();

/** One session per graph file and thread count, shared by every drafter of the process. */
function session(directory: string, graph: string, threads: number): Promise<Session> {
  const manifest = readHeadsManifest(directory);
  const entry = manifest.graphs[graph];
  if (!entry) throw new ModelFormatError(`${directory}/heads.json lists no graph '${graph}'`);
  const path = join(directory, entry.file);
  const key = `${path}|${threads}`;
  let loading = sessions.get(key);
  if (!loading) {
    loading = importOrt().then((ort) =>
      ort.InferenceSession.create(path, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
        logSeverityLevel: 4,
      }),
    );
    loading.catch(() => sessions.delete(key));
    sessions.set(key, loading);
  }
  return loading;
}

function int64(ort: Ort, values: ArrayLike<number>, dims: number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

function topTokens(ids: Tensor, logprobs: Tensor, rows: number, k: number): TopTokens {
  const raw = ids.data as BigInt64Array;
  const out = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = Number(raw[i]);
  return { rows, k, ids: out, logprobs: Float32Array.from(logprobs.data as Float32Array) };
}

function threadsOf(options: LoadHeadsOptions): number {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ModelFormatError(`threads must be an integer >= 1, got ${threads}`);
  }
  return threads;
}

/** Loads the Medusa heads graph (`medusa.onnx`) of a heads directory. */
export async function loadMedusaHeads(options: LoadHeadsOptions = {}): Promise<MedusaHeads> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const [ort, run] = await Promise.all([importOrt(), session(directory, 'medusa', threadsOf(options))]);
  const { hiddenSize, numHeads, topK } = manifest;
  return {
    hiddenSize,
    numHeads,
    topK,
    async run(hidden, rows) {
      const out = await run.run({ hidden_states: new ort.Tensor('float32', hidden, [rows, hiddenSize]) }, [
        'top_logprobs',
        'top_ids',
      ]);
      return topTokens(out.top_ids, out.top_logprobs, rows * numHeads, topK);
    },
  };
}

/** Loads the Hydra head graphs (`hydra.{h}.onnx`) of a heads directory. */
export async function loadHydraHeads(options: LoadHeadsOptions = {}): Promise<HydraHeads> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const threads = threadsOf(options);
  const { hiddenSize, numHeads, topK } = manifest;
  const [ort, ...heads] = await Promise.all([
    importOrt(),
    ...Array.from({ length: numHeads }, (_, h) => session(directory, `hydra.${h}`, threads)),
  ]);
  return {
    hiddenSize,
    numHeads,
    topK,
    async run(head, hidden, paths, rows) {
      const out = await heads[head].run(
        {
          hidden_states: new ort.Tensor('float32', hidden, [rows, hiddenSize]),
          input_ids: int64(ort, paths, [rows, head + 1]),
        },
        ['top_logprobs', 'top_ids'],
      );
      return topTokens(out.top_ids, out.top_logprobs, rows, topK);
    },
  };
}

/** Loads the EAGLE-style feature drafter graph (`eagle.onnx`) of a heads directory. */
export async function loadFeatureDrafter(options: LoadHeadsOptions = {}): Promise<FeatureDrafter> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const [ort, run] = await Promise.all([importOrt(), session(directory, 'eagle', threadsOf(options))]);
  const { hiddenSize, topK } = manifest;
  const { numKeyValueHeads, headDim } = manifest.eagle;
  return {
    hiddenSize,
    numKeyValueHeads,
    headDim,
    topK,
    async run(input: FeatureDrafterInput): Promise<FeatureDrafterOutput> {
      const rows = input.tokens.length;
      const total = input.past.length + rows;
      const mask = new BigInt64Array(input.mask.length);
      for (let i = 0; i < mask.length; i++) mask[i] = input.mask[i] ? 1n : 0n;
      const cacheDims = [1, numKeyValueHeads, input.past.length, headDim];
      const out = await run.run(
        {
          features: new ort.Tensor('float32', input.features, [1, rows, hiddenSize]),
          input_ids: int64(ort, input.tokens, [1, rows]),
          position_ids: int64(ort, input.positions, [1, rows]),
          tree_mask: new ort.Tensor('int64', mask, [1, rows, total]),
          past_key: new ort.Tensor('float32', input.past.key, cacheDims),
          past_value: new ort.Tensor('float32', input.past.value, cacheDims),
        },
        ['hidden_states_out', 'top_logprobs', 'top_ids', 'present_key', 'present_value'],
      );
      const present: FeatureCache = {
        length: total,
        key: out.present_key.data as Float32Array,
        value: out.present_value.data as Float32Array,
      };
      return {
        features: out.hidden_states_out.data as Float32Array,
        top: topTokens(out.top_ids, out.top_logprobs, rows, topK),
        present,
      };
    },
  };
}

function maskTensor(ort: Ort, mask: Uint8Array, rows: number, total: number): Tensor {
  const data = new BigInt64Array(mask.length);
  for (let i = 0; i < mask.length; i++) data[i] = mask[i] ? 1n : 0n;
  return new ort.Tensor('int64', data, [1, rows, total]);
}

function cacheShape(manifest: DraftHeadsManifest): { numKeyValueHeads: number; headDim: number } {
  return manifest.cache ?? manifest.eagle;
}

/** The side-layer graphs: Hydra++'s prefix layer, Clover's augmenting block, Chimera's full-context decoder. */
export type ContextGraph = 'hydrapp.prefix' | 'clover.context' | 'chimera.context';

/**
 * Loads a context-layer graph of a heads directory: a decoder layer with its own cache over the
 * target's committed hidden states (causal within each block).
 */
export async function loadContextLayer(graph: ContextGraph, options: LoadHeadsOptions = {}): Promise<ContextLayer> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const [ort, run] = await Promise.all([importOrt(), session(directory, graph, threadsOf(options))]);
  const { hiddenSize } = manifest;
  const { numKeyValueHeads, headDim } = cacheShape(manifest);
  const withContext = graph === 'clover.context';
  return {
    hiddenSize,
    numKeyValueHeads,
    headDim,
    async run(input: ContextLayerInput): Promise<ContextLayerOutput> {
      const rows = input.positions.length;
      const past = input.past.length;
      const mask = new Uint8Array(rows * (past + rows));
      for (let r = 0; r < rows; r++) mask.fill(1, r * (past + rows), r * (past + rows) + past + r + 1);
      const cacheDims = [1, numKeyValueHeads, past, headDim];
      const outputs = ['hidden_states_out', 'present_key', 'present_value'];
      if (withContext) outputs.push('context_key', 'context_value');
      const out = await run.run(
        {
          features: new ort.Tensor('float32', input.features, [1, rows, hiddenSize]),
          position_ids: int64(ort, input.positions, [1, rows]),
          tree_mask: maskTensor(ort, mask, rows, past + rows),
          past_key: new ort.Tensor('float32', input.past.key, cacheDims),
          past_value: new ort.Tensor('float32', input.past.value, cacheDims),
        },
        outputs,
      );
      return {
        hidden: out.hidden_states_out.data as Float32Array,
        present: {
          length: past + rows,
          key: out.present_key.data as Float32Array,
          value: out.present_value.data as Float32Array,
        },
        context: withContext
          ? { key: out.context_key.data as Float32Array, value: out.context_value.data as Float32Array }
          : undefined,
      };
    },
  };
}

/** Loads Clover's draft step graph (`clover.onnx`) of a heads directory. */
export async function loadCloverDecoder(options: LoadHeadsOptions = {}): Promise<CloverDecoder> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const [ort, run] = await Promise.all([importOrt(), session(directory, 'clover', threadsOf(options))]);
  const { hiddenSize, topK } = manifest;
  const { numKeyValueHeads, headDim } = cacheShape(manifest);
  return {
    hiddenSize,
    numKeyValueHeads,
    headDim,
    topK,
    async run(states, tokens, positions, context) {
      const rows = tokens.length;
      const dims = [1, numKeyValueHeads, context.length, headDim];
      const out = await run.run(
        {
          state: new ort.Tensor('float32', states, [rows, hiddenSize]),
          input_ids: int64(ort, tokens, [rows]),
          position_ids: int64(ort, positions, [rows]),
          context_key: new ort.Tensor('float32', context.key, dims),
          context_value: new ort.Tensor('float32', context.value, dims),
        },
        ['state_out', 'top_logprobs', 'top_ids'],
      );
      return {
        states: out.state_out.data as Float32Array,
        top: topTokens(out.top_ids, out.top_logprobs, rows, topK),
      };
    },
  };
}

/** Loads Chimera's draft graph (`chimera.onnx`) of a heads directory. */
export async function loadChimeraDecoder(options: LoadHeadsOptions = {}): Promise<ChimeraDecoder> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readHeadsManifest(directory);
  const [ort, run] = await Promise.all([importOrt(), session(directory, 'chimera', threadsOf(options))]);
  const { hiddenSize, numHeads, topK } = manifest;
  const { numKeyValueHeads, headDim } = cacheShape(manifest);
  return {
    hiddenSize,
    numKeyValueHeads,
    headDim,
    numHeads,
    topK,
    async run(input: ChimeraDecoderInput) {
      const rows = input.heads.length;
      const total = input.past.length + rows;
      const cacheDims = [1, numKeyValueHeads, input.past.length, headDim];
      const out = await run.run(
        {
          input_ids: int64(ort, input.trigrams, [1, rows, 3]),
          anchor: new ort.Tensor('float32', input.anchor, [1, hiddenSize]),
          head_ids: int64(ort, input.heads, [1, rows]),
          position_ids: int64(ort, input.positions, [1, rows]),
          tree_mask: maskTensor(ort, input.mask, rows, total),
          past_key: new ort.Tensor('float32', input.past.key, cacheDims),
          past_value: new ort.Tensor('float32', input.past.value, cacheDims),
        },
        ['top_logprobs', 'top_ids', 'present_key', 'present_value'],
      );
      return {
        top: topTokens(out.top_ids, out.top_logprobs, rows, topK),
        present: {
          length: total,
          key: out.present_key.data as Float32Array,
          value: out.present_value.data as Float32Array,
        },
      };
    },
  };
}
