import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DisposedError, InvalidArgumentError, ModelFormatError } from '@decodekit/core';
import {
  expectNames,
  type GraphCacheNames,
  GraphKvCache,
  graphCacheNames,
  graphModel,
  type ImageSessionOptions,
  importOnnxRuntime,
  type OrtModule,
  type OrtSession,
  openSession,
} from './ort.js';

/** One NAR forward step for every row of a batch (the CFG pair shares positions and mask). */
export interface NarStepInput {
  /** Token ids per batch row, `S` each. */
  readonly tokens: readonly ArrayLike<number>[];
  /** `row_ids` of the `S` new tokens (condition token 0, cell (i, j) → i + 1). */
  readonly rowIds: ArrayLike<number>;
  /** `col_ids` of the `S` new tokens (condition token 0, cell (i, j) → j + 1). */
  readonly colIds: ArrayLike<number>;
  /** `[S, P + S]` row-major: 1 where new token s may attend key t (cached tokens first, then the new ones). */
  readonly mask: Uint8Array;
}

/** Both heads' logits over the codebook, `[B, S, outputSize]` row-major. */
export interface NarStepOutput {
  readonly right: Float32Array;
  readonly below: Float32Array;
}

/** A batch of NAR contexts with a shared KV cache that grows with every step. */
export interface NarSession {
  /** Cached tokens per row. */
  readonly length: number;
  readonly batch: number;
  step(input: NarStepInput): Promise<NarStepOutput>;
  dispose(): void;
}

/**
 * A Neighbouring-AR model: one trunk with a right-neighbour and a below-neighbour head, explicit 2-D
 * positions and a caller-given attention mask (`docs/visual-ar-layout.md`). `loadNarModel` opens
 * the ONNX export; tests can implement it directly.
 */
export interface NarModel {
  readonly name: string;
  /** Input vocabulary (image, class and null tokens). */
  readonly vocabSize: number;
  /** Logits per head: the codebook size. */
  readonly outputSize: number;
  open(batch: number): NarSession;
  dispose(): Promise<void>;
}

interface NarConfig {
  readonly cacheLayers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly outputSize: number;
}

async function readNarConfig(directory: string): Promise<NarConfig> {
  const path = join(directory, 'config.json');
  let raw: Record<string, number>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, number>;
  } catch (error) {
    throw new ModelFormatError(`${path}: cannot read the NAR config (${String(error)}).`, { cause: error });
  }
  const layers = raw.num_hidden_layers;
  const heads = raw.num_attention_heads;
  const config = {
    cacheLayers: raw.num_cache_layers ?? layers + 1,
    kvHeads: raw.num_key_value_heads ?? heads,
    headDim: raw.head_dim ?? raw.hidden_size / heads,
    vocabSize: raw.vocab_size,
    outputSize: raw.output_vocab_size,
  };
  for (const [key, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new ModelFormatError(`${path}: ${key} is missing or not a positive integer (got ${value}).`);
    }
  }
  return config;
}

/**
 * Loads an NAR model directory (`nar.onnx` + `config.json`, e.g. `imageNar` of
 * `@decodekit/models-tiny`) over onnxruntime-node.
 */
export async function loadNarModel(directory: string, options: ImageSessionOptions = {}): Promise<NarModel> {
  const config = await readNarConfig(directory);
  const path = join(directory, 'nar.onnx');
  const session = await openSession(path, options);
  const names = graphCacheNames(config.cacheLayers);
  expectNames(
    session,
    path,
    ['input_ids', 'row_ids', 'col_ids', 'attention_mask', ...names.past],
    ['logits_right', 'logits_below', ...names.present],
  );
  const ort = await importOnnxRuntime();
  const name = basename(directory);
  return {
    name,
    vocabSize: config.vocabSize,
    outputSize: config.outputSize,
    ...graphModel(`NAR model ${name}`, session, (batch) => new OnnxNarSession(ort, session, config, batch, names)),
  };
}

class OnnxNarSession implements NarSession {
  private readonly cache: GraphKvCache;
  private closed = false;
  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly config: NarConfig,
    readonly batch: number,
    names: GraphCacheNames,
  ) {
    this.cache = new GraphKvCache(names, { batch, kvHeads: config.kvHeads, headDim: config.headDim });
  }

  get length(): number {
    return this.cache.length;
  }

  async step(input: NarStepInput): Promise<NarStepOutput> {
    if (this.closed) throw new DisposedError('NAR session');
    const { batch, config, ort } = this;
    const S = input.rowIds.length;
    const keys = this.length + S;
    if (input.tokens.length !== batch || input.colIds.length !== S || input.mask.length !== S * keys) {
      throw new InvalidArgumentError(
        'input',
        `expected ${batch} token rows of ${S}, ${S} col ids and a ${S} x ${keys} mask`,
      );
    }
    const ids = new BigInt64Array(batch * S);
    const rows = new BigInt64Array(batch * S);
    const cols = new BigInt64Array(batch * S);
    const mask = new BigInt64Array(batch * S * keys);
    for (let b = 0; b < batch; b++) {
      const row = input.tokens[b];
      if (row.length !== S)
        throw new InvalidArgumentError('input.tokens', `row ${b} has ${row.length} ids, expected ${S}`);
      for (let s = 0; s < S; s++) {
        const id = row[s];
        if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
          throw new InvalidArgumentError('input.tokens', `token ${id} is outside [0, ${config.vocabSize})`);
        }
        ids[b * S + s] = BigInt(id);
        rows[b * S + s] = BigInt(input.rowIds[s]);
        cols[b * S + s] = BigInt(input.colIds[s]);
      }
      for (let k = 0; k < S * keys; k++) mask[b * S * keys + k] = input.mask[k] ? 1n : 0n;
    }
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      input_ids: new ort.Tensor('int64', ids, [batch, S]),
      row_ids: new ort.Tensor('int64', rows, [batch, S]),
      col_ids: new ort.Tensor('int64', cols, [batch, S]),
      attention_mask: new ort.Tensor('int64', mask, [batch, S, keys]),
    };
    this.cache.feed(ort, feeds);
    const out = await this.session.run(feeds);
    this.cache.update(out, keys);
    return { right: out.logits_right.data as Float32Array, below: out.logits_below.data as Float32Array };
  }

  dispose(): void {
    this.closed = true;
    this.cache.clear();
  }
}
