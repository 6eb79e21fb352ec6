// A small HTTP API over one model. onnxruntime's run() is a synchronous native call: in the main
// thread it would block every other request (and health checks) for the whole forward pass. With
// `loadModel(dir, { worker: true })` inference runs in a worker thread and the main thread only
// routes requests, samples tokens and writes text.
import { createServer } from 'node:http';
import { autoregressive, speculative, stream } from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { defaultVerifier } from '@decodekit/verifiers';

/**
 * Loads the model and starts listening.
 * @param {object} options
 * @param {string} options.modelDir a model directory in decodekit's ONNX layout
 * @param {number} [options.port] 0 picks a free port
 * @param {string} [options.host]
 * @param {boolean} [options.worker] run onnxruntime in a worker thread (default true)
 * @param {number} [options.maxNewTokensLimit] the largest `max_tokens` a request may ask for
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startServer({
  modelDir,
  port = 8080,
  host = '127.0.0.1',
  worker = true,
  maxNewTokensLimit = 256,
}) {
  const model = await loadModel(modelDir, { worker, intraOpNumThreads: 1 });
  const tokenizer = await loadTokenizer(modelDir);

  /** Generations in progress: `close()` stops them and waits before disposing the model. */
  const active = new Map(); // AbortController -> promise of the request's handling

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, model: model.name }));
    } else if (req.method === 'POST' && url.pathname === '/v1/generate') {
      const controller = new AbortController();
      const handling = readJson(req)
        .then((body) => handleGenerate(body, res, controller))
        .catch((error) => sendError(res, 400, error.message))
        .finally(() => active.delete(controller));
      active.set(controller, handling);
    } else {
      sendError(res, 404, 'use POST /v1/generate or GET /health');
    }
  });

  /** Streams one generation as server-sent events: `token` events with text, then one `done` event. */
  async function handleGenerate(body, res, controller) {
    const prompt = body?.prompt;
    const maxNewTokens = body?.max_tokens ?? 64;
    if (typeof prompt !== 'string' || prompt.length === 0)
      return sendError(res, 400, '"prompt" must be a non-empty string');
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > maxNewTokensLimit) {
      return sendError(res, 400, `"max_tokens" must be an integer from 1 to ${maxNewTokensLimit}`);
    }
    const strategy =
      body.method === 'autoregressive'
        ? autoregressive()
        : speculative({ drafter: promptLookup(), verifier: defaultVerifier() }); // lossless: same text, fewer forwards
    // A client that goes away stops its generation at the next step.
    res.on('close', () => controller.abort(new Error('client disconnected')));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const events = stream({
      model,
      tokenizer,
      prompt,
      maxNewTokens,
      strategy,
      stopSequences: body.stop ?? [],
      signal: controller.signal,
    });
    for await (const event of events) {
      if (event.type === 'token-delta' && event.text) {
        res.write(`event: token\ndata: ${JSON.stringify({ text: event.text })}\n\n`);
      } else if (event.type === 'finish') {
        const { text, finishReason, stats } = event.result;
        const summary = {
          text,
          finish_reason: finishReason,
          new_tokens: stats.newTokens,
          tau: stats.tau,
          tokens_per_second: stats.tokensPerSecond,
        };
        res.end(`event: done\ndata: ${JSON.stringify(summary)}\n\n`);
      } else if (event.type === 'error') {
        if (!controller.signal.aborted)
          res.end(
            `event: error\ndata: ${JSON.stringify({ message: String(event.error?.message ?? event.error) })}\n\n`,
          );
      }
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      // Stop accepting, stop every generation at its next step and wait for it: disposing the
      // model while a forward pass still runs in the worker would end that run abruptly.
      const closed = new Promise((resolve) => server.close(resolve));
      for (const controller of active.keys()) controller.abort(new Error('server closing'));
      await Promise.allSettled(active.values());
      server.closeAllConnections();
      await closed;
      await model.dispose();
    },
  };
}

function sendError(res, status, message) {
  if (res.headersSent) return res.end();
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: message }));
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 1_000_000) throw new Error('request body too large');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error('the body must be JSON: {"prompt": "...", "max_tokens": 64}');
  }
}
