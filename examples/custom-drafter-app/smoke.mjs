// CI smoke test: the third-party drafter, imported by its package name, gives exactly the
// autoregressive text on the real tiny model, with fewer target forwards.
import assert from 'node:assert/strict';
import { readTrainSample, tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { compare } from './src/compare.mjs';

const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
const corpus = readTrainSample().slice(0, 50_000);
const results = await compare({
  model,
  tokenizer,
  prompt: '1 In the beginning God created the heaven and the earth.\n2 And the earth was',
  maxNewTokens: 48,
  corpus,
});
for (const [name, r] of Object.entries(results)) {
  console.log(`${name}: ${r.newTokens} tokens, ${r.targetForwards} forwards, τ ${r.tau.toFixed(2)}`);
  assert.equal(r.text, results.autoregressive.text, `${name} is lossless under greedy decoding`);
  assert.equal(r.newTokens, 48);
}
assert.ok(
  results['frequent-successor + corpus'].targetForwards < results.autoregressive.targetForwards,
  'the drafter saves target forwards',
);
await model.dispose();
console.log('custom-drafter-app smoke: ok');
