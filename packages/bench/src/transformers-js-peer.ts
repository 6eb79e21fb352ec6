import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One greedy generation of transformers.js. */
export interface TransformersJsOutput {
  readonly tokens: number[];
}

/** transformers.js's `AutoModelForCausalLM.generate`, loaded offline from a model directory. */
export interface TransformersJsPeer {
  readonly version: string;
  generate(prompt: ArrayLike<number>, maxNewTokens: number): Promise<TransformersJsOutput>;
  dispose(): Promise<void>;
}

// The slice of @huggingface/transformers used here (it is not a dependency: typed loosely).
interface TransformersModule {
  readonly env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    readonly version: string;
  };
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
  readonly AutoModelForCausalLM: {
    from_pretrained(name: string, options: Record<string, unknown>): Promise<TransformersModel>;
  };
}
interface TransformersModel {
  generate(options: Record<string, unknown>): Promise<{ tolist(): unknown[][] }>;
  dispose?(): Promise<unknown>;
}

/**
 * Loads `@huggingface/transformers` (resolved from `searchFrom`, a folder whose `node_modules`
 * holds it, or else from this package) and the model in `directory`, offline:
 * `env.allowRemoteModels = false`, `env.localModelPath` = the directory's parent. Throws when the
 * package is not installed or the model cannot be loaded; the harness reports that as the reason
 * the peer is missing.
 */
export async function createTransformersJsPeer(
  directory: string,
  threads: number,
  searchFrom?: string,
): Promise<TransformersJsPeer> {
  const specifier = '@huggingface/transformers';
  const resolved = searchFrom
    ? pathToFileURL(createRequire(`${searchFrom.replace(/\/$/, '')}/`).resolve(specifier)).href
    : specifier;
  const transformers = (await import(resolved)) as TransformersModule;
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = `${dirname(directory)}/`;
  const model = await transformers.AutoModelForCausalLM.from_pretrained(basename(directory), {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
  });
  return {
    version: transformers.env.version,
    async generate(prompt, maxNewTokens) {
      const ids = Array.from(prompt);
      const inputIds = new transformers.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const mask = new transformers.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
      const output = await model.generate({
        input_ids: inputIds,
        attention_mask: mask,
        max_new_tokens: maxNewTokens,
        // No end-of-sequence token: generate exactly maxNewTokens, like the other methods
        // (min_new_tokens would instead mask EOS and change the greedy tokens).
        eos_token_id: null,
        do_sample: false,
      });
      const row = output.tolist()[0] as (number | bigint)[];
      return { tokens: row.slice(ids.length).map(Number) };
    },
    async dispose() {
      await model.dispose?.();
    },
  };
}
