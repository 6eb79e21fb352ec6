/**
 * Every error decodekit throws is a `DecodekitError` with a stable `code`, so callers can branch
 * on `error.code` without `instanceof` across package copies.
 */
export type DecodekitErrorCode =
  | 'invalid-argument'
  | 'missing-capability'
  | 'model-format'
  | 'context-overflow'
  | 'non-finite-logits'
  | 'vocabulary-mismatch'
  | 'token-out-of-range'
  | 'invalid-state'
  | 'disposed'
  | 'aborted'
  | 'worker-crashed';

const marker = Symbol.for('decodekit.error');

export class DecodekitError extends Error {
  readonly code: DecodekitErrorCode;
  readonly [marker] = true;
  constructor(code: DecodekitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecodekitError';
    this.code = code;
  }
  /** True for any decodekit error, even one thrown by another copy of this package. */
  static is(value: unknown): value is DecodekitError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** A setting or argument is outside its allowed range. `setting` names it. */
export class InvalidArgumentError extends DecodekitError {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super('invalid-argument', `${setting}: ${message}`);
    this.name = 'InvalidArgumentError';
    this.setting = setting;
  }
}

/** A method needs something the model graph does not provide (tree attention, hidden states, ...). */
export class CapabilityError extends DecodekitError {
  readonly capability: string;
  constructor(capability: string, message: string) {
    super('missing-capability', message);
    this.name = 'CapabilityError';
    this.capability = capability;
  }
}

/** A model directory or graph is missing files, or its layout is not one decodekit understands. */
export class ModelFormatError extends DecodekitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('model-format', message, options);
    this.name = 'ModelFormatError';
  }
}

/** Tokens would not fit in the model's context window. */
export class ContextOverflowError extends DecodekitError {
  constructor(
    readonly required: number,
    readonly contextLength: number,
    message?: string,
  ) {
    super(
      'context-overflow',
      message ??
        `${required} tokens do not fit in the model's context of ${contextLength}; shorten the prompt or lower maxNewTokens.`,
    );
    this.name = 'ContextOverflowError';
  }
}

/** The model produced NaN or infinite logits. */
export class NonFiniteLogitsError extends DecodekitError {
  constructor(message: string) {
    super('non-finite-logits', message);
    this.name = 'NonFiniteLogitsError';
  }
}

/** A token id is not in [0, vocabSize). */
export class TokenOutOfRangeError extends DecodekitError {
  constructor(
    readonly token: number,
    readonly vocabSize: number,
    where = 'input',
  ) {
    super('token-out-of-range', `${where}: token id ${token} is outside the vocabulary [0, ${vocabSize}).`);
    this.name = 'TokenOutOfRangeError';
  }
}

/** Two components disagree on the vocabulary (target vs draft model, tokenizer vs model). */
export class VocabularyMismatchError extends DecodekitError {
  constructor(message: string) {
    super('vocabulary-mismatch', message);
    this.name = 'VocabularyMismatchError';
  }
}

/** An operation was called in a state where it makes no sense (e.g. a new forward over an unaccepted tree). */
export class InvalidStateError extends DecodekitError {
  constructor(message: string) {
    super('invalid-state', message);
    this.name = 'InvalidStateError';
  }
}

/** A disposed sequence, model or drafter was used. */
export class DisposedError extends DecodekitError {
  constructor(what: string) {
    super('disposed', `${what} was disposed and cannot be used any more.`);
    this.name = 'DisposedError';
  }
}

/** The caller's AbortSignal fired. */
export class AbortError extends DecodekitError {
  constructor(reason?: unknown) {
    super('aborted', 'The operation was aborted.', { cause: reason });
    this.name = 'AbortError';
  }
}

/** Throws `AbortError` if the signal has fired. Called between steps of every loop. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}
