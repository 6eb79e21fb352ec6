import { ModelFormatError } from '@decodekit/core';
import type { OrtSession } from './ort.js';

/** The element type of cache tensors (the binding returns fp16 as raw bits in a Uint16Array). */
export type CacheType = 'float32' | 'float16';

/** What one decoder graph takes and returns, read from its input and output names. */
export interface DecoderLayout {
  readonly file: string;
  /** `input_ids` or `inputs_embeds` (`hidden_states` for a layer graph). */
  readonly input: string;
  /** Element type of a float input (`inputs_embeds`, `hidden_states`); unused for `input_ids`. */
  readonly inputType: CacheType;
  readonly attentionMask: boolean;
  readonly positionIds: boolean;
  readonly treeMask: boolean;
  readonly useCacheBranch: boolean;
  readonly numLogitsToKeep: boolean;
  /** Past input names, `[key, value]` per cached layer, in layer order. */
  readonly pastNames: readonly (readonly [string, string])[];
  /** Present output names matching `pastNames`. */
  readonly presentNames: readonly (readonly [string, string])[];
  readonly cacheType: CacheType;
  /** Name of the logits output, or undefined for a layer graph. */
  readonly logits?: string;
  readonly logitsType: CacheType;
  /** `last_hidden_state` (tree/embeds/head graphs) or `hidden_states_out` (layer graphs) when present. */
  readonly hiddenOutput?: string;
  /** Declared `[kvHeads, headDim]` of the cache inputs where the graph fixes them. */
  readonly kvHeads?: number;
  readonly headDim?: number;
}

type Metadata = { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> };

function metadataOf(list: readonly unknown[] | undefined, name: string): Metadata | undefined {
  return (list as Metadata[] | undefined)?.find((entry) => entry.name === name);
}

function elementType(meta: Metadata | undefined, file: string, name: string): CacheType {
  const type = meta?.type ?? 'float32';
  if (type === 'float32' || type === 'float16') return type;
  throw new ModelFormatError(
    `${file}: "${name}" has element type ${type}; decodekit supports float32 and float16 caches.`,
  );
}

/**
 * Reads a decoder graph's layout. `layers` are the layer indices whose cache the graph takes
 * (all layers for a full decoder, one for a layer graph).
 */
export function readDecoderLayout(
  session: OrtSession,
  file: string,
  layers: readonly number[],
  kind: 'decoder' | 'layer',
): DecoderLayout {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const inputCandidates = kind === 'layer' ? ['hidden_states'] : ['input_ids', 'inputs_embeds'];
  const input = inputCandidates.find((name) => inputs.has(name));
  if (!input) {
    throw new ModelFormatError(
      `${file}: no ${inputCandidates.join(' or ')} input (inputs: ${session.inputNames.join(', ')}); ` +
        'decodekit reads decoder graphs in the Optimum layout (see docs/runtime-onnx.md).',
    );
  }
  if (inputs.has('past_key_values.0.key_value')) {
    throw new ModelFormatError(
      `${file}: fused key_value caches (GPT-BigCode) are not supported; export with separate key and value.`,
    );
  }
  const pastNames: [string, string][] = [];
  const presentNames: [string, string][] = [];
  const missing: string[] = [];
  for (const layer of layers) {
    const past: [string, string] = [`past_key_values.${layer}.key`, `past_key_values.${layer}.value`];
    const present: [string, string] = [`present.${layer}.key`, `present.${layer}.value`];
    for (const name of past) if (!inputs.has(name)) missing.push(name);
    for (const name of present) if (!outputs.has(name)) missing.push(name);
    pastNames.push(past);
    presentNames.push(present);
  }
  const logits = outputs.has('logits') ? 'logits' : undefined;
  if (kind === 'decoder' && !logits) missing.push('logits');
  if (missing.length > 0) {
    throw new ModelFormatError(
      `${file}: missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}. ` +
        'decodekit needs a decoder exported with past key values (Optimum `text-generation-with-past`), ' +
        'with one past_key_values.{i}.key|value input and present.{i}.key|value output per layer.',
    );
  }
  const firstPast = metadataOf(session.inputMetadata, pastNames[0][0]);
  const shape = firstPast?.shape;
  const fixed = (value: number | string | undefined) => (typeof value === 'number' && value > 0 ? value : undefined);
  const hiddenOutput = ['last_hidden_state', 'hidden_states_out'].find((name) => outputs.has(name));
  return {
    file,
    input,
    inputType: input === 'input_ids' ? 'float32' : elementType(metadataOf(session.inputMetadata, input), file, input),
    attentionMask: inputs.has('attention_mask'),
    positionIds: inputs.has('position_ids'),
    treeMask: inputs.has('tree_mask'),
    useCacheBranch: inputs.has('use_cache_branch'),
    numLogitsToKeep: inputs.has('num_logits_to_keep'),
    pastNames,
    presentNames,
    cacheType: elementType(firstPast, file, pastNames[0][0]),
    logits,
    logitsType: logits ? elementType(metadataOf(session.outputMetadata, logits), file, logits) : 'float32',
    hiddenOutput,
    kvHeads: fixed(shape?.[1]),
    headDim: fixed(shape?.[3]),
  };
}
