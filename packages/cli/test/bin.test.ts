import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyLm, tinyLmDraft } from '@decodekit/models-tiny';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built executable, as `pnpm demo` and npm's bin link run it (turbo builds before testing).
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function decodekit(args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

const prompt = 'def fibonacci(n):';
let scratch: string;
beforeAll(async () => {
  expect(
    existsSync(bin),
    `${bin} is missing: build the CLI first (pnpm turbo run build --filter @decodekit/cli...)`,
  ).toBe(true);
  scratch = await mkdtemp(join(tmpdir(), 'decodekit-bin-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// Each case starts node and onnxruntime (about a second alone, more on a busy CI machine).
describe('decodekit generate (built bin, tiny model)', { timeout: 60_000 }, () => {
  let greedy: {
    text: string;
    tokens: number[];
    finishReason: string;
    stats: Record<string, unknown>;
    [key: string]: unknown;
  };

  it('prints one JSON object with text, tokens, finish reason and statistics', async () => {
    const run = await decodekit(['generate', '--json', '--threads', '1', '-n', '24', prompt]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    greedy = JSON.parse(run.stdout);
    expect(greedy.tokens.length).toBeGreaterThan(0);
    expect(greedy.tokens.length).toBeLessThanOrEqual(24);
    expect(greedy.tokens.every((token) => Number.isInteger(token) && token >= 0 && token < 4096)).toBe(true);
    expect(typeof greedy.text).toBe('string');
    expect(['stop', 'length']).toContain(greedy.finishReason);
    if (greedy.finishReason === 'length') expect(greedy.tokens).toHaveLength(24);
    const stats = greedy.stats as Record<string, unknown> & { timeMs: Record<string, number> };
    expect(stats.newTokens).toBe(greedy.tokens.length);
    expect(stats.tau).toBe(1); // autoregressive: one token per target forward
    expect(stats.targetForwards).toBe(greedy.tokens.length);
    expect(stats.drafted).toBe(0);
    expect(stats.accepted).toBe(0);
    expect(stats.acceptanceByPosition).toEqual([]);
    expect(Number(stats.tokensPerSecond)).toBeGreaterThan(0);
    for (const phase of ['prefill', 'draft', 'verify', 'sample', 'other', 'total']) {
      expect(stats.timeMs[phase]).toBeGreaterThanOrEqual(0);
    }
    expect(stats.timeMs.total).toBeGreaterThan(0);
    expect(greedy.model).toMatchObject({ name: 'tiny-lm', directory: tinyLm, vocabSize: 4096 });
    expect(greedy.strategy).toBe('autoregressive');
    expect(greedy.prompt).toMatchObject({ text: prompt });
  });

  it.each(['pld', 'token-recycling', 'sps'])('--draft %s gives the same tokens as greedy decoding', async (drafter) => {
    const run = await decodekit(['generate', '--json', '--threads', '1', '-n', '24', '--draft', drafter, prompt]);
    expect(run.code, run.stderr).toBe(0);
    const speculative = JSON.parse(run.stdout);
    expect(speculative.tokens).toEqual(greedy.tokens);
    expect(speculative.text).toBe(greedy.text);
    expect(speculative.strategy).toBe(`speculative:${drafter}`);
    expect(speculative.drafter).toBe(drafter);
    // Only model drafters load a draft model (the tiny draft model by default).
    if (drafter === 'sps') expect(speculative.draftModel).toEqual({ name: 'tiny-lm-draft', directory: tinyLmDraft });
    else expect(speculative.draftModel).toBeUndefined();
    const stats = speculative.stats;
    expect(stats.newTokens).toBe(greedy.tokens.length);
    expect(stats.accepted).toBeLessThanOrEqual(stats.drafted);
    // Each forward commits one target token plus the accepted drafts (a stop may cut the last step short).
    expect(stats.targetForwards).toBeGreaterThanOrEqual(stats.newTokens - stats.accepted);
    expect(stats.targetForwards).toBeLessThanOrEqual(stats.newTokens);
    expect(stats.tau).toBeCloseTo(stats.newTokens / stats.targetForwards, 10);
  });

  it('samples reproducibly with a seed, and reports the sampler settings', async () => {
    const args = [
      'generate',
      '--json',
      '--threads',
      '1',
      '-n',
      '16',
      '-t',
      '0.9',
      '--top-k',
      '50',
      '--seed',
      '11',
      prompt,
    ];
    const [first, second] = await Promise.all([decodekit(args), decodekit(args)]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const a = JSON.parse(first.stdout);
    const b = JSON.parse(second.stdout);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.sampler).toEqual({ temperature: 0.9, topK: 50 });
    expect(a.seed).toBe(11);
  });

  it('--chat renders the chat template around the prompt', async () => {
    const plain = await decodekit(['generate', '--json', '--threads', '1', '-n', '2', 'Who begat Enos?']);
    const chat = await decodekit(['generate', '--json', '--threads', '1', '-n', '2', '--chat', 'Who begat Enos?']);
    expect(chat.code, chat.stderr).toBe(0);
    // <|im_start|>user\n ... <|im_end|>\n<|im_start|>assistant\n adds at least the three markers.
    expect(JSON.parse(chat.stdout).prompt.tokens).toBeGreaterThanOrEqual(JSON.parse(plain.stdout).prompt.tokens + 3);
  });

  it('streams text on stdout and a summary on stderr, reading the prompt from stdin', async () => {
    const run = await decodekit(['generate', '--threads', '1', '-n', '24'], prompt);
    expect(run.code, run.stderr).toBe(0);
    // The streamed text is the JSON run's text (greedy is deterministic), plus a closing newline.
    expect(run.stdout.replace(/\n$/, '')).toBe(greedy.text.replace(/\n$/, ''));
    expect(run.stderr).toMatch(/\d+ tokens in .* tokens\/s · finish: (length|stop)/);
    expect(run.stderr).toMatch(/τ 1\.00 tokens per target forward/);
    expect(run.stderr).toMatch(/time: prefill/);
  });

  it('exits 2 with a message for a bad flag', async () => {
    const run = await decodekit(['generate', '--top-k', 'many', prompt]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--top-k expects an integer, got 'many'/);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for an unknown drafter, listing the installed ones', async () => {
    const run = await decodekit(['generate', '--draft', 'nonesuch', prompt]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown drafter 'nonesuch'. Installed drafters: .*pld/);
  });

  it('exits 1 with the ModelFormatError message for a missing model directory', async () => {
    const missing = join(scratch, 'missing-model');
    const run = await decodekit(['generate', '--model', missing, prompt]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[model-format]');
    expect(run.stderr).toContain(`model directory ${missing} does not exist`);
  });
});

/** A copy of the tiny model (graphs linked, not copied) with some files replaced. */
async function alteredTinyModel(name: string, replace: Record<string, string>): Promise<string> {
  const directory = join(scratch, name);
  await mkdir(directory, { recursive: true });
  for (const entry of await readdir(tinyLm)) {
    if (replace[entry] !== undefined) await writeFile(join(directory, entry), replace[entry]);
    else await symlink(join(tinyLm, entry), join(directory, entry));
  }
  return directory;
}

describe('errors on altered model directories (built bin)', { timeout: 60_000 }, () => {
  it('--chat on a tokenizer without a chat template exits 1 with the capability error', async () => {
    const config = JSON.parse(await readFile(join(tinyLm, 'tokenizer_config.json'), 'utf8'));
    delete config.chat_template;
    const directory = await alteredTinyModel('no-chat-template', { 'tokenizer_config.json': JSON.stringify(config) });
    const run = await decodekit(['generate', '--model', directory, '--chat', '-n', '4', 'hello']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[missing-capability]');
    expect(run.stderr).toMatch(/no chat_template/);
    const plain = await decodekit(['generate', '--model', directory, '-q', '-n', '4', 'hello']);
    expect(plain.code, plain.stderr).toBe(0);
  });

  it('inspect lists a broken tokenizer.json under Problems and exits 1', async () => {
    const directory = await alteredTinyModel('broken-tokenizer', { 'tokenizer.json': '{"model": ' });
    const run = await decodekit(['inspect', '--no-runtime', directory]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Problems\n\s+tokenizer: \[model-format\] .*tokenizer\.json is not valid JSON/);
    expect(run.stdout).toMatch(/llama · \d+ layers/); // the rest is still reported
  });
});

describe('decodekit inspect (built bin)', { timeout: 60_000 }, () => {
  it('prints the capabilities, graphs and config of the tiny model', async () => {
    const run = await decodekit(['inspect', tinyLm]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Capabilities/);
    for (const capability of [
      'tree attention',
      'hidden states',
      'layer split',
      'input embeddings',
      'batched forward',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`(yes|no)\\s+${capability}`));
    }
    expect(run.stdout).toContain('onnx/model.onnx');
    expect(run.stdout).toMatch(/llama · \d+ layers/);
  });

  it('--json reports the same as a JSON object', async () => {
    const run = await decodekit(['inspect', '--json', tinyLm]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.directory).toBe(tinyLm);
    expect(Object.keys(report.capabilities).sort()).toEqual(
      ['batchedForward', 'hiddenStates', 'inputEmbeddings', 'layerSplit', 'treeAttention'].sort(),
    );
    expect(report.model.vocabSize).toBe(report.tokenizer.vocabSize);
    expect(report.graphs.some((graph: { role: string }) => graph.role === 'model')).toBe(true);
    expect(report.problems).toEqual([]);
  });
});
