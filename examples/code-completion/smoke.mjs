// CI smoke test: a short completion with each method on the tiny model. Greedy speculative decoding
// is lossless, so PLD and Token Recycling must produce exactly the autoregressive text.
import assert from 'node:assert/strict';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { complete } from './src/complete.mjs';

const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
const prompt =
  'class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\n    def move(self, dx, dy):\n';
const texts = {};
for (const method of ['autoregressive', 'pld', 'token-recycling']) {
  let streamed = '';
  let updates = 0;
  const result = await complete({
    model,
    tokenizer,
    prompt,
    method,
    maxNewTokens: 32,
    onText: (text) => (streamed += text),
    onStats: (s) => {
      updates += 1;
      assert.ok(s.tau >= 1, `τ is at least 1 (got ${s.tau})`);
    },
  });
  assert.equal(streamed, result.text, 'the streamed pieces add up to the final text');
  assert.ok(result.stats.newTokens > 0);
  if (method !== 'autoregressive')
    assert.equal(updates, result.stats.targetForwards - 1, 'one live update per verification step');
  texts[method] = result.text;
  console.log(
    `${method}: ${result.stats.newTokens} tokens, τ ${result.stats.tau.toFixed(2)}, ${result.stats.targetForwards} forwards`,
  );
}
assert.equal(texts.pld, texts.autoregressive, 'PLD is lossless under greedy decoding');
assert.equal(texts['token-recycling'], texts.autoregressive, 'Token Recycling is lossless under greedy decoding');
await model.dispose();
console.log('code-completion smoke: ok');
