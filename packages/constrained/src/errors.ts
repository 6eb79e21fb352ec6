import { DecodekitError } from '@decodekit/core';

/**
 * A regular expression, JSON Schema or grammar could not be compiled. `source` names the format,
 * `position` the offset of the problem in the source text when known.
 */
export class ConstraintSyntaxError extends DecodekitError {
  /** Which compiler rejected the input: `regex`, `json-schema` or `gbnf`. */
  readonly source: string;
  /** Character offset in the source text, when the problem has one. */
  readonly position: number | undefined;
  constructor(source: string, message: string, position?: number) {
    super(
      'invalid-argument',
      position === undefined ? `${source}: ${message}` : `${source} at ${position}: ${message}`,
    );
    this.name = 'ConstraintSyntaxError';
    this.source = source;
    this.position = position;
  }
}

/**
 * No token of the vocabulary continues the output although the constraint is not complete: the
 * remaining valid completions need bytes no token spells (e.g. a vocabulary without single bytes).
 * Samplers throw it instead of emitting an invalid token.
 */
export class ConstraintDeadEndError extends DecodekitError {
  /** The constraint's `name`. */
  readonly constraint: string;
  constructor(constraint: string, message: string) {
    super('invalid-state', `${constraint}: ${message}`);
    this.name = 'ConstraintDeadEndError';
    this.constraint = constraint;
  }
}
