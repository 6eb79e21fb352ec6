// Measures the constrained samplers on the tiny zoo (tiny-lm, 4096 tokens), on regex and JSON Schema
// tasks built from the test split (packages/models-tiny/data/test.jsonl):
// - constraint evaluations per token and wall time per token of token masking, ARS and AWRS;
// - validity rate and quality (mean log-probability per token under the unconstrained model) of
//   unconstrained sampling, masking, AWRS and SMC (AWRS weights, one output drawn by weight).
// - grammar-aware speculation: τ, speedup over constrained autoregressive decoding (greedy, token
//   masking) and the share of draft nodes cut by the constraint, for PLD and SpS (tiny-lm-draft),
//   with a check that every greedy output equals constrained autoregressive decoding.
// Usage (after `pnpm --filter @decodekit/constrained build`):
//   node bench/measure-samplers.mjs [--prompts 6] [--repetitions 3] [--particles 8] [--json out.json]
// Prints a Markdown table; figures are medians over repetitions (each repetition: every prompt once).
import { writeFileSync } from 'node:fs';
import { createRng, generate, greedySampler, matrixRow, multinomialSampler } from '@decodekit/core';
import { speculativeSampling } from '@decodekit/drafter-model';
import { promptLookup } from '@decodekit/drafter-ngram';
import { readSplit, tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { defaultVerifier } from '@decodekit/verifiers';
import {
  awrs,
  constrainedDecoding,
  constrainedSpeculative,
  jsonSchemaConstraint,
  regexConstraint,
  rejectionSampling,
  smc,
  tokenizerVocabulary,
  tokenMasking,
} from '../dist/index.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const promptCount = Number(option('prompts', 6));
const repetitions = Number(option('repetitions', 3));
const particles = Number(option('particles', 8));
const jsonOut = option('json', undefined);
const temperature = 1;

const tokenizer = await loadTokenizer(tinyLm);
const vocabulary = tokenizerVocabulary(tokenizer);
const model = await loadModel(tinyLm, { intraOpNumThreads: 1 });
const draftModel = await loadModel(tinyLmDraft, { intraOpNumThreads: 1 });
const encode = (text) => Array.from(tokenizer.encode(text, { addSpecialTokens: false }));

// Prompts: the 300 characters before a verse number (KJV) or a `def` (Python) in test-split documents.
function promptsBefore(domain, pattern, count) {
  const prompts = [];
  for (const doc of readSplit('test', domain)) {
    const matches = [...doc.text.matchAll(pattern)].filter((m) => m.index > 300);
    if (matches.length === 0) continue;
    const m = matches[Math.floor(matches.length / 2)];
    prompts.push(doc.text.slice(m.index - 300, m.index + m[0].length));
    if (prompts.length === count) break;
  }
  return prompts;
}

const verse = '[A-Z][a-z]*( [A-Za-z]+[,;:]?){2,20}\\.';
const signature = 'def [a-z_][a-z0-9_]*\\(([a-z_][a-z0-9_]*(, [a-z_][a-z0-9_]*)*)?\\):';
const verseSchema = {
  type: 'object',
  properties: {
    book: { type: 'string', maxLength: 16 },
    chapter: { type: 'integer', minimum: 1, maximum: 150 },
    verse: { type: 'integer', minimum: 1, maximum: 176 },
    text: { type: 'string', maxLength: 60 },
  },
  required: ['book', 'chapter', 'verse', 'text'],
};
const tasks = [
  {
    name: 'regex: KJV verse',
    make: () => regexConstraint(verse, vocabulary),
    prompts: promptsBefore('kjv', /\n\d+ /g, promptCount),
    maxNewTokens: 48,
  },
  {
    name: 'regex: Python def signature',
    make: () => regexConstraint(signature, vocabulary),
    prompts: promptsBefore('python', /\n {4}(?=def )/g, promptCount),
    maxNewTokens: 32,
  },
  {
    name: 'JSON Schema: verse record',
    make: () => jsonSchemaConstraint(verseSchema, vocabulary),
    prompts: promptsBefore('kjv', /\n\d+ /g, promptCount).map((p) => `${p.slice(0, -2)}\n`),
    maxNewTokens: 96,
  },
];

// Whether the generated tokens (eos dropped) form a complete match.
function isValid(constraint, tokens) {
  let state = constraint.start();
  for (const token of tokens) {
    if (token === vocabulary.eos) break;
    state = constraint.advance(state, token);
    if (state === undefined) return false;
  }
  return constraint.isComplete(state);
}

// Mean log-probability per token of `output` after `prompt` under the unconstrained model (T = 1).
async function meanLogProb(prompt, output) {
  const sequence = model.openSequence();
  try {
    const all = [...prompt, ...output];
    const result = await sequence.forward({ tokens: all }, { logits: 'all' });
    let total = 0;
    for (let i = 0; i < output.length; i++) {
      const row = matrixRow(result.logits, prompt.length - 1 + i);
      let max = Number.NEGATIVE_INFINITY;
      for (const x of row) if (x > max) max = x;
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      total += row[output[i]] - max - Math.log(sum);
    }
    return total / output.length;
  } finally {
    await sequence.dispose();
  }
}

const methods = ['unconstrained', 'mask', 'ars', 'awrs', 'smc'];
const tokenSamplers = { mask: tokenMasking, ars: rejectionSampling, awrs };

async function runOnce(task, method, prompt, seed) {
  const constraint = task.make();
  const sampler = multinomialSampler(temperature);
  const started = performance.now();
  if (method === 'smc') {
    let result;
    try {
      result = await smc({ model, prompt, constraint, sampler, particles, maxNewTokens: task.maxNewTokens, seed });
    } catch (error) {
      // Every particle died (none completed within maxNewTokens): an invalid output.
      if (error?.name !== 'ConstraintDeadEndError') throw error;
      return { ms: performance.now() - started, tokens: 0, evaluations: 0, valid: false, output: [] };
    }
    const ms = performance.now() - started;
    // One output drawn by weight: what a user of the SMC posterior gets.
    let u = createRng(seed + 7).next();
    let chosen = result.particles[result.particles.length - 1];
    for (const particle of result.particles) {
      u -= particle.weight;
      if (u < 0) {
        chosen = particle;
        break;
      }
    }
    const tokens = chosen.tokens.filter((t) => t !== vocabulary.eos);
    return {
      ms,
      tokens: result.stats.tokens,
      evaluations: result.stats.evaluations,
      valid: chosen.status === 'complete' && isValid(constraint, chosen.tokens),
      output: tokens,
    };
  }
  const strategy =
    method === 'unconstrained' ? undefined : constrainedDecoding({ constraint, tokenSampler: tokenSamplers[method]() });
  const result = await generate({
    model,
    prompt,
    sampler,
    maxNewTokens: task.maxNewTokens,
    seed,
    stopTokens: [vocabulary.eos],
    ...(strategy ? { strategy } : {}),
  });
  const ms = performance.now() - started;
  return {
    ms,
    tokens: result.tokens.length,
    evaluations: strategy ? strategy.stats.evaluations : 0,
    valid: result.finishReason === 'stop' && isValid(constraint, result.tokens),
    output: result.tokens.filter((t) => t !== vocabulary.eos),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const rows = [];
for (const task of tasks) {
  const prompts = task.prompts.map(encode);
  for (const method of methods) {
    const perRep = [];
    const logProbs = [];
    let valid = 0;
    let runs = 0;
    for (let rep = 0; rep < repetitions; rep++) {
      let ms = 0;
      let tokens = 0;
      let evaluations = 0;
      for (let i = 0; i < prompts.length; i++) {
        const seed = 1000 * rep + i;
        const r = await runOnce(task, method, prompts[i], seed);
        ms += r.ms;
        tokens += r.tokens;
        evaluations += r.evaluations;
        runs++;
        if (r.valid) valid++;
        if (r.output.length > 0) logProbs.push(await meanLogProb(prompts[i], r.output));
      }
      perRep.push({
        msPerToken: ms / tokens,
        evaluationsPerToken: evaluations / tokens,
        msPerPrompt: ms / prompts.length,
      });
    }
    const row = {
      task: task.name,
      method,
      evaluationsPerToken: median(perRep.map((r) => r.evaluationsPerToken)),
      msPerToken: median(perRep.map((r) => r.msPerToken)),
      msPerPrompt: median(perRep.map((r) => r.msPerPrompt)),
      validity: valid / runs,
      meanLogProb: logProbs.reduce((a, b) => a + b, 0) / Math.max(1, logProbs.length),
      runs,
    };
    rows.push(row);
    process.stderr.write(`${row.task} · ${row.method}: done\n`);
  }
}

// Grammar-aware speculation, greedy: every method on every prompt, interleaved, per repetition.
const speculationRows = [];
const speculationMethods = {
  'constrained AR (mask)': (constraint) => constrainedDecoding({ constraint, tokenSampler: tokenMasking() }),
  'constrained AR (awrs)': (constraint) => constrainedDecoding({ constraint, tokenSampler: awrs() }),
  'grammar-aware PLD': (constraint) =>
    constrainedSpeculative({ drafter: promptLookup(), verifier: defaultVerifier(), constraint }),
  'grammar-aware SpS (γ = 4)': (constraint) =>
    constrainedSpeculative({
      drafter: speculativeSampling({ draftModel, gamma: 4 }),
      verifier: defaultVerifier(),
      constraint,
    }),
};
for (const task of tasks) {
  const prompts = task.prompts.map(encode);
  const names = Object.keys(speculationMethods);
  const perMethod = Object.fromEntries(
    names.map((name) => [name, { ms: [], tokens: 0, forwards: 0, drafted: 0, cut: 0, mismatches: 0 }]),
  );
  for (let rep = 0; rep < repetitions; rep++) {
    const msThisRep = Object.fromEntries(names.map((name) => [name, 0]));
    for (const prompt of prompts) {
      let reference;
      for (const name of names) {
        const strategy = speculationMethods[name](task.make());
        const started = performance.now();
        const result = await generate({
          model,
          prompt,
          strategy,
          sampler: greedySampler(),
          maxNewTokens: task.maxNewTokens,
          stopTokens: [vocabulary.eos],
        });
        msThisRep[name] += performance.now() - started;
        const entry = perMethod[name];
        entry.tokens += result.tokens.length;
        entry.forwards += result.stats.targetForwards;
        entry.drafted += strategy.stats.drafted ?? 0;
        entry.cut += strategy.stats.cut ?? 0;
        if (reference === undefined) reference = result.tokens;
        else if (result.tokens.join(',') !== reference.join(',')) entry.mismatches++;
      }
    }
    for (const name of names) perMethod[name].ms.push(msThisRep[name]);
  }
  const base = perMethod[names[0]].ms;
  for (const name of names) {
    const entry = perMethod[name];
    speculationRows.push({
      task: task.name,
      method: name,
      tau: entry.tokens / entry.forwards,
      speedup: median(entry.ms.map((ms, rep) => base[rep] / ms)),
      drafted: entry.drafted,
      cutShare: entry.drafted > 0 ? entry.cut / entry.drafted : 0,
      mismatches: entry.mismatches,
      runs: prompts.length * repetitions,
    });
  }
  process.stderr.write(`${task.name} · speculation: done\n`);
}

const fmt = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const lines = [
  `tiny-lm, temperature ${temperature}, up to ${promptCount} prompts per task (runs = prompts × repetitions), ${repetitions} repetitions (medians), SMC with ${particles} particles (AWRS weights); evaluations: single-token checks, a full mask counts ${vocabulary.size}`,
  '',
  '| task | method | constraint evaluations / token | ms / token | ms / prompt | validity | mean log p / token (unconstrained model) |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.task} | ${r.method} | ${r.method === 'unconstrained' ? '—' : fmt(r.evaluationsPerToken, 1)} | ${fmt(r.msPerToken, 2)} | ${fmt(r.msPerPrompt, 0)} | ${(100 * r.validity).toFixed(0)}% (${r.runs}) | ${fmt(r.meanLogProb, 3)} |`,
  ),
];
lines.push(
  '',
  `Grammar-aware speculation (greedy, token masking in the verifier; speedup = constrained AR (mask) time / method time per repetition, median of ${repetitions}):`,
  '',
  '| task | method | τ (tokens / target forward) | speedup vs constrained AR (mask) | draft nodes | cut by the constraint | greedy output = constrained AR |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ...speculationRows.map(
    (r) =>
      `| ${r.task} | ${r.method} | ${fmt(r.tau, 2)} | ${fmt(r.speedup, 2)}× | ${r.drafted} | ${r.drafted > 0 ? `${(100 * r.cutShare).toFixed(1)}%` : '—'} | ${r.mismatches === 0 ? 'yes' : `no (${r.mismatches} of ${r.runs})`} (${r.runs}) |`,
  ),
);
process.stdout.write(`${lines.join('\n')}\n`);
if (jsonOut)
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ promptCount, repetitions, particles, temperature, rows, speculationRows }, null, 2)}\n`,
  );
await model.dispose();
await draftModel.dispose();
