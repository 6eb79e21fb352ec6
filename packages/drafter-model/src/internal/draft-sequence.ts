import { type CausalLM, InvalidStateError, matrixRow, type Sequence, VocabularyMismatchError } from '@decodekit/core';

/** The draft model's output after one position: a private copy of its logits (and hidden state). */
export interface DraftStepOutput {
  readonly logits: Float32Array;
  readonly hiddenState?: Float32Array;
}

export interface DraftForwardOptions {
  readonly hiddenStates?: boolean;
  readonly signal?: AbortSignal;
  /**
   * The tokens caught up with are a guess (committed tokens plus unverified draft tokens), so they
   * do not extend the prefix known to be committed.
   */
  readonly speculative?: boolean;
}

/** Throws `VocabularyMismatchError` unless the draft and target models share one vocabulary size. */
export function checkVocabulary(draftModel: CausalLM, target: CausalLM, method: string): void {
  if (draftModel.vocabSize !== target.vocabSize) {
    throw new VocabularyMismatchError(
      `${method}: draft model "${draftModel.name}" has ${draftModel.vocabSize} tokens but the target "${target.name}" has ${target.vocabSize}; ` +
        'a draft model must share the target tokenizer (same ids, same vocabulary size)',
    );
  }
}

/**
 * The draft model's KV-cached sequence, kept in step with the target's committed tokens.
 *
 * It mirrors the cached token ids so that catching up with the committed tokens costs one forward
 * over the tokens it has not cached yet (usually the accepted tail and the target's next token),
 * never a re-run of the prefix. Committed tokens never change during a generation, so the scan
 * for the first difference starts where the last catch-up ended.
 */
export class DraftSequence {
  private sequence: Sequence | undefined;
  private cached: number[] = [];
  /** Tokens known to equal the committed prefix (the last catch-up's length). */
  private stable = 0;
  /** Output after the last cached token, when the last forward produced it (`cached.length` it belongs to). */
  private last: { length: number; output: DraftStepOutput } | undefined;

  constructor(readonly model: CausalLM) {}

  /** Number of cached tokens. */
  get length(): number {
    return this.cached.length;
  }

  /** A copy of the cached token ids. */
  tokens(): Int32Array {
    return Int32Array.from(this.cached);
  }

  /** Opens a fresh sequence and feeds all prompt tokens but the last (the first catch-up runs it). */
  async reset(prompt: ArrayLike<number>, signal?: AbortSignal): Promise<void> {
    await this.sequence?.dispose();
    this.sequence = this.model.openSequence();
    this.cached = [];
    this.stable = 0;
    this.last = undefined;
    if (prompt.length > 1) {
      const head = Array.from(prompt).slice(0, prompt.length - 1);
      await this.sequence.forward({ tokens: head }, { logits: 'none', signal });
      this.cached = head;
      this.stable = head.length; // the prompt is committed
    }
  }

  private open(): Sequence {
    this.sequence ??= this.model.openSequence();
    return this.sequence;
  }

  /** Drops cached tokens after the first `length`. */
  async truncate(length: number): Promise<void> {
    if (length >= this.cached.length) return;
    await this.open().truncate(length);
    this.cached.length = length;
    if (this.stable > length) this.stable = length;
    if (this.last && this.last.length !== length) this.last = undefined;
  }

  /**
   * Drops the cached tokens that disagree with `committed` (draft tokens the target rejected),
   * keeping the longest common prefix. No model work.
   */
  async dropMismatch(committed: ArrayLike<number>): Promise<number> {
    const limit = Math.min(this.cached.length, committed.length);
    let common = Math.min(this.stable, limit);
    while (common < limit && this.cached[common] === committed[common]) common++;
    await this.truncate(common);
    return common;
  }

  /**
   * Brings the cache to exactly `committed` and returns the output after its last token (the
   * root of the next draft). Runs one forward over the uncached tail; when the cache already holds
   * all of `committed` and the output after it is known, runs nothing.
   */
  async catchUp(committed: ArrayLike<number>, options: DraftForwardOptions = {}): Promise<DraftStepOutput> {
    if (committed.length === 0) throw new InvalidStateError('draft model: there is no committed token to draft after');
    let common = await this.dropMismatch(committed);
    if (common === committed.length) {
      const last = this.last;
      if (last && last.length === common && (!options.hiddenStates || last.output.hiddenState)) {
        if (!options.speculative) this.stable = committed.length;
        // A copy: callers process logits rows in place.
        return { logits: last.output.logits.slice(), hiddenState: last.output.hiddenState };
      }
      // The output after the last token is unknown: run that token again.
      common -= 1;
      await this.truncate(common);
    }
    const tail: number[] = [];
    for (let i = common; i < committed.length; i++) tail.push(committed[i]);
    const output = await this.feed(tail, options);
    if (!options.speculative) this.stable = committed.length;
    return output;
  }

  /** Runs `tokens` after the cache and returns the output after the last of them. */
  async feed(tokens: readonly number[], options: DraftForwardOptions = {}): Promise<DraftStepOutput> {
    const sequence = this.open();
    const result = await sequence.forward(
      { tokens },
      { logits: 'last', hiddenStates: options.hiddenStates === true, signal: options.signal },
    );
    for (const token of tokens) this.cached.push(token);
    const logits = matrixRow(result.logits, result.logits.rows - 1).slice();
    const hidden = result.hiddenStates;
    const output: DraftStepOutput = {
      logits,
      hiddenState: hidden ? matrixRow(hidden, hidden.rows - 1).slice() : undefined,
    };
    this.last = { length: this.cached.length, output };
    return output;
  }

  /** An independent copy of the underlying sequence (for branch drafting), with its token mirror. */
  async fork(): Promise<{ sequence: Sequence; tokens: number[] }> {
    const sequence = await this.open().fork();
    return { sequence, tokens: [...this.cached] };
  }

  /** Frees the sequence; the next `reset` opens a new one. */
  async dispose(): Promise<void> {
    const sequence = this.sequence;
    this.sequence = undefined;
    this.cached = [];
    this.last = undefined;
    await sequence?.dispose();
  }
}
