import {
  type CausalLM,
  DecodekitError,
  type DecodekitErrorCode,
  type ForwardOutput,
  type Matrix,
  type MaybePromise,
  matrixRow,
  pathTo,
  type Sequence,
  type TokenBlock,
} from '@decodekit/core';
import { combineHash, mix32 } from '../hash.js';
import { type CheckResult, failed, guardCheck, passed } from './check-result.js';

export interface SequenceCheckOptions {
  /** Largest absolute logits difference treated as equal (default 1e-4, fp32 recomputation). */
  readonly atol?: number;
  /** Seed of the pseudo-random token ids the checks use (default 0). */
  readonly seed?: number;
  /** Token ids the checks draw from (default: all of [0, vocabSize)); use ordinary text tokens for real models. */
  readonly tokens?: readonly number[];
  /** Test the context-overflow errors at the full context length (default true; costs one forward of contextLength − 1 tokens). */
  readonly fullContext?: boolean;
}

/** The checks of `describeSequenceConformance`, in order, each given an open model. */
export const sequenceChecks: readonly {
  readonly title: string;
  readonly run: (model: CausalLM, options?: SequenceCheckOptions) => Promise<CheckResult>;
}[] = [
  { title: 'forward returns one logits row per block token; last and none options', run: checkForwardShapes },
  { title: 'truncate equals recomputation from scratch', run: checkTruncate },
  { title: 'accept of a chain block equals recomputation', run: checkChainAccept },
  {
    title: 'tree blocks: every node equals its root-to-node path run as a chain; accept gathers the path',
    run: checkTreeBlock,
  },
  { title: 'fork is isolated from its origin', run: checkForkIsolation },
  { title: 'forwardBatch equals forwarding each sequence alone', run: checkForwardBatch },
  { title: 'hidden states follow the capability flag', run: checkHiddenStates },
  { title: 'out-of-range tokens throw TokenOutOfRangeError and change nothing', run: checkTokenErrors },
  { title: 'blocks beyond the context length throw ContextOverflowError', run: checkContextOverflow },
  { title: 'an aborted signal throws AbortError and changes nothing', run: checkAbortSignal },
];

/** Deterministic pseudo-random token ids for the checks. */
function makeTokens(model: CausalLM, options: SequenceCheckOptions) {
  const pool = options.tokens ?? undefined;
  const seed = mix32((options.seed ?? 0) ^ 0x51ed270b);
  return (count: number, salt: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const h = combineHash(combineHash(seed, salt), i);
      out.push(pool ? pool[h % pool.length] : h % model.vocabSize);
    }
    return out;
  };
}

async function runAll(model: CausalLM, tokens: readonly number[], extra: TokenBlock['parents'] = undefined) {
  const sequence = await model.openSequence();
  try {
    return await sequence.forward({ tokens, parents: extra }, { logits: 'all' });
  } finally {
    await sequence.dispose();
  }
}

/** Logits after `tokens` computed from scratch in a fresh sequence (the last row). */
async function recomputeLast(model: CausalLM, tokens: readonly number[], hiddenStates = false) {
  const sequence = await model.openSequence();
  try {
    const output = await sequence.forward({ tokens }, { logits: 'last', hiddenStates });
    return {
      logits: matrixRow(output.logits, 0).slice(),
      hidden: output.hiddenStates ? matrixRow(output.hiddenStates, output.hiddenStates.rows - 1).slice() : undefined,
    };
  } finally {
    await sequence.dispose();
  }
}

/** Largest |a − b|, with the index where it happens (infinite values must match exactly). */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): { difference: number; index: number } {
  let difference = 0;
  let index = -1;
  if (a.length !== b.length) return { difference: Number.POSITIVE_INFINITY, index: -1 };
  for (let i = 0; i < a.length; i++) {
    const d = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]);
    if (!(d <= difference)) {
      difference = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      index = i;
    }
  }
  return { difference, index };
}

function describeDifference(
  what: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  atol: number,
): string | undefined {
  const { difference, index } = maxDifference(a, b);
  if (difference <= atol) return undefined;
  if (index < 0) return `${what}: lengths differ (${a.length} vs ${b.length})`;
  return `${what}: differs by ${difference.toExponential(3)} (atol ${atol}) at index ${index}: ${a[index]} vs ${b[index]} recomputed`;
}

/**
 * Runs `probe` on `sequence` and compares its logits (every row) with a fresh sequence that runs
 * `expected` followed by `probe`; also checks `tokens()` and `length`.
 */
async function compareWithRecompute(
  model: CausalLM,
  sequence: Sequence,
  expected: readonly number[],
  probe: readonly number[],
  atol: number,
  what: string,
): Promise<string | undefined> {
  const cached = Array.from(await sequence.tokens());
  if (sequence.length !== expected.length || cached.join(',') !== expected.join(',')) {
    return `${what}: the sequence holds [${cached}] (length ${sequence.length}) but should hold [${expected}]`;
  }
  const output = await sequence.forward({ tokens: probe }, { logits: 'all' });
  const fresh = await runAll(model, [...expected, ...probe]);
  for (let k = 0; k < probe.length; k++) {
    const problem = describeDifference(
      `${what}: logits after probe token ${k}`,
      matrixRow(output.logits, k),
      matrixRow(fresh.logits, expected.length + k),
      atol,
    );
    if (problem) return problem;
  }
  return undefined;
}

/** Awaits `work` and returns undefined if it threw a decodekit error with `code`, else a description of what happened. */
async function expectErrorCode(work: () => MaybePromise<unknown>, code: DecodekitErrorCode, what: string) {
  try {
    await work();
  } catch (error) {
    if (DecodekitError.is(error) && error.code === code) return undefined;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return `${what}: expected a DecodekitError with code '${code}', got ${text}${DecodekitError.is(error) ? ` (code '${error.code}')` : ''}`;
  }
  return `${what}: expected a DecodekitError with code '${code}', but it did not throw`;
}

function shapeProblem(output: ForwardOutput, rows: number, columns: number, what: string): string | undefined {
  const m: Matrix = output.logits;
  if (m.rows !== rows || m.columns !== columns || m.data.length !== rows * columns) {
    return `${what}: logits are ${m.rows} x ${m.columns} (${m.data.length} values), expected ${rows} x ${columns}`;
  }
  return undefined;
}

/** `logits: 'all'` gives one row per block token, `'last'` the last of them, `'none'` no rows; `length` and `tokens()` follow. */
export function checkForwardShapes(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'forward shapes';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(6, 1);
    const block = tokens(3, 2);
    const sequence = await model.openSequence();
    try {
      if (sequence.length !== 0) return failed(check, `a new sequence has length ${sequence.length}, expected 0`);
      const all = await sequence.forward({ tokens: prompt });
      const problem =
        shapeProblem(all, prompt.length, model.vocabSize, 'forward with default options') ??
        (sequence.length !== prompt.length
          ? `after a ${prompt.length}-token forward length is ${sequence.length}`
          : undefined);
      if (problem) return failed(check, problem);
      const fork = await sequence.fork();
      try {
        const last = await sequence.forward({ tokens: block }, { logits: 'last' });
        const none = await fork.forward({ tokens: block }, { logits: 'none' });
        const full = await runAll(model, [...prompt, ...block]);
        const problem2 =
          shapeProblem(last, 1, model.vocabSize, "logits: 'last'") ??
          shapeProblem(none, 0, model.vocabSize, "logits: 'none'") ??
          describeDifference(
            "logits: 'last'",
            matrixRow(last.logits, 0),
            matrixRow(full.logits, full.logits.rows - 1),
            atol,
          ) ??
          (fork.length !== prompt.length + block.length
            ? `after logits: 'none' the length is ${fork.length}`
            : undefined);
        if (problem2) return failed(check, problem2);
        // Rows of a multi-token block equal one-token-at-a-time decoding.
        const stepwise = await model.openSequence();
        try {
          const everything = [...prompt, ...block];
          for (let i = 0; i < everything.length; i++) {
            const step = await stepwise.forward({ tokens: [everything[i]] }, { logits: 'last' });
            const p = describeDifference(
              `token-by-token forward, position ${i}`,
              matrixRow(step.logits, 0),
              matrixRow(full.logits, i),
              atol,
            );
            if (p) return failed(check, p);
          }
        } finally {
          await stepwise.dispose();
        }
      } finally {
        await fork.dispose();
      }
      return passed(check, 'logits shapes, last/none options and token-by-token equality hold');
    } finally {
      await sequence.dispose();
    }
  });
}

/** After `truncate(n)`, the sequence behaves as if only its first n tokens had ever been run. */
export function checkTruncate(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'truncate';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(10, 3);
    const probe = tokens(3, 4);
    for (const keep of [10, 7, 1, 0]) {
      const sequence = await model.openSequence();
      try {
        await sequence.forward({ tokens: prompt }, { logits: 'none' });
        await sequence.forward({ tokens: tokens(4, 5) }, { logits: 'none' });
        await sequence.truncate(keep);
        const problem = await compareWithRecompute(
          model,
          sequence,
          prompt.slice(0, keep),
          probe,
          atol,
          `truncate(${keep})`,
        );
        if (problem) return failed(check, problem);
      } finally {
        await sequence.dispose();
      }
    }
    return passed(check, 'truncate to 10, 7, 1 and 0 tokens matches recomputation');
  });
}

/** `accept(path)` of a chain block keeps the prefix `path` of the block. */
export function checkChainAccept(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'chain accept';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(5, 6);
    const block = tokens(4, 7);
    const probe = tokens(2, 8);
    for (const keep of [4, 2, 0]) {
      const sequence = await model.openSequence();
      try {
        await sequence.forward({ tokens: prompt }, { logits: 'none' });
        await sequence.forward({ tokens: block }, { logits: 'all' });
        const path = Array.from({ length: keep }, (_, k) => k);
        await sequence.accept(path);
        const problem = await compareWithRecompute(
          model,
          sequence,
          [...prompt, ...block.slice(0, keep)],
          probe,
          atol,
          `accept([${path}]) of a chain block`,
        );
        if (problem) return failed(check, problem);
      } finally {
        await sequence.dispose();
      }
    }
    return passed(check, 'accepting 4, 2 and 0 tokens of a chain block matches recomputation');
  });
}

/** A branching tree: depths differ from block indices, and a second root child follows a deep branch. */
const treeParents = [-1, 0, 0, 1, 3, -1, 5, 2];

/**
 * Tree blocks: each node's logits (and hidden state) equal those of its root-to-node path run as a
 * chain; `forward` before `accept` throws `InvalidStateError`; `accept(path)` keeps exactly the path.
 * Models without `treeAttention` must reject a branching block with `CapabilityError`.
 */
export function checkTreeBlock(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'tree block';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(6, 9);
    const blockTokens = tokens(treeParents.length, 10);
    const sequence = await model.openSequence();
    try {
      await sequence.forward({ tokens: prompt }, { logits: 'none' });
      if (!model.capabilities.treeAttention) {
        const problem = await expectErrorCode(
          () => sequence.forward({ tokens: blockTokens, parents: treeParents }),
          'missing-capability',
          'a tree block on a model without treeAttention',
        );
        if (problem) return failed(check, problem);
        // A chain written with explicit parents is still a chain.
        const chainParents = blockTokens.map((_, i) => i - 1);
        await sequence.forward({ tokens: blockTokens, parents: chainParents }, { logits: 'none' });
        return passed(
          check,
          'chain-only model: tree blocks are rejected with CapabilityError, explicit chain parents work',
        );
      }
      const hidden = model.capabilities.hiddenStates;
      const output = await sequence.forward(
        { tokens: blockTokens, parents: treeParents },
        { logits: 'all', hiddenStates: hidden },
      );
      const shape = shapeProblem(output, treeParents.length, model.vocabSize, 'tree block');
      if (shape) return failed(check, shape);
      if (sequence.length !== prompt.length + treeParents.length) {
        return failed(
          check,
          `after a ${treeParents.length}-node tree block the length is ${sequence.length}, expected ${prompt.length + treeParents.length}`,
        );
      }
      const listed = Array.from(await sequence.tokens());
      const asGiven = [...prompt, ...blockTokens];
      if (listed.join(',') !== asGiven.join(',')) {
        return failed(
          check,
          `before accept, tokens() is [${listed}] but should list the prefix and the tree block as given: [${asGiven}]`,
        );
      }
      for (let node = 0; node < treeParents.length; node++) {
        const path = pathTo(treeParents, node).map((i) => blockTokens[i]);
        const chain = await recomputeLast(model, [...prompt, ...path], hidden);
        const problem =
          describeDifference(
            `tree node ${node} (path [${pathTo(treeParents, node)}]) logits vs the path run as a chain`,
            matrixRow(output.logits, node),
            chain.logits,
            atol,
          ) ??
          (hidden && output.hiddenStates && chain.hidden
            ? describeDifference(
                `tree node ${node} hidden state vs the path run as a chain`,
                matrixRow(output.hiddenStates, node),
                chain.hidden,
                atol,
              )
            : undefined);
        if (problem) return failed(check, problem);
      }
      const lastOnly = await model.openSequence();
      try {
        await lastOnly.forward({ tokens: prompt }, { logits: 'none' });
        const last = await lastOnly.forward({ tokens: blockTokens, parents: treeParents }, { logits: 'last' });
        const lastProblem =
          shapeProblem(last, 1, model.vocabSize, "tree block with logits: 'last'") ??
          describeDifference(
            "tree block with logits: 'last' vs the last node of 'all'",
            matrixRow(last.logits, 0),
            matrixRow(output.logits, treeParents.length - 1),
            atol,
          );
        if (lastProblem) return failed(check, lastProblem);
      } finally {
        await lastOnly.dispose();
      }
      const unsettled = await expectErrorCode(
        () => sequence.forward({ tokens: [blockTokens[0]] }),
        'invalid-state',
        'forward after an unaccepted tree block',
      );
      if (unsettled) return failed(check, unsettled);
      const accepted = pathTo(treeParents, 4);
      await sequence.accept(accepted);
      const problem = await compareWithRecompute(
        model,
        sequence,
        [...prompt, ...accepted.map((i) => blockTokens[i])],
        tokens(3, 11),
        atol,
        `accept([${accepted}]) of a tree block`,
      );
      if (problem) return failed(check, problem);
      // A second tree after the gathered path, accepting a branch that is not the first.
      await sequence.truncate(prompt.length + accepted.length);
      await sequence.forward({ tokens: blockTokens, parents: treeParents }, { logits: 'none' });
      const second = pathTo(treeParents, 6);
      await sequence.accept(second);
      const problem2 = await compareWithRecompute(
        model,
        sequence,
        [...prompt, ...accepted.map((i) => blockTokens[i]), ...second.map((i) => blockTokens[i])],
        tokens(2, 12),
        atol,
        `a second tree block, accept([${second}])`,
      );
      if (problem2) return failed(check, problem2);
      return passed(check, `all ${treeParents.length} tree nodes match their chains; accept gathers the path`);
    } finally {
      await sequence.dispose();
    }
  });
}

/** A fork and its origin do not see each other's later forwards, truncations or disposal. */
export function checkForkIsolation(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'fork isolation';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(7, 13);
    const a = tokens(3, 14);
    const b = tokens(2, 15);
    const origin = await model.openSequence();
    let originDisposed = false;
    let fork: Sequence | undefined;
    try {
      await origin.forward({ tokens: prompt }, { logits: 'none' });
      fork = await origin.fork();
      await origin.forward({ tokens: a }, { logits: 'none' });
      await fork.truncate(5);
      await fork.forward({ tokens: b }, { logits: 'none' });
      const problem =
        (await compareWithRecompute(
          model,
          origin,
          [...prompt, ...a],
          tokens(2, 16),
          atol,
          'origin after its fork was changed',
        )) ??
        (await compareWithRecompute(
          model,
          fork,
          [...prompt.slice(0, 5), ...b],
          tokens(2, 17),
          atol,
          'fork after its origin was changed',
        ));
      if (problem) return failed(check, problem);
      await origin.dispose();
      originDisposed = true;
      const after = await compareWithRecompute(
        model,
        fork,
        [...prompt.slice(0, 5), ...b, ...tokens(2, 17)],
        tokens(2, 18),
        atol,
        'fork after its origin was disposed',
      );
      if (after) return failed(check, after);
      return passed(check, 'origin and fork stay independent, also after the origin is disposed');
    } finally {
      if (!originDisposed) await origin.dispose();
      await fork?.dispose();
    }
  });
}

/** `forwardBatch` returns, for each item, what `forward` on that sequence alone would. */
export function checkForwardBatch(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'forwardBatch';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompts = [tokens(4, 19), tokens(6, 20)];
    const blocks = [tokens(2, 21), tokens(3, 22)];
    const sequences: Sequence[] = [];
    try {
      for (const prompt of prompts) {
        const s = await model.openSequence();
        sequences.push(s);
        await s.forward({ tokens: prompt }, { logits: 'none' });
      }
      const outputs = await model.forwardBatch(
        sequences.map((sequence, i) => ({ sequence, block: { tokens: blocks[i] } })),
        { logits: 'all' },
      );
      if (outputs.length !== sequences.length)
        return failed(check, `forwardBatch returned ${outputs.length} outputs for ${sequences.length} items`);
      for (let i = 0; i < sequences.length; i++) {
        const fresh = await runAll(model, [...prompts[i], ...blocks[i]]);
        const shape = shapeProblem(outputs[i], blocks[i].length, model.vocabSize, `forwardBatch item ${i}`);
        if (shape) return failed(check, shape);
        for (let k = 0; k < blocks[i].length; k++) {
          const problem = describeDifference(
            `forwardBatch item ${i}, block token ${k}`,
            matrixRow(outputs[i].logits, k),
            matrixRow(fresh.logits, prompts[i].length + k),
            atol,
          );
          if (problem) return failed(check, problem);
        }
        if (sequences[i].length !== prompts[i].length + blocks[i].length) {
          return failed(
            check,
            `forwardBatch item ${i}: the sequence length is ${sequences[i].length}, expected ${prompts[i].length + blocks[i].length}`,
          );
        }
      }
      return passed(check, 'forwardBatch matches separate forwards');
    } finally {
      for (const s of sequences) await s.dispose();
    }
  });
}

/** With `hiddenStates`, forward returns `[block length, hiddenSize]` finite values; without it, asking throws `CapabilityError`. */
export function checkHiddenStates(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'hidden states';
  return guardCheck(check, async () => {
    const tokens = makeTokens(model, options);
    const block = tokens(5, 23);
    const sequence = await model.openSequence();
    try {
      if (!model.capabilities.hiddenStates) {
        const problem = await expectErrorCode(
          () => sequence.forward({ tokens: block }, { hiddenStates: true }),
          'missing-capability',
          'asking a model without hiddenStates for hidden states',
        );
        return problem
          ? failed(check, problem)
          : passed(check, 'the model has no hidden states and says so with CapabilityError');
      }
      const output = await sequence.forward({ tokens: block }, { logits: 'last', hiddenStates: true });
      const h = output.hiddenStates;
      if (!h)
        return failed(
          check,
          'capabilities.hiddenStates is true but forward({ hiddenStates: true }) returned no hiddenStates',
        );
      if (h.rows !== block.length || h.columns !== model.hiddenSize || h.data.length !== h.rows * h.columns) {
        return failed(
          check,
          `hiddenStates are ${h.rows} x ${h.columns}, expected ${block.length} x ${model.hiddenSize} (hiddenSize)`,
        );
      }
      for (let i = 0; i < h.data.length; i++) {
        if (!Number.isFinite(h.data[i])) return failed(check, `hiddenStates value ${i} is ${h.data[i]}`);
      }
      return passed(check, `hidden states are ${h.rows} x ${h.columns} and finite`);
    } finally {
      await sequence.dispose();
    }
  });
}

/** Token ids outside [0, vocabSize) throw `TokenOutOfRangeError`, and the sequence is unchanged. */
export function checkTokenErrors(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'token errors';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(4, 24);
    const sequence = await model.openSequence();
    try {
      await sequence.forward({ tokens: prompt }, { logits: 'none' });
      for (const bad of [model.vocabSize, -1]) {
        const problem = await expectErrorCode(
          () => sequence.forward({ tokens: [tokens(1, 25)[0], bad] }),
          'token-out-of-range',
          `forward with token id ${bad}`,
        );
        if (problem) return failed(check, problem);
      }
      const problem = await compareWithRecompute(
        model,
        sequence,
        prompt,
        tokens(2, 26),
        atol,
        'the sequence after rejected forwards',
      );
      if (problem) return failed(check, problem);
      return passed(check, 'token ids vocabSize and -1 are rejected without changing the sequence');
    } finally {
      await sequence.dispose();
    }
  });
}

/** A block that would not fit in `contextLength` throws `ContextOverflowError`; one that exactly fits works. */
export function checkContextOverflow(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'context overflow';
  return guardCheck(check, async () => {
    const tokens = makeTokens(model, options);
    const n = model.contextLength;
    const sequence = await model.openSequence();
    try {
      const tooLong = await expectErrorCode(
        () => sequence.forward({ tokens: tokens(n + 1, 27) }, { logits: 'none' }),
        'context-overflow',
        `a ${n + 1}-token block on an empty sequence (contextLength ${n})`,
      );
      if (tooLong) return failed(check, tooLong);
      if (sequence.length !== 0) return failed(check, `a rejected block changed the length to ${sequence.length}`);
      if (options.fullContext === false)
        return passed(check, 'an over-long block is rejected (full-context part not run)');
      await sequence.forward({ tokens: tokens(n - 1, 28) }, { logits: 'none' });
      const overflow = await expectErrorCode(
        () => sequence.forward({ tokens: tokens(2, 29) }, { logits: 'none' }),
        'context-overflow',
        `a 2-token block after ${n - 1} cached tokens (contextLength ${n})`,
      );
      if (overflow) return failed(check, overflow);
      if (sequence.length !== n - 1)
        return failed(check, `a rejected block changed the length from ${n - 1} to ${sequence.length}`);
      await sequence.forward({ tokens: tokens(1, 30) }, { logits: 'last' });
      if (sequence.length !== n)
        return failed(check, `after filling the context the length is ${sequence.length}, expected ${n}`);
      return passed(check, `blocks beyond ${n} tokens are rejected; exactly ${n} fit`);
    } finally {
      await sequence.dispose();
    }
  });
}

/**
 * After `dispose()`, a sequence's `forward`, `accept`, `truncate` and `fork` throw `DisposedError`;
 * after the model's `dispose()`, its sequences cannot be used either. Opens its own model.
 */
export function checkDisposal(
  openModel: () => MaybePromise<CausalLM>,
  options: SequenceCheckOptions = {},
): Promise<CheckResult> {
  const check = 'dispose';
  return guardCheck(check, async () => {
    const model = await openModel();
    const tokens = makeTokens(model, options);
    try {
      const sequence = await model.openSequence();
      await sequence.forward({ tokens: tokens(3, 31) }, { logits: 'none' });
      await sequence.dispose();
      const calls: [string, () => MaybePromise<unknown>][] = [
        ['forward', () => sequence.forward({ tokens: tokens(1, 32) })],
        ['accept', () => sequence.accept([])],
        ['truncate', () => sequence.truncate(0)],
        ['fork', () => sequence.fork()],
      ];
      for (const [name, call] of calls) {
        const problem = await expectErrorCode(call, 'disposed', `${name} on a disposed sequence`);
        if (problem) return failed(check, problem);
      }
      const open = await model.openSequence();
      await open.forward({ tokens: tokens(2, 33) }, { logits: 'none' });
      await model.dispose();
      const problem = await expectErrorCode(
        () => open.forward({ tokens: tokens(1, 34) }),
        'disposed',
        'forward on a sequence of a disposed model',
      );
      if (problem) return failed(check, problem);
      return passed(check, 'disposed sequences and sequences of a disposed model throw DisposedError');
    } finally {
      await model.dispose();
    }
  });
}

/** `forward` with an already-aborted `AbortSignal` throws `AbortError` and leaves the sequence unchanged. */
export function checkAbortSignal(model: CausalLM, options: SequenceCheckOptions = {}): Promise<CheckResult> {
  const check = 'abort signal';
  return guardCheck(check, async () => {
    const atol = options.atol ?? 1e-4;
    const tokens = makeTokens(model, options);
    const prompt = tokens(4, 35);
    const sequence = await model.openSequence();
    try {
      await sequence.forward({ tokens: prompt }, { logits: 'none' });
      const controller = new AbortController();
      controller.abort(new Error('test abort'));
      const problem = await expectErrorCode(
        () => sequence.forward({ tokens: tokens(3, 36) }, { signal: controller.signal }),
        'aborted',
        'forward with an aborted signal',
      );
      if (problem) return failed(check, problem);
      const after = await compareWithRecompute(
        model,
        sequence,
        prompt,
        tokens(2, 37),
        atol,
        'the sequence after an aborted forward',
      );
      if (after) return failed(check, after);
      return passed(check, 'an aborted forward throws AbortError and leaves the sequence as it was');
    } finally {
      await sequence.dispose();
    }
  });
}
