/**
 * @decodekit/models-tiny: absolute paths to the tiny models trained by `tools/fixtures`, and helpers to read the
 * shipped evaluation text (the test and validation splits, a sample of the training split).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/** Model directory of the ~6.2M-parameter Llama target (early-exit trained). */
export const tinyLm: string = here('../models/tiny-lm');
/** Model directory of the ~1.1M-parameter draft model (same tokenizer, distilled from the target). */
export const tinyLmDraft: string = here('../models/tiny-lm-draft');
/**
 * Draft heads trained on the frozen `tiny-lm`: Medusa, Hydra (+ Hydra++ prefix layer), EAGLE-style, Clover and
 * Chimera graphs sharing `weights.onnx_data`, with `heads.json` (architecture, validation-chosen trees, accuracies;
 * `tools/fixtures/heads.py`), and Parallel Prompt Decoding and Hidden Transfer with their own JSON
 * (`tools/fixtures/heads_transfer.py`). Used by `@decodekit/drafter-heads`.
 */
export const tinyLmHeads: string = here('../models/tiny-lm-heads');
/**
 * Image models (issue #11; layouts in docs/visual-ar-layout.md): the VQ tokenizer of 32×32 RGB glyph images into
 * 8×8 tokens of a 512-code codebook (`encoder.onnx`, `decoder.onnx`, `config.json`).
 */
export const imageVq: string = here('../models/image-vq');
/** Raster-order class-conditional image AR model in the standard decoder layout (`loadModel(imageAr)`), CFG-trained. */
export const imageAr: string = here('../models/image-ar');
/** Neighbouring-AR image model (`nar.onnx`: right/below heads, proximity mask, 2-D positions; 15 passes per 8×8 grid). */
export const imageNar: string = here('../models/image-nar');
/** Glyph classifier used as the image quality judge (`model.onnx` with `logits` and `features`, `reference-stats.json`). */
export const imageClassifier: string = here('../models/image-classifier');
/**
 * Next-scale prediction models (issue #12; layout in docs/visual-ar-layout.md#var): the multi-scale residual VQ of the
 * glyph images (scales 1, 2, 3, 4, 6, 8: 130 codes; `decoder.onnx`, `residual.bin`) for `loadMultiScaleVq`.
 */
export const imageVarVq: string = here('../models/image-var-vq');
/** The larger class-conditional VAR transformer (`var.onnx`, block-causal over scales, KV cache): CoDe's drafter. */
export const imageVarLarge: string = here('../models/image-var-large');
/** The small VAR transformer on the same tokenizer: CoDe's refiner. */
export const imageVarSmall: string = here('../models/image-var-small');
/** All model directories by name. */
export const models: Readonly<Record<'tiny-lm' | 'tiny-lm-draft', string>> = Object.freeze({
  'tiny-lm': tinyLm,
  'tiny-lm-draft': tinyLmDraft,
});

/** Directory with the shipped text splits (`test.jsonl`, `validation.jsonl`, `train-sample.txt.gz`, `splits.json`). */
export const dataDir: string = here('../data');
/** JSON lines `{domain, name, text}`: the test split the benchmark takes prompts from. */
export const testSplitPath: string = here('../data/test.jsonl');
/** JSON lines `{domain, name, text}`: the validation split. */
export const validationSplitPath: string = here('../data/validation.jsonl');
/**
 * Gzip-compressed text sample of the training split (documents joined by `\n<|endoftext|>\n`), for retrieval
 * drafters. Read it with {@link readTrainSample}. (Compressed since 0.2: 4.8 MB of text in 1.3 MB keeps the package
 * under its 60 MB limit with the image models; the old `trainSamplePath` to a plain file is gone.)
 */
export const trainSampleGzipPath: string = here('../data/train-sample.txt.gz');
/** Split manifest: document lists with sha256 for every split, and the split rule. */
export const splitsPath: string = here('../data/splits.json');

/** Text domains of the corpus. */
export type Domain = 'kjv' | 'python';

/** One document of a split. */
export interface SplitDocument {
  readonly domain: Domain;
  /** Book name (KJV) or path relative to /usr/lib/python3.11 (Python). */
  readonly name: string;
  readonly text: string;
}

/** Reads a shipped split (synchronously; the files are about 1 MB). */
export function readSplit(split: 'test' | 'validation', domain?: Domain): SplitDocument[] {
  const path = split === 'test' ? testSplitPath : validationSplitPath;
  const docs: SplitDocument[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const doc = JSON.parse(line) as SplitDocument;
    if (domain === undefined || doc.domain === domain) docs.push(doc);
  }
  return docs;
}

/** Reads the training-split sample (4.8 MB of text) as one string. */
export function readTrainSample(): string {
  return gunzipSync(readFileSync(trainSampleGzipPath)).toString('utf8');
}
