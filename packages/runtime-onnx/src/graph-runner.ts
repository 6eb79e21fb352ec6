import {
  ancestorMask,
  createMatrix,
  type Matrix,
  ModelFormatError,
  NonFiniteLogitsError,
  throwIfAborted,
} from '@decodekit/core';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import type { DecoderLayout } from './graph-layout.js';
import { type CacheArray, type CacheGeometry, stackCacheArray, unstackCacheArray } from './kv-cache.js';
import type { OrtModule, OrtSession, OrtTensor } from './ort.js';

/** One sequence's part of a graph run. */
export interface RunRow {
  /** Cached positions before the block. */
  readonly pastLength: number;
  /** Past arrays in the order of the graph's `pastNames` (key, value per layer), each `[kvHeads, pastLength, headDim]`. */
  readonly past: readonly CacheArray[];
  /** Block length. */
  readonly length: number;
  /** Token ids (graphs taking `input_ids`). */
  readonly tokens?: ArrayLike<number>;
  /** `[length, inputWidth]` float inputs (graphs taking `inputs_embeds` or `hidden_states`). */
  readonly vectors?: Float32Array;
  /** Tree parents inside the block (-1 = attached to the past); absent for a chain. */
  readonly parents?: ArrayLike<number>;
}

/** Which outputs to fetch. */
export interface RunRequest {
  readonly logits: 'all' | 'last' | 'none';
  readonly hidden: boolean;
}

/** One sequence's outputs. */
export interface RowOutput {
  readonly logits: Matrix;
  readonly hidden?: Matrix;
  /** Present arrays in the order of `presentNames`, each `[kvHeads, pastLength + length, headDim]`. */
  readonly present: CacheArray[];
}

/** Settings shared by every graph of one model. */
export interface RunnerContext {
  readonly ort: OrtModule;
  readonly name: string;
  readonly geometry: CacheGeometry;
  readonly vocabSize: number;
  /** Width of `inputs_embeds` / `hidden_states` inputs and of hidden outputs. */
  readonly hiddenSize: number;
  readonly contextLength: number;
  /** Token id fed at padded block positions. */
  readonly padToken: number;
  readonly checkFinite: boolean;
}

/** Immutable int64 helper buffers shared by every run (never written after creation, so views are safe). */
class Int64Constants {
  private ones = new BigInt64Array(0);
  private iota = new BigInt64Array(0);
  onesView(length: number): BigInt64Array {
    if (this.ones.length < length) this.ones = new BigInt64Array(Math.max(length, 2 * this.ones.length)).fill(1n);
    return this.ones.subarray(0, length);
  }
  rangeView(start: number, length: number): BigInt64Array {
    if (this.iota.length < start + length) {
      const size = Math.max(start + length, 2 * this.iota.length);
      this.iota = BigInt64Array.from({ length: size }, (_, i) => BigInt(i));
    }
    return this.iota.subarray(start, start + length);
  }
}

/** Runs one decoder-like graph (full decoder, tree/embeds extension, or one layer) over a batch of rows. */
export class GraphRunner {
  private readonly constants = new Int64Constants();
  constructor(
    readonly context: RunnerContext,
    readonly session: OrtSession,
    readonly layout: DecoderLayout,
  ) {}

  async run(rows: readonly RunRow[], request: RunRequest, signal?: AbortSignal): Promise<RowOutput[]> {
    const { ort, geometry } = this.context;
    const layout = this.layout;
    const batch = rows.length;
    let pastMax = 0;
    let blockMax = 0;
    for (const row of rows) {
      pastMax = Math.max(pastMax, row.pastLength);
      blockMax = Math.max(blockMax, row.length);
    }
    const total = pastMax + blockMax;
    const single = batch === 1;
    const feeds: Record<string, OrtTensor> = {};

    if (layout.input === 'input_ids') {
      const ids = new BigInt64Array(batch * blockMax).fill(BigInt(this.context.padToken));
      rows.forEach((row, b) => {
        const tokens = row.tokens as ArrayLike<number>;
        for (let i = 0; i < row.length; i++) ids[b * blockMax + i] = BigInt(tokens[i]);
      });
      feeds.input_ids = new ort.Tensor('int64', ids, [batch, blockMax]);
    } else {
      const width = this.context.hiddenSize;
      let vectors: Float32Array;
      if (single) vectors = rows[0].vectors as Float32Array;
      else {
        vectors = new Float32Array(batch * blockMax * width);
        rows.forEach((row, b) => {
          vectors.set(row.vectors as Float32Array, b * blockMax * width);
        });
      }
      feeds[layout.input] =
        layout.inputType === 'float16'
          ? new ort.Tensor('float16', float32ToFloat16(vectors), [batch, blockMax, width])
          : new ort.Tensor('float32', vectors, [batch, blockMax, width]);
    }

    const treeParents = rows.map((row) => row.parents);
    if (layout.positionIds) {
      let positions: BigInt64Array;
      if (single && !treeParents[0]) positions = this.constants.rangeView(rows[0].pastLength, blockMax);
      else {
        positions = new BigInt64Array(batch * blockMax);
        const limit = this.context.contextLength - 1;
        rows.forEach((row, b) => {
          const depths = blockDepths(row.parents, row.length);
          for (let i = 0; i < blockMax; i++) {
            // Padded positions only need a valid rotary index; their outputs are dropped.
            const position = i < row.length ? row.pastLength + depths[i] : Math.min(row.pastLength + i, limit);
            positions[b * blockMax + i] = BigInt(position);
          }
        });
      }
      feeds.position_ids = new ort.Tensor('int64', positions, [batch, blockMax]);
    }

    if (layout.attentionMask) {
      let mask: BigInt64Array;
      if (single) mask = this.constants.onesView(total);
      else {
        mask = new BigInt64Array(batch * total);
        rows.forEach((row, b) => {
          mask.fill(1n, b * total + pastMax - row.pastLength, b * total + pastMax + row.length);
        });
      }
      feeds.attention_mask = new ort.Tensor('int64', mask, [batch, total]);
    }

    if (layout.treeMask)
      feeds.tree_mask = new ort.Tensor('int64', this.treeMask(rows, pastMax, blockMax), [batch, blockMax, total]);
    if (layout.useCacheBranch)
      feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([pastMax > 0 ? 1 : 0]), [1]);
    const uniformLength = rows.every((row) => row.length === blockMax);
    const keepLastOnly = layout.numLogitsToKeep && request.logits === 'last' && uniformLength;
    if (layout.numLogitsToKeep) {
      feeds.num_logits_to_keep = new ort.Tensor('int64', new BigInt64Array([keepLastOnly ? 1n : 0n]), []);
    }

    const cacheDims = [batch, geometry.kvHeads, pastMax, geometry.headDim];
    layout.pastNames.forEach((pair, layerIndex) => {
      for (let kv = 0; kv < 2; kv++) {
        const arrayIndex = 2 * layerIndex + kv;
        const data =
          single && rows[0].pastLength === pastMax
            ? rows[0].past[arrayIndex]
            : stackCacheArray(
                rows.map((row) => ({ length: row.pastLength, arrays: row.past })),
                arrayIndex,
                geometry,
                pastMax,
              );
        feeds[pair[kv]] = new ort.Tensor(geometry.type, data, cacheDims);
      }
    });

    const fetches: string[] = [];
    const wantLogits = layout.logits !== undefined && request.logits !== 'none';
    if (wantLogits) fetches.push(layout.logits as string);
    for (const pair of layout.presentNames) fetches.push(pair[0], pair[1]);
    const wantHidden = request.hidden || layout.logits === undefined;
    if (wantHidden) {
      if (!layout.hiddenOutput) throw new ModelFormatError(`${layout.file}: no hidden-state output to fetch.`);
      fetches.push(layout.hiddenOutput);
    }

    throwIfAborted(signal);
    const results = await this.session.run(feeds, fetches);

    const outputs: RowOutput[] = rows.map(() => ({ logits: createMatrix(0, this.context.vocabSize), present: [] }));
    const presentTotal = (results[layout.presentNames[0][0]].dims[2] as number) ?? -1;
    if (presentTotal !== total) {
      throw new ModelFormatError(
        `${layout.file}: present tensors have ${presentTotal} positions, expected past ${pastMax} + block ${blockMax}; ` +
          'the graph must concatenate the past and the block along axis 2.',
      );
    }
    rows.forEach((row, b) => {
      const present: CacheArray[] = [];
      for (const pair of layout.presentNames) {
        for (const name of pair) {
          const data = results[name].data as CacheArray;
          present.push(
            unstackCacheArray(data, geometry, b, total, pastMax - row.pastLength, row.pastLength + row.length),
          );
        }
      }
      (outputs[b] as { present: CacheArray[] }).present = present;
    });

    if (wantLogits) {
      const tensor = results[layout.logits as string];
      const keptRows = tensor.dims[1] as number;
      rows.forEach((row, b) => {
        const first = request.logits === 'last' ? row.length - 1 : 0;
        const count = request.logits === 'last' ? 1 : row.length;
        // With num_logits_to_keep the graph already returned only the last `keptRows` rows.
        const offset = keptRows === blockMax ? first : first - (blockMax - keptRows);
        const logits = this.logitsRows(tensor, b * keptRows + offset, count);
        if (this.context.checkFinite) this.assertFinite(logits, first);
        (outputs[b] as { logits: Matrix }).logits = logits;
      });
    }

    if (wantHidden) {
      const tensor = results[layout.hiddenOutput as string];
      const width = tensor.dims[2] as number;
      const data =
        tensor.type === 'float16' ? float16ToFloat32(tensor.data as Uint16Array) : (tensor.data as Float32Array);
      rows.forEach((row, b) => {
        const start = b * blockMax * width;
        (outputs[b] as { hidden?: Matrix }).hidden = createMatrix(
          row.length,
          width,
          data.subarray(start, start + row.length * width),
        );
      });
    }
    return outputs;
  }

  /** `[batch, blockMax, pastMax + blockMax]`: 1 where a block token may attend (its past and its ancestors). */
  private treeMask(rows: readonly RunRow[], pastMax: number, blockMax: number): BigInt64Array {
    const total = pastMax + blockMax;
    const mask = new BigInt64Array(rows.length * blockMax * total);
    rows.forEach((row, b) => {
      const ancestors = row.parents ? ancestorMask(row.parents) : undefined;
      for (let i = 0; i < blockMax; i++) {
        const base = (b * blockMax + i) * total;
        if (i >= row.length) {
          mask[base + pastMax + i] = 1n; // padding attends to itself only, so its row stays well defined
          continue;
        }
        mask.fill(1n, base + pastMax - row.pastLength, base + pastMax);
        if (ancestors) {
          for (let j = 0; j <= i; j++) if (ancestors[i * row.length + j]) mask[base + pastMax + j] = 1n;
        } else mask.fill(1n, base + pastMax, base + pastMax + i + 1);
      }
    });
    return mask;
  }

  /** Rows `[first, first + count)` of the flattened `[*, vocab]` logits, as float32 (a view when possible). */
  private logitsRows(tensor: OrtTensor, first: number, count: number): Matrix {
    const vocab = tensor.dims[2] as number;
    if (vocab !== this.context.vocabSize) {
      throw new ModelFormatError(
        `${this.layout.file}: logits have ${vocab} columns but config.json says vocab_size ${this.context.vocabSize}.`,
      );
    }
    const start = first * vocab;
    const end = start + count * vocab;
    if (tensor.type === 'float16')
      return createMatrix(count, vocab, float16ToFloat32((tensor.data as Uint16Array).subarray(start, end)));
    return createMatrix(count, vocab, (tensor.data as Float32Array).subarray(start, end));
  }

  private assertFinite(logits: Matrix, firstBlockIndex: number): void {
    const data = logits.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const row = firstBlockIndex + Math.floor(i / logits.columns);
        throw new NonFiniteLogitsError(
          `model "${this.context.name}" produced ${data[i]} logits for block token ${row}; ` +
            'check the exported graph (fp16 overflow?) or load the fp32 variant.',
        );
      }
    }
  }
}

/** Depth - 1 of each block token (0 for tokens attached to the past); a chain is 0, 1, 2, ... */
function blockDepths(parents: ArrayLike<number> | undefined, length: number): Int32Array {
  const depths = new Int32Array(length);
  for (let i = 0; i < length; i++) depths[i] = parents ? (parents[i] < 0 ? 0 : depths[parents[i]] + 1) : i;
  return depths;
}
