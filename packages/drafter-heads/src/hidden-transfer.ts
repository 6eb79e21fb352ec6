import {
  CapabilityError,
  type CausalLM,
  createMatrix,
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  emptyDraft,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  type Matrix,
  type MaybePromise,
  type Sequence,
  type TokenBlock,
} from '@decodekit/core';
import { tinyLmHeads } from '@decodekit/models-tiny';
import {
  attachedRows,
  type ExtraRowPlan,
  extraNodesLimit,
  openGraph,
  planTree,
  readExtraRowManifest,
  topIds,
  treeDraft,
} from './extra-rows.js';
import { resolveHeads } from './medusa.js';
import type { LoadHeadsOptions } from './onnx-heads.js';

/** Hidden Transfer's transfer layers: a layer-l input row → K pseudo hidden states of the next positions. */
export interface TransferLayers {
  readonly hiddenSize: number;
  /** Pseudo rows per input row = draft depth. */
  readonly depth: number;
  /** The target layer the pseudo rows enter (they run through layers `[layer, L)`). */
  readonly layer: number;
  /** `hidden` is `[rows, hiddenSize]` (pre-norm residual stream); the result is `[rows, depth, hiddenSize]`. */
  run(hidden: Float32Array, rows: number): MaybePromise<Float32Array>;
  dispose?(): MaybePromise<void>;
}

/** Options of `hiddenTransfer()`. */
export interface HiddenTransferOptions extends LoadHeadsOptions {
  /** The transfer layers (default: `hidden-transfer.onnx` of `directory`); a function is called once. */
  readonly transfer?: TransferLayers | (() => MaybePromise<TransferLayers>);
  /** Nodes of the sparse tree (default 16): the largest validation-chosen tree of at most this size. */
  readonly treeSize?: number;
  /** An explicit tree instead: root-to-node paths of child ranks. */
  readonly tree?: readonly (readonly number[])[];
  /**
   * How many rows of each verification block (root included) get pseudo rows (default 4, or 'all'):
   * the rows most likely to end the accepted path, by the validation counts.
   */
  readonly extraNodes?: number | 'all';
}

/** Loads the transfer layers (`hidden-transfer.onnx`) of a heads directory. */
export async function loadTransferLayers(options: LoadHeadsOptions = {}): Promise<TransferLayers> {
  const directory = options.directory ?? tinyLmHeads;
  const manifest = readExtraRowManifest('hidden-transfer', directory);
  const { ort, session } = await openGraph(directory, manifest.graph.file, options.threads ?? 1);
  const { hiddenSize, depth } = manifest;
  return {
    hiddenSize,
    depth,
    layer: manifest.transferLayer ?? Math.floor(manifest.numLayers / 2),
    async run(hidden, rows) {
      const out = await session.run({ hidden_states: new ort.Tensor('float32', hidden, [rows, hiddenSize]) }, [
        'pseudo_hidden_states',
      ]);
      return out.pseudo_hidden_states.data as Float32Array;
    },
    dispose: () => session.release(),
  };
}

/** The part of `@decodekit/runtime-onnx`'s layered sequence this drafter uses (structural). */
interface InjectingSequence extends Sequence {
  run(
    block: TokenBlock,
    options: {
      readonly start?: number;
      readonly logits?: 'all' | 'last' | 'none';
      readonly hiddenStates?: boolean;
      readonly signal?: AbortSignal;
      readonly inject?: {
        readonly layer: number;
        rows(input: Matrix): MaybePromise<{ readonly hidden: Float32Array; readonly parents: ArrayLike<number> }>;
      };
    },
  ): Promise<{
    readonly logits?: Matrix;
    readonly hiddenStates?: Matrix;
    readonly injected?: { readonly logits?: Matrix };
  }>;
}

interface LayeredTarget extends CausalLM {
  readonly layers?: { openSequence(): InjectingSequence };
}

/** The drafter's view of the verification it planned: the block it expects and its rows with pseudo rows. */
interface Planned {
  readonly tokens: Int32Array;
  readonly rows: readonly number[];
}

/**
 * The target sequence the speculative loop verifies on: a layered sequence whose every forward also
 * carries the pseudo rows of the planned block rows (or of the last row of any other block, e.g. the
 * prefill), and keeps their logits for the row the step ends on.
 */
class TransferSequence implements Sequence {
  // The last forward's pseudo-row logits: block row -> first injected row; `start` = block position.
  private injected: { start: number; logits: Matrix; rows: Map<number, number>; chain: boolean } | undefined;

  constructor(
    private readonly inner: InjectingSequence,
    private readonly owner: TransferState,
  ) {}

  get length(): number {
    return this.inner.length;
  }

  tokens(): Int32Array {
    return this.inner.tokens();
  }

  async forward(block: TokenBlock, options: ForwardOptions = {}): Promise<ForwardOutput> {
    const owner = this.owner;
    this.injected = undefined;
    owner.prediction = undefined;
    const transfer = owner.transfer;
    const n = block.tokens.length;
    const planned = owner.planned;
    owner.planned = undefined;
    let rows: readonly number[] = [n - 1];
    if (planned && planned.tokens.length === n && planned.tokens.every((t, i) => t === block.tokens[i])) {
      rows = planned.rows;
    }
    const start = this.inner.length;
    const fits = transfer && start + n + rows.length * transfer.depth <= owner.contextLength;
    if (!transfer || !fits || block.embeddings) return this.inner.forward(block, options);
    const K = transfer.depth;
    const H = transfer.hiddenSize;
    const logits = options.logits ?? 'all';
    const out = await this.inner.run(block, {
      start,
      logits,
      hiddenStates: options.hiddenStates,
      signal: options.signal,
      inject: {
        layer: transfer.layer,
        async rows(input: Matrix) {
          const gathered = new Float32Array(rows.length * H);
          for (let m = 0; m < rows.length; m++)
            gathered.set(input.data.subarray(rows[m] * H, (rows[m] + 1) * H), m * H);
          const hidden = await transfer.run(gathered, rows.length);
          const parents = new Int32Array(rows.length * K);
          for (let m = 0; m < rows.length; m++)
            for (let j = 0; j < K; j++) parents[m * K + j] = j === 0 ? rows[m] : n + m * K + j - 1;
          return { hidden, parents };
        },
      },
    });
    if (out.injected?.logits) {
      const chain = !block.parents || Array.from(block.parents).every((p, i) => p === i - 1);
      this.injected = {
        start,
        logits: out.injected.logits,
        rows: new Map(rows.map((row, m) => [row, m * K])),
        chain,
      };
      // A chain that is not settled by accept (the prefill) ends at its last row.
      if (chain) this.predictFrom(n - 1, start + n - 1);
    }
    const result: ForwardOutput = { logits: out.logits ?? createMatrix(0, 0) };
    return options.hiddenStates ? { ...result, hiddenStates: out.hiddenStates } : result;
  }

  async accept(path: ArrayLike<number>): Promise<void> {
    await this.inner.accept(path);
    const injected = this.injected;
    this.owner.prediction = undefined;
    if (injected && path.length > 0) this.predictFrom(path[path.length - 1], injected.start + path.length - 1);
    this.injected = undefined;
  }

  async truncate(length: number): Promise<void> {
    await this.inner.truncate(length);
    this.injected = undefined;
    if (this.owner.prediction && this.owner.prediction.position >= length) this.owner.prediction = undefined;
  }

  fork(): MaybePromise<Sequence> {
    // A plain copy of the cache: forks do not draft.
    return this.inner.fork();
  }

  async dispose(): Promise<void> {
    this.injected = undefined;
    await this.inner.dispose();
  }

  /** The next draft's per-depth top-k from the pseudo rows under block row `row` (at `position`). */
  private predictFrom(row: number, position: number): void {
    const injected = this.injected;
    const first = injected?.rows.get(row);
    const transfer = this.owner.transfer;
    if (!injected || first === undefined || !transfer) {
      this.owner.prediction = undefined;
      return;
    }
    this.owner.prediction = { position, ids: topIds(injected.logits, first, transfer.depth, this.owner.k) };
  }
}

/** What the drafter and the sequence it opened share. */
interface TransferState {
  transfer: TransferLayers | undefined;
  contextLength: number;
  planned: Planned | undefined;
  prediction: { position: number; ids: Int32Array } | undefined;
  readonly k: number;
}

/**
 * Hidden Transfer (Wu et al. 2024, "Parallel Decoding via Hidden Transfer for Lossless Large Language
 * Model Acceleration"): the draft comes out of the target's own verification forward. At layer l,
 * trained transfer layers map the layer-l input of a block row x to K pseudo hidden states of the
 * positions after it; these join the block as extra rows (chained under x, at x's position + k) and
 * run through layers `[l, L)` with the real context in the shared KV cache, and the LM head turns
 * them into predictions of the tokens at depths 1..K below the next root. After verification the
 * pseudo rows under the last accepted node give the next draft, a Medusa-style sparse tree over their
 * top-k (validation-chosen); their KV entries are never kept.
 *
 * The verification runs on the target's per-layer graphs (`model.layers`, `capabilities.layerSplit`,
 * in-thread): the drafter opens the loop's target sequence (`openTargetSequence`), a layered sequence
 * whose forwards inject the pseudo rows. Under another loop (no hook) it drafts nothing. Pseudo rows go
 * under the `extraNodes` block rows most likely to end the step; a step that ends elsewhere drafts
 * nothing next time.
 *
 * Deterministic drafts, fixed before the target's random draws: `defaultVerifier()` is exact (greedy
 * identical to autoregressive greedy, sample-match under sampling).
 *
 * @example
 * const target = await loadModel(tinyLm); // in-thread, with decodekit extensions
 * const strategy = speculative({ drafter: hiddenTransfer(), verifier: headVerifier() });
 */
export function hiddenTransfer(options: HiddenTransferOptions = {}): Drafter {
  const limit = extraNodesLimit(options.extraNodes, 4);
  const state: TransferState = {
    transfer: undefined,
    contextLength: 0,
    planned: undefined,
    prediction: undefined,
    k: 10,
  };
  let plan: ExtraRowPlan | undefined;
  const prepare = async (target: CausalLM) => {
    state.transfer ??= await resolveHeads(options.transfer, () => loadTransferLayers(options));
    const transfer = state.transfer;
    if (transfer.hiddenSize !== target.hiddenSize) {
      throw new InvalidArgumentError(
        'hidden-transfer',
        `the transfer layers read hidden states of size ${transfer.hiddenSize} but target "${target.name}" has ${target.hiddenSize}; train them for this target (tools/fixtures/heads_transfer.py) and pass their directory`,
      );
    }
    if (transfer.layer < 1 || transfer.layer >= target.numLayers) {
      throw new InvalidArgumentError(
        'hidden-transfer',
        `transfer layer ${transfer.layer} is outside [1, ${target.numLayers})`,
      );
    }
    plan ??= planTree(readExtraRowManifest('hidden-transfer', options.directory), options);
    if (plan.tree.maxDepth > transfer.depth) {
      throw new InvalidArgumentError(
        'tree',
        `is ${plan.tree.maxDepth} deep but the transfer layers give ${transfer.depth} rows`,
      );
    }
    state.contextLength = target.contextLength;
  };
  return {
    name: 'hidden-transfer',
    requires: { treeDrafts: true },
    async openTargetSequence(target: CausalLM): Promise<Sequence> {
      const layers = (target as LayeredTarget).layers;
      if (!target.capabilities.layerSplit || !layers || typeof layers.openSequence !== 'function') {
        throw new CapabilityError(
          'layerSplit',
          `drafter "hidden-transfer" runs pseudo hidden states through the target's upper layers; model "${target.name}" has no per-layer graphs (decodekit/layer.i.onnx, head.onnx, embed_tokens.onnx) or runs in a worker thread. Load it in-thread with decodekit extensions (@decodekit/runtime-onnx).`,
        );
      }
      await prepare(target);
      state.planned = undefined;
      state.prediction = undefined;
      return new TransferSequence(layers.openSequence(), state);
    },
    async start(context: DrafterStartContext) {
      await prepare(context.target);
    },
    propose(context: DraftContext): Draft {
      state.planned = undefined;
      if (!plan || !state.transfer || context.maxTokens === 0) return emptyDraft;
      const { tokens } = context;
      const prediction = state.prediction;
      state.prediction = undefined;
      const draft =
        prediction && prediction.position === tokens.length - 2
          ? treeDraft(plan.tree, context.maxTokens, prediction.ids, state.k)
          : { tokens: new Int32Array(0), parents: new Int32Array(0) };
      const block = new Int32Array(draft.tokens.length + 1);
      block[0] = tokens[tokens.length - 1];
      block.set(draft.tokens, 1);
      state.planned = { tokens: block, rows: attachedRows(plan, block.length, limit) };
      return draft.tokens.length === 0 ? emptyDraft : { ...draft, sampling: 'deterministic' };
    },
    dispose() {
      state.planned = undefined;
      state.prediction = undefined;
    },
  };
}
