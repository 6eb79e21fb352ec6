import { defineConfig } from 'tsdown';

export default defineConfig({
  // The worker entry is its own file: worker mode starts it with new URL('./worker.js', import.meta.url).
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  external: ['onnxruntime-node'],
  // Code shared by index.js and worker.js (the model itself) goes to one plainly named chunk.
  outputOptions: { chunkFileNames: 'runtime-[hash].js' },
});
