#!/usr/bin/env node
// Usage: node src/main.mjs [--port 8080] [--model DIR] [--no-worker]
import { parseArgs } from 'node:util';
import { tinyLm } from '@decodekit/models-tiny';
import { startServer } from './server.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    model: { type: 'string', default: tinyLm },
    'no-worker': { type: 'boolean', default: false },
  },
});
const server = await startServer({
  modelDir: values.model,
  port: Number(values.port),
  host: values.host,
  worker: !values['no-worker'],
});
console.log(`listening on ${server.url}
  curl -N ${server.url}/v1/generate -d '{"prompt": "def fibonacci(n):", "max_tokens": 64}'`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.log(`\n${signal}: closing`);
    server.close().then(() => process.exit(0));
  });
}
