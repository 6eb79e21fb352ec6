// CI smoke test: 4 requests stream at once while we measure how late the event loop runs
// (perf_hooks.monitorEventLoopDelay) and how long /health takes. With the model in a worker thread
// the loop stays responsive; the same load with onnxruntime in the main thread is measured for
// comparison (printed, not asserted: it depends on the machine).
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tinyLm } from '@decodekit/models-tiny';
import { startServer } from './src/server.mjs';

const prompts = [
  'def fibonacci(n):',
  'class Stack:\n    def __init__(self):\n',
  '1 In the beginning God created the heaven and the earth.\n',
  'import os\nimport sys\n\ndef main(argv):\n',
];

/** Reads one SSE response: returns the streamed text and the `done` summary. */
async function generate(url, body) {
  const response = await fetch(`${url}/v1/generate`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /text\/event-stream/);
  let raw = '';
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) raw += chunk;
  let text = '';
  let done;
  for (const block of raw.split('\n\n').filter(Boolean)) {
    const [eventLine, dataLine] = block.split('\n');
    const data = JSON.parse(dataLine.slice('data: '.length));
    if (eventLine === 'event: token') text += data.text;
    else if (eventLine === 'event: done') done = data;
    else throw new Error(`unexpected event: ${block}`);
  }
  assert.ok(done, 'the stream ends with a done event');
  assert.equal(text, done.text, 'streamed tokens add up to the final text');
  return { text, done };
}

async function measure(worker) {
  const server = await startServer({ modelDir: tinyLm, port: 0, worker });
  try {
    await generate(server.url, { prompt: 'warm up', max_tokens: 4 });
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    const healthMs = [];
    let streaming = true;
    const poll = (async () => {
      while (streaming) {
        const started = performance.now();
        const health = await fetch(`${server.url}/health`);
        assert.equal(health.status, 200);
        await health.json();
        healthMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    histogram.enable();
    const started = performance.now();
    const results = await Promise.all(prompts.map((prompt) => generate(server.url, { prompt, max_tokens: 48 })));
    const wallMs = performance.now() - started;
    histogram.disable();
    streaming = false;
    await poll;
    const tokens = results.reduce((sum, r) => sum + r.done.new_tokens, 0);
    const ms = (ns) => ns / 1e6;
    const report = {
      mode: worker ? 'worker thread' : 'main thread',
      tokens,
      wallMs,
      loopDelayP50: ms(histogram.percentile(50)),
      loopDelayP99: ms(histogram.percentile(99)),
      loopDelayMax: ms(histogram.max),
      healthChecks: healthMs.length,
      healthMaxMs: Math.max(...healthMs),
      texts: results.map((r) => r.text),
    };
    console.log(
      `${report.mode}: 4 streams, ${tokens} tokens in ${wallMs.toFixed(0)} ms; event-loop delay p50 ${report.loopDelayP50.toFixed(1)} ms, ` +
        `p99 ${report.loopDelayP99.toFixed(1)} ms, max ${report.loopDelayMax.toFixed(1)} ms; ` +
        `${report.healthChecks} /health calls, slowest ${report.healthMaxMs.toFixed(1)} ms`,
    );
    return report;
  } finally {
    await server.close();
  }
}

const worker = await measure(true);
const inThread = await measure(false);

// The same requests give the same (greedy) text whichever thread runs the model.
assert.deepEqual(worker.texts, inThread.texts);
assert.ok(worker.texts.every((text) => text.length > 0));
// Responsive: while 4 requests stream, the loop is never late by much and /health keeps being
// answered (at least one call per 150 ms of streaming; the poller asks every 20 ms). The bounds are
// generous because CI machines are shared (load averages of 30 on 2 cores seen). The main-thread
// run is printed for comparison, not asserted: on this 4 M-parameter model a forward pass takes
// about a millisecond on an idle machine, so main-thread inference barely blocks either; the
// difference shows under load and with larger models (see the README).
assert.ok(
  worker.loopDelayP99 < 250,
  `event-loop delay p99 ${worker.loopDelayP99.toFixed(1)} ms should stay under 250 ms`,
);
assert.ok(
  worker.healthChecks >= Math.max(2, Math.floor(worker.wallMs / 150)),
  `${worker.healthChecks} /health calls answered in ${worker.wallMs.toFixed(0)} ms of streaming`,
);

// A client that disconnects stops its generation; the server keeps serving.
const server = await startServer({ modelDir: tinyLm, port: 0 });
const controller = new AbortController();
const response = await fetch(`${server.url}/v1/generate`, {
  method: 'POST',
  body: JSON.stringify({ prompt: 'def main():', max_tokens: 256 }),
  signal: controller.signal,
});
const reader = response.body.getReader();
await reader.read();
controller.abort();
const after = await fetch(`${server.url}/health`);
assert.equal(after.status, 200);
const bad = await fetch(`${server.url}/v1/generate`, { method: 'POST', body: '{"prompt": 5}' });
assert.equal(bad.status, 400);
await server.close();
console.log('http-server smoke: ok');
