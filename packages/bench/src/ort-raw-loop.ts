import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '@decodekit/core';

/** What a raw loop needs from `onnxruntime-node` (typed loosely so the import stays lazy). */
interface OrtModule {
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: {
    create(path: string, options: Record<string, unknown>): Promise<OrtSession>;
  };
}
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** One greedy generation of the raw loop. */
export interface RawLoopOutput {
  readonly tokens: number[];
  /** Time inside `session.run`. */
  readonly forwardMs: number;
  /** Time choosing tokens (argmax over the last logits row). */
  readonly sampleMs: number;
}

/** A minimal greedy decoder over onnxruntime-node: the baseline every runtime overhead is measured against. */
export interface RawGreedyLoop {
  generate(prompt: ArrayLike<number>, maxNewTokens: number): Promise<RawLoopOutput>;
  dispose(): Promise<void>;
}

/**
 * Loads `onnx/model.onnx` of `directory` into a plain onnxruntime-node session and decodes greedily
 * the way a hand-written script would: the prompt in one run, then one token per run, each run's
 * `present.*` tensors fed back as `past_key_values.*`. No decodekit code on the hot path, so the
 * gap between this and decodekit's autoregressive loop is decodekit's own overhead.
 */
export async function createRawGreedyLoop(directory: string, threads: number): Promise<RawGreedyLoop> {
  const ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as Record<string, number>;
  const layers = config.num_hidden_layers;
  const kvHeads = config.num_key_value_heads ?? config.num_attention_heads;
  const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
  if (!Number.isInteger(layers) || !Number.isInteger(kvHeads) || !Number.isInteger(headDim)) {
    throw new ModelFormatError(
      `${directory}/config.json lacks num_hidden_layers / num_key_value_heads / head_dim; the raw loop cannot shape the cache`,
    );
  }
  const session = await ort.InferenceSession.create(join(directory, 'onnx', 'model.onnx'), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 4,
  });
  const hasPositions = session.inputNames.includes('position_ids');
  const emptyCache = () => {
    const past: Record<string, OrtTensor> = {};
    for (let i = 0; i < layers; i++) {
      past[`past_key_values.${i}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
      past[`past_key_values.${i}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    }
    return past;
  };
  return {
    async generate(prompt, maxNewTokens) {
      let past = emptyCache();
      let ids = Array.from(prompt);
      let cached = 0;
      let forwardMs = 0;
      let sampleMs = 0;
      const tokens: number[] = [];
      while (tokens.length < maxNewTokens) {
        const count = ids.length;
        const feeds: Record<string, OrtTensor> = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, count]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(cached + count).fill(1n), [1, cached + count]),
          ...past,
        };
        if (hasPositions) {
          const positions = BigInt64Array.from({ length: count }, (_, i) => BigInt(cached + i));
          feeds.position_ids = new ort.Tensor('int64', positions, [1, count]);
        }
        const started = performance.now();
        const outputs = await session.run(feeds);
        const ran = performance.now();
        const logits = outputs.logits;
        const vocab = logits.dims[2];
        const data = logits.data as Float32Array;
        const row = data.subarray((count - 1) * vocab, count * vocab);
        let best = 0;
        for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        tokens.push(best);
        past = {};
        for (let i = 0; i < layers; i++) {
          past[`past_key_values.${i}.key`] = outputs[`present.${i}.key`];
          past[`past_key_values.${i}.value`] = outputs[`present.${i}.value`];
        }
        cached += count;
        ids = [best];
        forwardMs += ran - started;
        sampleMs += performance.now() - ran;
      }
      return { tokens, forwardMs, sampleMs };
    },
    dispose: () => session.release(),
  };
}
