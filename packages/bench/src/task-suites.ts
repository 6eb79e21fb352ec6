import { createRng, InvalidArgumentError, type Rng } from '@decodekit/core';
import { readSplit, type SplitDocument } from '@decodekit/models-tiny';

/**
 * The task suites, after Spec-Bench's categories scaled to what the tiny zoo knows:
 * - `code`: Python completion (a window of a standard-library module, continue the code);
 * - `prose`: King James Bible continuation;
 * - `grounded`: the answer is in the prompt: a passage, a blank line, then the passage's first
 *   line again, so the continuation copies the passage (Spec-Bench's summarisation / RAG case,
 *   where prompt lookup shines).
 */
export type TaskSuite = 'code' | 'prose' | 'grounded';

/** Every suite, in report order. */
export const taskSuites: readonly TaskSuite[] = Object.freeze(['code', 'prose', 'grounded']);

/** One benchmark prompt. */
export interface BenchmarkTask {
  readonly suite: TaskSuite;
  /** `suite-index`, stable for a given seed and settings. */
  readonly id: string;
  /** Where the text comes from: `document name @ character offset`. */
  readonly source: string;
  readonly text: string;
  readonly prompt: Int32Array;
}

/** What task building needs of a tokenizer. */
export interface TaskTokenizer {
  encode(text: string): ArrayLike<number>;
  decode(tokens: ArrayLike<number>): string;
}

export interface BuildTasksOptions {
  readonly tokenizer: TaskTokenizer;
  readonly suites: readonly TaskSuite[];
  /** Prompts per suite. */
  readonly promptsPerSuite: number;
  /** Tokens each prompt will be continued by: prompts leave room for them and a draft in the context. */
  readonly maxNewTokens: number;
  /** The model's context window in tokens. */
  readonly contextLength: number;
  /** Seed of the window selection (default 0). */
  readonly seed?: number;
  /** Documents to draw from (default: the zoo's held-out test split). */
  readonly documents?: readonly SplitDocument[];
}

// Room left at the end of the context for the largest verify block the drafters build.
const draftMargin = 72;
// Prompt length of the continuation suites, in tokens (shorter when the context is small).
const continuationPromptTokens = 128;

/**
 * Builds `promptsPerSuite` prompts for each suite from the held-out test split, deterministically:
 * the same seed and settings give the same prompts on any machine. Windows start at a line start
 * (a verse, or a line of code), so prompts do not begin mid-word.
 */
export function buildTasks(options: BuildTasksOptions): BenchmarkTask[] {
  const { tokenizer, suites, promptsPerSuite, maxNewTokens, contextLength } = options;
  if (!Number.isInteger(promptsPerSuite) || promptsPerSuite < 1) {
    throw new InvalidArgumentError('promptsPerSuite', `must be an integer >= 1, got ${promptsPerSuite}`);
  }
  const budget = contextLength - maxNewTokens - draftMargin;
  if (budget < 32) {
    throw new InvalidArgumentError(
      'maxNewTokens',
      `${maxNewTokens} new tokens leave ${budget} prompt tokens in a ${contextLength}-token context; use at most ${contextLength - draftMargin - 32}`,
    );
  }
  const documents = options.documents ?? readSplit('test');
  const python = documents.filter((doc) => doc.domain === 'python' && doc.text.length >= 400);
  const kjv = documents.filter((doc) => doc.domain === 'kjv' && doc.text.length >= 400);
  if (python.length === 0 || kjv.length === 0) {
    throw new InvalidArgumentError('documents', 'the split needs Python and KJV documents of at least 400 characters');
  }
  const tasks: BenchmarkTask[] = [];
  suites.forEach((suite, suiteIndex) => {
    // One generator per suite, so adding a suite does not change another suite's prompts.
    const rng = createRng((options.seed ?? 0) * 7919 + suiteIndex * 104729 + 1);
    for (let i = 0; i < promptsPerSuite; i++) {
      const id = `${suite}-${i}`;
      if (suite === 'grounded') {
        // Alternate prose and code passages.
        const pool = i % 2 === 0 ? kjv : python;
        tasks.push(groundedTask(id, pickWindow(pool, i >> 1, rng), tokenizer, budget, maxNewTokens));
      } else {
        const pool = suite === 'code' ? python : kjv;
        const tokens = Math.min(continuationPromptTokens, budget);
        tasks.push(continuationTask(suite, id, pickWindow(pool, i, rng), tokenizer, tokens));
      }
    }
  });
  return tasks;
}

interface Window {
  readonly doc: SplitDocument;
  readonly offset: number;
}

// Cycles through the documents in order (so every document is used before any repeats) and
// picks a random line start in each.
function pickWindow(pool: readonly SplitDocument[], index: number, rng: Rng): Window {
  const doc = pool[index % pool.length];
  const limit = Math.max(1, doc.text.length - 2000);
  const at = Math.floor(rng.next() * limit);
  const lineStart = at === 0 ? 0 : doc.text.indexOf('\n', at) + 1;
  return { doc, offset: lineStart > 0 && lineStart < doc.text.length - 200 ? lineStart : 0 };
}

function continuationTask(
  suite: TaskSuite,
  id: string,
  window: Window,
  tokenizer: TaskTokenizer,
  promptTokens: number,
): BenchmarkTask {
  const slice = window.doc.text.slice(window.offset, window.offset + promptTokens * 8);
  const ids = Array.from(tokenizer.encode(slice)).slice(0, promptTokens);
  const text = tokenizer.decode(ids);
  return { suite, id, source: `${window.doc.name}@${window.offset}`, text, prompt: Int32Array.from(ids) };
}

function groundedTask(
  id: string,
  window: Window,
  tokenizer: TaskTokenizer,
  budget: number,
  maxNewTokens: number,
): BenchmarkTask {
  // The passage must hold the whole answer (maxNewTokens) after the repeated head, and fit the budget.
  const passageTokens = Math.max(24, Math.min(budget - 24, maxNewTokens + 96));
  const slice = window.doc.text.slice(window.offset, window.offset + passageTokens * 8);
  // Leading blank lines would make the repeated head empty.
  let passage = tokenizer.decode(Array.from(tokenizer.encode(slice)).slice(0, passageTokens)).replace(/^(\s*\n)+/, '');
  const lastBreak = passage.lastIndexOf('\n');
  // End at a line break when one is near the end (a whole verse or line), keeping most of the passage.
  if (lastBreak > passage.length * 0.75) passage = passage.slice(0, lastBreak);
  const head = passageHead(passage);
  let text = `${passage}\n\n${head}`;
  let ids = Array.from(tokenizer.encode(text));
  if (ids.length > budget) {
    // Rare (tokenization differs around the cut): drop passage tokens from its end until it fits.
    const passageIds = Array.from(tokenizer.encode(passage)).slice(0, passageTokens - (ids.length - budget) - 4);
    passage = tokenizer.decode(passageIds);
    text = `${passage}\n\n${head}`;
    ids = Array.from(tokenizer.encode(text)).slice(0, budget);
  }
  return {
    suite: 'grounded',
    id,
    source: `${window.doc.name}@${window.offset}`,
    text,
    prompt: Int32Array.from(ids),
  };
}

// The first line of a passage (two when the first is short), at most 100 characters.
function passageHead(passage: string): string {
  const lines = passage.split('\n');
  let head = lines[0];
  if (head.trim().length < 20 && lines.length > 1) head = `${head}\n${lines[1]}`;
  return head.slice(0, 100);
}
