import { tinyLm } from '@decodekit/models-tiny';
import { loadTokenizer, type Tokenizer } from '@decodekit/tokenizer';
import type { Constraint, TokenVocabulary } from '../src/index.js';
import { byteVocabulary, tokenizerVocabulary } from '../src/index.js';

let tiny: Promise<{ tokenizer: Tokenizer; vocabulary: TokenVocabulary }> | undefined;

/** The tiny zoo's tokenizer and its 4096-token vocabulary (loaded once per test file). */
export function tinyVocabulary(): Promise<{ tokenizer: Tokenizer; vocabulary: TokenVocabulary }> {
  tiny ??= loadTokenizer(tinyLm).then((tokenizer) => ({ tokenizer, vocabulary: tokenizerVocabulary(tokenizer) }));
  return tiny;
}

/** A small vocabulary: eos, every single byte of `alphabet`, and some multi-character tokens. */
export function smallVocabulary(alphabet: string, extra: readonly string[] = []): TokenVocabulary {
  const singles = [...new Set(Array.from(new TextEncoder().encode(alphabet)))].map((b) => new Uint8Array([b]));
  return byteVocabulary(['<eos>', ...singles, ...extra], 0);
}

/** Concatenates the bytes of tokens and decodes them as UTF-8 (fatal on invalid UTF-8). */
export function textOf(vocabulary: TokenVocabulary, tokens: readonly number[]): string {
  const parts = tokens.filter((t) => t !== vocabulary.eos).map((t) => vocabulary.bytes(t));
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(joined);
}

/** A deterministic pseudo-random generator (mulberry32) for walks driven by a fast-check seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Outcome of a random walk over allowed tokens. */
export interface Walk {
  readonly tokens: number[];
  readonly text: string;
  /** True when the walk ended with eos (complete); false when it hit the step limit. */
  readonly completed: boolean;
}

/**
 * Walks random allowed tokens (from the mask) until eos, checking at every step that the mask is
 * not empty (the constraint never blocks every token) and that `allows`/`advance` agree with it.
 * After `maxSteps` it prefers eos when allowed; `stopBias` is the probability of taking eos when
 * allowed before that.
 */
export function randomWalk<S>(
  constraint: Constraint<S>,
  random: () => number,
  options: { maxSteps?: number; stopBias?: number; checkAgreement?: boolean } = {},
): Walk {
  const { vocabulary } = constraint;
  const maxSteps = options.maxSteps ?? 200;
  const stopBias = options.stopBias ?? 0.2;
  let state = constraint.start();
  const tokens: number[] = [];
  for (let step = 0; step <= maxSteps; step++) {
    const mask = constraint.mask(state);
    const allowed: number[] = [];
    for (let t = 0; t < vocabulary.size; t++) if (mask[t]) allowed.push(t);
    if (allowed.length === 0) throw new Error(`${constraint.name}: no allowed token after ${JSON.stringify(tokens)}`);
    if (options.checkAgreement) {
      for (let k = 0; k < 8; k++) {
        const t = Math.floor(random() * vocabulary.size);
        if (constraint.allows(state, t) !== (mask[t] === 1)) throw new Error(`allows disagrees with mask on ${t}`);
      }
    }
    const eosAllowed = mask[vocabulary.eos] === 1;
    if (eosAllowed && (step >= maxSteps || random() < stopBias || allowed.length === 1)) {
      if (!constraint.isComplete(state)) throw new Error('eos allowed but not complete');
      return { tokens, text: textOf(vocabulary, tokens), completed: true };
    }
    if (step >= maxSteps) {
      // Past the step limit: finish along a shortest completion (it must exist: states are live).
      const path = shortestCompletion(constraint, state);
      if (path === undefined)
        throw new Error(`${constraint.name}: no completion found after ${JSON.stringify(tokens)}`);
      tokens.push(...path);
      return { tokens, text: textOf(vocabulary, tokens), completed: true };
    }
    const choices = allowed.filter((t) => t !== vocabulary.eos);
    const token = choices[Math.floor(random() * choices.length)];
    const next = constraint.advance(state, token);
    if (next === undefined) throw new Error(`mask allowed ${token} but advance refused it`);
    state = next;
    tokens.push(token);
  }
  return { tokens, text: textOf(vocabulary, tokens), completed: false };
}

/**
 * A shortest token sequence from `state` to a complete state (breadth first, states compared with
 * `===`, so it suits constraints with primitive states), or undefined if none within `limit` states.
 */
export function shortestCompletion<S>(constraint: Constraint<S>, state: S, limit = 20_000): number[] | undefined {
  const { vocabulary } = constraint;
  const seen = new Set<S>([state]);
  const queue: { state: S; path: number[] }[] = [{ state, path: [] }];
  for (let i = 0; i < queue.length && seen.size < limit; i++) {
    const { state: s, path } = queue[i];
    if (constraint.isComplete(s)) return path;
    const mask = constraint.mask(s);
    for (let t = 0; t < vocabulary.size; t++) {
      if (!mask[t] || t === vocabulary.eos) continue;
      const next = constraint.advance(s, t) as S;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push({ state: next, path: [...path, t] });
    }
  }
  return undefined;
}
