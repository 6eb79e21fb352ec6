/**
 * @decodekit/constrained: constrained generation. Regular expressions, JSON Schema and GBNF
 * grammars compile to incremental token-level constraints (`Constraint`), which the samplers
 * (token masking, adaptive weighted rejection sampling, SMC) and grammar-aware speculation use.
 */

export type { Constraint, ConstraintStats, TokenVocabulary } from './constraint.js';
export { StatsCounter } from './constraint.js';
export { ConstraintDeadEndError, ConstraintSyntaxError } from './errors.js';
export { byteVocabulary, type TokenizerVocabularyOptions, tokenizerVocabulary } from './vocabulary.js';
