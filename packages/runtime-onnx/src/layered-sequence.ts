import {
  compactionIndices,
  createMatrix,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  InvalidStateError,
  isChain,
  isTreePath,
  type Matrix,
  type TokenBlock,
  throwIfAborted,
  validateParents,
} from '@decodekit/core';
import type { RowOutput } from './graph-runner.js';
import { type CacheArray, type CacheGeometry, emptyCache, gatherCache, type KvCache, sliceCache } from './kv-cache.js';
import type { LayeredRunOptions, LayeredRunOutput, OnnxLayeredSequence } from './types.js';

/** What a layered sequence needs from its model (the in-thread model implements it). */
export interface LayeredHost {
  readonly name: string;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly contextLength: number;
  readonly geometry: CacheGeometry;
  assertOpen(): void;
  /** Checks token ids (throws `TokenOutOfRangeError`) and returns them as int32. */
  checkTokens(tokens: ArrayLike<number>): Int32Array;
  /** Token embeddings `[tokens.length, hiddenSize]`. */
  embedRows(tokens: ArrayLike<number>): Promise<Float32Array>;
  /** Runs one layer graph: `rows` input vectors placed after `pastLength` cached positions. */
  runLayer(
    layer: number,
    pastLength: number,
    past: readonly [CacheArray, CacheArray],
    vectors: Float32Array,
    rows: number,
    parents: Int32Array | undefined,
  ): Promise<{ hidden: Float32Array; present: CacheArray[] }>;
  /** Runs the whole-model graph (standard, or tree when `parents`/`hiddenStates`) on a level cache. */
  runFull(
    pastLength: number,
    past: readonly CacheArray[],
    tokens: Int32Array,
    parents: Int32Array | undefined,
    request: { logits: 'all' | 'last' | 'none'; hidden: boolean },
    signal: AbortSignal | undefined,
  ): Promise<RowOutput>;
  /** Final norm + LM head on pre-norm rows. */
  head(hidden: Matrix): Promise<{ readonly logits: Matrix; readonly hiddenStates: Matrix }>;
}

/** One layer's cache and, above layer 0, the rows of the layer below it has not consumed yet. */
interface LayerState {
  /** This layer's keys and values, `[kvHeads, length, headDim]` each. */
  readonly kv: KvCache;
  /**
   * Output of layer `i - 1` for positions `[kv.length, lengthOf(i - 1))`: the input this layer
   * still has to process (LayerSkip's "exit query cache" when layer i is the first verify layer).
   */
  readonly pending: Float32Array;
}

interface LastBlock {
  readonly start: number;
  readonly length: number;
  readonly parents?: Int32Array;
}

const noRows = new Float32Array(0);

function concatRows(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Checks injected rows and returns them with the parents of block + extra rows (-1 = the cache). */
function injectedRows(
  given: { readonly hidden: Float32Array; readonly parents: ArrayLike<number> },
  blockParents: Int32Array | undefined,
  rows: number,
  width: number,
): { hidden: Float32Array; count: number; parents: Int32Array } {
  const count = given?.parents?.length ?? 0;
  if (!(given?.hidden instanceof Float32Array) || count < 1 || given.hidden.length !== count * width) {
    throw new InvalidArgumentError(
      'inject.rows',
      `must return 1 or more rows of ${width} values with one parent each (got ${given?.hidden?.length} values, ${count} parents)`,
    );
  }
  const parents = new Int32Array(rows + count);
  for (let i = 0; i < rows; i++) parents[i] = blockParents ? blockParents[i] : i - 1;
  for (let j = 0; j < count; j++) parents[rows + j] = given.parents[j];
  validateParents(parents, 'inject.rows parents');
  return { hidden: given.hidden, count, parents };
}

/**
 * A sequence whose decoder layers keep their own KV caches and committed lengths, so that a range
 * of layers can run ahead of the others and later layers can catch up without recomputing the
 * lower ones (early-exit self-speculation). Layer `i + 1` never holds more positions than layer
 * `i`; the rows layer `i` produced that layer `i + 1` has not consumed are kept as its pending
 * input. `length` (what the `Sequence` contract calls the cached length) is the top layer's.
 */
export class LayeredSequence implements OnnxLayeredSequence {
  private layers: LayerState[];
  private ids: number[];
  private last: LastBlock | undefined;
  private disposed = false;
  private busy = false;

  constructor(
    private readonly host: LayeredHost,
    layers?: LayerState[],
    ids: number[] = [],
    last?: LastBlock,
  ) {
    const kvGeometry = { ...host.geometry, layers: 1 };
    this.layers =
      layers ?? Array.from({ length: host.numLayers }, () => ({ kv: emptyCache(kvGeometry), pending: noRows }));
    this.ids = ids;
    this.last = last;
  }

  get layerCount(): number {
    return this.host.numLayers;
  }

  get length(): number {
    return this.layers[this.layers.length - 1].kv.length;
  }

  layerLengths(): number[] {
    return this.layers.map((layer) => layer.kv.length);
  }

  tokens(): Int32Array {
    this.assertUsable();
    return Int32Array.from(this.ids.slice(0, this.length));
  }

  recordedTokens(): Int32Array {
    this.assertUsable();
    return Int32Array.from(this.ids);
  }

  async forward(block: TokenBlock, options: ForwardOptions = {}): Promise<ForwardOutput> {
    if (block.embeddings) {
      throw new InvalidArgumentError('block.embeddings', 'a layered sequence runs token blocks only');
    }
    const output = await this.run(
      { tokens: block.tokens, parents: block.parents },
      {
        start: this.length,
        logits: options.logits ?? 'all',
        hiddenStates: options.hiddenStates,
        signal: options.signal,
      },
    );
    return options.hiddenStates
      ? { logits: output.logits ?? createMatrix(0, 0), hiddenStates: output.hiddenStates }
      : { logits: output.logits ?? createMatrix(0, 0) };
  }

  async run(block: TokenBlock, options: LayeredRunOptions = {}): Promise<LayeredRunOutput> {
    this.assertReady();
    const host = this.host;
    const count = host.numLayers;
    const to = options.to ?? count;
    if (!Number.isInteger(to) || to < 1 || to > count) {
      throw new InvalidArgumentError('to', `must be an integer in [1, ${count}], got ${to}`);
    }
    const tokens = host.checkTokens(block.tokens ?? []);
    if (tokens.length < 1) throw new InvalidArgumentError('block.tokens', 'a block needs at least one token');
    const recorded = this.ids.length;
    const start = options.start ?? recorded;
    if (!Number.isInteger(start) || start < this.length || start > recorded) {
      throw new InvalidArgumentError(
        'start',
        `must be an integer in [${this.length}, ${recorded}] (committed length to recorded length), got ${start}`,
      );
    }
    const end = start + tokens.length;
    if (end > host.contextLength) {
      throw new InvalidArgumentError(
        'block.tokens',
        `would reach position ${end} past the context length ${host.contextLength}`,
      );
    }
    let parents: Int32Array | undefined;
    if (block.parents) {
      if (block.parents.length !== tokens.length) {
        throw new InvalidArgumentError(
          'block.parents',
          `has ${block.parents.length} entries for ${tokens.length} tokens`,
        );
      }
      validateParents(block.parents, 'block.parents');
      if (!isChain(block.parents)) parents = Int32Array.from(block.parents);
    }
    // Positions the lower layers already hold must carry the same tokens; from the first
    // difference on (and past the block's end) their entries are dropped.
    let keep = Math.min(end, recorded);
    for (let p = start; p < keep; p++) {
      if (this.ids[p] !== tokens[p - start]) {
        keep = p;
        break;
      }
    }
    if (keep < recorded) this.cut(keep);
    const lengths = this.layerLengths();
    const inject = options.inject;
    if (inject) {
      if (!Number.isInteger(inject.layer) || inject.layer < 1 || inject.layer >= count) {
        throw new InvalidArgumentError('inject.layer', `must be an integer in [1, ${count - 1}], got ${inject.layer}`);
      }
      if (!(to === count && lengths.every((n) => n === start))) {
        throw new InvalidArgumentError(
          'inject',
          'injected rows need every layer at the block start and to = numLayers',
        );
      }
    }
    if (parents && !(to === count && lengths.every((n) => n === start))) {
      throw new InvalidArgumentError(
        'block.parents',
        'a tree block needs every layer at the same length and to = numLayers (draft chains with the lower layers, verify trees with all of them)',
      );
    }
    throwIfAborted(options.signal);
    const logitsMode = options.logits ?? 'none';
    this.busy = true;
    try {
      const level = lengths.every((n) => n === start);
      if (level && to === count && !options.layerOutputs && !options.exitHidden && !inject) {
        return await this.runWhole(tokens, parents, start, logitsMode, options);
      }
      const width = host.hiddenSize;
      const layerOutputs: ({ readonly start: number; readonly hidden: Matrix } | undefined)[] = [];
      let carryStart = lengths[0];
      let carry = carryStart < end ? await host.embedRows(tokens.subarray(carryStart - start)) : noRows;
      const next = this.layers.slice();
      // Injected rows (level sequence: every layer runs the whole block) ride after the block's rows.
      let extra: { hidden: Float32Array; count: number; parents: Int32Array } | undefined;
      for (let layer = 0; layer < to; layer++) {
        throwIfAborted(options.signal);
        const state = next[layer];
        const first = state.kv.length;
        const input = layer === 0 ? carry : concatRows(state.pending, carry);
        const rows = end - first;
        if (input.length !== rows * width) {
          throw new InvalidStateError(`layer ${layer} has ${input.length / width} input rows for ${rows} positions`);
        }
        if (inject && layer === inject.layer) {
          extra = injectedRows(await inject.rows(createMatrix(rows, width, input)), parents, rows, width);
          host.assertOpen();
        }
        if (extra) {
          const total = rows + extra.count;
          const result = await host.runLayer(
            layer,
            first,
            [state.kv.arrays[0], state.kv.arrays[1]],
            concatRows(input, extra.hidden),
            total,
            extra.parents,
          );
          host.assertOpen();
          // The extra rows' KV entries are dropped: the cache keeps the block only.
          const kv = sliceCache(
            { length: first + total, arrays: result.present },
            { ...host.geometry, layers: 1 },
            end,
          );
          next[layer] = { kv, pending: noRows };
          carry = result.hidden.subarray(0, rows * width);
          extra = { ...extra, hidden: result.hidden.subarray(rows * width) };
          carryStart = first;
          layerOutputs.push({ start: first, hidden: createMatrix(rows, width, carry) });
          continue;
        }
        if (rows === 0) {
          carry = noRows;
          carryStart = end;
          next[layer] = { kv: state.kv, pending: noRows };
          layerOutputs.push(undefined);
          continue;
        }
        const result = await host.runLayer(
          layer,
          first,
          [state.kv.arrays[0], state.kv.arrays[1]],
          input,
          rows,
          parents,
        );
        host.assertOpen();
        next[layer] = { kv: { length: end, arrays: result.present }, pending: noRows };
        carry = result.hidden;
        carryStart = first;
        layerOutputs.push({ start: first, hidden: createMatrix(rows, width, carry) });
      }
      if (to < count) {
        const above = next[to];
        next[to] = { kv: above.kv, pending: concatRows(above.pending, carry) };
      }
      this.layers = next;
      for (let p = this.ids.length; p < end; p++) this.ids.push(tokens[p - start]);
      this.last = to === count ? { start, length: tokens.length, parents } : undefined;
      const outputRows = end - carryStart;
      const exit = createMatrix(outputRows, width, carry);
      const output: {
        outputStart: number;
        logits?: Matrix;
        hiddenStates?: Matrix;
        exitHidden?: Matrix;
        layerOutputs?: typeof layerOutputs;
      } = { outputStart: carryStart };
      if (outputRows > 0 && (logitsMode !== 'none' || options.hiddenStates)) {
        const rowsForHead =
          logitsMode === 'last' && !options.hiddenStates
            ? createMatrix(1, width, carry.subarray((outputRows - 1) * width))
            : exit;
        const head = await host.head(rowsForHead);
        if (logitsMode !== 'none') {
          output.logits =
            logitsMode === 'last' && head.logits.rows > 1
              ? createMatrix(
                  1,
                  head.logits.columns,
                  head.logits.data.subarray((head.logits.rows - 1) * head.logits.columns),
                )
              : head.logits;
        }
        if (options.hiddenStates) output.hiddenStates = head.hiddenStates;
      }
      if (options.exitHidden) output.exitHidden = exit;
      if (options.layerOutputs) output.layerOutputs = layerOutputs;
      if (extra && (logitsMode !== 'none' || options.hiddenStates)) {
        const head = await host.head(createMatrix(extra.count, width, extra.hidden));
        return {
          ...output,
          injected: {
            ...(logitsMode !== 'none' ? { logits: head.logits } : {}),
            ...(options.hiddenStates ? { hiddenStates: head.hiddenStates } : {}),
          },
        };
      }
      return output;
    } finally {
      this.busy = false;
    }
  }

  /** Every layer level at `start`, all layers wanted: one run of the whole-model graph. */
  private async runWhole(
    tokens: Int32Array,
    parents: Int32Array | undefined,
    start: number,
    logitsMode: 'all' | 'last' | 'none',
    options: LayeredRunOptions,
  ): Promise<LayeredRunOutput> {
    const past = this.layers.flatMap((layer) => [layer.kv.arrays[0], layer.kv.arrays[1]]);
    const hidden = options.hiddenStates === true;
    const result = await this.host.runFull(
      start,
      past,
      tokens,
      parents,
      { logits: logitsMode === 'none' && hidden ? 'all' : logitsMode, hidden },
      options.signal,
    );
    this.host.assertOpen();
    const end = start + tokens.length;
    this.layers = this.layers.map((_, i) => ({
      kv: { length: end, arrays: [result.present[2 * i], result.present[2 * i + 1]] },
      pending: noRows,
    }));
    for (let p = this.ids.length; p < end; p++) this.ids.push(tokens[p - start]);
    this.last = { start, length: tokens.length, parents };
    return {
      outputStart: start,
      ...(logitsMode !== 'none' ? { logits: result.logits } : {}),
      ...(hidden ? { hiddenStates: result.hidden } : {}),
    };
  }

  accept(path: ArrayLike<number>): void {
    this.assertUsable();
    if (this.busy) throw new InvalidStateError('accept was called while a run is in flight; await the run first.');
    const last = this.last;
    const end = last ? last.start + last.length : -1;
    if (!last || this.layers.some((layer) => layer.kv.length !== end)) {
      throw new InvalidStateError(
        'accept needs the block of the last forward (a run through every layer): call it right after forward.',
      );
    }
    if (!isTreePath(last.parents, path, last.length)) {
      throw new InvalidArgumentError(
        'path',
        `[${Array.from(path)}] is not a root-to-node path of the last block (${last.length} tokens)`,
      );
    }
    let isPrefix = true;
    for (let k = 0; k < path.length; k++) if (path[k] !== k) isPrefix = false;
    if (isPrefix) this.cut(last.start + path.length);
    else {
      const geometry = { ...this.host.geometry, layers: 1 };
      const keep = new Int32Array(last.start + path.length);
      for (let i = 0; i < last.start; i++) keep[i] = i;
      keep.set(compactionIndices(path, last.start), last.start);
      this.layers = this.layers.map((layer) => ({ kv: gatherCache(layer.kv, geometry, keep), pending: noRows }));
      const blockIds = this.ids.slice(last.start);
      this.ids.length = last.start;
      for (let k = 0; k < path.length; k++) this.ids.push(blockIds[path[k]]);
    }
    this.last = undefined;
  }

  truncate(length: number): void {
    this.assertUsable();
    if (this.busy) throw new InvalidStateError('truncate was called while a run is in flight; await the run first.');
    if (!Number.isInteger(length) || length < 0 || length > this.ids.length) {
      throw new InvalidArgumentError('length', `must be an integer in [0, ${this.ids.length}], got ${length}`);
    }
    const last = this.last;
    if (last?.parents && length > last.start) {
      throw new InvalidStateError(
        `the last block is an unaccepted tree: accept a path first, or truncate to at most ${last.start} tokens.`,
      );
    }
    this.cut(length);
  }

  /** Keeps positions `[0, length)` in every layer (and of the pending rows). */
  private cut(length: number): void {
    const geometry = { ...this.host.geometry, layers: 1 };
    const width = this.host.hiddenSize;
    const previous = this.layers;
    this.layers = previous.map((layer, i) => {
      const kept = Math.min(layer.kv.length, length);
      const below = i === 0 ? kept : Math.min(previous[i - 1].kv.length, length);
      return {
        kv: sliceCache(layer.kv, geometry, kept),
        pending: i === 0 ? noRows : layer.pending.subarray(0, Math.max(0, below - kept) * width),
      };
    });
    if (this.ids.length > length) this.ids.length = length;
    if (this.last && length < this.last.start + this.last.length) this.last = undefined;
  }

  fork(): LayeredSequence {
    this.assertUsable();
    if (this.busy) throw new InvalidStateError('fork was called while a run is in flight; await the run first.');
    // Cache arrays and pending rows are never written after creation, so sharing them is safe.
    return new LayeredSequence(this.host, this.layers.slice(), this.ids.slice(), this.last);
  }

  dispose(): void {
    this.disposed = true;
    this.layers = [];
    this.ids = [];
    this.last = undefined;
  }

  private assertReady(): void {
    this.assertUsable();
    if (this.busy)
      throw new InvalidStateError('this sequence already has a run in flight; await it before the next call.');
    if (this.last?.parents) {
      throw new InvalidStateError(
        'the last block was a tree: call accept(path) (or truncate) before the next run, so the cache holds one path.',
      );
    }
  }

  private assertUsable(): void {
    if (this.disposed) throw new DisposedError('this layered sequence');
    this.host.assertOpen();
  }
}
