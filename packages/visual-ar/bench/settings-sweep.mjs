#!/usr/bin/env node
// Picks the matched sampling settings of the image bench: raster AR quality (class accuracy, Fréchet distance)
// over a small grid of CFG scales and top-k values, one image per class per setting.
// Usage: node packages/visual-ar/bench/settings-sweep.mjs [--per-class 1] [--cfg 1,2,3] [--top-k 0,64] [--temperature 1]
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '@decodekit/core';
import * as tiny from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { generateRaster, loadImageJudge, loadVqDecoder, readImageLayout } from '@decodekit/visual-ar';

const { values } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '1' },
    cfg: { type: 'string', default: '1,2,3' },
    'top-k': { type: 'string', default: '0,64' },
    temperature: { type: 'string', default: '1' },
  },
});
const root = dirname(tiny.tinyLm);
const arDir = tiny.imageAr ?? join(root, 'image-ar');
const ar = await loadModel(arDir, { intraOpNumThreads: 1 });
const vq = await loadVqDecoder(tiny.imageVq ?? join(root, 'image-vq'));
const judge = await loadImageJudge(tiny.imageClassifier ?? join(root, 'image-classifier'));
const layout = await readImageLayout(arDir);
const perClass = Number(values['per-class']);
const rows = [];
for (const temperature of values.temperature.split(',').map(Number))
  for (const scale of values.cfg.split(',').map(Number)) {
    for (const topK of values['top-k'].split(',').map(Number)) {
      const grids = [];
      const labels = [];
      for (let n = 0; n < perClass * layout.numClasses; n++) {
        const classIndex = n % layout.numClasses;
        const image = await generateRaster(ar, {
          layout,
          classIndex,
          rng: createRng(n),
          guidance: { scale },
          sampling: { topK, temperature },
        });
        grids.push(image.tokens);
        labels.push(classIndex);
      }
      const quality = await judge.evaluate(await vq.decode(grids), labels);
      rows.push({
        cfg: scale,
        topK,
        temperature,
        images: grids.length,
        classAccuracy: quality.classAccuracy,
        frechetDistance: quality.frechetDistance,
      });
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
  }
process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
await Promise.all([ar.dispose(), vq.dispose(), judge.dispose()]);
