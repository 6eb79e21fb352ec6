import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
