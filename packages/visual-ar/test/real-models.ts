import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tiny from '@decodekit/models-tiny';

/** The image model directories of `@decodekit/models-tiny` (VISUAL_AR_MODELS overrides the folder). */
export function imageModelDirs() {
  const exported = tiny as unknown as Record<string, string | undefined>;
  const root = process.env.VISUAL_AR_MODELS ?? dirname(tiny.tinyLm);
  const pick = (name: string, key: string) =>
    process.env.VISUAL_AR_MODELS ? join(root, name) : (exported[key] ?? join(root, name));
  return {
    ar: pick('image-ar', 'imageAr'),
    nar: pick('image-nar', 'imageNar'),
    vq: pick('image-vq', 'imageVq'),
    classifier: pick('image-classifier', 'imageClassifier'),
  };
}

/** A torch reference file: greedy grids (CFG 1) for a few classes. */
export interface GreedyReference {
  readonly classes: number[];
  readonly labels: string[];
  readonly grids: number[][];
  /** Greedy grids with classifier-free guidance (batch [cond; uncond]) at `cfgScale`, when the reference has them. */
  readonly cfg3?: { readonly cfgScale: number; readonly grids: number[][] };
}

export function readReference(directory: string): GreedyReference {
  return JSON.parse(readFileSync(join(directory, 'reference-greedy.json'), 'utf8')) as GreedyReference;
}
