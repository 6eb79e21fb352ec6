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

/** One forward pass of a VAR transformer for every row of a batch (the CFG pair shares inputs). */
export interface VarStepInput {
  /** Class id per batch row (`nullClass` for the unconditional branch). */
  readonly classIds: readonly number[];
  /**
   * The continuous token maps of the `S` new positions, `[S, codeDim]` row-major, shared by all
   * rows. Position 0 (the start token, embedded from the class) takes zeros.
   */
  readonly tokenMaps: Float32Array;
  /** Absolute sequence positions of the `S` new tokens. */
  readonly positions: ArrayLike<number>;
  /** `[S, P + S]` row-major: 1 where new token s may attend key t (cached tokens first). */
  readonly mask: Uint8Array;
}

/** A batch of VAR contexts with a KV cache that grows with every pass. */
export interface VarSession {
  /** Cached positions per row. */
  readonly length: number;
  readonly batch: number;
  /** Logits over the codebook, `[batch, S, codebookSize]` row-major. */
  step(input: VarStepInput): Promise<Float32Array>;
  /** Bytes of the KV cache held now (all rows). */
  readonly cacheBytes: number;
  dispose(): void;
}

/** Shape facts of a VAR transformer (`config.json`). */
export interface VarModelConfig {
  readonly scales: readonly number[];
  readonly codebookSize: number;
  readonly codeDim: number;
  readonly numClasses: number;
  readonly classes: readonly string[];
  readonly nullClass: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly params?: number;
}

/**
 * A class-conditional next-scale-prediction transformer (VAR): block-causal attention over the
 * scales, AdaLN from the class, continuous token-map inputs. `loadVarModel` opens the ONNX export.
 */
export interface VarModel {
  readonly name: string;
  readonly config: VarModelConfig;
  open(batch: number): VarSession;
  dispose(): Promise<void>;
}

async function readVarConfig(directory: string): Promise<VarModelConfig> {
  const path = join(directory, 'config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFormatError(`${path}: cannot read the VAR config (${String(error)}).`, { cause: error });
  }
  const config: VarModelConfig = {
    scales: raw.scales as number[],
    codebookSize: raw.codebookSize as number,
    codeDim: raw.codeDim as number,
    numClasses: raw.numClasses as number,
    classes: (raw.classes as string[] | undefined) ?? [],
    nullClass: raw.nullClass as number,
    numLayers: raw.num_layers as number,
    numHeads: raw.num_heads as number,
    headDim: raw.head_dim as number,
    params: raw.params as number | undefined,
  };
  for (const key of ['codebookSize', 'codeDim', 'numClasses', 'numLayers', 'numHeads', 'headDim'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new ModelFormatError(`${path}: ${key} is missing or not a positive integer (got ${config[key]}).`);
    }
  }
  if (!Array.isArray(config.scales) || !Number.isInteger(config.nullClass)) {
    throw new ModelFormatError(`${path}: needs scales and nullClass.`);
  }
  return config;
}

/** Loads a VAR model directory (`var.onnx` + `config.json`, e.g. `image-var-large`) over onnxruntime-node. */
export async function loadVarModel(directory: string, options: ImageSessionOptions = {}): Promise<VarModel> {
  const config = await readVarConfig(directory);
  const path = join(directory, 'var.onnx');
  const session = await openSession(path, options);
  const names = graphCacheNames(config.numLayers);
  expectNames(
    session,
    path,
    ['class_ids', 'token_maps', 'position_ids', 'attention_mask', ...names.past],
    ['logits', ...names.present],
  );
  const ort = await importOnnxRuntime();
  const name = basename(directory);
  return {
    name,
    config,
    ...graphModel(`VAR model ${name}`, session, (batch) => new OnnxVarSession(ort, session, config, batch, names)),
  };
}

class OnnxVarSession implements VarSession {
  private readonly cache: GraphKvCache;
  private closed = false;
  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly config: VarModelConfig,
    readonly batch: number,
    names: GraphCacheNames,
  ) {
    this.cache = new GraphKvCache(names, { batch, kvHeads: config.numHeads, headDim: config.headDim });
  }

  get length(): number {
    return this.cache.length;
  }

  get cacheBytes(): number {
    return this.cache.bytes;
  }

  async step(input: VarStepInput): Promise<Float32Array> {
    if (this.closed) throw new DisposedError('VAR session');
    const { batch, config, ort } = this;
    const S = input.positions.length;
    const keys = this.length + S;
    const C = config.codeDim;
    if (input.classIds.length !== batch || input.tokenMaps.length !== S * C || input.mask.length !== S * keys) {
      throw new InvalidArgumentError(
        'input',
        `expected ${batch} class ids, ${S} x ${C} token-map values and a ${S} x ${keys} mask`,
      );
    }
    const classIds = new BigInt64Array(batch);
    const positions = new BigInt64Array(batch * S);
    const maps = new Float32Array(batch * S * C);
    const mask = new BigInt64Array(batch * S * keys);
    for (let b = 0; b < batch; b++) {
      const id = input.classIds[b];
      if (!Number.isInteger(id) || id < 0 || id > config.numClasses) {
        throw new InvalidArgumentError('classIds', `class id ${id} is outside [0, ${config.numClasses}]`);
      }
      classIds[b] = BigInt(id);
      for (let s = 0; s < S; s++) positions[b * S + s] = BigInt(input.positions[s]);
      maps.set(input.tokenMaps, b * S * C);
      for (let k = 0; k < S * keys; k++) mask[b * S * keys + k] = input.mask[k] ? 1n : 0n;
    }
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      class_ids: new ort.Tensor('int64', classIds, [batch]),
      token_maps: new ort.Tensor('float32', maps, [batch, S, C]),
      position_ids: new ort.Tensor('int64', positions, [batch, S]),
      attention_mask: new ort.Tensor('int64', mask, [batch, S, keys]),
    };
    this.cache.feed(ort, feeds);
    const out = await this.session.run(feeds);
    this.cache.update(out, keys);
    return out.logits.data as Float32Array;
  }

  dispose(): void {
    this.closed = true;
    this.cache.clear();
  }
}
