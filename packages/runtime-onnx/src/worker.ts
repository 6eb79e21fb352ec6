/**
 * The worker-thread entry of `loadModel(dir, { worker: true })`: it loads the model on this thread
 * and answers the main thread's requests. Sequences are referred to by numeric handles.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createMatrix, DisposedError, type ForwardOutput, type Matrix, type Sequence } from '@decodekit/core';
import { loadInThreadModel } from './in-thread-model.js';
import type { SessionLoadOptions } from './options.js';
import type { OnnxCausalLM } from './types.js';
import { type ModelDescription, serializeError, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('@decodekit/runtime-onnx worker.js must run in a worker thread');
const { directory, options } = workerData as { directory: string; options: SessionLoadOptions };

const sequences = new Map<number, Sequence>();
let nextHandle = 1;
let model: OnnxCausalLM | undefined;

function post(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function sequenceOf(handle: number): Sequence {
  const sequence = sequences.get(handle);
  if (!sequence) throw new DisposedError('this sequence');
  return sequence;
}

function register(sequence: Sequence): number {
  const handle = nextHandle++;
  sequences.set(handle, sequence);
  return handle;
}

/** Buffers still referenced by this thread (never transferred away). */
function retainedBuffers(): Set<ArrayBufferLike> {
  const retained = new Set<ArrayBufferLike>();
  for (const sequence of sequences.values()) {
    const arrays = (sequence as { cacheArrays?: readonly { buffer: ArrayBufferLike }[] }).cacheArrays ?? [];
    for (const array of arrays) retained.add(array.buffer);
  }
  return retained;
}

/** Buffers of the result's matrices that can move to the main thread without a copy. */
function transferable(value: unknown): ArrayBuffer[] {
  const retained = retainedBuffers();
  const found = new Set<ArrayBuffer>();
  const visit = (item: unknown): void => {
    if (item instanceof Float32Array) {
      if (item.buffer instanceof ArrayBuffer && !retained.has(item.buffer)) found.add(item.buffer);
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item && typeof item === 'object') for (const entry of Object.values(item)) visit(entry);
  };
  visit(value);
  return [...found];
}

async function handle(request: WorkerRequest, loaded: OnnxCausalLM): Promise<unknown> {
  switch (request.op) {
    case 'open':
      return register(loaded.openSequence());
    case 'forwardBatch': {
      const outputs: ForwardOutput[] = await loaded.forwardBatch(
        request.items.map((item) => ({ sequence: sequenceOf(item.handle), block: item.block })),
        request.options,
      );
      return outputs;
    }
    case 'accept':
      await sequenceOf(request.handle).accept(request.path);
      return undefined;
    case 'truncate':
      await sequenceOf(request.handle).truncate(request.length);
      return undefined;
    case 'fork':
      return register(await sequenceOf(request.handle).fork());
    case 'dispose-sequence': {
      const sequence = sequences.get(request.handle);
      sequences.delete(request.handle);
      await sequence?.dispose();
      return undefined;
    }
    case 'embedding-matrix': {
      if (!loaded.embeddingMatrix) throw new DisposedError('embeddingMatrix');
      const matrix = await loaded.embeddingMatrix();
      // The model caches this matrix: send a copy so the cache is not detached.
      return createMatrix(matrix.rows, matrix.columns, matrix.data.slice());
    }
    case 'embed':
      return (loaded.layers as NonNullable<OnnxCausalLM['layers']>).embed(request.tokens);
    case 'run-layers':
      return (loaded.layers as NonNullable<OnnxCausalLM['layers']>).runLayers(
        sequenceOf(request.handle),
        request.hidden as Matrix,
        request.from,
        request.to,
        { parents: request.parents },
      );
    case 'head':
      return (loaded.layers as NonNullable<OnnxCausalLM['layers']>).head(request.hidden);
  }
}

function describe(loaded: OnnxCausalLM): ModelDescription {
  return {
    name: loaded.name,
    directory: loaded.directory,
    vocabSize: loaded.vocabSize,
    contextLength: loaded.contextLength,
    numLayers: loaded.numLayers,
    hiddenSize: loaded.hiddenSize,
    specialTokens: loaded.specialTokens,
    capabilities: loaded.capabilities,
    graphs: loaded.graphs,
    cacheType: loaded.cacheType,
  };
}

port.on('message', (request: WorkerRequest) => {
  const loaded = model;
  if (!loaded) return;
  handle(request, loaded).then(
    (value) => post({ type: 'result', id: request.id, value }, transferable(value)),
    (error: unknown) => post({ type: 'failure', id: request.id, error: serializeError(error) }),
  );
});

loadInThreadModel(directory, options).then(
  (loaded) => {
    model = loaded;
    post({ type: 'ready', description: describe(loaded) });
  },
  (error: unknown) => post({ type: 'load-error', error: serializeError(error) }),
);
