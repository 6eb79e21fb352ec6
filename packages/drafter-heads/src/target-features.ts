import type { DrafterStartContext, DraftFeedback } from '@decodekit/core';

/** A target last hidden state and the position of the token it was computed after. */
export interface PositionedFeature {
  readonly position: number;
  readonly feature: Float32Array;
}

/**
 * Keeps the target's last hidden states the loop hands to a drafter: all prompt rows from the
 * prefill, then the root and accepted nodes of every verification, in position order.
 * `take()` returns (and forgets) the ones not consumed yet; `last` is the newest.
 */
export class TargetFeatures {
  private pending: PositionedFeature[] = [];
  last: PositionedFeature | undefined;

  reset(): void {
    this.pending = [];
    this.last = undefined;
  }

  /** Prompt rows of the prefill (the last rows of the prompt when the model returns fewer). */
  start(context: DrafterStartContext): void {
    this.reset();
    const hidden = context.prefillHiddenStates;
    if (!hidden || hidden.rows === 0) return;
    const first = context.prompt.length - hidden.rows;
    for (let r = 0; r < hidden.rows; r++) {
      this.push(first + r, hidden.data.subarray(r * hidden.columns, (r + 1) * hidden.columns));
    }
  }

  /** The root (row 0) and the accepted nodes of one verification. */
  observe(feedback: DraftFeedback): void {
    const hidden = feedback.targetHiddenStates;
    if (!hidden) {
      this.reset();
      return;
    }
    const path = feedback.acceptedPath;
    const rootPosition = feedback.tokens.length - path.length - 2;
    this.push(rootPosition, hidden.data.subarray(0, hidden.columns));
    for (let m = 0; m < path.length; m++) {
      const row = path[m] + 1;
      this.push(rootPosition + 1 + m, hidden.data.subarray(row * hidden.columns, (row + 1) * hidden.columns));
    }
  }

  /** The features not taken yet, oldest first. */
  take(): PositionedFeature[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** The newest feature when it is the one right before the root of `tokens` (the draft's anchor). */
  anchor(tokens: ArrayLike<number>): Float32Array | undefined {
    return this.last && this.last.position === tokens.length - 2 ? this.last.feature : undefined;
  }

  private push(position: number, feature: Float32Array): void {
    const entry = { position, feature: Float32Array.from(feature) };
    this.pending.push(entry);
    this.last = entry;
  }
}
