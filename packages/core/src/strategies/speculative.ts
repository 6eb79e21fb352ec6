import type { Draft, Drafter } from '../drafter.js';
import { CapabilityError, InvalidArgumentError, TokenOutOfRangeError } from '../errors.js';
import type { Sequence } from '../model.js';
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
      context.emit({ type: 'draft-end', drafted, timeMs: performance.now() - draftStart });

      const verifyStart = performance.now();
      const root = tokens[tokens.length - 1];
      const chain = isChain(draft.parents);
      const blockTokens = new Int32Array(drafted + 1);
      blockTokens[0] = root;
      for (let i = 0; i < drafted; i++) blockTokens[i + 1] = draft.tokens[i];
      let blockParents: Int32Array | undefined;
      if (!chain) {
        blockParents = new Int32Array(drafted + 1);
        blockParents[0] = -1;
        for (let i = 0; i < drafted; i++) blockParents[i + 1] = draft.parents[i] + 1;
      }
      const output = await stats.time('verify', () =>
        sequence.forward(
          { tokens: blockTokens, parents: blockParents },
          { logits: 'all', hiddenStates: settings.wantsHidden, signal },
        ),
      );
      stats.targetForwards++;

      const verification = await stats.time('sample', () =>
        verifier.verify({ draft, targetLogits: output.logits, tokens: committed, promptLength, sampler, rng }),
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
          targetLogits: output.logits,
          targetHiddenStates: output.hiddenStates,
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

/** The draft restricted to one root-to-node path (for chain-only models). */
function restrictToPath(draft: Draft, path: readonly number[]): Draft {
  return {
    tokens: path.map((node) => draft.tokens[node]),
    parents: path.map((_, k) => k - 1),
    sampling: draft.sampling,
    q: draft.q ? path.map((node) => draft.q?.[node]) : undefined,
  };
}
