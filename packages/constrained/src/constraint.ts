/**
 * The contract every constraint implements: an incremental prefix checker over the model's output,
 * bound to one token vocabulary. Samplers (token masking, AWRS, SMC) and grammar-aware speculation
 * only talk to constraints through this interface.
 */

/**
 * A token vocabulary as byte strings: what a constraint checks tokens against.
 *
 * `bytes(token)` is the exact byte sequence the token appends to the output. Tokens with no bytes
 * (special tokens other than `eos`, unused ids) return an empty array; constraints never allow them,
 * since they would let generation loop without progress.
 */
export interface TokenVocabulary {
  /** Number of token ids (ids are `0 .. size - 1`). */
  readonly size: number;
  /** The bytes token `token` appends to the output (empty for special and unused tokens). */
  bytes(token: number): Uint8Array;
  /** The end-of-sequence token: allowed exactly when the output is a complete match. */
  readonly eos: number;
}

/** Counters a constraint keeps for the measurements (monotonic since creation). */
export interface ConstraintStats {
  /** Single-token checks: calls of `advance` and `allows` (each is one constraint evaluation). */
  readonly tokenChecks: number;
  /** Full-vocabulary masks computed by `mask`. */
  readonly masks: number;
}

/**
 * An incremental prefix checker over the model's output, bound to one vocabulary. States are
 * immutable values: keep as many as you like (one per particle, one per draft node) and advance
 * each independently.
 *
 * The invariant every implementation keeps: a state that `start`/`advance` returns always has at
 * least one completion, i.e. some token sequence from it reaches a state where `isComplete` holds.
 * `advance` returns `undefined` instead of a state with no completion, so a sampler that only
 * follows allowed tokens can never get stuck. The one exception is a vocabulary too coarse to
 * spell the remaining completion (no single-byte tokens): regex constraints prune those states,
 * grammar constraints show them as an all-zero `mask`, which samplers report with
 * `ConstraintDeadEndError`.
 */
export interface Constraint<State = unknown> {
  /** A short description for logs and errors (`regex:/a+b/`, `json-schema`, `gbnf:root`). */
  readonly name: string;
  /** The vocabulary the constraint is bound to. */
  readonly vocabulary: TokenVocabulary;
  /** The state before any output. */
  start(): State;
  /**
   * The state after appending `token` (its bytes; `eos` only when complete), or `undefined` when the
   * output would have no valid completion left. Advancing with `eos` yields a final state from which
   * nothing further is allowed.
   */
  advance(state: State, token: number): State | undefined;
  /** Cheap test: `advance(state, token) !== undefined`. */
  allows(state: State, token: number): boolean;
  /** The output so far is a complete match (`eos` is allowed). */
  isComplete(state: State): boolean;
  /**
   * Allowed tokens as a mask (`1` = allowed) over the whole vocabulary: the full evaluation the
   * token-masking baseline pays for. Writes into `out` when given (length ≥ `vocabulary.size`).
   */
  mask(state: State, out?: Uint8Array): Uint8Array;
  /** Counts of single-token checks and full masks computed since creation. */
  readonly stats: ConstraintStats;
}

/** A mutable counter object behind `Constraint.stats`; implementations increment it. */
export class StatsCounter implements ConstraintStats {
  /** See `ConstraintStats.tokenChecks`. */
  tokenChecks = 0;
  /** See `ConstraintStats.masks`. */
  masks = 0;
}
