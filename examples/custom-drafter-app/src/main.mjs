#!/usr/bin/env node
// Usage: node src/main.mjs [--max-tokens N] [--corpus FILE] [prompt]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readTrainSample, tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { compare } from './compare.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'max-tokens': { type: 'string', default: '96' },
    corpus: { type: 'string' },
    'corpus-chars': { type: 'string', default: '200000' },
  },
});
const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
// By default the drafter also learns from the first 200k characters of the tiny models' training sample.
const corpus = (values.corpus ? readFileSync(values.corpus, 'utf8') : readTrainSample()).slice(
  0,
  Number(values['corpus-chars']),
);
const prompt = positionals.join(' ') || '1 In the beginning God created the heaven and the earth.\n2 And the earth was';
const results = await compare({ model, tokenizer, prompt, maxNewTokens: Number(values['max-tokens']), corpus });

console.log(`${prompt}${results.autoregressive.text}\n`);
console.log('method                       forwards     τ   acceptance   time');
for (const [name, r] of Object.entries(results)) {
  const same = r.text === results.autoregressive.text ? '' : '  (text differs!)';
  console.log(
    `${name.padEnd(28)} ${String(r.targetForwards).padStart(8)} ${r.tau.toFixed(2).padStart(5)} ${(100 * r.acceptance).toFixed(0).padStart(11)}% ${r.ms.toFixed(0).padStart(5)} ms${same}`,
  );
}
await model.dispose();
