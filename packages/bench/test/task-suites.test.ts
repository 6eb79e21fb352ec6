import { readSplit, tinyLm } from '@decodekit/models-tiny';
import { loadTokenizer } from '@decodekit/tokenizer';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTasks, type TaskTokenizer } from '../src/task-suites.js';

let tokenizer: TaskTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(tinyLm);
});

const settings = {
  suites: ['code', 'prose', 'grounded'] as const,
  promptsPerSuite: 40,
  maxNewTokens: 128,
  contextLength: 512,
};

describe('task suites', () => {
  it('builds 40 prompts per suite from the test split, deterministically', () => {
    const a = buildTasks({ tokenizer, ...settings, seed: 3 });
    const b = buildTasks({ tokenizer, ...settings, seed: 3 });
    const c = buildTasks({ tokenizer, ...settings, seed: 4 });
    expect(a).toHaveLength(120);
    for (const suite of settings.suites) expect(a.filter((t) => t.suite === suite)).toHaveLength(40);
    expect(a.map((t) => Array.from(t.prompt).join())).toEqual(b.map((t) => Array.from(t.prompt).join()));
    expect(a.map((t) => t.source)).not.toEqual(c.map((t) => t.source));
    expect(new Set(a.map((t) => t.id)).size).toBe(120);
  });

  it('takes code from Python sources and prose from the KJV, and leaves room to generate', () => {
    const tasks = buildTasks({ tokenizer, ...settings });
    const python = new Set(readSplit('test', 'python').map((d) => d.name));
    const kjv = new Set(readSplit('test', 'kjv').map((d) => d.name));
    const doc = (source: string) => source.slice(0, source.lastIndexOf('@'));
    for (const task of tasks) {
      expect(task.prompt.length).toBeGreaterThan(16);
      expect(task.prompt.length + settings.maxNewTokens).toBeLessThanOrEqual(settings.contextLength - 64);
      if (task.suite === 'code') expect(python.has(doc(task.source))).toBe(true);
      if (task.suite === 'prose') expect(kjv.has(doc(task.source))).toBe(true);
    }
    // Prompts are spread over the documents, not all from one.
    expect(new Set(tasks.filter((t) => t.suite === 'code').map((t) => doc(t.source))).size).toBeGreaterThan(20);
  });

  it.each([32, 64, 128])(
    'makes grounded prompts whose continuation is in the prompt (%i new tokens)',
    (maxNewTokens) => {
      const tasks = buildTasks({ tokenizer, ...settings, maxNewTokens }).filter((t) => t.suite === 'grounded');
      for (const task of tasks) {
        const split = task.text.lastIndexOf('\n\n');
        const passage = task.text.slice(0, split);
        const head = task.text.slice(split + 2);
        expect(head.length).toBeGreaterThan(0);
        expect(passage.startsWith(head)).toBe(true);
        // Enough of the passage follows the head to copy most of the answer.
        expect(tokenizer.encode(passage.slice(head.length)).length).toBeGreaterThanOrEqual(maxNewTokens);
      }
    },
  );

  it('rejects settings that leave no room for a prompt', () => {
    expect(() => buildTasks({ tokenizer, ...settings, maxNewTokens: 480 })).toThrow(/maxNewTokens/);
  });
});
