import { type Draft, type Drafter, emptyDraft, InvalidArgumentError } from '@decodekit/core';

export interface __FACTORY__Options {
  /** Most tokens per draft (default 4). */
  readonly maxDraftTokens?: number;
}

/**
 * Example drafter (replace it with your method): remembers, for every token, the token that last
 * followed it in the committed text, and drafts by following that chain.
 */
export function __FACTORY__(options: __FACTORY__Options = {}): Drafter {
  const maxDraftTokens = options.maxDraftTokens ?? 4;
  if (!Number.isInteger(maxDraftTokens) || maxDraftTokens < 1) {
    throw new InvalidArgumentError('maxDraftTokens', `must be an integer >= 1, got ${maxDraftTokens}`);
  }
  const next = new Map<number, number>();
  let indexed = 0; // tokens already folded into `next`: each step only reads the new ones
  return {
    name: '__NAME__',
    start() {
      next.clear();
      indexed = 0;
    },
    propose(context): Draft {
      const { tokens } = context;
      for (let i = Math.max(0, indexed - 1); i + 1 < tokens.length; i++) next.set(tokens[i], tokens[i + 1]);
      indexed = tokens.length;
      const limit = Math.min(maxDraftTokens, context.maxTokens);
      if (limit === 0) return emptyDraft;
      const draft: number[] = [];
      let current = tokens[tokens.length - 1];
      while (draft.length < limit) {
        const following = next.get(current);
        if (following === undefined) break;
        draft.push(following);
        current = following;
      }
      return { tokens: draft, parents: draft.map((_, i) => i - 1), sampling: 'deterministic' };
    },
  };
}
