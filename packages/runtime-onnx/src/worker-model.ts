import { Worker } from 'node:worker_threads';
import {
  CapabilityError,
  DecodekitError,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  type Matrix,
  type ModelCapabilities,
  type Sequence,
  type SpecialTokens,
  type TokenBlock,
  throwIfAborted,
} from '@decodekit/core';
import type { SessionLoadOptions } from './options.js';
import type { OnnxCausalLM, OnnxGraphFiles, OnnxLayerSplit, OnnxModelSequence } from './types.js';
import {
  deserializeError,
  type ModelDescription,
  type WireBlock,
  type WorkerRequest,
  type WorkerResponse,
} from './worker-protocol.js';

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Starts the worker, waits for its model, and returns the main-thread proxy. */
export function loadWorkerModel(
  directory: string,
  options: SessionLoadOptions,
  workerUrl: URL | string,
): Promise<OnnxCausalLM> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(workerUrl, { workerData: { directory, options } });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      thread.terminate().catch(() => undefined);
      reject(error);
    };
    thread.once('error', (error) =>
      fail(
        new DecodekitError(
          'worker-crashed',
          `the onnxruntime worker failed while loading ${directory}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    thread.once('exit', (code) =>
      fail(
        new DecodekitError(
          'worker-crashed',
          `the onnxruntime worker exited (code ${code}) while loading ${directory}.`,
        ),
      ),
    );
    thread.once('message', (message: WorkerResponse) => {
      if (settled) return;
      if (message.type === 'ready') {
        settled = true;
        thread.removeAllListeners('error');
        thread.removeAllListeners('exit');
        resolve(new WorkerModel(thread, message.description));
      } else if (message.type === 'load-error') fail(deserializeError(message.error));
      else
        fail(
          new DecodekitError('worker-crashed', `unexpected first message from the onnxruntime worker: ${message.type}`),
        );
    });
  });
}

function wireBlock(block: TokenBlock): WireBlock {
  return {
    tokens: Int32Array.from(block.tokens),
    parents: block.parents ? Int32Array.from(block.parents) : undefined,
    embeddings: block.embeddings,
  };
}

/** The main-thread side of worker mode: every call is a message, sequences are handles. */
class WorkerModel implements OnnxCausalLM {
  readonly worker = true;
  readonly name: string;
  readonly directory: string;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly specialTokens: SpecialTokens;
  readonly capabilities: ModelCapabilities;
  readonly graphs: OnnxGraphFiles;
  readonly cacheType: 'float32' | 'float16';
  readonly layers?: OnnxLayerSplit;
  embeddingMatrix?: () => Promise<Matrix>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: DecodekitError | undefined;
  private disposed = false;

  constructor(
    /** The worker thread (kept reachable for diagnostics and tests). */
    readonly thread: Worker,
    description: ModelDescription,
  ) {
    this.name = description.name;
    this.directory = description.directory;
    this.vocabSize = description.vocabSize;
    this.contextLength = description.contextLength;
    this.numLayers = description.numLayers;
    this.hiddenSize = description.hiddenSize;
    this.specialTokens = description.specialTokens;
    this.capabilities = description.capabilities;
    this.graphs = description.graphs;
    this.cacheType = description.cacheType;
    thread.on('message', (message: WorkerResponse) => this.receive(message));
    thread.on('error', (error) => this.crash(`it threw ${error.message}`, error));
    thread.on('exit', (code) => {
      if (!this.disposed) this.crash(`it exited with code ${code}`);
    });
    thread.unref();
    if (this.capabilities.inputEmbeddings)
      this.embeddingMatrix = () => this.call({ op: 'embedding-matrix' }) as Promise<Matrix>;
    if (this.capabilities.layerSplit) {
      this.layers = {
        count: this.numLayers,
        embed: (tokens) => this.call({ op: 'embed', tokens: Int32Array.from(tokens) }) as Promise<Matrix>,
        runLayers: async (sequence, hidden, from, to, options = {}) => {
          throwIfAborted(options.signal);
          this.handleOf(sequence);
          return this.call({
            op: 'run-layers',
            handle: await (sequence as WorkerSequence).resolveHandle(),
            hidden,
            from,
            to,
            parents: options.parents ? Int32Array.from(options.parents) : undefined,
          }) as Promise<Matrix>;
        },
        head: (hidden) => this.call({ op: 'head', hidden }) as Promise<{ logits: Matrix; hiddenStates: Matrix }>,
        openSequence: () => {
          throw new CapabilityError(
            'layerSplit',
            `model "${this.name}" runs in a worker thread; layered sequences (per-layer KV caches for early-exit ` +
              'self-speculation) run in-thread only: load the model with worker: false.',
          );
        },
      };
    }
  }

  /** Sends one request; rejects at once when the worker is gone. */
  call(body: RequestBody): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new DisposedError(`model "${this.name}"`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive only while calls are in flight.
      if (this.pending.size === 1) this.thread.ref();
      this.thread.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private receive(message: WorkerResponse): void {
    if (message.type !== 'result' && message.type !== 'failure') return;
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.thread.unref();
    if (message.type === 'result') entry.resolve(message.value);
    else entry.reject(deserializeError(message.error));
  }

  private crash(reason: string, cause?: unknown): void {
    if (this.failure) return;
    this.failure = new DecodekitError(
      'worker-crashed',
      `the onnxruntime worker of model "${this.name}" stopped (${reason}); load the model again.`,
      { cause },
    );
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(this.failure);
  }

  /** Throws unless `sequence` was opened by this model. */
  handleOf(sequence: Sequence): WorkerSequence {
    if (!(sequence instanceof WorkerSequence) || sequence.model !== this) {
      throw new InvalidArgumentError('sequence', `must come from model "${this.name}".openSequence()`);
    }
    return sequence;
  }

  openSequence(): OnnxModelSequence {
    if (this.failure) throw this.failure;
    if (this.disposed) throw new DisposedError(`model "${this.name}"`);
    return this.track(new WorkerSequence(this, this.call({ op: 'open' }) as Promise<number>));
  }

  /** Frees the worker's cache of a sequence that was garbage-collected without `dispose()`. */
  private readonly finalizer = new FinalizationRegistry<Promise<number>>((handle) => {
    if (this.disposed || this.failure) return;
    handle.then(
      (value) => this.call({ op: 'dispose-sequence', handle: value }).catch(() => undefined),
      () => undefined,
    );
  });

  track(sequence: WorkerSequence): WorkerSequence {
    this.finalizer.register(sequence, sequence.handlePromise, sequence);
    return sequence;
  }

  untrack(sequence: WorkerSequence): void {
    this.finalizer.unregister(sequence);
  }

  async forwardBatch(
    items: readonly { sequence: Sequence; block: TokenBlock }[],
    options: ForwardOptions = {},
  ): Promise<ForwardOutput[]> {
    throwIfAborted(options.signal);
    const sequences = items.map(({ sequence }) => this.handleOf(sequence));
    const handles = await Promise.all(sequences.map((sequence) => sequence.resolveHandle()));
    const blocks = items.map(({ block }) => wireBlock(block));
    const outputs = (await this.call({
      op: 'forwardBatch',
      items: blocks.map((block, i) => ({ handle: handles[i], block })),
      options: { logits: options.logits, hiddenStates: options.hiddenStates },
    })) as ForwardOutput[];
    for (let i = 0; i < sequences.length; i++) sequences[i].recordForward(blocks[i]);
    return outputs;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(new DisposedError(`model "${this.name}"`));
    await this.thread.terminate();
  }
}

/**
 * A sequence living in the worker. It mirrors the token record so `length` and `tokens()` stay
 * synchronous; every other method is a message.
 */
class WorkerSequence implements OnnxModelSequence {
  private ids: number[] = [];
  private last: { start: number; length: number; parents?: Int32Array } | undefined;
  private disposed = false;

  constructor(
    readonly model: WorkerModel,
    readonly handlePromise: Promise<number>,
  ) {
    // An open that fails surfaces on the first call that needs the handle.
    handlePromise.catch(() => undefined);
  }

  resolveHandle(): Promise<number> {
    if (this.disposed) return Promise.reject(new DisposedError('this sequence'));
    return this.handlePromise;
  }

  get length(): number {
    return this.ids.length;
  }

  tokens(): Int32Array {
    if (this.disposed) throw new DisposedError('this sequence');
    return Int32Array.from(this.ids);
  }

  recordForward(block: WireBlock): void {
    const start = this.ids.length;
    this.ids.push(...block.tokens);
    const parents = block.parents;
    const branches = parents?.some((parent, i) => parent !== i - 1) === true;
    this.last = { start, length: block.tokens.length, parents: branches ? parents : undefined };
  }

  async forward(block: TokenBlock, options?: ForwardOptions): Promise<ForwardOutput> {
    const [output] = await this.model.forwardBatch([{ sequence: this, block }], options);
    return output;
  }

  async accept(path: ArrayLike<number>): Promise<void> {
    const keep = Int32Array.from(path);
    await this.model.call({ op: 'accept', handle: await this.resolveHandle(), path: keep });
    const last = this.last;
    if (last) {
      const block = this.ids.slice(last.start);
      this.ids.length = last.start;
      for (const node of keep) this.ids.push(block[node]);
    }
    this.last = undefined;
  }

  async truncate(length: number): Promise<void> {
    await this.model.call({ op: 'truncate', handle: await this.resolveHandle(), length });
    this.ids.length = length;
    if (this.last && length < this.last.start + this.last.length) this.last = undefined;
  }

  async fork(): Promise<OnnxModelSequence> {
    const handle = this.model.call({ op: 'fork', handle: await this.resolveHandle() }) as Promise<number>;
    await handle;
    const copy = this.model.track(new WorkerSequence(this.model, handle));
    copy.ids = this.ids.slice();
    copy.last = this.last;
    return copy;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.model.untrack(this);
    const handle = await this.handlePromise.catch(() => undefined);
    if (handle !== undefined) await this.model.call({ op: 'dispose-sequence', handle }).catch(() => undefined);
  }
}
