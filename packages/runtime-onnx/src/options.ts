/** Options of `loadModel`. */
export interface LoadModelOptions {
  /**
   * Run onnxruntime in a `worker_thread` so the caller's event loop keeps ticking during `run()`
   * (default false). Every method then returns a promise.
   */
  readonly worker?: boolean;
  /** Threads of each session's intra-op pool (default `os.availableParallelism()`). */
  readonly intraOpNumThreads?: number;
  /**
   * Let idle intra-op threads spin between runs (onnxruntime's default, true). Set false when
   * several models share few cores (a target and a draft model on a laptop).
   */
  readonly allowSpinning?: boolean;
  /** Threads of the inter-op pool (default 1: decoder graphs run sequentially). */
  readonly interOpNumThreads?: number;
  /**
   * onnxruntime execution providers, in order of preference (default `['cpu']`). The Linux x64
   * binding bundles `cpu` and `webgpu`; outputs always come back to JavaScript memory.
   */
  readonly executionProviders?: readonly string[];
  /** onnxruntime graph optimizations (default `'all'`). */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** onnxruntime's log level for these sessions, 0 (verbose) to 4 (fatal only, the default: errors arrive as exceptions). */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** The standard decoder graph, relative to the model directory (default `onnx/model.onnx`). */
  readonly modelFile?: string;
  /**
   * Use decodekit's extension graphs under `decodekit/` when present (default true). With false the
   * model has only the standard graph's capabilities (chains, no hidden states).
   */
  readonly extensions?: boolean;
  /** Check the returned logits rows for NaN/Inf and throw `NonFiniteLogitsError` (default true). */
  readonly checkFinite?: boolean;
  /** The model's name in logs and statistics (default: the directory's base name). */
  readonly name?: string;
  /** Where the worker entry lives (default: `worker.js` next to this package's `index.js`). */
  readonly workerUrl?: URL | string;
}

/** Serializable options (what worker mode sends to its thread). */
export type SessionLoadOptions = Omit<LoadModelOptions, 'worker' | 'workerUrl'>;
