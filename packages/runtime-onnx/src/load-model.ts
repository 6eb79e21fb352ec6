import { InvalidArgumentError } from '@decodekit/core';
import { loadInThreadModel } from './in-thread-model.js';
import type { LoadModelOptions } from './options.js';
import type { OnnxCausalLM } from './types.js';
import { loadWorkerModel } from './worker-model.js';

const optimizationLevels = ['disabled', 'basic', 'extended', 'all'];

function checkOptions(options: LoadModelOptions): void {
  for (const setting of ['intraOpNumThreads', 'interOpNumThreads'] as const) {
    const value = options[setting];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new InvalidArgumentError(setting, `must be an integer >= 1, got ${value}`);
    }
  }
  const level = options.graphOptimizationLevel;
  if (level !== undefined && !optimizationLevels.includes(level)) {
    throw new InvalidArgumentError(
      'graphOptimizationLevel',
      `must be one of ${optimizationLevels.join(', ')}, got ${level}`,
    );
  }
}

/**
 * Loads a model directory (`config.json`, `generation_config.json`, `onnx/model.onnx`, and
 * decodekit's optional extension graphs under `decodekit/`) as a `CausalLM` over onnxruntime-node.
 * Capabilities are detected from the graphs' input and output names. With `{ worker: true }` the
 * sessions run in a worker thread and the caller's event loop stays free during inference.
 */
export async function loadModel(directory: string, options: LoadModelOptions = {}): Promise<OnnxCausalLM> {
  checkOptions(options);
  const { worker, workerUrl, ...sessionOptions } = options;
  if (worker) return loadWorkerModel(directory, sessionOptions, workerUrl ?? new URL('./worker.js', import.meta.url));
  return loadInThreadModel(directory, sessionOptions);
}
