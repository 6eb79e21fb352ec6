import type { CausalLM, SamplerChain, Verifier } from '@decodekit/core';
import { importPackage } from './optional-import.js';

/** The part of `@decodekit/runtime-onnx` the CLI uses. */
export interface RuntimeModule {
  loadModel(
    directory: string,
    options?: { readonly worker?: boolean; readonly intraOpNumThreads?: number; readonly extensions?: boolean },
  ): Promise<LoadedModel>;
}

/** A model from `@decodekit/runtime-onnx` (an `OnnxCausalLM`; the extra fields are optional here). */
export interface LoadedModel extends CausalLM {
  readonly directory?: string;
  readonly graphs?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly cacheType?: string;
  readonly worker?: boolean;
}

/** The part of `@decodekit/models-tiny` the CLI uses. */
export interface TinyModelsModule {
  readonly tinyLm: string;
  readonly tinyLmDraft: string;
  /** The training-split sample (REST's default datastore). */
  readonly readTrainSample?: () => string;
}

export interface SamplersModule {
  samplerChain(settings: Record<string, unknown>): SamplerChain;
}

export interface VerifiersModule {
  defaultVerifier(): Verifier;
}

/** Lazy imports of the packages the commands use, with install hints when one is missing. */
export const packages = {
  runtime: () => importPackage<RuntimeModule>('@decodekit/runtime-onnx', 'running an ONNX model'),
  tinyModels: () =>
    importPackage<TinyModelsModule>('@decodekit/models-tiny', 'the default model (pass --model DIR to use another)'),
  samplers: () => importPackage<SamplersModule>('@decodekit/samplers', 'sampling'),
  verifiers: () => importPackage<VerifiersModule>('@decodekit/verifiers', 'speculative decoding (--draft)'),
};
