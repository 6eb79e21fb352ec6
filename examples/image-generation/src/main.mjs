#!/usr/bin/env node
// Usage: node src/main.mjs [--class A] [--method sjd|raster] [--count 9] [--cfg 2] [--seed 0] [--out glyphs.png]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { imageAr, imageVq } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadVqDecoder, readImageLayout } from '@decodekit/visual-ar';
import { drawImages } from './images.mjs';

const { values } = parseArgs({
  options: {
    class: { type: 'string', default: 'A' },
    method: { type: 'string', default: 'sjd' },
    count: { type: 'string', default: '9' },
    cfg: { type: 'string', default: '2' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'glyphs.png' },
  },
});
const model = await loadModel(imageAr, { intraOpNumThreads: 1 });
const layout = await readImageLayout(imageAr);
const vq = await loadVqDecoder(imageVq);
const result = await drawImages({
  model,
  layout,
  vq,
  label: values.class,
  method: values.method,
  count: Number(values.count),
  guidance: Number(values.cfg),
  seed: Number(values.seed),
});
await writeFile(values.out, result.png);
const count = Number(values.count);
console.log(
  `${values.out}: ${count} × class ${values.class} with ${values.method}, ${result.forwardSteps} forward steps ` +
    `(${(result.forwardSteps / count).toFixed(1)} per image of ${result.tokensPerImage} tokens), ${result.ms.toFixed(0)} ms`,
);
await model.dispose();
await vq.dispose?.();
