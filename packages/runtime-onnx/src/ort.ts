import { CapabilityError } from '@decodekit/core';
import type * as OnnxRuntime from 'onnxruntime-node';

/** The onnxruntime-node module namespace. */
export type OrtModule = typeof OnnxRuntime;
/** An onnxruntime-node inference session. */
export type OrtSession = OnnxRuntime.InferenceSession;
/** An onnxruntime-node tensor. */
export type OrtTensor = OnnxRuntime.Tensor;

let loading: Promise<OrtModule> | undefined;

/**
 * Imports onnxruntime-node on first use: the package is a peer dependency and nothing in decodekit
 * loads its native binding until a model is opened.
 */
export function importOnnxRuntime(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then(
    (module) => {
      // The package is CommonJS: depending on the loader, the exports sit on the namespace or on `default`.
      const namespace = module as unknown as OrtModule & { default?: OrtModule };
      return namespace.InferenceSession ? namespace : (namespace.default as OrtModule);
    },
    (error: unknown) => {
      loading = undefined;
      throw new CapabilityError(
        'onnxruntime-node',
        `@decodekit/runtime-onnx needs the peer dependency onnxruntime-node (^1.30.0): run \`npm install onnxruntime-node\` ` +
          `(offline or without CUDA: \`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node\`). Cause: ${String(error)}`,
      );
    },
  );
  return loading;
}
