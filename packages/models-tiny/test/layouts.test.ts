/**
 * Equivalences between the committed ONNX graphs, run in onnxruntime-node (atol 1e-4):
 * cache vs recompute, left padding, chain tree vs standard graph, branching tree vs root paths,
 * embed_tokens + layers + head vs tree graph, embeds graph vs tree graph.
 * onnxruntime-node is a devDependency: the ONNX checks always run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyLm, tinyLmDraft } from '../src/index.js';

// Minimal structural types of the parts of onnxruntime-node used here.
interface Tensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface Session {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}
interface Ort {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => Tensor;
  InferenceSession: { create(path: string): Promise<Session> };
}

const ort = (await import('onnxruntime-node')) as unknown as Ort;
const ATOL = 1e-4;
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

function maxdiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

describe.each([
  ['tiny-lm', tinyLm],
  ['tiny-lm-draft', tinyLmDraft],
])('%s ONNX layouts', (_name, dir) => {
  const O = ort as Ort;
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const L: number = cfg.num_hidden_layers;
  const sessions = new Map<string, Promise<Session>>();
  const session = (g: string): Promise<Session> => {
    if (!sessions.has(g)) sessions.set(g, O.InferenceSession.create(join(dir, g)));
    return sessions.get(g)!;
  };
  const i64 = (rows: number[][]): Tensor =>
    new O.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
  const emptyPast = (B: number): Record<string, Tensor> => {
    const f: Record<string, Tensor> = {};
    for (let i = 0; i < L; i++)
      for (const kv of ['key', 'value'])
        f[`past_key_values.${i}.${kv}`] = new O.Tensor('float32', new Float32Array(0), [
          B,
          cfg.num_key_value_heads,
          0,
          cfg.head_dim,
        ]);
    return f;
  };
  const pastFrom = (out: Record<string, Tensor>): Record<string, Tensor> => {
    const f: Record<string, Tensor> = {};
    for (let i = 0; i < L; i++)
      for (const kv of ['key', 'value']) f[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
    return f;
  };
  const sliceSeq = (t: Tensor, a: number, b: number): Tensor => {
    const [B, S, V] = t.dims as number[];
    const data = t.data as Float32Array;
    const out = new Float32Array(B * (b - a) * V);
    for (let i = 0; i < B; i++) out.set(data.subarray((i * S + a) * V, (i * S + b) * V), i * (b - a) * V);
    return new O.Tensor('float32', out, [B, b - a, V]);
  };
  // deterministic token rows (ids 4..V-1)
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 4 + (seed % (cfg.vocab_size - 4));
  };
  const n = 32;
  const ids = [range(0, n).map(rnd), range(0, n).map(rnd)];
  const ones = (k: number): number[] => Array(k).fill(1);
  const runStd = async (rows: number[][], pos: number[][], mask: number[][], past: Record<string, Tensor>) =>
    (await session('onnx/model.onnx')).run({
      input_ids: i64(rows),
      position_ids: i64(pos),
      attention_mask: i64(mask),
      ...past,
    });
  const fullP = runStd(ids, [range(0, n), range(0, n)], [ones(n), ones(n)], emptyPast(2));
  const P = 12;
  const preP = runStd(
    ids.map((r) => r.slice(0, P)),
    [range(0, P), range(0, P)],
    [ones(P), ones(P)],
    emptyPast(2),
  );

  it('incremental decoding with the cache equals full recomputation', async () => {
    const full = await fullP;
    let t = 0;
    let past = emptyPast(2);
    for (const step of [9, 1, 1, 4, 1, 16]) {
      const e = Math.min(n, t + step);
      const out = await runStd(
        ids.map((r) => r.slice(t, e)),
        [range(t, e), range(t, e)],
        [ones(e), ones(e)],
        past,
      );
      expect(maxdiff(out.logits, sliceSeq(full.logits, t, e))).toBeLessThan(ATOL);
      past = pastFrom(out);
      t = e;
    }
  });

  it('left padding does not change the real positions', async () => {
    const full = await fullP;
    const p = 3;
    const out = await runStd(
      [ids[0], [1, 1, 1, ...ids[1].slice(0, n - p)]],
      [range(0, n), [1, 1, 1, ...range(0, n - p)]],
      [ones(n), [0, 0, 0, ...ones(n - p)]],
      emptyPast(2),
    );
    const V = cfg.vocab_size;
    const a = out.logits.data as Float32Array;
    const b = full.logits.data as Float32Array;
    let d = 0;
    for (let i = 0; i < n * V; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    for (let s = p; s < n; s++)
      for (let v = 0; v < V; v++) d = Math.max(d, Math.abs(a[(n + s) * V + v] - b[(n + s - p) * V + v]));
    expect(d).toBeLessThan(ATOL);
  });

  it('tree graph with a chain mask equals the standard graph', async () => {
    const [full, pre] = [await fullP, await preP];
    const S = 8;
    const m = range(0, S).map((i) => range(0, P + S).map((j) => (j <= P + i ? 1 : 0)));
    const tree = await session('decodekit/tree.onnx');
    const out = await tree.run({
      input_ids: i64(ids.map((r) => r.slice(P, P + S))),
      position_ids: i64([range(P, P + S), range(P, P + S)]),
      tree_mask: new O.Tensor('int64', BigInt64Array.from([...m.flat(), ...m.flat()].map(BigInt)), [2, S, P + S]),
      ...pastFrom(pre),
    });
    expect(maxdiff(out.logits, sliceSeq(full.logits, P, P + S))).toBeLessThan(ATOL);
  });

  describe('branching tree', () => {
    const parents = [-1, 0, 0, 1, 2, 3];
    const St = parents.length;
    const depth: number[] = [];
    for (const p of parents) depth.push(p < 0 ? 0 : depth[p] + 1);
    const tids = [
      [ids[0][P], 11, 12, 13, 14, 15],
      [ids[1][P], 21, 22, 23, 24, 25],
    ];
    const rows = range(0, St).map((i) => {
      const row = Array(P + St).fill(0);
      for (let j = 0; j < P; j++) row[j] = 1;
      for (let j = i; j >= 0; j = parents[j]) row[P + j] = 1;
      return row;
    });
    const tmask = () =>
      new (ort as Ort).Tensor('int64', BigInt64Array.from([...rows.flat(), ...rows.flat()].map(BigInt)), [
        2,
        St,
        P + St,
      ]);
    const tpos = [depth.map((d) => P + d), depth.map((d) => P + d)];
    const treeOutP = (async () =>
      (await session('decodekit/tree.onnx')).run({
        input_ids: i64(tids),
        position_ids: i64(tpos),
        tree_mask: tmask(),
        ...pastFrom(await preP),
      }))();

    it('scores every node as its root-to-node path', async () => {
      const [pre, treeOut] = [await preP, await treeOutP];
      for (let i = 0; i < St; i++) {
        const path: number[] = [];
        for (let j = i; j >= 0; j = parents[j]) path.unshift(j);
        const k = path.length;
        const out = await runStd(
          tids.map((r) => path.map((j) => r[j])),
          [range(P, P + k), range(P, P + k)],
          [ones(P + k), ones(P + k)],
          pastFrom(pre),
        );
        expect(maxdiff(sliceSeq(out.logits, k - 1, k), sliceSeq(treeOut.logits, i, i + 1))).toBeLessThan(ATOL);
      }
    });

    it('embed_tokens + layer.0..L-1 + head equals the tree graph; embeds graph too', async () => {
      const [pre, treeOut] = [await preP, await treeOutP];
      const emb = await (await session('decodekit/embed_tokens.onnx')).run({ input_ids: i64(tids) });
      let h = emb.inputs_embeds;
      for (let i = 0; i < L; i++) {
        const out = await (await session(`decodekit/layer.${i}.onnx`)).run({
          hidden_states: h,
          position_ids: i64(tpos),
          tree_mask: tmask(),
          [`past_key_values.${i}.key`]: pre[`present.${i}.key`],
          [`past_key_values.${i}.value`]: pre[`present.${i}.value`],
        });
        expect(maxdiff(out[`present.${i}.key`], treeOut[`present.${i}.key`])).toBeLessThan(ATOL);
        expect(maxdiff(out[`present.${i}.value`], treeOut[`present.${i}.value`])).toBeLessThan(ATOL);
        h = out.hidden_states_out;
      }
      const head = await (await session('decodekit/head.onnx')).run({ hidden_states: h });
      expect(maxdiff(head.logits, treeOut.logits)).toBeLessThan(ATOL);
      expect(maxdiff(head.last_hidden_state, treeOut.last_hidden_state)).toBeLessThan(ATOL);
      const e = await (await session('decodekit/embeds.onnx')).run({
        inputs_embeds: emb.inputs_embeds,
        position_ids: i64(tpos),
        tree_mask: tmask(),
        ...pastFrom(pre),
      });
      expect(maxdiff(e.logits, treeOut.logits)).toBeLessThan(ATOL);
    });
  });
});
