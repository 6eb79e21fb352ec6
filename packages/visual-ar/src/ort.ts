import { CapabilityError, ModelFormatError } from '@decodekit/core';
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
