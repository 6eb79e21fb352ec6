import { ConstraintSyntaxError } from '../errors.js';
import type { RegexNode } from './regex-parser.js';
import { utf8Sequences } from './utf8.js';

/**
 * A deterministic automaton over bytes, pruned to live states: every state can still reach an
 * accepting state, and `next` is `-1` for bytes that leave the language.
 */
export interface Dfa {
  /** Number of states; the start state is 0. */
  readonly states: number;
  /** `next[state * 256 + byte]`: the following state, or -1. */
  readonly next: Int32Array;
  /** `accepting[state]` is 1 when the bytes read so far are a complete match. */
  readonly accepting: Uint8Array;
}

/** Default cap on DFA states before compilation gives up. */
export const defaultMaxDfaStates = 50_000;

interface NfaState {
  readonly epsilon: number[];
  readonly edges: { lo: number; hi: number; to: number }[];
}

/** Compiles a parsed regular expression to a byte-level DFA (Thompson NFA, then subset construction). */
export function compileDfa(tree: RegexNode, maxStates = defaultMaxDfaStates): Dfa {
  const nfa: NfaState[] = [];
  const state = () => {
    nfa.push({ epsilon: [], edges: [] });
    return nfa.length - 1;
  };
  // Builds the fragment for `node` from `from`, returning its exit state.
  const build = (node: RegexNode, from: number): number => {
    switch (node.kind) {
      case 'class': {
        const exit = state();
        for (const sequence of utf8Sequences(node.ranges)) {
          let at = from;
          sequence.forEach(([lo, hi], i) => {
            const to = i === sequence.length - 1 ? exit : state();
            nfa[at].edges.push({ lo, hi, to });
            at = to;
          });
        }
        return exit;
      }
      case 'sequence': {
        let at = from;
        for (const item of node.items) at = build(item, at);
        return at;
      }
      case 'alternation': {
        const exit = state();
        for (const item of node.items) {
          const entry = state();
          nfa[from].epsilon.push(entry);
          nfa[build(item, entry)].epsilon.push(exit);
        }
        return exit;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < node.min; i++) at = build(node.item, at);
        if (node.max === Infinity) {
          const loop = state();
          nfa[at].epsilon.push(loop);
          nfa[build(node.item, loop)].epsilon.push(loop);
          return loop;
        }
        const exit = state();
        nfa[at].epsilon.push(exit);
        for (let i = node.min; i < node.max; i++) {
          at = build(node.item, at);
          nfa[at].epsilon.push(exit);
        }
        return exit;
      }
    }
  };
  const nfaStart = state();
  const nfaAccept = build(tree, nfaStart);

  const closure = (seeds: Iterable<number>): number[] => {
    const seen = new Set<number>();
    const stack = [...seeds];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const t of nfa[s].epsilon) stack.push(t);
    }
    // Keep only states with byte edges (or the accepting state): the rest do not change behaviour.
    return [...seen].filter((s) => s === nfaAccept || nfa[s].edges.length > 0).sort((a, b) => a - b);
  };

  const sets: number[][] = [];
  const ids = new Map<string, number>();
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      if (id >= maxStates) {
        throw new ConstraintSyntaxError(
          'regex',
          `the automaton exceeds ${maxStates} states; simplify the pattern (fewer nested bounded repetitions)`,
        );
      }
      sets.push(set);
      ids.set(key, id);
    }
    return id;
  };
  intern(closure([nfaStart]));
  const rows: Int32Array[] = [];
  for (let d = 0; d < sets.length; d++) {
    const buckets: number[][] = Array.from({ length: 256 }, () => []);
    for (const s of sets[d]) {
      for (const { lo, hi, to } of nfa[s].edges) for (let b = lo; b <= hi; b++) buckets[b].push(to);
    }
    const row = new Int32Array(256).fill(-1);
    const memo = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      if (buckets[b].length === 0) continue;
      const key = buckets[b].join(',');
      let target = memo.get(key);
      if (target === undefined) {
        const set = closure(buckets[b]);
        target = set.length === 0 ? -1 : intern(set);
        memo.set(key, target);
      }
      row[b] = target;
    }
    rows.push(row);
  }
  const accepting = sets.map((set) => set.includes(nfaAccept));

  // Prune: keep states from which an accepting state is reachable.
  const live = new Uint8Array(sets.length);
  const reverse: number[][] = Array.from({ length: sets.length }, () => []);
  rows.forEach((row, from) => {
    for (let b = 0; b < 256; b++) if (row[b] >= 0) reverse[row[b]].push(from);
  });
  const stack: number[] = [];
  accepting.forEach((yes, s) => {
    if (yes) {
      live[s] = 1;
      stack.push(s);
    }
  });
  while (stack.length > 0) {
    const s = stack.pop() as number;
    for (const from of reverse[s]) {
      if (!live[from]) {
        live[from] = 1;
        stack.push(from);
      }
    }
  }
  // Renumber live states reachable from the start (state 0 stays 0 when live).
  const renumber = new Int32Array(sets.length).fill(-1);
  const order: number[] = [];
  if (live[0]) {
    renumber[0] = 0;
    order.push(0);
    for (let i = 0; i < order.length; i++) {
      const row = rows[order[i]];
      for (let b = 0; b < 256; b++) {
        const t = row[b];
        if (t >= 0 && live[t] && renumber[t] < 0) {
          renumber[t] = order.length;
          order.push(t);
        }
      }
    }
  }
  const next = new Int32Array(Math.max(order.length, 1) * 256).fill(-1);
  const acceptingOut = new Uint8Array(Math.max(order.length, 1));
  order.forEach((old, s) => {
    for (let b = 0; b < 256; b++) {
      const t = rows[old][b];
      next[s * 256 + b] = t >= 0 && live[t] ? renumber[t] : -1;
    }
    acceptingOut[s] = accepting[old] ? 1 : 0;
  });
  return { states: order.length, next, accepting: acceptingOut };
}
