/**
 * @decodekit/core: the contracts every decodekit package shares (model, sampler chain, drafter,
 * verifier, strategy, events, statistics, errors), the math on logits rows, and the decode loop.
 */

export * from './drafter.js';
export * from './errors.js';
export * from './events.js';
export { type GenerateOptions, generate, stream, type TextTokenizer } from './generate.js';
export * from './math/index.js';
export * from './matrix.js';
export * from './model.js';
export * from './rng.js';
export * from './sampler.js';
export * from './statistics.js';
export { autoregressive, prefill } from './strategies/autoregressive.js';
export { type SpeculativeOptions, speculative } from './strategies/speculative.js';
export * from './strategy.js';
export * from './tree.js';
export * from './verifier.js';
