import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Matrix, ModelFormatError } from '@decodekit/core';
import { tinyLmHeads } from '@decodekit/models-tiny';
import type * as OnnxRuntime from 'onnxruntime-node';
import { type HeadTree, importOrt } from './onnx-heads.js';
import { type SparseTree, sparseTree, treeForSize } from './sparse-tree.js';

// What PPD (ppd.ts) and Hidden Transfer (hidden-transfer.ts) share: both make the target predict the
// next step's draft from extra rows of its own verification forward, and both draft a Medusa-style
// sparse tree whose node at depth d takes rank r of the extra row for depth d.

type Ort = typeof OnnxRuntime;

/** A sparse tree of an extra-row manifest, with how often each node was on the accepted path (validation). */
export interface ExtraRowTree extends HeadTree {
  /** Per choice: validation positions whose greedy continuation accepts that node. */
  readonly accepted?: readonly number[];
  /** Validation positions the counts are out of. */
  readonly positions?: number;
}

/** `ppd.json` / `hidden-transfer.json` of a heads directory (written by `tools/fixtures/heads_transfer.py`). */
export interface ExtraRowManifest {
  readonly format: 'decodekit-ppd' | 'decodekit-hidden-transfer';
  readonly version: number;
  readonly target: string;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly numLayers: number;
  /** Extra rows per node = draft depth. */
  readonly depth: number;
  /** PPD: prompt tokens (= depth). */
  readonly numPrompts?: number;
  /** Hidden Transfer: the layer the pseudo hidden states enter. */
  readonly transferLayer?: number;
  readonly graph: { readonly file: string; readonly data?: string | null };
  /** Trees by node count, chosen by measured acceptance on the validation split. */
  readonly trees: Readonly<Record<string, ExtraRowTree>>;
  readonly accuracy?: unknown;
}

const manifests = new Map<string, ExtraRowManifest>();

/** Reads and checks `<name>.json` of a heads directory (cached). */
export function readExtraRowManifest(
  name: 'ppd' | 'hidden-transfer',
  directory: string = tinyLmHeads,
): ExtraRowManifest {
  const path = join(directory, `${name}.json`);
  const cached = manifests.get(path);
  if (cached) return cached;
  let manifest: ExtraRowManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as ExtraRowManifest;
  } catch (error) {
    throw new ModelFormatError(`cannot read ${path}: pass the directory written by tools/fixtures/heads_transfer.py`, {
      cause: error,
    });
  }
  if (manifest.format !== `decodekit-${name}` || !manifest.graph || !(manifest.depth >= 1)) {
    throw new ModelFormatError(`${path} is not a decodekit ${name} manifest (format '${manifest.format}')`);
  }
  manifests.set(path, manifest);
  return manifest;
}

/** An inference session on one graph file of a heads directory. */
export async function openGraph(
  directory: string,
  file: string,
  threads: number,
): Promise<{ ort: Ort; session: OnnxRuntime.InferenceSession }> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new InvalidArgumentError('threads', `must be an integer >= 1, got ${threads}`);
  }
  const ort = await importOrt();
  const session = await ort.InferenceSession.create(join(directory, file), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    logSeverityLevel: 4,
  });
  return { ort, session };
}

/** A sparse tree plus, per block row (0 = the root, i + 1 = node i), the order in which rows get extra rows. */
export interface ExtraRowPlan {
  readonly tree: SparseTree;
  /** Block rows by how likely the step ends there (the root first when it is most likely). */
  readonly endOrder: readonly number[];
}

/**
 * The tree for the options (explicit choices, or the manifest's tree for a node budget) and the order
 * of the rows most likely to end the accepted path: from the validation counts, P(end at node) =
 * P(node accepted) − Σ P(child accepted); without counts, fewer and lower ranks first.
 */
export function planTree(
  manifest: ExtraRowManifest,
  options: { readonly tree?: readonly (readonly number[])[]; readonly treeSize?: number },
): ExtraRowPlan {
  const size = options.treeSize ?? 16;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError('treeSize', `must be an integer >= 1, got ${size}`);
  }
  const choices = options.tree ?? treeForSize(manifest.trees, size);
  const tree = sparseTree(choices, 10, manifest.depth);
  const counts = new Map<string, number>();
  let positions = 0;
  if (!options.tree) {
    for (const entry of Object.values(manifest.trees)) {
      if (!entry.accepted || !entry.positions) continue;
      positions = entry.positions;
      for (let i = 0; i < entry.choices.length; i++) counts.set(entry.choices[i].join(','), entry.accepted[i] ?? 0);
    }
  }
  const score = new Float64Array(tree.choices.length + 1);
  if (positions > 0) {
    const accepted = (key: string) => counts.get(key) ?? 0;
    score[0] = positions;
    tree.choices.forEach((choice, i) => {
      score[i + 1] = accepted(choice.join(','));
      score[tree.parents[i] + 1] -= score[i + 1];
    });
  } else {
    score[0] = 1;
    tree.choices.forEach((choice, i) => {
      score[i + 1] = -choice.reduce((a, b) => a + b, 0) - 0.1 * choice.length;
    });
  }
  const endOrder = Array.from(score.keys()).sort((a, b) => score[b] - score[a] || a - b);
  return { tree, endOrder };
}

/** The `k` best token ids of each row of `logits` (best first). */
export function topIds(logits: Matrix, firstRow: number, rows: number, k: number): Int32Array {
  const V = logits.columns;
  const out = new Int32Array(rows * k);
  const best = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    const row = logits.data.subarray((firstRow + r) * V, (firstRow + r + 1) * V);
    const ids = out.subarray(r * k, (r + 1) * k);
    best.fill(Number.NEGATIVE_INFINITY);
    ids.fill(-1);
    for (let v = 0; v < V; v++) {
      const x = row[v];
      if (x <= best[k - 1]) continue;
      let j = k - 1;
      while (j > 0 && best[j - 1] < x) {
        best[j] = best[j - 1];
        ids[j] = ids[j - 1];
        j--;
      }
      best[j] = x;
      ids[j] = v;
    }
  }
  return out;
}

/** The draft of a tree (first `count` nodes) from per-depth top-k ids (`ids[(depth - 1) * k + rank]`). */
export function treeDraft(
  tree: SparseTree,
  count: number,
  ids: Int32Array,
  k: number,
): { tokens: Int32Array; parents: Int32Array } {
  const n = Math.min(count, tree.choices.length);
  const tokens = new Int32Array(n);
  for (let i = 0; i < n; i++) tokens[i] = ids[(tree.depths[i] - 1) * k + tree.ranks[i]];
  return { tokens, parents: tree.parents.slice(0, n) };
}

/**
 * Which rows of a block of `rows` rows (0 = root) get extra rows: the `limit` most likely ends of the
 * step among them, in block order.
 */
export function attachedRows(plan: ExtraRowPlan, rows: number, limit: number): number[] {
  return plan.endOrder
    .filter((row) => row < rows)
    .slice(0, limit)
    .sort((a, b) => a - b);
}

/** Checks the `extraNodes` option: a count >= 1 or 'all'. */
export function extraNodesLimit(value: number | 'all' | undefined, fallback: number): number {
  const limit = value ?? fallback;
  if (limit === 'all') return Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('extraNodes', `must be an integer >= 1 or 'all', got ${String(limit)}`);
  }
  return limit;
}
