import { availableParallelism } from 'node:os';
import {
  CapabilityError,
  ContextOverflowError,
  createMatrix,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  isChain,
  type Matrix,
  type ModelCapabilities,
  ModelFormatError,
  type Sequence,
  type TokenBlock,
  TokenOutOfRangeError,
  throwIfAborted,
  validateParents,
} from '@decodekit/core';
import { float16ToFloat32 } from './float16.js';
import { type DecoderLayout, readDecoderLayout } from './graph-layout.js';
import { GraphRunner, type RunnerContext, type RunRow } from './graph-runner.js';
import { type GraphSignature, readGraphSignature } from './graph-signature.js';
import type { CacheGeometry } from './kv-cache.js';
import { type LayeredHost, LayeredSequence } from './layered-sequence.js';
import { type ModelDirectory, readModelDirectory } from './model-files.js';
import { OnnxSequence, type SequenceHost } from './onnx-sequence.js';
import type { SessionLoadOptions } from './options.js';
import { importOnnxRuntime, type OrtModule, type OrtSession } from './ort.js';
import type { OnnxCausalLM, OnnxGraphFiles, OnnxLayerSplit, OnnxModelSequence } from './types.js';

/** A block after validation: ids as Int32Array, parents only when it branches. */
interface PreparedBlock {
  readonly tokens: Int32Array;
  readonly parents?: Int32Array;
  readonly embeddings?: Float32Array;
}

type GraphChoice = 'standard' | 'tree' | 'embeds';

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function hasAll(signature: GraphSignature | undefined, inputs: readonly string[], outputs: readonly string[]): boolean {
  if (!signature) return false;
  return (
    inputs.every((name) => signature.inputs.includes(name)) && outputs.every((name) => signature.outputs.includes(name))
  );
}

/** Memoizes an async factory (sessions of extension graphs are created on first use). */
function lazy<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= create().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/** Loads a model directory into sessions on the calling thread. */
export async function loadInThreadModel(directory: string, options: SessionLoadOptions = {}): Promise<OnnxCausalLM> {
  const ort = await importOnnxRuntime();
  const files = await readModelDirectory(directory, options.modelFile);
  return OnnxInThreadModel.create(ort, files, options);
}

class OnnxInThreadModel implements OnnxCausalLM, SequenceHost {
  readonly worker = false;
  readonly name: string;
  readonly directory: string;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly specialTokens: OnnxCausalLM['specialTokens'];
  readonly capabilities: ModelCapabilities;
  readonly graphs: OnnxGraphFiles;
  readonly geometry: CacheGeometry;
  readonly cacheType: 'float32' | 'float16';
  readonly layers?: OnnxLayerSplit;
  private disposed = false;
  private readonly sessions: OrtSession[] = [];
  private readonly context: RunnerContext;
  private readonly standard: GraphRunner;
  private readonly tree?: GraphRunner;
  private readonly embedsRunner?: () => Promise<GraphRunner>;
  private readonly embedTokensSession?: () => Promise<OrtSession>;
  private readonly layerRunners: (() => Promise<GraphRunner>)[] = [];
  private readonly headSession?: () => Promise<OrtSession>;
  private embeddingCache?: Promise<Matrix>;

  static async create(ort: OrtModule, files: ModelDirectory, options: SessionLoadOptions): Promise<OnnxInThreadModel> {
    const sessionOptions = {
      intraOpNumThreads: options.intraOpNumThreads ?? availableParallelism(),
      interOpNumThreads: options.interOpNumThreads ?? 1,
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      executionMode: 'sequential' as const,
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      // Library code never prints: failures reach the caller as exceptions carrying ORT's message.
      logSeverityLevel: options.logSeverityLevel ?? 4,
      // Spinning pool threads cut latency between back-to-back runs but burn cores while idle.
      ...(options.allowSpinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    };
    const openSession = async (path: string): Promise<OrtSession> => {
      try {
        return await ort.InferenceSession.create(path, sessionOptions);
      } catch (error) {
        throw new ModelFormatError(
          `${path}: onnxruntime could not load this graph (${error instanceof Error ? error.message : String(error)}); ` +
            're-export the model or check that its external data files sit next to it.',
          { cause: error },
        );
      }
    };
    const { config, paths } = files;
    const allLayers = range(config.numLayers);
    const sessions: OrtSession[] = [];
    try {
      const standardSession = await openSession(paths.model);
      sessions.push(standardSession);
      const standardLayout = readDecoderLayout(standardSession, paths.model, allLayers, 'decoder');
      if (standardLayout.input !== 'input_ids') {
        throw new ModelFormatError(
          `${paths.model}: the standard graph must take input_ids (it takes ${standardLayout.input}).`,
        );
      }
      const geometry: CacheGeometry = {
        layers: config.numLayers,
        kvHeads: standardLayout.kvHeads ?? config.numKeyValueHeads,
        headDim: standardLayout.headDim ?? config.headDim,
        type: standardLayout.cacheType,
      };
      let treeLayout: DecoderLayout | undefined;
      let treeSession: OrtSession | undefined;
      const extensions = options.extensions !== false;
      if (extensions && paths.tree) {
        treeSession = await openSession(paths.tree);
        sessions.push(treeSession);
        treeLayout = readDecoderLayout(treeSession, paths.tree, allLayers, 'decoder');
        if (!treeLayout.treeMask || !treeLayout.positionIds || treeLayout.input !== 'input_ids') {
          throw new ModelFormatError(
            `${paths.tree}: a tree graph takes input_ids, position_ids and tree_mask (it takes ${treeSession.inputNames.join(', ')}).`,
          );
        }
        if (treeLayout.cacheType !== geometry.type) {
          throw new ModelFormatError(
            `${paths.tree}: its cache is ${treeLayout.cacheType} but onnx/model.onnx uses ${geometry.type}.`,
          );
        }
      }
      const signature = async (path: string | undefined) => (extensions && path ? readGraphSignature(path) : undefined);
      const pastInputs = allLayers.flatMap((i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]);
      const presentOutputs = allLayers.flatMap((i) => [`present.${i}.key`, `present.${i}.value`]);
      const embedsOk = hasAll(
        await signature(paths.embeds),
        ['inputs_embeds', 'position_ids', 'tree_mask', ...pastInputs],
        ['logits', ...presentOutputs],
      );
      const embedTokensOk = hasAll(await signature(paths.embedTokens), ['input_ids'], ['inputs_embeds']);
      const headOk = hasAll(await signature(paths.head), ['hidden_states'], ['logits']);
      let layersOk = paths.layers.length === config.numLayers;
      for (let i = 0; layersOk && i < paths.layers.length; i++) {
        layersOk = hasAll(
          await signature(paths.layers[i]),
          ['hidden_states', 'position_ids', 'tree_mask', `past_key_values.${i}.key`, `past_key_values.${i}.value`],
          ['hidden_states_out', `present.${i}.key`, `present.${i}.value`],
        );
      }
      return new OnnxInThreadModel(ort, files, options, sessions, {
        openSession,
        geometry,
        standard: { session: standardSession, layout: standardLayout },
        tree: treeSession && treeLayout ? { session: treeSession, layout: treeLayout } : undefined,
        embeds: embedsOk && embedTokensOk ? paths.embeds : undefined,
        embedTokens: embedTokensOk ? paths.embedTokens : undefined,
        head: headOk ? paths.head : undefined,
        layers: layersOk && headOk && embedTokensOk ? paths.layers : [],
      });
    } catch (error) {
      for (const session of sessions) await session.release().catch(() => undefined);
      throw error;
    }
  }

  private constructor(
    ort: OrtModule,
    files: ModelDirectory,
    options: SessionLoadOptions,
    sessions: OrtSession[],
    graphs: {
      openSession: (path: string) => Promise<OrtSession>;
      geometry: CacheGeometry;
      standard: { session: OrtSession; layout: DecoderLayout };
      tree?: { session: OrtSession; layout: DecoderLayout };
      embeds?: string;
      embedTokens?: string;
      head?: string;
      layers: readonly string[];
    },
  ) {
    const { config, paths } = files;
    this.name = options.name ?? files.name;
    this.directory = paths.directory;
    this.vocabSize = config.vocabSize;
    this.contextLength = config.contextLength;
    this.numLayers = config.numLayers;
    this.hiddenSize = config.hiddenSize;
    this.specialTokens = { eos: config.eos, bos: config.bos, pad: config.pad };
    this.geometry = graphs.geometry;
    this.cacheType = graphs.geometry.type;
    this.sessions.push(...sessions);
    this.context = {
      ort,
      name: this.name,
      geometry: graphs.geometry,
      vocabSize: config.vocabSize,
      hiddenSize: config.hiddenSize,
      contextLength: config.contextLength,
      padToken: config.pad ?? config.eos[0] ?? 0,
      checkFinite: options.checkFinite !== false,
    };
    this.standard = new GraphRunner(this.context, graphs.standard.session, graphs.standard.layout);
    if (graphs.tree) this.tree = new GraphRunner(this.context, graphs.tree.session, graphs.tree.layout);
    const track = async (path: string) => {
      const session = await graphs.openSession(path);
      if (this.disposed) {
        await session.release();
        throw new DisposedError(`model "${this.name}"`);
      }
      this.sessions.push(session);
      return session;
    };
    const embedsPath = graphs.embeds;
    if (embedsPath) {
      this.embedsRunner = lazy(async () => {
        const session = await track(embedsPath);
        return new GraphRunner(
          this.context,
          session,
          readDecoderLayout(session, embedsPath, range(config.numLayers), 'decoder'),
        );
      });
    }
    const embedTokensPath = graphs.embedTokens;
    if (embedTokensPath) this.embedTokensSession = lazy(() => track(embedTokensPath));
    const headPath = graphs.head;
    if (headPath) this.headSession = lazy(() => track(headPath));
    graphs.layers.forEach((path, i) => {
      this.layerRunners.push(
        lazy(async () => {
          const session = await track(path);
          return new GraphRunner(this.context, session, readDecoderLayout(session, path, [i], 'layer'));
        }),
      );
    });
    this.graphs = {
      model: paths.model,
      tree: graphs.tree ? paths.tree : undefined,
      embeds: embedsPath,
      embedTokens: embedTokensPath,
      head: headPath,
      layers: graphs.layers,
    };
    const treeHidden = graphs.tree?.layout.hiddenOutput === 'last_hidden_state';
    this.capabilities = {
      treeAttention: this.tree !== undefined,
      hiddenStates: treeHidden,
      layerSplit: this.layerRunners.length === config.numLayers && this.layerRunners.length > 0,
      inputEmbeddings: this.embedsRunner !== undefined,
      batchedForward: true,
    };
    if (this.capabilities.layerSplit) this.layers = this.createLayerSplit();
    if (this.capabilities.inputEmbeddings) this.embeddingMatrix = () => this.loadEmbeddingMatrix();
  }

  embeddingMatrix?: () => Promise<Matrix>;

  assertOpen(): void {
    if (this.disposed) throw new DisposedError(`model "${this.name}"`);
  }

  openSequence(): OnnxModelSequence {
    this.assertOpen();
    return new OnnxSequence(this);
  }

  forwardBatch(
    items: readonly { sequence: Sequence; block: TokenBlock }[],
    options?: ForwardOptions,
  ): Promise<ForwardOutput[]> {
    return this.forwardItems(
      items.map(({ sequence, block }) => {
        if (!(sequence instanceof OnnxSequence) || sequence.host !== this) {
          throw new InvalidArgumentError('items', `every sequence must come from model "${this.name}".openSequence()`);
        }
        return { sequence, block };
      }),
      options,
    );
  }

  async forwardItems(
    items: readonly { readonly sequence: OnnxSequence; readonly block: TokenBlock }[],
    options: ForwardOptions = {},
  ): Promise<ForwardOutput[]> {
    this.assertOpen();
    throwIfAborted(options.signal);
    if (items.length === 0) return [];
    const seen = new Set<OnnxSequence>();
    const prepared = items.map(({ sequence, block }) => {
      sequence.assertReady();
      if (seen.has(sequence)) throw new InvalidArgumentError('items', 'a sequence appears twice in one batch');
      seen.add(sequence);
      const ready = this.prepareBlock(block);
      const required = sequence.length + ready.tokens.length;
      if (required > this.contextLength) throw new ContextOverflowError(required, this.contextLength);
      return ready;
    });
    const hidden = options.hiddenStates === true;
    if (hidden && !this.capabilities.hiddenStates) {
      throw new CapabilityError(
        'hiddenStates',
        `model "${this.name}" has no decodekit/tree.onnx with a last_hidden_state output; ` +
          're-export it with decodekit extensions or use a method that does not need hidden states.',
      );
    }
    const choices = prepared.map((block): GraphChoice => {
      if (block.embeddings) return 'embeds';
      return block.parents || hidden ? 'tree' : 'standard';
    });
    // A tree in the batch moves its token rows to the tree graph, which also runs chains.
    if (choices.includes('tree'))
      for (let i = 0; i < choices.length; i++) if (choices[i] === 'standard') choices[i] = 'tree';
    const outputs: ForwardOutput[] = new Array(items.length);
    for (const sequence of seen) sequence.busy = true;
    try {
      for (const choice of ['standard', 'tree', 'embeds'] as const) {
        const indices: number[] = [];
        for (let i = 0; i < choices.length; i++) if (choices[i] === choice) indices.push(i);
        if (indices.length === 0) continue;
        const runner =
          choice === 'standard' ? this.standard : choice === 'tree' ? this.tree : await this.embedsRunner?.();
        // prepareBlock already refused blocks without a graph; this guards the invariant.
        if (!runner)
          throw new CapabilityError(
            choice === 'embeds' ? 'inputEmbeddings' : 'treeAttention',
            `model "${this.name}" has no ${choice} graph`,
          );
        const rows: RunRow[] = indices.map((i) => ({
          pastLength: items[i].sequence.length,
          past: items[i].sequence.cacheArrays,
          length: prepared[i].tokens.length,
          tokens: prepared[i].tokens,
          vectors: prepared[i].embeddings,
          parents: prepared[i].parents,
        }));
        const results = await runner.run(rows, { logits: options.logits ?? 'all', hidden }, options.signal);
        this.assertOpen();
        for (let k = 0; k < indices.length; k++) {
          const itemIndex = indices[k];
          const result = results[k];
          items[itemIndex].sequence.commitBlock(
            prepared[itemIndex].tokens,
            prepared[itemIndex].parents,
            result.present,
          );
          outputs[itemIndex] = hidden
            ? { logits: result.logits, hiddenStates: result.hidden }
            : { logits: result.logits };
        }
      }
    } finally {
      for (const sequence of seen) sequence.busy = false;
    }
    return outputs;
  }

  private prepareBlock(block: TokenBlock): PreparedBlock {
    const count = block.tokens?.length ?? 0;
    if (count < 1) throw new InvalidArgumentError('block.tokens', 'a block needs at least one token');
    const tokens = Int32Array.from(block.tokens);
    const embeddings = block.embeddings;
    for (let i = 0; i < count; i++) {
      const token = block.tokens[i];
      const placeholder = embeddings !== undefined && token === -1;
      if (!placeholder && (!Number.isInteger(token) || token < 0 || token >= this.vocabSize)) {
        throw new TokenOutOfRangeError(token, this.vocabSize, `model "${this.name}" block token ${i}`);
      }
    }
    let parents: Int32Array | undefined;
    if (block.parents) {
      if (block.parents.length !== count) {
        throw new InvalidArgumentError('block.parents', `has ${block.parents.length} entries for ${count} tokens`);
      }
      validateParents(block.parents, 'block.parents');
      if (!isChain(block.parents)) parents = Int32Array.from(block.parents);
    }
    if (parents && !this.tree && !embeddings) {
      throw new CapabilityError(
        'treeAttention',
        `model "${this.name}" has no decodekit/tree.onnx, so it cannot run a branching block; verify one path ` +
          '(the speculative loop does this for chain-only models) or re-export the model with decodekit extensions.',
      );
    }
    if (embeddings) {
      if (!this.embedsRunner) {
        throw new CapabilityError(
          'inputEmbeddings',
          `model "${this.name}" has no decodekit/embeds.onnx and embed_tokens.onnx, so blocks cannot carry embeddings.`,
        );
      }
      if (!(embeddings instanceof Float32Array) || embeddings.length !== count * this.hiddenSize) {
        throw new InvalidArgumentError(
          'block.embeddings',
          `must be a Float32Array of ${count} x ${this.hiddenSize} values, got ${embeddings.length}`,
        );
      }
    }
    return { tokens, parents, embeddings };
  }

  private async loadEmbeddingMatrix(): Promise<Matrix> {
    this.assertOpen();
    this.embeddingCache ??= this.embedTokens(range(this.vocabSize)).catch((error: unknown) => {
      this.embeddingCache = undefined;
      throw error;
    });
    return this.embeddingCache;
  }

  /** Token embeddings `[tokens.length, hiddenSize]` from embed_tokens.onnx. */
  private async embedTokens(tokens: ArrayLike<number>): Promise<Matrix> {
    this.assertOpen();
    if (!this.embedTokensSession) {
      throw new CapabilityError('inputEmbeddings', `model "${this.name}" has no decodekit/embed_tokens.onnx.`);
    }
    const ids = BigInt64Array.from(this.checkedTokenIds(tokens, 'embed'), BigInt);
    const session = await this.embedTokensSession();
    const { ort } = this.context;
    const result = await session.run({ input_ids: new ort.Tensor('int64', ids, [1, tokens.length]) }, [
      'inputs_embeds',
    ]);
    const tensor = result.inputs_embeds;
    return createMatrix(
      tokens.length,
      this.hiddenSize,
      toFloat32(tensor.data as Float32Array | Uint16Array, tensor.type),
    );
  }

  private createLayerSplit(): OnnxLayerSplit {
    return {
      count: this.numLayers,
      embed: (tokens) => this.embedTokens(tokens),
      runLayers: (sequence, hidden, from, to, options = {}) => this.runLayers(sequence, hidden, from, to, options),
      head: (hidden) => this.runHead(hidden),
      openSequence: () => {
        this.assertOpen();
        return new LayeredSequence(this.layeredHost());
      },
    };
  }

  private layeredHostCache?: LayeredHost;

  /** The tokens as ids, or a `TokenOutOfRangeError` naming the first one outside the vocabulary. */
  private checkedTokenIds(tokens: ArrayLike<number>, what: string): Int32Array {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) {
        throw new TokenOutOfRangeError(token, this.vocabSize, `model "${this.name}" ${what} ${i}`);
      }
      ids[i] = token;
    }
    return ids;
  }

  /** The model as a layered sequence sees it: per-layer runs, whole-model runs, embeddings, head. */
  private layeredHost(): LayeredHost {
    if (this.layeredHostCache) return this.layeredHostCache;
    const width = this.hiddenSize;
    this.layeredHostCache = {
      name: this.name,
      numLayers: this.numLayers,
      hiddenSize: width,
      contextLength: this.contextLength,
      geometry: this.geometry,
      assertOpen: () => this.assertOpen(),
      checkTokens: (tokens) => this.checkedTokenIds(tokens, 'block token'),
      embedRows: async (tokens) => {
        // A table lookup in the (cached) embedding matrix instead of one graph run per step.
        const matrix = await this.loadEmbeddingMatrix();
        const rows = new Float32Array(tokens.length * width);
        for (let i = 0; i < tokens.length; i++) {
          rows.set(matrix.data.subarray(tokens[i] * width, (tokens[i] + 1) * width), i * width);
        }
        return rows;
      },
      runLayer: async (layer, pastLength, past, vectors, rows, parents) => {
        const runner = await this.layerRunners[layer]();
        const [result] = await runner.run([{ pastLength, past, length: rows, vectors, parents }], {
          logits: 'none',
          hidden: true,
        });
        return { hidden: (result.hidden as Matrix).data, present: result.present };
      },
      runFull: async (pastLength, past, tokens, parents, request, signal) => {
        const runner = parents || request.hidden ? this.tree : this.standard;
        if (!runner) {
          throw new CapabilityError(
            'treeAttention',
            `model "${this.name}" has no decodekit/tree.onnx, so it cannot run a branching block or return hidden states.`,
          );
        }
        const [result] = await runner.run(
          [{ pastLength, past, length: tokens.length, tokens, parents }],
          request,
          signal,
        );
        return result;
      },
      head: (hidden) => this.runHead(hidden),
    };
    return this.layeredHostCache;
  }

  private async runLayers(
    sequence: Sequence,
    hidden: Matrix,
    from: number,
    to: number,
    options: { readonly parents?: ArrayLike<number>; readonly signal?: AbortSignal },
  ): Promise<Matrix> {
    this.assertOpen();
    if (!(sequence instanceof OnnxSequence) || sequence.host !== this) {
      throw new InvalidArgumentError('sequence', `must come from model "${this.name}".openSequence()`);
    }
    sequence.assertReady();
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.numLayers || from > to) {
      throw new InvalidArgumentError('layers', `need 0 <= from <= to <= ${this.numLayers}, got [${from}, ${to})`);
    }
    if (hidden.columns !== this.hiddenSize || hidden.rows < 1) {
      throw new InvalidArgumentError(
        'hidden',
        `must be [rows >= 1, ${this.hiddenSize}], got [${hidden.rows}, ${hidden.columns}]`,
      );
    }
    let parents: Int32Array | undefined;
    if (options.parents) {
      if (options.parents.length !== hidden.rows) {
        throw new InvalidArgumentError('parents', `has ${options.parents.length} entries for ${hidden.rows} rows`);
      }
      validateParents(options.parents);
      if (!isChain(options.parents)) parents = Int32Array.from(options.parents);
    }
    const required = sequence.length + hidden.rows;
    if (required > this.contextLength) throw new ContextOverflowError(required, this.contextLength);
    let current = hidden.data;
    for (let layer = from; layer < to; layer++) {
      throwIfAborted(options.signal);
      const runner = await this.layerRunners[layer]();
      const arrays = sequence.cacheArrays;
      const [result] = await runner.run(
        [
          {
            pastLength: sequence.length,
            past: [arrays[2 * layer], arrays[2 * layer + 1]],
            length: hidden.rows,
            vectors: current,
            parents,
          },
        ],
        { logits: 'none', hidden: true },
      );
      current = (result.hidden as Matrix).data;
    }
    return createMatrix(hidden.rows, this.hiddenSize, current);
  }

  private async runHead(hidden: Matrix): Promise<{ logits: Matrix; hiddenStates: Matrix }> {
    this.assertOpen();
    if (!this.headSession) throw new CapabilityError('layerSplit', `model "${this.name}" has no decodekit/head.onnx.`);
    if (hidden.columns !== this.hiddenSize) {
      throw new InvalidArgumentError('hidden', `must have ${this.hiddenSize} columns, got ${hidden.columns}`);
    }
    const session = await this.headSession();
    const { ort } = this.context;
    const fetches = session.outputNames.includes('last_hidden_state') ? ['logits', 'last_hidden_state'] : ['logits'];
    const result = await session.run(
      { hidden_states: new ort.Tensor('float32', hidden.data, [1, hidden.rows, this.hiddenSize]) },
      fetches,
    );
    const logits = createMatrix(
      hidden.rows,
      this.vocabSize,
      toFloat32(result.logits.data as Float32Array, result.logits.type),
    );
    const normalized = result.last_hidden_state
      ? createMatrix(
          hidden.rows,
          this.hiddenSize,
          toFloat32(result.last_hidden_state.data as Float32Array, result.last_hidden_state.type),
        )
      : hidden;
    return { logits, hiddenStates: normalized };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = this.sessions.splice(0);
    for (const session of sessions) await session.release().catch(() => undefined);
  }
}

function toFloat32(data: Float32Array | Uint16Array, type: string): Float32Array {
  return type === 'float16' ? float16ToFloat32(data as Uint16Array) : (data as Float32Array);
}
