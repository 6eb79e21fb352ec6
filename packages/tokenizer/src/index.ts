/**
 * @decodekit/tokenizer: loads a model directory's `tokenizer.json` in pure JavaScript, renders its
 * chat template, and turns generated tokens into text incrementally without splitting characters.
 */

export { byteLevelCharacterToByte, byteLevelTokenBytes } from './byte-level-stream-decoder.js';
export { createTokenizer, loadTokenizer, type TokenizerFiles, type TokenizerOptions } from './load-tokenizer.js';
export { createTextDiffStreamDecoder } from './text-diff-stream-decoder.js';
export type * from './types.js';
