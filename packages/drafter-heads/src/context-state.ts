import { type ContextLayer, emptyFeatureCache, type FeatureCache, type PrefixKeyValues } from './backend.js';
import type { PositionedFeature } from './target-features.js';

/** Appends `rows` new entries (`[heads, rows, headDim]`) to keys/values laid out `[heads, length, headDim]`. */
export function appendKeyValues(
  past: PrefixKeyValues,
  key: Float32Array,
  value: Float32Array,
  rows: number,
  heads: number,
  headDim: number,
): PrefixKeyValues {
  const length = past.length + rows;
  const join = (old: Float32Array, added: Float32Array) => {
    const out = new Float32Array(heads * length * headDim);
    for (let h = 0; h < heads; h++) {
      out.set(old.subarray(h * past.length * headDim, (h + 1) * past.length * headDim), h * length * headDim);
      out.set(added.subarray(h * rows * headDim, (h + 1) * rows * headDim), (h * length + past.length) * headDim);
    }
    return out;
  };
  return { length, key: join(past.key, key), value: join(past.value, value) };
}

/**
 * A context layer's view of the committed prefix: its KV cache over every target feature the loop
 * handed over (prefill rows, then the root and accepted nodes of each verification), the layer's
 * output for the newest one, the newest raw feature, and (Clover) the attention decoder's keys and
 * values of every committed row. Rejected draft nodes never enter: the loop only reports committed rows.
 */
export class ContextState {
  cache: FeatureCache = emptyFeatureCache();
  context: PrefixKeyValues = emptyFeatureCache();
  /** Position, layer output and raw target feature of the newest committed row. */
  last: { position: number; output: Float32Array; feature: Float32Array } | undefined;

  reset(): void {
    this.cache = emptyFeatureCache();
    this.context = emptyFeatureCache();
    this.last = undefined;
  }

  /** Runs the layer over the features not seen yet, in one block. */
  async update(layer: ContextLayer, entries: readonly PositionedFeature[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.length;
    const H = layer.hiddenSize;
    const features = new Float32Array(rows * H);
    const positions = new Int32Array(rows);
    entries.forEach((entry, r) => {
      features.set(entry.feature, r * H);
      positions[r] = entry.position;
    });
    const out = await layer.run({ features, positions, past: this.cache });
    this.cache = out.present;
    if (out.context) {
      this.context = appendKeyValues(
        this.context,
        out.context.key,
        out.context.value,
        rows,
        layer.numKeyValueHeads,
        layer.headDim,
      );
    }
    this.last = {
      position: positions[rows - 1],
      output: out.hidden.slice((rows - 1) * H, rows * H),
      feature: entries[rows - 1].feature,
    };
  }

  /** The newest row when it is the one right before the root of `tokens` (the draft's anchor). */
  anchor(tokens: ArrayLike<number>): { output: Float32Array; feature: Float32Array } | undefined {
    return this.last && this.last.position === tokens.length - 2 ? this.last : undefined;
  }
}
