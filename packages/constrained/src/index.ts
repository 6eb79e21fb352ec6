/**
 * @decodekit/constrained: constrained generation. Regular expressions, JSON Schema and GBNF
 * grammars compile to incremental token-level constraints (`Constraint`), which the samplers
 * (token masking, adaptive weighted rejection sampling, SMC) and grammar-aware speculation use.
 */

export type { Constraint, ConstraintStats, TokenVocabulary } from './constraint.js';
export { StatsCounter } from './constraint.js';
export {
  type GbnfOptions,
  gbnfConstraint,
  grammarConstraint,
  sharedGrammarConstraint,
} from './constraints/grammar.js';
export {
  gbnfClass,
  gbnfLiteral,
  integerRangeGbnf,
  type JsonSchema,
  type JsonSchemaOptions,
  jsonSchemaConstraint,
  jsonSchemaToGbnf,
  numberRangeGbnf,
  supportedFormats,
} from './constraints/json-schema.js';
export { compileRegex, dfaAutomaton, type RegexOptions, regexConstraint } from './constraints/regex.js';
export {
  AutomatonConstraint,
  type ByteAutomaton,
  finishedState,
  type SharedIndex,
  sharedIndex,
  sharedIndexCapacity,
  spellsEveryByte,
  type TokenRow,
} from './engine/automaton-constraint.js';
export type { Dfa } from './engine/dfa.js';
export { GrammarBuilder, parseGbnf } from './engine/gbnf.js';
export { type Grammar, GrammarAutomaton, type GrammarTerm, validateGrammar } from './engine/grammar.js';
export { parseRegex, type RegexNode } from './engine/regex-parser.js';
export { type VocabularyTrie, vocabularyTrie } from './engine/vocabulary-trie.js';
export { ConstraintDeadEndError, ConstraintSyntaxError } from './errors.js';
export { type AwrsEstimator, type AwrsOptions, awrs } from './sampling/awrs.js';
export {
  type ConstrainedDecodingOptions,
  type ConstrainedDecodingStats,
  type ConstrainedStrategy,
  constrainedDecoding,
} from './sampling/constrained-decoding.js';
export { rejectionSampling } from './sampling/rejection-sampling.js';
export { tokenMasking } from './sampling/token-masking.js';
export type { ConstrainedTokenSampler, TokenSample, TokenSamplerInput } from './sampling/token-sampler.js';
export {
  type SmcCritic,
  type SmcOptions,
  type SmcParticle,
  type SmcPosteriorEntry,
  type SmcResult,
  smc,
  stratifiedAncestors,
} from './smc.js';
export {
  type ConstrainedSpeculativeOptions,
  type ConstrainedSpeculativeStrategy,
  type ConstraintProcessorOptions,
  constrainedDrafter,
  constrainedSamplerChain,
  constrainedSpeculative,
  constraintProcessor,
  type SpeculationConstraintStats,
} from './speculation.js';
export { byteVocabulary, type TokenizerVocabularyOptions, tokenizerVocabulary } from './vocabulary.js';
