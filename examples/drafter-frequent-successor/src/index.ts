import {
  chainDraft,
  type Draft,
  type Drafter,
  type DraftFeedback,
  emptyDraft,
  InvalidArgumentError,
} from '@decodekit/core';

/** Options of {@link frequentSuccessorDrafter}. */
export interface FrequentSuccessorOptions {
  /** Most tokens per draft (default 8). */
  readonly maxDraftTokens?: number;
  /** Draft length of the first step; it then adapts to what the target accepts (default 3). */
  readonly initialDraftTokens?: number;
  /** Stop drafting at a token whose best successor was seen fewer times than this (default 1). */
  readonly minCount?: number;
  /**
   * Extra token ids to learn successor counts from before generation (for example a tokenized
   * corpus of the domain). Counted once, when the drafter is created.
   */
  readonly corpus?: ArrayLike<number>;
}

/**
 * Frequent-successor drafting: counts, for every token, which tokens followed it (in an optional
 * corpus and in the text committed so far) and drafts a chain by always following the most
 * frequent successor (ties: the most recent one). The draft length adapts with `observe`: one
 * more token after a fully accepted draft, the accepted length plus one after a rejection.
 *
 * Drafts are deterministic, so speculative decoding with an exact verifier is lossless.
 */
export function frequentSuccessorDrafter(options: FrequentSuccessorOptions = {}): Drafter {
  const maxDraftTokens = options.maxDraftTokens ?? 8;
  const initial = options.initialDraftTokens ?? Math.min(3, maxDraftTokens);
  const minCount = options.minCount ?? 1;
  for (const [name, value, least] of [
    ['maxDraftTokens', maxDraftTokens, 1],
    ['initialDraftTokens', initial, 1],
    ['minCount', minCount, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < least) {
      throw new InvalidArgumentError(name, `must be an integer >= ${least}, got ${value}`);
    }
  }
  if (initial > maxDraftTokens) {
    throw new InvalidArgumentError(
      'initialDraftTokens',
      `must be at most maxDraftTokens (${maxDraftTokens}), got ${initial}`,
    );
  }

  const corpusCounts = new SuccessorCounts();
  if (options.corpus) corpusCounts.addRange(options.corpus, 0, options.corpus.length);
  let counts = corpusCounts.clone();
  let indexed = 0; // committed tokens already counted
  let length = initial;

  return {
    name: 'frequent-successor',
    start() {
      counts = corpusCounts.clone();
      indexed = 0;
      length = initial;
    },
    propose(context): Draft {
      const { tokens } = context;
      counts.addRange(tokens, Math.max(0, indexed - 1), tokens.length);
      indexed = tokens.length;
      const limit = Math.min(length, context.maxTokens);
      if (limit === 0) return emptyDraft;
      const draft: number[] = [];
      let current = tokens[tokens.length - 1];
      while (draft.length < limit) {
        const best = counts.best(current, minCount);
        if (best === undefined) break;
        draft.push(best);
        current = best;
      }
      return draft.length === 0 ? emptyDraft : chainDraft(draft);
    },
    observe(feedback: DraftFeedback) {
      const drafted = feedback.draft.tokens.length;
      if (drafted === 0) return;
      const accepted = feedback.acceptedPath.length;
      length = accepted === drafted ? Math.min(maxDraftTokens, length + 1) : Math.max(1, accepted + 1);
    },
  };
}

/** Successor counts per token, with the most recent successor winning ties. */
class SuccessorCounts {
  private table = new Map<number, Map<number, { count: number; last: number }>>();
  private clock = 0;

  addRange(tokens: ArrayLike<number>, from: number, to: number): void {
    for (let i = from; i + 1 < to; i++) {
      let successors = this.table.get(tokens[i]);
      if (!successors) this.table.set(tokens[i], (successors = new Map()));
      const entry = successors.get(tokens[i + 1]);
      this.clock += 1;
      if (entry) {
        entry.count += 1;
        entry.last = this.clock;
      } else {
        successors.set(tokens[i + 1], { count: 1, last: this.clock });
      }
    }
  }

  best(token: number, minCount: number): number | undefined {
    const successors = this.table.get(token);
    if (!successors) return undefined;
    let best: number | undefined;
    let bestCount = 0;
    let bestLast = -1;
    for (const [next, { count, last }] of successors) {
      if (count > bestCount || (count === bestCount && last > bestLast)) {
        best = next;
        bestCount = count;
        bestLast = last;
      }
    }
    return bestCount >= minCount ? best : undefined;
  }

  clone(): SuccessorCounts {
    const copy = new SuccessorCounts();
    copy.clock = this.clock;
    for (const [token, successors] of this.table) {
      copy.table.set(token, new Map([...successors].map(([next, entry]) => [next, { ...entry }])));
    }
    return copy;
  }
}
