import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/mocks.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  // vitest is a peer: the suites must use the caller's copy (its describe/it register in the caller's run).
  external: ['vitest', '@decodekit/core'],
});
