// CI smoke test: a PNG grid with raster AR and with SJD; SJD needs fewer forward steps.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { imageAr, imageVq } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadVqDecoder, readImageLayout } from '@decodekit/visual-ar';
import { drawImages } from './src/images.mjs';

const model = await loadModel(imageAr, { intraOpNumThreads: 1 });
const layout = await readImageLayout(imageAr);
const vq = await loadVqDecoder(imageVq);

/** Width and height from the IHDR chunk, after checking the PNG signature and that the data inflates. */
function readPng(png) {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const chunks = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.subarray(at + 4, at + 8).toString('latin1') === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  assert.equal(raw.length, height * (1 + width * 4), 'RGBA rows with a filter byte each');
  return { width, height };
}

const steps = {};
for (const method of ['raster', 'sjd']) {
  const result = await drawImages({ model, layout, vq, label: 'A', method, count: 2, seed: 1 });
  const { width, height } = readPng(Buffer.from(result.png));
  assert.ok(width > 0 && height > 0);
  // A glyph, not a flat tile: the pixels of each image must vary (grey level spread).
  for (const image of result.rgba) {
    const grey = [];
    for (let i = 0; i < image.data.length; i += 4)
      grey.push((image.data[i] + image.data[i + 1] + image.data[i + 2]) / 3);
    const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
    const spread = Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
    assert.ok(spread > 5, `image pixels vary (grey-level standard deviation ${spread.toFixed(1)})`);
  }
  steps[method] = result.forwardSteps;
  console.log(
    `${method}: ${width}×${height} PNG, ${result.forwardSteps} forward steps for 2 images of ${result.tokensPerImage} tokens`,
  );
}
assert.equal(steps.raster, 2 * layout.grid[0] * layout.grid[1], 'raster AR: one step per token');
assert.ok(steps.sjd < steps.raster, 'SJD accepts several tokens per step');
await model.dispose();
console.log('image-generation smoke: ok');
