import { ConstraintSyntaxError } from '../errors.js';
import type { ByteAutomaton } from './automaton-constraint.js';

/** One element of a grammar alternative: a set of bytes, or a reference to a rule. */
export type GrammarTerm =
  | { readonly kind: 'bytes' /** 256 entries, 1 = byte allowed. */; readonly set: Uint8Array }
  | { readonly kind: 'rule'; readonly rule: number };

/**
 * A context-free grammar over bytes: `rules[r]` is the list of alternatives of rule `r`, each a
 * sequence of terms. The GBNF parser and the JSON Schema compiler produce it; `grammarAutomaton`
 * recognizes it.
 */
export interface Grammar {
  /** Rule names (for messages); `names[r]` names rule `r`. */
  readonly names: readonly string[];
  readonly rules: readonly (readonly (readonly GrammarTerm[])[])[];
  /** The start rule. */
  readonly root: number;
}

/**
 * Checks that every reachable rule is productive and not left-recursive in a way the recognizer
 * cannot run (a rule that can start with itself and then needs more input, e.g.
 * `expr ::= expr "+" term`); throws `ConstraintSyntaxError` otherwise. Repetitions of nullable
 * items (`("a"?)*`) and tail self-references are fine.
 */
export function validateGrammar(grammar: Grammar, source = 'gbnf'): void {
  const { rules, names } = grammar;
  const count = rules.length;
  // Productive rules: derive at least one finite byte string.
  const productive = new Uint8Array(count);
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < count; r++) {
      if (productive[r]) continue;
      const ok = rules[r].some((alt) =>
        alt.every((term) => (term.kind === 'bytes' ? term.set.includes(1) : productive[term.rule] === 1)),
      );
      if (ok) {
        productive[r] = 1;
        changed = true;
      }
    }
  }
  const reachable = new Uint8Array(count);
  const stack = [grammar.root];
  reachable[grammar.root] = 1;
  while (stack.length > 0) {
    const r = stack.pop() as number;
    for (const alt of rules[r]) {
      for (const term of alt) {
        if (term.kind === 'rule' && !reachable[term.rule]) {
          reachable[term.rule] = 1;
          stack.push(term.rule);
        }
      }
    }
  }
  for (let r = 0; r < count; r++) {
    if (reachable[r] && !productive[r]) {
      throw new ConstraintSyntaxError(
        source,
        `rule "${names[r]}" derives no finite string (every alternative recurses forever or matches an empty character set); add a terminating alternative`,
      );
    }
  }
  // Nullable rules, then left recursion through nullable prefixes.
  const nullable = new Uint8Array(count);
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < count; r++) {
      if (nullable[r]) continue;
      if (rules[r].some((alt) => alt.every((term) => term.kind === 'rule' && nullable[term.rule] === 1))) {
        nullable[r] = 1;
        changed = true;
      }
    }
  }
  // Leftmost references: rule r can start with rule s. A tail reference (the last term of its
  // alternative) replaces the caller's frame, so a cycle of tail references revisits the same
  // configuration and terminates; a cycle through any other reference grows the stack forever.
  const leftmost: number[][] = rules.map(() => []);
  const growing: [number, number][] = [];
  rules.forEach((alternatives, r) => {
    for (const alt of alternatives) {
      for (let i = 0; i < alt.length; i++) {
        const term = alt[i];
        if (term.kind === 'bytes') break;
        leftmost[r].push(term.rule);
        if (i < alt.length - 1) growing.push([r, term.rule]);
        if (!nullable[term.rule]) break;
      }
    }
  });
  // A path s ->* r through leftmost references, or undefined.
  const path = (from: number, to: number): number[] | undefined => {
    const parent = new Map<number, number>([[from, -1]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const x = queue[i];
      if (x === to) {
        const out = [x];
        for (let y = parent.get(x) as number; y !== -1; y = parent.get(y) as number) out.unshift(y);
        return out;
      }
      for (const y of leftmost[x]) {
        if (!parent.has(y)) {
          parent.set(y, x);
          queue.push(y);
        }
      }
    }
    return undefined;
  };
  for (const [r, s] of growing) {
    if (!reachable[r]) continue;
    const back = path(s, r);
    if (back !== undefined) {
      const cycle = [r, ...back].map((i) => names[i]).join(' -> ');
      throw new ConstraintSyntaxError(
        source,
        `left recursion (${cycle}) is not supported; rewrite it with repetition, e.g. "list ::= item ("," item)*"`,
      );
    }
  }
}

const end = -1;
const unknownStep = -3;

/**
 * A pushdown recognizer for a grammar over bytes (the stack-set construction llama.cpp uses, with
 * interned stacks): a state is the set of parse stacks whose top is a byte set, plus whether the
 * input so far is a complete sentence. Stacks, expansions, states and byte transitions are all
 * memoized, so states are small integers and revisiting a configuration costs a map lookup.
 * Requires a validated grammar (`validateGrammar`): then every non-empty state has a completion.
 */
export class GrammarAutomaton implements ByteAutomaton {
  readonly start: number;
  // Flattened alternatives: element kinds (-1 end, 0 bytes, 1 rule) and arguments.
  readonly #kind: Int8Array;
  readonly #arg: Int32Array;
  readonly #sets: Uint8Array[];
  readonly #ruleStarts: number[][];
  // Interned stacks: top position and the rest (-1 = bottom).
  readonly #stackPos: number[] = [];
  readonly #stackNext: number[] = [];
  readonly #stackIds = new Map<number, number>();
  // Expansions of (position, rest) to ready stacks.
  readonly #expansions = new Map<number, { stacks: number[]; accept: boolean }>();
  // Interned states.
  readonly #stateStacks: Int32Array[] = [];
  readonly #stateAccept: boolean[] = [];
  readonly #stateIds = new Map<string, number>();
  // Byte transitions per state: a row of 256 entries, -3 = not computed yet.
  readonly #steps: (Int32Array | undefined)[] = [];

  constructor(grammar: Grammar) {
    const kind: number[] = [];
    const arg: number[] = [];
    this.#sets = [];
    const setIds = new Map<string, number>();
    this.#ruleStarts = grammar.rules.map((alternatives) =>
      alternatives.map((alt) => {
        const startPos = kind.length;
        for (const term of alt) {
          if (term.kind === 'rule') {
            kind.push(1);
            arg.push(term.rule);
          } else {
            const key = term.set.join('');
            let id = setIds.get(key);
            if (id === undefined) {
              id = this.#sets.length;
              this.#sets.push(term.set);
              setIds.set(key, id);
            }
            kind.push(0);
            arg.push(id);
          }
        }
        kind.push(end);
        arg.push(0);
        return startPos;
      }),
    );
    this.#kind = Int8Array.from(kind);
    this.#arg = Int32Array.from(arg);
    const initial = { stacks: new Set<number>(), accept: false };
    for (const startPos of this.#ruleStarts[grammar.root]) this.#expandInto(startPos, -1, initial, new Set());
    this.start = this.#intern([...initial.stacks], initial.accept);
  }

  /** Number of distinct states created so far. */
  get stateCount(): number {
    return this.#stateStacks.length;
  }

  /** Whether the input that led to `state` is a complete sentence. */
  accepting(state: number): boolean {
    return this.#stateAccept[state];
  }

  /** The state after reading `byte` in `state`, or -1 when no parse continues with it. */
  step(state: number, byte: number): number {
    let row = this.#steps[state];
    if (row === undefined) {
      row = new Int32Array(256).fill(unknownStep);
      this.#steps[state] = row;
    }
    const cached = row[byte];
    if (cached !== unknownStep) return cached;
    const stacks = this.#stateStacks[state];
    const next = new Set<number>();
    let accept = false;
    for (let i = 0; i < stacks.length; i++) {
      const s = stacks[i];
      const pos = this.#stackPos[s];
      if (this.#sets[this.#arg[pos]][byte] !== 1) continue;
      const expansion = this.#expansion(pos + 1, this.#stackNext[s]);
      for (const t of expansion.stacks) next.add(t);
      accept ||= expansion.accept;
    }
    const result = next.size === 0 && !accept ? -1 : this.#intern([...next], accept);
    row[byte] = result;
    return result;
  }

  #intern(stacks: number[], accept: boolean): number {
    stacks.sort((a, b) => a - b);
    const key = `${accept ? 'a' : ''}${stacks.join(',')}`;
    let id = this.#stateIds.get(key);
    if (id === undefined) {
      id = this.#stateStacks.length;
      this.#stateStacks.push(Int32Array.from(stacks));
      this.#stateAccept.push(accept);
      this.#stateIds.set(key, id);
    }
    return id;
  }

  #stack(pos: number, next: number): number {
    const key = pos * 2 ** 31 + (next + 1);
    let id = this.#stackIds.get(key);
    if (id === undefined) {
      id = this.#stackPos.length;
      this.#stackPos.push(pos);
      this.#stackNext.push(next);
      this.#stackIds.set(key, id);
    }
    return id;
  }

  #expansion(pos: number, next: number): { stacks: number[]; accept: boolean } {
    const key = pos * 2 ** 31 + (next + 1);
    let expansion = this.#expansions.get(key);
    if (expansion === undefined) {
      const out = { stacks: new Set<number>(), accept: false };
      this.#expandInto(pos, next, out, new Set());
      expansion = { stacks: [...out.stacks], accept: out.accept };
      this.#expansions.set(key, expansion);
    }
    return expansion;
  }

  // Adds the ready stacks reachable from stack (pos, next) without reading a byte.
  #expandInto(pos: number, next: number, out: { stacks: Set<number>; accept: boolean }, seen: Set<number>): void {
    const key = pos * 2 ** 31 + (next + 1);
    if (seen.has(key)) return;
    seen.add(key);
    const kind = this.#kind[pos];
    if (kind === end) {
      if (next === -1) out.accept = true;
      else this.#expandInto(this.#stackPos[next], this.#stackNext[next], out, seen);
    } else if (kind === 0) {
      out.stacks.add(this.#stack(pos, next));
    } else {
      // Tail call: do not push a continuation that is the end of the alternative.
      const rest = this.#kind[pos + 1] === end ? next : this.#stack(pos + 1, next);
      for (const startPos of this.#ruleStarts[this.#arg[pos]]) this.#expandInto(startPos, rest, out, seen);
    }
  }
}
