import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, readSplit, readTrainSample, testSplitPath, tinyLm, tinyLmDraft } from '../src/index.js';

describe('@decodekit/models-tiny paths', () => {
  it('points at complete model directories', () => {
    for (const dir of [tinyLm, tinyLmDraft]) {
      for (const f of [
        'config.json',
        'generation_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'onnx/model.onnx',
      ]) {
        expect(existsSync(join(dir, f)), f).toBe(true);
      }
      for (const f of ['manifest.json', 'tree.onnx', 'weights.onnx_data']) {
        expect(existsSync(join(dir, 'decodekit', f)), f).toBe(true);
      }
    }
    expect(existsSync(testSplitPath)).toBe(true);
    expect(existsSync(join(dataDir, 'splits.json'))).toBe(true);
  });

  it('reads the test split per domain', () => {
    const py = readSplit('test', 'python');
    const kjv = readSplit('test', 'kjv');
    expect(py.length).toBeGreaterThan(0);
    expect(kjv.length).toBeGreaterThan(0);
    expect(py.every((d) => d.domain === 'python' && d.text.length > 0)).toBe(true);
  });

  it('decompresses the training sample to the text the split manifest hashes', () => {
    const text = readTrainSample();
    const manifest = JSON.parse(readFileSync(join(dataDir, 'splits.json'), 'utf8'));
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(
      manifest.shipped['train-sample.txt.gz'].sha256,
    );
    expect(text.split('\n<|endoftext|>\n').length).toBeGreaterThan(100);
  });

  it('keeps the published files under the 60 MB limit of issue #3', () => {
    const root = dirname(dataDir);
    const size = (path: string): number =>
      statSync(path).isDirectory()
        ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0)
        : statSync(path).size;
    // the package's `files`: dist, models, data, README.md (dist is a few kB and may not be built yet)
    const bytes = ['models', 'data', 'README.md'].reduce((sum, name) => sum + size(join(root, name)), 0);
    expect(bytes).toBeLessThan(59_900_000); // 100 kB left for dist (about 20 kB) and package.json
  });
});
