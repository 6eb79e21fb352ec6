import { InvalidArgumentError, TokenOutOfRangeError } from '@decodekit/core';
import { type Constraint, StatsCounter, type TokenVocabulary } from '../constraint.js';
import { ConstraintDeadEndError } from '../errors.js';
import { type VocabularyTrie, vocabularyTrie } from './vocabulary-trie.js';

/**
 * A byte-level automaton with integer states, the common form of the regex DFA and the grammar
 * recognizer. `step` returns -1 for a byte that leaves the language; states it returns must have a
 * completion (be live).
 */
export interface ByteAutomaton {
  /** The start state, or -1 when the language is empty. */
  readonly start: number;
  step(state: number, byte: number): number;
  accepting(state: number): boolean;
  /**
   * For finite automata (DFAs): the number of states, all numbered `0 .. stateCount - 1`. Lets
   * the constraint prune states that the vocabulary cannot complete (see `AutomatonConstraint`).
   */
  readonly finiteStateCount?: number;
}

/** The state after `eos`: complete, nothing more allowed. */
export const finishedState = -2;

/** Allowed tokens of one automaton state (ascending ids) and the state each leads to. */
export interface TokenRow {
  readonly tokens: Int32Array;
  readonly next: Int32Array;
}

/**
 * A `Constraint` over a byte automaton with a lazily built token-level index: the first `mask` of a
 * state walks the vocabulary trie once from that state (sharing prefixes between tokens), and the
 * row of allowed tokens with their next states is cached, so later masks of the state cost a copy.
 * `allows`/`advance` walk the token's bytes (or look the token up in the row when it exists).
 */
export class AutomatonConstraint implements Constraint<number> {
  readonly name: string;
  readonly vocabulary: TokenVocabulary;
  readonly stats = new StatsCounter();
  readonly #automaton: ByteAutomaton;
  readonly #rows: Map<number, TokenRow>;

  /**
   * @param rows the token index to fill and read; pass the same map to constraints over the same
   *   automaton and vocabulary to share it (see `sharedIndex`). Fresh when omitted.
   */
  constructor(name: string, automaton: ByteAutomaton, vocabulary: TokenVocabulary, rows?: Map<number, TokenRow>) {
    this.name = name;
    this.#automaton = automaton;
    this.vocabulary = vocabulary;
    this.#rows = rows ?? new Map();
    if (automaton.finiteStateCount !== undefined && !pruned.has(this.#rows) && !spellsEveryByte(vocabulary)) {
      pruned.add(this.#rows);
      this.#pruneUnspellable(automaton.finiteStateCount);
    }
    if (
      automaton.start >= 0 &&
      this.#rows.get(automaton.start)?.tokens.length === 0 &&
      !automaton.accepting(automaton.start)
    ) {
      throw new ConstraintDeadEndError(name, 'no sequence of tokens of this vocabulary spells a complete match');
    }
  }

  // With a vocabulary that lacks some single bytes, a state can be live over bytes but impossible
  // to complete with whole tokens. For a finite automaton, index every state, keep the states from
  // which tokens can reach acceptance, and drop the tokens that lead anywhere else.
  #pruneUnspellable(stateCount: number): void {
    const rows: TokenRow[] = [];
    for (let state = 0; state < stateCount; state++) rows.push(this.#buildRow(state));
    const live = new Uint8Array(stateCount);
    const reverse: number[][] = Array.from({ length: stateCount }, () => []);
    rows.forEach((row, from) => {
      for (const to of row.next) reverse[to].push(from);
    });
    const stack: number[] = [];
    for (let state = 0; state < stateCount; state++) {
      if (this.#automaton.accepting(state)) {
        live[state] = 1;
        stack.push(state);
      }
    }
    while (stack.length > 0) {
      const s = stack.pop() as number;
      for (const from of reverse[s]) {
        if (!live[from]) {
          live[from] = 1;
          stack.push(from);
        }
      }
    }
    rows.forEach((row, state) => {
      const keep = [...row.tokens.keys()].filter((i) => live[row.next[i]] === 1);
      this.#rows.set(state, {
        tokens: Int32Array.from(keep, (i) => row.tokens[i]),
        next: Int32Array.from(keep, (i) => row.next[i]),
      });
    });
  }

  /** Number of automaton states whose token row has been built (the index's size, shared or not). */
  get indexedStates(): number {
    return this.#rows.size;
  }

  start(): number {
    return this.#automaton.start;
  }

  advance(state: number, token: number): number | undefined {
    this.stats.tokenChecks++;
    const next = this.#advance(state, token);
    return next < 0 && next !== finishedState ? undefined : next;
  }

  allows(state: number, token: number): boolean {
    this.stats.tokenChecks++;
    const next = this.#advance(state, token);
    return next >= 0 || next === finishedState;
  }

  isComplete(state: number): boolean {
    checkState(state);
    return state === finishedState || (state >= 0 && this.#automaton.accepting(state));
  }

  mask(state: number, out?: Uint8Array): Uint8Array {
    checkState(state);
    this.stats.masks++;
    const size = this.vocabulary.size;
    const mask = out ?? new Uint8Array(size);
    mask.fill(0, 0, size);
    if (state < 0) return mask;
    const row = this.row(state);
    for (let i = 0; i < row.tokens.length; i++) mask[row.tokens[i]] = 1;
    if (this.#automaton.accepting(state)) mask[this.vocabulary.eos] = 1;
    return mask;
  }

  /**
   * The allowed tokens of `state` (without `eos`) and their next states, built on first use and
   * cached. Not counted in `stats` (it is what `mask` reads).
   */
  row(state: number): TokenRow {
    checkState(state);
    if (state < 0) return { tokens: new Int32Array(0), next: new Int32Array(0) };
    let row = this.#rows.get(state);
    if (row === undefined) {
      row = this.#buildRow(state);
      this.#rows.set(state, row);
    }
    return row;
  }

  #advance(state: number, token: number): number {
    const vocabulary = this.vocabulary;
    if (!Number.isInteger(token) || token < 0 || token >= vocabulary.size) {
      throw new TokenOutOfRangeError(token, vocabulary.size, 'constraint');
    }
    checkState(state);
    if (state < 0) return -1;
    if (token === vocabulary.eos) return this.#automaton.accepting(state) ? finishedState : -1;
    const row = this.#rows.get(state);
    if (row !== undefined) {
      const i = search(row.tokens, token);
      return i < 0 ? -1 : row.next[i];
    }
    const bytes = vocabulary.bytes(token);
    if (bytes.length === 0) return -1;
    let s = state;
    for (let i = 0; i < bytes.length && s >= 0; i++) s = this.#automaton.step(s, bytes[i]);
    return s;
  }

  #buildRow(state: number): TokenRow {
    const trie = vocabularyTrie(this.vocabulary);
    const automaton = this.#automaton;
    const tokens: number[] = [];
    const next: number[] = [];
    const nodeStack = [0];
    const stateStack = [state];
    while (nodeStack.length > 0) {
      const node = nodeStack.pop() as number;
      const s = stateStack.pop() as number;
      for (let e = trie.edgeStart[node]; e < trie.edgeStart[node + 1]; e++) {
        const t = automaton.step(s, trie.edgeByte[e]);
        if (t < 0) continue;
        const child = trie.edgeChild[e];
        for (let k = trie.tokenStart[child]; k < trie.tokenStart[child + 1]; k++) {
          tokens.push(trie.tokens[k]);
          next.push(t);
        }
        nodeStack.push(child);
        stateStack.push(t);
      }
    }
    const order = tokens.map((_, i) => i).sort((a, b) => tokens[a] - tokens[b]);
    return { tokens: Int32Array.from(order, (i) => tokens[i]), next: Int32Array.from(order, (i) => next[i]) };
  }
}

// Rows maps already pruned for unspellable states (shared maps are pruned once).
const pruned = new WeakSet<Map<number, TokenRow>>();
const coverage = new WeakMap<TokenVocabulary, boolean>();

/** Whether every byte 0..255 is a token by itself (then byte-level liveness is token-level liveness). */
export function spellsEveryByte(vocabulary: TokenVocabulary): boolean {
  let covers = coverage.get(vocabulary);
  if (covers === undefined) {
    const trie: VocabularyTrie = vocabularyTrie(vocabulary);
    covers = trie.edgeStart[1] - trie.edgeStart[0] === 256;
    for (let e = trie.edgeStart[0]; covers && e < trie.edgeStart[1]; e++) {
      const child = trie.edgeChild[e];
      if (trie.tokenStart[child + 1] === trie.tokenStart[child]) covers = false;
    }
    coverage.set(vocabulary, covers);
  }
  return covers;
}

function checkState(state: number): void {
  if (!Number.isInteger(state) || state < finishedState) {
    throw new InvalidArgumentError(
      'state',
      `expected a state from start() or advance() (an integer), got ${String(state)}; advance() returns undefined for a refused token`,
    );
  }
}

function search(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** An automaton with its token index over one vocabulary, as `sharedIndex` caches them. */
export interface SharedIndex {
  readonly automaton: ByteAutomaton;
  readonly rows: Map<number, TokenRow>;
}

/** How many compiled constraints `sharedIndex` keeps per vocabulary (least recently used go first). */
export const sharedIndexCapacity = 32;

const shared = new WeakMap<TokenVocabulary, Map<string, SharedIndex>>();

/**
 * The automaton and token index for `key` over `vocabulary`, compiled by `build` the first time
 * and shared afterwards, so the index is built once per (automaton, vocabulary) however many
 * constraints are created (one per request, per particle set, per benchmark run). Keeps the
 * `sharedIndexCapacity` most recently used entries per vocabulary; nothing is kept once the
 * vocabulary object is garbage.
 */
export function sharedIndex(vocabulary: TokenVocabulary, key: string, build: () => ByteAutomaton): SharedIndex {
  let cache = shared.get(vocabulary);
  if (cache === undefined) {
    cache = new Map();
    shared.set(vocabulary, cache);
  }
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = { automaton: build(), rows: new Map() };
    if (cache.size >= sharedIndexCapacity) cache.delete(cache.keys().next().value as string);
  } else cache.delete(key);
  cache.set(key, entry);
  return entry;
}
