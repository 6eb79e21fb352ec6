import {
  type CausalLM,
  chainDraft,
  type Draft,
  type DraftContext,
  type Drafter,
  type DraftFeedback,
  InvalidArgumentError,
  type Rng,
  type SamplerChain,
} from '@decodekit/core';
import { checkVocabulary, DraftSequence } from './internal/draft-sequence.js';
import { drawNode, requireInteger } from './internal/draw.js';

export interface PearlOptions {
  /** The draft model; load it in worker mode (`loadModel(dir, { worker: true })`) so it drafts while the target verifies. */
  readonly draftModel: CausalLM;
  /** Window length: tokens drafted per window (default 4). */
  readonly gamma?: number;
  /**
   * Pre-verify: after a rejection, the next step sends the target no draft (it only scores the
   * root) while the draft model drafts a window in the background; if the target's token equals the
   * window's first token the rest of the window is proposed next. Off: a rejection is followed by an
   * ordinary draft. Default `'greedy'`: on under greedy chains only, because under sampling the
   * target's own token rarely equals the draft's guess, so most pre-verify steps would commit a
   * single token.
   */
  readonly preVerify?: boolean | 'greedy';
}

interface Lookahead {
  /** The committed tokens this window was drafted after, as assumed when it started (the guess included). */
  readonly assumed: readonly number[];
  /** e_1..e_{γ+1}: e_1 guesses the target's next token, the rest are the next window. */
  readonly tokens: number[];
  readonly q: Float32Array[];
}

/**
 * PEARL (Liu et al. 2025, "PEARL: Parallel Speculative Decoding with Adaptive Draft Length"),
 * mapped onto decodekit's one-target-forward-per-step loop.
 *
 * - Post-verify: after proposing a window d_1..d_γ, the drafter immediately keeps drafting past d_γ
 *   (e_1, the guess of the target's bonus token, then e_2..e_{γ+1}) while the target verifies. When
 *   the whole window is accepted and the target's next token equals e_1, the next step's draft
 *   e_2..e_{γ+1} is already there, so accepted runs grow window by window without the draft
 *   model's latency in between.
 * - Pre-verify: after a rejection, the next step proposes nothing (the target scores only the root)
 *   while the drafter drafts a window from the root in the background; a matching first token turns
 *   the rest of that window into the next draft.
 *
 * The background drafting overlaps the target only when the two models run in different threads
 * (the draft model in worker mode); with both in one thread the work is interleaved, not parallel.
 * Reused tokens are verified with their own q rows, so the method stays exact (greedy: token-
 * identical; sampling: distributed as target sampling). Unlike the paper, the target's next token
 * is always its own sample (a bonus or correction), so a guessed e_1 is matched, not accepted by a
 * ratio test, and the window length γ is fixed rather than tied to the measured speed ratio.
 *
 * @example
 * const draftModel = await loadModel(tinyLmDraft, { worker: true });
 * const strategy = speculative({ drafter: pearl({ draftModel, gamma: 4 }), verifier: defaultVerifier() });
 */
export function pearl(options: PearlOptions): Drafter {
  const { draftModel } = options;
  if (!draftModel) throw new InvalidArgumentError('draftModel', 'PEARL needs a draft model (a CausalLM)');
  const gamma = options.gamma ?? 4;
  requireInteger(gamma, 'gamma', 1);
  const preVerify = options.preVerify ?? 'greedy';
  const draft = new DraftSequence(draftModel);
  let pending: Promise<Lookahead> | undefined;
  let ownRng: Rng | undefined;
  let rejected = false;

  // Drafts e_1..e_{γ+1} after `assumed` on the draft sequence; must not overlap other draft work.
  const lookahead = async (
    assumed: number[],
    sampler: SamplerChain,
    promptLength: number,
    rng: Rng,
    signal: AbortSignal | undefined,
  ): Promise<Lookahead> => {
    const contextTokens = [...assumed];
    const tokens: number[] = [];
    const q: Float32Array[] = [];
    if (assumed.length + gamma > draftModel.contextLength) return { assumed, tokens, q };
    let output = await draft.catchUp(assumed, { speculative: true, signal });
    for (let i = 0; i <= gamma; i++) {
      const node = drawNode(output.logits, sampler, contextTokens, promptLength, rng);
      tokens.push(node.token);
      if (node.q) q.push(node.q);
      if (i === gamma) break;
      contextTokens.push(node.token);
      output = await draft.feed([node.token], { signal });
    }
    return { assumed, tokens, q };
  };

  const settle = async (): Promise<Lookahead | undefined> => {
    const running = pending;
    pending = undefined;
    return running ? await running : undefined;
  };

  const startLookahead = (assumed: number[], context: DraftContext, rng: Rng) => {
    // Started after the current call returns, so the target's forward is not delayed by it.
    const running = Promise.resolve().then(() =>
      lookahead(assumed, context.sampler, context.promptLength, rng, context.signal),
    );
    running.catch(() => undefined); // surfaced by the next `settle`
    pending = running;
  };

  return {
    name: 'pearl',
    async start(context) {
      checkVocabulary(draftModel, context.target, 'pearl');
      await settle().catch(() => undefined);
      ownRng = undefined;
      rejected = false;
      await draft.reset(context.prompt, context.signal);
    },
    async propose(context: DraftContext): Promise<Draft> {
      const { sampler, promptLength, signal } = context;
      // The drafter's own stream: background draws must not interleave with the verifier's.
      ownRng ??= context.rng.split();
      const rng = ownRng;
      const committed = context.tokens;
      const ready = await settle();
      const room = draftModel.contextLength - committed.length + 1;
      const length = Math.min(gamma, context.maxTokens, room);

      let tokens: number[] = [];
      let q: Float32Array[] = [];
      if (ready && matches(ready, committed)) {
        tokens = ready.tokens.slice(1, 1 + length);
        q = ready.q.slice(1, 1 + tokens.length);
        // The sequence holds the window but its last token; drop what this shorter draft does not use.
        await draft.truncate(committed.length + Math.max(0, tokens.length - 1));
      } else if (rejected && (preVerify === true || (preVerify === 'greedy' && sampler.greedy)) && length > 0) {
        // Pre-verify: the target only scores the root while the next window is drafted behind it.
        startLookahead(Array.from(committed), context, rng);
        return emptyDraft(sampler);
      }
      if (tokens.length === 0 && length > 0) {
        let output = await draft.catchUp(committed, { signal });
        const contextTokens = Array.from(committed);
        for (let i = 0; i < length; i++) {
          const node = drawNode(output.logits, sampler, contextTokens, promptLength, rng);
          tokens.push(node.token);
          if (node.q) q.push(node.q);
          if (i + 1 === length) break;
          contextTokens.push(node.token);
          output = await draft.feed([node.token], { signal });
        }
      }
      if (tokens.length === 0) return emptyDraft(sampler);
      // Post-verify: keep drafting past this window while the target verifies it.
      const assumed = Array.from(committed);
      for (const token of tokens) assumed.push(token);
      startLookahead(assumed, context, rng);
      if (sampler.greedy) return chainDraft(tokens);
      return { tokens, parents: tokens.map((_, i) => i - 1), sampling: 'independent', q };
    },
    observe(feedback: DraftFeedback) {
      const drafted = feedback.draft.tokens.length;
      if (drafted > 0) rejected = feedback.acceptedPath.length < drafted;
      // The draft sequence is caught up in `propose`, once the background window is settled.
    },
    async dispose() {
      await settle().catch(() => undefined);
      await draft.dispose();
    },
  };
}

/** True when `committed` is the lookahead's assumed prefix followed by its guess e_1. */
function matches(ready: Lookahead, committed: Int32Array): boolean {
  const { assumed, tokens } = ready;
  if (tokens.length < 2 || committed.length !== assumed.length + 1) return false;
  if (committed[assumed.length] !== tokens[0]) return false;
  for (let i = assumed.length - 1; i >= 0; i--) if (committed[i] !== assumed[i]) return false;
  return true;
}

function emptyDraft(sampler: SamplerChain): Draft {
  return sampler.greedy ? chainDraft([]) : { tokens: [], parents: [], sampling: 'independent', q: [] };
}
