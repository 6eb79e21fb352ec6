// Where SJD's time goes: model calls vs the rest, against raster AR, on the image AR model.
import { dirname, join } from 'node:path';
import * as tiny from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { generateRaster, generateSjd, readImageLayout } from '@decodekit/visual-ar';

const dir = tiny.imageAr ?? join(dirname(tiny.tinyLm), 'image-ar');
const model = await loadModel(dir, { intraOpNumThreads: 1 });
const layout = await readImageLayout(dir);
let modelMs = 0;
let truncMs = 0;
const timed = new Proxy(model, {
  get(target, key) {
    if (key === 'forwardBatch')
      return async (...args) => {
        const t = performance.now();
        const out = await target.forwardBatch(...args);
        modelMs += performance.now() - t;
        return out;
      };
    if (key === 'openSequence')
      return () => {
        const s = target.openSequence();
        return new Proxy(s, {
          get(seq, k) {
            if (k === 'truncate')
              return async (n) => {
                const t = performance.now();
                await seq.truncate(n);
                truncMs += performance.now() - t;
              };
            const v = seq[k];
            return typeof v === 'function' ? v.bind(seq) : v;
          },
        });
      };
    const v = target[key];
    return typeof v === 'function' ? v.bind(target) : v;
  },
});
for (const [name, run] of [
  ['raster', (o) => generateRaster(timed, o)],
  ['sjd16', (o) => generateSjd(timed, { ...o, window: 16 })],
  ['sjd8', (o) => generateSjd(timed, { ...o, window: 8 })],
  ['raster', (o) => generateRaster(timed, o)],
]) {
  modelMs = 0;
  truncMs = 0;
  let total = 0;
  let steps = 0;
  for (let i = 0; i < 12; i++) {
    const r = await run({ layout, classIndex: i, seed: i, guidance: { scale: 2 } });
    total += r.wallTimeMs;
    steps += r.forwardSteps;
  }
  console.log(
    `${name}: ${(total / 12).toFixed(0)} ms/image, model ${(modelMs / 12).toFixed(0)}, truncate ${(truncMs / 12).toFixed(0)}, steps ${(steps / 12).toFixed(1)}`,
  );
}
await model.dispose();
