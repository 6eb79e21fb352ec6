import type { Draft, DraftExtraRows, Drafter } from '../drafter.js';
import { CapabilityError, InvalidArgumentError, TokenOutOfRangeError } from '../errors.js';
import { createMatrix, type Matrix } from '../matrix.js';
import type { CausalLM, Sequence } from '../model.js';
import type { Strategy, StrategyContext, StrategyRun } from '../strategy.js';
import { firstChildPath, isChain, isTreePath, treeDepths, validateParents } from '../tree.js';
import type { Verifier } from '../verifier.js';
import { prefill } from './autoregressive.js';

export interface SpeculativeOptions {
  readonly drafter: Drafter;
  /** The accept/reject kernel; `defaultVerifier()` of `@decodekit/verifiers` fits any draft. */
  readonly verifier: Verifier;
  /** Upper bound on draft nodes per step (default 64); the drafter's own limits apply below it. */
  readonly maxDraftTokens?: number;
}

/**
 * Speculative decoding with any drafter and any verifier: each step the drafter proposes a token
 * tree, the target scores the root and every node in one forward, the verifier accepts a
 * root-to-node path plus one target token, and the cache keeps exactly that path.
 */
export function speculative(options: SpeculativeOptions): Strategy {
  const { drafter, verifier } = options;
  const maxDraftTokens = options.maxDraftTokens ?? 64;
  if (!Number.isInteger(maxDraftTokens) || maxDraftTokens < 0) {
    throw new InvalidArgumentError('maxDraftTokens', `must be an integer >= 0, got ${maxDraftTokens}`);
  }
  return {
    name: `speculative:${drafter.name}`,
    async start(context) {
      const { model, sampler } = context;
      if (sampler.stateful) {
        throw new InvalidArgumentError(
          'sampler',
          'stateful processors (mirostat) depend on every earlier choice and cannot verify drafts; use autoregressive decoding',
        );
      }
      const wantsHidden = drafter.requires?.hiddenStates === true;
      if (wantsHidden && !model.capabilities.hiddenStates) {
        throw new CapabilityError(
          'hiddenStates',
          `drafter "${drafter.name}" needs the target's hidden states, which model "${model.name}" does not output`,
        );
      }
      if (drafter.requires?.extraRows) checkExtraRowsCapability(model, drafter.name);
      // Self-speculative drafters own the target sequence so verification reuses their work.
      const sequence = drafter.openTargetSequence ? await drafter.openTargetSequence(model) : model.openSequence();
      try {
        const prefilled = await prefill(context, sequence, wantsHidden);
        await context.stats.time('draft', () =>
          drafter.start?.({
            prompt: context.prompt,
            target: model,
            sampler,
            signal: context.signal,
            prefillHiddenStates: prefilled.hiddenStates,
          }),
        );
        return speculativeRun(context, sequence, prefilled.logits, { drafter, verifier, maxDraftTokens, wantsHidden });
      } catch (error) {
        await sequence.dispose();
        throw error;
      }
    },
  };
}

function speculativeRun(
  context: StrategyContext,
  sequence: Sequence,
  prefillLogits: Float32Array,
  settings: { drafter: Drafter; verifier: Verifier; maxDraftTokens: number; wantsHidden: boolean },
): StrategyRun {
  const { model, sampler, stats, rng, signal } = context;
  const { drafter, verifier } = settings;
  const promptLength = context.prompt.length;
  const tokens: number[] = Array.from(context.prompt);
  let pending: Float32Array | undefined = prefillLogits;
  let embeddingTable: Promise<Matrix> | undefined;

  return {
    async step(budget) {
      if (pending) {
        // The prefill already scored the first position: sample it like autoregressive decoding.
        const logits = pending;
        pending = undefined;
        const token = await stats.time('sample', () => sampler.sample(logits, { tokens, promptLength }, rng));
        tokens.push(token);
        return { tokens: [token] };
      }
      const room = model.contextLength - sequence.length - 1; // the root needs one slot
      if (room < 0) return { tokens: [], done: 'context-length' };
      const maxTokens = Math.max(0, Math.min(settings.maxDraftTokens, budget - 1, room));
      const committed = Int32Array.from(tokens);
      const draftStart = performance.now();
      let draft = await stats.time('draft', () =>
        drafter.propose({ tokens: committed, promptLength, maxTokens, sampler, rng, signal }),
      );
      checkDraft(draft, maxTokens, model.vocabSize, drafter.name);
      if (!model.capabilities.treeAttention && !isChain(draft.parents))
        draft = restrictToPath(draft, firstChildPath(draft.parents));
      const drafted = draft.tokens.length;
      let extra = draft.extraRows;
      if (extra) {
        checkExtraRows(extra, drafted, model, drafter.name);
        // Extra rows only feed later drafts: without room for them the step verifies the draft alone.
        if (extra.parents.length === 0 || drafted + 1 + extra.parents.length > model.contextLength - sequence.length)
          extra = undefined;
      }
      context.emit({ type: 'draft-end', drafted, timeMs: performance.now() - draftStart });

      const verifyStart = performance.now();
      const root = tokens[tokens.length - 1];
      const chain = isChain(draft.parents);
      const extraCount = extra ? extra.parents.length : 0;
      const rows = drafted + 1;
      const blockTokens = new Int32Array(rows + extraCount).fill(-1);
      blockTokens[0] = root;
      for (let i = 0; i < drafted; i++) blockTokens[i + 1] = draft.tokens[i];
      let blockParents: Int32Array | undefined;
      if (!chain || extra) {
        blockParents = new Int32Array(rows + extraCount);
        blockParents[0] = -1;
        for (let i = 0; i < drafted; i++) blockParents[i + 1] = draft.parents[i] + 1;
        for (let j = 0; j < extraCount; j++) blockParents[rows + j] = (extra as DraftExtraRows).parents[j] + 1;
      }
      const output = await stats.time('verify', async () => {
        let embeddings: Float32Array | undefined;
        if (extra) {
          embeddingTable ??= Promise.resolve((model.embeddingMatrix as () => Matrix | Promise<Matrix>)());
          embeddings = blockEmbeddings(await embeddingTable, blockTokens, rows, extra.embeddings);
        }
        return sequence.forward(
          { tokens: blockTokens, parents: blockParents, embeddings },
          { logits: 'all', hiddenStates: settings.wantsHidden, signal },
        );
      });
      stats.targetForwards++;
      const targetLogits = extra ? topRows(output.logits, rows) : output.logits;
      const targetHiddenStates =
        extra && output.hiddenStates ? topRows(output.hiddenStates, rows) : output.hiddenStates;

      const verification = await stats.time('sample', () =>
        verifier.verify({ draft, targetLogits, tokens: committed, promptLength, sampler, rng }),
      );
      const path = verification.path;
      if (!isTreePath(draft.parents, path, drafted)) {
        throw new InvalidArgumentError(
          'verifier',
          `verifier "${verifier.name}" returned [${path}], which is not a path of the draft`,
        );
      }
      const keep = new Int32Array(path.length + 1);
      for (let k = 0; k < path.length; k++) keep[k + 1] = path[k] + 1;
      await stats.time('verify', () => sequence.accept(keep));

      const added = path.map((node) => draft.tokens[node]);
      added.push(verification.next);
      tokens.push(...added);
      const depth = drafted === 0 ? 0 : Math.max(...treeDepths(draft.parents));
      stats.recordVerification(drafted, depth, path.length);
      context.emit({
        type: 'verify-end',
        drafted,
        accepted: path.length,
        committed: added.length,
        timeMs: performance.now() - verifyStart,
      });
      if (drafter.observe) {
        const feedback = {
          draft,
          acceptedPath: path,
          nextToken: verification.next,
          tokens: Int32Array.from(tokens),
          targetLogits,
          targetHiddenStates,
          ...(extra
            ? {
                extraLogits: bottomRows(output.logits, rows),
                ...(output.hiddenStates ? { extraHiddenStates: bottomRows(output.hiddenStates, rows) } : {}),
              }
            : {}),
        };
        await stats.time('draft', () => drafter.observe?.(feedback));
      }
      return { tokens: added };
    },
    async dispose() {
      try {
        await drafter.dispose?.();
      } finally {
        await sequence.dispose();
      }
    },
  };
}

function checkDraft(draft: Draft, maxTokens: number, vocabSize: number, name: string): void {
  if (draft.tokens.length !== draft.parents.length) {
    throw new InvalidArgumentError(
      `drafter "${name}"`,
      `draft has ${draft.tokens.length} tokens but ${draft.parents.length} parents`,
    );
  }
  if (draft.tokens.length > maxTokens) {
    throw new InvalidArgumentError(
      `drafter "${name}"`,
      `proposed ${draft.tokens.length} tokens; at most ${maxTokens} were allowed`,
    );
  }
  validateParents(draft.parents, `drafter "${name}" parents`);
  for (let i = 0; i < draft.tokens.length; i++) {
    const t = draft.tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
      throw new TokenOutOfRangeError(t, vocabSize, `drafter "${name}"`);
  }
  if (draft.sampling !== 'deterministic' && !draft.q) {
    throw new InvalidArgumentError(
      `drafter "${name}"`,
      `a ${draft.sampling} draft must carry the q rows it was sampled from`,
    );
  }
}

function checkExtraRowsCapability(model: CausalLM, name: string): void {
  const { inputEmbeddings, treeAttention } = model.capabilities;
  if (!inputEmbeddings || !treeAttention || !model.embeddingMatrix) {
    throw new CapabilityError(
      inputEmbeddings ? 'treeAttention' : 'inputEmbeddings',
      `drafter "${name}" adds embedding rows to the verification block, which needs a target with input embeddings and tree attention; model "${model.name}" has ${inputEmbeddings ? 'no tree attention' : 'no input embeddings'}`,
    );
  }
}

function checkExtraRows(extra: DraftExtraRows, drafted: number, model: CausalLM, name: string): void {
  checkExtraRowsCapability(model, name);
  const count = extra.parents?.length ?? -1;
  if (
    !(extra.embeddings instanceof Float32Array) ||
    count < 0 ||
    extra.embeddings.length !== count * model.hiddenSize
  ) {
    throw new InvalidArgumentError(
      `drafter "${name}"`,
      `extraRows must hold ${model.hiddenSize} embedding values per parent entry (got ${extra.embeddings?.length} values for ${count} rows)`,
    );
  }
  for (let j = 0; j < count; j++) {
    const parent = extra.parents[j];
    if (!Number.isInteger(parent) || parent < -1 || parent >= drafted + j) {
      throw new InvalidArgumentError(
        `drafter "${name}"`,
        `extra row ${j} has parent ${parent}; it must be -1 (the root), a draft node or an earlier extra row (< ${drafted + j})`,
      );
    }
  }
}

/** Block embeddings: the token rows from the embedding table, then the extra rows as given. */
function blockEmbeddings(table: Matrix, tokens: Int32Array, rows: number, extra: Float32Array): Float32Array {
  const width = table.columns;
  const out = new Float32Array(tokens.length * width);
  for (let i = 0; i < rows; i++) out.set(table.data.subarray(tokens[i] * width, (tokens[i] + 1) * width), i * width);
  out.set(extra, rows * width);
  return out;
}

/** The first `rows` rows of `matrix` (a view). */
function topRows(matrix: Matrix, rows: number): Matrix {
  return createMatrix(rows, matrix.columns, matrix.data.subarray(0, rows * matrix.columns));
}

/** The rows of `matrix` after the first `rows` (a view). */
function bottomRows(matrix: Matrix, rows: number): Matrix {
  return createMatrix(matrix.rows - rows, matrix.columns, matrix.data.subarray(rows * matrix.columns));
}

/** The draft restricted to one root-to-node path (for chain-only models); extra rows are dropped. */
function restrictToPath(draft: Draft, path: readonly number[]): Draft {
  return {
    tokens: path.map((node) => draft.tokens[node]),
    parents: path.map((_, k) => k - 1),
    sampling: draft.sampling,
    q: draft.q ? path.map((node) => draft.q?.[node]) : undefined,
  };
}
