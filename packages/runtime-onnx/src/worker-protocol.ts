import {
  AbortError,
  CapabilityError,
  ContextOverflowError,
  DecodekitError,
  type DecodekitErrorCode,
  DisposedError,
  InvalidArgumentError,
  InvalidStateError,
  type Matrix,
  type ModelCapabilities,
  ModelFormatError,
  NonFiniteLogitsError,
  type SpecialTokens,
  TokenOutOfRangeError,
  VocabularyMismatchError,
} from '@decodekit/core';
import type { OnnxGraphFiles } from './types.js';

/** What the worker reports once its model is loaded. */
export interface ModelDescription {
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
}

/** A block as it crosses the thread boundary. */
export interface WireBlock {
  readonly tokens: Int32Array;
  readonly parents?: Int32Array;
  readonly embeddings?: Float32Array;
}

export interface WireForwardOptions {
  readonly logits?: 'all' | 'last' | 'none';
  readonly hiddenStates?: boolean;
}

/** Requests from the main thread; `id` pairs each with its response. */
export type WorkerRequest = { readonly id: number } & (
  | { readonly op: 'open' }
  | {
      readonly op: 'forwardBatch';
      readonly items: readonly { handle: number; block: WireBlock }[];
      readonly options: WireForwardOptions;
    }
  | { readonly op: 'accept'; readonly handle: number; readonly path: Int32Array }
  | { readonly op: 'truncate'; readonly handle: number; readonly length: number }
  | { readonly op: 'fork'; readonly handle: number }
  | { readonly op: 'dispose-sequence'; readonly handle: number }
  | { readonly op: 'embedding-matrix' }
  | { readonly op: 'embed'; readonly tokens: Int32Array }
  | {
      readonly op: 'run-layers';
      readonly handle: number;
      readonly hidden: Matrix;
      readonly from: number;
      readonly to: number;
      readonly parents?: Int32Array;
    }
  | { readonly op: 'head'; readonly hidden: Matrix }
);

/** Responses from the worker. */
export type WorkerResponse =
  | { readonly type: 'ready'; readonly description: ModelDescription }
  | { readonly type: 'load-error'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failure'; readonly id: number; readonly error: WireError };

/** An error as plain data (classes do not survive structured cloning). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: DecodekitErrorCode;
  readonly fields: Record<string, unknown>;
}

const copiedFields = ['capability', 'setting', 'token', 'vocabSize', 'required', 'contextLength'] as const;

/** Turns any thrown value into plain data. */
export function serializeError(error: unknown): WireError {
  if (error instanceof Error) {
    const record = error as unknown as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const name of copiedFields) if (name in record) fields[name] = record[name];
    return {
      name: error.name,
      message: error.message,
      code: DecodekitError.is(error) ? error.code : undefined,
      fields,
    };
  }
  return { name: 'Error', message: String(error), fields: {} };
}

/** Rebuilds the decodekit error class (so `instanceof` and `code` work on the main thread). */
export function deserializeError(wire: WireError): Error {
  const f = wire.fields;
  let error: Error;
  switch (wire.name) {
    case 'CapabilityError':
      error = new CapabilityError(String(f.capability), wire.message);
      break;
    case 'InvalidArgumentError':
      error = new InvalidArgumentError(String(f.setting), '');
      break;
    case 'ModelFormatError':
      error = new ModelFormatError(wire.message);
      break;
    case 'ContextOverflowError':
      error = new ContextOverflowError(Number(f.required), Number(f.contextLength), wire.message);
      break;
    case 'NonFiniteLogitsError':
      error = new NonFiniteLogitsError(wire.message);
      break;
    case 'TokenOutOfRangeError':
      error = new TokenOutOfRangeError(Number(f.token), Number(f.vocabSize));
      break;
    case 'VocabularyMismatchError':
      error = new VocabularyMismatchError(wire.message);
      break;
    case 'InvalidStateError':
      error = new InvalidStateError(wire.message);
      break;
    case 'DisposedError':
      error = new DisposedError('');
      break;
    case 'AbortError':
      error = new AbortError();
      break;
    default:
      error = wire.code ? new DecodekitError(wire.code, wire.message) : new Error(wire.message);
      if (!wire.code) error.name = wire.name;
  }
  error.message = wire.message;
  return error;
}
