/**
 * @decodekit/drafter-heads: speculative decoding with draft heads trained on the frozen target —
 * Medusa (sparse top-k trees), Hydra (sequentially dependent heads, optionally with Hydra++'s
 * prefix-attention layer), an EAGLE-style one-layer feature drafter with EAGLE-2 dynamic trees,
 * Clover (regressive attention decoder) and Chimera (trigram encoder + full-context decoder) — as `Drafter`s for core's `speculative()` strategy.
 * The heads run in onnxruntime-node (peer dependency) and load from `@decodekit/models-tiny` by default.
 */

export type {
  ChimeraDecoder,
  ChimeraDecoderInput,
  CloverDecoder,
  ContextLayer,
  ContextLayerInput,
  ContextLayerOutput,
  FeatureCache,
  FeatureDrafter,
  FeatureDrafterInput,
  FeatureDrafterOutput,
  HydraHeads,
  MedusaHeads,
  PrefixKeyValues,
  TopTokens,
} from './backend.js';
export { emptyFeatureCache } from './backend.js';
export { type ChimeraOptions, chimera } from './chimera.js';
export { type CloverOptions, clover } from './clover.js';
export { appendKeyValues, ContextState } from './context-state.js';
export { type EagleOptions, eagle } from './eagle.js';
export { type ExtraRowManifest, type ExtraRowTree, readExtraRowManifest } from './extra-rows.js';
export {
  type HiddenTransferOptions,
  hiddenTransfer,
  loadTransferLayers,
  type TransferLayers,
} from './hidden-transfer.js';
export { type HydraOptions, hydra } from './hydra.js';
export { type MedusaOptions, medusa } from './medusa.js';
export {
  type ContextGraph,
  type DraftHeadsManifest,
  type HeadTree,
  type LoadHeadsOptions,
  loadChimeraDecoder,
  loadCloverDecoder,
  loadContextLayer,
  loadFeatureDrafter,
  loadHydraHeads,
  loadMedusaHeads,
  readHeadsManifest,
} from './onnx-heads.js';
export { loadPromptEmbeddings, type PpdOptions, type PromptEmbeddings, ppd } from './ppd.js';
export { type HeadDrafterName, headDrafters, headDrafterVerifiers } from './registry.js';
export { type SparseTree, sparseTree, treeForSize } from './sparse-tree.js';
export { type HeadVerifierOptions, headVerifier } from './verifier.js';
