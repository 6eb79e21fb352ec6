import {
  CapabilityError,
  DisposedError,
  InvalidArgumentError,
  InvalidStateError,
  ModelFormatError,
} from '@decodekit/core';
import type * as OnnxRuntime from 'onnxruntime-node';

/** The onnxruntime-node module namespace. */
export type OrtModule = typeof OnnxRuntime;
/** An onnxruntime-node inference session. */
export type OrtSession = OnnxRuntime.InferenceSession;

let loading: Promise<OrtModule> | undefined;

/** Imports the peer dependency onnxruntime-node on first use. */
export function importOnnxRuntime(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    (module) => {
      const namespace = module as unknown as OrtModule & { default?: OrtModule };
      return namespace.InferenceSession ? namespace : (namespace.default as OrtModule);
    },
    (error: unknown) => {
      loading = undefined;
      throw new CapabilityError(
        'onnxruntime-node',
        `@decodekit/visual-ar needs the peer dependency onnxruntime-node (^1.30.0) for image models: run \`npm install onnxruntime-node\`. Cause: ${String(error)}`,
      );
    },
  );
  return loading;
}

/** Session settings of the image graphs (small models: one thread by default). */
export interface ImageSessionOptions {
  /** Threads of onnxruntime's intra-op pool (default 1). */
  readonly intraOpNumThreads?: number;
}

/** Opens one graph; a load failure becomes a `ModelFormatError` naming the file. */
export async function openSession(path: string, options: ImageSessionOptions = {}): Promise<OrtSession> {
  const ort = await importOnnxRuntime();
  try {
    return await ort.InferenceSession.create(path, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 4,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new ModelFormatError(
      `${path}: onnxruntime could not load this graph (${error instanceof Error ? error.message : String(error)}); check the model directory.`,
      { cause: error },
    );
  }
}

/** Checks that a session has the named inputs and outputs; throws `ModelFormatError` otherwise. */
export function expectNames(session: OrtSession, path: string, inputs: readonly string[], outputs: readonly string[]) {
  const missingIn = inputs.filter((name) => !session.inputNames.includes(name));
  const missingOut = outputs.filter((name) => !session.outputNames.includes(name));
  if (missingIn.length > 0 || missingOut.length > 0) {
    throw new ModelFormatError(
      `${path}: expected inputs ${inputs.join(', ')} and outputs ${outputs.join(', ')}; ` +
        `missing ${[...missingIn, ...missingOut].join(', ')} (the graph has ${session.inputNames.join(', ')} -> ${session.outputNames.join(', ')}).`,
    );
  }
}

/**
 * The KV cache of a cached image graph (NAR, VAR): inputs `past_key_values.{l}.key|value`
 * `[batch, kvHeads, length, headDim]`, outputs `present.{l}.key|value` with the new positions appended.
 */
export class GraphKvCache {
  /** Cached positions per row. */
  length = 0;
  private tensors: Float32Array[];
  constructor(
    private readonly names: GraphCacheNames,
    private readonly shape: { readonly batch: number; readonly kvHeads: number; readonly headDim: number },
  ) {
    this.tensors = names.past.map(() => new Float32Array(0));
  }

  /** Bytes held now (all rows, keys and values). */
  get bytes(): number {
    return this.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  }

  /** Adds the cache inputs to `feeds`. */
  feed(ort: OrtModule, feeds: Record<string, OnnxRuntime.Tensor>): void {
    const dims = [this.shape.batch, this.shape.kvHeads, this.length, this.shape.headDim];
    this.names.past.forEach((name, l) => {
      feeds[name] = new ort.Tensor('float32', this.tensors[l], dims);
    });
  }

  /** Takes the presents of a run that added positions up to `keys`; throws if the graph disagrees. */
  update(out: OnnxRuntime.InferenceSession.ReturnType, keys: number): void {
    this.tensors = this.names.present.map((name) => {
      const tensor = out[name];
      if (!tensor || tensor.dims[2] !== keys) {
        throw new InvalidStateError(`${name}: expected ${keys} cached positions, got ${tensor?.dims.join('x')}`);
      }
      return tensor.data as Float32Array;
    });
    this.length = keys;
  }

  clear(): void {
    this.tensors = [];
  }
}

/** Input and output names of the per-layer cache tensors. */
export interface GraphCacheNames {
  readonly past: readonly string[];
  readonly present: readonly string[];
}

export function graphCacheNames(layers: number): GraphCacheNames {
  const past = Array.from({ length: layers }, (_, l) => [
    `past_key_values.${l}.key`,
    `past_key_values.${l}.value`,
  ]).flat();
  return { past, present: past.map((name) => name.replace('past_key_values', 'present')) };
}

/**
 * The model object over one loaded graph: `open(batch)` checks the batch and that the model is not
 * disposed, `dispose()` releases the session once.
 */
export function graphModel<S>(
  label: string,
  session: OrtSession,
  openSessionFor: (batch: number) => S,
): { open(batch: number): S; dispose(): Promise<void> } {
  let disposed = false;
  return {
    open(batch: number): S {
      if (disposed) throw new DisposedError(label);
      if (!Number.isInteger(batch) || batch < 1) throw new InvalidArgumentError('batch', `must be >= 1, got ${batch}`);
      return openSessionFor(batch);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
