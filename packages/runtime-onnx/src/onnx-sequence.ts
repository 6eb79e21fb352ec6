import {
  compactionIndices,
  DisposedError,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  InvalidStateError,
  isTreePath,
  type TokenBlock,
} from '@decodekit/core';
import { type CacheArray, type CacheGeometry, emptyCache, gatherCache, type KvCache, sliceCache } from './kv-cache.js';
import type { OnnxModelSequence } from './types.js';

/** What a sequence needs from its model. */
export interface SequenceHost {
  readonly geometry: CacheGeometry;
  assertOpen(): void;
  forwardItems(
    items: readonly { readonly sequence: OnnxSequence; readonly block: TokenBlock }[],
    options?: ForwardOptions,
  ): Promise<ForwardOutput[]>;
}

/** The last block, kept until `accept`, `truncate` or the next `forward` settles it. */
interface LastBlock {
  readonly start: number;
  readonly length: number;
  /** Set when the block branched; then `accept` must come before the next `forward`. */
  readonly parents?: Int32Array;
}

/**
 * One KV-cached context of an onnx model. The cache arrays are the `present` outputs of the last
 * run, never written afterwards, so `fork` shares them and trimming builds new arrays.
 */
export class OnnxSequence implements OnnxModelSequence {
  private cache: KvCache;
  private ids: number[];
  private last: LastBlock | undefined;
  private disposed = false;
  /** True while a run that will append to this sequence is in flight. */
  busy = false;

  constructor(
    readonly host: SequenceHost,
    cache?: KvCache,
    ids: number[] = [],
    last?: LastBlock,
  ) {
    this.cache = cache ?? emptyCache(host.geometry);
    this.ids = ids;
    this.last = last;
  }

  get length(): number {
    return this.cache.length;
  }

  /** The cache arrays (key, value per layer), for graph runs. */
  get cacheArrays(): readonly CacheArray[] {
    return this.cache.arrays;
  }

  tokens(): Int32Array {
    this.assertUsable();
    return Int32Array.from(this.ids);
  }

  /** Throws unless the sequence can start a new run. */
  assertReady(): void {
    this.assertUsable();
    if (this.busy)
      throw new InvalidStateError('this sequence already has a forward in flight; await it before the next call.');
    if (this.last?.parents) {
      throw new InvalidStateError(
        'the last block was a tree: call accept(path) (or truncate) before the next forward, so the cache holds one path.',
      );
    }
  }

  forward(block: TokenBlock, options?: ForwardOptions): Promise<ForwardOutput> {
    return this.host.forwardItems([{ sequence: this, block }], options).then((outputs) => outputs[0]);
  }

  /** Appends a block's run: called by the model once the graph returned. */
  commitBlock(tokens: ArrayLike<number>, parents: Int32Array | undefined, present: CacheArray[]): void {
    const start = this.cache.length;
    this.cache = { length: start + tokens.length, arrays: present };
    for (let i = 0; i < tokens.length; i++) this.ids.push(tokens[i]);
    this.last = { start, length: tokens.length, parents };
  }

  accept(path: ArrayLike<number>): void {
    this.assertUsable();
    if (this.busy)
      throw new InvalidStateError('accept was called while a forward is in flight; await the forward first.');
    const last = this.last;
    if (!last || this.cache.length !== last.start + last.length) {
      throw new InvalidStateError('accept needs a block: call it right after forward (and before truncate).');
    }
    if (!isTreePath(last.parents, path, last.length)) {
      throw new InvalidArgumentError(
        'path',
        `[${Array.from(path)}] is not a root-to-node path of the last block (${last.length} tokens)`,
      );
    }
    const { geometry } = this.host;
    let isPrefix = true;
    for (let k = 0; k < path.length; k++) if (path[k] !== k) isPrefix = false;
    if (isPrefix) {
      this.cache = sliceCache(this.cache, geometry, last.start + path.length);
    } else {
      const keep = new Int32Array(last.start + path.length);
      for (let i = 0; i < last.start; i++) keep[i] = i;
      keep.set(compactionIndices(path, last.start), last.start);
      this.cache = gatherCache(this.cache, geometry, keep);
    }
    const blockIds = this.ids.slice(last.start);
    this.ids.length = last.start;
    for (let k = 0; k < path.length; k++) this.ids.push(blockIds[path[k]]);
    this.last = undefined;
  }

  truncate(length: number): void {
    this.assertUsable();
    if (this.busy)
      throw new InvalidStateError('truncate was called while a forward is in flight; await the forward first.');
    if (!Number.isInteger(length) || length < 0 || length > this.cache.length) {
      throw new InvalidArgumentError('length', `must be an integer in [0, ${this.cache.length}], got ${length}`);
    }
    const last = this.last;
    if (last?.parents && length > last.start) {
      throw new InvalidStateError(
        `the last block is an unaccepted tree: accept a path first, or truncate to at most ${last.start} tokens.`,
      );
    }
    this.cache = sliceCache(this.cache, this.host.geometry, length);
    this.ids.length = length;
    if (last && length < last.start + last.length) this.last = undefined;
  }

  fork(): OnnxSequence {
    this.assertUsable();
    if (this.busy)
      throw new InvalidStateError('fork was called while a forward is in flight; await the forward first.');
    // Sharing is safe: cache arrays are never written after the run that produced them.
    return new OnnxSequence(this.host, this.cache, this.ids.slice(), this.last);
  }

  dispose(): void {
    this.disposed = true;
    this.cache = emptyCache(this.host.geometry);
    this.ids = [];
    this.last = undefined;
  }

  private assertUsable(): void {
    if (this.disposed) throw new DisposedError('this sequence');
    this.host.assertOpen();
  }
}
