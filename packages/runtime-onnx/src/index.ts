/**
 * @decodekit/runtime-onnx: a decodekit `CausalLM` over onnxruntime-node. It loads model directories
 * in the Optimum decoder layout, detects decodekit's extension graphs (tree attention, hidden
 * states, input embeddings, per-layer graphs) from their input and output names, and can run the
 * sessions in a worker thread.
 */

export { float16ToFloat32, float32ToFloat16 } from './float16.js';
export { loadModel } from './load-model.js';
export type { ModelConfig } from './model-files.js';
export { readModelDirectory } from './model-files.js';
export type { LoadModelOptions } from './options.js';
export type {
  LayeredInjection,
  LayeredRunOptions,
  LayeredRunOutput,
  OnnxCausalLM,
  OnnxGraphFiles,
  OnnxLayeredSequence,
  OnnxLayerSplit,
  OnnxModelSequence,
} from './types.js';
