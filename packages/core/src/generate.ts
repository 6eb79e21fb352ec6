import {
  AbortError,
  ContextOverflowError,
  InvalidArgumentError,
  TokenOutOfRangeError,
  throwIfAborted,
} from './errors.js';
import type { DecodeEvent, FinishReason, GenerateResult } from './events.js';
import type { CausalLM } from './model.js';
import { createRng, type Rng } from './rng.js';
import { greedySampler, type SamplerChain } from './sampler.js';
import { StatisticsRecorder } from './statistics.js';
import { autoregressive } from './strategies/autoregressive.js';
import type { Strategy, StrategyRun } from './strategy.js';

/** Text <-> token conversion; `@decodekit/tokenizer` implements it. */
export interface TextTokenizer {
  encode(text: string): ArrayLike<number>;
  decode(tokens: ArrayLike<number>): string;
  /** An incremental decoder that returns only new, complete text (optional; the loop falls back to re-decoding). */
  createStreamDecoder?(): { push(tokens: ArrayLike<number>): string; flush(): string };
}

export interface GenerateOptions {
  readonly model: CausalLM;
  /** Prompt token ids, or text when a `tokenizer` is given. */
  readonly prompt: ArrayLike<number> | string;
  readonly tokenizer?: TextTokenizer;
  /** The outer loop; default `autoregressive()`. */
  readonly strategy?: Strategy;
  /** How tokens are chosen; default greedy. */
  readonly sampler?: SamplerChain;
  /** Default 128. */
  readonly maxNewTokens?: number;
  /** Tokens that end generation; default the model's end-of-sequence tokens. Pass [] to never stop early. */
  readonly stopTokens?: readonly number[];
  /** Texts that end generation (needs a tokenizer); the result's text stops before them. */
  readonly stopSequences?: readonly string[];
  /** Seed of the run's random stream (default 0). Ignored when `rng` is given. */
  readonly seed?: number;
  readonly rng?: Rng;
  readonly signal?: AbortSignal;
}

/** Runs a strategy to completion and returns tokens, text, finish reason and statistics. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  for await (const event of stream(options)) {
    if (event.type === 'finish') return event.result;
    if (event.type === 'error') throw event.error;
  }
  throw new Error('generate: the stream ended without a result'); // unreachable by construction
}

/**
 * Runs a strategy and yields its events: `stream-start`, `token-delta` per step (with `draft-end` /
 * `verify-end` for speculative strategies), then `finish`, or `error` (the last event) on failure.
 */
export async function* stream(options: GenerateOptions): AsyncGenerator<DecodeEvent, void, undefined> {
  const queue: DecodeEvent[] = [];
  let run: StrategyRun | undefined;
  try {
    const { model, tokenizer } = options;
    const prompt = encodePrompt(options);
    const maxNewTokens = options.maxNewTokens ?? 128;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
      throw new InvalidArgumentError('maxNewTokens', `must be an integer >= 1, got ${maxNewTokens}`);
    }
    if (prompt.length + 1 > model.contextLength) throw new ContextOverflowError(prompt.length + 1, model.contextLength);
    if (options.stopSequences?.length && !tokenizer) {
      throw new InvalidArgumentError('stopSequences', 'stop sequences are text: pass a tokenizer too');
    }
    const strategy = options.strategy ?? autoregressive();
    const stopTokens = new Set(options.stopTokens ?? model.specialTokens.eos);
    const stats = new StatisticsRecorder();
    throwIfAborted(options.signal);
    yield { type: 'stream-start', promptTokens: prompt.length, strategy: strategy.name };
    run = await strategy.start({
      model,
      prompt,
      sampler: options.sampler ?? greedySampler(),
      rng: options.rng ?? createRng(options.seed ?? 0),
      signal: options.signal,
      maxNewTokens,
      stats,
      emit: (event) => queue.push(event),
    });
    const text = tokenizer ? new TextAccumulator(tokenizer, options.stopSequences ?? []) : undefined;
    const generated: number[] = [];
    let finishReason: FinishReason | undefined;
    while (finishReason === undefined) {
      throwIfAborted(options.signal);
      const step = await run.step(maxNewTokens - generated.length);
      yield* drain(queue);
      let accepted = step.tokens.slice(0, maxNewTokens - generated.length);
      const stopAt = accepted.findIndex((token) => stopTokens.has(token));
      if (stopAt >= 0) {
        accepted = accepted.slice(0, stopAt + 1);
        finishReason = 'stop';
      }
      if (accepted.length > 0) {
        stats.markFirstToken();
        generated.push(...accepted);
        const delta = text?.push(accepted);
        if (text?.stopped) finishReason = 'stop';
        yield { type: 'token-delta', tokens: accepted, text: delta };
      }
      if (finishReason === undefined) {
        if (generated.length >= maxNewTokens) finishReason = 'length';
        else if (step.done === 'context-length' || accepted.length === 0) finishReason = 'context-length';
      }
    }
    const tail = text?.flush();
    if (tail) yield { type: 'token-delta', tokens: [], text: tail };
    const result: GenerateResult = {
      tokens: generated,
      text: text?.text,
      finishReason,
      stats: stats.finish(prompt.length, generated.length),
    };
    await disposeRun(run);
    run = undefined;
    yield { type: 'finish', result };
  } catch (error) {
    yield* drain(queue);
    if (run) await disposeRun(run);
    yield {
      type: 'error',
      error: options.signal?.aborted && !(error instanceof AbortError) ? new AbortError(options.signal.reason) : error,
    };
  }
}

function* drain(queue: DecodeEvent[]): Generator<DecodeEvent> {
  while (queue.length > 0) yield queue.shift() as DecodeEvent;
}

async function disposeRun(run: StrategyRun): Promise<void> {
  try {
    await run.dispose();
  } catch {
    // Disposal errors must not hide the error or result that ended the run.
  }
}

function encodePrompt(options: GenerateOptions): Int32Array {
  const { prompt, tokenizer, model } = options;
  let ids: Int32Array;
  if (typeof prompt === 'string') {
    if (!tokenizer)
      throw new InvalidArgumentError('prompt', 'a text prompt needs a tokenizer; pass `tokenizer` or token ids');
    ids = Int32Array.from(tokenizer.encode(prompt));
  } else {
    ids = Int32Array.from(prompt);
  }
  if (ids.length === 0) throw new InvalidArgumentError('prompt', 'the prompt is empty; give at least one token');
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= model.vocabSize)
      throw new TokenOutOfRangeError(id, model.vocabSize, 'prompt');
  }
  return ids;
}

/**
 * Keeps the decoded text and hands out deltas that never split a UTF-8 character and never show
 * the start of a stop sequence that may still complete.
 */
class TextAccumulator {
  /** All complete text so far (cut before a stop sequence once one appears). */
  text = '';
  stopped = false;
  private emitted = 0;
  private readonly tokens: number[] = [];
  private readonly decoder?: { push(tokens: ArrayLike<number>): string; flush(): string };

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly stopSequences: readonly string[],
  ) {
    this.decoder = tokenizer.createStreamDecoder?.();
  }

  /** Adds tokens; returns the text that is now safe to show. */
  push(tokens: readonly number[]): string {
    if (this.decoder) {
      this.text += this.decoder.push(tokens);
    } else {
      this.tokens.push(...tokens);
      const full = this.tokenizer.decode(this.tokens);
      // Hold back an incomplete trailing character (decoders render it as U+FFFD) until it completes.
      const complete = full.endsWith('\uFFFD') ? full.slice(0, full.lastIndexOf('\uFFFD')) : full;
      if (complete.startsWith(this.text)) this.text = complete;
    }
    return this.release(false);
  }

  /** Ends the text: returns whatever was held back. */
  flush(): string {
    if (!this.stopped) {
      if (this.decoder) this.text += this.decoder.flush();
      else this.text = this.tokenizer.decode(this.tokens);
    }
    return this.release(true);
  }

  private release(final: boolean): string {
    if (this.stopped) return '';
    let safe = this.text.length;
    const longest = Math.max(0, ...this.stopSequences.map((s) => s.length));
    let cutAt = -1;
    for (const stop of this.stopSequences) {
      if (!stop) continue;
      const index = this.text.indexOf(stop, Math.max(0, this.emitted - longest));
      if (index >= 0 && (cutAt < 0 || index < cutAt)) cutAt = index;
    }
    if (cutAt >= 0) {
      this.text = this.text.slice(0, cutAt);
      this.stopped = true;
      safe = cutAt;
    } else if (!final) {
      // Hold back a suffix that is the beginning of some stop sequence.
      for (const stop of this.stopSequences) {
        for (let k = Math.min(stop.length - 1, this.text.length); k > 0; k--) {
          if (this.text.endsWith(stop.slice(0, k))) {
            safe = Math.min(safe, this.text.length - k);
            break;
          }
        }
      }
    }
    safe = Math.max(safe, this.emitted);
    const delta = this.text.slice(this.emitted, safe);
    this.emitted = safe;
    return delta;
  }
}
