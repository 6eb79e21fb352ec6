// Measures constraint compilation and token-index building on the tiny zoo's 4096-token vocabulary.
// Usage (after `pnpm --filter @decodekit/constrained build`): node scripts/measure-index.mjs [runs]
// Prints a Markdown table of medians over `runs` fresh runs (default 7).
import { tinyLm } from '@decodekit/models-tiny';
import { loadTokenizer } from '@decodekit/tokenizer';
import {
  compileRegex,
  gbnfConstraint,
  jsonSchemaConstraint,
  regexConstraint,
  tokenizerVocabulary,
  vocabularyTrie,
} from '../dist/index.js';

const runs = Number(process.argv[2] ?? 7);

const arithmetic = `root ::= expr
expr ::= term (("+" | "-") term)*
term ::= factor (("*" | "/") factor)*
factor ::= [0-9]+ | "(" expr ")"`;
const person = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 40 },
    age: { type: 'integer', minimum: 0, maximum: 130 },
    email: { type: 'string', pattern: '[a-z.]+@[a-z]+\\.(com|org)' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
  required: ['name', 'age'],
};
// Every measurement compiles and indexes afresh (constraints share their index by default).
const fresh = { shareIndex: false };
const cases = [
  ['regex: `\\d{3}-\\d{4}`', (v) => regexConstraint('\\d{3}-\\d{4}', v, fresh), '\\d{3}-\\d{4}'],
  [
    'regex: `[A-Z][a-z]+ \\d{1,3}:\\d{1,3}`',
    (v) => regexConstraint('[A-Z][a-z]+ \\d{1,3}:\\d{1,3}', v, fresh),
    '[A-Z][a-z]+ \\d{1,3}:\\d{1,3}',
  ],
  ['regex: `.*` (every token allowed: worst case)', (v) => regexConstraint('.*', v, fresh), '.*'],
  [
    'regex: email',
    (v) => regexConstraint('[a-z0-9._]+@[a-z0-9]+\\.(com|org|net)', v, fresh),
    '[a-z0-9._]+@[a-z0-9]+\\.(com|org|net)',
  ],
  ['GBNF: arithmetic', (v) => gbnfConstraint(arithmetic, v, fresh)],
  ['JSON Schema: person object', (v) => jsonSchemaConstraint(person, v, fresh)],
  ['JSON Schema: any JSON (`{}`)', (v) => jsonSchemaConstraint({}, v, fresh)],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => x.toFixed(x < 1 ? 3 : 2);

// A fixed walk: the first allowed token in a seeded pseudo-random order, 30 steps.
function walk(constraint) {
  let state = constraint.start();
  const states = [state];
  let seed = 12345;
  for (let i = 0; i < 30; i++) {
    const mask = constraint.mask(state);
    const allowed = [];
    for (let t = 0; t < mask.length; t++) if (mask[t] && t !== constraint.vocabulary.eos) allowed.push(t);
    if (allowed.length === 0) break;
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    state = constraint.advance(state, allowed[seed % allowed.length]);
    states.push(state);
  }
  return states;
}

const rows = [];
const vocabTimes = [];
const trieTimes = [];
let trieNodes = 0;
for (const [name, make, pattern] of cases) {
  const full = [];
  const dfaStates = pattern === undefined ? 0 : compileRegex(pattern).states;
  const compile = [];
  const firstMask = [];
  const cachedMask = [];
  const walkFirst = [];
  const check = [];
  let indexed = 0;
  for (let r = 0; r < runs; r++) {
    // A fresh tokenizer each run: tokenizerVocabulary caches one vocabulary per tokenizer, and the
    // trie and shared indexes are cached per vocabulary object.
    const tokenizer = await loadTokenizer(tinyLm);
    let t = performance.now();
    const vocabulary = tokenizerVocabulary(tokenizer);
    vocabTimes.push(performance.now() - t);
    t = performance.now();
    trieNodes = vocabularyTrie(vocabulary).nodes;
    trieTimes.push(performance.now() - t);
    t = performance.now();
    const constraint = make(vocabulary);
    compile.push(performance.now() - t);
    const start = constraint.start();
    t = performance.now();
    constraint.mask(start);
    firstMask.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < 100; i++) constraint.mask(start);
    cachedMask.push((performance.now() - t) / 100);
    // First visit of the states of a 30-token walk (row building per new state).
    const walked = make(vocabulary);
    t = performance.now();
    const states = walk(walked);
    walkFirst.push((performance.now() - t) / states.length);
    indexed = walked.indexedStates;
    // The whole index: a row for every DFA state (regexes only; grammars have unbounded states).
    if (pattern !== undefined) {
      const all = make(vocabulary);
      t = performance.now();
      for (let state = 0; state < dfaStates; state++) all.row(state);
      full.push(performance.now() - t);
    }
    // Single-token checks on a fresh constraint (no row): allows() on 1000 tokens from the start state.
    const probe = make(vocabulary);
    const s0 = probe.start();
    t = performance.now();
    for (let k = 0; k < 1000; k++) probe.allows(s0, (k * 37) % vocabulary.size);
    check.push((performance.now() - t) / 1000);
  }
  rows.push(
    `| ${name} | ${ms(median(compile))} | ${ms(median(firstMask))} | ${ms(median(walkFirst))} (${indexed} states) | ${pattern === undefined ? '—' : `${ms(median(full))} (${dfaStates} states)`} | ${ms(median(cachedMask))} | ${(median(check) * 1000).toFixed(2)} |`,
  );
}
console.log(
  `Vocabulary from tokenizer.json (4096 tokens): median ${ms(median(vocabTimes))} ms; its byte trie (${trieNodes} nodes, built once per vocabulary, shared): median ${ms(median(trieTimes))} ms (${vocabTimes.length} builds).`,
);
console.log('');
console.log(
  '| constraint | compile (ms) | first mask at start (ms) | mean per step of a 30-token walk, first visits (ms) | whole index, every DFA state (ms) | cached mask (ms) | allows() without index (µs) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log('');
console.log(`Medians over ${runs} runs; node ${process.version}; ${new Date().toISOString()}.`);
