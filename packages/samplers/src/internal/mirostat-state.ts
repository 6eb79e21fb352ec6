import { logSumExpFinite } from './probabilities.js';
import { maxLogit } from './row.js';

/**
 * Remembers the last processed row (after truncation) so that `accept(token)` can measure the
 * surprise `-log2 p(token)` of the token drawn from it, and holds the running target `mu`.
 */
export class MirostatState {
  mu: number;
  private row = new Float32Array(0);
  private logSumExp = 0;
  private hasRow = false;

  constructor(
    readonly tau: number,
    readonly eta: number,
  ) {
    this.mu = 2 * tau;
  }

  remember(logits: Float32Array): void {
    if (this.row.length !== logits.length) this.row = new Float32Array(logits.length);
    this.row.set(logits);
    this.logSumExp = logSumExpFinite(logits, maxLogit(logits));
    this.hasRow = true;
  }

  accept(token: number): void {
    if (!this.hasRow || token < 0 || token >= this.row.length) return;
    const logP = this.row[token] - this.logSumExp;
    const surprise = -logP / Math.LN2;
    // A masked token (possible if another component chose it) would give mu = -Infinity: cap it.
    const error = Number.isFinite(surprise) ? surprise - this.tau : 0;
    this.mu -= this.eta * error;
    this.hasRow = false;
  }

  reset(): void {
    this.mu = 2 * this.tau;
    this.hasRow = false;
  }
}
