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
    expect(Object.keys(manifest.graphs)).toEqual(expect.arrayContaining(['medusa', 'hydra.0', 'hydra.3', 'eagle']));
    for (const method of ['medusa', 'hydra']) expect(Object.keys(manifest.trees[method]).length).toBeGreaterThan(0);
    for (const method of ['medusa', 'hydra', 'eagle']) {
      expect(manifest.accuracy[method].test.top1).toHaveLength(manifest.numHeads);
    }
  });

  it('stays within its 12 MB share of the package', () => {
    const bytes = readdirSync(tinyLmHeads).reduce((sum, file) => sum + statSync(join(tinyLmHeads, file)).size, 0);
    expect(bytes).toBeLessThan(12e6);
  });
});
