import type { Draft, DraftContext, Drafter, DrafterStartContext, DraftFeedback } from '@decodekit/core';

/**
 * A drafter whose calls all finish synchronously, as every drafter of this package does: callers
 * outside the decode loop (tests, benchmarks) can use drafts without awaiting.
 */
export interface SynchronousDrafter extends Drafter {
  start?(context: DrafterStartContext): void;
  propose(context: DraftContext): Draft;
  observe?(feedback: DraftFeedback): void;
}
