import { defineConfig } from 'tsdown';

export default defineConfig({
  // bin.ts is the `decodekit` executable (dist/bin.js, shebang kept); index.ts the programmatic API.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
