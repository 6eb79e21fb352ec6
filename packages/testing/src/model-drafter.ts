import {
  type CausalLM,
  type Draft,
  type DraftContext,
  type Drafter,
  InvalidArgumentError,
  matrixRow,
  type Sequence,
  sampleCategorical,
  topK,
  VocabularyMismatchError,
} from '@decodekit/core';

export interface ModelDrafterOptions {
  /** Most draft nodes per step (the loop's `maxTokens` may lower it). */
  readonly maxTokens: number;
  /**
   * How nodes are chosen from the draft model's distribution q (the target's sampler chain applied
   * to the draft model's logits): `'greedy'` takes the most likely tokens (a deterministic draft,
   * no q rows); `'independent'` draws every node from q; `'without-replacement'` draws the first
   * tokens of the branches from q without replacement.
   */
  readonly sampling: 'greedy' | 'independent' | 'without-replacement';
  /**
   * Number of branches from the root (default 1: a chain). Each branch is a chain of
   * `floor(maxTokens / branches)` nodes; with `'greedy'` the branches start with the top tokens.
   */
  readonly branches?: number;
}

/**
 * A reference drafter that drafts with another (mock) model: the plain speculative sampling
 * drafter of Leviathan et al. and Chen et al. (one branch), or k-branch trees of SpecTr-style
 * independent drafts or RSD-style drafts without replacement. It records, for every sampled node,
 * the q row it was drawn from, with the sampler chain applied in the node's exact context. Used
 * by the verifier suite's end-to-end test; also a short example of a drafter for contributors.
 */
export function createModelDrafter(draftModel: CausalLM, options: ModelDrafterOptions): Drafter {
  const { maxTokens, sampling } = options;
  const branches = options.branches ?? 1;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new InvalidArgumentError('maxTokens', `must be an integer >= 0, got ${maxTokens}`);
  }
  if (!Number.isInteger(branches) || branches < 1) {
    throw new InvalidArgumentError('branches', `must be an integer >= 1, got ${branches}`);
  }
  let sequence: Sequence | undefined;
  const draftSampling = sampling === 'greedy' ? 'deterministic' : sampling;

  // Brings the draft cache to the committed tokens and returns the logits after the last one.
  const logitsAfter = async (target: Sequence, committed: Int32Array): Promise<Float32Array> => {
    const cached = target.tokens();
    let common = 0;
    const limit = Math.min(cached.length, committed.length - 1); // the root must run to get its logits
    while (common < limit && cached[common] === committed[common]) common++;
    if (common < cached.length) await target.truncate(common);
    const output = await target.forward({ tokens: committed.subarray(common) }, { logits: 'last' });
    return matrixRow(output.logits, 0).slice();
  };

  return {
    name: `model-drafter-${sampling}${branches > 1 ? `-x${branches}` : ''}`,
    requires: { treeDrafts: branches > 1 },
    async start(context) {
      if (context.target.vocabSize !== draftModel.vocabSize) {
        throw new VocabularyMismatchError(
          `draft model "${draftModel.name}" has ${draftModel.vocabSize} tokens but the target "${context.target.name}" has ${context.target.vocabSize}; both must share one tokenizer`,
        );
      }
      await sequence?.dispose();
      sequence = undefined;
    },
    async propose(context: DraftContext): Promise<Draft> {
      const budget = Math.min(maxTokens, context.maxTokens);
      if (budget === 0)
        return { tokens: [], parents: [], sampling: draftSampling, q: sampling === 'greedy' ? undefined : [] };
      sequence ??= draftModel.openSequence();
      const draft = sequence;
      const { sampler, rng, promptLength } = context;
      const committed = context.tokens;
      const base = committed.length;
      const rootLogits = await logitsAfter(draft, committed);
      const branchCount = Math.min(branches, budget);
      const depth = Math.floor(budget / branchCount);

      const tokens: number[] = [];
      const parents: number[] = [];
      const q: Float32Array[] = [];
      const contextTokens = Array.from(committed);
      // Processes `logits` in place (processed logits stay in it) and returns q in a new row.
      const distribution = (logits: Float32Array) =>
        sampler.distribution(logits, { tokens: contextTokens, promptLength }, new Float32Array(logits.length));

      const rootQ = distribution(rootLogits);
      const firstTokens: number[] = [];
      if (sampling === 'greedy') {
        for (const token of topK(rootLogits, branchCount))
          if (rootLogits[token] > Number.NEGATIVE_INFINITY) firstTokens.push(token);
      } else if (sampling === 'independent') {
        for (let j = 0; j < branchCount; j++) firstTokens.push(sampleCategorical(rootQ, rng));
      } else {
        const remaining = rootQ.slice();
        for (let j = 0; j < branchCount; j++) {
          let mass = 0;
          for (let v = 0; v < remaining.length; v++) mass += remaining[v];
          if (!(mass > 0)) break;
          const token = sampleCategorical(remaining, rng);
          remaining[token] = 0;
          firstTokens.push(token);
        }
      }

      for (const first of firstTokens) {
        let parent = -1;
        let token = first;
        let nodeQ = rootQ;
        for (let d = 0; d < depth; d++) {
          tokens.push(token);
          parents.push(parent);
          q.push(nodeQ);
          parent = tokens.length - 1;
          if (d === depth - 1) break;
          contextTokens.push(token);
          const output = await draft.forward({ tokens: [token] }, { logits: 'last' });
          const logits = matrixRow(output.logits, 0).slice();
          nodeQ = distribution(logits);
          token = sampling === 'greedy' ? topK(logits, 1)[0] : sampleCategorical(nodeQ, rng);
        }
        // Back to the committed tokens for the next branch.
        contextTokens.length = base;
        if (draft.length > base) await draft.truncate(base);
      }
      return sampling === 'greedy'
        ? { tokens, parents, sampling: 'deterministic' }
        : { tokens, parents, sampling: draftSampling, q };
    },
    async dispose() {
      await sequence?.dispose();
      sequence = undefined;
    },
  };
}
