import {
  type CausalLM,
  chainDraft,
  type Draft,
  type DraftContext,
  type Drafter,
  type DrafterStartContext,
  type DraftFeedback,
  type Rng,
  type SamplerChain,
} from '@decodekit/core';
import { checkVocabulary, DraftSequence, type DraftStepOutput } from './draft-sequence.js';
import { type DrawnNode, drawNode } from './draw.js';

/** What distinguishes one chain drafter from another (SpS, SpecDec++, VocabTrim). */
export interface ChainDrafterSpec {
  readonly name: string;
  readonly draftModel: CausalLM;
  /** Ask the draft model for its last hidden state at every position (SpecDec++). */
  readonly hiddenStates?: boolean;
  /** Checks done once per generation, after the vocabulary check. */
  start?(context: DrafterStartContext): void;
  /** The most tokens to draft this step (the loop's `maxTokens` caps it further). */
  draftLength(): number;
  /**
   * Called after draft token `index` (0-based) was drawn from `output`, the draft model's output after
   * the previous token (the root for index 0). Returning true ends the draft after this token.
   */
  stopAfter?(index: number, output: DraftStepOutput): boolean;
  /** Replaces the plain draw (VocabTrim restricts it to its kept tokens). */
  draw?(
    logits: Float32Array,
    sampler: SamplerChain,
    contextTokens: ArrayLike<number>,
    promptLength: number,
    rng: Rng,
  ): DrawnNode;
  /** Sees each verification outcome (adaptive draft length). */
  learn?(drafted: number, accepted: number): void;
}

/**
 * A drafter that drafts one chain per step with a draft model, token by token, through the
 * target's sampler chain. The draft model's sequence follows the committed tokens: `observe` drops
 * the rejected draft tokens and feeds the accepted tail and the target's next token in one forward,
 * so the cache equals the committed tokens after every step and drafting costs one draft forward
 * per draft token.
 */
export function createChainDrafter(spec: ChainDrafterSpec): Drafter {
  const { draftModel } = spec;
  const draft = new DraftSequence(draftModel);
  const hiddenStates = spec.hiddenStates === true;
  const draw = spec.draw ?? drawNode;

  return {
    name: spec.name,
    async start(context) {
      checkVocabulary(draftModel, context.target, spec.name);
      spec.start?.(context);
      await draft.reset(context.prompt, context.signal);
    },
    async propose(context: DraftContext): Promise<Draft> {
      const { sampler, rng, promptLength, signal } = context;
      const committed = context.tokens;
      // The draft model must hold the committed tokens and the draft (but its last token).
      const room = draftModel.contextLength - committed.length + 1;
      const length = Math.min(spec.draftLength(), context.maxTokens, room);
      if (length <= 0) return chainDraft([]);
      let output = await draft.catchUp(committed, { hiddenStates, signal });
      const contextTokens = Array.from(committed);
      const tokens: number[] = [];
      const q: Float32Array[] = [];
      for (let index = 0; index < length; index++) {
        const node = draw(output.logits, sampler, contextTokens, promptLength, rng);
        tokens.push(node.token);
        if (node.q) q.push(node.q);
        if (index + 1 === length || spec.stopAfter?.(index, output)) break;
        contextTokens.push(node.token);
        output = await draft.feed([node.token], { hiddenStates, signal });
      }
      if (sampler.greedy) return chainDraft(tokens);
      return { tokens, parents: tokens.map((_, i) => i - 1), sampling: 'independent', q };
    },
    async observe(feedback: DraftFeedback) {
      spec.learn?.(feedback.draft.tokens.length, feedback.acceptedPath.length);
      if (feedback.tokens.length > draftModel.contextLength) {
        await draft.dropMismatch(feedback.tokens);
        return;
      }
      await draft.catchUp(feedback.tokens, { hiddenStates });
    },
    async dispose() {
      await draft.dispose();
    },
  };
}
