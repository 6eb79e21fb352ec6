// Measures the REST datastore: SA-IS build time and memory for a byte-level corpus, and the time of
// one retrieval step. Run after `pnpm build`: node --expose-gc scripts/measure-suffix-index.mjs [megabytes] [file]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRng, greedySampler } from '@decodekit/core';
import { buildSuffixArray, SuffixIndex, suffixRetrieval } from '../dist/index.js';

const megabytes = Number(process.argv[2] ?? 10);
// Default: the tiny zoo's training sample (stored gzip-compressed in @decodekit/models-tiny).
const source = process.argv[3]
  ? readFileSync(process.argv[3])
  : gunzipSync(readFileSync(new URL('../../models-tiny/data/train-sample.txt.gz', import.meta.url)));
const size = Math.round(megabytes * 1_000_000);
// Byte-level tokens: the file repeated until `size` bytes (repeats only lengthen the matches).
const corpus = new Int32Array(size);
for (let i = 0; i < size; i++) corpus[i] = source[i % source.length];

const mib = (bytes) => (bytes / 1048576).toFixed(1);
globalThis.gc?.();
const before = process.memoryUsage();
const index = new SuffixIndex([corpus]);
const after = process.memoryUsage();
const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(`corpus: ${size.toLocaleString()} byte tokens from ${file}`);
console.log(`SA-IS build: ${(index.buildTimeMs / 1000).toFixed(2)} s`);
console.log(
  `index memory: ${mib(index.byteLength)} MiB held (text + suffix array); array buffers grew ${mib(after.arrayBuffers - before.arrayBuffers)} MiB; peak RSS ${mib(peakRss)} MiB`,
);

// Retrieval: contexts taken from the corpus itself, so matches exist.
const drafter = suffixRetrieval({ index });
const rng = createRng(1);
const steps = 200;
let drafted = 0;
const started = performance.now();
for (let s = 0; s < steps; s++) {
  const at = 64 + Math.floor(rng.next() * (size - 200));
  const tokens = corpus.slice(at - 64, at);
  drafted += drafter.propose({ tokens, promptLength: 64, maxTokens: 64, sampler: greedySampler(), rng }).tokens.length;
}
const perStep = (performance.now() - started) / steps;
console.log(
  `retrieval: ${perStep.toFixed(2)} ms per step (${steps} steps, ${(drafted / steps).toFixed(1)} draft nodes on average)`,
);

// Random 4,096-token ids as a stand-in for a tokenised corpus of the same byte size (4 bytes per id).
const tokens = Int32Array.from({ length: size / 4 }, () => Math.floor(rng.next() * 4096));
const t0 = performance.now();
buildSuffixArray(tokens, 4096);
console.log(
  `SA-IS on ${(size / 4).toLocaleString()} random ids < 4096: ${((performance.now() - t0) / 1000).toFixed(2)} s`,
);
