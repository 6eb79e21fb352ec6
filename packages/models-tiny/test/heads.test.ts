import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyLmHeads } from '../src/index.js';

describe('tiny-lm-heads (draft heads for tiny-lm)', () => {
  it('heads.json lists graphs that exist, trees and test accuracies for every head', () => {
    const manifest = JSON.parse(readFileSync(join(tinyLmHeads, 'heads.json'), 'utf8'));
    expect(manifest.format).toBe('decodekit-draft-heads');
    expect(manifest.target).toBe('tiny-lm');
    for (const graph of Object.values(manifest.graphs) as { file: string }[]) {
      expect(existsSync(join(tinyLmHeads, graph.file)), graph.file).toBe(true);
    }
    expect(Object.keys(manifest.graphs)).toEqual(
      expect.arrayContaining([
        'medusa',
        'hydra.0',
        'hydra.3',
        'hydrapp.prefix',
        'eagle',
        'clover.context',
        'clover',
        'chimera.context',
        'chimera',
      ]),
    );
    for (const method of ['medusa', 'hydra', 'hydrapp', 'clover', 'chimera'])
      expect(Object.keys(manifest.trees[method]).length).toBeGreaterThan(0);
    for (const method of ['medusa', 'hydra', 'hydrapp', 'eagle', 'clover', 'chimera']) {
      expect(manifest.accuracy[method].test.top1).toHaveLength(manifest.numHeads);
    }
    // Every graph matched its torch module in onnxruntime when the recipe exported it.
    for (const diff of Object.values(manifest.onnx_check) as number[]) expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('stays within its 12 MB share of the package', () => {
    const bytes = readdirSync(tinyLmHeads).reduce((sum, file) => sum + statSync(join(tinyLmHeads, file)).size, 0);
    expect(bytes).toBeLessThan(12e6);
  });
});
