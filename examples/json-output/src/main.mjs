#!/usr/bin/env node
// Usage: node src/main.mjs [--count N] [--greedy] [--schema FILE] [prompt]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { generateJson, verseSchema } from './json-output.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '3' },
    greedy: { type: 'boolean', default: false },
    schema: { type: 'string' },
  },
});
const schema = values.schema ? JSON.parse(readFileSync(values.schema, 'utf8')) : verseSchema;
const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
// A few-shot prompt: the model sees the format; the constraint guarantees it.
const prompt =
  positionals.join(' ') ||
  '{"book":"Genesis","chapter":1,"verse":1,"text":"In the beginning God created the heaven and the earth."}\n' +
    '{"book":"John","chapter":1,"verse":1,"text":"In the beginning was the Word"}\n';
for (let seed = 0; seed < Number(values.count); seed++) {
  const { value, stats } = await generateJson({
    model,
    tokenizer,
    schema,
    prompt,
    mode: values.greedy ? 'greedy-speculative' : 'sample',
    seed,
  });
  console.log(JSON.stringify(value), ` // ${stats.newTokens} tokens, τ ${stats.tau.toFixed(2)}`);
  if (values.greedy) break; // greedy gives the same value every time
}
await model.dispose();
