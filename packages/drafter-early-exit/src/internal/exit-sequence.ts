import {
  CapabilityError,
  type CausalLM,
  chainDraft,
  type Draft,
  type DraftContext,
  type ForwardOptions,
  type ForwardOutput,
  InvalidArgumentError,
  type Matrix,
  type MaybePromise,
  type Sequence,
  sampleCategorical,
  type TokenBlock,
} from '@decodekit/core';

/**
 * The part of a layered sequence (per-layer KV caches, `@decodekit/runtime-onnx`'s
 * `OnnxLayeredSequence`) the early-exit drafters use. Structural, so any runtime can provide it.
 */
export interface LayeredSequenceLike extends Sequence {
  readonly layerCount: number;
  layerLengths(): number[];
  recordedTokens(): Int32Array;
  run(
    block: TokenBlock,
    options?: {
      readonly start?: number;
      readonly to?: number;
      readonly logits?: 'all' | 'last' | 'none';
      readonly hiddenStates?: boolean;
      readonly layerOutputs?: boolean;
      readonly signal?: AbortSignal;
    },
  ): Promise<{
    readonly outputStart: number;
    readonly logits?: Matrix;
    readonly hiddenStates?: Matrix;
    readonly layerOutputs?: readonly ({ readonly start: number; readonly hidden: Matrix } | undefined)[];
  }>;
}

/** A target whose per-layer graphs can back a layered sequence (`capabilities.layerSplit`). */
export interface LayeredTarget extends CausalLM {
  readonly layers?: {
    openSequence(): LayeredSequenceLike;
    head(hidden: Matrix): Promise<{ readonly logits: Matrix }>;
  };
}

/** The layered API of `target`, or a `CapabilityError` saying what is missing. */
export function layersOf(target: CausalLM, drafter: string): NonNullable<LayeredTarget['layers']> {
  const layers = (target as LayeredTarget).layers;
  if (!target.capabilities.layerSplit || !layers || typeof layers.openSequence !== 'function') {
    throw new CapabilityError(
      'layerSplit',
      `drafter "${drafter}" drafts with the target's first layers; model "${target.name}" has no per-layer graphs ` +
        '(decodekit/layer.i.onnx, head.onnx, embed_tokens.onnx) or runs in a worker thread. Load it in-thread with ' +
        'decodekit extensions (@decodekit/runtime-onnx).',
    );
  }
  return layers;
}

/** Checks an exit layer option: an integer in [1, numLayers - 1]. */
export function checkExitLayer(value: number, numLayers: number, setting: string): void {
  if (!Number.isInteger(value) || value < 1 || value > numLayers - 1) {
    throw new InvalidArgumentError(
      setting,
      `must be an integer in [1, ${numLayers - 1}] for a ${numLayers}-layer target, got ${value}`,
    );
  }
}

/** Throws `InvalidArgumentError` unless `value` is an integer in [minimum, maximum]. */
export function requireInteger(
  value: number,
  setting: string,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `in [${minimum}, ${maximum}]`;
    throw new InvalidArgumentError(setting, `must be an integer ${range}, got ${value}`);
  }
}

/** Rows of one layer gathered over a round, by offset from the round's root position. */
export type RoundRows = Map<number, Float32Array>;

/** One drafted token: its id, the exit layer's raw argmax and the softmax probability of the drafted token. */
export interface DraftedToken {
  readonly token: number;
  /** Argmax of the raw exit-layer logits (the exit layer's shadow token at this position). */
  readonly shadow: number;
  /** Softmax probability (temperature 1, no processors) of the drafted token at the exit layer. */
  readonly confidence: number;
}

/** Settings of one drafting round. */
export interface RoundPlan {
  /** Number of layers to draft with (exit layer E: layers [0, E)). */
  readonly exitLayer: number;
  /** Most tokens to draft. */
  readonly length: number;
  /** Collect every layer's output rows of the round (DEL's shadow tokens). */
  readonly collect: boolean;
  /** Called after each drafted token; true stops drafting (the token is kept). */
  readonly stop?: (index: number, drafted: DraftedToken) => boolean;
}

/** What the last round left for `observe`. */
export interface RoundRecord {
  /** Position of the root (the last committed token) in the sequence. */
  readonly rootPosition: number;
  readonly exitLayer: number;
  readonly drafted: readonly DraftedToken[];
  /** Per layer: output rows by offset from the root (drafting and, when shared, the verify forward). */
  readonly rows: RoundRows[];
  /** Whether the verify forward ran on this drafter's sequence (rows of every layer are complete). */
  verified: boolean;
}

function softmaxAt(logits: Float32Array, token: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return Math.exp(logits[token] - max) / sum;
}

function argmaxOf(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The state every early-exit drafter shares: a layered sequence of the target, either the one the
 * speculative loop verifies on (opened through `openTargetSequence`; drafting then writes the
 * lower layers' KV entries the verification reuses) or, when a loop does not call that hook, the
 * drafter's own (only the lower layers run; the target verifies with its own sequence).
 */
export class ExitDrafterState {
  private sequence: LayeredSequenceLike | undefined;
  private offered: LayeredSequenceLike | undefined;
  private own = false;
  private target: LayeredTarget | undefined;
  /** The last round, for `observe`. */
  round: RoundRecord | undefined;

  constructor(readonly name: string) {}

  get numLayers(): number {
    return this.sequence?.layerCount ?? this.target?.numLayers ?? 0;
  }

  /** True when drafting shares its sequence with the verifying loop. */
  get shared(): boolean {
    return this.sequence !== undefined && !this.own;
  }

  /** The `openTargetSequence` hook: a layered sequence the loop verifies on. */
  openTarget(target: CausalLM, collect: () => boolean): Sequence {
    const layers = layersOf(target, this.name);
    const sequence = layers.openSequence();
    this.offered = sequence;
    return this.adapter(sequence, collect);
  }

  /** `start`: adopts the sequence offered to the loop for this generation, or opens an own one. */
  async start(target: CausalLM): Promise<void> {
    this.target = target as LayeredTarget;
    this.round = undefined;
    if (this.own) await this.sequence?.dispose();
    if (this.offered) {
      this.sequence = this.offered;
      this.own = false;
      this.offered = undefined;
    } else {
      this.sequence = layersOf(target, this.name).openSequence();
      this.own = true;
    }
  }

  async dispose(): Promise<void> {
    if (this.own) await this.sequence?.dispose();
    this.sequence = undefined;
    this.own = false;
  }

  /** The LM head of the target (DEL's shadow tokens). */
  head(hidden: Matrix): Promise<{ readonly logits: Matrix }> {
    if (!this.target) throw new CapabilityError('layerSplit', `drafter "${this.name}" was not started`);
    return layersOf(this.target, this.name).head(hidden);
  }

  /**
   * Drafts one chain with layers [0, exitLayer) (LayerSkip's early exit): the root first, then each
   * drafted token, one position at a time. Tokens are drawn through the target's sampler chain in
   * their exact context; greedy chains give a deterministic draft, sampling an independent one
   * with its q rows.
   */
  async draft(context: DraftContext, plan: RoundPlan): Promise<Draft> {
    const sequence = this.sequence;
    if (!sequence) throw new CapabilityError('layerSplit', `drafter "${this.name}" was not started`);
    const { sampler, rng, promptLength, signal } = context;
    const committed = context.tokens;
    const rootPosition = committed.length - 1;
    const length = Math.min(plan.length, context.maxTokens);
    this.round = undefined;
    if (length <= 0 || rootPosition < 0) return sampler.greedy ? chainDraft([]) : emptySampled();
    // Bring the lower layers to the committed tokens but the root (a shared sequence already is).
    const recorded = sequence.recordedTokens();
    let common = Math.min(recorded.length, rootPosition);
    for (let i = Math.max(0, sequence.length); i < common; i++) {
      if (recorded[i] !== committed[i]) {
        common = i;
        break;
      }
    }
    // The root is run again (its exit logits are the first draft row): drop whatever lies past it.
    if (recorded.length > common) await sequence.truncate(common);
    const rows: RoundRows[] = Array.from({ length: sequence.layerCount }, () => new Map());
    const record = (
      outputs: readonly ({ readonly start: number; readonly hidden: Matrix } | undefined)[] | undefined,
    ): void => {
      if (!outputs) return;
      outputs.forEach((entry, layer) => {
        if (!entry) return;
        const width = entry.hidden.columns;
        for (let r = 0; r < entry.hidden.rows; r++) {
          const offset = entry.start + r - rootPosition;
          if (offset >= 0) rows[layer].set(offset, entry.hidden.data.subarray(r * width, (r + 1) * width));
        }
      });
    };
    let output = await sequence.run(
      { tokens: committed.subarray(common) },
      { start: common, to: plan.exitLayer, logits: 'last', layerOutputs: plan.collect, signal },
    );
    record(output.layerOutputs);
    const contextTokens = Array.from(committed);
    const tokens: number[] = [];
    const q: Float32Array[] = [];
    const drafted: DraftedToken[] = [];
    for (let index = 0; index < length; index++) {
      const logits = (output.logits as Matrix).data;
      const shadow = argmaxOf(logits);
      const raw = plan.stop ? logits.slice() : undefined;
      let token: number;
      const ctx = { tokens: contextTokens, promptLength };
      if (sampler.greedy) token = sampler.sample(logits, ctx, rng);
      else {
        const row = sampler.distribution(logits, ctx, new Float32Array(logits.length));
        token = sampleCategorical(row, rng);
        q.push(row);
      }
      const entry = { token, shadow, confidence: raw ? softmaxAt(raw, token) : Number.NaN };
      drafted.push(entry);
      tokens.push(token);
      if (index + 1 === length || plan.stop?.(index, entry)) break;
      contextTokens.push(token);
      output = await sequence.run(
        { tokens: [token] },
        { to: plan.exitLayer, logits: 'last', layerOutputs: plan.collect, signal },
      );
      record(output.layerOutputs);
    }
    this.round = { rootPosition, exitLayer: plan.exitLayer, drafted, rows, verified: false };
    if (sampler.greedy) return chainDraft(tokens);
    return { tokens, parents: tokens.map((_, i) => i - 1), sampling: 'independent', q };
  }

  /** A `Sequence` over the layered sequence that records the verify forward's layer outputs. */
  private adapter(sequence: LayeredSequenceLike, collect: () => boolean): Sequence {
    const state = this;
    return {
      get length() {
        return sequence.length;
      },
      tokens: () => sequence.tokens(),
      async forward(block: TokenBlock, options: ForwardOptions = {}): Promise<ForwardOutput> {
        const round = state.round;
        const wantRows = round !== undefined && collect();
        const output = await sequence.run(
          { tokens: block.tokens, parents: block.parents },
          {
            start: sequence.length,
            logits: options.logits ?? 'all',
            hiddenStates: options.hiddenStates,
            layerOutputs: wantRows,
            signal: options.signal,
          },
        );
        if (round && wantRows && output.layerOutputs) {
          output.layerOutputs.forEach((entry, layer) => {
            if (!entry) return;
            const width = entry.hidden.columns;
            for (let r = 0; r < entry.hidden.rows; r++) {
              const offset = entry.start + r - round.rootPosition;
              if (offset >= 0) round.rows[layer].set(offset, entry.hidden.data.subarray(r * width, (r + 1) * width));
            }
          });
          round.verified = true;
        }
        const logits = output.logits as Matrix;
        return options.hiddenStates ? { logits, hiddenStates: output.hiddenStates } : { logits };
      },
      accept: (path) => sequence.accept(path),
      truncate: (length) => sequence.truncate(length),
      fork: () => sequence.fork(),
      dispose: (): MaybePromise<void> => sequence.dispose(),
    };
  }
}

function emptySampled(): Draft {
  return { tokens: [], parents: [], sampling: 'independent', q: [] };
}
