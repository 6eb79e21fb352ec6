import { InvalidArgumentError } from '@decodekit/core';

/**
 * An incremental index of the n-grams (for every n in `[minNgram, maxNgram]`) of a growing token
 * sequence: hash of the n-gram -> the end offsets (exclusive) where it occurs, ascending. Appending
 * tokens indexes only the new positions, so a generation of T tokens costs O(T · maxNgram²) in
 * total instead of a rescan of the whole context at every step.
 *
 * An n-gram ending at offset `end` is indexed only once a token follows it (`end < length`), so a
 * lookup of the sequence's own last n tokens never returns itself and every hit has a continuation.
 */
export class NgramIndex {
  private buffer = new Int32Array(256);
  private length = 0;
  /** Last offset `end` whose n-grams are indexed. */
  private indexedEnd = 0;
  private readonly positions = new Map<number, number[]>();

  constructor(
    readonly minNgram: number,
    readonly maxNgram: number,
  ) {
    if (!Number.isInteger(minNgram) || minNgram < 1 || !Number.isInteger(maxNgram) || maxNgram < minNgram) {
      throw new InvalidArgumentError(
        'minNgram/maxNgram',
        `need integers 1 <= minNgram <= maxNgram, got ${minNgram}/${maxNgram}`,
      );
    }
  }

  /** Tokens seen so far. */
  get size(): number {
    return this.length;
  }

  /** Token at `offset`. */
  at(offset: number): number {
    return this.buffer[offset];
  }

  /** Forgets everything. */
  clear(): void {
    this.length = 0;
    this.indexedEnd = 0;
    this.positions.clear();
  }

  /**
   * Brings the index up to `tokens`. When `tokens` extends what was seen (the decode loop's case)
   * only the new tail is indexed; when it does not (a new prompt, a rollback), the index restarts.
   * The check compares a bounded window of recent tokens, so it stays O(1) per step.
   */
  sync(tokens: ArrayLike<number>): void {
    if (tokens.length < this.length || !this.sharesRecentPrefix(tokens)) this.clear();
    for (let i = this.length; i < tokens.length; i++) this.push(tokens[i]);
  }

  /** Appends one token and indexes the n-grams that now have a continuation. */
  push(token: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Int32Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = token;
    // Every end offset up to length - 1 now has at least one following token.
    for (let end = this.indexedEnd + 1; end <= this.length - 1; end++) {
      for (let n = this.minNgram; n <= this.maxNgram && n <= end; n++) {
        const key = this.hash(end - n, end);
        const list = this.positions.get(key);
        if (list) list.push(end);
        else this.positions.set(key, [end]);
      }
      this.indexedEnd = end;
    }
  }

  /**
   * End offsets (exclusive) of earlier occurrences of the last `n` tokens, most recent first, at
   * most `limit` of them. Hash collisions are filtered out by comparing the tokens.
   */
  latestMatches(n: number, limit: number): number[] {
    const found: number[] = [];
    if (n < this.minNgram || n > this.maxNgram || this.length < n + 1) return found;
    const queryStart = this.length - n;
    const list = this.positions.get(this.hash(queryStart, this.length));
    if (!list) return found;
    for (let k = list.length - 1; k >= 0 && found.length < limit; k--) {
      const end = list[k];
      if (this.equalRanges(end - n, queryStart, n)) found.push(end);
    }
    return found;
  }

  private sharesRecentPrefix(tokens: ArrayLike<number>): boolean {
    const from = Math.max(0, this.length - 32);
    for (let i = from; i < this.length; i++) if (tokens[i] !== this.buffer[i]) return false;
    return true;
  }

  private equalRanges(a: number, b: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (this.buffer[a + i] !== this.buffer[b + i]) return false;
    return true;
  }

  /** FNV-1a over the n-gram's token ids, seeded with n so different orders do not share keys. */
  private hash(start: number, end: number): number {
    let h = (2166136261 ^ (end - start)) >>> 0;
    for (let i = start; i < end; i++) {
      h = Math.imul(h ^ this.buffer[i], 16777619);
      h = Math.imul(h ^ (h >>> 15), 2246822507);
    }
    return h >>> 0;
  }
}
