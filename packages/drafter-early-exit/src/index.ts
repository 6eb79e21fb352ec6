/**
 * @decodekit/drafter-early-exit: early-exit self-speculative drafters. The target drafts with its
 * own first layers and verifies with the rest, reusing the lower layers' KV entries (a layered
 * sequence of `@decodekit/runtime-onnx`): LayerSkip (fixed exit layer and draft length) and DEL
 * (exit layer and length chosen per context from shadow-token statistics).
 */

import { type Drafter, InvalidArgumentError } from '@decodekit/core';
import { type DelOptions, dynamicExitLayer } from './del.js';
import { type LayerSkipOptions, layerSkip } from './layerskip.js';

export { type DelDrafter, type DelOptions, type DelState, dynamicExitLayer } from './del.js';
export type { LayeredSequenceLike, LayeredTarget } from './internal/exit-sequence.js';
export { type LayerSkipOptions, layerSkip } from './layerskip.js';

/** The option names each drafter understands, so a misspelt option fails instead of being ignored. */
const optionNames: Readonly<Record<string, readonly string[]>> = {
  layerskip: ['exitLayer', 'gamma', 'shareCache'],
  del: ['gammaMax', 'gammaMin', 'omega', 'draftLength', 'initialExitLayer', 'headCostLayers'],
};

function checkOptions(name: string, options: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(options)) {
    if (!optionNames[name].includes(key)) {
      throw new InvalidArgumentError(key, `is not an option of ${name} (options: ${optionNames[name].join(', ')})`);
    }
  }
}

/**
 * The drafters of this package by CLI name (`decodekit generate --draft layerskip`), each a factory
 * taking a plain options object.
 */
export const earlyExitDrafters: Readonly<
  Record<'layerskip' | 'del', (options?: Readonly<Record<string, unknown>>) => Drafter>
> = Object.freeze({
  layerskip: (options: Readonly<Record<string, unknown>> = {}) => {
    checkOptions('layerskip', options);
    return layerSkip(options as LayerSkipOptions);
  },
  del: (options: Readonly<Record<string, unknown>> = {}) => {
    checkOptions('del', options);
    return dynamicExitLayer(options as DelOptions);
  },
});
