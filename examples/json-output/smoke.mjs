// CI smoke test: sampled and greedy-speculative outputs parse and match the schema.
import assert from 'node:assert/strict';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { generateJson, verseSchema } from './src/json-output.mjs';

const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
// A few-shot prompt: the model sees the format; the constraint guarantees it.
const prompt =
  '{"book":"Genesis","chapter":1,"verse":1,"text":"In the beginning God created the heaven and the earth."}\n' +
  '{"book":"John","chapter":1,"verse":1,"text":"In the beginning was the Word"}\n';

function check(value) {
  assert.deepEqual(Object.keys(value).sort(), ['book', 'chapter', 'text', 'verse']);
  assert.ok(verseSchema.properties.book.enum.includes(value.book));
  for (const [key, { minimum, maximum }] of Object.entries({
    chapter: verseSchema.properties.chapter,
    verse: verseSchema.properties.verse,
  })) {
    assert.ok(Number.isInteger(value[key]) && value[key] >= minimum && value[key] <= maximum, `${key} in range`);
  }
  assert.ok(typeof value.text === 'string' && value.text.length <= 60);
}

for (let seed = 0; seed < 3; seed++) {
  const { value, text } = await generateJson({ model, tokenizer, schema: verseSchema, prompt, seed });
  check(value);
  console.log(`sampled (seed ${seed}): ${text}`);
}
const greedy = await generateJson({ model, tokenizer, schema: verseSchema, prompt, mode: 'greedy-speculative' });
check(greedy.value);
console.log(`greedy + PLD: ${greedy.text} (τ ${greedy.stats.tau.toFixed(2)})`);
await model.dispose();
console.log('json-output smoke: ok');
