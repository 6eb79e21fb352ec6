import type { CausalLM } from '@decodekit/core';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';

/** The real tiny-lm target (8 layers, trained with an early-exit loss), in-thread with its per-layer graphs. */
export function loadTarget(): Promise<CausalLM> {
  return loadModel(tinyLm, { intraOpNumThreads: 1 });
}

/** Prompts: fixed token ids (the model continues them with its own greedy text). */
export const prompts: readonly (readonly number[])[] = [
  [12, 400, 33, 901, 7, 250, 1200, 64],
  [100, 101, 102, 103, 104, 105],
  [2048, 17, 3000, 9, 9, 9, 511, 42, 8, 77],
];
